"""fake_r1_server.py as a process a test owns: started on a throw-away PKI,
waited for (it writes its port when it accepts connections), and stopped
whatever happens. Shared by the end-to-end tests of `vic-r1 ask` and the
scenarios of `vic-r1 run` on the virtual Vector.

A case object gives it `dir` (for the port, stats and log files), `pki` (made
by make_test_pki.sh), `servers` (the list it joins, for the case to stop) and
`next_server_number()`.
"""

import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "fake_r1_server.py")
MAKE_PKI = os.path.join(HERE, "make_test_pki.sh")

API_KEY = "sk-e2e-test-key-0123456789abcdef"
SERVER_LIFETIME_S = 60


class ServerDidNotStart(Exception):
    pass


def make_pki(directory):
    subprocess.run(["bash", MAKE_PKI, directory], check=True, stdout=subprocess.DEVNULL)


def write_key_file(path, key=API_KEY):
    with open(path, "w") as out:
        out.write(key + "\n")
    os.chmod(path, 0o600)


class Server:
    """fake_r1_server.py as a context manager: started, waited for, killed."""

    def __init__(self, case, responses, lifetime_s=SERVER_LIFETIME_S, **options):
        self.case = case
        self.number = case.next_server_number()
        self.port_file = os.path.join(case.dir, "port.%d" % self.number)
        self.stats_file = os.path.join(case.dir, "stats.%d.json" % self.number)
        self.log_file = os.path.join(case.dir, "server.%d.log" % self.number)
        command = [sys.executable, SERVER, "--pki", case.pki, "--port-file", self.port_file,
                   "--stats-file", self.stats_file, "--lifetime", str(lifetime_s),
                   "--expect-key", API_KEY, "--log"]
        for name, value in options.items():
            flag = "--" + name.replace("_", "-")
            if value is True:
                command.append(flag)
            elif value is not None:
                command += [flag, str(value)]
        for response in responses:
            command += ["--respond", response]
        self.command = command
        self.process = None
        self.port = None

    def __enter__(self):
        log = open(self.log_file, "wb")
        self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.case.servers.append(self)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if os.path.exists(self.port_file):
                with open(self.port_file) as source:
                    self.port = int(source.read())
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        raise ServerDidNotStart("the fake server did not start:\n" + self.log())

    def __exit__(self, *_):
        self.stop()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def stats(self):
        # The server rewrites the file after every event; give the last one
        # (the close of the connection the client just dropped) a moment.
        time.sleep(0.2)
        with open(self.stats_file) as source:
            return json.load(source)

    def log(self):
        try:
            with open(self.log_file, errors="replace") as source:
                return source.read()
        except OSError:
            return "(no log)"
