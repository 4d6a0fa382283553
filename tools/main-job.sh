#!/usr/bin/env bash
# tools/main-job.sh: the README's main command. Installs what is missing, builds, and runs the default
# reproduction: Fig. 1 of Xu et al. (AISTATS 2025) end to end (`loraflow reproduce xu2025-fig1`: 3 alphas x 2
# initializations x 30 seeds, gradient flow and the paper's gradient descent), writing the data, the
# convergence-rate tables and the figure into out/xu2025-fig1/. A killed run resumes where it stopped.
# Arguments are passed on to loraflow reproduce (e.g. --quick, --jobs 2).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh loraflow_programs  # the loraflow command (with loraflow-check) and the Python module (build/python)
BUILD_DIR=${BUILD_DIR:-build}
"$BUILD_DIR"/bin/loraflow reproduce xu2025-fig1 --out out/xu2025-fig1 "$@"
echo "table: out/xu2025-fig1/table.md; figure: out/xu2025-fig1/figures/xu2025-fig1.png (and .pdf)"
