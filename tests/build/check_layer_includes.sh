#!/usr/bin/env bash
# The bridge forwards the robot's own traffic and must stay small: drivers/
# and the platform base it links (platform/log, process, time, text) include
# no TLS, HTTP, JSON or Boost header and nothing of the agent. CMake cannot
# hold them to it, since Boost and RapidJSON are system headers any file
# could include; this check does. Prints every offending line.
# usage: check_layer_includes.sh SOURCE_DIR
set -uo pipefail
cd "$1" || exit 2
bridge_side=(drivers platform/log platform/process platform/time platform/text)
forbidden='#[[:space:]]*include[[:space:]]*[<"](boost/|rapidjson/|mbedtls/|psa/|platform/(tls|http|config)/|agent/)'
offending=$(grep -rnE "$forbidden" --include='*.h' --include='*.cpp' "${bridge_side[@]}")
if [[ -n $offending ]]; then
  echo "FAIL: the bridge's code includes what only the agent may use:"
  echo "$offending"
  exit 1
fi
checked=$(find "${bridge_side[@]}" -type f \( -name '*.h' -o -name '*.cpp' \) | wc -l)
echo "$checked files of the bridge's side include no TLS, HTTP, JSON, Boost or agent header"
