#!/usr/bin/env bash
# The engine<->anim bridge's figures, against the goals of p99 < 200 us
# per forwarded datagram on the host and < 1% of one core at robot rates:
# one-way latency per datagram (p50/p99/max, each direction) at robot rates
# and in bursts, and the bridge's CPU, measured in one run on:
#   1. the direct path: fake vic-engine <-> fake vic-anim, no bridge (the peer);
#   2. through `vic-r1 run --no-agent` (host release build);
#   3. through `vic-r1 run` with its agent child running;
#   4. through the robot build under qemu-arm (informative only: an emulator
#      on this machine is not a Cortex-A7).
# The harness (bench binary anim_bridge_latency) plays vic-anim and vic-engine
# with the firmware's socket rules and real message sizes; see its header.
# Bridge CPU is utime + stime of the bridge process from /proc/PID/stat over
# the robot-rate phase (the agent child is not counted).
# usage: anim_bridge.sh REPO_DIR
set -euo pipefail
repo=$1
bin_dir=$repo/build/host-release/bin
vic=$bin_dir/vic-r1
bench=$bin_dir/anim_bridge_latency
robot_vic=$repo/build/robot/bin/vic-r1
robot_seconds=20
bursts=10
burst_size=2000
idle_seconds=5

# Only the two programs this needs; a no-op when tests/bench/run built
# everything already.
(cd "$repo" && cmake --preset host-release >/dev/null &&
  cmake --build --preset host-release --target vic-r1 anim_bridge_latency >/dev/null)

work=$(mktemp -d)
bridge_pid=
cleanup() {
  if [[ -n $bridge_pid ]]; then kill "$bridge_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# value FILE NAME: the value of a `name value` line, or - when there is none.
value() { awk -v name="$2" '$1 == name { print $2; found = 1; exit } END { if (!found) print "-" }' "$1" 2>/dev/null || echo -; }
load_average() { cut -d' ' -f1-3 /proc/loadavg; }

# measure NAME [BRIDGE_COMMAND...]: the harness on a fresh socket directory,
# through a bridge that BRIDGE_COMMAND starts on it first (none: the direct
# path). Figures go to NAME.out, the harness's complaints to NAME.err, the
# bridge's log to NAME.log.
measure() {
  local name=$1
  shift
  local directory=$work/$name.sockets
  local through=()
  mkdir "$directory"
  if (($# > 0)); then
    "$@" --socket-dir "$directory" 2>"$work/$name.log" &
    bridge_pid=$!
    through=(--through-bridge "$bridge_pid")
  fi
  "$bench" --socket-dir "$directory" "${through[@]}" --seconds "$robot_seconds" --bursts "$bursts" \
    --burst-size "$burst_size" --idle-seconds "$idle_seconds" >"$work/$name.out" 2>"$work/$name.err" ||
    echo "the harness failed: $(tail -n 1 "$work/$name.err")" >"$work/$name.note"
  if [[ -n $bridge_pid ]]; then
    # SIGTERM: the bridge puts the sockets back and logs its counters.
    kill -TERM "$bridge_pid" 2>/dev/null || true
    wait "$bridge_pid" 2>/dev/null || true
    bridge_pid=
  fi
}

load_start=$(load_average)
measure direct
measure bridge "$vic" run --firmware 1.8 --no-agent
measure agent "$vic" run --firmware 1.8
configurations=(direct bridge agent)
if ! command -v qemu-arm >/dev/null; then
  qemu_note="qemu-arm is not installed"
elif [[ ! -x $robot_vic ]]; then
  qemu_note="$robot_vic is missing: build the robot preset first (tests/bench/run does)"
else
  qemu_note=
  measure qemu qemu-arm -cpu cortex-a7 "$robot_vic" run --firmware 1.8 --no-agent
  configurations+=(qemu)
fi
load_end=$(load_average)

# ---- The tables ---------------------------------------------------------------
label() {
  case $1 in
    direct) echo "direct, no bridge (the peer)" ;;
    bridge) echo "vic-r1 run --no-agent" ;;
    agent) echo "vic-r1 run, agent running" ;;
    qemu) echo "qemu-arm: robot build, --no-agent *" ;;
  esac
}
# figures FILE PHASE DIRECTION: `n p50 p99 max lost full` of one direction.
figures() {
  local prefix=$2.$3
  printf '%6s %7s %7s %8s %5s %5s' "$(value "$1" "$prefix.timed_received")" "$(value "$1" "$prefix.p50_us")" \
    "$(value "$1" "$prefix.p99_us")" "$(value "$1" "$prefix.max_us")" "$(value "$1" "$prefix.lost")" \
    "$(value "$1" "$2.$3.sends_found_queue_full")"
}
row_format='  %-36s %6s %7s %7s %8s %5s %5s   %6s %7s %7s %8s %5s %5s   %s\n'
header() {
  printf '  %-36s %-43s %-43s %s\n' "" "anim -> engine" "engine -> anim" "$1"
  printf "$row_format" "path" n p50 p99 max lost full n p50 p99 max lost full "$2"
}

