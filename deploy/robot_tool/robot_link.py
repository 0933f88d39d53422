"""The SSH link to the robot: every command the deploy tool runs there goes
through `RobotLink.run`, as a POSIX `sh` script, and every file goes through
`RobotLink.send_file` on the same connection's standard input.

Vector has no scp, sftp or rsync to count on, and its login shell may be
anything POSIX: so each command is `sh -c SCRIPT`, and a file is `cat` on the
robot's side. One SSH connection is opened and shared (ControlMaster), so a
flash costs one handshake, not twenty.
"""
from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Callable, List, Optional

# OpenSSH's exit status when ssh itself failed (never the remote command's).
SSH_FAILED = 255

# Owners report that Vector's SSH server offers only an RSA host key and
# takes RSA user keys signed with SHA-1 ("ssh-rsa"), which OpenSSH 8.8 and
# later no longer allow by default (not verified here: no robot). Allowing
# it for this connection changes nothing for other key types. PubkeyAcceptedKeyTypes is the option's older name, which every
# OpenSSH still takes (the newer one only from 8.5).
ROBOT_SSH_ALGORITHMS = [
    "-o", "HostKeyAlgorithms=+ssh-rsa",
    "-o", "PubkeyAcceptedKeyTypes=+ssh-rsa",
]


class RobotLinkError(Exception):
    """ssh could not run a command on the robot: `what` says what happened in
    the owner's words, `fix` what to do about it."""

    def __init__(self, what: str, fix: str):
        super().__init__(what)
        self.what = what
        self.fix = fix


@dataclass
class RemoteResult:
    status: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.status == 0

    def last_error_line(self) -> str:
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[-1].strip() if lines else "no message"


def describe_ssh_failure(host: str, stderr: str) -> RobotLinkError:
    """What ssh's own complaint means for a Vector owner, with the fix."""
    text = stderr.lower()
    if "could not resolve hostname" in text or "name or service not known" in text:
        return RobotLinkError(
            f"cannot find the robot: the name {host} does not resolve",
            "use the robot's IP address: put Vector on its charger, double-press its back "
            "button, then raise and lower its lift; the address is on its face")
    if "connection refused" in text:
        return RobotLinkError(
            f"the robot at {host} answers but runs no SSH server: it is not unlocked (rooted)",
            "vic-r1 needs an OSKR or wire-os robot with root SSH; check the address is Vector's")
    if any(reason in text for reason in ("timed out", "no route to host", "network is unreachable",
                                          "host is down", "connection closed by", "connection reset")):
        return RobotLinkError(
            f"cannot reach the robot at {host} ({_last_line(stderr)})",
            "check that Vector is on, on the same Wi-Fi as this computer, and that its address "
            "has not changed (double-press its back button, raise and lower its lift)")
    if "host key verification failed" in text or "remote host identification has changed" in text:
        return RobotLinkError(
            f"the robot at {host} shows a different SSH host key than last time",
            f"if the robot was re-flashed, forget the old key with: ssh-keygen -R {host}")
    if "permission denied" in text:
        return RobotLinkError(
            f"the robot at {host} refused the SSH key",
            "give the key that came with your robot's unlock (OSKR's ssh_root_key) with --ssh-key FILE")
    return RobotLinkError(f"ssh to {host} failed: {_last_line(stderr)}",
                          "try it by hand: ssh root@" + host)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no message from ssh"


