#!/usr/bin/env bash
# The HTTPS client's figures (issue 4's benchmark), against fake_r1_server.py
# (Python ssl, i.e. OpenSSL) on 127.0.0.1 with a throw-away test PKI, streaming
# the transcript tests/transcripts/deepseek_reasoner.body:
#   1. TLS handshakes per 10 questions on one client (`ask --repeat 10`), as the
#      server counted them;
#   2. time from "send question" (the call to post_stream) to the request being
#      written on a pre-connected connection: the "sent" figure of ask's timing
#      line (`--preconnect`, and the kept-alive questions of `--repeat`);
#   3. CPU time of a full and of a resumed TLS handshake in vic-r1, from the
#      client process's own user + system time (wait4) over whole runs;
#   4. Mbed TLS's and the TLS layer's share of the robot binary (symbol sizes);
#   5. the same 10 questions with curl (Debian's, OpenSSL) as the client.
# Timings use the host release build; all servers are bounded and killed on exit.
# usage: https_client.sh REPO_DIR
set -euo pipefail
repo=$1
vic=$repo/build/host-release/bin/vic-r1
robot=$repo/build/robot/vic-r1
robot_unstripped=$repo/build/robot/bin/vic-r1
server_py=$repo/tests/e2e/fake_r1_server.py
make_pki=$repo/tests/e2e/make_test_pki.sh
helper=$repo/tests/bench/https_client/measure.py
transcript=deepseek_reasoner
server_lifetime_seconds=60
question="How far away is the Moon?"
api_key=sk-bench-key-0123456789abcdef
cpu_runs=5        # runs per configuration in section 3 (medians)
cpu_questions=21  # questions per run in section 3
preconnect_runs=15

[[ -x $vic ]] || { echo "missing $vic: build the host-release preset first (tests/bench/run does)" >&2; exit 1; }

