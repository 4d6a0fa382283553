#!/usr/bin/env bash
# tools/main-job.sh: the README's main command. Installs what is missing, builds, and runs the default
# reproduction (the Fig. 1 problem of Xu et al., AISTATS 2025) into out/. Arguments are passed to loraflow run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
BUILD_DIR=${BUILD_DIR:-build}
"$BUILD_DIR"/bin/loraflow run docs/examples/fig1.toml --out out/fig1 "$@"
