#!/usr/bin/env bash
# tools/test.sh: the README's test command. Installs what is missing, builds what the tests run (the loraflow command
# and every test program: target loraflow_test_programs), and runs every ctest test except those labelled slow (run
# those with: cmake --build build && ctest --test-dir build -L slow).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh loraflow_test_programs
BUILD_DIR=${BUILD_DIR:-build}
ctest --test-dir "$BUILD_DIR" -LE slow --output-on-failure -j "${JOBS:-$(nproc)}"
