"""Scenarios of the agent's answer on the virtual Vector, end to end: the
ARM or host binary as `vic-r1 run`, the fakes of vic-anim, vic-engine and
vic-cloud, and a fake R1 server over TLS (fake_r1_server.py, OpenSSL) that
streams reasoning and an answer. They check what vic-anim was asked to say
and play, in order, and that nothing of the robot's own traffic was lost.

Registered in bridge_scenarios.py, which runs each as a CTest test.
"""

import json
import os
import socket
import struct
import subprocess
import time

import clad_layouts as clad
from scenario_harness import (
    ENGINE_OPTIONS, EVENT_S, START_S, check, wait_for)

ANSWER_DEADLINE_S = 60.0
THINKING_CLIP = "anim_knowledgegraph_searching_01"
REASONING = ("SECRET-REASONING The user wants to know about the moon. Let me recall the distance "
             "and keep it short.")


def answer_spec(text, style="deepseek", reasoning=REASONING, **extra):
    """A fake_r1_server "answer" response as a --respond spec (no commas:
    the spec's own separator) or, when it needs them, a scenario dict."""
    spec = {"kind": "answer", "text": text, "style": style, "reasoning": reasoning}
    spec.update({key: str(value) for key, value in extra.items()})
    return spec


def use_answers(case, *specs, config=None):
    """The fake R1 server answers `specs` in order (the last repeats)."""
    scenario = os.path.join(case.dir, "r1_scenario.%d.json" % (case.server_count + 1))
    with open(scenario, "w") as out:
        json.dump({"responses": list(specs)}, out)
    return case.use_r1_server_with_scenario(scenario, config=config)


class AnimView:
    """What vic-anim received from the agent, decoded, in arrival order."""

    def __init__(self, robot):
        self.robot = robot

    def messages(self):
        found = []
        for record in self.robot.anim.received():
            data = record.data
            if not data:
                continue
            if data[0] == clad.TAG_PLAY_ANIM:
                try:
                    anim = clad.decode_play_anim(data)
                except (ValueError, struct.error):
                    continue    # garbage a scenario had the engine send, not the agent's
                found.append(("play_anim", anim.anim_name, anim.tag, anim.num_loops, record.seq))
            elif data[0] == clad.TAG_ABORT_ANIMATION and len(data) == 2:
                found.append(("abort", None, data[1], None, record.seq))
            elif clad.is_text_to_speech_prepare(data):
                prepare = clad.decode_text_to_speech_prepare(data)
                found.append(("prepare", prepare.text, prepare.tts_id, None, record.seq))
            elif data[0] == clad.TAG_TEXT_TO_SPEECH_PLAY and len(data) == 2:
                found.append(("play", None, data[1], None, record.seq))
            elif data[0] == clad.TAG_TEXT_TO_SPEECH_CANCEL and len(data) == 2:
                found.append(("cancel", None, data[1], None, record.seq))
        return found

    def sentences(self):
        """The texts of the agent's utterances that were told to play, in order."""
        texts = {}
        spoken = []
        for kind, text, ident, _, _ in self.messages():
            if kind == "prepare":
                texts[ident] = text
            elif kind == "play" and ident in texts:
                spoken.append(texts[ident])
        return spoken

    def prepared(self):
        return [text for kind, text, _, _, _ in self.messages() if kind == "prepare"]

    def finished_tts_ids(self):
        finished = set()
        for datagram in self.robot.anim.sent(clad.TAG_TEXT_TO_SPEECH_EVENT):
            event = clad.decode_text_to_speech_event(datagram)
            if event.state == clad.TTS_STATE_FINISHED:
                finished.add(event.tts_id)
        return finished


def start_answering(case, *specs, config=None, engine_options=ENGINE_OPTIONS, anim_options=None):
    """The engine plays no clips of its own here, so every PlayAnim vic-anim
    receives is the agent's."""
    settings = {"thinking_animation": THINKING_CLIP}
    settings.update(config or {})
    use_answers(case, *specs, config=settings)
    robot = case.start(engine_options=engine_options, anim_options=anim_options)
    case.bridge.wait_for_line(r"agent info: the robot link is ready", START_S,
                              what="the agent's 'robot link is ready'")
    return robot, AnimView(robot)


