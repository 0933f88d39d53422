#!/usr/bin/env bash
# The stream reader's CPU cost and memory, against the goal of costing at
# least 20x less CPU per MB than the official openai SDK's stream iterator on
# Node (the usual way a voice assistant reads R1):
#   1. vic-r1's StreamReader on a 10 MB R1 transcript in memory, fed in 16 KiB
#      reads (bench binary stream_reader_throughput, host release build);
#   2. the openai npm SDK reading the same transcript from a local HTTP server
#      in another process, and `curl | vic-r1 replay -` over the same path;
#   3. peak memory of `vic-r1 replay -` for a 1 MB and a 200 MB stream.
# Two transcript shapes: DeepSeek's (reasoning_content) and inline
# <think>...</think> in content (Together's). MB = 10^6 bytes. CPU is user +
# system time of the measured process only.
# usage: stream_reader.sh REPO_DIR
set -euo pipefail
repo=$1
bench_dir=$repo/tests/bench
sdk_dir=$bench_dir/openai_sdk
bin_dir=$repo/build/host-release/bin
throughput=$bin_dir/stream_reader_throughput
vic=$bin_dir/vic-r1
transcript_mb=10
http_passes=5
server_lifetime_seconds=120

for program in "$throughput" "$vic"; do
  [[ -x $program ]] || { echo "missing $program: build the host-release preset first (tests/bench/run does)" >&2; exit 1; }
done

work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# value FILE NAME: the value of a `name value` line.
value() { awk -v name="$2" '$1 == name { print $2; exit }' "$1"; }
# ratio A B: A / B to one decimal, or n/a.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.1fx", a / b; else printf "n/a" }'; }

# measure RESULT_FILE COMMAND...: runs COMMAND on this shell's stdin and stdout
# and writes its own rusage as `user_s system_s max_rss_kb exit_status` (the
# max RSS includes the launcher's; section 3 measures memory another way).
measure() {
  python3 -c '
import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
child.returncode = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as result:
    result.write("%f %f %d %d\n" % (usage.ru_utime, usage.ru_stime, usage.ru_maxrss, child.returncode))
' "$@"
}
# The worst exit status in result files written by measure.
status_of() { cat "$@" | awk '$4 > worst { worst = $4 } END { print worst + 0 }'; }

shapes=(deepseek inline)
for shape in "${shapes[@]}"; do
  python3 "$bench_dir/generate_r1_transcript.py" "$transcript_mb" --shape "$shape" \
    --output "$work/$shape.sse" --stats "$work/$shape.stats"
done

# ---- 1. vic-r1's StreamReader, in memory ------------------------------------
for shape in "${shapes[@]}"; do
  "$throughput" "$work/$shape.sse" --answer-tokens "$(value "$work/$shape.stats" answer_tokens)" \
    --read-bytes 16384 --min-cpu-seconds 1 >"$work/$shape.reader"
done

# ---- 2. The openai SDK, and vic-r1 replay, over local HTTP ------------------
sdk_note=
http_note=
have_replay=yes
"$vic" replay --help >/dev/null 2>&1 || have_replay=
if ! command -v node >/dev/null; then
  sdk_note="node is not installed"
  http_note="node is not installed (it runs the local server)"
elif [[ ! -d $sdk_dir/node_modules/openai ]]; then
  (cd "$sdk_dir" && npm ci --no-audit --no-fund --loglevel=error >"$work/npm.log" 2>&1) ||
    sdk_note="npm ci failed in $sdk_dir: $(tail -n 1 "$work/npm.log")"
fi
if [[ -z $http_note && -z $have_replay ]]; then
  http_note="vic-r1 has no replay verb yet"
elif [[ -z $http_note ]] && ! command -v curl >/dev/null; then
  http_note="curl is not installed"
fi

if [[ -z $sdk_note || -z $http_note ]]; then
  node "$sdk_dir/serve_transcript.mjs" "$server_lifetime_seconds" \
    deepseek="$work/deepseek.sse" inline="$work/inline.sse" >"$work/server.out" 2>&1 &
  server_pid=$!
  port=
  for _ in $(seq 100); do
    port=$(value "$work/server.out" port)
    [[ -n $port ]] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  [[ -n $port ]] || { echo "the transcript server did not start: $(cat "$work/server.out")" >&2; exit 1; }
fi

