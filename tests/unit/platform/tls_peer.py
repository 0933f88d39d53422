#!/usr/bin/env python3
"""The TLS peer for the TLS layer's unit tests: a different TLS implementation
(Python's ssl, i.e. OpenSSL) on loopback, with a throw-away test PKI.

    tls_peer.py --run -- COMMAND [ARG...]
        Makes the PKI with the openssl command line in a temporary directory,
        starts one TLS server per mode on 127.0.0.1, runs COMMAND with
        VIC_R1_TLS_PEER_DIR naming that directory, stops the servers, deletes
        the directory and exits with COMMAND's status. CTest runs the unit
        tests this way, on the host and under qemu-arm alike (the emulator is
        part of COMMAND), so the test binary never has to start processes.
    tls_peer.py --serve DIR
        The same servers, until interrupted, for poking at by hand.

The directory holds ca.pem (the CA the client trusts), localhost.spki-sha256
(hex SHA-256 of the valid leaf's SubjectPublicKeyInfo, for pinning tests) and
`ports`, one "MODE PORT" line per server.

Every TLS mode answers HTTP/1.1 requests on a keep-alive connection: the
response body echoes the request body, and headers report what the server
saw: X-Tls-Version, X-Tls-Resumed (yes/no: OpenSSL's session_reused),
X-Tls-Alpn, X-Tls-Sni, X-Handshakes (full and resumed handshakes of this
mode so far). "Connection: close" in a request makes the server send
close_notify after the response. A client close_notify is answered with one.
"""

import argparse
import datetime
import hashlib
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading

# Every wait is bounded: a stuck test fails instead of hanging CI.
CONNECTION_TIMEOUT_SECONDS = 30
COMMAND_TIMEOUT_SECONDS = 600
MAX_HEAD_BYTES = 64 * 1024


# ---- Test PKI ----------------------------------------------------------------

def openssl(*args, cwd, env=None):
    result = subprocess.run(["openssl", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (" ".join(args), result.stderr.strip()))
    return result.stdout


CA_CONFIG = """\
[ca]
default_ca = this_ca
[this_ca]
database = {name}.db/index.txt
serial = {name}.db/serial
new_certs_dir = {name}.db
certificate = {name}.pem
private_key = {name}.key
default_md = sha256
policy = any_subject
unique_subject = no
copy_extensions = none
[any_subject]
commonName = supplied
[server_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = ${{ENV::LEAF_SAN}}
"""


def make_key(path, kind, cwd):
    if kind == "rsa":
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path, cwd=cwd)
    else:
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path, cwd=cwd)


def make_ca(name, common_name, cwd):
    make_key(name + ".key", "ec", cwd)
    openssl("req", "-x509", "-new", "-key", name + ".key", "-sha256", "-days", "30", "-subj", "/CN=" + common_name,
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-out", name + ".pem", cwd=cwd)
    os.mkdir(os.path.join(cwd, name + ".db"))
    open(os.path.join(cwd, name + ".db", "index.txt"), "w").close()
    with open(os.path.join(cwd, name + ".db", "serial"), "w") as serial:
        serial.write(os.urandom(16).hex() + "\n")
    with open(os.path.join(cwd, name + ".cnf"), "w") as config:
        config.write(CA_CONFIG.format(name=name))


def make_leaf(name, ca, common_name, san, start, end, cwd, kind="ec"):
    """OpenSSL 3.0's `x509 -req` only has -days; `ca` takes explicit dates."""
    make_key(name + ".key", kind, cwd)
    openssl("req", "-new", "-key", name + ".key", "-subj", "/CN=" + common_name, "-out", name + ".csr", cwd=cwd)
    env = dict(os.environ, LEAF_SAN=san)
    openssl("ca", "-batch", "-notext", "-config", ca + ".cnf", "-extensions", "server_leaf", "-startdate", start,
            "-enddate", end, "-in", name + ".csr", "-out", name + ".pem", cwd=cwd, env=env)
    os.remove(os.path.join(cwd, name + ".csr"))


def spki_sha256(certificate_path, cwd):
    """Computed with openssl, independently of the client's own code."""
    public_pem = openssl("x509", "-in", certificate_path, "-noout", "-pubkey", cwd=cwd)
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=public_pem.encode(), cwd=cwd,
                         capture_output=True, timeout=60, check=True).stdout
    return hashlib.sha256(der).hexdigest()


