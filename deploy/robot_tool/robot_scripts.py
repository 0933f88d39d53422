"""The POSIX sh scripts the deploy tool runs on the robot, one function each.

They use only what a POSIX shell and a minimal userland have (cat, cp, mv,
ln, rm, mkdir, rmdir, wc, df, head, tail, grep) and the robot's own mount and
systemctl. Each script stops at its first failure (set -e) unless it is
undoing something, where it goes on and does all it can.
"""
from __future__ import annotations

import shlex
from typing import Iterable, List

from robot_tool import robot_layout as layout

q = shlex.quote


def _managed_files(data_paths: Iterable[str]) -> List[str]:
    """Every file a flash replaces as a whole, units first."""
    return list(layout.UNIT_FILES.values()) + sorted(set(data_paths))


# A saved state is a directory with `managed-paths` (one path per line) and
# `file.N`, the copy of the Nth path when it existed. These loops go through
# it; `$saved` names the directory.
def _for_each_saved(body: str) -> str:
    return ('n=0\n'
            'while IFS= read -r path; do\n'
            '  n=$((n + 1))\n'
            f'  {body}\n'
            'done < "$saved/managed-paths"')


def probe() -> str:
    """Read-only: who we are, the CPU, the firmware, the clock, what is
    installed and the free space, as key=value lines."""
    lines = [
        'echo "uid=$(id -u)"',
        'echo "arch=$(uname -m)"',
        f'echo "version=$(head -n 1 {q(layout.VERSION_FILE)} 2>/dev/null)"',
        'echo "now=$(date +%s)"',
    ]
    for path in (layout.BINARY, layout.PREVIOUS_BINARY, layout.CONFIG, layout.DATA_DIR):
        lines.append(f"if [ -e {q(path)} ]; then echo {q('exists=' + path)}; fi")
    lines.append(f'if [ -e {q(layout.PREVIOUS_BINARY)} ]; then '
                 f'echo "previous_bytes=$(wc -c < {q(layout.PREVIOUS_BINARY)})"; fi')
    lines.append('echo "df_root=$(df -P -k / | tail -n 1)"')
    lines.append('echo "df_data=$(df -P -k /data | tail -n 1)"')
    return "\n".join(lines)


def remount(mode: str) -> str:
    return f"sync\nmount -o remount,{mode} /"


def check_incoming_binary() -> str:
    return f"{q(layout.INCOMING_BINARY)} version"


def save_state_before_flash(data_paths: Iterable[str]) -> str:
    """Copies what the flash is about to replace into FLASHING_DIR, and keeps
    the running binary under REPLACED_BINARY (a hard link: no space)."""
    saved = layout.FLASHING_DIR
    lines = ["set -e", "umask 077"]
    lines.append(f"if [ -d {q(layout.DATA_DIR)} ]; then data_dir_existed=1; else data_dir_existed=; fi")
    lines.append(f"rm -rf {q(saved)}")
    lines.append(f"mkdir -p {q(saved)}")
    lines.append(f"if [ -z \"$data_dir_existed\" ]; then : > {q(saved + '/data-dir-created')}; fi")
    lines.append(f"saved={q(saved)}")
    lines.append(f"printf '%s\\n' {' '.join(q(path) for path in _managed_files(data_paths))} > \"$saved/managed-paths\"")
    lines.append(_for_each_saved('if [ -e "$path" ]; then cp -p "$path" "$saved/file.$n"; fi'))
    lines.append(f"if [ -e {q(layout.ENABLE_LINK)} ]; then : > {q(saved + '/was-enabled')}; fi")
    for directory in layout.DIRECTORIES:
        lines.append(f"if [ ! -d {q(directory)} ]; then echo {q(directory)} >> {q(saved + '/created-directories')}; fi")
    lines.append(f"rm -f {q(layout.REPLACED_BINARY)}")
    lines.append(f"if [ -e {q(layout.BINARY)} ]; then ln -f {q(layout.BINARY)} {q(layout.REPLACED_BINARY)}; fi")
    return "\n".join(lines)