work=$(mktemp -d)
server_pids=()
cleanup() {
  local pid
  for pid in "${server_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

bash "$make_pki" "$work/pki" >/dev/null
printf '%s\n' "$api_key" >"$work/api-key"
chmod 600 "$work/api-key"

# start_server NAME [SERVER OPTIONS...]: starts a fake server; sets $port and
# leaves its stats in $work/NAME.stats.
server_pid=
start_server() {
  local name=$1
  shift
  rm -f "$work/$name.port"
  python3 "$server_py" --pki "$work/pki" --port-file "$work/$name.port" --stats-file "$work/$name.stats" \
    --lifetime "$server_lifetime_seconds" --expect-key "$api_key" \
    --respond "stream:transcript=$transcript" "$@" 2>"$work/$name.log" &
  server_pid=$!
  server_pids+=("$server_pid")
  for _ in $(seq 500); do
    [[ -s $work/$name.port ]] && break
    kill -0 "$server_pid" 2>/dev/null || { echo "fake server did not start:" >&2; cat "$work/$name.log" >&2; exit 1; }
    sleep 0.01
  done
  port=$(cat "$work/$name.port")
}
# stop_server: stops the last server started and waits for its final stats.
stop_server() {
  sleep 0.2  # the server counts the client's close after the client exits
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}
# config NAME PORT: a config for the fake server, as the e2e tests write it.
config() {
  cat >"$work/$1.json" <<JSON
{"provider": "deepseek", "base_url": "https://localhost:$2", "api_key_file": "$work/api-key",
 "ca_file": "$work/pki/ca.pem", "state_dir": "$work", "timeouts_ms": {}}
JSON
  echo "$work/$1.json"
}
ask() {  # ask RESULT CONFIG [OPTIONS...]: one measured `vic-r1 ask` process
  local result=$1 cfg=$2
  shift 2
  python3 "$helper" run "$result" "$vic" ask --standalone --config "$cfg" "$@" "$question"
  local status
  status=$(awk '{ print $2 }' "$result")
  if [[ $status != 0 ]]; then
    echo "vic-r1 ask exited $status:" >&2
    cat "$result.err" >&2
    exit 1
  fi
}
cpu_of() { awk '{ print $1 }' "$@"; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
handshake_line() { grep -h 'TLS handshakes:' "$1" | sed 's/^vic-r1 ask: //'; }

# ---- 1. Handshakes per 10 questions ------------------------------------------
echo "1. TLS handshakes per 10 questions (vic-r1 ask --standalone --repeat 10, keep-alive server)"
start_server keepalive
ask "$work/q10" "$(config keepalive "$port")" --repeat 10
stop_server
echo "   server counted: $(python3 "$helper" stats "$work/keepalive.stats")"
echo "   client counted: $(handshake_line "$work/q10.err")"
echo

# ---- 2. Send question -> request on the wire, pre-connected -------------------
echo "2. Time from post_stream() ('send question') to the request written to the socket"
echo "   (ask's 'sent' figure: the request's async_write completed, i.e. the whole request"
echo "   handed to the kernel on loopback; the first byte leaves no later than that), in ms"
start_server preconnect
cfg=$(config preconnect "$port")
for run in $(seq "$preconnect_runs"); do
  ask "$work/pre.$run" "$cfg" --preconnect
done
stop_server
echo "   first question on a pre-connected connection (--preconnect, $preconnect_runs processes):"
echo "     $(grep -h 'connection pre-connected' "$work"/pre.*.err | python3 "$helper" timing sent /dev/stdin | python3 "$helper" summary)"
echo "   questions 2-10 on the kept-alive connection of section 1 (ready, reused):"
echo "     $(grep -h 'connection reused' "$work/q10.err" | python3 "$helper" timing sent /dev/stdin | python3 "$helper" summary)"
echo "   for contrast, question 1 of section 1 (new connection: DNS, TCP and TLS first):"
echo "     $(grep -h 'question 1/' "$work/q10.err" | python3 "$helper" timing sent /dev/stdin | python3 "$helper" summary)"
echo

# ---- 3. Full vs resumed handshake CPU ---------------------------------------
# Client CPU (user + system, wait4) of whole `vic-r1 ask` processes, medians of
# $cpu_runs runs each, N = $cpu_questions:
#   A  no server listening (connection refused): start-up, config, CA load
#   B  one question, new connection:            A + full + request
#   C  N questions on one kept-alive connection: A + full + N requests
#   D  N questions, server closes after each (Connection: close), so each
#      later question reconnects and resumes:   A + full + N requests + (N-1) resumed
# request = (C - B) / (N - 1); full = B - A - request; resumed = (D - C) / (N - 1).
# Full and resumed both include the TCP connect and close around them.
echo "3. TLS handshake CPU time in the vic-r1 process (user + system via wait4, medians of $cpu_runs runs)"
refused_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
cfg_refused=$(config refused "$refused_port")
for tls in any 1.2; do
  for run in $(seq "$cpu_runs"); do
    python3 "$helper" run "$work/cpuA.$tls.$run.cpu" "$vic" ask --standalone --config "$cfg_refused" "$question"
  done
  start_server "cpu_keep_$tls" --tls "$tls"
  cfg=$(config "cpu_keep_$tls" "$port")
  for run in $(seq "$cpu_runs"); do
    ask "$work/cpuB.$tls.$run.cpu" "$cfg"
    ask "$work/cpuC.$tls.$run.cpu" "$cfg" --repeat "$cpu_questions"
  done
  stop_server
  keep_stats=$(python3 "$helper" stats "$work/cpu_keep_$tls.stats")
  start_server "cpu_close_$tls" --tls "$tls" --connection-close
  cfg=$(config "cpu_close_$tls" "$port")
  for run in $(seq "$cpu_runs"); do
    ask "$work/cpuD.$tls.$run.cpu" "$cfg" --repeat "$cpu_questions"
  done
  stop_server
  a=$(cpu_of "$work"/cpuA.$tls.*.cpu | median)
  b=$(cpu_of "$work"/cpuB.$tls.*.cpu | median)
  c=$(cpu_of "$work"/cpuC.$tls.*.cpu | median)
  d=$(cpu_of "$work"/cpuD.$tls.*.cpu | median)
  label=$([[ $tls == any ]] && echo "TLS 1.3 (negotiated)" || echo "TLS 1.2 (server 1.2-only)")
  echo "   $label:"
  echo "     process CPU, us: A no server $a; B 1 question $b; C $cpu_questions kept-alive $c; D $cpu_questions reconnecting $d"
  echo "     client counted in D: $(handshake_line "$work/cpuD.$tls.1.cpu.err")"
  echo "     server, B+C runs: $keep_stats"
  echo "     server, D runs:   $(python3 "$helper" stats "$work/cpu_close_$tls.stats")"
  awk -v a="$a" -v b="$b" -v c="$c" -v d="$d" -v n="$cpu_questions" 'BEGIN {
    request = (c - b) / (n - 1); full = b - a - request; resumed = (d - c) / (n - 1)
    printf "     per request (streamed answer, no handshake): %.0f us\n", request
    printf "     full handshake:    %.0f us CPU\n", full
    printf "     resumed handshake: %.0f us CPU\n", resumed }'
  echo "     handshake wall time from ask's 'TLS' figure (includes the Python server's share), ms:"
  echo "       full (B):    $(python3 "$helper" timing TLS "$work"/cpuB.$tls.*.cpu.err | python3 "$helper" summary)"
  echo "       resumed (D): $(grep -h 'resumed' "$work"/cpuD.$tls.*.cpu.err | grep -v 'TLS handshakes' | python3 "$helper" timing TLS /dev/stdin | python3 "$helper" summary)"
done
echo

# ---- 4. TLS in the robot binary ------------------------------------------------
echo "4. TLS in the robot binary"
if [[ -f $robot && -f $robot_unstripped ]]; then
  size=$(stat -c %s "$robot")
  echo "   stripped build/robot/vic-r1: $size bytes ($(awk -v s="$size" 'BEGIN { printf "%.2f", s / 1e6 }') MB)"
  # Symbol sizes (code and data) in the unstripped binary, grouped by name:
  # Mbed TLS's public names, plus its file-local statics identified as the
  # names the three Mbed TLS archives define.
  mbed_archives=$(find "$repo/build/robot/third_party/mbedtls/library" -name 'libmbed*.a' 2>/dev/null | sort)
  arm-linux-gnueabihf-nm --defined-only $mbed_archives 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u >"$work/mbed_names"
  arm-linux-gnueabihf-nm --size-sort --print-size --radix=d "$robot_unstripped" >"$work/robot.nm"
  awk 'NR == FNR { mbed[$1] = 1; next }
       { name = $4
         if (name ~ /^mbedtls_/) g = "mbedtls_* symbols"
         else if (name ~ /^psa_/) g = "psa_* symbols"
         else if (name in mbed) g = "other Mbed TLS symbols (statics named in libmbed*.a)"
         else next
         bytes[g] += $2; total += $2 }
       END { for (x in bytes) printf "   %9d bytes  %s\n", bytes[x], x
             printf "%d\n", total > "/dev/stderr" }' "$work/mbed_names" "$work/robot.nm" 2>"$work/mbed_total"
  # vic-r1's TLS layer: the symbols its four platform/tls objects define
  # (strong ones, and weak ones with Tls in the name; Beast/Asio operations over TlsStream instantiated in the HTTP client's
  # object are not counted: they would exist over any stream).
  tls_objects=$(find "$repo/build/robot/platform" -path '*tls/tls_*.o' 2>/dev/null | sort)
  arm-linux-gnueabihf-nm --defined-only $tls_objects 2>/dev/null | awk 'NF == 3 && ($2 !~ /^[WVuw]$/ || $3 ~ /Tls/) { print $3 }' | sort -u >"$work/layer_names"
  awk 'NR == FNR { layer[$1] = 1; next } ($4 in layer) { t += $2 } END { printf "%d\n", t }' \
    "$work/layer_names" "$work/robot.nm" >"$work/layer_total"
  mbed_total=$(cat "$work/mbed_total")
  layer_total=$(cat "$work/layer_total")
  echo "   $(printf '%9d' "$layer_total") bytes  vic_r1::platform Tls* (TLS layer: symbols defined by platform/tls/tls_*.o)"
  awk -v m="$mbed_total" -v l="$layer_total" -v s="$size" 'BEGIN {
    printf "   total TLS symbols: %d bytes (%.2f MB), %.1f%% of the stripped binary\n", m + l, (m + l) / 1e6, 100 * (m + l) / s }'
