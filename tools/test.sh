#!/usr/bin/env bash
# tools/test.sh: the README's test command. Installs what is missing, builds, and runs every ctest test except
# those labelled slow (run those with: ctest --test-dir build -L slow).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
BUILD_DIR=${BUILD_DIR:-build}
ctest --test-dir "$BUILD_DIR" -LE slow --output-on-failure -j "${JOBS:-$(nproc)}"
