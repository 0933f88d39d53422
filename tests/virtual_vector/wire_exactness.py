"""Did a bridge deliver every datagram exactly? Checks over a WireLog.

Three checks, one per direction a bridge forwards:

  check_anim_received_what_engine_sent
      Everything anim read from its client is, in order, either exactly the
      next datagram vic-engine sent, or an injected message (the test says
      which, with a predicate on the bytes). Nothing the engine sent may be
      missing, except while vic-anim restarted: from `restart_grace_s` before
      the old process's last read until the new process's first read (the
      bridge's greeting), there was no anim to deliver to. Connection packets
      (ANKICONN) are not messages and are skipped on both sides.

  check_engine_received_what_anim_sent
      Within each engine connection (the engine's epoch), the engine received
      exactly what anim sent, same bytes, same order, none lost; except that a
      reply which concerns an injected request (an AnimationStarted/Ended of
      an injected PlayAnim, a TextToSpeechEvent of an injected utterance) may
      be withheld, and each connection must get one RobotAvailable (anim's,
      or the one a bridge holds and repeats after an engine restart). Between
      connections (the engine was down) datagrams may be lost, and so may
      whatever anim sent before the engine got its RobotAvailable (the engine
      drops everything before it). A restarted vic-anim's RobotAvailable may
      reach a connected engine or not.

  check_engine_received_what_cloud_sent
      The engine's ai_sock received what vic-cloud sent, in order, except the
      ones a predicate says the agent may take over, plus injected ones.

On the engine<->anim link, what a process sent in its last `restart_grace_s`
before it ended (a restart) may be lost: when a datagram socket's send to a peer
that has died fails (ECONNREFUSED), the kernel drops everything still
unread in the sender's own queue (net/unix/af_unix.c, unix_dgram_sendmsg ->
unix_dgram_disconnected), so the dead process's last words go, with a
bridge as without one.

Datagrams still in flight are not losses: anything sent within `settle_s` of
the check is allowed to be missing. Each check returns an ExactnessReport
whose description names the first differing datagram (by index in each
stream) and shows the hex of both.
"""

import time
from typing import Callable, Dict, List, Optional

import clad_layouts as clad
from wire_log import LINK_AI, LINK_ANIM, WireLog, WireRecord

# How far ahead to look for a received datagram among the sent ones, to tell
# "this one was lost" from "this one was altered": near first, then (only
# once something is wrong) far, so that a long run of losses under load is
# reported as such rather than as every later datagram differing.
LOOKAHEAD = 32
FAR_LOOKAHEAD = 8192
MAX_PROBLEMS_KEPT = 12
HEX_WINDOW = 48

ROBOT_AVAILABLE = clad.encode_robot_available()


def hex_bytes(data: bytes) -> str:
    return data.hex(" ") if data else "(empty)"


def describe_difference(expected: bytes, actual: bytes) -> str:
    """Where two datagrams first differ, and both in hex (windowed when long)."""
    first = next((i for i, (a, b) in enumerate(zip(expected, actual)) if a != b),
                 min(len(expected), len(actual)))
    start = max(0, first - 8) if max(len(expected), len(actual)) > HEX_WINDOW else 0
    end = start + HEX_WINDOW

    def window(data):
        shown = hex_bytes(data[start:end])
        prefix = "... " if start else ""
        suffix = " ..." if len(data) > end else ""
        return "%s%s%s" % (prefix, shown, suffix)

    return ("first difference at byte %d (sizes %d and %d)\n"
            "      expected [%s] %s\n"
            "      actual   [%s] %s"
            % (first, len(expected), len(actual), clad.message_name(expected), window(expected),
               clad.message_name(actual), window(actual)))


def describe_record(record: WireRecord) -> str:
    return "%s %s #%d (%s, %d bytes, epoch %d): %s" % (
        record.endpoint, record.direction, record.index, clad.message_name(record.data),
        len(record.data), record.epoch, hex_bytes(record.data[:HEX_WINDOW])
        + (" ..." if len(record.data) > HEX_WINDOW else ""))