else
  echo "   build/robot/vic-r1 or build/robot/bin/vic-r1 missing: build the robot preset first (tests/bench/run does)"
fi
echo

# ---- 5. The same 10 questions with curl -----------------------------------------
echo "5. The same 10 questions: vic-r1 vs curl ($(curl --version | head -1 | awk '{ print $1, $2, $5 }')), one process each, keep-alive server"
start_server curl
cat >"$work/body.json" <<JSON
{"model":"deepseek-reasoner","messages":[{"role":"user","content":"$question"}],"stream":true}
JSON
urls=()
for _ in $(seq 10); do urls+=(-o /dev/null "https://localhost:$port/chat/completions"); done
curl_start=$(date +%s%N)
curl --http1.1 --cacert "$work/pki/ca.pem" -sS -X POST \
  -H "Authorization: Bearer $api_key" -H 'Content-Type: application/json' -H 'Accept: text/event-stream' \
  --data "@$work/body.json" \
  -w '%{num_connects} %{time_connect} %{time_appconnect} %{time_starttransfer} %{time_total}\n' \
  "${urls[@]}" >"$work/curl.times"
curl_end=$(date +%s%N)
stop_server
echo "   curl (10 URLs in one invocation):"
echo "     server counted: $(python3 "$helper" stats "$work/curl.stats")"
echo "     wall time of the curl process: $(( (curl_end - curl_start) / 1000000 )) ms"
echo "   vic-r1 (section 1's run):"
echo "     server counted: $(python3 "$helper" stats "$work/keepalive.stats")"
echo "   per question, ms since that question was sent (curl: since that transfer began;"
echo "   curl's first byte is the first response byte, headers included; vic-r1's is the"
echo "   first body byte, and its first answer byte is the first byte of answer text):"
printf '   %3s | %-44s | %-38s\n' "#" "vic-r1: connect / TLS / first byte / answer" "curl: connect / TLS / first byte"
python3 "$helper" timing connect "$work/q10.err" >"$work/v.connect"
python3 "$helper" timing TLS "$work/q10.err" >"$work/v.tls"
grep -h 'question [0-9]*/' "$work/q10.err" | sed -E 's/.*connect (\S+)( ms)?, TLS (\S+)( ms)?, sent.*first byte (\S+)( ms)?, first answer byte (\S+)( ms)?, total.*/\1 \3 \5 \7/' >"$work/v.rows"
paste -d' ' "$work/v.rows" "$work/curl.times" | awk '{
  printf "   %3d | %8s / %8s / %8s / %8s       | %8.3f / %8.3f / %8.3f\n", NR, $1, $2, $3, $4, $6 * 1000, $7 * 1000, $8 * 1000 }'
echo "   ('-' and 0.000: no connect/handshake for that question, the connection was reused)"
echo "   first byte, median of 10: vic-r1 $(python3 "$helper" timing 'first byte' "$work/q10.err" | python3 "$helper" summary) ms;" \
  "curl $(awk '{ print $4 * 1000 }' "$work/curl.times" | python3 "$helper" summary) ms"
echo "   first answer byte, median of 10: vic-r1 $(python3 "$helper" timing 'first answer byte' "$work/q10.err" | python3 "$helper" summary) ms (curl does not parse the stream)"
