"""./deploy/robot VERB ROBOT: vic-r1 on a real Vector, from the owner's
machine, over root SSH."""
from __future__ import annotations

import argparse
import shlex
import sys
from typing import List, Optional

from robot_tool import robot_scripts
from robot_tool import robot_layout as layout
from robot_tool.flash import DRY_RUN_STEPS, STEPS, Flash, FlashRequest
from robot_tool.health_check import wait_until_healthy
from robot_tool.progress import Progress, StepFailed
from robot_tool.robot_link import RobotLink, RobotLinkError

DESCRIPTION = """\
vic-r1 on a real Vector (OSKR or wire-os, with root SSH).

  flash ROBOT       build, check the robot, install vic-r1 and its units, write the config,
                    restart the robot's processes and wait until vic-r1 is healthy; rolls
                    back by itself if it is not
  status ROBOT      what vic-r1 on the robot is doing (vic-r1 status)
  logs ROBOT        follow vic-r1's lines in the robot's log
  ask ROBOT "Q"     Vector answers Q aloud; the words show here
  doctor ROBOT      vic-r1 doctor on the robot: one line per thing it needs
  rollback ROBOT    go back to the vic-r1 that ran before the last flash (again: forward)
  uninstall ROBOT   take vic-r1 off the robot; --purge also removes /data/vic-r1

ROBOT is the robot's address (or a name in your SSH config). Exit status: 0 done,
1 failed (the message says why and what to do), 2 usage; status, ask and doctor
pass on vic-r1's own.
"""

# Exit statuses of this tool.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
# `rollback` with nothing to go back to.
EXIT_NOTHING_TO_DO = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="./deploy/robot", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    connection = argparse.ArgumentParser(add_help=False)
    connection.add_argument("robot", metavar="ROBOT", help="the robot's address or SSH host name")
    connection.add_argument("--ssh-key", metavar="FILE", help="the robot's root key (OSKR: ssh_root_key)")
    connection.add_argument("--ssh-config", metavar="FILE", help="an ssh_config to use instead of yours")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")
    verbs.required = True

    flash = verbs.add_parser("flash", parents=[connection], help="install vic-r1 on the robot")
    flash.add_argument("--config", metavar="FILE", help="the config to install as " + layout.CONFIG)
    flash.add_argument("--api-key-file", metavar="FILE", help="the API key, written 0600 where the config says")
    flash.add_argument("--ca-bundle", metavar="FILE", help="CA certificates to send (default: this machine's)")
    flash.add_argument("--binary", metavar="FILE", help="the robot binary (default: build build/robot/vic-r1)")
    flash.add_argument("--health-timeout", metavar="S", type=float, default=120.0,
                       help="how long to wait for vic-r1 to be healthy before rolling back (default 120)")
    flash.add_argument("--dry-run", action="store_true",
                       help="check everything and print each command that would change the robot")

    status = verbs.add_parser("status", parents=[connection], help="vic-r1 status on the robot")
    status.add_argument("--json", action="store_true")
    logs = verbs.add_parser("logs", parents=[connection], help="follow vic-r1's lines in the robot's log")
    logs.add_argument("--lines", type=int, default=50, metavar="N", help="earlier lines to show first")
    logs.add_argument("--no-follow", action="store_true", help="show them and stop")
    ask = verbs.add_parser("ask", parents=[connection], help="Vector answers aloud")
    ask.add_argument("question")
    doctor = verbs.add_parser("doctor", parents=[connection], help="vic-r1 doctor on the robot")
    doctor.add_argument("--json", action="store_true")
    rollback = verbs.add_parser("rollback", parents=[connection], help="back to the previous vic-r1")
    rollback.add_argument("--health-timeout", metavar="S", type=float, default=120.0)
    uninstall = verbs.add_parser("uninstall", parents=[connection], help="take vic-r1 off the robot")
    uninstall.add_argument("--purge", action="store_true", help="also remove " + layout.DATA_DIR)
    return parser


def _binary_command(*arguments: str) -> str:
    return " ".join(shlex.quote(part) for part in (layout.BINARY,) + arguments)


def _installed_or_fail(link: RobotLink):
    binary, config = shlex.quote(layout.BINARY), shlex.quote(layout.CONFIG)
    result = link.run(f"if [ -x {binary} ]; then echo installed; elif [ -e {config} ]; then echo config-only; fi",
                      changes_robot=False, describe="looking for vic-r1")
    found = result.stdout.strip()
    if found == "config-only":
        # /anki is the firmware's: an update replaces it, /data stays.
        raise StepFailed(f"vic-r1 is gone from the robot at {link.host}, but its config in {layout.DATA_DIR} is "
                         "there: a firmware update replaces /anki",
                         f"flash again (the robot's config is kept): ./deploy/robot flash {link.host}")
    if found != "installed":
        raise StepFailed(f"vic-r1 is not installed on the robot at {link.host}",
                         "install it with: ./deploy/robot flash " + link.host)


