"""A robot to flash: a root file system laid out as Vector's, reached through
a real OpenSSH server, with the robot's processes (the virtual Vector) and
the installed ARM vic-r1 running on it under qemu.

What it is, rule by rule, and where each rule comes from:
- Root SSH with a key, no password (OSKR: VECTOR-IPC.md section 4). The SSH
  server is the machine's own sshd on 127.0.0.1, chrooted into the tree: a
  session sees only the robot's files. It offers no sftp subsystem, and the
  tree has no scp or rsync: files must come through ssh's standard input.
- A POSIX shell and a minimal userland: dash (POSIX sh and no more) as
  /bin/sh and the login shell, BusyBox's applets (static) for the rest.
  (BusyBox's own shell would run its applets without a PATH search, past
  the tree's mount and uname.)
- `/` read-only until `mount -o remount,rw /` (VECTOR-IPC.md section 4), and
  the kernel enforces it: the tree is a tmpfs of its own, remounted for real
  by the `mount` in the tree, which first writes each call to a record.
- `/data` a separate, writable tmpfs mounted noexec,nosuid,nodev, as the
  robot's (a binary put there could not run).
- The firmware's units (tests/build/check_robot_units.py FIRMWARE_UNITS, from
  vicos-oelinux), `/anki/etc/version`, `/var/log/messages` written by a
  `logwrapper` that tags each line with the program's name.
- `systemctl`: enable and disable make and remove the [Install] links in the
  tree itself (so they fail while / is read-only, as systemd's would);
  start, stop and restart go to RobotServiceManager outside, which starts
  the robot's processes in the units' order: vic-anim, vic-r1 if enabled
  (the installed unit's ExecStart= and EnvironmentFile=, chrooted, waiting
  for READY=1 as Type=notify does), vic-engine, vic-cloud after the
  drop-in's ExecStartPre=. Every call is recorded.
- `uname -m` says armv7l: the ARM code runs under qemu-arm (binfmt_misc with
  the emulator opened at registration, so it works inside the chroot), with
  QEMU_CPU=cortex-a7, Vector's CPU.

Everything runs in a mount namespace of its own (run the test under
`unshare --mount --propagation private`): the mounts vanish with it. The
ARM handler (ensure_arm_binfmt) is the kernel's, for the whole machine: the
caller registers it first and removes it after.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "virtual_vector"))
sys.path.insert(0, os.path.join(REPO, "tests", "build"))

from check_robot_units import FIRMWARE_UNITS          # noqa: E402
from scenario_harness import NotifyListener           # noqa: E402
from virtual_vector import VirtualVector              # noqa: E402
from waiting import wait_until                        # noqa: E402

BUSYBOX = "/bin/busybox"
DASH = "/bin/dash"
SSHD = "/usr/sbin/sshd"
QEMU_ARM_STATIC = "/usr/bin/qemu-arm-static"
BINFMT_DIR = "/proc/sys/fs/binfmt_misc"
BINFMT_NAME = "vic-r1-test-arm"
# qemu's own pattern for 32-bit little-endian ARM ELF executables
# (qemu scripts/qemu-binfmt-conf.sh, arm_magic and arm_mask).
ARM_ELF_MAGIC = r"\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x28\x00"
ARM_ELF_MASK = r"\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff"

VICTOR_VERSION = "1.8.1.6051"
# PATH for what runs in the tree (and for finding chroot here).
ROBOT_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
# Paths inside the tree that are the robot's running state, not its install:
# a comparison of the tree before and after leaves them out.
VOLATILE = ("proc", "dev", "var", "run", "tmp", "recorder")

# sshd chroots only into a path whose every component is root's and not
# writable by others (not so /tmp): the tree is mounted here, in this
# process's own mount namespace, where it hides nothing of the machine's.
TREE_MOUNT_POINT = "/mnt"
# The robot's socket directory. A Unix socket's address is the path it was
# bound with, and each side sends to the other's: the virtual Vector (here)
# binds under /mnt/dev/socket, vic-r1 (in the chroot) under /dev/socket.
# Both paths name the same directory in both views: in the tree, a link
# /mnt -> /; here, the tree's /dev/socket bound onto /dev/socket (in this
# mount namespace only; an empty /dev/socket may have to be made for it).
ROBOT_SOCKET_DIR = "/dev/socket"


def require_private_mount_namespace():
    if os.environ.get("VIC_R1_ROBOT_DOUBLE_NAMESPACE") != "1":
        raise SystemExit("run this under: unshare --mount --propagation private "
                         "env VIC_R1_ROBOT_DOUBLE_NAMESPACE=1 ...")


def ensure_arm_binfmt() -> bool:
    """Lets the kernel run ARM programs through qemu-arm-static. Returns True
    if this call registered the handler (the caller removes it)."""
    if not os.path.exists(os.path.join(BINFMT_DIR, "register")):
        subprocess.run(["mount", "-t", "binfmt_misc", "binfmt_misc", BINFMT_DIR], check=True)
    if os.path.exists(os.path.join(BINFMT_DIR, BINFMT_NAME)):
        return False
    with open(os.path.join(BINFMT_DIR, "register"), "w") as register:
        register.write(f":{BINFMT_NAME}:M::{ARM_ELF_MAGIC}:{ARM_ELF_MASK}:{QEMU_ARM_STATIC}:F")
    return True


def remove_arm_binfmt():
    entry = os.path.join(BINFMT_DIR, BINFMT_NAME)
    if os.path.exists(entry):
        with open(entry, "w") as handler:
            handler.write("-1")


def _group_alive(group):
    try:
        os.killpg(group, 0)
        return True
    except ProcessLookupError:
        return False


def _mount(*arguments):
    subprocess.run(["mount"] + list(arguments), check=True)


def _write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as out:
        out.write(text)
    os.chmod(path, mode)


# The tree's own commands. `mount` records, then really remounts (the tree's
# root is a tmpfs of its own: only it changes).
MOUNT_RECORDER = """#!/bin/sh
echo "$*" >> /recorder/mount.log
if [ -e /recorder/refuse-remount ]; then
  echo "mount: /: mount point is busy." >&2
  exit 32
