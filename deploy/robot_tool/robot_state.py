"""What the read-only probe found on the robot, and the checks a flash makes
before it changes anything."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import List, Optional, Set

from robot_tool import robot_layout as layout
from robot_tool.progress import StepFailed

# Vector has no real-time clock: until it has been on Wi-Fi since boot its
# clock is wrong, and TLS certificates look not yet valid.
CLOCK_SLACK_S = 24 * 3600


@dataclass
class RobotState:
    uid: Optional[int] = None
    arch: str = ""
    version: str = ""
    now: Optional[int] = None
    existing: Set[str] = field(default_factory=set)
    previous_bytes: int = 0
    free_kib_root: Optional[int] = None
    free_kib_data: Optional[int] = None

    @property
    def installed(self) -> bool:
        return layout.BINARY in self.existing

    @property
    def has_previous(self) -> bool:
        return layout.PREVIOUS_BINARY in self.existing


def _free_kib(df_line: str) -> Optional[int]:
    # POSIX `df -P -k`: filesystem, 1024-blocks, used, available, capacity, mount.
    fields = df_line.split()
    if len(fields) >= 6 and fields[3].isdigit():
        return int(fields[3])
    return None


def parse_probe(output: str) -> RobotState:
    state = RobotState()
    for line in output.splitlines():
        key, _, value = line.partition("=")
        if key == "uid" and value.strip().isdigit():
            state.uid = int(value)
        elif key == "arch":
            state.arch = value.strip()
        elif key == "version":
            state.version = value.strip()
        elif key == "now" and value.strip().isdigit():
            state.now = int(value)
        elif key == "exists":
            state.existing.add(value.strip())
        elif key == "previous_bytes" and value.strip().isdigit():
            state.previous_bytes = int(value)
        elif key == "df_root":
            state.free_kib_root = _free_kib(value)
        elif key == "df_data":
            state.free_kib_data = _free_kib(value)
    return state


def check_robot(state: RobotState, binary_bytes: int, data_bytes: int) -> List[str]:
    """Raises StepFailed for what stops a flash; returns warnings."""
    if state.uid != 0:
        raise StepFailed(f"logged in, but as uid {state.uid}, not root: this robot is not rooted",
                         "vic-r1 needs root SSH, as OSKR and wire-os robots give")
    if not state.arch.startswith("armv7"):
        raise StepFailed(f"this is not Vector's CPU: uname -m says {state.arch or 'nothing'}, not armv7",
                         "check the robot's address")
    family, reason = layout.firmware_family(state.version)
    if family is None:
        raise StepFailed(f"unknown firmware: {reason}",
                         "vic-r1 knows victor 1.6, 1.8 (official and OSKR) and wire-os 2.x/3.x; "
                         "update the robot to one of these")
    # The new binary replaces the current one, which stays as the previous
    # one; the one before that is freed.
    needed_root = binary_bytes // 1024 + 1 + layout.SPARE_KIB - state.previous_bytes // 1024
    if state.free_kib_root is None or state.free_kib_root < needed_root:
        raise StepFailed(f"out of space on /: {state.free_kib_root} KiB free, {needed_root} KiB needed",
                         "free space on the robot's root partition (a previous vic-r1 is "
                         f"{layout.PREVIOUS_BINARY}), or uninstall other add-ons")
    needed_data = data_bytes // 1024 + 1 + layout.SPARE_KIB
    if state.free_kib_data is None or state.free_kib_data < needed_data:
        raise StepFailed(f"out of space on /data: {state.free_kib_data} KiB free, {needed_data} KiB needed",
                         "free space on /data (old logs, recordings)")
    warnings = []
    if state.now is None or abs(state.now - time.time()) > CLOCK_SLACK_S:
        robot_time = time.strftime("%Y-%m-%d %H:%M", time.gmtime(state.now)) if state.now else "unknown"
        warnings.append(f"the robot's clock says {robot_time} UTC: vic-r1 cannot check certificates until "
                        "it is set. Vector sets it on Wi-Fi after boot; if it stays wrong, check its "
                        "internet connection")
    return warnings