def wait_for_outcome(case, number=1, timeout_s=ANSWER_DEADLINE_S):
    return case.bridge.wait_for_line(r"agent info: question %d: (.*)$" % number, timeout_s,
                                     what="the outcome of question %d" % number).group(1)


def check_no_reasoning(view):
    for text in view.prepared():
        check("SECRET-REASONING" not in text and "recall the distance" not in text,
              "reasoning reached vic-anim's TTS: %r" % text)
        check("{{" not in text and "}}" not in text, "markup reached vic-anim's TTS: %r" % text)


def check_nothing_lost(case):
    counters_ok = case.bridge.running()
    check(counters_ok, "vic-r1 exited")
    robot = case.robot
    check(not robot.anim.crashes and not robot.engine.crashes,
          "a robot process aborted: anim %s, engine %s" % (robot.anim.crashes, robot.engine.crashes))
    check(not robot.anim.violations, "vic-anim would have mishandled: %s" % robot.anim.violations)
    check(not robot.anim.disconnects, "vic-anim disconnected its client: %s" % robot.anim.disconnects)


# ------------------------------------------------------------------ scenarios

def r1_answer_is_spoken_sentence_by_sentence_with_its_animations(case):
    """DeepSeek-style stream (reasoning_content first): the thinking loop
    starts at once and ends right before the first word, every sentence is
    spoken in order and none of the reasoning, the emotion plays with its
    sentence and the blocking animation between two sentences."""
    text = ("{{playAnimationWI||happy}}The Moon is about 384,400 km away. That is 1.28 light "
            "seconds! {{playAnimation||love}}Isn't that amazing?")
    robot, view = start_answering(case, answer_spec(text, reasoning_ms=30, delta=5))
    case.ask("how far is the moon")
    outcome = wait_for_outcome(case)
    check(outcome.startswith("answered"), "the question ended %r" % outcome)
    expected = ["The Moon is about 384,400 km away.", "That is 1.28 light seconds!",
                "Isn't that amazing?"]
    wait_for(lambda: view.sentences() == expected, EVENT_S,
             "Vector said %r, not %r" % (view.sentences(), expected))
    check_no_reasoning(view)
    messages = view.messages()
    plays = [m for m in messages if m[0] == "play_anim"]
    check(plays and plays[0][1] == THINKING_CLIP and plays[0][3] == 0,
          "the first clip should be the thinking loop (numLoops 0): %r" % plays[:1])
    thinking_tag = plays[0][2]
    first_tts_play = next(m for m in messages if m[0] == "play")
    aborts = [m for m in messages if m[0] == "abort" and m[2] == thinking_tag]
    check(aborts and aborts[0][4] < first_tts_play[4],
          "the thinking loop must end before the first word: %r" % messages)
    clips = [m[1] for m in plays[1:]]
    check("anim_feedback_goodrobot_01" in clips, "happy was not played: %r" % clips)
    check("anim_feedback_iloveyou_01" in clips, "love was not played: %r" % clips)
    love = next(m for m in plays if m[1] == "anim_feedback_iloveyou_01")
    tts_plays = [m for m in messages if m[0] == "play"]
    check(tts_plays[1][4] < love[4] < tts_plays[2][4],
          "the blocking animation should play between the second and third sentences: %r" % messages)
    check_nothing_lost(case)


def r1_inline_think_without_opener_is_never_spoken(case):
    """Together-style stream: the reasoning inline, R1's missing <think>
    opener, then </think> and the answer."""
    robot, view = start_answering(case, answer_spec("Paris is the capital of France.", style="together"),
                                  config={"provider": "together"})
    case.ask("what is the capital of france")
    outcome = wait_for_outcome(case)
    check(outcome.startswith("answered"), "the question ended %r" % outcome)
    wait_for(lambda: view.sentences() == ["Paris is the capital of France."], EVENT_S,
             "Vector said %r" % view.sentences())
    check_no_reasoning(view)
    check_nothing_lost(case)


def r1_wake_word_while_speaking_stops_everything(case):
    text = " ".join("Sentence number %d is here." % n for n in range(1, 30))
    robot, view = start_answering(case, answer_spec(text, gap_ms=20))
    case.ask("tell me a long story")
    wait_for(lambda: len(view.sentences()) >= 1, ANSWER_DEADLINE_S, "Vector never started speaking")
    case.wake()
    outcome = wait_for_outcome(case)
    check(outcome.startswith("interrupted: by the wake word"), "the question ended %r" % outcome)
    wait_for(lambda: not robot.anim.held_tts_ids(), EVENT_S,
             "vic-anim still holds the agent's utterances: %s" % robot.anim.held_tts_ids())
    spoken = len(view.sentences())
    time.sleep(1.0)
    check(len(view.sentences()) == spoken, "Vector went on speaking after the wake word")
    check(spoken < 29, "the whole answer was spoken")
    check_nothing_lost(case)