fi
exec /bin/busybox mount "$@"
"""

# systemctl: [Install] links here, in the tree; the rest through the FIFOs
# to RobotServiceManager, which answers with the exit status.
SYSTEMCTL_DOUBLE = """#!/bin/sh
echo "$*" >> /recorder/systemctl.log
wanted_by() {
  grep '^WantedBy=' "/lib/systemd/system/$1" 2>/dev/null | head -n 1 | cut -d= -f2
}
case "$1" in
  enable)
    target=$(wanted_by "$2")
    [ -n "$target" ] || { echo "Failed to execute operation: No such file or directory" >&2; exit 1; }
    mkdir -p "/etc/systemd/system/$target.wants" &&
      ln -sf "/lib/systemd/system/$2" "/etc/systemd/system/$target.wants/$2" || exit 1
    echo "Created symlink from /etc/systemd/system/$target.wants/$2 to /lib/systemd/system/$2."
    exit 0 ;;
  disable)
    for link in /etc/systemd/system/*.wants/"$2"; do
      [ -L "$link" ] || continue
      rm -f "$link" || exit 1
      echo "Removed symlink $link."
    done
    exit 0 ;;
esac
echo "$*" > /recorder/to-manager
read status < /recorder/from-manager
exit "$status"
"""

LOGWRAPPER_DOUBLE = """#!/bin/sh
# Android's logwrapper: the program's output into the robot's log, tagged.
tag=$(basename "$1")
"$@" 2>&1 | while IFS= read -r line; do
  echo "$(date '+%b %e %H:%M:%S') vector $tag: $line" >> /var/log/messages
done
"""

UNAME_DOUBLE = """#!/bin/sh
# Vector's CPU; the ARM code really runs, under qemu-arm.
if [ "$1" = "-m" ]; then echo armv7l; else exec /bin/busybox uname "$@"; fi
"""

# The login shell sshd runs (root's in this machine's passwd) is BusyBox ash.
LOGIN_SHELL = "#!/bin/sh\nexec /bin/sh \"$@\"\n"


class RobotServiceManager:
    """systemd's part for the robot's units, driven by the tree's systemctl."""

    def __init__(self, tree: str, broken_anim: bool = False):
        self.tree = tree
        self.socket_dir = os.path.join(tree, "dev", "socket")
        self.broken_anim = broken_anim
        self.robot = None
        self.vic_r1 = None
        self.calls = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        os.mkfifo(os.path.join(tree, "recorder", "to-manager"))
        os.mkfifo(os.path.join(tree, "recorder", "from-manager"))

    def start(self):
        self._thread.start()

    # The FIFO protocol: one line in, one exit status out.
    def _serve(self):
        while not self._stop.is_set():
            with open(os.path.join(self.tree, "recorder", "to-manager")) as requests:
                line = requests.readline().strip()
            if self._stop.is_set():
                return
            self.calls.append(line)
            try:
                status = self.handle(line.split())
            except Exception as error:  # said to the caller as systemctl would
                sys.stderr.write(f"robot service manager: {line}: {error}\n")
                status = 1
            with open(os.path.join(self.tree, "recorder", "from-manager"), "w") as replies:
                replies.write(f"{status}\n")

    def handle(self, words):
        verb, units = words[0], [word for word in words[1:] if not word.startswith("-")]
        if verb == "daemon-reload":
            return 0
        if verb in ("restart", "start") and units == ["anki-robot.target"]:
            self.stop_all()
            self.boot()
            return 0
        if verb == "stop" and units == ["vic-r1.service"]:
            self.stop_vic_r1()
            return 0
        if verb == "is-active" and units == ["vic-r1.service"]:
            return 0 if self.vic_r1 is not None and self.vic_r1.poll() is None else 3
        sys.stderr.write(f"robot service manager: not handled: {' '.join(words)}\n")
        return 1

    # -------------------------------------------------------------- boot

    def _unit(self, path):
        """key -> value of a unit file in the tree (the lines we use)."""
        values = {}
        full = os.path.join(self.tree, path.lstrip("/"))
        if not os.path.exists(full):
            return None
        with open(full) as unit:
            for line in unit:
                key, sep, value = line.strip().partition("=")
                if sep and not line.startswith("#"):
                    values.setdefault(key, value)
        return values

    def _environment(self, unit):
        environment = {"PATH": ROBOT_PATH, "QEMU_CPU": "cortex-a7"}
        file = unit.get("EnvironmentFile", "")
        optional = file.startswith("-")
        path = os.path.join(self.tree, file.lstrip("-").lstrip("/"))
        if file and os.path.exists(path):
            with open(path) as env:
                for line in env:
                    key, sep, value = line.strip().partition("=")
                    if sep and not key.startswith("#"):
                        environment[key] = value.strip('"')
        elif file and not optional:
            raise RuntimeError(f"EnvironmentFile {file} is missing")
        return environment

    def boot(self):
        self.robot = VirtualVector(self.socket_dir, engine_options={"connect_retry_s": 0.2},
                                   cloud_options={"retry_interval_s": 0.2})
        if not self.broken_anim:
            self.robot.start_anim()
        unit = self._unit("/lib/systemd/system/vic-r1.service")
        enabled = os.path.islink(os.path.join(self.tree, "etc/systemd/system/anki-robot.target.wants/vic-r1.service"))
        if unit is not None and enabled:
            self.start_vic_r1(unit)
        self.robot.start_engine()
        wait_until(lambda: self.robot.engine.robot_available, 10)
        drop_in = self._unit("/etc/systemd/system/vic-cloud.service.d/vic-r1.conf")
        if drop_in is not None and "ExecStartPre" in drop_in:
            command = drop_in["ExecStartPre"].lstrip("-")
            subprocess.run(["chroot", self.tree, "/bin/sh", "-c", command], env=self._environment({}),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=70, check=False)
        self.robot.start_cloud()

    def start_vic_r1(self, unit):
        environment = self._environment(unit)
        notify = NotifyListener(os.path.join(self.tree, "run", "vic-r1.notify"))
        environment["NOTIFY_SOCKET"] = "/run/vic-r1.notify"
        command = unit["ExecStart"]
        for key, value in environment.items():
            command = command.replace("$" + key, value)
        command = command.replace("$VIC_R1_OPTS", "")
        self.vic_r1 = subprocess.Popen(["chroot", self.tree, "/bin/sh", "-c", "exec " + command],
                                       env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL, start_new_session=True)
        # Type=notify: vic-engine starts once vic-r1 said READY=1 (or its
        # start timed out; systemd's is 90 s, this double's shorter).
        wait_until(lambda: notify.ready() or self.vic_r1.poll() is not None, 15)
        notify.close()
        os.unlink(os.path.join(self.tree, "run", "vic-r1.notify"))

    def stop_vic_r1(self):
        if self.vic_r1 is None:
            return
        # As systemd stops a unit (KillMode=control-group): SIGTERM to every
        # process of it, and done only when all are gone (logwrapper's shell
        # ends at once; vic-r1 and its agent take their time).
        group = self.vic_r1.pid
        try:
            os.killpg(group, signal.SIGTERM)
        except ProcessLookupError:
            pass
        self.vic_r1.wait(10)
        if not wait_until(lambda: not _group_alive(group), 10):
            os.killpg(group, signal.SIGKILL)
            wait_until(lambda: not _group_alive(group), 10)
        self.vic_r1 = None

    def stop_all(self):
        self.stop_vic_r1()
        if self.robot is not None:
            self.robot.stop()
            self.robot = None

    def close(self):
        self._stop.set()
        self.stop_all()
        # Wake the serving thread so it sees the stop.
        try:
            fd = os.open(os.path.join(self.tree, "recorder", "to-manager"), os.O_WRONLY | os.O_NONBLOCK)
            os.write(fd, b"\n")
            os.close(fd)
        except OSError:
            pass


class RobotDouble:
    def __init__(self, root_size_kib=16384, version=VICTOR_VERSION, broken_anim=False):
        require_private_mount_namespace()
        self.dir = tempfile.mkdtemp(prefix="vic-r1-robot-")
        self.tree = TREE_MOUNT_POINT
        self.sshd = None
        self.manager = None
        self.made_socket_dir = False
        self._build_tree(root_size_kib, version)
        self._make_keys()
        self._start_sshd()
        self.manager = RobotServiceManager(self.tree, broken_anim=broken_anim)
        self.manager.start()
        # The robot as it stands before vic-r1: booted, / read-only.
        self.manager.boot()
        _mount("-o", "remount,ro", self.tree)

    # -------------------------------------------------------------- tree

    def _build_tree(self, root_size_kib, version):
        tree = self.tree
        os.makedirs(tree, exist_ok=True)
        _mount("-t", "tmpfs", "-o", f"size={root_size_kib}k,mode=755", "tmpfs", tree)
        for directory in ("bin", "sbin", "usr/bin", "usr/sbin", "anki/bin", "anki/etc", "lib/systemd/system",
                          "etc/systemd/system", "data", "dev", "proc", "var/log", "run", "tmp", "root",
                          "recorder"):
            os.makedirs(os.path.join(tree, directory), exist_ok=True)
        shutil.copy2(BUSYBOX, os.path.join(tree, "bin", "busybox"))
        listed = subprocess.run([BUSYBOX, "--list"], stdout=subprocess.PIPE, check=True).stdout.decode()
        for applet in listed.split():
            if applet in ("busybox", "mount", "uname", "bash"):
                continue
            os.symlink("/bin/busybox", os.path.join(tree, "bin", applet))
        os.unlink(os.path.join(tree, "bin", "sh"))
        self._copy_program(DASH, "/bin/sh")
        _write(os.path.join(tree, "bin", "mount"), MOUNT_RECORDER, 0o755)
        _write(os.path.join(tree, "bin", "systemctl"), SYSTEMCTL_DOUBLE, 0o755)
        _write(os.path.join(tree, "bin", "uname"), UNAME_DOUBLE, 0o755)
        _write(os.path.join(tree, "bin", "bash"), LOGIN_SHELL, 0o755)
        _write(os.path.join(tree, "usr", "bin", "logwrapper"), LOGWRAPPER_DOUBLE, 0o755)
        _write(os.path.join(tree, "anki", "etc", "version"), version + "\n")
        for name, text in FIRMWARE_UNITS.items():
            _write(os.path.join(tree, "lib", "systemd", "system", name), text)
        # The firmware's processes are enabled in the target (their binaries
        # are the virtual Vector, outside).
        wants = os.path.join(tree, "etc", "systemd", "system", "anki-robot.target.wants")
        os.makedirs(wants)
        for name in FIRMWARE_UNITS:
            if name.endswith(".service"):
                os.symlink("/lib/systemd/system/" + name, os.path.join(wants, name))
        _write(os.path.join(tree, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n")
        _write(os.path.join(tree, "etc", "hosts"), "127.0.0.1 localhost\n")
        _write(os.path.join(tree, "etc", "group"), "root:x:0:\nanki:x:2901:\n")
        # Vector's writable partitions and its running state.
        _mount("-t", "tmpfs", "-o", "size=16m,mode=755,noexec,nosuid,nodev", "tmpfs", os.path.join(tree, "data"))
        _mount("-t", "tmpfs", "-o", "size=8m,mode=755", "tmpfs", os.path.join(tree, "dev"))
        os.makedirs(os.path.join(tree, "dev", "socket"))
        os.symlink("/", os.path.join(tree, "mnt"))
        self.made_socket_dir = not os.path.exists(ROBOT_SOCKET_DIR)
        os.makedirs(ROBOT_SOCKET_DIR, exist_ok=True)
        _mount("--bind", os.path.join(tree, "dev", "socket"), ROBOT_SOCKET_DIR)
        for name, minor in (("null", 3), ("zero", 5)):
            os.mknod(os.path.join(tree, "dev", name), stat.S_IFCHR | 0o666, os.makedev(1, minor))
        os.mknod(os.path.join(tree, "dev", "tty"), stat.S_IFCHR | 0o666, os.makedev(5, 0))
        for directory in ("var", "run", "tmp"):
            _mount("-t", "tmpfs", "-o", "size=8m,mode=755", "tmpfs", os.path.join(tree, directory))
        os.makedirs(os.path.join(tree, "var", "log"))
        open(os.path.join(tree, "var", "log", "messages"), "w").close()
        _mount("-t", "tmpfs", "-o", "size=1m,mode=755", "tmpfs", os.path.join(tree, "recorder"))
        _mount("-t", "proc", "proc", os.path.join(tree, "proc"))

    def _copy_program(self, program, robot_path):
        """A dynamically linked program and the libraries it loads."""
        shutil.copy2(program, self.path(robot_path))
        listing = subprocess.run(["ldd", program], stdout=subprocess.PIPE, check=True).stdout.decode()
        for line in listing.splitlines():
            library = next((word for word in line.split() if word.startswith("/")), None)
            if library:
                os.makedirs(os.path.dirname(self.path(library)), exist_ok=True)
                shutil.copy2(library, self.path(library))

    # ---------------------------------------------------------------- ssh

    def _make_keys(self):
        keys = os.path.join(self.dir, "keys")
        os.mkdir(keys, 0o700)
        self.owner_key = os.path.join(keys, "ssh_root_key")
        self.stranger_key = os.path.join(keys, "someone_elses_key")
        for key in (self.owner_key, self.stranger_key):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
        for kind in ("rsa", "ed25519"):
            subprocess.run(["ssh-keygen", "-q", "-t", kind, "-N", "", "-f",
                            os.path.join(keys, "host_" + kind)], check=True)
        shutil.copy(self.owner_key + ".pub", os.path.join(keys, "authorized_keys"))

    def _start_sshd(self):
        keys = os.path.join(self.dir, "keys")
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        config = os.path.join(self.dir, "sshd_config")
        _write(config, "\n".join([
            f"ListenAddress 127.0.0.1:{self.port}",
            f"HostKey {keys}/host_rsa",
            f"HostKey {keys}/host_ed25519",
            f"AuthorizedKeysFile {keys}/authorized_keys",
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            f"ChrootDirectory {self.tree}",
            f"PidFile {self.dir}/sshd.pid",
            "SetEnv QEMU_CPU=cortex-a7",
            "LogLevel ERROR",
            "",
        ]))
        os.makedirs("/run/sshd", exist_ok=True)  # sshd's privilege separation directory
        self.sshd_log = open(os.path.join(self.dir, "sshd.log"), "w")
        self.sshd = subprocess.Popen([SSHD, "-D", "-e", "-f", config], stdout=self.sshd_log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        def listening():
            with socket.socket() as connection:
                return connection.connect_ex(("127.0.0.1", self.port)) == 0
        if not wait_until(listening, 10):
            raise RuntimeError("sshd did not start: " + open(os.path.join(self.dir, "sshd.log")).read())
        self.ssh_config = os.path.join(self.dir, "ssh_config")
        _write(self.ssh_config, "\n".join([
            "Host robot",
            "  HostName 127.0.0.1",
            f"  Port {self.port}",
            f"  UserKnownHostsFile {self.dir}/known_hosts",
            "",
        ]))

    def update_firmware(self):
        """What an update does to vic-r1: a new root file system, as the
        firmware ships it (no vic-r1, its units or link), /data untouched,
        then a reboot."""
        self.manager.stop_all()
        _mount("-o", "remount,rw", self.tree)
        for leftover in ("/anki/bin/vic-r1", "/anki/bin/vic-r1.previous",
                         "/lib/systemd/system/vic-r1.service", "/lib/systemd/system/vic-r1-recover.service",
                         "/etc/systemd/system/anki-robot.target.wants/vic-r1.service"):
            if os.path.lexists(self.path(leftover)):
                os.unlink(self.path(leftover))
        shutil.rmtree(self.path("/etc/systemd/system/vic-cloud.service.d"), ignore_errors=True)
        _mount("-o", "remount,ro", self.tree)
        self.manager.boot()

    # ------------------------------------------------------------ looking

    def path(self, robot_path):
        return os.path.join(self.tree, robot_path.lstrip("/"))

    def snapshot(self, include_data=True):
        """Every file of the install's concern: path -> (kind, mode, content
        digest or link target)."""
        found = {}
        for root, directories, files in os.walk(self.tree):
            relative_root = os.path.relpath(root, self.tree)
            if relative_root == ".":
                directories[:] = [d for d in directories if d not in VOLATILE
                                  and (include_data or d != "data")]
            for name in directories + files:
                full = os.path.join(root, name)
                relative = "/" + os.path.normpath(os.path.join(relative_root, name))
                info = os.lstat(full)
                if stat.S_ISLNK(info.st_mode):
                    found[relative] = ("link", os.readlink(full))
                elif stat.S_ISDIR(info.st_mode):
                    found[relative] = ("dir", oct(stat.S_IMODE(info.st_mode)))
                elif not stat.S_ISREG(info.st_mode):
                    found[relative] = ("special", oct(info.st_mode))
                else:
                    with open(full, "rb") as content:
                        digest = hashlib.sha256(content.read()).hexdigest()
                    found[relative] = ("file", oct(stat.S_IMODE(info.st_mode)), digest)
        return found

    def recorded(self, name):
        path = os.path.join(self.tree, "recorder", name + ".log")
        if not os.path.exists(path):
            return []
        with open(path) as log:
            return [line.strip() for line in log]

    def root_is_read_only(self):
        return bool(os.statvfs(self.tree).f_flag & os.ST_RDONLY)

    def log_text(self):
        with open(self.path("/var/log/messages"), errors="replace") as log:
            return log.read()

    def status_of_installed(self):
        """`vic-r1 status --json` run on the robot, as the owner would over SSH."""
        completed = subprocess.run(["chroot", self.tree, "/anki/bin/vic-r1", "status", "--json"],
                                   env={"QEMU_CPU": "cortex-a7", "PATH": ROBOT_PATH}, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, timeout=30, check=False)
        return completed.returncode, completed.stdout.decode("utf-8", "replace")

    # ------------------------------------------------------------ the end

    def close(self):
        if self.manager is not None:
            self.manager.close()
        if self.sshd is not None:
            os.killpg(self.sshd.pid, signal.SIGTERM)
            self.sshd.wait(10)
            self.sshd_log.close()
        subprocess.run(["umount", "-l", ROBOT_SOCKET_DIR], check=False)
        if self.made_socket_dir:
            os.rmdir(ROBOT_SOCKET_DIR)
        subprocess.run(["umount", "-R", "-l", self.tree], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