if [[ -z $sdk_note ]]; then
  for shape in "${shapes[@]}"; do
    node "$sdk_dir/sdk_stream_cpu.mjs" --base-url "http://127.0.0.1:$port/$shape/v1" --shape "$shape" \
      --transcript-bytes "$(value "$work/$shape.stats" bytes)" \
      --answer-tokens "$(value "$work/$shape.stats" answer_tokens)" --min-cpu-seconds 2 \
      >"$work/$shape.sdk" 2>"$work/$shape.sdk.err" ||
      { sdk_note="sdk_stream_cpu.mjs failed: $(tail -n 1 "$work/$shape.sdk.err")"; break; }
  done
fi

if [[ -z $http_note ]]; then
  for shape in "${shapes[@]}"; do
    for pass in $(seq "$http_passes"); do
      measure "$work/$shape.curl.$pass" curl -sSN --fail --max-time 60 -X POST -H 'Content-Type: application/json' \
          -d '{"model":"deepseek-reasoner","stream":true}' \
          "http://127.0.0.1:$port/$shape/v1/chat/completions" |
        measure "$work/$shape.replay.$pass" "$vic" replay - >/dev/null
    done
  done
fi
if [[ -n $server_pid ]]; then
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=
fi

# ---- 3. Peak memory of vic-r1 replay, by stream length ----------------------
# GNU time forks from a process of about 1 MB: a child's max RSS counts its
# parent's pages at the fork (Linux keeps the high-water mark across exec), so
# measure's python3 launcher (about 14 MB) would hide the figure.
memory_sizes=(1 200)
memory_note=
if [[ -z $have_replay ]]; then
  memory_note="vic-r1 has no replay verb yet"
elif [[ ! -x /usr/bin/time ]]; then
  memory_note="/usr/bin/time is missing (Debian package time)"
else
  # peak_rss RESULT_FILE COMMAND...: writes `max_rss_kb user_s system_s exit_status`.
  peak_rss() { /usr/bin/time -f '%M %U %S %x' -o "$1" "${@:2}" || true; }
  # What the program takes before it reads any stream, for comparison.
  peak_rss "$work/memory.version" "$vic" version >/dev/null </dev/null
  for mb in "${memory_sizes[@]}"; do
    python3 "$bench_dir/generate_r1_transcript.py" "$mb" | peak_rss "$work/memory.$mb" "$vic" replay - >/dev/null
  done
fi

# ---- The table -----------------------------------------------------------------
row() { printf '  %-44s %18s %18s\n' "$@"; }
# per_mb_http SHAPE KIND...: median over the HTTP runs of the CPU ms per MB of
# the named processes (curl, replay, or both added up), one run at a time.
per_mb_http() {
  local shape=$1 pass kind
  shift
  for pass in $(seq "$http_passes"); do
    for kind in "$@"; do cat "$work/$shape.$kind.$pass"; done |
      awk -v bytes="$(value "$work/$shape.stats" bytes)" '{ cpu += $1 + $2 } END { printf "%.6f\n", cpu * 1e3 / (bytes / 1e6) }'
  done | sort -g | awk '{ v[NR] = $1 } END { printf "%.3f", v[int((NR + 1) / 2)] }'
}

echo "transcripts (seeded, MB = 10^6 bytes; about 90% of the tokens are reasoning):"
for shape in "${shapes[@]}"; do
  s=$work/$shape.stats
  printf '  %-9s %.2f MB, %d data chunks, %d reasoning + %d answer tokens, %d keep-alive comments\n' \
    "$shape" "$(awk -v b="$(value "$s" bytes)" 'BEGIN { print b / 1e6 }')" "$(value "$s" events)" \
    "$(value "$s" reasoning_tokens)" "$(value "$s" answer_tokens)" "$(value "$s" keep_alives)"
done
echo
row "" "deepseek" "inline <think>"
echo "vic-r1 StreamReader, in memory, 16 KiB reads (host release):"
row "throughput (MB/s)" "$(value "$work/deepseek.reader" mb_per_s)" "$(value "$work/inline.reader" mb_per_s)"
row "CPU per MB (ms)" "$(value "$work/deepseek.reader" cpu_ms_per_mb)" "$(value "$work/inline.reader" cpu_ms_per_mb)"
row "CPU per answer token (ns)" "$(value "$work/deepseek.reader" ns_per_answer_token)" "$(value "$work/inline.reader" ns_per_answer_token)"
row "CPU per input chunk (ns)" "$(value "$work/deepseek.reader" ns_per_data_event)" "$(value "$work/inline.reader" ns_per_data_event)"
row "throughput, fastest round (MB/s)" "$(value "$work/deepseek.reader" best_mb_per_s)" "$(value "$work/inline.reader" best_mb_per_s)"
row "passes in rounds (CPU s)" \
  "$(value "$work/deepseek.reader" passes)/$(value "$work/deepseek.reader" rounds) ($(value "$work/deepseek.reader" cpu_seconds))" \
  "$(value "$work/inline.reader" passes)/$(value "$work/inline.reader" rounds) ($(value "$work/inline.reader" cpu_seconds))"

