"""Where vic-r1 lives on the robot, and what the robot must be for it.

Everything vic-r1 puts on the robot's read-only root file system is named
here, and nothing else is ever written there: uninstall removes exactly this
list (and the directories the first install had to create). Config, key and
CA bundle live in /data/vic-r1, the one writable partition, which survives a
firmware update (../shared/design/VECTOR-IPC.md section 4).
"""
from __future__ import annotations

import os
from typing import Dict, Optional, Tuple

BINARY = "/anki/bin/vic-r1"
# The binary that was running before the last flash that succeeded.
PREVIOUS_BINARY = "/anki/bin/vic-r1.previous"
# A flash's new binary until it is checked and swapped in.
INCOMING_BINARY = "/anki/bin/vic-r1.incoming"
# During a flash, the binary it replaced, until the health check decides:
# kept as PREVIOUS_BINARY on success, put back on failure. A hard link, so
# it costs no space on the small root partition.
REPLACED_BINARY = "/anki/bin/vic-r1.replaced"

# The units in deploy/systemd/, by where each goes on the robot.
UNIT_FILES: Dict[str, str] = {
    "vic-r1.service": "/lib/systemd/system/vic-r1.service",
    "vic-r1-recover.service": "/lib/systemd/system/vic-r1-recover.service",
    "vic-cloud.service.d/vic-r1.conf": "/etc/systemd/system/vic-cloud.service.d/vic-r1.conf",
}
# What `systemctl enable vic-r1` creates (its [Install] WantedBy=).
ENABLE_LINK = "/etc/systemd/system/anki-robot.target.wants/vic-r1.service"
# Directories a first install may have to create; uninstall removes the ones
# it did create (listed in CREATED_DIRECTORIES_RECORD).
DIRECTORIES = [
    "/etc/systemd/system/vic-cloud.service.d",
    "/etc/systemd/system/anki-robot.target.wants",
]

DATA_DIR = "/data/vic-r1"
CONFIG = DATA_DIR + "/config.json"
# The units and config the running install replaced (for `rollback`).
PREVIOUS_DIR = DATA_DIR + "/previous"
# A flash's copy of the state it is about to change, until it is decided.
FLASHING_DIR = DATA_DIR + "/flashing"
CREATED_DIRECTORIES_RECORD = DATA_DIR + "/created-directories"

VERSION_FILE = "/anki/etc/version"
LOG_FILE = "/var/log/messages"
ROBOT_TARGET = "anki-robot.target"

# Room to leave free beyond the files themselves: the robot's own processes
# write to both partitions while they run.
SPARE_KIB = 512


def firmware_family(version: str) -> Tuple[Optional[str], str]:
    """The message layout family vic-r1 has for a victor version string, the
    same rule as `vic-r1 run` (agent/cli/firmware_detection.cpp), or None."""
    version = version.strip()
    if version.startswith("1.6."):
        return "1.6", f"victor {version}: the 1.6 layout"
    if version.startswith(("1.8.", "2.", "3.")):
        return "1.8", f"victor {version}: the 1.8 layout"
    if not version:
        return None, f"{VERSION_FILE} is missing or empty"
    return None, f"victor {version} is a firmware vic-r1 does not know"


def repository_root() -> str:
    return os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def unit_sources() -> Dict[str, str]:
    """Each unit file in this checkout, by its place on the robot."""
    systemd = os.path.join(repository_root(), "deploy", "systemd")
    return {remote: os.path.join(systemd, local) for local, remote in UNIT_FILES.items()}
