#!/usr/bin/env python3
"""Helpers for https_client.sh (standard library only).

  measure.py run RESULT COMMAND...
      Runs COMMAND (stdout to /dev/null, stderr to RESULT.err) and writes
      "cpu_us exit_status" to RESULT: the child's own user + system CPU time
      from wait4(2), i.e. this process's children only, not the server's.
  measure.py stats STATS_FILE
      One line from fake_r1_server.py's stats: connections, handshakes
      (full, resumed, failed), requests, protocols.
  measure.py field STATS_FILE NAME
      One number from the stats.
  measure.py timing FIELD FILE...
      The values (ms) of FIELD ("connect", "TLS", "sent", "first byte",
      "first answer byte", "total") from ask's timing lines, one a line.
  measure.py summary
      Reads numbers on stdin, prints "median M (min A, max B, n N)".
"""
import json
import os
import re
import subprocess
import sys


def run(result, command):
    with open(result + ".err", "wb") as err, open(os.devnull, "wb") as out:
        child = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    cpu_us = (usage.ru_utime + usage.ru_stime) * 1e6
    with open(result, "w") as out:
        out.write("%.0f %d\n" % (cpu_us, code))


def stats(path):
    with open(path) as source:
        data = json.load(source)
    protocols = ",".join("%s x%d" % item for item in sorted(data["protocols"].items())) or "-"
    print("connections %d, full handshakes %d, resumed %d, failed %d, requests %d, responses completed %d (%s)"
          % (data["connections"], data["full_handshakes"], data["resumed_handshakes"],
             data["failed_handshakes"], data["requests"], data["responses_completed"], protocols))


def field(path, name):
    with open(path) as source:
        print(json.load(source)[name])


TIMING = re.compile(r"connect (?P<connect>\S+)(?: ms)?, TLS (?P<TLS>\S+)(?: ms)?, sent (?P<sent>\S+)(?: ms)?, "
                    r"first byte (?P<first_byte>\S+)(?: ms)?, first answer byte (?P<first_answer_byte>\S+)(?: ms)?, "
                    r"total (?P<total>\S+)(?: ms)?;")


def timing(name, paths):
    key = name.replace(" ", "_")
    for path in paths:
        with open(path, errors="replace") as source:
            for line in source:
                match = TIMING.search(line)
                if match and match.group(key) != "-":
                    print(match.group(key))


def summary():
    values = sorted(float(line) for line in sys.stdin if line.strip())
    if not values:
        print("n/a")
        return
    middle = values[len(values) // 2] if len(values) % 2 else (values[len(values) // 2 - 1] + values[len(values) // 2]) / 2
    print("median %.3g (min %.3g, max %.3g, n %d)" % (middle, values[0], values[-1], len(values)))


def main(argv):
    verb = argv[0]
    if verb == "run":
        run(argv[1], argv[2:])
    elif verb == "stats":
        stats(argv[1])
    elif verb == "field":
        field(argv[1], argv[2])
    elif verb == "timing":
        timing(argv[1], argv[2:])
    elif verb == "summary":
        summary()
    else:
        sys.exit("unknown verb " + verb)


if __name__ == "__main__":
    main(sys.argv[1:])
