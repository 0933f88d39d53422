#!/usr/bin/env bash
# Configuring the robot build without its tools must stop at once and say
# which Debian package to install. PATH is narrowed to a scratch directory
# that holds only the tools each case allows.
# usage: check_toolchain_errors.sh REPO_DIR CMAKE
set -u
repo=$1 cmake=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }

mkdir "$scratch/bin"
ln -s "$(command -v ninja)" "$scratch/bin/ninja"

expect_configure_failure() {
  local name=$1 expected=$2 output status
  output=$(PATH="$scratch/bin" "$cmake" -S "$repo" -B "$scratch/build-$name" -G Ninja \
    --toolchain "$repo/toolchains/arm-cortex-a7-static.cmake" 2>&1)
  status=$?
  # CMake wraps long messages; compare with whitespace folded.
  output=$(tr -s ' \n' '  ' <<<"$output")
  [[ $status -ne 0 ]] || fail "$name: configure succeeded"
  [[ $output == *"$expected"* ]] || fail "$name: output lacks '$expected': $output"
  echo "--- $name: $(grep -o 'CMake Error.*' <<<"$output" | cut -c 1-400)"
}

expect_configure_failure no-cross-compiler "apt-get install crossbuild-essential-armhf"

for tool in arm-linux-gnueabihf-gcc arm-linux-gnueabihf-g++; do
  ln -s "$(command -v "$tool")" "$scratch/bin/$tool"
done
expect_configure_failure no-qemu "apt-get install qemu-user"
exit $failed
