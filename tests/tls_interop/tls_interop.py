#!/usr/bin/env python3
"""vic-r1's TLS client against OpenSSL's own server, `openssl s_server`, in
the configurations people really run: RSA and ECDSA (P-256, P-384) keys,
TLS 1.3 only, TLS 1.2 only with OpenSSL's default signature algorithms,
chains through intermediates, in order or not (Mbed TLS with our patch,
toolchains/patches/), ChaCha20 only. One must fail as an untrusted
certificate, with its cause: a server that leaves out its intermediate.

usage: tls_interop.py VIC_R1_BINARY [RUNNER...]

Each row starts one s_server on loopback with a throw-away PKI and runs
`vic-r1 doctor --json` against it. The row's outcome is doctor's
"DNS, TCP and TLS" check (connected, certificate verified) or its "TLS"
check (failed, and why). It prints one line per row and exits 1 if any row
differs from what it expects.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

DOCTOR_TIMEOUT_S = 120
SERVER_START_S = 15

CA_EXTENSIONS = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
LEAF_EXTENSIONS = ("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                   "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost\n")


def openssl(*arguments, cwd):
    completed = subprocess.run(["openssl"] + list(arguments), cwd=cwd, capture_output=True, text=True, timeout=60)
    if completed.returncode != 0:
        raise RuntimeError("openssl %s: %s" % (" ".join(arguments), completed.stderr.strip()))


def make_key(name, kind, cwd):
    options = {"rsa": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
               "p256": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
               "p384": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"]}[kind]
    openssl("genpkey", *options, "-out", name + ".key", cwd=cwd)


def sign(name, issuer, kind, extensions, cwd):
    """name.pem for a new key of `kind`, signed by `issuer` (None: self-signed)."""
    make_key(name, kind, cwd)
    with open(os.path.join(cwd, name + ".ext"), "w") as out:
        out.write(extensions)
    if issuer is None:
        openssl("req", "-x509", "-new", "-key", name + ".key", "-subj", "/CN=vic-r1 interop " + name, "-days", "30",
                "-sha256", "-extensions", "v3", "-config", write_req_config(name, extensions, cwd),
                "-out", name + ".pem", cwd=cwd)
        return
    openssl("req", "-new", "-key", name + ".key", "-subj", "/CN=" + ("localhost" if "leaf" in name else
                                                                     "vic-r1 interop " + name),
            "-out", name + ".csr", cwd=cwd)
    openssl("x509", "-req", "-in", name + ".csr", "-CA", issuer + ".pem", "-CAkey", issuer + ".key",
            "-CAcreateserial", "-days", "30", "-sha256", "-extfile", name + ".ext", "-out", name + ".pem", cwd=cwd)


def write_req_config(name, extensions, cwd):
    path = os.path.join(cwd, name + ".cnf")
    with open(path, "w") as out:
        out.write("[req]\ndistinguished_name=dn\n[dn]\n[v3]\n" + extensions)
    return path


def concatenate(cwd, target, *names):
    with open(os.path.join(cwd, target), "w") as out:
        for name in names:
            with open(os.path.join(cwd, name + ".pem")) as source:
                out.write(source.read())
    return target


def make_pki(cwd):
    """root -> intermediate -> leaves of each key type; root -> upper ->
    lower -> leaf for the two-step chain."""
    sign("root", None, "rsa", CA_EXTENSIONS, cwd)
    sign("intermediate", "root", "p256", CA_EXTENSIONS, cwd)
    for kind in ("rsa", "p256", "p384"):
        sign("leaf_" + kind, "intermediate", kind, LEAF_EXTENSIONS, cwd)
    sign("upper", "root", "p256", CA_EXTENSIONS, cwd)
    sign("lower", "upper", "p256", CA_EXTENSIONS, cwd)
    sign("leaf_deep", "lower", "p256", LEAF_EXTENSIONS, cwd)
    concatenate(cwd, "chain_in_order.pem", "lower", "upper")
    concatenate(cwd, "chain_out_of_order.pem", "upper", "lower")


# name, s_server arguments (after -cert/-key), leaf, chain file, expected:
# "connects" or the fragment the TLS failure must contain.
ROWS = [
    ("rsa_tls13_only", ["-tls1_3"], "leaf_rsa", "intermediate.pem", "connects"),
    ("rsa_tls12_only_default_sigalgs", ["-tls1_2"], "leaf_rsa", "intermediate.pem", "connects"),
    ("ecdsa_p256_tls13_only", ["-tls1_3"], "leaf_p256", "intermediate.pem", "connects"),
    ("ecdsa_p256_tls12_only", ["-tls1_2"], "leaf_p256", "intermediate.pem", "connects"),
    ("ecdsa_p384_tls13_only", ["-tls1_3"], "leaf_p384", "intermediate.pem", "connects"),
    ("ecdsa_p384_tls12_only", ["-tls1_2"], "leaf_p384", "intermediate.pem", "connects"),
    ("two_intermediates_in_order", [], "leaf_deep", "chain_in_order.pem", "connects"),
    # The issuer before the certificate it issued: found all the same.
    ("two_intermediates_out_of_order", [], "leaf_deep", "chain_out_of_order.pem", "connects"),
    ("chacha20_only_tls13", ["-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"], "leaf_p256",
     "intermediate.pem", "connects"),
    ("chacha20_only_tls12", ["-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305"], "leaf_p256",
     "intermediate.pem", "connects"),
    ("intermediate_left_out", [], "leaf_p256", None, "is not signed by a CA in the configured ca_file"),
]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port):
    with socket.socket() as connection:
        return connection.connect_ex(("127.0.0.1", port)) == 0


def run_row(row, binary, runner, cwd):
    name, options, leaf, chain, expected = row
    port = free_port()
    command = ["openssl", "s_server", "-accept", "127.0.0.1:%d" % port, "-cert", leaf + ".pem",
               "-key", leaf + ".key", "-www", "-quiet"] + options
    if chain:
        command += ["-cert_chain", chain]
    server = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + SERVER_START_S
        while not listening(port):
            if server.poll() is not None or time.monotonic() > deadline:
                return False, "s_server did not start: " + server.stderr.read().decode(errors="replace")
            time.sleep(0.05)
        config = os.path.join(cwd, name + ".json")
        with open(config, "w") as out:
            json.dump({"provider": "deepseek", "base_url": "https://localhost:%d" % port,
                       "api_key_file": os.path.join(cwd, "api-key"), "ca_file": os.path.join(cwd, "root.pem"),
                       "state_dir": cwd, "timeouts_ms": {"response_headers": 3000, "tls_handshake": 10000}}, out)
        doctor = subprocess.run(runner + [binary, "doctor", "--json", "--config", config, "--socket-dir", cwd],
                                capture_output=True, timeout=DOCTOR_TIMEOUT_S)
        checks = {check["name"]: check for check in json.loads(doctor.stdout)["checks"]}
    finally:
        server.kill()
        server.wait()
    connected = checks.get("DeepSeek DNS, TCP and TLS", {}).get("verdict") == "ok"
    failure = checks.get("DeepSeek TLS", {})
    if expected == "connects":
        return connected, ("connected, certificate verified" if connected
                           else "did not connect: %s" % (failure.get("detail") or sorted(checks)))
    refused = failure.get("verdict") == "failed" and expected in failure.get("detail", "")
    return refused, ("refused: " + failure.get("detail", "") if failure else
                     "connected, but should have been refused")


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary, runner = os.path.abspath(argv[1]), argv[2:]
    work = tempfile.mkdtemp(prefix="vic-r1-tls-interop-")
    try:
        make_pki(work)
        with open(os.path.join(work, "api-key"), "w") as key:
            key.write("sk-interop-test-key\n")
        os.chmod(os.path.join(work, "api-key"), 0o600)
        failures = 0
        for row in ROWS:
            passed, what = run_row(row, binary, runner, work)
            failures += not passed
            print("%-4s %-34s %s" % ("ok" if passed else "FAIL", row[0], what), flush=True)
        print("%d of %d rows as expected" % (len(ROWS) - failures, len(ROWS)))
        return 1 if failures else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
