#!/usr/bin/env python3
"""The systemd units that put vic-r1 on the robot (deploy/systemd/) say what
the virtual Vector's boot harness (Case.boot_in_unit_order) assumes, use
only directives the robot's systemd knows, and pass systemd's own check.

usage: check_robot_units.py DEPLOY_SYSTEMD_DIR VIC_R1_BINARY [RUNNER...]

1. The order: vic-r1 after vic-anim, before vic-engine and vic-cloud,
   Type=notify (so vic-engine waits for READY=1), OnFailure= the recovery
   unit, in anki-robot.target; vic-cloud waits for `vic-r1 await-socket
   ai_sock` and ignores its status; the verbs the units run exist.
2. Only directives of systemd 225 (vicos-oelinux poky/meta/recipes-core/
   systemd/systemd_225.bb), listed below from systemd's documentation of
   that release.
3. `systemd-analyze verify` on a root laid out as the robot's: the firmware's
   units as stand-ins with their ordering lines (vicos-oelinux poky/meta-anki/
   recipes-anki/anki-robot/files/*.service, anki-robot.target), ours where
   the deploy step puts them. Any warning fails.
"""

import os
import shutil
import subprocess
import sys
import tempfile

# Directives systemd 225 understands, of those a unit like ours could use.
KNOWN_225 = {
    "Unit": {"Description", "Documentation", "SourcePath", "PartOf", "Wants", "Requires",
             "BindsTo", "After", "Before", "OnFailure", "Conflicts", "ConditionPathExists",
             "ConditionFileIsExecutable", "DefaultDependencies", "StartLimitInterval",
             "StartLimitBurst"},
    "Service": {"Type", "NotifyAccess", "EnvironmentFile", "Environment", "ExecStart",
                "ExecStartPre", "ExecStartPost", "ExecStop", "ExecStopPost", "Restart",
                "RestartSec", "TimeoutStartSec", "TimeoutStopSec", "OOMScoreAdjust", "User",
                "Group", "UMask", "Nice", "RemainAfterExit", "PermissionsStartOnly",
                "KillMode"},
    "Install": {"WantedBy", "RequiredBy", "Alias", "Also"},
}

# The firmware's units, reduced to what orders them (vicos-oelinux, see above).
FIRMWARE_UNITS = {
    "anki-robot.target": "[Unit]\nDescription=Anki Robotics System\nAllowIsolate=yes\n",
    "vic-robot.service": "[Unit]\nDescription=stand-in\nPartOf=anki-robot.target\n"
                         "[Service]\nExecStart=/anki/bin/vic-robot\n",
    "vic-anim.service": "[Unit]\nDescription=stand-in\nPartOf=anki-robot.target\n"
                        "Wants=vic-robot.service\nAfter=vic-robot.service\n"
                        "[Service]\nExecStart=/usr/bin/logwrapper /anki/bin/vic-anim\n",
    "vic-engine.service": "[Unit]\nDescription=stand-in\nPartOf=anki-robot.target\n"
                          "Wants=vic-anim.service\nAfter=vic-anim.service\n"
                          "[Service]\nExecStart=/usr/bin/logwrapper /anki/bin/vic-engine\n"
                          "User=engine\nGroup=anki\n",
    "vic-cloud.service": "[Unit]\nDescription=stand-in\nPartOf=anki-robot.target\n"
                         "Wants=vic-engine.service\nAfter=vic-engine.service\n"
                         "[Service]\nExecStart=/usr/bin/logwrapper /anki/bin/vic-cloud\n"
                         "User=cloud\nGroup=anki\n",
}

# Where the deploy step puts each of ours on the robot.
OUR_UNITS = {
    "vic-r1.service": "lib/systemd/system/vic-r1.service",
    "vic-r1-recover.service": "lib/systemd/system/vic-r1-recover.service",
    "vic-cloud.service.d/vic-r1.conf": "etc/systemd/system/vic-cloud.service.d/vic-r1.conf",
}


def parse_unit(path):
    """{section: {key: [values]}}; comments and blank lines skipped."""
    sections, section = {}, None
    with open(path) as unit:
        for number, raw in enumerate(unit, 1):
            line = raw.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("[") and line.endswith("]"):
                section = sections.setdefault(line[1:-1], {})
                continue
            if section is None or "=" not in line:
                raise SystemExit("%s:%d: not a unit file line: %r" % (path, number, line))
            key, value = line.split("=", 1)
            section.setdefault(key.strip(), []).append(value.strip())
    return sections


def words(unit, section, key):
    return " ".join(unit.get(section, {}).get(key, [])).split()


def expect(condition, message, failures):
    if not condition:
        failures.append(message)


def check_directives(units, failures):
    for name, unit in units.items():
        for section, keys in unit.items():
            known = KNOWN_225.get(section)
            expect(known is not None, "%s: section [%s] is not used by us" % (name, section),
                   failures)
            for key in keys:
                expect(known is None or key in known,
                       "%s: %s= in [%s] is not a systemd 225 directive we use" % (name, key,
                                                                                 section),
                       failures)


