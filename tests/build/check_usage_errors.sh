#!/usr/bin/env bash
# Bad invocations of the real program: exit status 2, usage on stderr, nothing
# on stdout. usage: check_usage_errors.sh BINARY [RUNNER...]
set -u
binary=$1
shift
failed=0
fail() { echo "FAIL: $*"; failed=1; }

expect_usage_error() {
  local out err status
  out=$("$@" 2>/dev/null); status=$?
  err=$("$@" 2>&1 >/dev/null)
  [[ $status -eq 2 ]] || fail "'${*: -1}': exit status $status, expected 2"
  [[ -z $out ]] || fail "'${*: -1}': wrote to stdout: $out"
  [[ $err == *"usage: vic-r1"* ]] || fail "'${*: -1}': no usage on stderr: $err"
}

expect_usage_error "$@" "$binary"
expect_usage_error "$@" "$binary" no-such-verb
exit $failed