def make_directories() -> str:
    wanted = layout.DIRECTORIES + [layout.DATA_DIR]
    return "set -e\n" + "\n".join(f"mkdir -p {q(directory)}" for directory in wanted)


def check_config_with_incoming() -> str:
    return f"{q(layout.INCOMING_BINARY)} check-config --files {q(layout.CONFIG)}"


def swap_in_incoming() -> str:
    # rename(2) on one file system: vic-r1 is the old file or the new, never
    # missing or half written.
    return f"set -e\nchmod 755 {q(layout.INCOMING_BINARY)}\nmv -f {q(layout.INCOMING_BINARY)} {q(layout.BINARY)}"


def enable() -> str:
    return "set -e\nsystemctl daemon-reload\nsystemctl enable vic-r1.service"


def restart_robot() -> str:
    return f"systemctl daemon-reload\nsystemctl restart {layout.ROBOT_TARGET}"


def status_json() -> str:
    return f"{q(layout.BINARY)} status --json"


def recent_log_lines(count: int = 8) -> str:
    return f"grep vic-r1 {q(layout.LOG_FILE)} 2>/dev/null | tail -n {count}"


def keep_flash_as_current() -> str:
    """After a healthy flash: the replaced binary becomes the previous one, and
    the saved units and config become what `rollback` goes back to. Runs with
    / writable."""
    saved = layout.FLASHING_DIR
    return "\n".join([
        "set -e",
        f"if [ -e {q(layout.REPLACED_BINARY)} ]; then mv -f {q(layout.REPLACED_BINARY)} {q(layout.PREVIOUS_BINARY)}; fi",
        # The first install's record of the directories it created is the one
        # uninstall needs; later flashes found them there.
        f"if [ ! -e {q(layout.CREATED_DIRECTORIES_RECORD)} ] && [ -e {q(saved + '/created-directories')} ]; then "
        f"cp {q(saved + '/created-directories')} {q(layout.CREATED_DIRECTORIES_RECORD)}; fi",
        f"rm -f {q(saved + '/created-directories')} {q(saved + '/data-dir-created')}",
        f"rm -rf {q(layout.PREVIOUS_DIR)}",
        f"mv {q(saved)} {q(layout.PREVIOUS_DIR)}",
    ])


def undo_flash(restart_robot: bool) -> str:
    """Puts back everything save_state_before_flash kept, removes what the
    flash added, and leaves / read-only; restarts the robot's processes if the
    flash had. Goes on past failures: the aim is as much of the old state as
    can be had."""
    saved = layout.FLASHING_DIR
    lines = []
    if restart_robot:
        # The new vic-r1 runs: a file it runs from, once replaced, would keep
        # / from going read-only again (the kernel refuses while an unlinked
        # file is open). The restart below brings the robot back together.
        lines.append("systemctl stop vic-r1.service")
    lines += ["mount -o remount,rw /", f"saved={q(saved)}"]
    lines.append(f"if [ ! -e {q(saved + '/was-enabled')} ] && [ -e {q(layout.ENABLE_LINK)} ]; then "
                 f"systemctl disable vic-r1.service; rm -f {q(layout.ENABLE_LINK)}; fi")
    lines.append(f"if [ -e {q(saved + '/managed-paths')} ]; then")
    lines.append(_for_each_saved('if [ -e "$saved/file.$n" ]; then cp -p "$saved/file.$n" "$path"; else rm -f "$path"; fi'))
    lines.append("fi")
    lines.append(f"if [ -e {q(layout.REPLACED_BINARY)} ]; then mv -f {q(layout.REPLACED_BINARY)} {q(layout.BINARY)}; "
                 f"else rm -f {q(layout.BINARY)}; fi")
    lines.append(f"rm -f {q(layout.INCOMING_BINARY)} {q(layout.INCOMING_BINARY + '.partial')}")
    lines.append(f"if [ -e {q(saved + '/created-directories')} ]; then "
                 f"for directory in $(cat {q(saved + '/created-directories')}); do rmdir \"$directory\" 2>/dev/null; done; fi")
    lines.append(f"if [ -e {q(saved + '/data-dir-created')} ]; then rm -rf {q(layout.DATA_DIR)}; "
                 f"else rm -rf {q(saved)}; fi")
    lines.append("sync")
    lines.append("mount -o remount,ro / || read_only_failed=1")
    lines.append("systemctl daemon-reload")
    if restart_robot:
        lines.append(f"systemctl restart {layout.ROBOT_TARGET}")
    lines.append('if [ -n "$read_only_failed" ]; then echo "/ stays writable until the robot reboots" >&2; exit 1; fi')
    return "\n".join(lines)


