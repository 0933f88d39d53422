#!/usr/bin/env bash
# toolchains/bootstrap in a bad environment: each case must stop with exit
# status 1 and a message that says what to do, and a good override must work.
# Everything happens in a scratch directory; the only network used is a
# refused connection to a closed port on loopback.
# usage: check_bootstrap_errors.sh REPO_DIR
set -u
repo=$1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }

# expect_failure NAME EXPECTED_TEXT ENV...: runs the bootstrap with ENV and
# checks it fails naming EXPECTED_TEXT.
expect_failure() {
  local name=$1 expected=$2
  shift 2
  local output status
  output=$(env VIC_R1_DEPS_DIR="$scratch/deps-$name" "$@" "$repo/toolchains/bootstrap" 2>&1)
  status=$?
  [[ $status -eq 1 ]] || fail "$name: exit status $status, expected 1; output: $output"
  [[ $output == *"$expected"* ]] || fail "$name: output lacks '$expected': $output"
  echo "--- $name: $(tail -n 3 <<<"$output")"
}

# An override that points nowhere.
expect_failure missing-override "is neither a directory nor a tarball" \
  VIC_R1_MBEDTLS_SOURCE="$scratch/no-such-file.tar.bz2"

# An override holding the wrong Mbed TLS (2.28, Debian 12's own).
mkdir -p "$scratch/mbedtls-2.28/include/mbedtls"
echo '#define MBEDTLS_VERSION_STRING         "2.28.3"' >"$scratch/mbedtls-2.28/include/mbedtls/build_info.h"
expect_failure wrong-version "is not Mbed TLS 3.6.x" VIC_R1_MBEDTLS_SOURCE="$scratch/mbedtls-2.28"

# No Debian archive in the apt configuration, and no override.
codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
mkdir -p "$scratch/apt-empty/sources.list.d"
expect_failure no-archive "VIC_R1_MBEDTLS_SOURCE=" VIC_R1_APT_ETC="$scratch/apt-empty"

# An archive that cannot be reached (port 9 on loopback refuses).
mkdir -p "$scratch/apt-unreachable/sources.list.d"
cat >"$scratch/apt-unreachable/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: http://127.0.0.1:9/debian
Suites: $codename
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
expect_failure unreachable-archive "could not fetch mbedtls cpputest" \
  VIC_R1_APT_ETC="$scratch/apt-unreachable"

# Good overrides (directories) need no archive at all.
output=$(env VIC_R1_DEPS_DIR="$scratch/deps-good" VIC_R1_APT_ETC="$scratch/apt-empty" \
  VIC_R1_MBEDTLS_SOURCE="$repo/.cache/deps/mbedtls" VIC_R1_CPPUTEST_SOURCE="$repo/.cache/deps/cpputest" \
  "$repo/toolchains/bootstrap" 2>&1)
status=$?
[[ $status -eq 0 ]] || fail "good overrides: exit status $status: $output"
[[ -f $scratch/deps-good/mbedtls/include/mbedtls/build_info.h ]] || fail "good overrides: no Mbed TLS tree"
[[ -f $scratch/deps-good/cpputest/CMakeLists.txt ]] || fail "good overrides: no CppUTest tree"
exit $failed
