"""`flash`: puts vic-r1 on a robot and proves it works there, or leaves the
robot as it was.

The story, in order: check everything on this side, look at the robot
without changing it, make / writable, send the new binary beside the old one
and run it once, keep a copy of all the flash will replace, write the units
and the config, check the config with the new binary, swap the binary in (a
rename), enable the unit, make / read-only again, restart the robot's
processes and wait for vic-r1 to report a link that can speak. Only then is
the flash kept. Any failure after the first change undoes it all.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Optional

from robot_tool import flash_inputs, robot_scripts
from robot_tool import robot_layout as layout
from robot_tool.health_check import recent_log, wait_until_healthy
from robot_tool.progress import Progress, StepFailed
from robot_tool.robot_link import RobotLink, RobotLinkError
from robot_tool.robot_state import check_robot, parse_probe

# Steps a flash shows; a dry run stops before the last two.
STEPS = 14
DRY_RUN_STEPS = 12


@dataclass
class FlashRequest:
    binary: Optional[str]
    config: Optional[str]
    api_key_file: Optional[str]
    ca_bundle: Optional[str]
    health_timeout_s: float
    dry_run: bool


class Flash:
    def __init__(self, link: RobotLink, request: FlashRequest, progress: Progress):
        self.link = link
        self.request = request
        self.progress = progress
        self.changed_robot = False
        self.restarted_robot = False

    def run(self) -> None:
        inputs = self._gather_inputs()
        self._look_at_robot(inputs)
        try:
            self._install(inputs)
            if self.request.dry_run:
                return
            self._prove_healthy()
        except BaseException:
            # Whatever stopped it (a failed step, a lost link, Ctrl-C, a bug
            # here): the robot goes back to how it was.
            if self.changed_robot and not self.request.dry_run:
                self._undo()
            raise

    # ------------------------------------------------------- before any change

    def _gather_inputs(self) -> flash_inputs.FlashInputs:
        with self.progress.start("Find the robot binary and the files to send") as step:
            binary = self.request.binary
            if binary is None:
                binary = flash_inputs.default_binary()
                if self.request.dry_run and os.path.exists(binary):
                    step.detail = "would build it again if its sources changed"
                elif self.request.dry_run:
                    raise StepFailed(f"{binary} is not built yet, and a dry run builds nothing",
                                     "run ./deploy/build-robot first, or give --binary FILE")
                else:
                    flash_inputs.build_robot_binary()
            inputs = flash_inputs.gather(binary, self.request.config, self.request.api_key_file,
                                         self.request.ca_bundle)
            step.detail = f"{binary} ({os.path.getsize(binary):,} bytes)"
            if inputs.config is None:
                step.detail += "; the robot's config is kept"
        return inputs

    def _look_at_robot(self, inputs: flash_inputs.FlashInputs) -> None:
        with self.progress.start(f"Check the robot at {self.link.host}") as step:
            probe = self.link.run(robot_scripts.probe(), changes_robot=False, timeout_s=30,
                                  describe="looking at the robot")
            state = parse_probe(probe.stdout)
            data_bytes = sum(os.path.getsize(path) for path in inputs.data_files)
            warnings = check_robot(state, os.path.getsize(inputs.binary), data_bytes)
            if inputs.config is None and layout.CONFIG not in state.existing:
                raise StepFailed(f"the robot has no {layout.CONFIG} yet",
                                 "give one with --config FILE (start from deploy/config.example.json) "
                                 "and the key with --api-key-file FILE")
            family, _ = layout.firmware_family(state.version)
            step.detail = (f"root, {state.arch}, victor {state.version} ({family} layout), "
                           f"{state.free_kib_root} KiB free on /, {state.free_kib_data} KiB on /data, "
                           + ("vic-r1 installed" if state.installed else "no vic-r1 yet"))
        for warning in warnings:
            self.progress.note("warning: " + warning)

    # -------------------------------------------------------------- changes

    def _remote(self, script: str, what: str, fix: str, timeout_s: float = 60):
        result = self.link.run(script, changes_robot=True, timeout_s=timeout_s, describe=what)
        if not result.ok:
            raise StepFailed(f"{what} failed: {result.last_error_line()}", fix)
        return result

    def _install(self, inputs: flash_inputs.FlashInputs) -> None:
        with self.progress.start("Make / writable (mount -o remount,rw /)"):
            self._remote(robot_scripts.remount("rw"), "remounting / read-write",
                         "the robot's root file system cannot be made writable; reboot the robot and "
                         "flash again")
            self.changed_robot = True
        with self.progress.start("Send the new vic-r1 and run it once") as step:
            sent = self.link.send_file(inputs.binary, layout.INCOMING_BINARY, mode="755")
            if not sent.ok:
                raise StepFailed(f"sending the binary failed: {sent.last_error_line()}",
                                 "check the free space on the robot's / (df -k /)")
            version = self._remote(robot_scripts.check_incoming_binary(), "running the new vic-r1",
                                   "the binary does not run on this robot; build it again with "
                                   "./deploy/build-robot")
            step.detail = version.stdout.strip().splitlines()[0] if version.stdout.strip() else ""
        with self.progress.start("Keep a copy of what this flash replaces"):
            self._remote(robot_scripts.save_state_before_flash(inputs.data_files.values()),
                         "saving the robot's state", "check the free space on /data")
        with self.progress.start("Install the systemd units"):
            self._remote(robot_scripts.make_directories(), "creating directories", "check the robot's /etc")
            for remote, local in layout.unit_sources().items():
                self._send(local, remote, "644")
        with self.progress.start("Write the config, key and CA bundle to " + layout.DATA_DIR) as step:
            for local, remote in inputs.data_files.items():
                self._send(local, remote, "600" if remote in inputs.secret_paths else "644")
            step.detail = ", ".join(sorted(inputs.data_files.values())) or "kept the robot's own"
        with self.progress.start("Check the config on the robot with the new vic-r1"):
            result = self.link.run(robot_scripts.check_config_with_incoming(), changes_robot=True,
                                   describe="vic-r1 check-config --files")
            if not result.ok:
                problems = (result.stdout + result.stderr).strip()
                raise StepFailed("the config does not work on the robot:\n        "
                                 + problems.replace("\n", "\n        "),
                                 "fix the config (vic-r1 check-config FILE says the same here) and flash again")
        with self.progress.start("Swap in the new vic-r1, keeping the old one"):
            self._remote(robot_scripts.swap_in_incoming(), "swapping the binary", "flash again")
        with self.progress.start("Enable vic-r1.service"):
            self._remote(robot_scripts.enable(), "systemctl enable vic-r1", "see systemctl status vic-r1")
        with self.progress.start("Make / read-only again"):
            self._remote(robot_scripts.remount("ro"), "remounting / read-only",
                         "reboot the robot: it mounts / read-only at boot")
        with self.progress.start("Restart the robot's processes (anki-robot.target)"):
            self.restarted_robot = True
            self._remote(robot_scripts.restart_robot(), "restarting anki-robot.target",
                         "reboot the robot", timeout_s=120)

    def _send(self, local: str, remote: str, mode: str):
        result = self.link.send_file(local, remote, mode=mode)
        if not result.ok:
            raise StepFailed(f"writing {remote} failed: {result.last_error_line()}", "check the free space")

    # --------------------------------------------------------- decide

    def _prove_healthy(self) -> None:
        deadline = self.request.health_timeout_s
        with self.progress.start(f"Wait up to {deadline:.0f} s for vic-r1 to report healthy links") as step:
            healthy, detail = wait_until_healthy(self.link, deadline)
            if not healthy:
                log = recent_log(self.link)
                raise StepFailed(f"vic-r1 did not come up healthy within {deadline:.0f} s: {detail}"
                                 + ("\n        its last lines in the robot's log:\n          "
                                    + log.replace("\n", "\n          ") if log else ""),
                                 "the robot is back as it was; run ./deploy/robot doctor ROBOT, "
                                 "or flash with --health-timeout longer on a slow robot")
            step.detail = detail
        with self.progress.start("Keep this flash (the old vic-r1 becomes the previous one)"):
            self._remote("set -e\nmount -o remount,rw /\n" + robot_scripts.keep_flash_as_current()
                         + "\n" + robot_scripts.remount("ro"),
                         "keeping the flash", "it works now; run ./deploy/robot flash again to tidy up")

    def _undo(self) -> None:
        self.progress.note("undoing this flash: the robot goes back to how it was")
        try:
            result = self.link.run(robot_scripts.undo_flash(restart_robot=self.restarted_robot),
                                   changes_robot=True, timeout_s=120,
                                   describe="undoing the flash")
        except RobotLinkError as error:
            self.progress.note(f"could not undo: {error.what}. Run ./deploy/robot flash again, or "
                               "./deploy/robot uninstall, when the robot answers")
            return
        if result.ok:
            self.progress.note("rolled back: the robot runs what it ran before this flash")
        else:
            self.progress.note("rolling back stopped at: " + result.last_error_line())