def check_order(units, failures):
    bridge = units["vic-r1.service"]
    expect("vic-anim.service" in words(bridge, "Unit", "After"), "vic-r1 must start after "
           "vic-anim", failures)
    for later in ("vic-engine.service", "vic-cloud.service"):
        expect(later in words(bridge, "Unit", "Before"), "vic-r1 must start before " + later,
               failures)
    expect(words(bridge, "Service", "Type") == ["notify"], "vic-r1 must be Type=notify",
           failures)
    expect(words(bridge, "Service", "NotifyAccess") == ["all"],
           "vic-r1 runs under logwrapper: NotifyAccess=all", failures)
    expect(words(bridge, "Unit", "OnFailure") == ["vic-r1-recover.service"],
           "vic-r1 must have OnFailure=vic-r1-recover.service", failures)
    expect(words(bridge, "Unit", "PartOf") == ["anki-robot.target"] and
           words(bridge, "Install", "WantedBy") == ["anki-robot.target"],
           "vic-r1 must be part of anki-robot.target", failures)
    expect(words(bridge, "Service", "Restart") == ["no"], "vic-r1 must not restart alone",
           failures)
    expect(words(bridge, "Service", "ExecStart")[:3] == ["/usr/bin/logwrapper",
                                                         "/anki/bin/vic-r1", "run"],
           "vic-r1 runs `vic-r1 run` through logwrapper", failures)
    recover = units["vic-r1-recover.service"]
    expect(words(recover, "Service", "Type") == ["oneshot"], "the recovery is a oneshot",
           failures)
    expect(words(recover, "Service", "ExecStart")[1:3] == ["/anki/bin/vic-r1", "recover"],
           "the recovery runs `vic-r1 recover`", failures)
    cloud = units["vic-cloud.service.d/vic-r1.conf"]
    expect(words(cloud, "Service", "ExecStartPre") ==
           ["-/anki/bin/vic-r1", "await-socket", "ai_sock"],
           "vic-cloud must wait for `vic-r1 await-socket ai_sock`, ignoring its status",
           failures)


def check_verbs(binary, runner, failures):
    for verb in ("run", "await-socket", "recover"):
        completed = subprocess.run(runner + [binary, verb, "--help"], capture_output=True,
                                   timeout=60)
        expect(completed.returncode == 0, "`vic-r1 %s --help` failed (%d): the units run it"
               % (verb, completed.returncode), failures)


def check_with_systemd(deploy_dir, failures):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        failures.append("systemd-analyze is missing (Debian package systemd; "
                        "./toolchains/bootstrap installs it)")
        return
    with tempfile.TemporaryDirectory(prefix="vic-r1-units-") as root:
        units_dir = os.path.join(root, "lib/systemd/system")
        os.makedirs(units_dir)
        # systemd's own targets, which every unit depends on by default.
        for name in os.listdir("/lib/systemd/system"):
            if name.endswith(".target"):
                shutil.copy(os.path.join("/lib/systemd/system", name), units_dir)
        for name, text in FIRMWARE_UNITS.items():
            with open(os.path.join(units_dir, name), "w") as unit:
                unit.write(text)
        for source, target in OUR_UNITS.items():
            destination = os.path.join(root, target)
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            shutil.copy(os.path.join(deploy_dir, source), destination)
        for program in ("usr/bin/logwrapper", "anki/bin/vic-r1", "anki/bin/vic-robot",
                        "anki/bin/vic-anim", "anki/bin/vic-engine", "anki/bin/vic-cloud"):
            path = os.path.join(root, program)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as stand_in:
                stand_in.write("#!/bin/sh\n")
            os.chmod(path, 0o755)
        completed = subprocess.run(
            [analyze, "verify", "--man=no", "--root=" + root, "vic-r1.service",
             "vic-r1-recover.service", "vic-cloud.service", "vic-engine.service"],
            capture_output=True, text=True, timeout=120,
            env=dict(os.environ, SYSTEMD_LOG_LEVEL="info"))
        output = (completed.stdout + completed.stderr).strip()
        expect(completed.returncode == 0 and not output,
               "systemd-analyze verify:\n" + output, failures)


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__.split("\n\n", 2)[1] + "\n")
        return 2
    deploy_dir, binary, runner = argv[0], argv[1], argv[2:]
    units = {name: parse_unit(os.path.join(deploy_dir, name)) for name in OUR_UNITS}
    failures = []
    check_directives(units, failures)
    check_order(units, failures)
    check_verbs(binary, runner, failures)
    check_with_systemd(deploy_dir, failures)
    for failure in failures:
        print("FAIL " + failure)
    if not failures:
        print("PASS the units order vic-r1 between vic-anim and vic-engine, and systemd "
              "accepts them")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