class RobotLink:
    """One robot reached over SSH as root. With `dry_run`, commands marked as
    changing the robot are printed and not run; read-only ones still run."""

    def __init__(self, robot: str, *, ssh_key: Optional[str] = None, ssh_config: Optional[str] = None,
                 connect_timeout_s: int = 10, dry_run: bool = False,
                 echo: Callable[[str], None] = print):
        self.host = robot.split("@", 1)[1] if "@" in robot else robot
        self.ssh_key = ssh_key
        self.ssh_config = ssh_config
        self.connect_timeout_s = connect_timeout_s
        self.dry_run = dry_run
        self.echo = echo
        self._control_dir: Optional[str] = None

    # ----------------------------------------------------------------- ssh

    def ssh_command(self) -> List[str]:
        return self._ssh_options() + ["-l", "root", self.host]

    def _ssh_options(self) -> List[str]:
        if self._control_dir is None:
            # The shared connection's socket: private to this user.
            self._control_dir = tempfile.mkdtemp(prefix="vic-r1-ssh-")
        command = ["ssh"]
        if self.ssh_config:
            command += ["-F", self.ssh_config]
        if self.ssh_key:
            command += ["-i", self.ssh_key, "-o", "IdentitiesOnly=yes"]
        command += [
            "-o", "BatchMode=yes",                       # never stop at a password prompt
            "-o", f"ConnectTimeout={self.connect_timeout_s}",
            "-o", "StrictHostKeyChecking=accept-new",    # first contact trusts, a change refuses
            "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3",
            "-o", "ControlMaster=auto",
            "-o", "ControlPath=" + os.path.join(self._control_dir, "%C"),
            "-o", "ControlPersist=60",
            "-o", "LogLevel=ERROR",
        ] + ROBOT_SSH_ALGORITHMS
        return command

    def close(self):
        if self._control_dir is None:
            return
        subprocess.run(self._ssh_options() + ["-O", "exit", self.host], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10, check=False)
        shutil.rmtree(self._control_dir, ignore_errors=True)
        self._control_dir = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------ commands

    def run(self, script: str, *, changes_robot: bool, timeout_s: float = 60,
            stdin_path: Optional[str] = None, describe: str = "") -> RemoteResult:
        """Runs `script` with the robot's POSIX sh. ssh's own failures raise
        RobotLinkError; the script's status is the caller's to judge."""
        if self.dry_run and changes_robot:
            self.echo(self.printable(script, stdin_path, describe))
            return RemoteResult(0, "", "")
        remote = "sh -c " + shlex.quote(script)
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        try:
            completed = subprocess.run(self.ssh_command() + [remote], stdin=stdin, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            raise RobotLinkError(
                f"the robot at {self.host} did not finish {describe or 'a command'} within {timeout_s:.0f} s",
                "check its Wi-Fi; then run the same command again") from None
        finally:
            if stdin_path:
                stdin.close()
        result = RemoteResult(completed.returncode, completed.stdout.decode("utf-8", "replace"),
                              completed.stderr.decode("utf-8", "replace"))
        if result.status == SSH_FAILED:
            raise describe_ssh_failure(self.host, result.stderr)
        return result

    def run_attached(self, script: str, *, timeout_s: Optional[float] = None,
                     output_filter: Optional[Callable[[str], bool]] = None) -> int:
        """Runs a read-only command whose output goes straight to this
        terminal as it comes (status, ask, doctor, logs); returns its status.
        With `output_filter`, only the lines it accepts are shown. Without
        `timeout_s` (following the log) it runs until Ctrl-C; a dead link
        still ends it (ServerAliveInterval)."""
        remote = "sh -c " + shlex.quote(script)
        process = subprocess.Popen(self.ssh_command() + [remote], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE if output_filter else None, stderr=subprocess.PIPE)
        try:
            if output_filter:
                for raw in process.stdout:
                    line = raw.decode("utf-8", "replace")
                    if output_filter(line):
                        sys.stdout.write(line)
                        sys.stdout.flush()
            _, stderr = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise RobotLinkError(f"the robot at {self.host} did not answer within {timeout_s:.0f} s",
                                 "check its Wi-Fi; then run the same command again") from None
        except KeyboardInterrupt:
            process.terminate()
            process.wait()
            return 130
        stderr_text = stderr.decode("utf-8", "replace")
        if process.returncode == SSH_FAILED:
            raise describe_ssh_failure(self.host, stderr_text)
        sys.stderr.write(stderr_text)
        return process.returncode

    def send_file(self, local_path: str, remote_path: str, *, mode: str, timeout_s: float = 120) -> RemoteResult:
        """Writes `local_path` to `remote_path` on the robot through ssh's
        standard input, under a temporary name first: the file appears whole
        or not at all. The size is checked on the robot's side."""
        size = os.path.getsize(local_path)
        partial = remote_path + ".partial"
        script = (
            f"umask 077 && cat > {shlex.quote(partial)} && "
            f"[ \"$(wc -c < {shlex.quote(partial)} | tr -d ' ')\" = {size} ] && "
            f"chmod {mode} {shlex.quote(partial)} && mv -f {shlex.quote(partial)} {shlex.quote(remote_path)} "
            f"|| {{ rm -f {shlex.quote(partial)}; exit 1; }}")
        return self.run(script, changes_robot=True, timeout_s=timeout_s, stdin_path=local_path,
                        describe=f"sending {os.path.basename(local_path)}")

    def printable(self, script: str, stdin_path: Optional[str], describe: str) -> str:
        head = f"would run on {self.host}" + (f" ({describe})" if describe else "") + ":"
        body = "\n".join("    " + line for line in script.splitlines())
        if stdin_path:
            body += f"\n    < {stdin_path}"
        return head + "\n" + body
