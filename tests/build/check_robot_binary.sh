#!/usr/bin/env bash
# The binary that ships to the robot: a fully static 32-bit ARM EABI5
# executable (no interpreter, no dynamic section, so the robot's own glibc
# 2.22 is never involved), stripped, and it runs on a Cortex-A7.
# usage: check_robot_binary.sh BINARY RUNNER...
set -u
binary=$1
shift
failed=0
fail() { echo "FAIL: $*"; failed=1; }

[[ -f $binary ]] || { echo "FAIL: $binary does not exist"; exit 1; }
description=$(file -b "$binary")
echo "file: $description"
[[ $description == "ELF 32-bit LSB executable, ARM, EABI5"* ]] || fail "not an ARM EABI5 executable"
[[ $description == *"statically linked"* ]] || fail "not statically linked"
[[ $description == *", stripped"* ]] || fail "not stripped"

program_headers=$(readelf --program-headers --wide "$binary")
grep -q 'INTERP' <<<"$program_headers" && fail "has a program interpreter"
grep -q 'DYNAMIC' <<<"$program_headers" && fail "has a DYNAMIC segment"
readelf --section-headers --wide "$binary" | grep -q '\.dynamic' && fail "has a .dynamic section"
# The linker merges the CPU name of glibc's generic armv7-a objects with ours,
# so check the architecture features the -mcpu=cortex-a7 -mfpu=neon-vfpv4
# build relies on rather than the name.
attributes=$(readelf --arch-specific "$binary")
for attribute in 'Tag_CPU_arch: v7' 'Tag_FP_arch: VFPv4' \
                 'Tag_Advanced_SIMD_arch: NEONv1 with Fused-MAC' \
                 'Tag_DIV_use: Allowed in v7-A with integer division extension'; do
  grep -qF "$attribute" <<<"$attributes" || fail "ARM attribute missing: $attribute"
done

output=$("$@" "$binary" version 2>&1)
status=$?
[[ $status -eq 0 ]] || fail "'$* $binary version' exited $status: $output"
grep -Eq '^tls: Mbed TLS 3\.6\.' <<<"$output" || fail "the ARM binary does not report Mbed TLS 3.6: $output"

echo "stripped size: $(stat -c %s "$binary") bytes"
exit $failed