def make_pki(directory):
    def stamp(when):
        return when.strftime("%Y%m%d%H%M%SZ")

    now = datetime.datetime.now(datetime.timezone.utc)
    valid_from, valid_to = stamp(now - datetime.timedelta(days=1)), stamp(now + datetime.timedelta(days=30))
    local_names = "DNS:localhost,IP:127.0.0.1"
    make_ca("ca", "vic-r1 test CA", directory)
    make_ca("other_ca", "vic-r1 untrusted test CA", directory)
    make_leaf("localhost", "ca", "localhost", local_names, valid_from, valid_to, directory)
    make_leaf("localhost_rsa", "ca", "localhost", local_names, valid_from, valid_to, directory, kind="rsa")
    # The CN says localhost too: a client that wrongly fell back to the CN
    # while a SAN is present would accept it.
    make_leaf("wrong_name", "ca", "localhost", "DNS:wrong.example", valid_from, valid_to, directory)
    make_leaf("unknown_ca", "other_ca", "localhost", local_names, valid_from, valid_to, directory)
    make_leaf("expired", "ca", "localhost", local_names, "20200101000000Z", "20200102000000Z", directory)
    make_leaf("not_yet_valid", "ca", "localhost", local_names, "20990101000000Z", "20991231000000Z", directory)
    with open(os.path.join(directory, "localhost.spki-sha256"), "w") as pin:
        pin.write(spki_sha256("localhost.pem", directory) + "\n")


# ---- Servers -----------------------------------------------------------------

class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.full = 0
        self.resumed = 0

    def count(self, resumed):
        with self.lock:
            if resumed:
                self.resumed += 1
            else:
                self.full += 1
            return "full=%d resumed=%d" % (self.full, self.resumed)


def log(mode, text):
    print("tls_peer[%s]: %s" % (mode, text), file=sys.stderr, flush=True)


def tls_context(directory, certificate, minimum=None, maximum=None, ciphers=None, alpn=True,
                client_preference=False):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if client_preference:
        # Like nginx's default (ssl_prefer_server_ciphers off): the client's
        # order of cipher suites and signature schemes wins. Python's default
        # is the server's order.
        context.options &= ~ssl.OP_CIPHER_SERVER_PREFERENCE
    context.load_cert_chain(os.path.join(directory, certificate + ".pem"), os.path.join(directory, certificate + ".key"))
    context.minimum_version = minimum or ssl.TLSVersion.TLSv1_2
    context.maximum_version = maximum or ssl.TLSVersion.TLSv1_3
    if ciphers:
        context.set_ciphers(ciphers)
    if alpn:
        context.set_alpn_protocols(["http/1.1"])

    def remember_sni(connection, server_name, _context):
        connection.vic_sni = server_name

    context.sni_callback = remember_sni
    return context


def read_request(connection, pending):
    """Returns (head, body, pending) or None at a clean end of the connection."""
    while b"\r\n\r\n" not in pending:
        if len(pending) > MAX_HEAD_BYTES:
            raise ValueError("request head too long")
        chunk = connection.recv(65536)
        if not chunk:
            return None
        pending += chunk
    head, pending = pending.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(pending) < length:
        chunk = connection.recv(65536)
        if not chunk:
            raise ValueError("connection closed inside a request body")
        pending += chunk
    return (lines[0], headers), pending[:length], pending[length:]


def serve_http_echo(mode, connection, counters):
    resumed = connection.session_reused
    handshakes = counters.count(resumed)
    pending = b""
    while True:
        request = read_request(connection, pending)
        if request is None:
            # The client's close_notify: answer in kind (the first
            # SSL_shutdown sends ours; the second would wait for nothing).
            try:
                connection.settimeout(2)
                connection.unwrap()
            except (OSError, ValueError):
                pass
            return
        (request_line, headers), body, pending = request
        close = headers.get("connection", "").lower() == "close"
        target = request_line.split(" ")[1] if " " in request_line else "/"
        facts = [
            ("Content-Type", "application/octet-stream"),
            ("Content-Length", str(len(body))),
            ("X-Tls-Version", connection.version() or "none"),
            ("X-Tls-Resumed", "yes" if resumed else "no"),
            ("X-Tls-Alpn", connection.selected_alpn_protocol() or "none"),
            ("X-Tls-Sni", getattr(connection, "vic_sni", None) or "none"),
            ("X-Handshakes", handshakes),
            ("X-Request-Target", target),
            ("Connection", "close" if close else "keep-alive"),
        ]
        head = "HTTP/1.1 200 OK\r\n" + "".join("%s: %s\r\n" % fact for fact in facts) + "\r\n"
        connection.sendall(head.encode("latin-1") + body)
        if close:
            try:
                connection.settimeout(2)
                connection.unwrap()
            except (OSError, ValueError):
                pass
            return


