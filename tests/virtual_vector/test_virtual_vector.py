#!/usr/bin/env python3
"""The virtual Vector's own rules, checked with no bridge in between: the
engine fake talks straight to the anim fake, and vic-cloud straight to the
engine's ai_sock. Run: python3 tests/virtual_vector/test_virtual_vector.py"""

import os
import socket
import stat
import struct
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import clad_layouts as clad                      # noqa: E402
import engine_intent_reactions as reactions      # noqa: E402
import wire_exactness                            # noqa: E402
from fake_vic_anim import FakeVicAnim, processed_tts_text   # noqa: E402
from fake_vic_cloud import FakeVicCloud          # noqa: E402
from fake_vic_engine import FakeVicEngine        # noqa: E402
from go_json import go_json_encode_string_map    # noqa: E402
from touch_sensor import EngineTouchSensor       # noqa: E402
from virtual_vector import VirtualVector         # noqa: E402
from waiting import wait_until                   # noqa: E402
from wire_log import LINK_ANIM, WireLog          # noqa: E402

SHORT_CLIPS = {"anim_short_01": 200, "anim_long_01": 5000, "anim_loop_01": 100}
# The socket-rule tests count every message the engine sends: its wake-word
# response at start-up is left out there and tested on its own.
FAST_ENGINE = {"connect_retry_s": 0.05, "push_trigger_word_response": False}
FAST_CLOUD = {"retry_interval_s": 0.05}
WAIT_S = 3.0


class GoldenLayouts(unittest.TestCase):
    """Byte layouts worked out by hand from the .clad text."""

    def test_play_anim_is_tag_loops_start_tag_eyehue_then_u8_string(self):
        name = b"anim_greeting_hello_01"
        expected = (bytes([0x50]) + bytes.fromhex("01000000") + bytes.fromhex("00000000")
                    + bytes([200, 1, len(name)]) + name)
        self.assertEqual(clad.encode_play_anim("anim_greeting_hello_01", 200), expected)
        self.assertEqual(clad.expected_engine_to_anim_size(expected), 12 + len(name))
        self.assertEqual(clad.decode_play_anim(expected),
                         clad.PlayAnim(1, 0, 200, True, "anim_greeting_hello_01"))

    def test_text_to_speech_prepare_is_1039_bytes_with_nul_padded_text(self):
        datagram = clad.encode_text_to_speech_prepare("Hi.", 7, clad.TTS_TRIGGER_MANUAL)
        self.assertEqual(len(datagram), 1039)
        self.assertEqual(datagram[:15], bytes([0x92]) + struct.pack("<I", 1906807385)
                         + struct.pack("<f", 1.0) + struct.pack("<f", 0.0) + bytes([2, 7]))
        self.assertEqual(datagram[15:19], b"Hi.\0")
        self.assertEqual(datagram[19:], bytes(1039 - 19))

    def test_robot_state_is_219_bytes_with_status_at_181_and_touch_at_213(self):
        datagram = clad.encode_robot_state(1234, clad.STATUS_IS_BUTTON_PRESSED, 0x0ABC)
        self.assertEqual(len(datagram), 219)
        self.assertEqual(datagram[181:185], struct.pack("<I", 0x10))
        self.assertEqual(datagram[213:215], struct.pack("<H", 0x0ABC))
        self.assertEqual(datagram[218], 0xFF)   # currPathSegment -1, the last byte
        self.assertEqual(clad.decode_robot_state(datagram),
                         clad.RobotStateSummary(1234, 0x10, 0x0ABC))

    def test_fixed_sizes_of_the_other_messages(self):
        self.assertEqual(len(clad.encode_trigger_word_detected()), 10)
        self.assertEqual(clad.encode_text_to_speech_event(9, clad.TTS_STATE_PLAYABLE, 1.5),
                         bytes([0xDB]) + struct.pack("<f", 1.5) + bytes([9, 2]))
        self.assertEqual(len(clad.encode_set_backpack_lights()), 62)
        self.assertEqual(clad.encode_enable_keep_face_alive(True, 300),
                         bytes([0x5D, 0x2C, 0x01, 0, 0, 1]))
        self.assertEqual(len(clad.encode_post_audio_event(1)), 17)
        self.assertEqual(clad.encode_robot_available(), b"\xd4")
        self.assertEqual(clad.encode_animation_ended(6, "ab", True, 99),
                         bytes([0xD7, 99, 0, 0, 0, 6, 1, 2]) + b"ab")
        self.assertEqual(clad.encode_animation_started(6, "ab"), bytes([0xD6, 6, 2]) + b"ab")
        self.assertEqual(clad.encode_draw_text_on_screen("x", (1, 2, 3), (4, 5, 6)),
                         bytes([0x55, 0, 1, 2, 3, 4, 5, 6, 1]) + b"x")
        self.assertEqual(clad.encode_exit_cc_screen(), b"\x82")

    def test_cloud_intent_result_is_tag_9_u8_intent_u16_params_u16_metadata(self):
        datagram = clad.encode_cloud_intent_result("i", "{}\n", "m")
        self.assertEqual(datagram, bytes([9, 1]) + b"i" + bytes([3, 0]) + b"{}\n"
                         + bytes([1, 0]) + b"m")
        self.assertEqual(clad.decode_cloud_mic(datagram), clad.CloudIntentResult("i", "{}\n", "m"))

    def test_go_json_sorts_keys_escapes_html_and_ends_with_newline(self):
        text = go_json_encode_string_map({"b": "<a & b>", "a": "x\"y\\\n\u2028\x08\x7f"})
        self.assertEqual(text, '{"a":"x\\"y\\\\\\n\\u2028\\u0008\x7f",'
                               '"b":"\\u003ca \\u0026 b\\u003e"}\n')

    def test_processed_tts_text_matches_the_firmware_rewrite(self):
        self.assertEqual(processed_tts_text("  Hello there.  "), "Hello there \\pau=10\\.")
        self.assertEqual(processed_tts_text("Why?"), "Why \\pau=10\\?")
        self.assertEqual(processed_tts_text("ok"), "ok \\pau=10\\.")


