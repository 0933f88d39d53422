#!/usr/bin/env bash
# The real program replays every hand-written response body in a transcript
# directory and must print exactly the answer, with the expected exit status,
# however the body is cut into reads.
# usage: check_replay_transcripts.sh TRANSCRIPT_DIR VIC_R1_BINARY [RUNNER...]
#
# For each row of TRANSCRIPT_DIR/manifest.tsv (name, content_type, profile,
# exit, what_it_shows):
#  - stdout must equal the expected answer byte for byte: <name>.<profile>.answer
#    when that file exists, else <name>.answer; the exit status must match;
#    for exit 3 (error) and 5 (answer only in reasoning) stderr must explain;
#  - fed 1 byte, 7 bytes and random sizes (seeds 1-5) at a time, and read from
#    stdin, stdout and status must be the same: output never depends on chunking;
#  - with --events every line must be a JSON object with a "type", the last of
#    type "end"; when <name>.expect.json exists, its "finish" must be the last
#    finish reason and its "usage" the fields of the usage event.
set -u

if [[ $# -lt 2 ]]; then
  echo "usage: check_replay_transcripts.sh TRANSCRIPT_DIR VIC_R1_BINARY [RUNNER...]" >&2
  exit 2
fi
dir=$1
binary=$2
shift 2
runner=("$@")
manifest=$dir/manifest.tsv
[[ -r $manifest ]] || { echo "FAIL: no manifest at $manifest" >&2; exit 1; }

scratch=$(mktemp -d) || exit 1
trap 'rm -rf "$scratch"' EXIT

replay() {  # replay ARGS... : stdout to $scratch/out, stderr to $scratch/err, sets status
  "${runner[@]}" "$binary" replay "$@" >"$scratch/out" 2>"$scratch/err"
  status=$?
}

show_difference() {  # show_difference EXPECTED_FILE ACTUAL_FILE
  diff -u --label expected --label actual "$1" "$2" | head -n 20 | sed 's/^/    /'
  cmp -l "$1" "$2" 2>&1 | head -n 5 | sed 's/^/    /'
}

# Checks the --events output in $1 against the optional expectations file $2.
check_events() {
  python3 - "$1" "$2" <<'EOF'
import json, os, sys
lines = open(sys.argv[1], "rb").read().decode("utf-8").split("\n")
if lines and lines[-1] == "":
    lines.pop()
else:
    sys.exit("the last line does not end in a newline")
if not lines:
    sys.exit("no events at all")
events = []
for number, line in enumerate(lines, 1):
    try:
        event = json.loads(line)
    except ValueError as error:
        sys.exit("line %d is not JSON (%s): %.120s" % (number, error, line))
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        sys.exit("line %d is not an object with a string \"type\": %.120s" % (number, line))
    events.append(event)
if events[-1]["type"] != "end":
    sys.exit("the last event is %r, not \"end\"" % events[-1]["type"])
if [e["type"] for e in events].count("end") != 1:
    sys.exit("more than one \"end\" event")
if os.path.exists(sys.argv[2]):
    expected = json.load(open(sys.argv[2], encoding="utf-8"))
    finishes = [e.get("reason") for e in events if e["type"] == "finish"]
    if "finish" in expected and (not finishes or finishes[-1] != expected["finish"]):
        sys.exit("finish reasons %r, expected the last to be %r" % (finishes, expected["finish"]))
    usages = [{k: v for k, v in e.items() if k != "type"} for e in events if e["type"] == "usage"]
    if "usage" in expected and usages != [expected["usage"]]:
        sys.exit("usage events %r, expected exactly [%r]" % (usages, expected["usage"]))
EOF
}

passed=0
failed=0
line_number=0
while IFS=$'\t' read -r name content_type profile expected_exit what || [[ -n ${name:-} ]]; do
  line_number=$((line_number + 1))
  [[ $line_number -eq 1 || -z $name ]] && continue  # header, blank line
  label="$name [$profile]"
  problems=()
  body=$dir/$name.body
  answer=$dir/$name.$profile.answer
  [[ -e $answer ]] || answer=$dir/$name.answer
  if [[ ! -r $body || ! -r $answer ]]; then
    printf '%-58s exit %-3s FAIL\n' "$label" "$expected_exit"
    echo "    missing $body or $answer"
    failed=$((failed + 1))
    continue
  fi

  # 1. The whole body as the file's reads deliver it.
  replay --content-type "$content_type" --profile "$profile" "$body"
  first_status=$status
  cp "$scratch/out" "$scratch/first_out"
  if [[ $status -ne $expected_exit ]]; then
    problems+=("exit status $status, expected $expected_exit; stderr: $(head -c 400 "$scratch/err")")
  fi
  if ! cmp -s "$answer" "$scratch/out"; then
    problems+=("stdout is not the expected answer:"$'\n'"$(show_difference "$answer" "$scratch/out")")
  fi
  if [[ ($expected_exit -eq 3 || $expected_exit -eq 5) && ! -s $scratch/err ]]; then
    problems+=("exit $expected_exit with nothing on stderr to explain it")
  fi

  # 2. The same bytes cut into other reads, and through stdin.
  for chunking in 1 7 random:1 random:2 random:3 random:4 random:5 stdin; do
    if [[ $chunking == stdin ]]; then
      replay --content-type "$content_type" --profile "$profile" - <"$body"
    else
      replay --content-type "$content_type" --profile "$profile" --chunk "$chunking" "$body"
    fi
    if [[ $status -ne $first_status ]]; then
      problems+=("--chunk $chunking: exit status $status, unchunked $first_status")
    fi
    if ! cmp -s "$scratch/first_out" "$scratch/out"; then
      problems+=("--chunk $chunking: stdout differs from the unchunked run:"$'\n'"$(show_difference "$scratch/first_out" "$scratch/out")")
    fi
  done

  # 3. The event stream: JSON lines ending with "end".
  replay --content-type "$content_type" --profile "$profile" --events "$body"
  if [[ $status -ne $expected_exit ]]; then
    problems+=("--events: exit status $status, expected $expected_exit")
  fi
  if ! events_problem=$(check_events "$scratch/out" "$dir/$name.expect.json" 2>&1); then
    problems+=("--events: $events_problem")
  fi

  if [[ ${#problems[@]} -eq 0 ]]; then
    printf '%-58s exit %-3s ok\n' "$label" "$expected_exit"
    passed=$((passed + 1))
  else
    printf '%-58s exit %-3s FAIL\n' "$label" "$expected_exit"
    echo "    ($what)"
    for problem in "${problems[@]}"; do echo "  - $problem"; done
    failed=$((failed + 1))
  fi
done <"$manifest"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
