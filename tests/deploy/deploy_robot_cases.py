#!/usr/bin/env python3
"""./deploy/robot against a robot double (robot_double.py): a real OpenSSH
server, a read-only root laid out as Vector's, the robot's processes, and the
installed ARM vic-r1 running under qemu. One case per CTest test.

usage: deploy_robot_cases.py CASE ROBOT_BINARY     (as root)
       deploy_robot_cases.py --list

It runs itself again in a mount namespace of its own, so that the double's
mounts vanish with it whatever happens.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
TOOL = os.path.join(REPO, "deploy", "robot")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "deploy"))

sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))

import r1_server_process  # noqa: E402
import robot_double  # noqa: E402  (puts the virtual Vector on the path)
from robot_double import RobotDouble  # noqa: E402
from scenario_harness import speech_timeline  # noqa: E402
from robot_tool import robot_layout as layout  # noqa: E402

# The API key every case installs: it must appear in no output.
CANARY_KEY = "sk-canary-0d3f5e8a91b2c4d6e7f8a9b0c1d2e3f4"
TOOL_TIMEOUT_S = 300
# The exit status CTest reads as "skipped".
SKIPPED = 77
HEALTH_TIMEOUT_S = "60"
UNHEALTHY_TIMEOUT_S = "8"


class CaseFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CaseFailure(message)


class Owner:
    """The owner's machine: the files a flash takes, and the tool's runs."""

    def __init__(self, robot: RobotDouble, binary: str):
        self.robot = robot
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="vic-r1-owner-")
        self.key_file = self.write("deepseek.key", CANARY_KEY + "\n", 0o600)
        self.config = self.write_config("config.json", {"provider": "deepseek"})
        self.ca_bundle = self.write("roots.pem", open("/etc/ssl/certs/ca-certificates.crt").read())
        self.outputs = []
        self.servers = []
        self.server_count = 0

    def write(self, name, text, mode=0o644):
        path = os.path.join(self.dir, name)
        with open(path, "w") as out:
            out.write(text)
        os.chmod(path, mode)
        return path

    def write_config(self, name, config):
        return self.write(name, json.dumps(config, indent=2) + "\n")

    def marked_binary(self, mark: str) -> str:
        """The same program with bytes after its end: another file to flash
        that runs the same (the ELF loader ignores what follows)."""
        path = os.path.join(self.dir, "vic-r1." + mark)
        shutil.copy(self.binary, path)
        with open(path, "ab") as out:
            out.write(b"\0vic-r1 build " + mark.encode() + b"\0")
        return path

    def tool(self, *arguments, key=None, prefix=(), robot="robot"):
        verb, rest = arguments[0], list(arguments[1:])
        command = list(prefix) + [TOOL, verb, robot, "--ssh-config", self.robot.ssh_config,
                                  "--ssh-key", key or self.robot.owner_key] + rest
        completed = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, timeout=TOOL_TIMEOUT_S, check=False)
        output = completed.stdout.decode("utf-8", "replace")
        self.outputs.append(output)
        print(f"$ ./deploy/robot {' '.join(arguments)}  (exit {completed.returncode})\n{output}")
        return completed.returncode, output

    def flash(self, *extra, binary=None, config=None):
        return self.tool("flash", "--binary", binary or self.binary, "--config", config or self.config,
                         "--api-key-file", self.key_file, "--ca-bundle", self.ca_bundle,
                         "--health-timeout", HEALTH_TIMEOUT_S, *extra)

    def start_r1_server(self):
        """The e2e tests' fake R1 server over TLS on loopback, echoing the
        question, expecting this owner's key."""
        self.pki = os.path.join(self.dir, "pki")
        r1_server_process.make_pki(self.pki)
        server = r1_server_process.Server(self, ["answer:echo=I heard: "], lifetime_s=TOOL_TIMEOUT_S,
                                          expect_key=CANARY_KEY)
        return server.__enter__()

    # What r1_server_process.Server asks of its owner.
    def next_server_number(self):
        self.server_count += 1
        return self.server_count

    def close(self):
        for server in self.servers:
            server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def file_bytes(path):
    with open(path, "rb") as content:
        return content.read()


