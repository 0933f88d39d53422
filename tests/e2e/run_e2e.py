#!/usr/bin/env python3
"""End-to-end tests of `vic-r1 ask --standalone` against fake_r1_server.py.

`ask --standalone` takes the path a spoken question takes on the robot (the
orchestrator, with a stand-in for vic-anim), so these test that path with the
real HTTPS client; messages name the provider ("HTTP 503 from DeepSeek").

Each test is one scenario: it makes a throw-away PKI, starts the fake server
(OpenSSL, on 127.0.0.1, bounded lifetime, killed on exit), writes a config and
a key file (0600) into a temporary directory, runs the real binary (through
the emulator for the robot build) and checks the exact outcome: exit status,
stdout byte for byte, the message on stderr, and what the server counted.

usage: run_e2e.py SCENARIO VIC_R1_BINARY [RUNNER...]
       run_e2e.py --list
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TRANSCRIPTS = os.path.normpath(os.path.join(HERE, "..", "transcripts"))
sys.path.insert(0, HERE)

from r1_server_process import API_KEY, Server, ServerDidNotStart, make_pki, write_key_file  # noqa: E402

QUESTION = "How far away is the Moon?"

# Exit statuses of `vic-r1 ask` (agent/cli/ask_command.h).
EXIT_OK, EXIT_CONFIG, EXIT_UNREACHABLE, EXIT_TLS, EXIT_TIMEOUT = 0, 10, 11, 12, 13
EXIT_HTTP_STATUS, EXIT_STREAM, EXIT_ONLY_REASONING, EXIT_CANCELLED = 14, 15, 16, 130

# Every process a test starts is bounded: the server by its own lifetime
# (r1_server_process.SERVER_LIFETIME_S), the client by this (well under
# CTest's timeout for the test).
CLIENT_TIMEOUT_S = 45


class TestFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise TestFailure(message)


def answer_of(name):
    with open(os.path.join(TRANSCRIPTS, name + ".answer"), "rb") as source:
        return source.read()


def reasoning_of(name):
    """The reasoning_content a transcript carries, joined."""
    text = ""
    with open(os.path.join(TRANSCRIPTS, name + ".body"), encoding="utf-8") as source:
        for line in source.read().split("\n"):
            if line.startswith("data: {"):
                for choice in json.loads(line[6:]).get("choices", []):
                    text += choice.get("delta", {}).get("reasoning_content") or ""
    return text


class Result:
    def __init__(self, status, out, err, seconds):
        self.status = status
        self.out = out
        self.err = err.decode("utf-8", "replace")
        self.seconds = seconds

    def __str__(self):
        return "exit %d after %.2f s\n--- stdout\n%r\n--- stderr\n%s" % (
            self.status, self.seconds, self.out, self.err)


class Case:
    def __init__(self, binary, runner):
        self.binary = binary
        self.runner = runner
        self.dir = tempfile.mkdtemp(prefix="vic-r1-e2e-")
        self.pki = os.path.join(self.dir, "pki")
        self.servers = []
        self.server_count = 0
        make_pki(self.pki)
        self.key_file = os.path.join(self.dir, "api-key")
        write_key_file(self.key_file)

    def next_server_number(self):
        self.server_count += 1
        return self.server_count

    def close(self):
        for server in self.servers:
            server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def server(self, *responses, **options):
        return Server(self, responses, **options)

    def config(self, port, host="localhost", timeouts=None, scheme="https", **extra):
        config = {
            "provider": "deepseek",
            "base_url": "%s://%s:%d" % (scheme, host, port),
            "api_key_file": self.key_file,
            "ca_file": os.path.join(self.pki, "ca.pem"),
            "state_dir": self.dir,
            "timeouts_ms": timeouts or {},
        }
        config.update(extra)
        path = os.path.join(self.dir, "config.json")
        with open(path, "w") as out:
            json.dump(config, out, indent=1)
        return path

    def ask(self, config, *options, question=QUESTION, interrupt_after=None):
        command = self.runner + [self.binary, "ask", "--standalone", "--config", config] + list(options)
        command.append(question)
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if interrupt_after is not None:
            time.sleep(interrupt_after)
            process.send_signal(signal.SIGINT)
        try:
            out, err = process.communicate(timeout=CLIENT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
            raise TestFailure("vic-r1 ask did not end within %d s:\n%s" % (
                CLIENT_TIMEOUT_S, Result(-1, out, err, CLIENT_TIMEOUT_S)))
        return Result(process.returncode, out, err, time.monotonic() - started)


    def doctor(self, config, *options):
        """`vic-r1 doctor` with no service running (its socket directory is
        the case's own, empty)."""
        command = self.runner + [self.binary, "doctor", "--config", config, "--socket-dir", self.dir] + list(options)
        started = time.monotonic()
        result = subprocess.run(command, capture_output=True, timeout=CLIENT_TIMEOUT_S)
        return Result(result.returncode, result.stdout, result.stderr, time.monotonic() - started)


def doctor_lines(result):
    """{check name: (verdict, rest of the line)} of doctor's text output."""
    lines = {}
    for line in result.out.decode("utf-8", "replace").splitlines():
        verdict, _, rest = line.partition(" ")
        name, _, detail = rest.strip().partition(": ")
        lines[name] = (verdict, detail)
    return lines


def expect(result, status, out=None, err_contains=(), err_lacks=()):
    problems = []
    if result.status != status:
        problems.append("exit status %d, expected %d" % (result.status, status))
    if out is not None and result.out != out:
        problems.append("stdout differs from the expected %r" % out)
    for text in err_contains:
        if text not in result.err:
            problems.append("stderr lacks %r" % text)
    for text in err_lacks:
        if text in result.err:
            problems.append("stderr has %r" % text)
    check(not problems, "; ".join(problems) + "\n" + str(result))


def timing_lines(result):
    return [line for line in result.err.splitlines() if "first answer byte" in line]


# ---- Scenarios ------------------------------------------------------------
# Each takes a Case and raises TestFailure with the evidence when it fails.

def valid_certificate_streams_the_answer(case):
    with case.server("stream:transcript=deepseek_reasoner") as server:
        result = case.ask(case.config(server.port))
        expect(result, EXIT_OK, out=answer_of("deepseek_reasoner"),
               err_contains=["connection new", "attempts 1"])
        check(len(timing_lines(result)) == 1, "one timing line expected:\n%s" % result)
        check("reasoning" not in result.err.lower() and "Okay, the user" not in result.err,
              "reasoning leaked to stderr without --show-reasoning:\n%s" % result)
        stats = server.stats()
        check(stats["handshakes"] == 1 and stats["requests"] == 1, "server counted %s" % stats)
        request = stats["request_log"][0]
        check(request["target"] == "/chat/completions", "target %r" % request["target"])
        check(request["authorization_ok"] is True, "the server did not get the key as a Bearer token")
        check(request["user_agent"].startswith("vic-r1/"), "User-Agent %r" % request["user_agent"])
        check(request["host"] == "localhost:%d" % server.port, "Host %r" % request["host"])
        check(request["model"] == "deepseek-reasoner" and request["stream"] is True,
              "request body: model %r, stream %r" % (request.get("model"), request.get("stream")))
        check(stats["alpn"] == {"http/1.1": 1}, "ALPN: %s" % stats["alpn"])
        check(API_KEY not in result.err, "the API key appeared on stderr")


def show_reasoning_writes_it_to_stderr(case):
    with case.server("stream:transcript=deepseek_reasoner") as server:
        result = case.ask(case.config(server.port), "--show-reasoning")
        expect(result, EXIT_OK, out=answer_of("deepseek_reasoner"))
        reasoning = reasoning_of("deepseek_reasoner")
        check(reasoning and reasoning in result.err, "the reasoning is not on stderr:\n%s" % result)
        check("\x1b[" not in result.err, "escape codes on stderr that is not a terminal")


def content_length_body(case):
    with case.server("stream:transcript=deepseek_reasoner,framing=length,piece=all") as server:
        expect(case.ask(case.config(server.port)), EXIT_OK, out=answer_of("deepseek_reasoner"))


def close_delimited_body(case):
    with case.server("stream:transcript=together_inline,framing=close") as server:
        expect(case.ask(case.config(server.port)), EXIT_OK, out=answer_of("together_inline"))


def ndjson_by_content_type(case):
    with case.server("stream:transcript=ollama_native") as server:
        result = case.ask(case.config(server.port))
        expect(result, EXIT_OK, out=answer_of("ollama_native"))


def ip_address_certificate(case):
    with case.server("stream:transcript=deepseek_reasoner") as server:
        result = case.ask(case.config(server.port, host="127.0.0.1"))
        expect(result, EXIT_OK, out=answer_of("deepseek_reasoner"))


def wrong_host_name_is_refused(case):
    with case.server("stream:transcript=deepseek_reasoner", cert="wrong_name") as server:
        result = case.ask(case.config(server.port))
        expect(result, EXIT_TLS, out=b"", err_contains=["TLS verification failed", "host name"])
        check(server.stats()["requests"] == 0, "a request reached a server with the wrong name")


def unknown_ca_is_refused(case):
    with case.server("stream:transcript=deepseek_reasoner", cert="unknown_ca") as server:
        result = case.ask(case.config(server.port))
        expect(result, EXIT_TLS, out=b"", err_contains=["TLS verification failed", "not signed by a CA"])
        check(server.stats()["requests"] == 0, "a request reached a server of an unknown CA")


def expired_certificate_blames_the_clock_too(case):
    with case.server("stream:transcript=deepseek_reasoner", cert="expired") as server:
        result = case.ask(case.config(server.port))
        expect(result, EXIT_TLS, out=b"", err_contains=["certificate expired or the robot's clock is wrong"])
        check(server.stats()["requests"] == 0, "a request reached a server with an expired certificate")


def not_yet_valid_certificate_blames_the_clock(case):
    with case.server("stream:transcript=deepseek_reasoner", cert="not_yet_valid") as server:
        result = case.ask(case.config(server.port))
        expect(result, EXIT_TLS, out=b"", err_contains=["not yet valid", "clock"])


def tls12_only_server(case):
    with case.server("stream:transcript=deepseek_reasoner", tls="1.2") as server:
        result = case.ask(case.config(server.port))
        expect(result, EXIT_OK, out=answer_of("deepseek_reasoner"), err_contains=["TLSv1.2 full"])
        check(server.stats()["protocols"] == {"TLSv1.2": 1}, "protocols %s" % server.stats()["protocols"])


def tls13_only_server(case):
    with case.server("stream:transcript=deepseek_reasoner", tls="1.3") as server:
        result = case.ask(case.config(server.port))
        expect(result, EXIT_OK, out=answer_of("deepseek_reasoner"), err_contains=["TLSv1.3 full"])
        check(server.stats()["protocols"] == {"TLSv1.3": 1}, "protocols %s" % server.stats()["protocols"])


def slow_drip_gives_the_whole_answer(case):
    # One byte per TLS record and per HTTP chunk, every millisecond; the
    # data-idle deadline is short, so only data events can keep it alive.
    with case.server("stream:transcript=deepseek_reasoner,drip_ms=1") as server:
        config = case.config(server.port, timeouts={"data_idle": 2000, "overall": 60000})
        expect(case.ask(config), EXIT_OK, out=answer_of("deepseek_reasoner"))


def stall_after_headers_times_out(case):
    with case.server("stall") as server:
        config = case.config(server.port, timeouts={"response_headers": 2000, "data_idle": 1500})
        result = case.ask(config)
        expect(result, EXIT_TIMEOUT, out=b"", err_contains=["timed out waiting for data (no data for 1.5 s)"],
               err_lacks=["keep-alive"])
        check(1.4 <= result.seconds < 10, "gave up after %.2f s, expected about 1.5 s" % result.seconds)


def no_response_headers_times_out(case):
    with case.server("silent") as server:
        config = case.config(server.port, timeouts={"response_headers": 1500, "data_idle": 5000})
        result = case.ask(config)
        expect(result, EXIT_TIMEOUT, out=b"",
               err_contains=["timed out waiting for the response headers (none in 1.5 s)"])
        check(1.4 <= result.seconds < 10, "gave up after %.2f s, expected about 1.5 s" % result.seconds)


def keepalive_comments_do_not_reset_the_idle_deadline(case):
    with case.server("keepalive:interval_ms=200") as server:
        config = case.config(server.port, timeouts={"response_headers": 2000, "data_idle": 1500})
        result = case.ask(config)
        expect(result, EXIT_TIMEOUT, out=b"",
               err_contains=["timed out waiting for data (no data for 1.5 s; only keep-alive comments)"])
        # Comments every 200 ms: had they reset the deadline, it would never fire.
        check(1.4 <= result.seconds < 10, "gave up after %.2f s, expected about 1.5 s" % result.seconds)


def overall_deadline_ends_a_trickle(case):
    # Data keeps coming (an event every 600 ms, so the idle deadline never
    # fires), but the whole answer would take 6.6 s.
    with case.server("stream:transcript=together_inline,gap_ms=300") as server:
        config = case.config(server.port, timeouts={"data_idle": 2000, "overall": 4000})
        result = case.ask(config)
        expect(result, EXIT_TIMEOUT, err_contains=["no complete answer within 4 s (the overall deadline"])
        check(3.9 <= result.seconds < 12, "gave up after %.2f s, expected about 4 s" % result.seconds)


def close_mid_stream_is_a_stream_error(case):
    with case.server("cut:transcript=deepseek_reasoner,after=2600") as server:
        result = case.ask(case.config(server.port))
        expect(result, EXIT_STREAM, err_contains=["broke before the response was complete",
                                                  "closed the connection in the middle of the response"])


def reset_mid_stream_is_a_stream_error(case):
    with case.server("cut:transcript=deepseek_reasoner,after=2600,reset=1") as server:
        result = case.ask(case.config(server.port))
        expect(result, EXIT_STREAM, err_contains=["broke before the response was complete"])


def complete_http_but_cut_stream_is_cut_short(case):
    # The HTTP message is whole (Content-Length), the SSE stream inside is not.
    with case.server("stream:transcript=cut_mid_answer,framing=length") as server:
        result = case.ask(case.config(server.port))
        expect(result, EXIT_STREAM, out=answer_of("cut_mid_answer"), err_contains=["vic-r1 ask: "])


def error_inside_a_200_stream(case):
    with case.server("stream:transcript=openrouter_error_after_200") as server:
        result = case.ask(case.config(server.port))
        expect(result, EXIT_STREAM, out=answer_of("openrouter_error_after_200"), err_contains=["vic-r1 ask: "])


def answer_only_in_reasoning_is_flagged(case):
    with case.server("stream:transcript=answer_misrouted_to_reasoning") as server:
        result = case.ask(case.config(server.port))
        expect(result, EXIT_ONLY_REASONING, out=b"", err_contains=["reasoning"])


def key_file_open_to_others_is_refused(case):
    os.chmod(case.key_file, 0o644)
    with case.server("stream:transcript=deepseek_reasoner") as server:
        result = case.ask(case.config(server.port))
        expect(result, EXIT_CONFIG, out=b"", err_contains=[case.key_file])
        check(API_KEY not in result.err, "the API key appeared on stderr")
        check(server.stats()["connections"] == 0, "it connected with a refused key file")


def rate_limited_then_answered(case):
    with case.server("status:code=429,retry_after=1", "stream:transcript=deepseek_reasoner") as server:
        result = case.ask(case.config(server.port))
        expect(result, EXIT_OK, out=answer_of("deepseek_reasoner"), err_contains=["attempts 2"])
        check(result.seconds >= 1.0, "did not wait for Retry-After (%.2f s)" % result.seconds)
        stats = server.stats()
        check(stats["requests"] == 2, "server counted %d requests" % stats["requests"])
        # The 429 came with a reusable connection: the retry used it.
        check(stats["connections"] == 1, "retry opened a new connection: %s" % stats)


def overloaded_retries_are_bounded(case):
    with case.server("status:code=503,retry_after=1") as server:
        result = case.ask(case.config(server.port))
        expect(result, EXIT_HTTP_STATUS, out=b"",
               err_contains=["HTTP 503 from DeepSeek: The server is overloaded", "attempts 3"])
        check(server.stats()["requests"] == 3, "requests: %d" % server.stats()["requests"])


def insufficient_balance_is_reported(case):
    with case.server("status:code=402,body=deepseek_balance") as server:
        result = case.ask(case.config(server.port))
        expect(result, EXIT_HTTP_STATUS, out=b"",
               err_contains=["vic-r1 ask: failed: HTTP 402 from DeepSeek: Insufficient Balance"])
        check(server.stats()["requests"] == 1, "a 402 was retried")


def bad_key_is_reported(case):
    with case.server("status:code=401") as server:
        result = case.ask(case.config(server.port))
        expect(result, EXIT_HTTP_STATUS, out=b"", err_contains=["HTTP 401 from DeepSeek: Authentication Fails"])
        check(API_KEY not in result.err, "the API key appeared on stderr")


def server_echoing_the_key_is_redacted(case):
    with case.server("status:code=400,message=bad header Bearer " + API_KEY) as server:
        result = case.ask(case.config(server.port))
        expect(result, EXIT_HTTP_STATUS, err_contains=["HTTP 400 from DeepSeek: bad header [redacted]"])
        check(API_KEY not in result.err, "the API key appeared on stderr")


def unknown_model_is_reported(case):
    with case.server("status:code=404") as server:
        result = case.ask(case.config(server.port))
        expect(result, EXIT_HTTP_STATUS, out=b"", err_contains=["HTTP 404 from DeepSeek: Model Not Exist"])


def fallback_provider_answers_after_the_first_fails(case):
    # Before the first answer byte any failure sends the question on to the
    # next provider the config lists, as on the robot.
    with case.server("status:code=402,body=deepseek_balance") as main, \
            case.server("stream:transcript=together_inline") as fallback:
        write_key_file(os.path.join(case.dir, "api-key.together"))
        config = case.config(main.port, fallbacks=[
            {"provider": "together", "base_url": "https://localhost:%d" % fallback.port}])
        result = case.ask(config)
        expect(result, EXIT_OK, out=answer_of("together_inline"),
               err_contains=["vic-r1 ask: gave up: HTTP 402 from DeepSeek: Insufficient Balance"])
        check(main.stats()["requests"] == 1 and fallback.stats()["requests"] == 1,
              "requests: main %d, fallback %d" % (main.stats()["requests"], fallback.stats()["requests"]))
        request = fallback.stats()["request_log"][0]
        check(request["model"] == "deepseek-ai/DeepSeek-R1", "the fallback was asked for %r" % request["model"])


def connection_refused(case):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    result = case.ask(case.config(port, host="127.0.0.1"))
    expect(result, EXIT_UNREACHABLE, out=b"", err_contains=["DeepSeek refused the connection"])


def plain_http_to_loopback_answers(case):
    """http:// to a server on this machine (a local model server without a
    TLS proxy): the answer streams, and nothing is encrypted."""
    with case.server("stream:transcript=deepseek_reasoner", tls="none") as server:
        result = case.ask(case.config(server.port, host="127.0.0.1", scheme="http"))
        expect(result, EXIT_OK, out=answer_of("deepseek_reasoner"),
               err_contains=["TLS -,", "connection new, unencrypted, attempts 1"])
        stats = server.stats()
        check(stats["requests"] == 1 and stats["protocols"] == {"plain": 1}, "server counted %s" % stats)
        check(stats["request_log"][0]["host"] == "127.0.0.1:%d" % server.port,
              "Host %r" % stats["request_log"][0]["host"])


def plain_http_to_a_public_address_is_refused_before_connecting(case):
    """A documentation address (TEST-NET-3): refused once resolved, so no
    packet leaves; with a reason and the fix."""
    result = case.ask(case.config(8080, host="203.0.113.5", scheme="http"))
    expect(result, EXIT_UNREACHABLE, out=b"",
           err_contains=["refused to send the question unencrypted", "resolves to 203.0.113.5",
                         "not on the local network", "use https://"])


def ten_questions_one_handshake(case):
    with case.server("stream:transcript=deepseek_reasoner") as server:
        result = case.ask(case.config(server.port), "--repeat", "10")
        answer = answer_of("deepseek_reasoner")
        expect(result, EXIT_OK, out=(answer + b"\n") * 10, err_contains=["TLS handshakes: 1 full, 0 resumed"])
        lines = timing_lines(result)
        check(len(lines) == 10, "%d timing lines" % len(lines))
        check(all("connection reused" in line for line in lines[1:]), "\n".join(lines))
        stats = server.stats()
        check(stats["connections"] == 1 and stats["full_handshakes"] == 1 and stats["requests"] == 10,
              "server counted %s" % {k: stats[k] for k in ("connections", "full_handshakes", "requests")})


def idle_closed_connection_reconnects_and_resumes(case):
    # The server closes a connection idle for 300 ms; the client waits 800 ms
    # between questions, so every later question finds its connection closed.
    with case.server("stream:transcript=deepseek_reasoner", idle_close_ms=300) as server:
        result = case.ask(case.config(server.port), "--repeat", "3", "--pause-ms", "800")
        answer = answer_of("deepseek_reasoner")
        expect(result, EXIT_OK, out=(answer + b"\n") * 3, err_contains=["TLS handshakes: 1 full, 2 resumed"])
        lines = timing_lines(result)
        check(all("connection reconnected" in line and "resumed" in line for line in lines[1:]),
              "\n".join(lines))
        stats = server.stats()
        check(stats["full_handshakes"] == 1 and stats["resumed_handshakes"] == 2 and stats["requests"] == 3,
              "server counted %s" % stats)


def tls12_reconnect_resumes_too(case):
    with case.server("stream:transcript=deepseek_reasoner", idle_close_ms=300, tls="1.2") as server:
        result = case.ask(case.config(server.port), "--repeat", "2", "--pause-ms", "800")
        expect(result, EXIT_OK, err_contains=["TLS handshakes: 1 full, 1 resumed"])
        stats = server.stats()
        check(stats["full_handshakes"] == 1 and stats["resumed_handshakes"] == 1, "server counted %s" % stats)


def closed_right_after_the_answer_reconnects(case):
    # The server says keep-alive but hangs up right after each answer: the
    # next question races the close and must still get through, once each.
    with case.server("stream:transcript=deepseek_reasoner,close_after=1") as server:
        result = case.ask(case.config(server.port), "--repeat", "3")
        expect(result, EXIT_OK, out=(answer_of("deepseek_reasoner") + b"\n") * 3)
        stats = server.stats()
        check(stats["requests"] == 3 and stats["connections"] == 3, "server counted %s" % stats)


def preconnect_then_question(case):
    with case.server("stream:transcript=deepseek_reasoner") as server:
        result = case.ask(case.config(server.port), "--preconnect")
        expect(result, EXIT_OK, out=answer_of("deepseek_reasoner"),
               err_contains=["connect -, TLS -", "connection pre-connected"])
        check(server.stats()["handshakes"] == 1, "server counted %s" % server.stats())


def interrupt_cancels_at_once(case):
    with case.server("keepalive:interval_ms=200") as server:
        config = case.config(server.port, timeouts={"data_idle": 30000})
        result = case.ask(config, interrupt_after=2.0)
        expect(result, EXIT_CANCELLED, out=b"", err_contains=["vic-r1 ask: cancelled"])
        check(result.seconds < 8, "took %.2f s to stop after the interrupt" % result.seconds)


def doctor_checks_a_healthy_server_step_by_step(case):
    with case.server("stream:transcript=deepseek_reasoner") as server:
        result = case.doctor(case.config(server.port))
        lines = doctor_lines(result)
        for name in ("config", "DeepSeek key file", "DeepSeek CA bundle", "DeepSeek DNS, TCP and TLS",
                     "DeepSeek key accepted"):
            check(lines.get(name, ("missing",))[0] == "ok", "%s is not ok:\n%s" % (name, result))
        # No service runs here: that is the one failure, with its fix.
        check(lines.get("service", ("missing",))[0] == "failed" and "systemctl start vic-r1" in lines["service"][1],
              "the missing service should fail with its fix:\n%s" % result)
        check(result.status == 1, "exit %d, expected 1 (a check failed)" % result.status)
        check(lines.get("clock", ("missing",))[0] in ("ok", "warning"), "clock:\n%s" % result)
        stats = server.stats()
        check(stats["requests"] == 1, "the key check should send one request: %s" % stats)
        check(stats["request_log"][0]["max_tokens"] == 1, "the key check asked for more than one token: %s"
              % stats["request_log"][0])
        check(API_KEY.encode() not in result.out and API_KEY not in result.err, "the API key appeared")


def doctor_names_a_refused_key_with_its_fix(case):
    with case.server("status:code=401") as server:
        result = case.doctor(case.config(server.port))
        verdict, detail = doctor_lines(result).get("DeepSeek key accepted", ("missing", ""))
        check(verdict == "failed" and "HTTP 401" in detail and "write a valid API key" in detail,
              "a refused key should fail with its fix:\n%s" % result)
        check(API_KEY.encode() not in result.out, "the API key appeared")


def doctor_names_a_bad_certificate(case):
    with case.server("stream:transcript=deepseek_reasoner", cert="wrong_name") as server:
        result = case.doctor(case.config(server.port))
        verdict, detail = doctor_lines(result).get("DeepSeek TLS", ("missing", ""))
        check(verdict == "failed" and "host name" in detail, "a wrong certificate should fail TLS:\n%s" % result)
        check(server.stats()["requests"] == 0, "a request reached a server with the wrong name")


def doctor_names_a_dns_failure(case):
    result = case.doctor(case.config(443, host="no-such-host.invalid", timeouts={"dns": 3000}))
    # Not found, or no resolver answering within the deadline: a DNS failure either way.
    verdict, detail = doctor_lines(result).get("DeepSeek DNS", ("missing", ""))
    check(verdict == "failed" and "Wi-Fi and DNS" in detail, "an unknown host should fail DNS:\n%s" % result)


def doctor_says_a_plain_http_link_is_unencrypted(case):
    with case.server("stream:transcript=deepseek_reasoner", tls="none") as server:
        result = case.doctor(case.config(server.port, host="127.0.0.1", scheme="http"))
        verdict, detail = doctor_lines(result).get("DeepSeek DNS and TCP", ("missing", ""))
        check(verdict == "warning" and "unencrypted (http://)" in detail and "use https://" in detail,
              "doctor should warn that the link is unencrypted:\n%s" % result)
        check(doctor_lines(result).get("DeepSeek key accepted", ("missing",))[0] == "ok",
              "the key check over http:// should pass:\n%s" % result)


def doctor_json_lists_every_check(case):
    with case.server("stream:transcript=deepseek_reasoner") as server:
        result = case.doctor(case.config(server.port), "--json")
        report = json.loads(result.out)
        names = [c["name"] for c in report["checks"]]
        check(names[:2] == ["config", "firmware"] and "DeepSeek key accepted" in names,
              "checks %r" % names)
        check(report["failed"] == sum(c["verdict"] == "failed" for c in report["checks"]) >= 1,
              "counts %r" % report)


SCENARIOS = {function.__name__: function for function in [
    valid_certificate_streams_the_answer,
    show_reasoning_writes_it_to_stderr,
    content_length_body,
    close_delimited_body,
    ndjson_by_content_type,
    ip_address_certificate,
    wrong_host_name_is_refused,
    unknown_ca_is_refused,
    expired_certificate_blames_the_clock_too,
    not_yet_valid_certificate_blames_the_clock,
    tls12_only_server,
    tls13_only_server,
    slow_drip_gives_the_whole_answer,
    stall_after_headers_times_out,
    no_response_headers_times_out,
    keepalive_comments_do_not_reset_the_idle_deadline,
    overall_deadline_ends_a_trickle,
    close_mid_stream_is_a_stream_error,
    reset_mid_stream_is_a_stream_error,
    complete_http_but_cut_stream_is_cut_short,
    error_inside_a_200_stream,
    answer_only_in_reasoning_is_flagged,
    key_file_open_to_others_is_refused,
    rate_limited_then_answered,
    overloaded_retries_are_bounded,
    insufficient_balance_is_reported,
    bad_key_is_reported,
    server_echoing_the_key_is_redacted,
    unknown_model_is_reported,
    fallback_provider_answers_after_the_first_fails,
    connection_refused,
    plain_http_to_loopback_answers,
    plain_http_to_a_public_address_is_refused_before_connecting,
    doctor_says_a_plain_http_link_is_unencrypted,
    ten_questions_one_handshake,
    idle_closed_connection_reconnects_and_resumes,
    tls12_reconnect_resumes_too,
    closed_right_after_the_answer_reconnects,
    preconnect_then_question,
    interrupt_cancels_at_once,
    doctor_checks_a_healthy_server_step_by_step,
    doctor_names_a_refused_key_with_its_fix,
    doctor_names_a_bad_certificate,
    doctor_names_a_dns_failure,
    doctor_json_lists_every_check,
]}


def main(argv):
    if argv[:1] == ["--list"]:
        print("\n".join(SCENARIOS))
        return 0
    if len(argv) < 2 or argv[0] not in SCENARIOS:
        sys.stderr.write(__doc__.split("\n\n", 1)[1])
        return 2
    scenario, binary, runner = SCENARIOS[argv[0]], argv[1], argv[2:]
    case = Case(binary, runner)
    try:
        scenario(case)
    except (TestFailure, ServerDidNotStart) as failure:
        print("FAIL %s: %s" % (argv[0], failure))
        for server in case.servers:
            print("--- server %d log\n%s" % (server.number, server.log()))
        return 1
    finally:
        case.close()
    print("PASS %s" % argv[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
