#!/usr/bin/env bash
# The agent's answer path on the virtual Vector (answer_latency.py): the
# optimised host build, then the robot build under qemu-arm.
# usage: answer_latency.sh REPO_ROOT
set -euo pipefail
root=$1
python3 "$root/tests/bench/answer_latency.py" "$root/build/host-release/bin/vic-r1" --questions 20
echo
python3 "$root/tests/bench/answer_latency.py" qemu-arm -cpu cortex-a7 "$root/build/robot/bin/vic-r1" --questions 10
