#!/usr/bin/env python3
"""A scriptable stand-in for an R1 server, for vic-r1's end-to-end tests.

It speaks HTTPS with Python's ssl module, i.e. OpenSSL: a different TLS
implementation from the client's Mbed TLS, so the two check each other. It
listens on 127.0.0.1 only, on a port the kernel picks, and writes that port to
--port-file once it accepts connections (write-then-rename: a reader never sees
half a number). Standard library only.

What it answers is a list of responses, one per request in the order the
requests arrive (over all connections); the last one repeats. Each is
KIND[:key=value,...] on the command line (--respond, repeatable) or an object
{"kind": KIND, key: value, ...} in a JSON scenario file (--scenario FILE,
{"responses": [...], and any long option below by its name, e.g.
"idle_close_ms": 300}). Kinds:

  stream     200 with a transcript body (tests/transcripts/NAME.body)
               transcript=NAME   required
               framing=chunked|length|close   (default chunked)
               content_type=T    default: the transcript's row in manifest.tsv
               piece=line|all|N  how the body is cut into writes (default line)
               gap_ms=N          pause between pieces (default 0)
               drip_ms=N         one byte per write, every N ms
               close_after=1     close the connection after this response
  cut        like stream, but the connection is closed abruptly (no TLS
             close_notify, no last chunk) after after=K body bytes;
             reset=1 closes with a TCP RST instead of a FIN
  stall      200 headers (chunked SSE), then nothing, ever
  keepalive  200 headers, then ": keep-alive" comments every interval_ms=N
             (default 200) and never any data
  silent     reads the request and never answers, not even headers
  status     code=N, with a provider-style JSON error body; retry_after=S adds
             Retry-After; message=TEXT replaces the error message;
             body=deepseek_balance uses DeepSeek's exact 402 body
  answer     200, a stream composed here (not a transcript): some reasoning,
             then the answer, then the usage and [DONE]
               text=T            the answer (may hold {{markup}}); as JSON
                                 in a scenario file, it may be long
               echo=PREFIX       instead of text: PREFIX + the request's
                                 last user message ("I heard: ")
               style=deepseek|together   reasoning in reasoning_content
                                 (default), or inline with R1's missing
                                 <think> opener
               reasoning=T       the reasoning (default: a few sentences)
               reasoning_ms=N    pause after each reasoning piece (default 0)
               delta=N           answer bytes per content delta (default 7:
                                 words and markup split anywhere)
               gap_ms=N          pause between answer deltas (default 0)
               reasoning_bytes=N instead of reasoning: N bytes of it, in
                                 deltas of about 2 KB
               cut_during=reasoning|answer   close abruptly (as `cut`)
                                 after the reasoning, or halfway through
                                 the answer
               malformed=1       an event of broken JSON halfway through
                                 the answer, then the rest as usual

Connection behaviour: --idle-close-ms N closes a connection that has been idle
(between requests, or before the first) for N ms, with a TLS close_notify,
as front ends do with keep-alive connections. --connection-close answers every
request with "Connection: close" and closes.

It counts connections, TLS handshakes (full, resumed via
SSLSocket.session_reused, failed), and requests, and writes them as JSON to
--stats-file after every handshake and request and at exit (write-then-rename).
It exits by itself after --lifetime seconds (default 60), and on SIGTERM or
SIGINT: a test that forgets it cannot leave it running.
"""

import argparse
import json
import os
import signal
import socket
import ssl
import struct
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_TRANSCRIPTS = os.path.join(HERE, "..", "transcripts")

# DeepSeek's answer to a key whose account is empty, byte for byte as it sends it.
DEEPSEEK_BALANCE_BODY = (
    b'{"error":{"message":"Insufficient Balance","type":"unknown_error",'
    b'"param":null,"code":"invalid_request_error"}}'
)

# The error bodies providers send for each status, in DeepSeek's shape.
STATUS_ERRORS = {
    400: ("Invalid request: bad format", "invalid_request_error"),
    401: ("Authentication Fails, Your api key: ****test is invalid", "authentication_error"),
    402: ("Insufficient Balance", "unknown_error"),
    404: ("Model Not Exist", "invalid_request_error"),
    422: ("Invalid parameters", "invalid_request_error"),
    429: ("Rate limit reached for requests", "rate_limit_error"),
    500: ("Internal server error", "server_error"),
    503: ("The server is overloaded, please try again later", "server_error"),
}

