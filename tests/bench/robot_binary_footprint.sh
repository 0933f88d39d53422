#!/usr/bin/env bash
# The robot binary's footprint: stripped size against the 2.0 MB goal, where
# the bytes go, and how long the binary takes to start and exit (`version`),
# natively on the host and emulated as a Cortex-A7 under qemu-arm.
# usage: robot_binary_footprint.sh REPO_DIR
set -euo pipefail
repo=$1
robot=$repo/build/robot/vic-r1
robot_unstripped=$repo/build/robot/bin/vic-r1
host=$repo/build/host-release/bin/vic-r1

size=$(stat -c %s "$robot")
echo "stripped robot binary: $size bytes ($(awk -v s="$size" 'BEGIN { printf "%.2f", s / 1e6 }') MB; goal <= 2.00 MB)"
size --format=berkeley "$robot" | awk 'NR == 2 { printf "  text %d  data %d  bss %d bytes\n", $1, $2, $3 }'

# The largest contributors, by archive, read from the unstripped binary's symbols.
echo "largest symbol groups (unstripped build, bytes of code and data):"
arm-linux-gnueabihf-nm --size-sort --print-size --radix=d "$robot_unstripped" |
  awk '{ name = $4
         if (name ~ /^mbedtls_|^psa_|^ssl_|^x509/) group = "Mbed TLS"
         else if (name ~ /^_ZN6vic_r1/) group = "vic-r1"
         else if (name ~ /^_Z/) group = "C++ runtime and other C++"
         else group = "C library and other"
         bytes[group] += $2 }
       END { for (g in bytes) printf "  %8d  %s\n", bytes[g], g }' | sort -nr

# Median wall time of 21 runs of `vic-r1 version`, in milliseconds.
median_ms() {
  local samples=() start end
  for _ in $(seq 21); do
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    samples+=($(((end - start) / 1000)))
  done
  printf '%s\n' "${samples[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", a[int((NR + 1) / 2)] / 1000 }'
}
echo "start-up + exit of 'vic-r1 version', median of 21 runs:"
echo "  host native (release):       $(median_ms "$host" version) ms"
echo "  robot build under qemu-arm:  $(median_ms qemu-arm -cpu cortex-a7 "$robot" version) ms"
