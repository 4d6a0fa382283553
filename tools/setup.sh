#!/usr/bin/env bash
# tools/setup.sh: installs what is missing on Debian 12, then configures and builds loraflow in build/.
# Used by the two README commands (tools/main-job.sh and tools/test.sh); safe to run again (it only does what is
# missing or out of date). Environment: BUILD_DIR (default build), JOBS (default: number of cores).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake make pkg-config libboost-dev libeigen3-dev doctest-dev libmpfr-dev libgmp-dev
          libtomlplusplus-dev libcli11-dev nlohmann-json3-dev libbenchmark-dev python3-matplotlib python3-numpy)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 2; }
    sudo=sudo
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
echo "setup: building in $BUILD_DIR with $JOBS jobs (a clean build takes about 10 minutes on 2 cores)" >&2
cmake --build "$BUILD_DIR" -j "$JOBS"
