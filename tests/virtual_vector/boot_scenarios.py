"""The robot's processes started, restarted and cut apart around `vic-r1 run`,
on the virtual Vector: every start order the units in deploy/systemd allow,
the two ways vic-r1 can come too late, and the recovery after vic-r1 is
killed. Run through bridge_scenarios.py, which lists these with the rest.

systemd itself is not here: Case.boot_in_unit_order() and
Case.restart_robot_processes() start and stop the fakes in the order the
units give (tests/build/check_robot_units.py checks the units say so), and
the OnFailure= unit is played by running the real `vic-r1 recover` with a
stand-in for systemctl that records what it was asked to do.
"""

import os
import signal
import stat
import time

import clad_layouts as clad
from scenario_harness import (ANIM_SERVER, CLOUD_OPTIONS, EVENT_S, OUR_AI_SOCK,
                              OUR_ENGINE_SERVER, QUIET_ENGINE, START_S, Bridge, NotifyListener,
                              VirtualVector, check, wait_for)

# vic-r1 await-socket's exit statuses (agent/cli/robot_unit_commands.h).
AWAIT_TAKEN = 0
AWAIT_NO_BRIDGE = 4

ENGINE_FIRST_REPORT = r"vic-anim already serves another client"
CLOUD_BYPASS_REPORT = r"vic-cloud is connected to vic-engine's ai_sock directly"


def answer_and_check_exact(case, question):
    """Asks, waits for the agent's answer, and checks everything else
    crossed unchanged."""
    asked = case.ask(question)
    case.check_answers_exact([case.wait_for_answer(question)], [asked])


def check_engine_got_it_unchanged(case, asked, intents_before):
    robot = case.robot
    wait_for(lambda: len(robot.engine.intents()) > intents_before, EVENT_S,
             "vic-engine never received the question")
    check(robot.engine.intents()[intents_before] == clad.decode_cloud_mic(asked),
          "vic-engine did not get the question as vic-cloud sent it")


def boot_vic_r1_before_vic_anim_binds(case):
    """vic-anim's process starts, then vic-r1's, and vic-anim binds its
    socket a while later (it loads its data first): vic-r1 says ready only
    once it has taken the socket, vic-engine starts then, and vic-cloud
    after vic-r1 has taken ai_sock too."""
    status = case.boot_in_unit_order(vic_r1_first=True, engine_options=QUIET_ENGINE)
    check(status == AWAIT_TAKEN, "await-socket returned %d: %s" % (status, case.await_output))
    check(case.same_file("ai_sock", OUR_AI_SOCK), "ai_sock is not vic-r1's")
    answer_and_check_exact(case, "why do stars twinkle")


def boot_vic_anim_bound_before_vic_r1_starts(case):
    status = case.boot_in_unit_order(vic_r1_first=False, engine_options=QUIET_ENGINE)
    check(status == AWAIT_TAKEN, "await-socket returned %d: %s" % (status, case.await_output))
    answer_and_check_exact(case, "why is snow white")


def boot_without_vic_r1_is_the_stock_robot(case):
    """vic-r1 disabled, or failed to start: vic-engine starts all the same
    (After= orders, it does not require), vic-cloud's wait returns at once,
    and the robot is as it was without vic-r1."""
    status = case.boot_in_unit_order(with_vic_r1=False, engine_options=QUIET_ENGINE)
    check(status == AWAIT_NO_BRIDGE, "await-socket returned %d without vic-r1: %s"
          % (status, case.await_output))
    robot = case.robot
    intents_before = len(robot.engine.intents())
    asked = case.ask("is anyone there")
    check_engine_got_it_unchanged(case, asked, intents_before)
    case.assert_link_healthy()