def swap_with_previous() -> str:
    """`rollback`: the previous binary, units and config change places with
    the current ones, so a second rollback goes forward again."""
    previous = layout.PREVIOUS_DIR
    swap = layout.DATA_DIR + "/previous.swap"
    lines = ["set -e", "umask 077", "mount -o remount,rw /"]
    lines.append(f"ln -f {q(layout.BINARY)} {q(layout.REPLACED_BINARY)}")
    lines.append(f"mv -f {q(layout.PREVIOUS_BINARY)} {q(layout.BINARY)}")
    lines.append(f"mv -f {q(layout.REPLACED_BINARY)} {q(layout.PREVIOUS_BINARY)}")
    lines.append(f"saved={q(previous)}")
    lines.append(f"if [ -e \"$saved/managed-paths\" ]; then")
    lines.append(f"rm -rf {q(swap)}; mkdir -p {q(swap)}; cp \"$saved/managed-paths\" {q(swap)}/")
    # A path the previous install did not have stays: its units and config
    # are the ones the running binary was flashed with.
    lines.append(_for_each_saved(f'if [ -e "$path" ]; then cp -p "$path" {q(swap)}/"file.$n"; fi; '
                                 'if [ -e "$saved/file.$n" ]; then cp -p "$saved/file.$n" "$path"; fi'))
    lines.append(f"rm -rf {q(previous)}; mv {q(swap)} {q(previous)}")
    lines.append("fi")
    lines.append("sync")
    lines.append("mount -o remount,ro /")
    lines.append("systemctl daemon-reload")
    lines.append(f"systemctl restart {layout.ROBOT_TARGET}")
    return "\n".join(lines)


def uninstall(purge: bool) -> str:
    """Takes away everything vic-r1 put on the root file system, and with
    `purge` /data/vic-r1 too, then lets vic-engine and vic-anim talk directly."""
    removed = [layout.BINARY, layout.PREVIOUS_BINARY, layout.INCOMING_BINARY, layout.REPLACED_BINARY,
               layout.INCOMING_BINARY + ".partial", layout.ENABLE_LINK] + list(layout.UNIT_FILES.values())
    lines = ["mount -o remount,rw /"]
    lines.append(f"if [ -e {q(layout.UNIT_FILES['vic-r1.service'])} ]; then "
                 "systemctl stop vic-r1.service; systemctl disable vic-r1.service; fi")
    lines.append("rm -f " + " ".join(q(path) for path in removed))
    lines.append(f"if [ -e {q(layout.CREATED_DIRECTORIES_RECORD)} ]; then "
                 f"for directory in $(cat {q(layout.CREATED_DIRECTORIES_RECORD)}); do rmdir \"$directory\" 2>/dev/null; done; fi")
    if purge:
        lines.append(f"rm -rf {q(layout.DATA_DIR)}")
    else:
        lines.append(f"rm -rf {q(layout.FLASHING_DIR)} {q(layout.PREVIOUS_DIR)} {q(layout.CREATED_DIRECTORIES_RECORD)}")
    lines.append("sync")
    lines.append("mount -o remount,ro /")
    lines.append("systemctl daemon-reload")
    lines.append(f"systemctl restart {layout.ROBOT_TARGET}")
    lines.append(f"[ ! -e {q(layout.BINARY)} ]")
    return "\n".join(lines)