def r1_touch_while_thinking_stops_the_thinking(case):
    robot, view = start_answering(case, answer_spec("Too late.", reasoning_ms=300))
    # Both sides calibrate their touch baseline on a steady signal first.
    wait_for(lambda: robot.engine.touch_sensor.calibrated, EVENT_S,
             "the engine's touch sensor never calibrated")
    case.ask("think hard")
    wait_for(lambda: any(m[0] == "play_anim" and m[1] == THINKING_CLIP for m in view.messages()),
             EVENT_S, "the thinking loop never started")
    rest = robot.anim.touch_baseline_raw
    robot.anim.play_touch_samples([rest + 80] * 40 + [rest] * 60)
    outcome = wait_for_outcome(case)
    check(outcome.startswith("interrupted: by a touch on the back"), "the question ended %r" % outcome)
    thinking_tag = next(m[2] for m in view.messages() if m[0] == "play_anim")
    wait_for(lambda: any(m[0] == "abort" and m[2] == thinking_tag for m in view.messages()), EVENT_S,
             "the thinking loop was not stopped")
    time.sleep(1.0)
    check(view.prepared() == [], "Vector spoke after the touch: %r" % view.prepared())
    check_nothing_lost(case)


def r1_empty_balance_is_spoken(case):
    robot, view = start_answering(case, {"kind": "status", "code": "402", "body": "deepseek_balance"})
    case.ask("how far is the moon")
    outcome = wait_for_outcome(case)
    check(outcome.startswith("failed: HTTP 402"), "the question ended %r" % outcome)
    wait_for(lambda: view.sentences() == ["My DeepSeek balance is empty."], EVENT_S,
             "Vector said %r" % view.sentences())
    check_nothing_lost(case)


def r1_stalled_model_is_spoken_after_the_idle_deadline(case):
    robot, view = start_answering(case, {"kind": "keepalive", "interval_ms": "100"},
                                  config={"timeouts_ms": {"data_idle": 1500}})
    case.ask("how far is the moon")
    outcome = wait_for_outcome(case)
    check(outcome.startswith("failed: "), "the question ended %r" % outcome)
    wait_for(lambda: view.sentences() == ["The model at DeepSeek stopped while thinking."], EVENT_S,
             "Vector said %r" % view.sentences())
    check_nothing_lost(case)


def r1_conversation_mode_listens_again(case):
    """{{newVoiceRequest||now}}: after the last word vic-anim is asked to
    open a listening turn (FakeWakeWordFromExternalInterface); the engine
    hears it as a wake word, and the reply is a second question."""
    robot, view = start_answering(
        case, answer_spec("Do you want to hear more? {{newVoiceRequest||now}}"),
        answer_spec("Here is more."))
    case.ask("tell me about the moon")
    check(wait_for_outcome(case).startswith("answered"), "the first question was not answered")
    heard = len(robot.engine.trigger_words)
    wait_for(lambda: robot.anim.streams_opened, EVENT_S, "Vector did not listen again")
    case.bridge.wait_for_line(r"agent info: listening again for the reply", EVENT_S)
    # vic-engine hears it as a wake word (from the button: isButtonPress).
    wait_for(lambda: len(robot.engine.trigger_words) > heard, EVENT_S,
             "vic-engine never heard the new listening turn")
    check(robot.engine.trigger_words[-1][1].is_button_press, "the new turn is not the button's wake word")
    check(robot.anim.unmuted_by_fake_wake_word == 0, "the microphone was unmuted")
    check(robot.cloud.send_unmatched_question("yes please"), "vic-cloud could not send the reply")
    check(wait_for_outcome(case, 2).startswith("answered"), "the reply was not answered")
    wait_for(lambda: view.sentences() == ["Do you want to hear more?", "Here is more."], EVENT_S,
             "Vector said %r" % view.sentences())
    request_log = case.r1.stats()["request_log"]
    second = request_log[-1]["message_list"]
    check([m["role"] for m in second] == ["system", "user", "assistant", "user"],
          "the reply's request should carry the exchange before it: %r" % second)
    check(second[2]["content"] == "Do you want to hear more?",
          "the answer sent back should be what was spoken, without markup: %r" % second[2])
    check(all(set(m) == {"role", "content"} for m in second),
          "a message carried more than role and content: %r" % second)
    check_nothing_lost(case)