def check_no_canary(owner: Owner):
    for output in owner.outputs:
        check(CANARY_KEY not in output, "the API key appeared in the tool's output")
    check(CANARY_KEY not in owner.robot.log_text(), "the API key appeared in the robot's log")


def check_healthy(robot: RobotDouble):
    status, output = robot.status_of_installed()
    check(status == 0, f"vic-r1 status on the robot failed ({status}): {output}")
    check(json.loads(output)["robot_link"]["can_speak"] is True, "vic-r1 on the robot cannot speak: " + output)


def check_unchanged(robot: RobotDouble, before, what):
    after = robot.snapshot()
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(path for path in set(before) & set(after) if before[path] != after[path])
    check(not (added or removed or changed),
          f"{what}: the robot's files changed: added {added}, removed {removed}, changed {changed}")


def check_installed_from(robot: RobotDouble, owner: Owner, binary: str):
    check(file_bytes(robot.path(layout.BINARY)) == file_bytes(binary), "the installed vic-r1 is not the one sent")
    for remote, local in layout.unit_sources().items():
        check(file_bytes(robot.path(remote)) == file_bytes(local), f"{remote} is not deploy/systemd's")
    check(os.readlink(robot.path(layout.ENABLE_LINK)) == "/lib/systemd/system/vic-r1.service",
          "vic-r1.service is not enabled in anki-robot.target")
    key = robot.path("/data/vic-r1/api-key")
    check(stat.S_IMODE(os.stat(key).st_mode) == 0o600, "the key file on the robot is not 0600")
    check(file_bytes(key) == file_bytes(owner.key_file), "the key file on the robot is not the owner's")
    check(robot.root_is_read_only(), "/ was left writable")
    for leftover in (layout.INCOMING_BINARY, layout.REPLACED_BINARY, layout.FLASHING_DIR):
        check(not os.path.exists(robot.path(leftover)), f"{leftover} was left behind")


# ------------------------------------------------------------------ cases

def fresh_install_is_healthy_and_leaves_root_read_only(robot, owner):
    status, output = owner.flash()
    check(status == 0, "the flash failed")
    check_installed_from(robot, owner, owner.binary)
    check(not os.path.exists(robot.path(layout.PREVIOUS_BINARY)), "a previous binary appeared from nowhere")
    mounts = robot.recorded("mount")
    check(mounts[0] == "-o remount,rw /" and mounts[-1] == "-o remount,ro /",
          f"/ was not made writable and then read-only again: {mounts}")
    check("restart anki-robot.target" in robot.recorded("systemctl"), "the robot's processes were not restarted")
    check_healthy(robot)
    for step in ("Check the robot", "Swap in the new vic-r1", "healthy links"):
        check(step in output, f"the progress display did not show '{step}'")
    status, output = owner.tool("status")
    check(status == 0 and "robot link" in output, "./deploy/robot status did not show vic-r1's status")
    status, output = owner.tool("logs", "--no-follow")
    check(status == 0 and "vic-r1" in output, "./deploy/robot logs showed no line of vic-r1")
    check_no_canary(owner)


def ask_makes_vector_speak_the_answer(robot, owner):
    """The whole path on the robot: the tool's ask, vic-r1's agent asking an
    R1 server over verified TLS (a fake one on loopback, with its own CA sent
    as the bundle), and vic-anim told to speak the answer."""
    server = owner.start_r1_server()
    config = owner.write_config("local-r1.json", {
        "provider": "deepseek", "base_url": f"https://localhost:{server.port}", "thinking_animation": ""})
    status, _ = owner.tool("flash", "--binary", owner.binary, "--config", config, "--api-key-file", owner.key_file,
                           "--ca-bundle", os.path.join(owner.pki, "ca.pem"), "--health-timeout", HEALTH_TIMEOUT_S)
    check(status == 0, "the flash failed")
    status, output = owner.tool("ask", "why is the sky blue")
    check(status == 0, "./deploy/robot ask failed")
    check("I heard: why is the sky blue" in output, "the answer's words did not show in the terminal")
    spoken = [line for line in speech_timeline(robot.manager.robot.wire_log)
              if "Prepare" in line and "I heard: why is the sky blue" in line]
    check(spoken, "vic-anim was never asked to speak the answer")
    status, output = owner.tool("doctor")
    check("service" in output and "robot link ready" in output, "./deploy/robot doctor did not run vic-r1 doctor")
    check_no_canary(owner)