if [[ -n $sdk_note ]]; then
  echo "openai SDK: not measured ($sdk_note)"
else
  echo "openai SDK $(value "$work/deepseek.sdk" sdk_version) on Node $(value "$work/deepseek.sdk" node_version), for await over local HTTP (client process CPU, median pass):"
  row "throughput (MB/s)" "$(value "$work/deepseek.sdk" mb_per_s)" "$(value "$work/inline.sdk" mb_per_s)"
  row "CPU per MB (ms)" "$(value "$work/deepseek.sdk" cpu_ms_per_mb)" "$(value "$work/inline.sdk" cpu_ms_per_mb)"
  row "passes (CPU s)" "$(value "$work/deepseek.sdk" passes) ($(value "$work/deepseek.sdk" cpu_seconds))" \
    "$(value "$work/inline.sdk" passes) ($(value "$work/inline.sdk" cpu_seconds))"
  row "CPU per MB, first (JIT warm-up) pass (ms)" "$(value "$work/deepseek.sdk" warmup_cpu_ms_per_mb)" "$(value "$work/inline.sdk" warmup_cpu_ms_per_mb)"
  row "CPU per answer token (ns)" "$(value "$work/deepseek.sdk" ns_per_answer_token)" "$(value "$work/inline.sdk" ns_per_answer_token)"
  row "SDK / StreamReader CPU per MB (goal >= 20x)" \
    "$(ratio "$(value "$work/deepseek.sdk" cpu_ms_per_mb)" "$(value "$work/deepseek.reader" cpu_ms_per_mb)")" \
    "$(ratio "$(value "$work/inline.sdk" cpu_ms_per_mb)" "$(value "$work/inline.reader" cpu_ms_per_mb)")"
fi

if [[ -n $http_note ]]; then
  echo "curl | vic-r1 replay - over the same local HTTP stream: not measured ($http_note)"
else
  echo "curl | vic-r1 replay - over the same local HTTP stream (median of $http_passes runs, process start included):"
  row "vic-r1 replay CPU per MB (ms)" "$(per_mb_http deepseek replay)" "$(per_mb_http inline replay)"
  row "curl CPU per MB (ms)" "$(per_mb_http deepseek curl)" "$(per_mb_http inline curl)"
  row "curl + replay CPU per MB (ms)" "$(per_mb_http deepseek curl replay)" "$(per_mb_http inline curl replay)"
  if [[ -z $sdk_note ]]; then
    row "SDK / replay CPU per MB" \
      "$(ratio "$(value "$work/deepseek.sdk" cpu_ms_per_mb)" "$(per_mb_http deepseek replay)")" \
      "$(ratio "$(value "$work/inline.sdk" cpu_ms_per_mb)" "$(per_mb_http inline replay)")"
    row "SDK / (curl + replay) CPU per MB" \
      "$(ratio "$(value "$work/deepseek.sdk" cpu_ms_per_mb)" "$(per_mb_http deepseek curl replay)")" \
      "$(ratio "$(value "$work/inline.sdk" cpu_ms_per_mb)" "$(per_mb_http inline curl replay)")"
  fi
  row "exit status of replay (worst)" "$(status_of "$work"/deepseek.replay.*)" "$(status_of "$work"/inline.replay.*)"
fi

if [[ -z $memory_note ]]; then
  # The last line of each file: GNU time puts a note about a failed command first.
  memory() {  # memory SIZE rss|cpu|status
    tail -n 1 "$work/memory.$1" | awk -v what="$2" '{
      if (what == "rss") print $1; else if (what == "cpu") printf "%.2f", $2 + $3; else print $4 }'
  }
  echo
  row "" "1 MB stream" "200 MB stream"
  echo "vic-r1 replay - (deepseek shape piped from the generator):"
  row "peak memory, max RSS (KiB)" "$(memory 1 rss)" "$(memory 200 rss)"
  row "CPU (s)" "$(memory 1 cpu)" "$(memory 200 cpu)"
  row "exit status" "$(memory 1 status)" "$(memory 200 status)"
  echo "  for comparison, vic-r1 version (reads no stream): $(memory version rss) KiB"
else
  echo "peak memory of vic-r1 replay: not measured ($memory_note)"
fi