def serve_tls(mode, raw, context, counters):
    try:
        with context.wrap_socket(raw, server_side=True) as connection:
            serve_http_echo(mode, connection, counters)
    except (ssl.SSLError, OSError, ValueError) as error:
        # Expected for every test where the client refuses the server.
        log(mode, "connection ended: %s" % error)


def serve_not_tls(_mode, raw):
    """Answers the ClientHello with plain HTTP, then closes (FIN, not RST)."""
    with raw:
        raw.recv(65536)
        raw.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        raw.shutdown(socket.SHUT_WR)
        while raw.recv(65536):
            pass


def serve_silent(_mode, raw):
    """Accepts TCP and never answers: a handshake that can only be cancelled."""
    with raw:
        while raw.recv(65536):
            pass


def accept_loop(mode, listener, handle):
    while True:
        try:
            raw, _ = listener.accept()
        except OSError:
            return  # the listener was closed: shutting down
        raw.settimeout(CONNECTION_TIMEOUT_SECONDS)

        def run(raw=raw):
            try:
                handle(mode, raw)
            except OSError as error:
                log(mode, "connection ended: %s" % error)

        threading.Thread(target=run, daemon=True).start()


def start_servers(directory):
    v12, v13 = ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3
    tls_modes = {
        "valid": tls_context(directory, "localhost"),
        "tls12": tls_context(directory, "localhost_rsa", maximum=v12, client_preference=True),
        # OpenSSL's own order: it signs its TLS 1.2 ServerKeyExchange with RSA-PSS.
        "tls12_rsa_pss": tls_context(directory, "localhost_rsa", maximum=v12),
        "tls12_ecdsa": tls_context(directory, "localhost", maximum=v12),
        "tls13": tls_context(directory, "localhost", minimum=v13),
        "no_alpn": tls_context(directory, "localhost", alpn=False),
        "wrong_host": tls_context(directory, "wrong_name"),
        "unknown_ca": tls_context(directory, "unknown_ca"),
        "expired": tls_context(directory, "expired"),
        "not_yet_valid": tls_context(directory, "not_yet_valid"),
        # RSA key exchange only: nothing the client (ECDHE only) offers.
        "no_common_cipher": tls_context(directory, "localhost_rsa", maximum=v12, ciphers="AES128-GCM-SHA256"),
    }
    handlers = {}
    for mode, context in tls_modes.items():
        counters = Counters()
        handlers[mode] = lambda m, raw, c=context, n=counters: serve_tls(m, raw, c, n)
    handlers["not_tls"] = serve_not_tls
    handlers["silent"] = serve_silent

    listeners, lines = [], []
    for mode, handle in handlers.items():
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        listeners.append(listener)
        lines.append("%s %d\n" % (mode, listener.getsockname()[1]))
        threading.Thread(target=accept_loop, args=(mode, listener, handle), daemon=True).start()
    with open(os.path.join(directory, "ports"), "w") as ports:
        ports.writelines(lines)
    return listeners


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--run", action="store_true", help="run the command after --")
    group.add_argument("--serve", metavar="DIR", help="serve from DIR until interrupted")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    options = parser.parse_args()

    if options.serve:
        os.makedirs(options.serve, exist_ok=True)
        make_pki(options.serve)
        start_servers(options.serve)
        print("serving; ports in %s" % os.path.join(options.serve, "ports"), flush=True)
        threading.Event().wait()
        return 0

    command = options.command[1:] if options.command[:1] == ["--"] else options.command
    if not command:
        parser.error("--run needs a command after --")
    directory = tempfile.mkdtemp(prefix="vic-r1-tls-peer-")
    try:
        make_pki(directory)
        listeners = start_servers(directory)
        env = dict(os.environ, VIC_R1_TLS_PEER_DIR=directory)
        try:
            return subprocess.run(command, env=env, timeout=COMMAND_TIMEOUT_SECONDS).returncode
        except subprocess.TimeoutExpired:
            print("tls_peer: %s did not finish within %d s" % (command[0], COMMAND_TIMEOUT_SECONDS), file=sys.stderr)
            return 124
        finally:
            for listener in listeners:
                listener.close()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