def _flash(link: RobotLink, options) -> int:
    request = FlashRequest(binary=options.binary, config=options.config, api_key_file=options.api_key_file,
                           ca_bundle=options.ca_bundle, health_timeout_s=options.health_timeout,
                           dry_run=options.dry_run)
    Flash(link, request, Progress(DRY_RUN_STEPS if options.dry_run else STEPS)).run()
    if options.dry_run:
        print("dry run: nothing on the robot was changed")
    else:
        print(f"vic-r1 is running on {link.host}. Say \"Hey Vector\" and ask a question, "
              f"or: ./deploy/robot ask {link.host} \"why is the sky blue\"")
    return EXIT_OK


def _rollback(link: RobotLink, options) -> int:
    present = link.run(f"[ -e {shlex.quote(layout.PREVIOUS_BINARY)} ] && [ -e {shlex.quote(layout.BINARY)} ]",
                       changes_robot=False, describe="looking for a previous vic-r1")
    if not present.ok:
        print(f"no previous vic-r1 on {link.host} to go back to; "
              f"./deploy/robot uninstall {link.host} takes vic-r1 off", file=sys.stderr)
        return EXIT_NOTHING_TO_DO
    progress = Progress(2)
    with progress.start("Swap the current and previous vic-r1, units and config; restart the robot"):
        result = link.run(robot_scripts.swap_with_previous(), changes_robot=True, timeout_s=120,
                          describe="rolling back")
        if not result.ok:
            raise StepFailed("rolling back failed: " + result.last_error_line(),
                             "run it again; ./deploy/robot flash puts a known version on")
    with progress.start("Wait for vic-r1 to report healthy links") as step:
        healthy, detail = wait_until_healthy(link, options.health_timeout)
        step.detail = detail
        if not healthy:
            raise StepFailed("the previous vic-r1 is back but not healthy: " + detail,
                             "run ./deploy/robot rollback again to go forward, or flash")
    return EXIT_OK


def _uninstall(link: RobotLink, options) -> int:
    progress = Progress(1)
    with progress.start("Remove vic-r1, its units and drop-ins, and restart the robot's processes"
                        + (f"; remove {layout.DATA_DIR}" if options.purge else "")):
        result = link.run(robot_scripts.uninstall(options.purge), changes_robot=True, timeout_s=120,
                          describe="uninstalling")
        if not result.ok:
            raise StepFailed("uninstalling failed: " + result.last_error_line(),
                             "run it again; if / cannot be remounted, reboot the robot first")
    if not options.purge:
        print(f"kept {layout.DATA_DIR} (config and key); --purge removes it")
    return EXIT_OK


def _logs(link: RobotLink, options) -> int:
    lines = max(0, options.lines)
    # The whole log comes over and is filtered here: the robot's grep may
    # buffer its output when it is not a terminal.
    follow = "" if options.no_follow else "-F "
    script = f"tail -n {lines * 20} {follow}{shlex.quote(layout.LOG_FILE)}"
    return link.run_attached(script, output_filter=lambda line: "vic-r1" in line)


def main(argv: Optional[List[str]] = None) -> int:
    options = _parser().parse_args(argv)
    link = RobotLink(options.robot, ssh_key=options.ssh_key, ssh_config=options.ssh_config,
                     dry_run=getattr(options, "dry_run", False))
    try:
        with link:
            if options.verb == "flash":
                return _flash(link, options)
            if options.verb != "uninstall":  # which also tidies up after a half-removed install
                _installed_or_fail(link)
            if options.verb == "status":
                return link.run_attached(_binary_command("status", *(["--json"] if options.json else [])),
                                         timeout_s=30)
            if options.verb == "doctor":
                return link.run_attached(_binary_command("doctor", *(["--json"] if options.json else [])),
                                         timeout_s=120)
            if options.verb == "ask":
                return link.run_attached(_binary_command("ask", options.question), timeout_s=600)
            if options.verb == "logs":
                return _logs(link, options)
            if options.verb == "rollback":
                return _rollback(link, options)
            return _uninstall(link, options)
    except (StepFailed, RobotLinkError) as failure:
        print(f"\nvic-r1 {options.verb}: {failure.what}", file=sys.stderr)
        if failure.fix:
            print(f"fix: {failure.fix}", file=sys.stderr)
        return EXIT_FAILED
