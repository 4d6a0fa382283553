#!/usr/bin/env bash
# bench/defaults.sh: the configuration a user writes, timed as a user runs it (issue 16, "fast by default").
#
# The Fig. 1 problem of Xu et al. written to .npy files by `loraflow problem`, then one `loraflow run` process per
# repetition with [problem] kind = "files", [lora] rank 4, small initialization at alpha, and in [solve] only
# precision = "auto" (6 digits, the default) and t_end = 5: the method and everything else are the defaults
# (method = "auto"). Rows: alpha = 1e-10, 1e-20, 1e-30, and 1e-30 with --certify. Each row reports the median
# wall time of REPS processes (default 5), the method and type the plan chose, its steps, and T1.
# With METHOD=dopri5 (or any method) the same rows run with that method named instead: the baseline before
# method = "auto" existed.
#
# W3=1 adds the scale row of issue 16 as a user writes it: m = n = h = 1024, r = 8, alpha = 1e-5, double,
# rtol 1e-8, t_end = 5, 11 observations, the default method and frame (REPS_W3 processes, default 1: about a minute
# each on 2 cores).
#
# ALPHAS (default "1e-10 1e-20 1e-30") and CERTIFY_ALPHAS (default 1e-30) choose the rows; T_END (default 5) is the
# t_end of the Fig. 1 rows: T1 grows by about 0.16 per decade of alpha (4.68 at 1e-30), so alpha = 1e-100 needs
# about 16.5 (T1 + 0.5).
#
# Usage: bash bench/defaults.sh [BUILD_DIR]
#   (environment: REPS, METHOD, ALPHAS, T_END, CERTIFY=0 to skip the certify rows, CERTIFY_ALPHAS, W3, REPS_W3)
# Output: a Markdown table on stdout; scratch files under a temporary directory, removed at exit.
# Never a ctest test: timings are not pass/fail (docs/performance.md records the runs).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}
LORAFLOW=$BUILD_DIR/bin/loraflow
REPS=${REPS:-5}
ALPHAS=${ALPHAS:-"1e-10 1e-20 1e-30"}
PYTHON=/usr/bin/python3
[ -x "$LORAFLOW" ] || { echo "bench/defaults.sh: $LORAFLOW not found; build first (cmake --build $BUILD_DIR)" >&2; exit 2; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

"$LORAFLOW" problem docs/examples/fig1.toml --out "$T/problem" --quiet
write_w3() {
  cat >"$T/run.toml" <<EOF
[problem]
kind = "xu2025"
m = 1024
n = 1024
h = 1024

[lora]
rank = 8
alpha = "1e-5"

[solve]
rtol = "1e-8"
t_end = 5

[observe]
times = "linspace:0:5:11"
EOF
  if [ -n "${METHOD:-}" ]; then sed -i "/^\[solve\]/a method = \"$METHOD\"" "$T/run.toml"; fi
}
write_config() {  # alpha
  cat >"$T/run.toml" <<EOF
[problem]
kind = "files"
W1 = "$T/problem/W1.npy"
W2 = "$T/problem/W2.npy"
dY = "$T/problem/dY.npy"

[lora]
rank = 4
init = "small"
alpha = "$1"

[solve]
precision = "auto"
t_end = ${T_END:-5}
EOF
  if [ -n "${METHOD:-}" ]; then echo "method = \"$METHOD\"" >>"$T/run.toml"; fi
}

# One row: alpha (or w3), extra flags. Prints the Markdown row.
row() {
  local alpha=$1; shift
  local reps=$REPS
  if [ "$alpha" = w3 ]; then write_w3; reps=${REPS_W3:-1}; else write_config "$alpha"; fi
  local times=()
  for ((i = 0; i < reps; i++)); do
    rm -rf "$T/out"
    local t0=$EPOCHREALTIME
    "$LORAFLOW" run "$T/run.toml" --out "$T/out" --quiet --no-progress "$@" >/dev/null
    times+=("$t0:$EPOCHREALTIME")
  done
  "$PYTHON" - "$T/out" "$alpha" "$*" "${times[@]}" <<'EOF'
import json, statistics, sys
out, alpha, flags = sys.argv[1], sys.argv[2], sys.argv[3]
times = [float(b) - float(a) for a, b in (t.split(":") for t in sys.argv[4:])]
s = json.load(open(out + "/summary.json"))
p, sv = s["precision"], s["solver"]
steps = sv["steps"]
t1 = float(s["events"]["T1"]) if s["events"]["T1"] is not None else float("nan")
cert = ""
if flags:
    c = json.load(open(out + "/certify.json"))
    d = {n["name"]: n["digits"] for n in c["numbers"]}
    cert = f"T1 {d.get('events.T1', '-')}, misalign(T1) {d.get('at.T1.misalign', '-')} digits"
print(f"| {alpha} {flags} | {p['method']} in {p['type']}, rtol {p['rtol']}, {p['frame']} frame | {steps} | {t1:.10g} | "
      f"**{statistics.median(times):.2f}** ({', '.join(f'{t:.2f}' for t in times)}) | {cert} |")
EOF
}

echo "| alpha | chosen (method, type, rtol, frame) | steps | T1 | wall s: median (runs) | certified |"
echo "|---|---|---|---|---|---|"
for a in $ALPHAS; do row "$a"; done
if [ "${CERTIFY:-1}" = 1 ]; then for a in ${CERTIFY_ALPHAS:-1e-30}; do row "$a" --certify; done; fi
if [ "${W3:-0}" = 1 ]; then row w3; fi
