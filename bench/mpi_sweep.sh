#!/usr/bin/env bash
# bench/mpi_sweep.sh: what the MPI layout costs (issue 18): the quick Fig. 1 sweep (docs/presets/
# xu2025-fig1.quick.sweep.toml: 36 points, gradient flow and GD, 3 alphas x 2 inits x 3 seeds) run by
# `loraflow sweep --jobs 2` and by `mpirun -np 2 loraflow sweep` (one point at a time per rank: --jobs defaults to
# the node's cores divided among its ranks), alternating, REPS times each (default 5), each into a fresh directory.
# On one machine of two cores the two should take the same time: the point is that the layout costs nothing.
# Checks that the two tables are byte-identical before it reports a time. Prints a Markdown table of medians.
# Usage: bash bench/mpi_sweep.sh [BUILD_DIR]   (environment: REPS, NP default 2). Never a ctest test.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}
LORAFLOW=$(realpath "$BUILD_DIR/bin/loraflow")
REPS=${REPS:-5}
NP=${NP:-2}
SW=docs/presets/xu2025-fig1.quick.sweep.toml
MPIRUN=(mpirun --oversubscribe)
[ "$(id -u)" = 0 ] && MPIRUN+=(--allow-run-as-root)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
now() { date +%s.%N; }
jobs_t=() mpi_t=()
for i in $(seq 1 "$REPS"); do
  t0=$(now); "$LORAFLOW" sweep "$SW" --out "$T/j$i" --jobs "$NP" --table --no-progress --quiet; t1=$(now)
  jobs_t+=("$(awk "BEGIN { printf \"%.3f\", $t1 - $t0 }")")
  t0=$(now); "${MPIRUN[@]}" -np "$NP" "$LORAFLOW" sweep "$SW" --out "$T/m$i" --table --no-progress --quiet; t1=$(now)
  mpi_t+=("$(awk "BEGIN { printf \"%.3f\", $t1 - $t0 }")")
  for f in table.md table.csv curves.csv; do
    cmp -s "$T/j$i/$f" "$T/m$i/$f" || { echo "bench/mpi_sweep.sh: $f differs between the layouts" >&2; exit 1; }
  done
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
mj=$(median "${jobs_t[@]}") mm=$(median "${mpi_t[@]}")
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; $("$LORAFLOW" --version); $(mpirun --version | head -n 1)"
echo "sweep: $SW ($(grep -c . "$T/j1/table.csv") table lines); medians of $REPS, alternating"
echo
echo "| layout | median wall s | runs (s) |"
echo "|---|---:|---|"
echo "| \`loraflow sweep --jobs $NP\` | $mj | ${jobs_t[*]} |"
echo "| \`mpirun -np $NP loraflow sweep\` | $mm | ${mpi_t[*]} |"
echo
echo "ratio mpirun / --jobs: $(awk "BEGIN { printf \"%.3f\", $mm / $mj }")"
