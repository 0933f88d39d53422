"""A shared, ordered record of every datagram the virtual Vector's processes
sent and received, with the time, so a test can prove what crossed a bridge.

Each fake appends to it in the same critical section as its socket call, so
the order of one endpoint's records is the order of its socket operations.
Streams are named by endpoint, direction and link:

  ("anim",   "received", LINK_ANIM)   what vic-anim read from its client
  ("anim",   "sent",     LINK_ANIM)   what vic-anim sent to its client
  ("engine", "sent",     LINK_ANIM)   what vic-engine sent towards anim
  ("engine", "received", LINK_ANIM)   what vic-engine read from anim's side
  ("cloud",  "sent",     LINK_AI)     what vic-cloud sent to ai_sock
  ("engine", "received", LINK_AI)     what vic-engine read on ai_sock

Only successful sends are recorded as sent.
"""

import threading
import time
from typing import List, NamedTuple, Optional

LINK_ANIM = "engine_anim"
LINK_AI = "ai_sock"


class WireRecord(NamedTuple):
    seq: int                  # order over the whole log
    time: float               # clock() at the socket call (anim sends: just before it)
    endpoint: str             # "anim", "engine", "cloud"
    direction: str            # "sent" or "received"
    link: str                 # LINK_ANIM or LINK_AI
    data: bytes
    peer: Optional[str]       # sender path for anim/engine receives, None otherwise
    epoch: int                # the endpoint's connection number (engine restarts count up)
    index: int                # position in its own stream
    regarding: Optional[int]  # anim sends: index in anim's received stream of the request
                              # this reply concerns (None for unsolicited messages)
    outcome: str              # anim receives: what anim did with it ("processed",
                              # "connection_packet", "wrong_size", ...); "" otherwise
    arrived: Optional[float] = None  # anim receives: when the kernel queued the datagram
                                     # (on the log's clock); `time` is when the tick read it


class WireLog:
    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._lock = threading.Lock()
        self._records: List[WireRecord] = []
        self._streams = {}

    def record(self, endpoint: str, direction: str, link: str, data: bytes, *,
               peer: Optional[str] = None, epoch: int = 0, regarding: Optional[int] = None,
               outcome: str = "", at: Optional[float] = None,
               arrived: Optional[float] = None) -> WireRecord:
        """Append one datagram; `at` replaces the clock (for building logs in tests)."""
        with self._lock:
            stream = self._streams.setdefault((endpoint, direction, link), [])
            record = WireRecord(len(self._records), self.clock() if at is None else at,
                                endpoint, direction, link,
                                bytes(data), peer, epoch, len(stream), regarding, outcome, arrived)
            self._records.append(record)
            stream.append(record)
            return record

    def stream(self, endpoint: str, direction: str, link: str = LINK_ANIM) -> List[WireRecord]:
        """A snapshot copy of one stream, in order."""
        with self._lock:
            return list(self._streams.get((endpoint, direction, link), []))

    def stream_since(self, endpoint: str, direction: str, link: str,
                     start: int) -> List[WireRecord]:
        """The records of one stream from index `start` on (a copy)."""
        with self._lock:
            return list(self._streams.get((endpoint, direction, link), [])[start:])

    def all_records(self) -> List[WireRecord]:
        with self._lock:
            return list(self._records)

    def count(self) -> int:
        with self._lock:
            return len(self._records)

    def next_index(self, endpoint: str, direction: str, link: str) -> int:
        """The index the next record of this stream will get."""
        with self._lock:
            return len(self._streams.get((endpoint, direction, link), []))

    def copy(self, keep=None, change=None) -> "WireLog":
        """A new log with the same records (times included), minus those
        `keep(record)` rejects, with `change(record) -> bytes` applied to the
        data. Indexes are renumbered; `regarding` keeps pointing at the
        original index, so use this for tampering with receives only."""
        copied = WireLog(self.clock)
        for record in self.all_records():
            if keep is not None and not keep(record):
                continue
            data = change(record) if change is not None else record.data
            copied.record(record.endpoint, record.direction, record.link, data,
                          peer=record.peer, epoch=record.epoch, regarding=record.regarding,
                          outcome=record.outcome, at=record.time, arrived=record.arrived)
        return copied