def r1_muted_microphone_is_never_unmuted_to_listen_again(case):
    robot, view = start_answering(case, answer_spec("Anything else? {{newVoiceRequest||now}}"),
                                  anim_options={"mic_muted_file": case.mic_muted_file})
    robot.anim.set_mic_muted(True)
    case.ask("hello")
    check(wait_for_outcome(case).startswith("answered"), "the question was not answered")
    case.bridge.wait_for_line(r"agent info: not listening again: the microphone is muted", EVENT_S)
    check(not robot.anim.streams_opened, "Vector listened although its microphone is muted")
    check(robot.anim.unmuted_by_fake_wake_word == 0, "the microphone was unmuted")
    check_nothing_lost(case)


def r1_control_socket_asks_and_reports(case):
    """`vic-r1 ask` over SSH: Vector speaks, the terminal shows each sentence;
    `vic-r1 status --json` tells the last question's story."""
    robot, view = start_answering(case, answer_spec("Hello from the control socket. Bye."))
    code, output = case.run_verb(["ask", "--socket-dir", case.socket_dir, "say hello"],
                                 timeout_s=ANSWER_DEADLINE_S)
    check(code == 0, "vic-r1 ask exited %d: %s" % (code, output))
    check("Hello from the control socket.\nBye.\n" in output, "vic-r1 ask printed %r" % output)
    check(view.sentences() == ["Hello from the control socket.", "Bye."],
          "Vector said %r" % view.sentences())
    code, output = case.run_verb(["status", "--json", "--socket-dir", case.socket_dir])
    check(code == 0, "vic-r1 status exited %d: %s" % (code, output))
    status = json.loads(output)
    last = status["last_question"]
    check(last["question"] == "say hello" and last["source"] == "control" and last["outcome"] == "answered",
          "status tells %r" % last)
    timeline = last["timeline_ms"]
    for step in ("request_sent", "first_reasoning", "first_answer_byte", "first_tts", "first_word", "done"):
        check(timeline[step] is not None, "status has no %s: %r" % (step, timeline))
    check(timeline["request_sent"] <= timeline["first_answer_byte"] <= timeline["first_word"] <= timeline["done"],
          "the timeline is out of order: %r" % timeline)
    check(last["usage"]["prompt_tokens"] == 20, "status has no usage: %r" % last)
    check(status["robot_link"]["can_speak"], "status says the robot link cannot speak: %r" % status)
    check(status["dumpable"] is False, "the agent, which holds the API key, can be dumped: %r" % status)
    check_nothing_lost(case)


def r1_agent_killed_mid_answer_is_restarted_and_answers_the_next(case):
    text = " ".join("Part %d of a long answer." % n for n in range(1, 40))
    robot, view = start_answering(case, answer_spec(text, gap_ms=20), answer_spec("I am back."))
    case.ask("tell me everything")
    wait_for(lambda: len(view.sentences()) >= 1, ANSWER_DEADLINE_S, "Vector never started speaking")
    first_agent = case.agent_pid
    os.kill(first_agent, 9)
    wait_for(lambda: not robot.anim.held_tts_ids(), EVENT_S,
             "the killed agent's speech was not cancelled: %s" % robot.anim.held_tts_ids())
    case.bridge.wait_for_agent(2)
    case.bridge.wait_for_line(r"agent info: the robot link is ready", START_S, count=2)
    case.ask("are you back")
    check(wait_for_outcome(case).startswith("answered"), "the restarted agent did not answer")
    wait_for(lambda: view.sentences()[-1:] == ["I am back."], EVENT_S, "Vector said %r" % view.sentences()[-3:])
    check_nothing_lost(case)


