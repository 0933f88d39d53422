#!/usr/bin/env python3
"""The virtual Vector: vic-anim, vic-engine and vic-cloud stand-ins on one
socket directory, started in the robot's order (anim, [bridge], engine,
cloud), sharing one WireLog.

As a library (scenario tests):

    with VirtualVector(socket_dir) as robot:
        robot.start_anim()
        ...start `vic-r1 run --socket-dir socket_dir` here...
        robot.start_engine()
        robot.start_cloud()
        robot.ask("why is the sky blue")
        ...
        robot.assert_exact(is_injected=injected_messages(anim_tags={...}))

From a shell, to drive it by hand:

    python3 virtual_vector.py --socket-dir /tmp/vv [--duration 600] [--engine-delay 5]

then type on stdin: wake | touch [seconds] | button | ask <question> |
say <text> | play <clip> | status | check | quit.
Never point it at /dev/socket: it unlinks the socket paths it binds.
"""

import argparse
import os
import selectors
import sys
import threading
import time
from typing import Optional

import wire_exactness
from fake_vic_anim import FakeVicAnim
from fake_vic_cloud import FakeVicCloud
from fake_vic_engine import FakeVicEngine
from waiting import wait_until
from wire_log import WireLog


class VirtualVector:
    def __init__(self, socket_dir: str, *, anim_options: Optional[dict] = None,
                 engine_options: Optional[dict] = None, cloud_options: Optional[dict] = None,
                 firmware: str = "1.8", clock=time.monotonic, log=None):
        if os.path.realpath(socket_dir) == "/dev/socket":
            raise ValueError("refusing to run the virtual Vector in /dev/socket")
        os.makedirs(socket_dir, exist_ok=True)
        self.socket_dir = socket_dir
        self.wire_log = WireLog(clock)
        # One firmware for both: vic-anim and vic-engine are built from one tree.
        self.anim = FakeVicAnim(socket_dir, wire_log=self.wire_log, clock=clock, log=log,
                                firmware=firmware, **(anim_options or {}))
        self.engine = FakeVicEngine(socket_dir, wire_log=self.wire_log, clock=clock, log=log,
                                    firmware=firmware, **(engine_options or {}))
        self.cloud = FakeVicCloud(socket_dir, wire_log=self.wire_log, clock=clock, log=log,
                                  **(cloud_options or {}))
        self._started = set()

    # ------------------------------------------------------------------ life

    def start_anim(self):
        self.anim.start()
        self._started.add("anim")

    def start_engine(self):
        self.engine.start()
        self._started.add("engine")

    def start_cloud(self):
        self.cloud.start()
        self._started.add("cloud")

    def start(self, wait_s: float = 5.0) -> bool:
        """All three with no bridge; True once the engine has RobotAvailable
        and vic-cloud is connected."""
        self.start_anim()
        self.start_engine()
        self.start_cloud()
        return self.wait_until_up(wait_s)

    def wait_until_up(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        up = wait_until(lambda: self.engine.robot_available, timeout_s)
        if "cloud" in self._started:
            up = self.cloud.wait_connected(max(0.0, deadline - time.monotonic())) and up
        return up

    def stop(self):
        if "cloud" in self._started:
            self.cloud.stop()
        if "engine" in self._started:
            self.engine.stop()
        self.engine.close()
        if "anim" in self._started:
            self.anim.stop()
        self._started.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    # --------------------------------------------------------------- people

    def wake(self):
        """Someone says "Hey Vector"."""
        self.anim.trigger_wake_word()

    def touch(self, duration_s: float = 1.0):
        self.anim.touch_back(duration_s)

    def press_button(self, duration_s: float = 0.5):
        self.anim.press_backpack_button(duration_s)

    def ask(self, question: str, after_wake_s: float = 0.3) -> bool:
        """"Hey Vector, <question>": the wake word, then, as wire-pod
        answers, the transcript as intent_system_unmatched on ai_sock."""
        self.wake()
        time.sleep(after_wake_s)
        return self.cloud.send_unmatched_question(question)

    # ----------------------------------------------------------- exactness

    def check_exactness(self, is_injected=None, cloud_may_be_withheld=None,
                        cloud_injected=None, settle_s: float = 0.25, engine_to_anim_rewrite=None):
        return wire_exactness.check_all(self.wire_log, is_injected, self.engine.is_linked(),
                                        cloud_may_be_withheld, cloud_injected, settle_s,
                                        engine_to_anim_rewrite)

    def assert_exact(self, **kwargs):
        reports = self.check_exactness(**kwargs)
        failed = [r for r in reports if not r.ok]
        if failed:
            raise AssertionError("\n".join(r.describe() for r in failed))
        return reports

    def status(self) -> str:
        anim, engine = self.anim, self.engine
        return ("anim: client=%s robot_available_sent=%d drops=%s playing=%s tts=%s faults=%s\n"
                "engine: %s robot_available=%s epoch=%d faults=%s intents=%d malformed=%d\n"
                "cloud: connected=%s write_errors=%d"
                % (anim.client, anim.robot_available_sent, dict(anim.drop_counts),
                   anim.playing_animation(), anim.held_tts_ids(), anim.faults,
                   engine.link_state, engine.robot_available, engine.epoch, engine.faults,
                   len(engine.intents()), len(engine.malformed),
                   self.cloud.connected, len(self.cloud.write_errors)))


# ---------------------------------------------------------------------- CLI

def _make_printer():
    start = time.monotonic()
    lock = threading.Lock()

    def emit(text: str):
        with lock:
            print("%8.3f %s" % (time.monotonic() - start, text), flush=True)
    return emit


def _handle_command(robot: VirtualVector, line: str, emit) -> bool:
    """One stdin line; False means quit."""
    verb, _, rest = line.strip().partition(" ")
    rest = rest.strip()
    if not verb:
        return True
    if verb == "quit":
        return False
    if verb == "wake":
        robot.wake()
    elif verb == "touch":
        robot.touch(float(rest) if rest else 1.0)
    elif verb == "button":
        robot.press_button()
    elif verb == "ask":
        if not rest:
            emit("usage: ask <question text>")
        else:
            threading.Thread(target=robot.ask, args=(rest,), daemon=True).start()
    elif verb == "say":
        emit("engine says %r as ttsID %s" % (rest, robot.engine.say(rest or "Hello.")))
    elif verb == "play":
        emit("engine plays %r with tag %s"
             % (rest, robot.engine.play_animation(rest or "anim_greeting_hello_01")))
    elif verb == "status":
        emit(robot.status())
    elif verb == "check":
        for report in robot.check_exactness():
            emit(report.describe())
    else:
        emit("commands: wake | touch [s] | button | ask <question> | say <text> | "
             "play <clip> | status | check | quit")
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Run the virtual Vector by hand.")
    parser.add_argument("--socket-dir", required=True,
                        help="directory for the sockets (never /dev/socket)")
    parser.add_argument("--duration", type=float, default=600.0,
                        help="seconds to run before stopping by itself (default 600)")
    parser.add_argument("--engine-delay", type=float, default=0.0,
                        help="seconds between anim binding and the engine starting: start "
                             "`vic-r1 run --socket-dir DIR` in this window (default 0)")
    parser.add_argument("--cloud-retry", type=float, default=5.0,
                        help="vic-cloud's retry interval while ai_sock is missing (default 5)")
    parser.add_argument("--no-engine", action="store_true", help="do not start vic-engine")
    parser.add_argument("--no-cloud", action="store_true", help="do not start vic-cloud")
    parser.add_argument("--idle-traffic", action="store_true",
                        help="make the engine send idle traffic (animations, speech, lights)")
    args = parser.parse_args(argv)

    emit = _make_printer()
    try:
        robot = VirtualVector(args.socket_dir, log=emit,
                              engine_options={"idle_traffic": args.idle_traffic,
                                              "idle_period_s": 0.5},
                              cloud_options={"retry_interval_s": args.cloud_retry})
    except ValueError as error:
        print("virtual_vector: %s" % error, file=sys.stderr)
        return 2
    deadline = time.monotonic() + args.duration
    selector = selectors.DefaultSelector()
    try:
        robot.start_anim()
        if args.engine_delay > 0:
            emit("engine starts in %.1f s (start the bridge now)" % args.engine_delay)
            time.sleep(min(args.engine_delay, args.duration))
        if not args.no_engine:
            robot.start_engine()
        if not args.no_cloud:
            robot.start_cloud()
        # Raw reads: a buffered readline() would hide lines from select().
        stdin_fd = sys.stdin.fileno()
        selector.register(stdin_fd, selectors.EVENT_READ)
        stdin_open, pending, running = True, b"", True
        while running and time.monotonic() < deadline:
            remaining = max(0.0, deadline - time.monotonic())
            if not stdin_open:
                time.sleep(min(0.2, remaining))
                continue
            if not selector.select(timeout=min(0.2, remaining)):
                continue
            chunk = os.read(stdin_fd, 4096)
            if not chunk:
                stdin_open = False       # EOF: keep running until --duration
                selector.unregister(stdin_fd)
                chunk = b"\n"
            pending += chunk
            while running and b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                running = _handle_command(robot, line.decode("utf-8", "replace"), emit)
    except KeyboardInterrupt:
        pass
    finally:
        selector.close()
        robot.stop()
        emit("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