REASONS = {
    200: "OK", 400: "Bad Request", 401: "Unauthorized", 402: "Payment Required",
    404: "Not Found", 422: "Unprocessable Entity", 429: "Too Many Requests",
    500: "Internal Server Error", 503: "Service Unavailable",
}


class Stats:
    """Counters shared by the connection threads, written out as JSON."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.data = {
            "connections": 0,
            "handshakes": 0,
            "full_handshakes": 0,
            "resumed_handshakes": 0,
            "failed_handshakes": 0,
            "handshake_errors": [],
            "protocols": {},
            "alpn": {},
            "requests": 0,
            "responses_completed": 0,
            "requests_per_connection": [],
            "request_log": [],
        }

    def update(self, change):
        with self.lock:
            change(self.data)
            self._write_locked()

    def write(self):
        with self.lock:
            self._write_locked()

    def _write_locked(self):
        if not self.path:
            return
        temporary = self.path + ".tmp"
        with open(temporary, "w") as out:
            json.dump(self.data, out, indent=1, sort_keys=True)
        os.replace(temporary, self.path)


class ConnectionClosed(Exception):
    pass


def parse_response_spec(text):
    """KIND[:key=value,...] -> {"kind": KIND, key: value}."""
    kind, _, rest = text.partition(":")
    spec = {"kind": kind}
    for item in filter(None, rest.split(",")):
        key, equals, value = item.partition("=")
        if not equals:
            raise ValueError("'%s' in '%s' is not key=value" % (item, text))
        spec[key] = value
    return spec


def transcript_content_type(transcripts, name):
    manifest = os.path.join(transcripts, "manifest.tsv")
    try:
        with open(manifest, encoding="utf-8") as rows:
            for row in rows:
                fields = row.rstrip("\n").split("\t")
                if len(fields) > 1 and fields[0] == name:
                    return fields[1]
    except OSError:
        pass
    return "text/event-stream"


class Server:
    def __init__(self, options):
        self.options = options
        self.stats = Stats(options.stats_file)
        self.responses = options.responses
        self.next_response = 0
        self.response_lock = threading.Lock()
        self.stopping = threading.Event()
        self.context = self._make_context()

    def _make_context(self):
        if self.options.tls == "none":
            return None  # plain http://, as a model server on a LAN speaks it
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert = os.path.join(self.options.pki, self.options.cert + ".pem")
        key = os.path.join(self.options.pki, self.options.cert + ".key")
        context.load_cert_chain(cert, key)
        if self.options.tls == "1.2":
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.maximum_version = ssl.TLSVersion.TLSv1_2
        elif self.options.tls == "1.3":
            context.minimum_version = ssl.TLSVersion.TLSv1_3
            context.maximum_version = ssl.TLSVersion.TLSv1_3
        else:
            context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.set_alpn_protocols(["http/1.1"])
        return context

    def log(self, text):
        if self.options.log:
            sys.stderr.write("fake_r1_server %.3f: %s\n" % (time.monotonic(), text))
            sys.stderr.flush()

    def take_response(self):
        with self.response_lock:
            index = min(self.next_response, len(self.responses) - 1)
            self.next_response += 1
            return self.responses[index]

    # ---- the listener ------------------------------------------------------

    def serve(self):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        listener.settimeout(0.1)
        port = listener.getsockname()[1]
        temporary = self.options.port_file + ".tmp"
        with open(temporary, "w") as out:
            out.write("%d\n" % port)
        os.replace(temporary, self.options.port_file)
        self.stats.write()

        deadline = time.monotonic() + self.options.lifetime
        number = 0
        while not self.stopping.is_set() and time.monotonic() < deadline:
            try:
                raw, _ = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                if self.stopping.is_set():
                    break
                raise
            number += 1
            self.stats.update(lambda data: data.update(connections=data["connections"] + 1))
            threading.Thread(target=self.serve_connection, args=(raw, number), daemon=True).start()
        listener.close()

    # ---- one connection ----------------------------------------------------

    def serve_connection(self, raw, number):
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        raw.settimeout(10)
        try:
            if self.context is None:
                conn = raw
            else:
                conn = self.context.wrap_socket(raw, server_side=True, do_handshake_on_connect=False)
                conn.do_handshake()
        except (ssl.SSLError, OSError) as error:
            reason = getattr(error, "reason", None) or str(error)

            def count_failure(data):
                data["failed_handshakes"] += 1
                data["handshake_errors"].append(str(reason))

            self.stats.update(count_failure)
            raw.close()
            return

        plain = self.context is None
        resumed = False if plain else conn.session_reused
        protocol = "plain" if plain else (conn.version() or "unknown")
        alpn = "" if plain else (conn.selected_alpn_protocol() or "")

        def count_handshake(data):
            data["handshakes"] += 1
            data["full_handshakes" if not resumed else "resumed_handshakes"] += 1
            data["protocols"][protocol] = data["protocols"].get(protocol, 0) + 1
            data["alpn"][alpn] = data["alpn"].get(alpn, 0) + 1
            data["requests_per_connection"].append(0)

        self.stats.update(count_handshake)
        self.log("connection %d: %s handshake, %s" % (number, "resumed" if resumed else "full", protocol))
        slot = None
        with self.stats.lock:
            slot = len(self.stats.data["requests_per_connection"]) - 1

        pending = bytearray()
        try:
            while not self.stopping.is_set():
                request = self.read_request(conn, pending)
                if request is None:
                    self.log("connection %d: idle or closed by the client" % number)
                    self.close_politely(conn)
                    return
                keep_open = self.answer(conn, request, number, slot)
                if not keep_open:
                    self.close_politely(conn)
                    return
        except ConnectionClosed:
            conn.close()
        except (ssl.SSLError, OSError):
            conn.close()

    def read_request(self, conn, pending):
        """Returns (method, target, headers, body), or None when the idle time
        ran out or the client closed between requests."""
        idle_ms = self.options.idle_close_ms
        conn.settimeout(idle_ms / 1000.0 if idle_ms else self.options.lifetime)
        while b"\r\n\r\n" not in pending:
            try:
                data = conn.recv(65536)
            except socket.timeout:
                return None
            if not data:
                return None
            pending += data
            # After the first byte the client gets ordinary patience.
            conn.settimeout(10)
        head, _, rest = bytes(pending).partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        body = bytearray(rest)
        while len(body) < length:
            data = conn.recv(65536)
            if not data:
                raise ConnectionClosed()
            body += data
        pending[:] = body[length:]
        return method, target, headers, bytes(body[:length])

    def close_politely(self, conn):
        # close_notify first, as a front end closing an idle keep-alive
        # connection does; the client's answering close_notify is not awaited.
        try:
            conn.settimeout(0.0)
            if isinstance(conn, ssl.SSLSocket):
                conn.unwrap()
        except (ssl.SSLError, OSError, ValueError):
            pass
        try:
            conn.close()
        except OSError:
            pass

    # ---- one request ---------------------------------------------------------

    def answer(self, conn, request, number, slot):
        method, target, headers, body = request
        expected_key = self.options.expect_key
        authorization = headers.get("authorization", "")
        record = {
            "connection": number,
            "method": method,
            "target": target,
            "host": headers.get("host", ""),
            "user_agent": headers.get("user-agent", ""),
            "content_type": headers.get("content-type", ""),
            "accept": headers.get("accept", ""),
            "body_bytes": len(body),
            "authorization_ok": (authorization == "Bearer " + expected_key) if expected_key else None,
            # CLOCK_MONOTONIC is one clock for every process here: benchmarks
            # compare it with the virtual Vector's own records.
            "received_at": time.monotonic(),
        }
        payload = None
        try:
            payload = json.loads(body.decode("utf-8"))
            record["model"] = payload.get("model")
            record["stream"] = payload.get("stream")
            record["messages"] = len(payload.get("messages", []))
            # What was sent back of the conversation, for the tests that
            # check it (roles, contents, and any field that should not be there).
            record["message_list"] = payload.get("messages", [])[:64]
            record["temperature"] = payload.get("temperature")
            record["max_tokens"] = payload.get("max_tokens")
            record["stream_options"] = payload.get("stream_options")
        except (ValueError, AttributeError):
            record["body_is_json"] = False

        def count_request(data):
            data["requests"] += 1
            data["requests_per_connection"][slot] += 1
            data["request_log"].append(record)

        self.stats.update(count_request)

        base = self.options.base_path.rstrip("/")
        if method != "POST" or not (target == base or target.startswith(base + "/")):
            self.send_status(conn, {"code": "404", "message": "no route for %s %s" % (method, target)})
            return not self.options.connection_close

        spec = self.take_response()
        kind = spec["kind"]
        record["response"] = kind
        self.log("connection %d: %s %s -> %s" % (number, method, target, spec))
        if kind in ("stream", "cut"):
            return self.send_transcript(conn, spec)
        if kind == "stall":
            self.send_head(conn, 200, "text/event-stream", chunked=True)
            self.wait_until_stopped(conn)
            return False
        if kind == "keepalive":
            self.send_head(conn, 200, "text/event-stream", chunked=True)
            interval = int(spec.get("interval_ms", "200")) / 1000.0
            while not self.stopping.is_set():
                self.send_chunk(conn, b": keep-alive\n\n")
                time.sleep(interval)
            return False
        if kind == "silent":
            self.wait_until_stopped(conn)
            return False
        if kind == "status":
            self.send_status(conn, spec)
            return not self.options.connection_close
        if kind == "answer":
            return self.send_composed_answer(conn, spec, payload, record)
        raise ValueError("unknown response kind '%s'" % kind)

    def wait_until_stopped(self, conn):
        # Hold the connection open without a byte, until the client gives up.
        conn.settimeout(0.2)
        while not self.stopping.is_set():
            try:
                if not conn.recv(65536):
                    return
            except socket.timeout:
                continue

    def head_lines(self, status, extra):
        lines = ["HTTP/1.1 %d %s" % (status, REASONS.get(status, "Status")),
                 "Server: fake-r1", "Date: %s" % time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime())]
        lines += extra
        if self.options.connection_close:
            lines.append("Connection: close")
        else:
            lines.append("Connection: keep-alive")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def send_head(self, conn, status, content_type, chunked=False, length=None, extra=()):
        fields = ["Content-Type: " + content_type, "Cache-Control: no-cache"] + list(extra)
        if chunked:
            fields.append("Transfer-Encoding: chunked")
        elif length is not None:
            fields.append("Content-Length: %d" % length)
        conn.sendall(self.head_lines(status, fields))

    def send_chunk(self, conn, data):
        conn.sendall(b"%x\r\n%s\r\n" % (len(data), data))

    def send_status(self, conn, spec):
        code = int(spec.get("code", "500"))
        if spec.get("body") == "deepseek_balance":
            body = DEEPSEEK_BALANCE_BODY
        else:
            message, error_type = STATUS_ERRORS.get(code, ("HTTP %d" % code, "server_error"))
            message = spec.get("message", message)
            body = json.dumps({"error": {"message": message, "type": error_type,
                                         "param": None, "code": "invalid_request_error"}},
                              separators=(",", ":")).encode("utf-8")
        extra = []
        if "retry_after" in spec:
            extra.append("Retry-After: %s" % spec["retry_after"])
        self.send_head(conn, code, "application/json", length=len(body), extra=extra)
        conn.sendall(body)

    def send_transcript(self, conn, spec):
        name = spec["transcript"]
        with open(os.path.join(self.options.transcripts, name + ".body"), "rb") as source:
            body = source.read()
        content_type = spec.get("content_type") or transcript_content_type(self.options.transcripts, name)
        framing = spec.get("framing", "chunked")
        cut_after = int(spec["after"]) if spec["kind"] == "cut" else None
        if framing == "chunked":
            self.send_head(conn, 200, content_type, chunked=True)
        elif framing == "length":
            self.send_head(conn, 200, content_type, length=len(body))
        elif framing == "close":
            self.send_head(conn, 200, content_type)
        else:
            raise ValueError("unknown framing '%s'" % framing)

        drip_ms = int(spec.get("drip_ms", "0"))
        gap = int(spec.get("gap_ms", "0")) / 1000.0
        piece = spec.get("piece", "line")
        if drip_ms:
            pieces = [body[i:i + 1] for i in range(len(body))]
            gap = drip_ms / 1000.0
        elif piece == "all":
            pieces = [body]
        elif piece == "line":
            pieces = body.splitlines(keepends=True)
        else:
            size = int(piece)
            pieces = [body[i:i + size] for i in range(0, len(body), size)]

        sent = 0
        for data in pieces:
            if cut_after is not None and sent + len(data) >= cut_after:
                data = data[:cut_after - sent]
                if data:
                    self.send_piece(conn, data, framing)
                self.close_abruptly(conn, spec.get("reset") == "1")
                raise ConnectionClosed()
            self.send_piece(conn, data, framing)
            sent += len(data)
            if gap:
                time.sleep(gap)
            if self.stopping.is_set():
                raise ConnectionClosed()
        if framing == "chunked":
            conn.sendall(b"0\r\n\r\n")
        self.log("response complete: %d body bytes" % sent)
        self.stats.update(lambda data: data.update(responses_completed=data["responses_completed"] + 1))
        if framing == "close" or spec.get("close_after") == "1":
            return False
        return not self.options.connection_close

    # How many answer chunks get their send time recorded (benchmarks look at
    # the first sentence; a 64 KB answer need not log every chunk).
    TIMED_ANSWER_CHUNKS = 64

    def send_composed_answer(self, conn, spec, payload, record):
        if "echo" in spec:
            question = ""
            for message in (payload or {}).get("messages", []):
                if message.get("role") == "user":
                    question = message.get("content", "")
            text = spec["echo"] + question
        else:
            text = spec.get("text", "")
        reasoning = spec.get("reasoning", "The user asks something. Let me think about it. "
                                          "I should answer briefly and clearly.")
        style = spec.get("style", "deepseek")
        delta = max(1, int(spec.get("delta", "7")))
        reasoning_pause = int(spec.get("reasoning_ms", "0")) / 1000.0
        gap = int(spec.get("gap_ms", "0")) / 1000.0
        model = (payload or {}).get("model", "deepseek-reasoner")

        def event(fields, finish=None):
            chunk = {"id": "fake", "object": "chat.completion.chunk", "model": model,
                     "choices": [{"index": 0, "delta": fields, "finish_reason": finish}]}
            return b"data: " + json.dumps(chunk).encode("utf-8") + b"\n\n"

        self.send_head(conn, 200, "text/event-stream", chunked=True)
        words = reasoning.split(" ")
        if "reasoning_bytes" in spec:
            total = int(spec["reasoning_bytes"])
            piece = (reasoning + " ") * (2048 // (len(reasoning) + 1) + 1)
            words = [piece[:min(2048, total - at)] for at in range(0, total, 2048)]
        separator = "" if "reasoning_bytes" in spec else " "
        for index, word in enumerate(words):
            piece = word + (separator if index + 1 < len(words) else "")
            if style == "together":
                self.send_chunk(conn, event({"content": piece}))
            else:
                self.send_chunk(conn, event({"content": None, "reasoning_content": piece}))
            if reasoning_pause:
                time.sleep(reasoning_pause)
            if self.stopping.is_set():
                raise ConnectionClosed()
        if style == "together":
            self.send_chunk(conn, event({"content": "</think>\n\n"}))
        cut_during = spec.get("cut_during")
        if cut_during == "reasoning":
            self.close_abruptly(conn, reset=False)
            raise ConnectionClosed()
        data = text.encode("utf-8")
        halfway = len(data) // 2
        malformed = spec.get("malformed") == "1"
        sent_at = []  # [answer bytes sent so far, when]
        at = 0
        while at < len(data):
            end = min(len(data), at + delta)
            # Never inside a UTF-8 character: JSON carries text, not bytes.
            while end < len(data) and (data[end] & 0xC0) == 0x80:
                end += 1
            if len(sent_at) < self.TIMED_ANSWER_CHUNKS:
                sent_at.append([end, time.monotonic()])  # before the send: the client may be quicker
            self.send_chunk(conn, event({"content": data[at:end].decode("utf-8")}))
            at = end
            if at >= halfway and cut_during == "answer":
                self.close_abruptly(conn, reset=False)
                raise ConnectionClosed()
            if at >= halfway and malformed:
                self.send_chunk(conn, b'data: {"choices":[{"delta":{"content":"unclosed}]\n\n')
                malformed = False
            if gap:
                time.sleep(gap)
            if self.stopping.is_set():
                raise ConnectionClosed()
        self.send_chunk(conn, event({"content": ""}, finish="stop"))
        usage = {"prompt_tokens": 20, "completion_tokens": 5 + len(words) + len(data) // 4,
                 "total_tokens": 25 + len(words) + len(data) // 4,
                 "completion_tokens_details": {"reasoning_tokens": len(words)}}
        self.send_chunk(conn, b"data: " + json.dumps({"id": "fake", "choices": [], "usage": usage}).encode()
                        + b"\n\n")
        self.send_chunk(conn, b"data: [DONE]\n\n")
        conn.sendall(b"0\r\n\r\n")

        def count_completed(data_):
            data_["responses_completed"] += 1
            record["answer_chunks_sent_at"] = sent_at

        self.stats.update(count_completed)
        return not self.options.connection_close

    def send_piece(self, conn, data, framing):
        if framing == "chunked":
            self.send_chunk(conn, data)
        else:
            conn.sendall(data)

    def close_abruptly(self, conn, reset):
        # No close_notify, no last chunk: the TCP connection just ends, as when
        # a proxy or the server process dies mid-answer.
        raw = socket.socket(fileno=os.dup(conn.fileno()))
        if reset:
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
        raw.close()


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pki", required=True, help="directory made by make_test_pki.sh")
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--stats-file")
    parser.add_argument("--cert", default=None,
                        help="localhost (default), wrong_name, unknown_ca, expired, not_yet_valid")
    parser.add_argument("--tls", default=None, choices=["any", "1.2", "1.3", "none"],
                        help="none: plain HTTP, no TLS")
    parser.add_argument("--lifetime", type=float, default=None, help="seconds (default 60)")
    parser.add_argument("--base-path", default=None, help="requests under it are answered (default /)")
    parser.add_argument("--transcripts", default=None)
    parser.add_argument("--idle-close-ms", type=int, default=None)
    parser.add_argument("--connection-close", action="store_true", default=None)
    parser.add_argument("--expect-key", default=None,
                        help="the API key the client must send (recorded as authorization_ok)")
    parser.add_argument("--log", action="store_true", help="one line per event on stderr")
    parser.add_argument("--scenario", help="JSON file: {\"responses\": [...], option: value}")
    parser.add_argument("--respond", action="append", default=[], metavar="KIND[:k=v,...]")
    options = parser.parse_args(argv)

    scenario = {}
    if options.scenario:
        with open(options.scenario) as source:
            scenario = json.load(source)
    defaults = {"cert": "localhost", "tls": "any", "lifetime": 60.0, "base_path": "/",
                "transcripts": DEFAULT_TRANSCRIPTS, "idle_close_ms": 0,
                "connection_close": False, "expect_key": None}
    for name, default in defaults.items():
        if getattr(options, name) is None:
            setattr(options, name, scenario.get(name, default))
    responses = [parse_response_spec(text) for text in options.respond]
    if not responses:
        responses = [{key: str(value) for key, value in item.items()}
                     for item in scenario.get("responses", [])]
    if not responses:
        responses = [{"kind": "stream", "transcript": "deepseek_reasoner"}]
    options.responses = responses
    return options


def main(argv):
    options = parse_arguments(argv)
    server = Server(options)

    def stop(_signal, _frame):
        server.stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve()
    finally:
        server.stopping.set()
        server.stats.write()
    # Connection threads may be asleep mid-drip: leave without waiting for them.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