class ExactnessReport:
    def __init__(self, title: str):
        self.title = title
        self.problems: List[str] = []
        self.more_problems = 0
        self.matched = 0
        self.injected = 0
        self.withheld = 0
        self.in_flight = 0
        self.robot_available_deliveries = 0
        # anim-received index -> "engine" or "injected" (first check only)
        self.received_from: Dict[int, str] = {}

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, text: str):
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(text)
        else:
            self.more_problems += 1

    def describe(self) -> str:
        lines = ["%s: %s (%d matched, %d injected, %d withheld, %d in flight)"
                 % (self.title, "exact" if self.ok else "NOT EXACT", self.matched, self.injected,
                    self.withheld, self.in_flight)]
        lines += ["  - " + problem for problem in self.problems]
        if self.more_problems:
            lines.append("  ... and %d more problems" % self.more_problems)
        return "\n".join(lines)

    def assert_ok(self):
        if not self.ok:
            raise AssertionError(self.describe())


def _never(_record) -> bool:
    return False


def _merge(received: List[WireRecord], sent: List[WireRecord], pos: int, *, may_skip,
           extra_allowed, cutoff: float, report: ExactnessReport, probe: bool,
           on_match=None, on_extra=None):
    """Walk `received` against `sent` from `sent[pos]`.

    Returns (next sent position, number matched, clean). In probe mode it
    stops at the first problem and touches nothing in `report`.
    """
    matched = 0
    for record in received:
        # Skip what may be missing only if the record is found behind it: an
        # injected record must not use up what the other side sent.
        ahead = pos
        while ahead < len(sent) and sent[ahead].data != record.data and may_skip(sent[ahead]):
            ahead += 1
        if ahead < len(sent) and sent[ahead].data == record.data:
            if not probe:
                report.withheld += ahead - pos
            pos = ahead
        if pos < len(sent) and sent[pos].data == record.data:
            pos += 1
            matched += 1
            if not probe:
                report.matched += 1
                if on_match:
                    on_match(record)
            continue
        if extra_allowed(record):
            if not probe:
                report.injected += 1
                if on_extra:
                    on_extra(record)
            continue
        if probe:
            return pos, matched, False
        ahead = next((j for j in range(pos + 1, min(len(sent), pos + 1 + LOOKAHEAD))
                      if sent[j].data == record.data), None)
        if ahead is None and len(record.data) > 16:
            # Far only for a datagram that is likely unique (short ones such
            # as MicDataState repeat and would match anywhere).
            ahead = next((j for j in range(pos + 1 + LOOKAHEAD,
                                           min(len(sent), pos + 1 + FAR_LOOKAHEAD))
                          if sent[j].data == record.data), None)
        if ahead is not None:
            lost = [s for s in sent[pos:ahead] if not may_skip(s)]
            report.problem("%d datagram(s) lost before %s; first lost: %s"
                           % (len(lost), describe_record(record), describe_record(lost[0]))
                           if lost else "reordered around " + describe_record(record))
            pos = ahead + 1
            matched += 1
            report.matched += 1
            if on_match:
                on_match(record)
            continue
        if pos >= len(sent):
            if record.time > cutoff:
                report.in_flight += 1
            else:
                report.problem("%s was never sent by the other side (it had sent nothing more)"
                               % describe_record(record))
            continue
        expected = sent[pos]
        if expected.data[:1] == record.data[:1] or len(expected.data) == len(record.data):
            report.problem("%s differs from %s: %s"
                           % (describe_record(record), describe_record(expected),
                              describe_difference(expected.data, record.data)))
            pos += 1
        else:
            report.problem("%s is not what was sent next; the next sent was %s"
                           % (describe_record(record), describe_record(expected)))
    return pos, matched, True


