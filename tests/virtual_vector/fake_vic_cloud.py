"""vic-cloud as vic-engine's ai_sock (or an intent tap) sees it.

FakeVicCloud follows vic-cloud's socket rules (vector-cloud: cloud/main.go
getSocketWithRetry, internal/ipc/unixgram.go NewUnixgramClient,
internal/ipc/dgram.go newDatagramClient):
  * unlink + bind <dir>/ai_sock_cp_ai, connect() to <dir>/ai_sock, send the 8
    bytes ANKICONN; if any step fails (ai_sock missing, refusing), wait and
    try again (5 s on the robot; `retry_interval_s` here).
  * Its writes are blocking, as Go's are on a full queue; here they give up
    after `send_timeout_s`, so nothing waits forever.
  * On a failed write it logs and carries on ("AI write error",
    internal/voice/process.go writeResponse): it never reconnects by itself.
    reconnect() is a vic-cloud restart.

Intent results are encoded as vic-cloud does (internal/voice/stream/context.go):
  * plain intents: parameters as Go's json.Encoder prints them (go_json.py),
    or "" when there are none; metadata
    "text: <QueryText>  confidence: <%f>  handler: <Service>".
    wire-pod fills only QueryText and the action, so confidence 0.000000 and
    an empty handler are the defaults here.
  * knowledge-graph answers: parameters {answer, answer_type, query_text,
    domains.N}, empty metadata; intent_knowledge_response_extend inside a
    knowledge session ("I have a question"), ..._extend_bypass on the
    intent-graph path after a plain wake word (internal/voice/stream/
    context.go:156-192, process.go:212-224).
"""

import os
import threading
import time
from typing import List, Optional

import clad_layouts as clad
import unix_dgram
from go_json import go_json_encode_string_map
from wire_log import LINK_AI, WireLog

VIC_CLOUD_RETRY_S = 5.0    # cloud/main.go: time.Sleep(5 * time.Second)


def unmatched_metadata(query_text: str, confidence: float = 0.0, handler: str = "") -> str:
    return "text: %s  confidence: %f  handler: %s" % (query_text, confidence, handler)


class FakeVicCloud:
    def __init__(self, socket_dir: str, *, wire_log: Optional[WireLog] = None,
                 retry_interval_s: float = VIC_CLOUD_RETRY_S, send_timeout_s: float = 2.0,
                 clock=time.monotonic, log=None):
        self.socket_dir = socket_dir
        self.ai_sock_path = os.path.join(socket_dir, clad.AI_SOCK_NAME)
        self.client_path = os.path.join(socket_dir, clad.CLOUD_AI_CLIENT_NAME)
        self.wire_log = wire_log if wire_log is not None else WireLog(clock)
        self.retry_interval_s = retry_interval_s
        self.send_timeout_s = send_timeout_s
        self.clock = clock
        self._log = log
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._sock = None
        self.connect_failures: List[tuple] = []   # (time, step, errno name)
        self.write_errors: List[tuple] = []       # (time, errno name)
        self.events: List[tuple] = []

    # ------------------------------------------------------------------ life

    def start(self):
        self._stop.clear()
        self._connected.clear()
        self._thread = threading.Thread(target=self._connect_with_retry, name="fake-vic-cloud",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 2.0):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None
            self._connected.clear()

    def reconnect(self):
        """vic-cloud restarted: a new socket, a new connect(), a new ANKICONN."""
        self.stop()
        self.start()

    def wait_connected(self, timeout_s: float) -> bool:
        return self._connected.wait(timeout_s)

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def _connect_with_retry(self):
        while not self._stop.is_set():
            if self._try_connect():
                return
            self._stop.wait(self.retry_interval_s)

    def _try_connect(self) -> bool:
        sock = unix_dgram.make_dgram_socket(64 * 1024, nonblocking=False)
        sock.settimeout(self.send_timeout_s)
        step = "bind"
        try:
            unix_dgram.bind_fresh(sock, self.client_path)
            step = "connect"
            sock.connect(self.ai_sock_path)
            step = "ANKICONN"
            sock.send(clad.CONNECTION_PACKET)
        except OSError as error:
            sock.close()
            self.connect_failures.append((self.clock(), step, unix_dgram.errno_name(error)))
            self._event("%s to %s failed (%s): retrying in %.1f s"
                        % (step, self.ai_sock_path, unix_dgram.errno_name(error),
                           self.retry_interval_s))
            return False
        with self._lock:
            self._sock = sock
            self.wire_log.record("cloud", "sent", LINK_AI, clad.CONNECTION_PACKET)
            self._connected.set()
        self._event("connected to %s" % self.ai_sock_path)
        return True

    # ---------------------------------------------------------------- sending

    def send_raw(self, datagram: bytes) -> bool:
        with self._lock:
            if self._sock is None:
                self.write_errors.append((self.clock(), "not connected"))
                return False
            try:
                self._sock.send(datagram)
            except OSError as error:
                self.write_errors.append((self.clock(), unix_dgram.errno_name(error)))
                self._event("AI write error: %s" % unix_dgram.errno_name(error))
                return False
            self.wire_log.record("cloud", "sent", LINK_AI, datagram)
            return True

    def send_intent(self, intent: str, parameters=None, metadata: str = "") -> bool:
        """An IntentResult. `parameters`: a dict (encoded as Go would, "" when
        empty) or ready JSON text used as is."""
        if parameters is None or isinstance(parameters, dict) and not parameters:
            parameters_text = ""
        elif isinstance(parameters, dict):
            parameters_text = go_json_encode_string_map(parameters)
        else:
            parameters_text = parameters
        self._event("sending intent %s" % intent)
        return self.send_raw(clad.encode_cloud_intent_result(intent, parameters_text, metadata))

    def send_unmatched_question(self, question: str, confidence: float = 0.0,
                                handler: str = "") -> bool:
        """What wire-pod delivers for speech it could not match: the
        transcript only in the metadata."""
        return self.send_intent("intent_system_unmatched", None,
                                unmatched_metadata(question, confidence, handler))

    def send_knowledge_answer(self, answer: str, query_text: str = "",
                              answer_type: str = "", domains=(), bypass: bool = False) -> bool:
        """intent_knowledge_response_extend (or, with `bypass`, the
        intent-graph ..._extend_bypass) as vic-cloud builds it."""
        params = {"answer": answer, "answer_type": answer_type, "query_text": query_text}
        for index, domain in enumerate(domains):
            params["domains.%d" % index] = domain
        intent = "intent_knowledge_response_extend" + ("_bypass" if bypass else "")
        return self.send_raw(clad.encode_cloud_intent_result(
            intent, go_json_encode_string_map(params), ""))

    def sent(self) -> List[bytes]:
        return [r.data for r in self.wire_log.stream("cloud", "sent", LINK_AI)]

    def _event(self, text: str):
        self.events.append((self.clock(), text))
        if self._log:
            self._log("vic-cloud: " + text)
