#!/usr/bin/env python3
"""`vic-r1 check-config`, run as a process (under the emulator for the robot
build): the documented example config is usable and every field it sets is
documented in deploy/CONFIG.md and known to the loader; each kind of mistake
is reported under its JSON path with what to write instead; --files opens the
key file and CA bundle as the agent on the robot does; the API key never
appears in any output.

usage: check_config_command.py SOURCE_DIR VIC_R1_BINARY [RUNNER...]
"""

import json
import os
import re
import subprocess
import sys
import tempfile

CANARY_KEY = "sk-canary-0123456789abcdefCANARY"


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__.split("\n\n", 2)[2])
        return 2
    source, binary, runner = argv[0], argv[1], argv[2:]
    command = runner + [binary]
    sys.path.insert(0, os.path.join(source, "tests", "e2e"))
    from r1_server_process import make_pki, write_key_file  # noqa: E402

    example = os.path.join(source, "deploy", "config.example.json")
    with open(os.path.join(source, "deploy", "CONFIG.md")) as doc:
        documentation = doc.read()
    work = tempfile.mkdtemp(prefix="vic-r1-check-config-")
    outputs = []

    def run(*arguments):
        result = subprocess.run(command + ["check-config"] + list(arguments), capture_output=True, text=True,
                                timeout=60)
        outputs.append(result.stdout + result.stderr)
        return result

    def config(name, settings, raw=None):
        path = os.path.join(work, name + ".json")
        with open(path, "w") as out:
            out.write(raw if raw is not None else json.dumps(settings))
        return path

    def expect_problem(name, settings, path, *fragments, raw=None):
        result = run(config(name, settings, raw))
        check(result.returncode == 10, "%s: exit %d, expected 10:\n%s" % (name, result.returncode, result.stdout))
        line = next((l for l in result.stdout.splitlines() if (": %s: " % path) in l), None)
        check(line is not None, "%s: no problem reported under %r:\n%s" % (name, path, result.stdout))
        for fragment in fragments:
            check(fragment in line, "%s: %r lacks %r" % (name, line, fragment))

    # 1. The example is usable, and sums up each provider.
    result = run(example)
    check(result.returncode == 0 and result.stdout.rstrip().endswith("usable"),
          "the example config is not usable:\n%s%s" % (result.stdout, result.stderr))
    check("provider: DeepSeek, https://api.deepseek.com" in result.stdout and "fallback 1: Together" in result.stdout,
          "the summary does not name the providers:\n%s" % result.stdout)

    # 2. The example sets every key the loader knows, and CONFIG.md documents each.
    result = run(config("unknown", {"zzzzzzzzzzzz": 1}))
    known = re.search(r"known keys: ([^)]*)\)", result.stdout)
    check(known is not None, "no list of known keys:\n%s" % result.stdout)
    known_keys = set(known.group(1).split(", "))
    with open(example) as source_file:
        settings = json.load(source_file)
    check(set(settings) == known_keys, "the example's keys differ from the loader's: missing %s, extra %s"
          % (sorted(known_keys - set(settings)), sorted(set(settings) - known_keys)))
    # Each top-level key, each timeout (named alone in its list) and each key
    # of `voice` and `history` (named as voice.pitch_scalar).
    documented = set(re.findall(r"`([a-z0-9_]+(?:\.[a-z0-9_]+)?)`", documentation))
    fields = set(settings) | set(settings["timeouts_ms"])
    for group in ("voice", "history"):
        fields |= {"%s.%s" % (group, inner) for inner in settings[group]}
    missing = sorted(field for field in fields
                     if field not in documented and not any(d.startswith(field + ".") for d in documented))
    check(not missing, "deploy/CONFIG.md does not document %s" % missing)

    # 3. Each kind of mistake, under its JSON path, with what to write instead.
    expect_problem("typo", {"modle": "deepseek-reasoner"}, "modle", 'did you mean "model"?')
    expect_problem("nested_typo", {"voice": {"pitch": 0.5}}, "voice.pitch", 'did you mean "pitch_scalar"?')
    plain = run(config("plain_http", {"provider": "ollama", "base_url": "http://192.168.1.5:11434/v1", "model": "r1"}))
    check(plain.returncode == 0 and "http://192.168.1.5:11434/v1 (unencrypted: allowed only to addresses on "
          "the local network)" in plain.stdout, "an http:// provider is usable and said to be unencrypted:\n%s"
          % plain.stdout)
    expect_problem("scheme", {"provider": "ollama", "base_url": "ftp://192.168.1.5:11434/v1", "model": "r1"},
                   "base_url", "must use https, or http for a server on your local network")
    expect_problem("range", {"timeouts_ms": {"data_idle": 5}}, "timeouts_ms.data_idle", "at least 100")
    expect_problem("fallback", {"fallbacks": [{"provider": "deepsek"}]}, "fallbacks[0].provider",
                   "unknown provider", "known: deepseek")
    expect_problem("key_inside", {"api_key": CANARY_KEY}, "api_key", "must not be in the config file", "chmod 600")
    result = run(config("syntax", None, raw='{"provider": "deepseek",\n "model": }'))
    check(result.returncode == 10 and re.search(r"line 2", result.stdout),
          "a syntax error should give its line:\n%s" % result.stdout)

    # 4. --files opens the key file and the CA bundle, as on the robot.
    pki = os.path.join(work, "pki")
    make_pki(pki)
    key_file = os.path.join(work, "api-key")
    write_key_file(key_file, CANARY_KEY)
    on_robot = {"api_key_file": key_file, "ca_file": os.path.join(pki, "ca.pem")}
    result = run("--files", config("files_ok", on_robot))
    check(result.returncode == 0 and "key file: %s: ok" % key_file in result.stdout,
          "--files on good files:\n%s" % result.stdout)
    os.chmod(key_file, 0o644)
    result = run("--files", config("files_open", on_robot))
    check(result.returncode == 10 and re.search(r": api_key_file: .*" + re.escape(key_file), result.stdout),
          "a key file others may read must be refused under api_key_file:\n%s" % result.stdout)
    result = run("--files", config("no_ca", dict(on_robot, ca_file=os.path.join(work, "missing.pem"))))
    check(result.returncode == 10 and ": ca_file: " in result.stdout,
          "a missing CA bundle must be reported under ca_file:\n%s" % result.stdout)
    result = run("--files", config("keyless", {"provider": "ollama", "base_url": "https://gpu.lan:8443/v1",
                                               "model": "deepseek-r1:14b", "ca_file": on_robot["ca_file"],
                                               "api_key_file": os.path.join(work, "no-such-key")}))
    check(result.returncode == 0 and "key file: none" in result.stdout,
          "a self-hosted server without a key file needs no key:\n%s" % result.stdout)

    # 5. Usage mistakes.
    check(run(example, example).returncode == 2, "two files should be a usage error")
    check(run("--frobnicate").returncode == 2, "an unknown option should be a usage error")

    # 6. The key appears in no output.
    leaks = [output for output in outputs if CANARY_KEY in output]
    check(not leaks, "the API key appeared in the output:\n%s" % leaks[0] if leaks else "")
    print("PASS: %d runs of vic-r1 check-config" % len(outputs))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Failure as failure:
        print("FAIL: %s" % failure)
        sys.exit(1)