def reinstall_keeps_the_previous_binary_and_rollback_swaps_back(robot, owner):
    check(owner.flash()[0] == 0, "the first flash failed")
    second = owner.marked_binary("second")
    check(owner.flash(binary=second)[0] == 0, "the second flash failed")
    check_installed_from(robot, owner, second)
    check(file_bytes(robot.path(layout.PREVIOUS_BINARY)) == file_bytes(owner.binary),
          "the previous binary was not kept")
    check_healthy(robot)
    status, output = owner.tool("rollback", "--health-timeout", HEALTH_TIMEOUT_S)
    check(status == 0, "rollback failed")
    check(file_bytes(robot.path(layout.BINARY)) == file_bytes(owner.binary), "rollback did not restore the first binary")
    check(file_bytes(robot.path(layout.PREVIOUS_BINARY)) == file_bytes(second),
          "rollback did not keep the second binary as the previous one")
    check(robot.root_is_read_only(), "rollback left / writable")
    check_healthy(robot)
    check_no_canary(owner)


def failed_health_check_rolls_back_to_the_previous_install(robot, owner):
    check(owner.flash()[0] == 0, "the first flash failed")
    before = robot.snapshot()
    # A config that passes every check but leaves vic-r1 deaf on the robot:
    # the robot's sockets are not in this directory.
    broken = owner.write_config("broken.json", {"provider": "deepseek", "socket_dir": "/tmp"})
    status, output = owner.tool("flash", "--binary", owner.marked_binary("broken"), "--config", broken,
                                "--api-key-file", owner.key_file, "--ca-bundle", owner.ca_bundle,
                                "--health-timeout", UNHEALTHY_TIMEOUT_S)
    check(status == 1, "a flash that never became healthy did not fail")
    check("did not come up healthy" in output and "rolled back" in output,
          "the tool did not say the health check failed and that it rolled back")
    check_unchanged(robot, before, "after the automatic rollback")
    check(robot.root_is_read_only(), "the rollback left / writable")
    check_healthy(robot)
    check_no_canary(owner)


def failed_first_install_leaves_the_robot_as_it_was(robot, owner):
    before = robot.snapshot()
    status, output = owner.tool("flash", "--binary", owner.binary, "--config", owner.config,
                                "--api-key-file", owner.key_file, "--ca-bundle", owner.ca_bundle,
                                "--health-timeout", UNHEALTHY_TIMEOUT_S)
    check(status == 1, "a flash on a robot whose vic-anim never comes up did not fail")
    check("cannot speak" in output or "not running" in output, "the tool did not say what it saw")
    check_unchanged(robot, before, "after the automatic rollback of a first install")
    check(robot.root_is_read_only(), "the rollback left / writable")
    check_no_canary(owner)


def uninstall_restores_the_robot_exactly(robot, owner):
    before = robot.snapshot()
    check(owner.flash()[0] == 0, "the first flash failed")
    check(owner.flash(binary=owner.marked_binary("second"))[0] == 0, "the second flash failed")
    status, output = owner.tool("uninstall")
    check(status == 0, "uninstall failed")
    check(os.path.exists(robot.path(layout.CONFIG)), "uninstall without --purge removed the config")
    root_before = {path: entry for path, entry in before.items() if not path.startswith("/data/")}
    root_after = {path: entry for path, entry in robot.snapshot().items() if not path.startswith("/data/")}
    check(root_before == root_after, "uninstall left the root file system different: "
          f"{sorted(set(root_before.items()) ^ set(root_after.items()))}")
    status, output = owner.tool("uninstall", "--purge")
    check(status == 0, "uninstall --purge failed")
    check_unchanged(robot, before, "after uninstall --purge")
    check(robot.root_is_read_only(), "uninstall left / writable")
    check(robot.recorded("systemctl")[-1] == "restart anki-robot.target",
          "uninstall did not restart the robot's processes")
    check(robot.manager.robot.wait_until_up(30), "the robot's processes did not come back without vic-r1")
    check_no_canary(owner)


