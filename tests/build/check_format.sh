#!/usr/bin/env bash
# vic-r1's C++ follows .clang-format: lists every file clang-format would
# change, with the first lines it would change, and fails if there is any.
# Fix them with: clang-format-14 -i FILE...
# usage: check_format.sh SOURCE_DIR
set -uo pipefail
cd "$1" || exit 2
formatter=clang-format-14
command -v "$formatter" >/dev/null || { echo "FAIL: $formatter is not installed (./toolchains/bootstrap installs it)"; exit 1; }

# Our own code only: third-party sources live under .cache and build/.
mapfile -t sources < <(find agent drivers platform tests -type f \( -name '*.h' -o -name '*.cpp' \) | sort)
((${#sources[@]} > 0)) || { echo "FAIL: no C++ sources found under $PWD"; exit 1; }

unformatted=0
for source in "${sources[@]}"; do
  if ! difference=$(diff -u "$source" <("$formatter" --style=file "$source") 2>&1); then
    echo "not formatted: $source"
    sed -n '3,14p' <<<"$difference"
    unformatted=$((unformatted + 1))
  fi
done
echo "${#sources[@]} files checked, $unformatted not formatted"
((unformatted == 0))