def r1_wake_word_while_thinking_stops_the_thinking(case):
    robot, view = start_answering(case, answer_spec("Too late.", reasoning_ms=300))
    case.ask("think hard")
    wait_for(lambda: any(m[0] == "play_anim" and m[1] == THINKING_CLIP for m in view.messages()),
             EVENT_S, "the thinking loop never started")
    case.wake()
    outcome = wait_for_outcome(case)
    check(outcome.startswith("interrupted: by the wake word"), "the question ended %r" % outcome)
    thinking_tag = next(m[2] for m in view.messages() if m[0] == "play_anim")
    wait_for(lambda: any(m[0] == "abort" and m[2] == thinking_tag for m in view.messages()), EVENT_S,
             "the thinking loop was not stopped")
    time.sleep(1.0)
    check(view.prepared() == [], "Vector spoke after the wake word: %r" % view.prepared())
    check_nothing_lost(case)


def r1_touch_while_speaking_stops_the_speech(case):
    text = " ".join("Sentence number %d is here." % n for n in range(1, 30))
    robot, view = start_answering(case, answer_spec(text, gap_ms=20))
    wait_for(lambda: robot.engine.touch_sensor.calibrated, EVENT_S,
             "the engine's touch sensor never calibrated")
    case.ask("tell me a long story")
    wait_for(lambda: len(view.sentences()) >= 1, ANSWER_DEADLINE_S, "Vector never started speaking")
    rest = robot.anim.touch_baseline_raw
    robot.anim.play_touch_samples([rest + 80] * 40 + [rest] * 60)
    outcome = wait_for_outcome(case)
    check(outcome.startswith("interrupted: by a touch on the back"), "the question ended %r" % outcome)
    wait_for(lambda: not robot.anim.held_tts_ids(), EVENT_S,
             "vic-anim still holds the agent's utterances: %s" % robot.anim.held_tts_ids())
    spoken = len(view.sentences())
    time.sleep(1.0)
    check(len(view.sentences()) == spoken, "Vector went on speaking after the touch")
    check(spoken < 29, "the whole answer was spoken")
    check_nothing_lost(case)


def r1_new_question_during_an_answer_replaces_it(case):
    text = " ".join("Old answer part %d." % n for n in range(1, 30))
    robot, view = start_answering(case, answer_spec(text, gap_ms=20), answer_spec("The new answer."))
    case.ask("tell me a long story")
    wait_for(lambda: len(view.sentences()) >= 1, ANSWER_DEADLINE_S, "Vector never started speaking")
    check(robot.cloud.send_unmatched_question("no, something else"), "vic-cloud could not send the question")
    check(wait_for_outcome(case, 1).startswith("interrupted: by a new question"),
          "the first question was not replaced")
    check(wait_for_outcome(case, 2).startswith("answered"), "the new question was not answered")
    wait_for(lambda: view.sentences()[-1:] == ["The new answer."], EVENT_S,
             "Vector said %r" % view.sentences()[-3:])
    old = [text for text in view.sentences() if text.startswith("Old answer")]
    check(len(old) < 29, "the whole old answer was spoken")
    new_at = view.sentences().index("The new answer.")
    check(all(not text.startswith("Old answer") for text in view.sentences()[new_at:]),
          "the old answer went on after the new one began: %r" % view.sentences())
    check_nothing_lost(case)


def r1_server_errors_are_spoken_one_sentence_each(case):
    """Each class of failure the server can give, one question each: the
    sentence Vector says names it, and nothing else is said."""
    robot, view = start_answering(
        case,
        {"kind": "status", "code": "401"},
        {"kind": "status", "code": "429"},
        {"kind": "status", "code": "503"},
        {"kind": "status", "code": "404"},
        {"kind": "stream", "transcript": "cut_mid_answer"})
    expected = [
        ("failed: HTTP 401", "DeepSeek did not accept my API key."),
        ("failed: HTTP 429", "DeepSeek says I'm asking too often."),
        ("failed: HTTP 503", "DeepSeek is overloaded right now."),
        ("failed: HTTP 404", "DeepSeek doesn't know the model I asked for."),
        ("answered partly", "Sorry, my answer was cut off."),
    ]
    for number, (outcome_start, sentence_start) in enumerate(expected, start=1):
        case.wake()
        case.ask("question %d" % number)
        outcome = wait_for_outcome(case, number)
        check(outcome.startswith(outcome_start), "question %d ended %r, not %r" % (number, outcome, outcome_start))
        wait_for(lambda: view.sentences() and view.sentences()[-1].startswith(sentence_start), EVENT_S,
                 "after question %d Vector said %r, not %r" % (number, view.sentences()[-2:], sentence_start))
    check_no_reasoning(view)
    check_nothing_lost(case)