def firmware_update_keeps_the_config_and_flashing_again_restores_vic_r1(robot, owner):
    check(owner.flash()[0] == 0, "the first flash failed")
    config_before = file_bytes(robot.path(layout.CONFIG))
    robot.update_firmware()
    status, output = owner.tool("status")
    check(status == 1 and "a firmware update replaces /anki" in output and "flash again" in output,
          "after a firmware update, status did not say to flash again")
    status, output = owner.tool("flash", "--binary", owner.binary, "--health-timeout", HEALTH_TIMEOUT_S)
    check(status == 0 and "the robot's config is kept" in output, "flashing again without --config failed")
    check(file_bytes(robot.path(layout.CONFIG)) == config_before, "flashing again changed the robot's config")
    check_healthy(robot)
    check_no_canary(owner)


def unreachable_robot_is_said_with_the_fix(robot, owner):
    before = robot.snapshot()
    # A network namespace of its own with nothing in it: no route anywhere.
    status, output = owner.tool("flash", "--binary", owner.binary, "--config", owner.config,
                                prefix=["unshare", "--net"], robot="10.20.30.40")
    check(status == 1 and "cannot reach the robot at 10.20.30.40" in output and "fix:" in output,
          "an unreachable robot was not said, with the fix")
    status, output = owner.tool("status", robot="robot.invalid")
    check(status == 1 and "does not resolve" in output, "a name that does not resolve was not said")
    check_unchanged(robot, before, "after failing to reach it")


def wrong_key_is_refused_with_the_fix(robot, owner):
    before = robot.snapshot()
    status, output = owner.tool("flash", "--binary", owner.binary, "--config", owner.config,
                                key=robot.stranger_key)
    check(status == 1 and "refused the SSH key" in output and "--ssh-key" in output,
          "a wrong key was not said, with the fix")
    check_unchanged(robot, before, "after a wrong key")
    check(robot.recorded("mount") == [], "something was mounted with a wrong key")


def out_of_space_changes_nothing(robot, owner):
    before = robot.snapshot()
    status, output = owner.flash()
    check(status == 1 and "out of space on /" in output, "a full root partition was not said")
    check_unchanged(robot, before, "after finding no space")
    check(robot.recorded("mount") == [], "/ was remounted although the flash could not fit")


def unknown_firmware_is_refused(robot, owner):
    before = robot.snapshot()
    status, output = owner.flash()
    check(status == 1 and "unknown firmware" in output, "an unknown firmware was not said")
    check_unchanged(robot, before, "after finding an unknown firmware")


def root_that_cannot_be_remounted_is_said(robot, owner):
    open(robot.path("/recorder/refuse-remount"), "w").close()
    before = robot.snapshot()
    status, output = owner.flash()
    check(status == 1 and "remounting / read-write failed" in output and "reboot the robot" in output,
          "a root that cannot be remounted was not said, with the fix")
    check_unchanged(robot, before, "after a refused remount")
    check(robot.recorded("systemctl") == [], "the robot's processes were touched after a refused remount")


def dry_run_changes_nothing_and_prints_every_command(robot, owner):
    before = robot.snapshot()
    status, output = owner.flash("--dry-run")
    check(status == 0, "the dry run failed")
    for command in ("mount -o remount,rw /", "mv -f /anki/bin/vic-r1.incoming /anki/bin/vic-r1",
                    "systemctl enable vic-r1.service", "mount -o remount,ro /",
                    "systemctl restart anki-robot.target", "< " + owner.key_file):
        check(command in output, f"the dry run did not print '{command}'")
    check("nothing on the robot was changed" in output, "the dry run did not say it changed nothing")
    check_unchanged(robot, before, "after a dry run")
    check(robot.recorded("mount") == [] and robot.recorded("systemctl") == [],
          "the dry run mounted or called systemctl")
    check_no_canary(owner)