def vic_engine_first_is_reported_once_and_vic_r1_steps_in_when_it_restarts(case):
    """vic-r1 started after vic-engine reached vic-anim (by hand, or with
    the units' order broken): vic-anim serves one client, so vic-r1 can only
    stay out of the way. It says so once, not at every retry, tells systemd
    it is ready so the boot goes on, and takes no question. When vic-engine
    restarts, vic-r1 is in its path."""
    case.robot = robot = VirtualVector(case.socket_dir,
                                       engine_options=dict(QUIET_ENGINE),
                                       cloud_options=dict(CLOUD_OPTIONS))
    robot.start_anim()
    robot.start_engine()
    wait_for(lambda: robot.engine.robot_available, EVENT_S, "vic-engine never came up")
    robot.start_cloud()
    check(robot.cloud.wait_connected(EVENT_S), "vic-cloud never connected")
    notify = NotifyListener(os.path.join(case.dir, "notify"))
    case.bridge = Bridge(case, ("--firmware", "1.8"), notify_socket=notify.path)
    case.bridge.wait_for_line(ENGINE_FIRST_REPORT, START_S, what="the report that vic-engine "
                              "reached vic-anim first")
    wait_for(notify.ready, EVENT_S, "vic-r1 did not tell systemd it was ready (fail-open)")
    case.bridge.wait_for_line(CLOUD_BYPASS_REPORT, EVENT_S,
                              what="the report that vic-cloud bypasses the tap")
    time.sleep(3.0)                    # three more tries to reach vic-anim
    check(len(case.bridge.matches(ENGINE_FIRST_REPORT)) == 1,
          "the report was made %d times" % len(case.bridge.matches(ENGINE_FIRST_REPORT)))
    check(len(case.bridge.matches(CLOUD_BYPASS_REPORT)) == 1, "the bypass was reported more "
          "than once")
    check(not case.bridge.matches(r"cannot reach vic-anim"), "vic-r1 logged its retries")
    intents_before = len(robot.engine.intents())
    asked = case.ask("who answers now")
    check_engine_got_it_unchanged(case, asked, intents_before)
    check(not case.bridge.matches(r"vic-r1 agent info: question:"),
          "vic-r1 took a question it could not answer")

    # vic-engine restarts (and vic-cloud after it, as its own reconnect needs).
    check(robot.engine.restart(timeout_s=EVENT_S), "vic-engine did not restart")
    case.bridge.wait_for_line(r"greeted vic-anim at .*its old client is gone", EVENT_S,
                              what="vic-r1 taking vic-anim once vic-engine let go")
    wait_for(lambda: robot.engine.robot_available, EVENT_S,
             "the restarted vic-engine never got RobotAvailable through vic-r1")
    robot.cloud.reconnect()
    check(robot.cloud.wait_connected(EVENT_S), "vic-cloud did not reconnect")
    question = "and who answers now"
    case.ask(question)
    case.wait_for_answer(question)
    # vic-anim let go of the old vic-engine when its send failed, as it does
    # without vic-r1; nothing else went wrong.
    check(not robot.engine.crashes and not robot.anim.crashes, "a process aborted")
    check(not robot.engine.malformed, "vic-engine got malformed datagrams")
    check(not robot.anim.drop_counts, "vic-anim dropped datagrams: %s" % dict(robot.anim.drop_counts))


def vic_cloud_connected_past_the_tap_is_reported_once(case):
    """vic-cloud retries every 5 s until ai_sock exists and connects once:
    a retry in the moment between vic-engine binding ai_sock and vic-r1
    taking it connects vic-cloud to vic-engine itself. Here vic-r1 is held
    still (SIGSTOP) over that moment. It must say what happened, once."""
    robot = case.robot = VirtualVector(case.socket_dir, engine_options=dict(QUIET_ENGINE),
                                       cloud_options=dict(CLOUD_OPTIONS))
    robot.start_anim()
    notify = NotifyListener(os.path.join(case.dir, "notify"))
    case.bridge = Bridge(case, ("--firmware", "1.8"), notify_socket=notify.path)
    wait_for(notify.ready, START_S, "vic-r1 never said ready")
    case.bridge.wait_for_agent()
    os.kill(case.bridge.pid, signal.SIGSTOP)
    try:
        robot.start_engine()
        wait_for(lambda: os.path.exists(case.path("ai_sock")) and not case.same_file(
            "ai_sock", OUR_AI_SOCK), EVENT_S, "vic-engine never bound ai_sock")
        robot.start_cloud()
        check(robot.cloud.wait_connected(EVENT_S), "vic-cloud never connected")
    finally:
        os.kill(case.bridge.pid, signal.SIGCONT)
    wait_for(lambda: robot.engine.robot_available, EVENT_S, "vic-engine never came up")
    case.bridge.wait_for_line(CLOUD_BYPASS_REPORT, EVENT_S,
                              what="the report that vic-cloud bypasses the tap")
    time.sleep(2.5)
    check(len(case.bridge.matches(CLOUD_BYPASS_REPORT)) == 1, "reported more than once")
    intents_before = len(robot.engine.intents())
    asked = case.ask("does this reach you")
    check_engine_got_it_unchanged(case, asked, intents_before)
    # The fix the report gives: restart vic-cloud.
    robot.cloud.reconnect()
    check(robot.cloud.wait_connected(EVENT_S), "vic-cloud did not reconnect")
    question = "and does this reach vic-r1"
    case.ask(question)
    case.wait_for_answer(question)
    check(len(case.bridge.matches(CLOUD_BYPASS_REPORT)) == 1, "a connected vic-cloud reported")
    case.assert_link_healthy()


def fake_systemctl(case):
    """A stand-in for systemctl: records its arguments, one call a line."""
    calls = os.path.join(case.dir, "systemctl.calls")
    path = os.path.join(case.dir, "systemctl")
    with open(path, "w") as script:
        script.write('#!/bin/sh\necho "$*" >> "%s"\n' % calls)
    os.chmod(path, stat.S_IRWXU)
    return path, calls


def systemctl_calls(calls):
    try:
        with open(calls) as file:
            return [line.strip() for line in file]
    except FileNotFoundError:
        return []