def r1_expired_certificate_is_spoken_with_the_clock(case):
    scenario = os.path.join(case.dir, "r1_expired.json")
    with open(scenario, "w") as out:
        json.dump({"responses": [answer_spec("Never heard.")], "cert": "expired"}, out)
    case.use_r1_server_with_scenario(scenario, config={"thinking_animation": THINKING_CLIP})
    robot = case.start(engine_options=ENGINE_OPTIONS)
    view = AnimView(robot)
    case.bridge.wait_for_line(r"agent info: the robot link is ready", START_S)
    case.ask("how far is the moon")
    outcome = wait_for_outcome(case)
    check(outcome.startswith("failed: "), "the question ended %r" % outcome)
    expected = ["I couldn't verify DeepSeek's certificate. My clock may be wrong."]
    wait_for(lambda: view.sentences() == expected, EVENT_S, "Vector said %r" % view.sentences())
    check(case.r1.stats()["requests"] == 0, "a request reached a server with an expired certificate")
    check_nothing_lost(case)


def r1_refused_connection_is_spoken(case):
    """Nothing listens at the configured port: said at once, not after a deadline."""
    closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # bound then closed: nothing listens there now
    robot, view = start_answering(case, answer_spec("Never heard."),
                                  config={"base_url": "https://localhost:%d" % port})
    case.ask("how far is the moon")
    outcome = wait_for_outcome(case)
    check(outcome.startswith("failed: "), "the question ended %r" % outcome)
    wait_for(lambda: view.sentences() == ["DeepSeek's server refused my connection."], EVENT_S,
             "Vector said %r" % view.sentences())
    check_nothing_lost(case)


def closed_port():
    """A loopback port nothing listens at: bound, then closed."""
    closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    return port


def check_fallback_answers(case, main_config=None):
    """The main provider (DeepSeek) fails before its first answer byte; the
    question goes at once to the fallback (Together), whose answer alone is
    spoken, and `status` names it, one fallback after DeepSeek."""
    use_answers(case, {"kind": "status", "code": "503"},
                config=dict({"thinking_animation": THINKING_CLIP}, **(main_config or {})))
    scenario = os.path.join(case.dir, "r1_fallback_scenario.json")
    with open(scenario, "w") as out:
        json.dump({"responses": [answer_spec("Together answers. The moon is far away.", style="together")]}, out)
    fallback = case.add_r1_fallback_with_scenario(scenario, provider="together")
    robot = case.start(engine_options=ENGINE_OPTIONS)
    view = AnimView(robot)
    case.bridge.wait_for_line(r"agent info: the robot link is ready", START_S)
    case.ask("how far is the moon")
    outcome = wait_for_outcome(case)
    check(outcome.startswith("answered ("), "the question ended %r" % outcome)
    expected = ["Together answers.", "The moon is far away."]
    wait_for(lambda: view.sentences() == expected, EVENT_S, "Vector said %r, not %r" % (view.sentences(), expected))
    check_no_reasoning(view)
    check(fallback.stats()["requests"] == 1, "the fallback was asked %r" % fallback.stats())
    code, output = case.run_verb(["status", "--json", "--socket-dir", case.socket_dir])
    check(code == 0, "vic-r1 status exited %d: %s" % (code, output))
    status = json.loads(output)
    names = [provider["name"] for provider in status["providers"]]
    check(names == ["DeepSeek", "Together"], "status lists the providers %r" % names)
    check(status["providers"][1]["base_url"] == "https://localhost:%d" % fallback.port,
          "status gives the fallback's endpoint as %r" % status["providers"][1])
    check(status["providers"][1]["model"] == "deepseek-ai/DeepSeek-R1",
          "status gives the fallback's model as %r" % status["providers"][1])
    last = status["last_question"]
    check(last["provider"] == "Together" and last["fallbacks"] == 1, "status tells %r" % last)
    check(len(last["given_up"]) == 1 and "DeepSeek" in last["given_up"][0],
          "status says DeepSeek was given up for %r" % last["given_up"])
    check(status["totals"]["fallbacks"] == 1, "status totals %r" % status["totals"])
    check_nothing_lost(case)