class RobotTestCase(unittest.TestCase):
    """A fresh socket directory per test; everything stopped afterwards."""

    def setUp(self):
        self._dir = tempfile.TemporaryDirectory(prefix="vv")
        self.socket_dir = self._dir.name
        self.robot = None
        self.extra_sockets = []

    def tearDown(self):
        for sock in self.extra_sockets:
            sock.close()
        if self.robot is not None:
            self.robot.stop()
        self._dir.cleanup()

    def start_robot(self, anim_options=None, engine_options=None, with_cloud=False,
                    firmware="1.8"):
        options = {"clip_durations_ms": SHORT_CLIPS}
        options.update(anim_options or {})
        engine = dict(FAST_ENGINE)
        engine.update(engine_options or {})
        self.robot = VirtualVector(self.socket_dir, anim_options=options,
                                   engine_options=engine, cloud_options=FAST_CLOUD,
                                   firmware=firmware)
        self.robot.start_anim()
        self.robot.start_engine()
        if with_cloud:
            self.robot.start_cloud()
        self.assertTrue(self.robot.wait_until_up(WAIT_S), "the engine never got RobotAvailable")
        return self.robot

    def third_socket(self, name="third"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(os.path.join(self.socket_dir, name))
        sock.settimeout(1.0)
        self.extra_sockets.append(sock)
        return sock

    def wait(self, predicate, message, timeout_s=WAIT_S):
        self.assertTrue(wait_until(predicate, timeout_s), message)


class SocketRules(RobotTestCase):

    def test_engine_sends_nothing_and_drops_everything_until_robot_available(self):
        # A silent stand-in for anim: connect() succeeds, nothing answers.
        server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        server.bind(os.path.join(self.socket_dir, clad.ENGINE_ANIM_SERVER_NAME))
        server.settimeout(1.0)
        self.extra_sockets.append(server)
        engine = FakeVicEngine(self.socket_dir, bind_ai_sock=False, push_trigger_word_response=False)
        engine.start()
        try:
            data, address = server.recvfrom(4096)
            self.assertEqual(data, b"ANKICONN")
            self.assertIsNone(engine.play_animation("anim_short_01"))
            self.assertEqual(engine.refused_before_robot_available, 1)
            server.sendto(clad.encode_robot_state(1, 0, 600), address)
            self.wait(lambda: engine.dropped_before_robot_available == 1, "RobotState not dropped")
            server.sendto(clad.encode_robot_available(), address)
            self.wait(lambda: engine.robot_available, "RobotAvailable not taken")
            tag = engine.play_animation("anim_short_01")
            self.assertEqual(tag, 7, "tags 1-5 are reserved and 6 went to the refused PlayAnim")
            self.assertEqual(server.recv(4096), clad.encode_play_anim("anim_short_01", 7))
        finally:
            engine.close()

    def test_direct_start_delivers_robot_available_once_and_the_engine_drops_earlier_state(self):
        robot = self.start_robot()
        self.assertEqual(robot.anim.robot_available_sent, 1)
        received = robot.wire_log.stream("engine", "received", LINK_ANIM)
        first_available = [r.data for r in received].index(clad.encode_robot_available())
        self.assertEqual(robot.engine.dropped_before_robot_available, first_available)
        engine_sent = [r.data for r in robot.wire_log.stream("engine", "sent", LINK_ANIM)]
        self.assertEqual(engine_sent[0], b"ANKICONN")

    def test_a_third_process_gets_eperm_once_the_engine_is_connected(self):
        self.start_robot()
        intruder = self.third_socket()
        server_path = os.path.join(self.socket_dir, clad.ENGINE_ANIM_SERVER_NAME)
        with self.assertRaises(PermissionError):
            intruder.sendto(clad.encode_abort_animation(0), server_path)
        with self.assertRaises(PermissionError):
            intruder.connect(server_path)

    def test_ankiconn_is_dropped_at_any_time(self):
        robot = self.start_robot()
        robot.engine.send_raw(clad.CONNECTION_PACKET)
        tag = robot.engine.play_animation("anim_short_01")
        self.wait(lambda: robot.engine.animation_events_for(tag), "PlayAnim after ANKICONN lost")
        packets = robot.anim.received("connection_packet")
        self.assertEqual(len(packets), 2)
        self.assertNotIn("ANKICONN", robot.anim.handled_counts)

    def test_a_datagram_of_the_wrong_size_is_dropped_and_counted(self):
        robot = self.start_robot()
        too_long = clad.encode_play_anim("anim_short_01", 99) + b"\0"
        robot.engine.send_raw(too_long)
        robot.engine.send_raw(clad.encode_text_to_speech_prepare("Hi.", 42)[:-1])
        robot.engine.send_raw(bytes([0x93, 1]))   # no such member of EngineToRobot
        self.wait(lambda: sum(robot.anim.drop_counts.values()) == 3, "drops not counted")
        self.assertEqual(robot.anim.drop_counts["wrong_size"], 2)
        self.assertEqual(robot.anim.drop_counts["invalid_tag"], 1)
        time.sleep(0.15)
        self.assertEqual(robot.engine.animation_events_for(99), [])
        self.assertEqual(robot.engine.tts_states(42), [])

    def test_anim_disconnects_after_a_failed_send_and_the_next_sender_takes_over(self):
        robot = self.start_robot(anim_options={"no_engine_comms_delay_s": 0.2})
        robot.engine.stop()                   # its socket closes; anim's next send fails
        self.wait(lambda: robot.anim.disconnects, "anim never noticed the engine was gone")
        self.assertEqual(robot.anim.disconnects[0][1], "ECONNREFUSED")
        self.assertIsNone(robot.anim.client)
        self.wait(lambda: robot.anim.faults, "no NO_ENGINE_COMMS fault")
        self.assertEqual(robot.anim.faults[0][1:], ("NO_ENGINE_COMMS", 915))
        newcomer = self.third_socket("newcomer")
        newcomer.sendto(clad.CONNECTION_PACKET,
                        os.path.join(self.socket_dir, clad.ENGINE_ANIM_SERVER_NAME))
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            data = newcomer.recv(4096)
            if data == clad.encode_robot_available():
                break
        else:
            self.fail("the newcomer never got RobotAvailable")
        self.assertEqual(robot.anim.client, os.path.join(self.socket_dir, "newcomer"))
        self.assertEqual(robot.anim.robot_available_sent, 2)

    def test_an_unbound_sender_on_ai_sock_aborts_the_engine(self):
        robot = self.start_robot(with_cloud=True)
        self.assertTrue(robot.cloud.wait_connected(WAIT_S))
        unbound = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.extra_sockets.append(unbound)
        unbound.sendto(clad.encode_cloud_intent_result("intent_greeting_hello", "", ""),
                       os.path.join(self.socket_dir, clad.AI_SOCK_NAME))
        self.wait(lambda: robot.engine.crashes, "vic-engine survived a datagram from an unbound "
                                                "sender on ai_sock")
        self.assertEqual(robot.engine.link_state, "crashed")
        self.assertEqual(robot.engine.intents(), [])
        # The whole process is gone: vic-cloud's next intent finds no one.
        self.wait(lambda: not robot.cloud.send_unmatched_question("anyone?"),
                  "ai_sock still takes intents after vic-engine aborted")
        self.assertEqual(robot.cloud.write_errors[-1][1], "ECONNREFUSED")
        self.wait(lambda: robot.anim.disconnects, "vic-anim never noticed its engine was gone")

    def test_a_bound_sender_on_ai_sock_is_heard_every_time(self):
        robot = self.start_robot()
        named = self.third_socket("named")
        for _ in range(3):
            named.sendto(clad.encode_cloud_intent_result("intent_greeting_hello", "", ""),
                         os.path.join(self.socket_dir, clad.AI_SOCK_NAME))
        self.wait(lambda: len(robot.engine.intents()) == 3, "a named sender was not heard")
        self.assertEqual(robot.engine.crashes, [])

    def test_an_unbound_first_sender_aborts_anim(self):
        anim = FakeVicAnim(self.socket_dir, clip_durations_ms=SHORT_CLIPS)
        anim.start()
        try:
            path = os.path.join(self.socket_dir, clad.ENGINE_ANIM_SERVER_NAME)
            unbound = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self.extra_sockets.append(unbound)
            unbound.sendto(clad.CONNECTION_PACKET, path)
            self.wait(lambda: anim.crashes, "vic-anim survived an unbound first sender")
            named = self.third_socket("named")
            with self.assertRaises(ConnectionRefusedError):
                named.sendto(clad.CONNECTION_PACKET, path)
        finally:
            anim.stop()

    def test_engine_exits_when_its_send_to_anim_fails(self):
        robot = self.start_robot(with_cloud=True)
        self.assertTrue(robot.cloud.wait_connected(WAIT_S))
        robot.anim.stop()                     # anim's socket closes under the engine
        self.assertIsNone(robot.engine.play_animation("anim_short_01"))
        self.assertEqual(robot.engine.faults[0][1], 915)
        self.assertEqual(robot.engine.link_state, "failed")
        # The process is gone, ai_sock with it (its last select() lets go of the
        # socket within 10 ms), and vic-cloud does not reconnect.
        self.wait(lambda: not robot.cloud.send_unmatched_question("anyone?"),
                  "ai_sock still takes intents after vic-engine exited")
        self.assertEqual(robot.cloud.write_errors[-1][1], "ECONNREFUSED")
        time.sleep(0.3)
        self.assertFalse(robot.cloud.send_unmatched_question("anyone now?"))
        self.assertEqual(len(robot.cloud.connect_failures), 0)

    def test_fake_wake_word_opens_a_normal_stream_only_when_the_engine_lets_it(self):
        muted_file = os.path.join(self.socket_dir, "micMuted")
        robot = self.start_robot(anim_options={"mic_muted_file": muted_file},
                                 engine_options={"push_trigger_word_response": True})
        self.wait(lambda: robot.anim.handled_counts["SetTriggerWordResponse"] == 1,
                  "the engine never pushed its wake-word response")
        heard = len(robot.engine.trigger_words)
        robot.anim.set_mic_muted(True)
        self.assertTrue(os.path.exists(muted_file))
        robot.engine.send_message(clad.encode_fake_wake_word())
        self.wait(lambda: len(robot.engine.trigger_words) > heard, "no TriggerWordDetected")
        word = robot.engine.trigger_words[-1][1]
        self.assertTrue(word.is_button_press and word.from_mute and word.will_open_stream)
        self.assertEqual(robot.anim.unmuted_by_fake_wake_word, 1, "the firmware unmutes on it")
        self.assertFalse(os.path.exists(muted_file))
        self.assertEqual([kind for _, kind in robot.anim.streams_opened], ["normal"])
        robot.engine.send_message(clad.encode_fake_wake_word())  # a stream is open: ignored
        time.sleep(0.2)
        self.assertEqual(len(robot.anim.streams_opened), 1)

    def test_engine_restart_rebinds_ai_sock_and_reconnects_with_a_new_robot_available(self):
        robot = self.start_robot()
        ai_sock = os.path.join(self.socket_dir, clad.AI_SOCK_NAME)
        # As a bridge would: the engine's socket moved aside, something else in its place.
        os.rename(ai_sock, ai_sock + ".vic-engine")
        with open(ai_sock, "w") as placeholder:
            placeholder.write("not the engine's")
        self.assertTrue(robot.engine.restart())
        self.wait(lambda: robot.engine.robot_available, "no RobotAvailable after restart")
        self.assertTrue(stat.S_ISSOCK(os.stat(ai_sock).st_mode), "ai_sock not re-bound")
        self.third_socket().sendto(clad.encode_cloud_intent_result("intent_greeting_hello", "", ""),
                                   ai_sock)
        self.wait(lambda: robot.engine.intents(), "the new ai_sock does not receive")
        self.assertEqual(robot.engine.epoch, 1)
        self.assertEqual(robot.anim.robot_available_sent, 2)
        tag = robot.engine.play_animation("anim_short_01")
        self.assertEqual(tag, 6, "a restarted engine counts tags from the start again")
        self.wait(lambda: len(robot.engine.animation_events_for(tag)) == 2, "no Started/Ended")
        robot.assert_exact(cloud_injected=lambda datagram: b"intent_greeting_hello" in datagram)

    def test_anim_restart_rebinds_the_path_and_serves_the_next_sender_afresh(self):
        anim = FakeVicAnim(self.socket_dir, clip_durations_ms=SHORT_CLIPS)
        anim.start()
        try:
            path = os.path.join(self.socket_dir, clad.ENGINE_ANIM_SERVER_NAME)
            first = self.third_socket("first")
            first.connect(path)
            first.send(clad.CONNECTION_PACKET)
            self.assertIn(clad.encode_robot_available(), [first.recv(4096) for _ in range(20)])
            # As a bridge would: its own link in place of the server's path.
            os.rename(path, path + ".aside")
            os.link(os.path.join(self.socket_dir, "first"), path)
            anim.restart()
            self.assertEqual(anim.epoch, 1)
            self.assertNotEqual(os.stat(path).st_ino,
                                os.stat(os.path.join(self.socket_dir, "first")).st_ino)
            self.assertIsNone(anim.client)
            second = self.third_socket("second")
            second.connect(path)
            second.send(clad.CONNECTION_PACKET)
            self.assertIn(clad.encode_robot_available(), [second.recv(4096) for _ in range(20)])
            self.assertEqual(anim.robot_available_sent, 2)
            markers = anim.wire_log.stream("anim", "restarted", LINK_ANIM)
            self.assertEqual([m.epoch for m in markers], [1])
            self.assertEqual({r.epoch for r in anim.wire_log.stream("anim", "sent", LINK_ANIM)},
                             {0, 1})
        finally:
            anim.stop()

    def test_anim_keeps_serving_after_its_socket_file_is_renamed(self):
        robot = FakeVicAnim(self.socket_dir, clip_durations_ms=SHORT_CLIPS)
        robot.start()
        try:
            path = os.path.join(self.socket_dir, clad.ENGINE_ANIM_SERVER_NAME)
            os.rename(path, path + ".vic-anim")
            client = self.third_socket("bridge")
            client.connect(path + ".vic-anim")
            client.send(clad.CONNECTION_PACKET)
            self.assertIn(clad.encode_robot_available(), [client.recv(4096) for _ in range(20)])
        finally:
            robot.stop()


class Animations(RobotTestCase):

    def events(self, tag):
        return self.robot.engine.animation_events_for(tag)

    def test_play_anim_starts_on_the_next_tick_and_ends_after_the_clip(self):
        robot = self.start_robot()
        sent_at = time.monotonic()
        tag = robot.engine.play_animation("anim_short_01")
        self.wait(lambda: len(self.events(tag)) == 2, "no Started and Ended")
        (kind_started, started), (kind_ended, ended) = self.events(tag)
        self.assertEqual((kind_started, started), ("started",
                                                   clad.AnimationStarted(tag, "anim_short_01")))
        self.assertEqual(kind_ended, "ended")
        self.assertFalse(ended.was_aborted)
        self.assertGreaterEqual(ended.stream_time_anim_ended, 200)
        started_at = robot.engine.animation_events[-2][0]
        self.assertLess(started_at - sent_at, 0.5)   # the next 33 ms tick, with room for load

    def test_an_unknown_clip_aborts_the_current_one_and_answers_nothing(self):
        robot = self.start_robot()
        long_tag = robot.engine.play_animation("anim_long_01")
        self.wait(lambda: self.events(long_tag), "long clip never started")
        unknown_tag = robot.engine.play_animation("anim_no_such_clip")
        self.wait(lambda: len(self.events(long_tag)) == 2, "current clip not aborted")
        self.assertTrue(self.events(long_tag)[1][1].was_aborted)
        time.sleep(0.2)
        self.assertEqual(self.events(unknown_tag), [])
        self.assertIsNone(robot.anim.playing_animation())

    def test_abort_by_tag_or_zero_ends_with_was_aborted_and_before_start_says_nothing(self):
        robot = self.start_robot()
        tag = robot.engine.play_animation("anim_long_01")
        self.wait(lambda: self.events(tag), "never started")
        robot.engine.abort_animation(tag)
        self.wait(lambda: len(self.events(tag)) == 2, "abort by tag ignored")
        self.assertTrue(self.events(tag)[1][1].was_aborted)

        tag = robot.engine.play_animation("anim_long_01")
        self.wait(lambda: self.events(tag), "never started")
        robot.engine.abort_animation(0)
        self.wait(lambda: len(self.events(tag)) == 2, "abort(0) ignored")

        with robot.anim.holding_the_tick():     # both land in the same tick
            tag = robot.engine.play_animation("anim_long_01")
            robot.engine.abort_animation(tag)
        time.sleep(0.2)
        self.assertEqual(self.events(tag), [])

    def test_zero_loops_loops_forever(self):
        robot = self.start_robot()
        tag = robot.engine.play_animation("anim_loop_01", num_loops=0)
        time.sleep(0.6)
        self.assertEqual([kind for kind, _ in self.events(tag)], ["started"])

        # Between two loops an abort is silent (as in the firmware): abort
        # mid-loop, with the tick held so the state cannot change first.
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            with robot.anim.holding_the_tick():
                animation = robot.anim.animation_snapshot()
                if animation is not None and animation["start_sent"]:
                    robot.engine.abort_animation(tag)
                    break
            time.sleep(0.005)
        self.wait(lambda: len(self.events(tag)) == 2, "looping clip not aborted")
        self.assertTrue(self.events(tag)[1][1].was_aborted)

    def test_an_abort_between_two_loops_is_silent(self):
        robot = self.start_robot()
        tag = robot.engine.play_animation("anim_loop_01", num_loops=0)
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            with robot.anim.holding_the_tick():
                animation = robot.anim.animation_snapshot()
                if animation is not None and animation["loop"] > 0 \
                        and not animation["start_sent"]:
                    robot.engine.abort_animation(tag)
                    break
            time.sleep(0.002)
        self.wait(lambda: robot.anim.playing_animation() is None, "abort ignored")
        time.sleep(0.1)
        self.assertEqual([kind for kind, _ in self.events(tag)], ["started"])

    def test_tags_wrap_through_zero_and_tts_ids_skip_zero(self):
        robot = self.start_robot()
        robot.engine.preset_counters(last_animation_tag=254, last_tts_id=254)
        tags = [robot.engine.play_animation("anim_short_01") for _ in range(3)]
        self.assertEqual(tags, [255, 0, 1])
        ids = [robot.engine.say("One.", auto_play=False) for _ in range(3)]
        self.assertEqual(ids, [255, 1, 2])


class Face(RobotTestCase):

    def test_draw_text_without_draw_now_leaves_the_face_animated(self):
        robot = self.start_robot()
        robot.engine.send_message(clad.encode_draw_text_on_screen("thinking", draw_now=False))
        self.wait(lambda: robot.anim.screen_texts == ["thinking"], "text not taken")
        self.assertEqual(robot.anim.face_screen(), "animated")

    def test_draw_now_blanks_the_face_until_exit_cc_screen(self):
        robot = self.start_robot()
        robot.engine.send_message(clad.encode_draw_text_on_screen("thinking", draw_now=True))
        self.wait(lambda: robot.anim.face_screen() == "custom_text", "face not switched")
        time.sleep(0.2)
        self.assertEqual(robot.anim.face_screen(), "custom_text", "it went back by itself")
        robot.engine.send_message(clad.encode_exit_cc_screen())
        self.wait(lambda: robot.anim.face_screen() == "animated", "ExitCCScreen did not go back")


class TouchSensing(unittest.TestCase):
    """The engine's touch sensing (touch_sensor.py), on the streams
    vic-r1's BackTouchDetector is tested with: the two must agree."""

    def touches(self, samples, on_charger=False):
        sensor = EngineTouchSensor()
        began = [i for i, raw in enumerate(samples)
                 if sensor.feed(raw, on_charger and i >= 60) and sensor.pressed]
        return sensor, began

    def test_calibration_takes_32_samples_and_reports_nothing_before(self):
        sensor = EngineTouchSensor()
        for _ in range(31):
            sensor.feed(600)
        self.assertFalse(sensor.calibrated)
        sensor.feed(600)
        self.assertTrue(sensor.calibrated)
        self.assertEqual(self.touches([600] * 10 + [900] * 10 + [600] * 30)[1], [])

    def test_rises_of_80_and_200_are_confirmed_on_their_10th_and_7th_sample(self):
        self.assertEqual(self.touches([600] * 60 + [680] * 100)[1], [69])
        self.assertEqual(self.touches([600] * 60 + [800] * 100)[1], [66])

    def test_spikes_light_touches_and_the_charger_shift_are_no_touch(self):
        self.assertEqual(self.touches([600] * 60 + [800] * 3 + [600] * 50)[1], [])
        self.assertEqual(self.touches([600] * 60 + [655] * 400)[1], [])
        self.assertEqual(self.touches([600] * 60 + [665] * 200)[1], [])
        sensor, began = self.touches([600] * 60 + [680] * 300, on_charger=True)
        self.assertEqual(began, [])
        self.assertAlmostEqual(sensor.baseline, 680.0, delta=0.5)


class TextToSpeech(RobotTestCase):

    def states(self, tts_id):
        return [clad.TTS_STATE_NAMES[s] for s in self.robot.engine.tts_states(tts_id)]

    def test_manual_utterance_goes_playable_prepared_playing_finished(self):
        robot = self.start_robot(anim_options={"tts_ms_per_character": 10})
        text = "Hello there."
        tts_id = robot.engine.say(text)
        self.wait(lambda: "Finished" in self.states(tts_id), "never finished")
        self.assertEqual(self.states(tts_id), ["Playable", "Prepared", "Playing", "Finished"])
        events = [e for _, e in robot.engine.tts_events if e.tts_id == tts_id]
        self.assertEqual(events[0].expected_duration_ms, len(processed_tts_text(text)) * 250.0)
        self.assertAlmostEqual(events[1].expected_duration_ms, 10 * len(text), places=3)

    def test_prepare_reusing_a_held_tts_id_is_invalid_and_the_old_one_stays(self):
        robot = self.start_robot(anim_options={"tts_ms_per_character": 5})
        tts_id = robot.engine.say("First.", auto_play=False)
        self.wait(lambda: "Prepared" in self.states(tts_id), "never prepared")
        robot.engine.send_message(clad.encode_text_to_speech_prepare("Second.", tts_id))
        self.wait(lambda: self.states(tts_id)[-1:] == ["Invalid"], "reuse not refused")
        self.assertEqual(robot.anim.held_tts_ids(), [tts_id])
        robot.engine.play_utterance(tts_id)
        self.wait(lambda: self.states(tts_id)[-1:] == ["Finished"], "old utterance lost")
        self.assertEqual(self.states(tts_id), ["Playable", "Prepared", "Invalid", "Playing",
                                               "Finished"])

    def test_cancel_answers_invalid_and_forgets_the_utterance(self):
        robot = self.start_robot()
        tts_id = robot.engine.say("Never mind.", auto_play=False)
        self.wait(lambda: "Prepared" in self.states(tts_id), "never prepared")
        robot.engine.cancel_utterance(tts_id)
        self.wait(lambda: self.states(tts_id)[-1:] == ["Invalid"], "cancel not answered")
        self.assertEqual(robot.anim.held_tts_ids(), [])

    def test_cancel_while_playing_answers_invalid_then_finished_on_a_later_tick(self):
        robot = self.start_robot(anim_options={"tts_ms_per_character": 100})
        tts_id = robot.engine.say("A long sentence that plays for a while.")
        self.wait(lambda: "Playing" in self.states(tts_id), "never played")
        robot.engine.cancel_utterance(tts_id)
        self.wait(lambda: self.states(tts_id)[-1:] == ["Finished"], "no late Finished")
        self.assertEqual(self.states(tts_id), ["Playable", "Prepared", "Playing", "Invalid",
                                               "Finished"])
        invalid, finished = [t for t, e in robot.engine.tts_events if e.tts_id == tts_id][-2:]
        self.assertGreater(finished - invalid, 0.02, "Finished came in the same tick")

    def test_a_late_finished_ends_the_next_utterance_of_the_same_id(self):
        robot = self.start_robot(anim_options={"tts_ms_per_character": 100,
                                               "tts_cancel_finished_after_ms": 300})
        tts_id = robot.engine.say("A long sentence that plays for a while.")
        self.wait(lambda: "Playing" in self.states(tts_id), "never played")
        robot.engine.cancel_utterance(tts_id)
        self.wait(lambda: self.states(tts_id)[-1:] == ["Invalid"], "cancel not answered")
        robot.engine.send_message(clad.encode_text_to_speech_prepare("Next one.", tts_id))
        self.wait(lambda: self.states(tts_id)[-1:] == ["Finished"], "no late Finished")
        self.assertEqual(robot.anim.late_finished_casualties, ["Next one."])
        self.assertEqual(robot.anim.held_tts_ids(), [])

    def test_play_before_playable_is_invalid_and_discards_the_utterance(self):
        robot = self.start_robot(anim_options={"tts_playable_after_ms": 300})
        tts_id = robot.engine.say("Too soon.", auto_play=False)
        robot.engine.play_utterance(tts_id)
        self.wait(lambda: self.states(tts_id), "play not answered")
        time.sleep(0.5)
        self.assertEqual(self.states(tts_id), ["Invalid"])

    def test_immediate_utterance_plays_without_a_play_message(self):
        robot = self.start_robot(anim_options={"tts_ms_per_character": 30})
        tts_id = robot.engine.say("Right away please.", trigger_mode=clad.TTS_TRIGGER_IMMEDIATE)
        self.wait(lambda: "Finished" in self.states(tts_id), "never finished")
        self.assertEqual(self.states(tts_id), ["Playable", "Playing", "Prepared", "Finished"])


class CloudIntents(RobotTestCase):

    def test_vic_cloud_retries_until_ai_sock_exists_then_the_engine_decodes_its_intent(self):
        cloud = FakeVicCloud(self.socket_dir, retry_interval_s=0.05)
        cloud.start()
        try:
            self.wait(lambda: len(cloud.connect_failures) >= 2, "no retries while ai_sock missing")
            self.assertEqual(cloud.connect_failures[0][1:], ("connect", "ENOENT"))
            robot = self.start_robot()
            self.assertTrue(cloud.wait_connected(WAIT_S))
            cloud.send_raw(b"\0")
            self.assertTrue(cloud.send_unmatched_question("why is the sky blue"))
            self.assertTrue(cloud.send_knowledge_answer("Rayleigh <scattering>.", "why blue",
                                                        "answer", ["physics"]))
            self.wait(lambda: len(robot.engine.intents()) == 2, "intents not received")
            unmatched, knowledge = robot.engine.intents()
            self.assertEqual(unmatched, clad.CloudIntentResult(
                "intent_system_unmatched", "",
                "text: why is the sky blue  confidence: 0.000000  handler: "))
            self.assertEqual(knowledge.parameters,
                             '{"answer":"Rayleigh \\u003cscattering\\u003e.","answer_type":'
                             '"answer","domains.0":"physics","query_text":"why blue"}\n')
            self.assertEqual(knowledge.metadata, "")
            self.assertEqual(len(robot.engine.cloud_messages), 2, "the 1-byte NUL was not ignored")
        finally:
            cloud.stop()

    def test_ai_sock_accepts_any_sender_and_never_connects_back(self):
        robot = self.start_robot(with_cloud=True)
        stranger = self.third_socket("stranger")
        stranger.sendto(clad.encode_cloud_intent_result("intent_greeting_hello", "", ""),
                        os.path.join(self.socket_dir, clad.AI_SOCK_NAME))
        self.wait(lambda: robot.engine.intents(), "stranger's intent not received")
        self.assertTrue(robot.cloud.send_unmatched_question("still there?"))
        self.wait(lambda: len(robot.engine.intents()) == 2, "cloud blocked after a stranger")


class FirmwareFamilies(RobotTestCase):
    """The 1.6 rebuilds: a 7-byte AnimationState, TextToSpeechPrepare without
    pitchScalar (1035 bytes); "1.6-pitch" with it."""

    def test_1_6_sends_a_7_byte_animation_state_and_speaks_1035_byte_prepares(self):
        robot = self.start_robot(firmware="1.6")
        self.wait(lambda: robot.engine.latest_animation_state is not None, "no AnimationState")
        states = robot.anim.sent(clad.TAG_ANIMATION_STATE)
        self.assertEqual({len(d) for d in states}, {7})
        tts_id = robot.engine.say("Hello.")
        self.wait(lambda: clad.TTS_STATE_FINISHED in robot.engine.tts_states(tts_id),
                  "a 1035-byte Prepare was not spoken")
        self.assertEqual({len(r.data) for r in robot.anim.received()
                          if clad.is_text_to_speech_prepare(r.data)}, {1035})
        self.assertEqual(robot.engine.malformed, [])

    def test_a_prepare_of_the_other_layout_is_dropped_without_an_answer(self):
        robot = self.start_robot(firmware="1.6")
        robot.engine.send_message(clad.encode_text_to_speech_prepare("Hi.", 9))   # 1039 bytes
        self.wait(lambda: robot.anim.drop_counts["wrong_size"] == 1, "not dropped")
        time.sleep(0.2)
        self.assertEqual(robot.engine.tts_states(9), [])

    def test_1_6_pitch_takes_1039_byte_prepares_and_1_6_has_no_exit_cc_screen(self):
        anim = FakeVicAnim(self.socket_dir, firmware="1.6-pitch")
        self.assertEqual(anim.firmware.tts_prepare_size, 1039)
        self.assertEqual(anim.firmware.animation_state_size, 7)
        self.assertEqual(anim._classify(clad.encode_exit_cc_screen(), 0), "invalid_tag")
        self.assertEqual(FakeVicAnim(self.socket_dir)._classify(clad.encode_exit_cc_screen(), 0),
                         "processed")


class EngineReactions(RobotTestCase):
    """What vic-engine does with each intent (engine_intent_reactions.py)."""

    def ask_with(self, send):
        robot = self.start_robot(with_cloud=True)
        self.assertTrue(robot.cloud.wait_connected(WAIT_S))
        robot.wake()
        self.wait(lambda: robot.engine.trigger_words, "the wake word never reached the engine")
        send(robot.cloud)
        self.wait(lambda: robot.engine.intent_reactions(), "the engine did not react")
        return robot

    def spoken_by_engine(self, robot):
        return [clad.decode_text_to_speech_prepare(r.data).text
                for r in robot.wire_log.stream("engine", "sent", LINK_ANIM)
                if r.data[0] == clad.TAG_TEXT_TO_SPEECH_PREPARE]

    def test_noaudio_and_unmatched_after_the_wake_word_end_quietly(self):
        robot = self.ask_with(lambda cloud: cloud.send_intent("intent_system_noaudio"))
        robot.wake()
        self.wait(lambda: len(robot.engine.trigger_words) == 2, "second wake word lost")
        robot.cloud.send_unmatched_question("why is the sky blue")
        self.wait(lambda: len(robot.engine.intent_reactions()) == 2, "no second reaction")
        self.assertEqual([r.outcome for r in robot.engine.intent_reactions()],
                         [reactions.QUIET_GET_OUT, reactions.QUIET_GET_OUT])
        self.assertEqual(self.spoken_by_engine(robot), [])

    def test_the_engine_speaks_an_intent_graph_knowledge_answer_itself(self):
        robot = self.ask_with(lambda cloud: cloud.send_knowledge_answer(
            "The moon is far.", "how far is the moon", bypass=True))
        reaction = robot.engine.intent_reactions()[0]
        self.assertEqual((reaction.user_intent, reaction.outcome),
                         ("knowledge_response_bypass", reactions.SPEAKS_ANSWER))
        self.wait(lambda: self.spoken_by_engine(robot) == ["The moon is far."],
                  "the engine did not speak the answer")

    def test_a_knowledge_session_fails_loudly_and_noaudio_there_is_also_unclaimed(self):
        robot = self.ask_with(lambda cloud: cloud.send_intent("intent_knowledge_promptquestion"))
        robot.cloud.send_intent("intent_knowledge_no_response")
        robot.cloud.send_intent("intent_knowledge_promptquestion")
        robot.cloud.send_intent("intent_system_noaudio")
        self.wait(lambda: len(robot.engine.intent_reactions()) == 4, "reactions missing")
        self.assertEqual([r.outcome for r in robot.engine.intent_reactions()],
                         [reactions.KNOWLEDGE_SESSION, reactions.KNOWLEDGE_FAIL,
                          reactions.KNOWLEDGE_SESSION, reactions.KNOWLEDGE_FAIL_THEN_CANT_DO_THAT])

    def test_a_knowledge_session_has_vic_anim_open_a_knowledge_graph_stream(self):
        robot = self.start_robot(with_cloud=True, engine_options={"push_trigger_word_response": True})
        self.assertTrue(robot.cloud.wait_connected(WAIT_S))
        self.wait(lambda: robot.anim.handled_counts["SetTriggerWordResponse"] == 1,
                  "the engine never pushed its wake-word response")
        robot.wake()
        self.wait(lambda: robot.engine.trigger_words, "the wake word never reached the engine")
        robot.cloud.send_intent("intent_knowledge_promptquestion")
        self.wait(lambda: robot.anim.streams_opened, "vic-anim opened no stream")
        self.assertEqual([kind for _, kind in robot.anim.streams_opened], ["knowledge_graph"])
        self.assertEqual(robot.anim.handled_counts["StartWakeWordlessStreaming"], 1)

    def test_a_knowledge_answer_outside_a_session_is_unclaimed(self):
        robot = self.ask_with(lambda cloud: cloud.send_intent("intent_knowledge_no_response"))
        self.assertEqual(robot.engine.intent_reactions()[0].outcome, reactions.CANT_DO_THAT)


class Exactness(RobotTestCase):

    def run_busy_robot(self, seconds=3.0):
        robot = self.start_robot(engine_options={"idle_traffic": True, "idle_period_s": 0.002},
                                 with_cloud=True)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            robot.cloud.send_unmatched_question("question at %.3f" % time.monotonic())
            time.sleep(0.1)
        robot.engine.set_idle_traffic(False)
        return robot

    def test_clean_run_of_thousands_of_datagrams_is_exact_and_tampering_is_caught(self):
        robot = self.run_busy_robot()
        # A generous in-flight allowance: CI machines run this beside compilers.
        reports = robot.assert_exact(settle_s=1.0)
        to_anim, to_engine, to_ai = reports
        self.assertGreater(to_anim.matched + to_engine.matched, 2000,
                           [r.describe() for r in reports])
        self.assertGreater(to_ai.matched, 20)
        log = robot.wire_log

        def nth_received_by_engine(n):
            return log.stream("engine", "received", LINK_ANIM)[n].seq

        # One datagram anim sent never reaches the engine.
        lost_seq = nth_received_by_engine(500)
        report = wire_exactness.check_engine_received_what_anim_sent(
            log.copy(keep=lambda r: r.seq != lost_seq), settle_s=1.0)
        self.assertFalse(report.ok)
        self.assertIn("lost", report.describe())
        self.assertIn("anim sent #", report.describe())

        # One byte of one datagram changes on the way.
        altered_seq = nth_received_by_engine(700)

        def flip(record):
            if record.seq != altered_seq:
                return record.data
            return record.data[:-1] + bytes([record.data[-1] ^ 0x01])

        report = wire_exactness.check_engine_received_what_anim_sent(log.copy(change=flip),
                                                                     settle_s=1.0)
        self.assertFalse(report.ok)
        self.assertIn("first difference at byte %d" % (len(log.all_records()[altered_seq].data)
                                                        - 1), report.describe())

        # One datagram the engine sent never reaches anim.
        engine_sent = [r for r in log.stream("engine", "sent", LINK_ANIM)
                       if r.data != clad.CONNECTION_PACKET]
        anim_received_seq = next(r.seq for r in log.stream("anim", "received", LINK_ANIM)
                                 if r.data == engine_sent[300].data)
        report = wire_exactness.check_anim_received_what_engine_sent(
            log.copy(keep=lambda r: r.seq != anim_received_seq), settle_s=1.0)
        self.assertFalse(report.ok, report.describe())

        # One intent changes on its way to the engine's ai_sock.
        intent_seq = [r.seq for r in log.stream("engine", "received", "ai_sock")][5]
        report = wire_exactness.check_engine_received_what_cloud_sent(log.copy(
            change=lambda r: r.data.replace(b"question", b"questiox")
            if r.seq == intent_seq else r.data), settle_s=1.0)
        self.assertFalse(report.ok)
        self.assertIn("first difference at byte", report.describe())

    def test_injected_messages_and_withheld_replies_are_allowed_only_when_named(self):
        log = WireLog()
        ours = clad.encode_play_anim("anim_short_01", 250)
        engine_msgs = [clad.encode_abort_animation(0), clad.encode_move_head(0.5)]
        t = 1.0
        log.record("engine", "sent", LINK_ANIM, engine_msgs[0], at=t)
        log.record("engine", "sent", LINK_ANIM, engine_msgs[1], at=t)
        t = 2.0     # well after the engine's connection began
        log.record("anim", "received", LINK_ANIM, engine_msgs[0], at=t)
        injected = log.record("anim", "received", LINK_ANIM, ours, at=t)
        log.record("anim", "received", LINK_ANIM, engine_msgs[1], at=t)
        available = clad.encode_robot_available()
        state = clad.encode_robot_state(5, 0, 600)
        log.record("anim", "sent", LINK_ANIM, available, at=t)
        log.record("anim", "sent", LINK_ANIM, clad.encode_animation_started(250, "anim_short_01"),
                   regarding=injected.index, at=t)
        log.record("anim", "sent", LINK_ANIM, state, at=t)
        log.record("engine", "received", LINK_ANIM, available, at=t)
        log.record("engine", "received", LINK_ANIM, state, at=t)

        named = wire_exactness.injected_messages(anim_tags={250})
        self.assertTrue(wire_exactness.check_anim_received_what_engine_sent(log, named).ok)
        self.assertTrue(wire_exactness.check_engine_received_what_anim_sent(log, named).ok)
        unnamed = wire_exactness.check_anim_received_what_engine_sent(log)
        self.assertFalse(unnamed.ok)
        self.assertFalse(wire_exactness.check_engine_received_what_anim_sent(log).ok)

    def test_only_a_restarting_process_may_lose_its_last_datagrams(self):
        def log_with(anim_loses):
            log = WireLog()
            state = [clad.encode_robot_state(stamp, 0, 600) for stamp in range(6)]
            log.record("engine", "sent", LINK_ANIM, clad.CONNECTION_PACKET, at=0.0)
            log.record("anim", "sent", LINK_ANIM, clad.encode_robot_available(), at=0.1)
            log.record("engine", "received", LINK_ANIM, clad.encode_robot_available(), at=0.1)
            for stamp, datagram in enumerate(state[:4]):
                log.record("anim", "sent", LINK_ANIM, datagram, at=1.0 + stamp)
                if stamp not in anim_loses:
                    log.record("engine", "received", LINK_ANIM, datagram, at=1.0 + stamp)
            # anim ends at 4.5 (after sending at 4.0) and comes back.
            log.record("anim", "restarted", LINK_ANIM, b"", epoch=1, at=4.5)
            log.record("anim", "sent", LINK_ANIM, clad.encode_robot_available(), epoch=1, at=5.0)
            for stamp, datagram in enumerate(state[4:], 4):
                log.record("anim", "sent", LINK_ANIM, datagram, epoch=1, at=2.0 + stamp)
                log.record("engine", "received", LINK_ANIM, datagram, at=2.0 + stamp)
            return log

        def report(log):
            return wire_exactness.check_engine_received_what_anim_sent(log, settle_s=0.0)

        self.assertTrue(report(log_with(anim_loses=set())).ok)
        # Its last datagram (sent 0.5 s before it ended) may go with it...
        self.assertTrue(report(log_with(anim_loses={3})).ok, report(log_with({3})).describe())
        # ...one sent long before may not.
        self.assertFalse(report(log_with(anim_loses={1})).ok)


if __name__ == "__main__":
    unittest.main(verbosity=2)