def killed_vic_r1_is_recovered_by_restarting_the_robots_processes(case):
    """vic-r1 killed with SIGKILL: vic-engine exits on its next send (as on
    the robot), vic-cloud is left connected to a dead socket. systemd runs
    vic-r1.service's OnFailure= unit, `vic-r1 recover`, which restarts
    anki-robot.target; everything comes back in the units' order, and no
    intent is lost from then on."""
    case.boot_in_unit_order(engine_options=dict(QUIET_ENGINE))
    answer_and_check_exact(case, "what is a black hole")
    robot = case.robot
    robot.engine.set_idle_traffic(True)
    os.killpg(case.bridge.pid, signal.SIGKILL)
    case.bridge.process.wait(timeout=EVENT_S)
    wait_for(lambda: robot.engine.link_state == "failed", EVENT_S,
             "vic-engine did not notice vic-r1 was gone")
    check(not robot.cloud.send_unmatched_question("hello?"),
          "vic-cloud could still send to a killed vic-r1's socket")

    systemctl, calls = fake_systemctl(case)
    status, output = case.run_verb(["recover", "--socket-dir", case.socket_dir, "--state-dir",
                                    os.path.join(case.dir, "run"), "--systemctl", systemctl])
    check(status == 0, "vic-r1 recover exited with %d:\n%s" % (status, output))
    check("restarting the robot's processes" in output, "recover did not say what it did:\n%s"
          % output)
    check(systemctl_calls(calls) == ["restart --no-block anki-robot.target"],
          "recover asked systemctl for %s" % systemctl_calls(calls))

    print("  vic-anim's faults before the restart: %s" % robot.anim.faults)
    case.restart_robot_processes(engine_options=dict(QUIET_ENGINE))
    robot = case.robot
    check(case.same_file(ANIM_SERVER, OUR_ENGINE_SERVER), "vic-r1 is not in place after recovery")
    # From here on nothing is lost: a question and plain intents.
    asked = case.ask("is the robot back")
    utterance = case.wait_for_answer("is the robot back")
    intents_before = len(robot.engine.intents())
    plain = [("intent_greeting_hello", "hello"), ("intent_imperative_shutup", "shut up")]
    for intent, words in plain:
        check(robot.cloud.send_intent(intent, None, "text: %s  confidence: 0.900000  handler: "
                                      % words), "vic-cloud could not send %s" % intent)
    wait_for(lambda: len(robot.engine.intents()) >= intents_before + len(plain), EVENT_S,
             "vic-engine missed intents after the recovery")
    case.check_answers_exact([utterance], [asked])


def recovery_is_not_needed_when_vic_r1_never_got_in(case):
    """vic-r1 failing before it took vic-anim's socket leaves nothing cut
    apart: recover restarts nothing."""
    os.makedirs(case.socket_dir, exist_ok=True)
    systemctl, calls = fake_systemctl(case)
    status, output = case.run_verb(["recover", "--socket-dir", case.socket_dir, "--state-dir",
                                    os.path.join(case.dir, "run"), "--systemctl", systemctl])
    check(status == 0, "recover exited with %d:\n%s" % (status, output))
    check(systemctl_calls(calls) == [], "recover called systemctl: %s" % systemctl_calls(calls))
    check("nothing needs restarting" in output, "recover did not say why:\n%s" % output)


def a_vic_r1_that_keeps_failing_is_masked_and_the_robot_runs_without_it(case):
    """Three failures within ten minutes: the fourth start would fail again;
    vic-r1 is masked for this boot before the robot's processes restart."""
    os.makedirs(case.socket_dir, exist_ok=True)
    with open(case.path(ANIM_SERVER + ".vic-anim"), "w"):
        pass                            # what a vic-r1 that had got in leaves
    systemctl, calls = fake_systemctl(case)
    for _ in range(3):
        status, output = case.run_verb(["recover", "--socket-dir", case.socket_dir,
                                        "--state-dir", os.path.join(case.dir, "run"),
                                        "--systemctl", systemctl])
        check(status == 0, "recover exited with %d:\n%s" % (status, output))
    check(systemctl_calls(calls) == ["restart --no-block anki-robot.target"] * 2 + [
        "mask --runtime vic-r1.service", "restart --no-block anki-robot.target"],
        "recover asked systemctl for %s" % systemctl_calls(calls))
    check("masked until the next boot" in output, "the last recover did not say why:\n%s" % output)


SCENARIOS = [
    boot_vic_r1_before_vic_anim_binds,
    boot_vic_anim_bound_before_vic_r1_starts,
    boot_without_vic_r1_is_the_stock_robot,
    vic_engine_first_is_reported_once_and_vic_r1_steps_in_when_it_restarts,
    vic_cloud_connected_past_the_tap_is_reported_once,
    killed_vic_r1_is_recovered_by_restarting_the_robots_processes,
    recovery_is_not_needed_when_vic_r1_never_got_in,
    a_vic_r1_that_keeps_failing_is_masked_and_the_robot_runs_without_it,
]