def r1_overloaded_provider_falls_back_to_the_next(case):
    check_fallback_answers(case)
    check(case.r1.stats()["requests"] == 1, "DeepSeek was asked %r" % case.r1.stats())


def r1_refused_provider_falls_back_to_the_next(case):
    check_fallback_answers(case, main_config={"base_url": "https://localhost:%d" % closed_port()})


def r1_long_reasoning_moves_the_thinking_loop_on(case):
    """thinking_progress: while R1 reasons for long, the loop moves on to the
    next clip; the first word ends whichever loop plays by then."""
    progress_clip = "anim_observing_self_absorbed_01"
    reasoning = " ".join("Step %d of a long chain of thought." % n for n in range(1, 41))
    robot, view = start_answering(
        case, answer_spec("Here is the answer.", reasoning=reasoning, reasoning_ms=25),
        config={"thinking_progress": {"animations": [progress_clip], "every_s": 2}})
    case.ask("think long")
    check(wait_for_outcome(case).startswith("answered"), "the question was not answered")
    wait_for(lambda: view.sentences() == ["Here is the answer."], EVENT_S, "Vector said %r" % view.sentences())
    messages = view.messages()
    plays = [m for m in messages if m[0] == "play_anim"]
    check([m[1] for m in plays[:2]] == [THINKING_CLIP, progress_clip] and plays[1][3] == 0,
          "the loop should move on to %s (numLoops 0): %r" % (progress_clip, plays))
    first_abort = next((m for m in messages if m[0] == "abort" and m[2] == plays[0][2]), None)
    check(first_abort is not None and first_abort[4] < plays[1][4],
          "the first loop should end before the next starts: %r" % messages)
    first_word = next(m for m in messages if m[0] == "play")
    second_abort = next((m for m in messages if m[0] == "abort" and m[2] == plays[1][2]), None)
    check(second_abort is not None and second_abort[4] < first_word[4],
          "the progress loop must end before the first word: %r" % messages)
    check_no_reasoning(view)
    check_nothing_lost(case)


def r1_voice_server_answering_by_itself_is_warned_in_log_and_status(case):
    """wire-pod with its own LLM on: after "Hey Vector" no question reaches
    vic-r1, and wire-pod makes vic-engine speak the LLM's answer a sentence
    per SDK SayText (one engine TextToSpeechPrepare each). The agent warns
    once in the log, with the fix, and `status --json` counts it."""
    robot, view = start_answering(case, answer_spec("Unused."))
    case.wake()
    engine_sentences = ("Great question!",
                        "Sunlight is made of every color, and the tiny molecules of air scatter blue light the most.",
                        "So blue light reaches your eyes from every direction of the sky, which looks blue.")
    for sentence in engine_sentences:
        check(robot.engine.say(sentence) is not None, "the engine could not speak %r" % sentence)
    case.bridge.wait_for_line(r"agent warning: the voice server answers questions itself.*"
                              r"Turn off the LLM / knowledge graph in wire-pod's settings", EVENT_S,
                              what="the agent's warning that the voice server answers by itself")
    code, output = case.run_verb(["status", "--json", "--socket-dir", case.socket_dir])
    check(code == 0, "vic-r1 status exited %d: %s" % (code, output))
    answers = json.loads(output)["voice_server_answers"]
    check(answers["long_speech_after_wake_word"] == 1 and "wire-pod" in answers["warning"],
          "status tells %r" % answers)
    # vic-anim got the engine's sentences, forwarded unchanged, and nothing of vic-r1's.
    check(view.prepared() == list(engine_sentences), "vic-anim was asked to say %r" % view.prepared())
    check_nothing_lost(case)


def r1_doctor_finds_the_running_service_ready_and_the_provider_reachable(case):
    """`vic-r1 doctor` beside the running service: the service and its robot
    link are ready, the voice server has not answered by itself, and the
    provider takes the key; one request of one token reached it."""
    robot, view = start_answering(case, answer_spec("Unused."))
    requests_before = case.r1.stats()["requests"]
    code, output = case.run_verb(["doctor", "--json", "--config", case.config_path,
                                  "--socket-dir", case.socket_dir])
    report = json.loads(output)
    verdicts = {c["name"]: (c["verdict"], c["detail"]) for c in report["checks"]}
    check(verdicts.get("service", ("missing",))[0] == "ok" and "robot link ready" in verdicts["service"][1],
          "the service should be ready: %r" % (verdicts.get("service"),))
    check(verdicts.get("voice server", ("missing",))[0] == "ok", "voice server: %r" % (verdicts.get("voice server"),))
    for name in ("config", "DeepSeek key file", "DeepSeek CA bundle", "DeepSeek DNS, TCP and TLS",
                 "DeepSeek key accepted"):
        check(verdicts.get(name, ("missing",))[0] == "ok", "%s: %r" % (name, verdicts.get(name)))
    check(report["failed"] == 0 and code == 0, "doctor found failures (exit %d): %s" % (code, output))
    check(case.r1.stats()["requests"] == requests_before + 1, "the key check should send one request")
    check_nothing_lost(case)