def _report_tail(sent: List[WireRecord], pos: int, may_skip, cutoff: float,
                 report: ExactnessReport):
    missing = [s for s in sent[pos:] if not may_skip(s)]
    lost = [s for s in missing if s.time <= cutoff]
    report.in_flight += len(missing) - len(lost)
    if lost:
        report.problem("%d datagram(s) sent but never received; first: %s"
                       % (len(lost), describe_record(lost[0])))


def _is_connection_packet(record: WireRecord) -> bool:
    return record.data == clad.CONNECTION_PACKET


def anim_restart_gaps(log: WireLog, restart_grace_s: float = 1.0) -> List[tuple]:
    """(start, end) times around each vic-anim restart during which a datagram
    the engine sent may never reach anim: from `restart_grace_s` before the
    old process's last read (what it had not read yet died with it) to the
    new process's first read (nothing could be delivered before)."""
    gaps = []
    received = log.stream("anim", "received", LINK_ANIM)
    for marker in log.stream("anim", "restarted", LINK_ANIM):
        before = [r.time for r in received if r.epoch < marker.epoch]
        after = [r.time for r in received if r.epoch >= marker.epoch]
        start = (before[-1] if before else marker.time) - restart_grace_s
        gaps.append((start, after[0] if after else float("inf")))
    return gaps


def sent_just_before_its_process_ended(log: WireLog, endpoint: str,
                                       restart_grace_s: float = 1.0):
    """A predicate: was this record of `endpoint`'s sent in the last
    `restart_grace_s` of a process of it that then ended (restarted)?"""
    ends = {marker.epoch - 1: marker.time
            for marker in log.stream(endpoint, "restarted", LINK_ANIM)}

    def last_words(record: WireRecord) -> bool:
        end = ends.get(record.epoch)
        return end is not None and record.time >= end - restart_grace_s
    return last_words


def check_anim_received_what_engine_sent(log: WireLog,
                                         is_injected: Optional[Callable[[bytes], bool]] = None,
                                         settle_s: float = 0.25,
                                         restart_grace_s: float = 1.0,
                                         rewrite: Optional[Callable[[bytes], bytes]] = None
                                         ) -> ExactnessReport:
    """`rewrite`: what the bridge is meant to make of each datagram the engine
    sent (the one change it may make, e.g. clad.knowledge_stream_made_normal);
    vic-anim must receive exactly that."""
    report = ExactnessReport("engine -> anim")
    cutoff = log.clock() - settle_s
    gaps = anim_restart_gaps(log, restart_grace_s)
    # Receiver first: a send recorded after its receive is then still visible.
    received = [r for r in log.stream("anim", "received", LINK_ANIM)
                if not _is_connection_packet(r)]
    sent = [r for r in log.stream("engine", "sent", LINK_ANIM) if not _is_connection_packet(r)]
    if rewrite is not None:
        sent = [r._replace(data=rewrite(r.data)) for r in sent]
    extra_allowed = (lambda r: is_injected(r.data)) if is_injected else _never

    engine_last_words = sent_just_before_its_process_ended(log, "engine", restart_grace_s)

    def sent_while_anim_restarted(record: WireRecord) -> bool:
        return (any(start <= record.time <= end for start, end in gaps)
                or engine_last_words(record))

    def mark(kind):
        def on(record):
            report.received_from[record.index] = kind
        return on

    pos, _, _ = _merge(received, sent, 0, may_skip=sent_while_anim_restarted,
                       extra_allowed=extra_allowed, cutoff=cutoff, report=report, probe=False,
                       on_match=mark("engine"), on_extra=mark("injected"))
    _report_tail(sent, pos, sent_while_anim_restarted, cutoff, report)
    return report


