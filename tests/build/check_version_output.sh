#!/usr/bin/env bash
# `vic-r1 version` run as a process: exits 0, writes nothing to stderr, and
# names the target it was built for and the Mbed TLS 3.6 it links.
# usage: check_version_output.sh TRIPLE LINKAGE BINARY [RUNNER...]
set -u
triple=$1 linkage=$2 binary=$3
shift 3
stdout_file=$(mktemp) stderr_file=$(mktemp)
trap 'rm -f "$stdout_file" "$stderr_file"' EXIT

"$@" "$binary" version >"$stdout_file" 2>"$stderr_file"
status=$?
failed=0
fail() { echo "FAIL: $*"; failed=1; }

[[ $status -eq 0 ]] || fail "exit status $status, expected 0"
[[ ! -s $stderr_file ]] || fail "stderr not empty: $(cat "$stderr_file")"
grep -Eq '^vic-r1 [0-9]+\.[0-9]+\.[0-9]+$' "$stdout_file" || fail "no 'vic-r1 X.Y.Z' line"
grep -Fxq "target: $triple ($(sed -n 's/^target: [^(]*(\([^)]*\)).*/\1/p' "$stdout_file")), $linkage" "$stdout_file" \
  || fail "no 'target: $triple (...), $linkage' line"
grep -Eq '^tls: Mbed TLS 3\.6\.[0-9]+$' "$stdout_file" || fail "no 'tls: Mbed TLS 3.6.x' line"
grep -Eq '^firmware layouts: .+' "$stdout_file" || fail "no 'firmware layouts:' line"

echo "--- output of: $* $binary version"
cat "$stdout_file"
exit $failed
