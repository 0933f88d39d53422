"""What a flash takes from the owner's machine: the robot binary, the config,
the API key file and a CA bundle. Each is checked here, before the robot is
touched, so that a wrong file is an error on this side with nothing changed
there."""
from __future__ import annotations

import json
import os
import posixpath
import stat
import subprocess
from dataclasses import dataclass, field
from typing import Dict, Optional

from robot_tool import robot_layout
from robot_tool.progress import StepFailed

# Where common systems keep their CA bundle, most common first. The robot has
# none that vic-r1 can use (VECTOR-IPC.md section 4), so one is sent along.
LOCAL_CA_BUNDLES = [
    "/etc/ssl/certs/ca-certificates.crt",   # Debian, Ubuntu, Arch, Alpine
    "/etc/pki/tls/certs/ca-bundle.crt",     # Fedora, RHEL
    "/etc/ssl/cert.pem",                    # macOS, the BSDs
    "/etc/ssl/ca-bundle.pem",               # openSUSE
]

ELF_MAGIC = b"\x7fELF"
ELF_CLASS_32 = 1
ELF_MACHINE_ARM = 40


@dataclass
class FlashInputs:
    binary: str
    config: Optional[str]                # None: keep the robot's own config
    # Local file -> its path on the robot.
    data_files: Dict[str, str] = field(default_factory=dict)
    # Remote paths that hold secrets (written 0600).
    secret_paths: set = field(default_factory=set)


def default_binary() -> str:
    return os.path.join(robot_layout.repository_root(), "build", "robot", "vic-r1")


def build_robot_binary():
    """deploy/build-robot: installs the cross toolchain if needed and builds
    only what changed."""
    script = os.path.join(robot_layout.repository_root(), "deploy", "build-robot")
    completed = subprocess.run([script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    if completed.returncode != 0:
        tail = completed.stdout.decode("utf-8", "replace").strip().splitlines()[-5:]
        raise StepFailed("building the robot binary failed:\n        " + "\n        ".join(tail),
                         "the build needs Debian's armhf cross compiler; elsewhere, build on a Debian "
                         "machine and pass the binary with --binary FILE")


def check_robot_binary(path: str):
    """Vector runs 32-bit ARM (Cortex-A7): anything else would fail there with
    an unhelpful 'not found'."""
    try:
        with open(path, "rb") as binary:
            header = binary.read(20)
    except OSError as error:
        raise StepFailed(f"cannot read the robot binary {path}: {error.strerror}",
                         "build it with ./deploy/build-robot or name it with --binary FILE") from None
    machine = int.from_bytes(header[18:20], "little") if len(header) >= 20 else 0
    if header[:4] != ELF_MAGIC or header[4] != ELF_CLASS_32 or machine != ELF_MACHINE_ARM:
        raise StepFailed(f"{path} is not a 32-bit ARM program, so it cannot run on Vector",
                         "use the robot build: ./deploy/build-robot makes build/robot/vic-r1")


def _robot_path(config: dict, provider: dict, key: str, default_name: str) -> str:
    state_dir = config.get("state_dir") or robot_layout.DATA_DIR
    value = provider.get(key)
    return value if isinstance(value, str) and value else posixpath.join(state_dir, default_name)


def gather(binary: str, config_path: Optional[str], api_key_file: Optional[str],
           ca_bundle: Optional[str]) -> FlashInputs:
    check_robot_binary(binary)
    inputs = FlashInputs(binary=binary, config=config_path)
    if config_path is None:
        if api_key_file or ca_bundle:
            raise StepFailed("--api-key-file and --ca-bundle go where the config says",
                             "give the config too with --config FILE")
        return inputs
    try:
        with open(config_path, encoding="utf-8") as source:
            config = json.load(source)
    except OSError as error:
        raise StepFailed(f"cannot read the config {config_path}: {error.strerror}",
                         "start from deploy/config.example.json") from None
    except ValueError as error:
        raise StepFailed(f"the config {config_path} is not JSON: {error}",
                         "check it with: vic-r1 check-config " + config_path) from None
    if not isinstance(config, dict):
        raise StepFailed(f"the config {config_path} is not a JSON object", "start from deploy/config.example.json")

    inputs.data_files[config_path] = robot_layout.CONFIG
    key_path = _robot_path(config, config, "api_key_file", "api-key")
    ca_path = _robot_path(config, config, "ca_file", "ca-certificates.crt")
    for name, remote in (("api_key_file", key_path), ("ca_file", ca_path)):
        # /data is the only partition that is writable and survives updates.
        if not posixpath.isabs(remote) or not remote.startswith("/data/"):
            raise StepFailed(f"the config's {name} is {remote}, which is not on the robot's /data",
                             f'write "{name}": "{robot_layout.DATA_DIR}/{posixpath.basename(remote)}"')

    if api_key_file:
        mode = _file_mode(api_key_file, "the API key file")
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            # Said, not refused: it is the owner's file on the owner's machine.
            print(f"note: {api_key_file} can be read by others here (mode {mode:o}); "
                  "on the robot it is written 0600")
        inputs.data_files[api_key_file] = key_path
        inputs.secret_paths.add(key_path)

    bundle = ca_bundle or next((path for path in LOCAL_CA_BUNDLES if os.path.isfile(path)), None)
    if bundle is None:
        raise StepFailed("found no CA bundle on this machine to send to the robot",
                         "name one with --ca-bundle FILE (a PEM file of trusted root certificates)")
    _file_mode(bundle, "the CA bundle")
    inputs.data_files[bundle] = ca_path
    return inputs


def _file_mode(path: str, what: str) -> int:
    try:
        info = os.stat(path)
    except OSError as error:
        raise StepFailed(f"cannot read {what} {path}: {error.strerror}", "check the path") from None
    if not stat.S_ISREG(info.st_mode) or not os.access(path, os.R_OK):
        raise StepFailed(f"{what} {path} is not a readable file", "check the path")
    return stat.S_IMODE(info.st_mode)