def check_engine_received_what_anim_sent(log: WireLog,
                                         is_injected: Optional[Callable[[bytes], bool]] = None,
                                         settle_s: float = 0.25,
                                         engine_still_linked: bool = True,
                                         expect_robot_available: bool = True,
                                         connect_grace_s: float = 0.1,
                                         restart_grace_s: float = 1.0
                                         ) -> ExactnessReport:
    """`is_injected` classifies anim's received datagrams (as in the first
    check) so that replies concerning injected requests may be withheld.
    Datagrams anim sent before an engine connection began (the engine's first
    socket operation of that epoch) plus `connect_grace_s`, or before that
    connection received its RobotAvailable if that came later (a bridge
    accepts the engine when it gets to it; the engine ignores everything
    before RobotAvailable anyway), may be lost; any later one must arrive."""
    report = ExactnessReport("anim -> engine")
    cutoff = log.clock() - settle_s
    received = log.stream("engine", "received", LINK_ANIM)
    sent = log.stream("anim", "sent", LINK_ANIM)
    if expect_robot_available:
        # Delivered once per engine connection, checked below; a restarted
        # anim's own RobotAvailable stays in the stream as optional.
        sent = [r for r in sent if r.data != ROBOT_AVAILABLE or r.epoch > 0]
    origin = check_anim_received_what_engine_sent(log, is_injected, settle_s,
                                                  restart_grace_s).received_from
    anim_last_words = sent_just_before_its_process_ended(log, "anim", restart_grace_s)

    def may_skip(record: WireRecord) -> bool:
        if record.data == ROBOT_AVAILABLE and record.epoch > 0:
            return True
        if anim_last_words(record):
            return True
        return record.regarding is not None and origin.get(record.regarding) == "injected"

    epoch_start: Dict[int, float] = {}
    for record in log.stream("engine", "sent", LINK_ANIM) + received:
        epoch_start[record.epoch] = min(record.time, epoch_start.get(record.epoch, record.time))
    available_at: Dict[int, float] = {}
    for record in received:
        if record.data == ROBOT_AVAILABLE and record.epoch not in available_at:
            available_at[record.epoch] = record.time

    epochs: List[List[WireRecord]] = []
    for record in received:
        if not epochs or epochs[-1][0].epoch != record.epoch:
            epochs.append([])
        epochs[-1].append(record)

    pos = 0
    for group in epochs:
        items = group
        if expect_robot_available:
            # One RobotAvailable per engine connection: anim's own (direct), or
            # the one a bridge held or repeats. Its place is not checked:
            # anim may forward RobotState in the very tick it connects, before
            # its next tick sends RobotAvailable (animProcessMessages.cpp:945-997).
            first = next((i for i, r in enumerate(items) if r.data == ROBOT_AVAILABLE), None)
            if first is None:
                report.problem("engine connection %d never received RobotAvailable"
                               % group[0].epoch)
            else:
                report.robot_available_deliveries += 1
                items = items[:first] + items[first + 1:]
        if not items:
            continue
        candidates = [q for q in range(pos, len(sent)) if sent[q].data == items[0].data]
        if not candidates:
            report.problem("engine connection %d: its first datagram %s is not among the "
                           "datagrams anim sent (from anim sent #%d on)"
                           % (items[0].epoch, describe_record(items[0]), pos))
            continue
        best, best_matched = candidates[0], -1
        for candidate in candidates:
            _, matched, clean = _merge(items, sent, candidate, may_skip=may_skip,
                                       extra_allowed=_never, cutoff=cutoff, report=report,
                                       probe=True)
            if clean:
                best = candidate
                break
            if matched > best_matched:
                best, best_matched = candidate, matched
        began = epoch_start[items[0].epoch] + connect_grace_s
        available = available_at.get(items[0].epoch, 0.0)
        missed = [s for s in sent[pos:best]
                  if not may_skip(s) and s.time > began and s.time >= available]
        if missed:
            report.problem("%d datagram(s) anim sent after engine connection %d began never "
                           "reached it (lost); first: %s"
                           % (len(missed), items[0].epoch, describe_record(missed[0])))
        pos, _, _ = _merge(items, sent, best, may_skip=may_skip, extra_allowed=_never,
                           cutoff=cutoff, report=report, probe=False)
    if engine_still_linked and epochs:
        _report_tail(sent, pos, may_skip, cutoff, report)
    return report


