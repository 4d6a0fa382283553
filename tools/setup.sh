#!/usr/bin/env bash
# tools/setup.sh [TARGET]: installs what is missing on Debian 12, then configures loraflow in build/ and builds
# TARGET (default: all). The two README commands build only what they run: tools/main-job.sh the loraflow command
# and the Python module (target loraflow_programs: loraflow_cli, loraflow_check and loraflow_python),
# tools/test.sh the programs the non-slow tests run (target loraflow_test_programs, which has the module too); neither builds the benchmark programs (bench/) or the slow validation programs, which a
# plain `cmake --build build` (or this script with no argument) builds. Safe to run again (it only does what is
# missing or out of date). Environment: BUILD_DIR (default build), JOBS (default: number of cores), NATIVE (default
# ON: compile for this machine's instruction set; OFF: the portable x86-64 baseline).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake make pkg-config libboost-dev libeigen3-dev doctest-dev libmpfr-dev libgmp-dev
          libtomlplusplus-dev libcli11-dev nlohmann-json3-dev libbenchmark-dev python3-matplotlib python3-numpy
          python3-dev pybind11-dev python3-mpmath python3-pytest libopenmpi-dev openmpi-bin)
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
TARGET=${1:-all}
# LORAFLOW_NATIVE: this machine's instruction set (the build runs where it was made); NATIVE=OFF for a portable build.
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DLORAFLOW_NATIVE="${NATIVE:-ON}" >/dev/null
echo "setup: building $TARGET in $BUILD_DIR with $JOBS jobs (from clean on 2 cores: about 24 minutes for the tests' programs, less for loraflow_programs)" >&2
# One target per invocation: the generated Makefile builds separate goals one after another (.NOTPARALLEL).
cmake --build "$BUILD_DIR" -j "$JOBS" --target "$TARGET"