echo "One-way latency per datagram in microseconds, from the sender's send() to the receiver's"
echo "recv() (CLOCK_MONOTONIC in the payload), host release build; both directions at once."
echo "n = timed datagrams received; lost = timed ones sent but never received; full = datagrams"
echo "whose send() met a full socket queue (there vic-engine gives up the link and vic-anim"
echo "disconnects; the harness waits for room instead)."
echo "$(nproc) CPUs; load average (1/5/15 min) at start $load_start, at end $load_end."
echo "The machine is shared and noisy: figures move between runs, the tails most. The direct"
echo "path, measured in the same run with the same harness, is what the machine itself costs:"
echo "one thread wake-up per datagram there, two through the bridge."
echo
echo "Robot rates, ${robot_seconds} s: anim -> engine RobotState 219 B at 33 Hz and MicDirection 77 B at"
echo "100 Hz (timed), AnimationState 3 B at 15 Hz and MicDataState 5 B at 30 Hz (load only);"
echo "engine -> anim 20 Hz of SetBackpackLights 62 B, PlayAnim 33 B (timed), track locks 2 B"
echo "(load only), and TextToSpeechPrepare 1039 B every 2 s (timed)."
header "bridge CPU, % of one core" "(exact; idle exact)"
for name in "${configurations[@]}"; do
  out=$work/$name.out
  if [[ -f $work/$name.note ]]; then
    printf '  %-36s not measured (%s)\n' "$(label "$name")" "$(cat "$work/$name.note")"
    continue
  fi
  cpu=
  if [[ $name != direct ]]; then
    cpu="$(value "$out" robot.bridge_cpu_percent) ($(value "$out" robot.bridge_cpu_percent_schedstat); $(value "$out" idle.bridge_cpu_percent_schedstat))"
  fi
  printf '  %-36s %s   %s   %s\n' "$(label "$name")" "$(figures "$out" robot anim_to_engine)" \
    "$(figures "$out" robot engine_to_anim)" "$cpu"
done
printf "$row_format" "goal (host)" "" "" "< 200" "" "" "" "" "" "< 200" "" "" "" "< 1"
for name in "${configurations[@]}"; do
  [[ $name == direct || -f $work/$name.note ]] && continue
  out=$work/$name.out
  printf '  %-36s robot rates: %s wake-ups, %s us CPU and %s us waiting for a CPU each;\n' "$(label "$name")" \
    "$(value "$out" robot.bridge_runs)" "$(value "$out" robot.bridge_cpu_us_per_run)" \
    "$(value "$out" robot.bridge_runqueue_wait_us_per_run)"
  printf '  %-36s idle, %s s: %s wake-ups, %s us CPU each\n' "" "$idle_seconds" \
    "$(value "$out" idle.bridge_runs)" "$(value "$out" idle.bridge_cpu_us_per_run)"
done
echo
echo "Bursts: $bursts times $burst_size datagrams each way back to back, the two directions interleaved"
echo "(anim -> engine RobotState/MicDirection, engine -> anim SetBackpackLights/PlayAnim), the"
echo "link drained and idle for 100 ms in between. A sender whose socket queue is full waits for"
echo "room and takes its time again, so a figure starts when the kernel took the datagram."
echo "A burst's time runs from its first send until all of it arrived (2 s when some never did)."
header "ms per burst; bridge CPU per datagram, us" "(drained; exact)"
for name in "${configurations[@]}"; do
  out=$work/$name.out
  [[ -f $work/$name.note ]] && continue
  cpu="$(value "$out" burst.wall_ms_per_burst)"
  if [[ $name != direct ]]; then
    cpu+="; $(value "$out" burst.bridge_cpu_us_per_datagram) ($(value "$out" burst.bridge_cpu_us_per_datagram_schedstat))"
  fi
  printf '  %-36s %s   %s   %s\n' "$(label "$name")" "$(figures "$out" burst anim_to_engine)" \
    "$(figures "$out" burst engine_to_anim)" "$cpu"
done
echo
echo "The bridges' own counters, over the whole run (from their log on SIGTERM):"
for name in "${configurations[@]}"; do
  [[ $name == direct ]] && continue
  line=$(grep -h 'counters:' "$work/$name.log" 2>/dev/null | tail -n 1 | sed 's/.*counters: //; s/; intents.*//')
  printf '  %-36s %s\n' "$(label "$name")" "${line:-no counters logged}"
done
if [[ -n $qemu_note ]]; then
  printf '  %-36s not measured (%s)\n' "$(label qemu)" "$qemu_note"
fi
echo "* qemu-arm emulates a Cortex-A7 on this machine's cores: it is not the robot, and its"
echo "  figures say only that the ARM build forwards correctly and roughly how much slower"
echo "  emulation is."