CASES = {
    "fresh_install_is_healthy_and_leaves_root_read_only": ({}, fresh_install_is_healthy_and_leaves_root_read_only),
    "ask_makes_vector_speak_the_answer": ({}, ask_makes_vector_speak_the_answer),
    "reinstall_keeps_the_previous_binary_and_rollback_swaps_back":
        ({}, reinstall_keeps_the_previous_binary_and_rollback_swaps_back),
    "failed_health_check_rolls_back_to_the_previous_install":
        ({}, failed_health_check_rolls_back_to_the_previous_install),
    "failed_first_install_leaves_the_robot_as_it_was":
        ({"broken_anim": True}, failed_first_install_leaves_the_robot_as_it_was),
    "uninstall_restores_the_robot_exactly": ({}, uninstall_restores_the_robot_exactly),
    "firmware_update_keeps_the_config_and_flashing_again_restores_vic_r1":
        ({}, firmware_update_keeps_the_config_and_flashing_again_restores_vic_r1),
    "unreachable_robot_is_said_with_the_fix": ({}, unreachable_robot_is_said_with_the_fix),
    "wrong_key_is_refused_with_the_fix": ({}, wrong_key_is_refused_with_the_fix),
    # Room for BusyBox, dash and its C library, not for vic-r1 too.
    "out_of_space_changes_nothing": ({"root_size_kib": 5120}, out_of_space_changes_nothing),
    "unknown_firmware_is_refused": ({"version": "0.9.4.1"}, unknown_firmware_is_refused),
    "root_that_cannot_be_remounted_is_said": ({}, root_that_cannot_be_remounted_is_said),
    "dry_run_changes_nothing_and_prints_every_command": ({}, dry_run_changes_nothing_and_prints_every_command),
}


def main(argv):
    if argv[1:] == ["--list"]:
        print("\n".join(CASES))
        return 0
    if len(argv) != 3 or argv[1] not in CASES:
        print(__doc__, file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        # CTest shows it as skipped (SKIP_RETURN_CODE), with this reason.
        print("deploy_robot_cases.py: skipped: the robot double needs root "
              "(a chroot, mounts and an SSH server)", file=sys.stderr)
        return SKIPPED
    if os.environ.get("VIC_R1_ROBOT_DOUBLE_NAMESPACE") != "1":
        namespace = ["unshare", "--mount", "--propagation", "private"]
        probe = subprocess.run(namespace + ["true"], capture_output=True, check=False)
        if probe.returncode != 0:
            print("deploy_robot_cases.py: skipped: this machine gives no mount namespace (%s)"
                  % probe.stderr.decode(errors="replace").strip(), file=sys.stderr)
            return SKIPPED
        environment = dict(os.environ, VIC_R1_ROBOT_DOUBLE_NAMESPACE="1")
        return subprocess.run(namespace + [sys.executable] + argv, env=environment, check=False).returncode
    name, binary = argv[1], os.path.abspath(argv[2])
    options, case = CASES[name]
    try:
        registered_binfmt = robot_double.ensure_arm_binfmt()
    except (OSError, subprocess.CalledProcessError) as error:
        print("deploy_robot_cases.py: skipped: the kernel runs no ARM programs here and cannot be told to "
              "(binfmt_misc: %s)" % error, file=sys.stderr)
        return SKIPPED
    try:
        return run_case(name, binary, options, case)
    finally:
        if registered_binfmt:
            robot_double.remove_arm_binfmt()


def run_case(name, binary, options, case):
    started = time.monotonic()
    with RobotDouble(**options) as robot:
        owner = Owner(robot, binary)
        try:
            case(robot, owner)
        except Exception as failure:
            print(f"FAILED {name}: {failure}")
            if not isinstance(failure, CaseFailure):
                traceback.print_exc(file=sys.stdout)
            print("--- the robot's log\n" + robot.log_text()[-4000:])
            print("--- mount calls: %s\n--- systemctl calls: %s"
                  % (robot.recorded("mount"), robot.recorded("systemctl")))
            return 1
        finally:
            owner.close()
    print(f"ok {name} ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