# What a user other than root gets from the control socket: "refused:" and
# connect()'s errno, or "reply:" and whatever came back for a "status" line
# (a closed connection, however it shows, ends the reply).
OTHER_USER_CLIENT = """
import socket, sys
client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
client.settimeout(10)
try:
    client.connect(sys.argv[1])
except OSError as error:
    print("refused:" + (error.strerror or str(error)))
    sys.exit(0)
reply = b""
try:
    client.sendall(b"status\\n")
    while True:
        data = client.recv(4096)
        if not data:
            break
        reply += data
except OSError:
    pass
print("reply:" + reply.decode(errors="replace"))
"""
NOBODY_UID = 65534
# The system's interpreter: one under root's home may not be runnable by
# another user.
SYSTEM_PYTHON = "/usr/bin/python3"


def r1_control_socket_refuses_other_users(case):
    """The control socket is root's: another user cannot connect (mode 0600),
    and where the mode was opened up, vic-r1 still refuses the peer by its
    uid (SO_PEERCRED) and says so in the log. Root gets its status."""
    check(os.geteuid() == 0, "this scenario switches to another uid, which needs root")
    start_answering(case, answer_spec("Unused."))
    control = os.path.join(case.socket_dir, "vic-r1.control")

    def as_nobody():
        completed = subprocess.run([SYSTEM_PYTHON, "-c", OTHER_USER_CLIENT, control], user=NOBODY_UID,
                                   group=NOBODY_UID, extra_groups=[], capture_output=True, text=True, timeout=30)
        return completed.stdout.strip()

    # The way there is open to everyone, the socket itself is not.
    for directory in (case.dir, case.socket_dir):
        os.chmod(directory, 0o711)
    check(as_nobody() == "refused:Permission denied", "another user reached the control socket through its mode")
    os.chmod(control, 0o666)
    reached = as_nobody()
    check(reached == "reply:", "another user got an answer from the control socket: %r" % reached)
    case.bridge.wait_for_line(r"refused a control connection from uid %d \(only root may use it\)" % NOBODY_UID,
                              EVENT_S, what="the log line for the refused user")
    code, output = case.run_verb(["status", "--socket-dir", case.socket_dir])
    check(code == 0 and "robot link" in output, "root's status failed (%d): %s" % (code, output))


SCENARIOS = [
    r1_answer_is_spoken_sentence_by_sentence_with_its_animations,
    r1_inline_think_without_opener_is_never_spoken,
    r1_wake_word_while_speaking_stops_everything,
    r1_touch_while_thinking_stops_the_thinking,
    r1_empty_balance_is_spoken,
    r1_stalled_model_is_spoken_after_the_idle_deadline,
    r1_conversation_mode_listens_again,
    r1_muted_microphone_is_never_unmuted_to_listen_again,
    r1_control_socket_asks_and_reports,
    r1_agent_killed_mid_answer_is_restarted_and_answers_the_next,
    r1_wake_word_while_thinking_stops_the_thinking,
    r1_touch_while_speaking_stops_the_speech,
    r1_new_question_during_an_answer_replaces_it,
    r1_server_errors_are_spoken_one_sentence_each,
    r1_expired_certificate_is_spoken_with_the_clock,
    r1_refused_connection_is_spoken,
    r1_long_reasoning_moves_the_thinking_loop_on,
    r1_overloaded_provider_falls_back_to_the_next,
    r1_refused_provider_falls_back_to_the_next,
    r1_voice_server_answering_by_itself_is_warned_in_log_and_status,
    r1_doctor_finds_the_running_service_ready_and_the_provider_reachable,
    r1_control_socket_refuses_other_users,
]