def check_engine_received_what_cloud_sent(log: WireLog,
                                          may_be_withheld: Optional[Callable[[bytes], bool]] = None,
                                          is_injected: Optional[Callable[[bytes], bool]] = None,
                                          settle_s: float = 0.25) -> ExactnessReport:
    report = ExactnessReport("cloud -> engine ai_sock")
    cutoff = log.clock() - settle_s
    # ANKICONN and the 1-byte reconnect packet are the link's own: vic-engine
    # acts on neither (fake_vic_engine.py), whoever sends them.
    received = [r for r in log.stream("engine", "received", LINK_AI)
                if not _is_connection_packet(r) and r.data != b"\0"]
    sent = [r for r in log.stream("cloud", "sent", LINK_AI)
            if not _is_connection_packet(r) and r.data != b"\0"]
    may_skip = (lambda r: may_be_withheld(r.data)) if may_be_withheld else _never
    extra_allowed = (lambda r: is_injected(r.data)) if is_injected else _never
    pos, _, _ = _merge(received, sent, 0, may_skip=may_skip, extra_allowed=extra_allowed,
                       cutoff=cutoff, report=report, probe=False)
    _report_tail(sent, pos, may_skip, cutoff, report)
    return report


def injected_messages(anim_tags=(), tts_ids=(), message_tags=()) -> Callable[[bytes], bool]:
    """A predicate naming injected engine->anim messages by what they carry:
    PlayAnim/AbortAnimation with an animation tag in `anim_tags`,
    TextToSpeechPrepare/Play/Cancel with a ttsID in `tts_ids`, or any message
    whose union tag is in `message_tags` (e.g. DrawTextOnScreen)."""
    anim_tags, tts_ids, message_tags = set(anim_tags), set(tts_ids), set(message_tags)

    def is_injected(datagram: bytes) -> bool:
        if not datagram:
            return False
        tag = datagram[0]
        if tag in message_tags:
            return True
        if tag == clad.TAG_PLAY_ANIM and len(datagram) > 9:
            return datagram[9] in anim_tags
        if tag == clad.TAG_ABORT_ANIMATION and len(datagram) == 2:
            return datagram[1] in anim_tags
        if clad.is_text_to_speech_prepare(datagram):
            return clad.decode_text_to_speech_prepare(datagram).tts_id in tts_ids
        if tag in (clad.TAG_TEXT_TO_SPEECH_PLAY, clad.TAG_TEXT_TO_SPEECH_CANCEL) \
                and len(datagram) == 2:
            return datagram[1] in tts_ids
        return False

    return is_injected


def check_all(log: WireLog, is_injected=None, engine_still_linked: bool = True,
              cloud_may_be_withheld=None, cloud_injected=None,
              settle_s: float = 0.25, engine_to_anim_rewrite=None) -> List[ExactnessReport]:
    return [
        check_anim_received_what_engine_sent(log, is_injected, settle_s,
                                             rewrite=engine_to_anim_rewrite),
        check_engine_received_what_anim_sent(log, is_injected, settle_s, engine_still_linked),
        check_engine_received_what_cloud_sent(log, cloud_may_be_withheld, cloud_injected,
                                              settle_s),
    ]


def wait_for_settle(log: WireLog, quiet_s: float, timeout_s: float) -> bool:
    """Wait until no datagram has been recorded for `quiet_s` (or the
    deadline). Anim's periodic traffic never stops by itself: pause it first
    (FakeVicAnim.pause_periodic_traffic) and the engine's idle traffic."""
    deadline = time.monotonic() + timeout_s
    last_count, last_change = log.count(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(min(0.02, quiet_s / 4))
        count = log.count()
        if count != last_count:
            last_count, last_change = count, time.monotonic()
        elif time.monotonic() - last_change >= quiet_s:
            return True
    return False
