#!/usr/bin/env bash
# tools/test/cli_test.sh LORAFLOW SOURCE_DIR CASE: one end-to-end test of the loraflow command (a ctest test each;
# tools/test/CMakeLists.txt lists the cases). Exit 0 when the case passes; otherwise one "FAIL [case]: ..." line on
# stderr and exit 1. Inputs are written at test time into a temporary directory, removed afterwards.
#
# Bad-input cases (bad_*) assert what the issue asks of every bad input: exit status 2, exactly one line on stderr
# naming the key, file or value (fixed strings given per case), nothing on stdout, and no output directory (not even
# its parent or a staging directory) afterwards.
set -uo pipefail

if [ $# -ne 3 ]; then
  echo "usage: $0 LORAFLOW SOURCE_DIR CASE" >&2
  exit 1
fi
LORAFLOW=$1
SRC=$(cd "$2" && pwd) || exit 1
CASE=$3
# Absolute, since some cases change directory.
case $LORAFLOW in */*) LORAFLOW=$(cd "$(dirname "$LORAFLOW")" && pwd)/$(basename "$LORAFLOW") ;; esac
PYTHON=/usr/bin/python3
FIG1=$SRC/docs/examples/fig1.toml

T=$(mktemp -d "${TMPDIR:-/tmp}/loraflow-cli-test.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

fail() {
  echo "FAIL [$CASE]: $*" >&2
  exit 1
}

# Runs loraflow and fails the case unless it exits 0 (stdout and stderr go to $T/log).
ok() {
  "$LORAFLOW" "$@" >"$T/log" 2>&1 || fail "loraflow $* exited with status $?: $(tail -n 3 "$T/log")"
}

# need_mpirun: sets MPIRUN to the launcher of the MPI loraflow was built with (LORAFLOW_MPIEXEC, set by ctest from
# CMake's MPIEXEC_EXECUTABLE), as Open MPI's mpirun takes it on two cores (--oversubscribe; root in CI).
need_mpirun() {
  local exe=${LORAFLOW_MPIEXEC:-mpirun}
  command -v "$exe" >/dev/null || fail "$exe not found (tools/setup.sh installs openmpi-bin)"
  MPIRUN=("$exe" --oversubscribe)
  [ "$(id -u)" = 0 ] && MPIRUN+=(--allow-run-as-root)
  return 0
}

# rank_pid MPIRUN_PID RANK: the pid of the rank RANK of the job that mpirun MPIRUN_PID launched (its environment).
rank_pid() {
  local pid
  for pid in $(pgrep -P "$1"); do
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$2" && { echo "$pid"; return 0; }
  done
  return 1
}

# wait_points DIR N: waits (at most 30 s) until N points of the sweep in DIR are done. Finished points only: a point
# killed between writing its summary.json and renaming its staging directory (<id>.tmp.<pid>) into place is not
# done, and a resume rightly runs it again.
wait_points() {
  local n
  for _ in $(seq 1 600); do
    n=$(find "$1/points" -name summary.json -not -path '*.tmp.*' 2>/dev/null | wc -l)
    [ "$n" -ge "$2" ] && return 0
    sleep 0.05
  done
}

# resume_matches SWEEP DIR REF: after a kill, runs the sweep in DIR again (without MPI) and checks that exactly the
# missing points ran, that the tables equal REF's byte for byte, and that no claim or staging directory is left.
# Sets done_before (the points done before the resume).
resume_matches() {
  done_before=$(find "$2/points" -name summary.json -not -path '*.tmp.*' | wc -l)
  [ "$done_before" -lt 24 ] || fail "the sweep finished before it could be killed; nothing was tested"
  ok sweep "$1" --out "$2" --jobs 2 --table --no-progress
  grep -q "$done_before already done, $((24 - done_before)) run now" "$T/log" ||
    fail "the resume did not run exactly the $((24 - done_before)) missing points: $(cat "$T/log")"
  local f
  for f in table.md table.csv table.tex table.json curves.csv; do
    cmp -s "$3/$f" "$2/$f" || fail "$f differs from the uninterrupted sweep's"
  done
  [ -z "$(find "$2/points" -maxdepth 1 -name '*.claim' -o -maxdepth 1 -name '*.tmp.*')" ] || fail "claims or staging directories left"
}

need_numpy() {
  "$PYTHON" -c 'import numpy' 2>/dev/null ||
    fail "$PYTHON cannot import numpy; install it (tools/setup.sh installs python3-numpy)"
}

# expect_bad_input PATTERN... -- ARG...: runs `loraflow ARG... --out $T/out/result` and checks the bad-input contract;
# every PATTERN (a fixed string) must occur in the stderr line.
expect_bad_input() {
  local patterns=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    patterns+=("$1")
    shift
  done
  shift
  local rc=0
  "$LORAFLOW" "$@" --out "$T/out/result" >"$T/stdout" 2>"$T/stderr" || rc=$?
  local err
  err=$(cat "$T/stderr")
  [ "$rc" -eq 2 ] || fail "exit status $rc, expected 2 (stderr: $err)"
  local lines
  lines=$(awk 'END { print NR }' "$T/stderr")
  [ "$lines" -eq 1 ] || fail "stderr has $lines lines, expected exactly 1: $err"
  [ -n "$err" ] || fail "stderr is empty"
  [ ! -s "$T/stdout" ] || fail "unexpected output on stdout: $(head -c 300 "$T/stdout")"
  local p
  for p in "${patterns[@]}"; do
    grep -qF -- "$p" "$T/stderr" || fail "stderr does not name '$p': $err"
  done
  [ ! -e "$T/out" ] || fail "output left behind after bad input: $(find "$T/out" | head -n 5 | tr '\n' ' ')"
  echo "ok [$CASE]: $err"
}

# write_config FILE PROBLEM_BODY LORA_BODY [EXTRA]: a small, fast config (the bad-input cases never integrate).
write_config() {
  printf '[problem]\n%s\n\n[lora]\n%s\n\n[solve]\nt_end = 0.1\n\n[observe]\ntimes = "linspace:0:0.1:3"\n%s\n' \
    "$2" "$3" "${4:-}" >"$1"
}
GEN='kind = "xu2025"
m = 10
n = 10
h = 100'
LORA='rank = 4
init = "small"
alpha = "1e-4"'

# files_body DIR [EXT]: the [problem] body of a kind = "files" config reading DIR/W1.EXT, DIR/W2.EXT, DIR/dY.EXT.
files_body() {
  local ext=${2:-npy}
  printf 'kind = "files"\nW1 = "%s/W1.%s"\nW2 = "%s/W2.%s"\ndY = "%s/dY.%s"' "$1" "$ext" "$1" "$ext" "$1" "$ext"
}

# make_problem DIR [ARG...]: a valid problem from the small config, written by `loraflow problem` (ARG: --set, --text).
make_problem() {
  local dir=$1
  shift
  write_config "$T/gen.toml" "$GEN" "$LORA"
  ok problem "$T/gen.toml" --out "$dir" --quiet "$@"
}

# write_nan_npy FILE: a float64 .npy whose entry (0,1) is NaN; numpy when available, else the bytes by hand.
write_nan_npy() {
  if "$PYTHON" -c 'import numpy' 2>/dev/null; then
    "$PYTHON" -c 'import sys, numpy as np; a = np.load(sys.argv[1]); a[0, 1] = np.nan; np.save(sys.argv[2], a)' \
      "$T/p/W1.npy" "$1" || fail "numpy could not write $1"
  else
    # Version 1.0: magic, version, little-endian header length 118, the dict padded so the data starts at byte 128.
    {
      printf '\x93NUMPY\x01\x00\x76\x00'
      printf '%-117s\n' "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }"
      printf '\x00\x00\x00\x00\x00\x00\xf0\x3f'  # 1.0
      printf '\x00\x00\x00\x00\x00\x00\xf8\x7f'  # NaN
    } >"$1"
  fi
}

# listing DIR: the names in DIR, sorted, on one line.
listing() {
  (cd "$1" && LC_ALL=C find . -mindepth 1 -maxdepth 1 -printf '%P\n' | LC_ALL=C sort | paste -sd ' ')
}

# same_summary A B: the "final", "events" and "at" members of two summary.json files are equal.
same_summary() {
  "$PYTHON" - "$1" "$2" <<'PY' || fail "summary.json members differ between $1 and $2"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
bad = [k for k in ("final", "events", "at") if k not in a or a[k] != b.get(k)]
for k in bad:
    print(f"{k}: {json.dumps(a.get(k))}\n  vs {json.dumps(b.get(k))}", file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

# fig1_sections: fig1.toml without its [problem] table ([lora], [solve] and [observe] as the example has them).
fig1_sections() {
  awk '/^\[/ { keep = ($0 != "[problem]") } keep' "$FIG1"
}
SHORT=(--set solve.t_end=1.5 --set 'observe.times="linspace:0:1.5:151"')

case $CASE in
  # ---- bad input: config keys and values ----
  bad_missing_key)
    write_config "$T/c.toml" "$GEN" $'rank = 4\ninit = "small"'
    expect_bad_input "c.toml" "lora.alpha" "missing" -- run "$T/c.toml" ;;
  bad_unknown_key)
    write_config "$T/c.toml" "$GEN" "$LORA"$'\nalpah = "1e-4"'
    expect_bad_input "c.toml" "lora.alpah" "unknown key" -- run "$T/c.toml" ;;
  bad_unknown_section)
    write_config "$T/c.toml" "$GEN" "$LORA" $'\n[solver]\nrtol = "1e-10"'
    expect_bad_input "c.toml" "solver" "unknown section" -- run "$T/c.toml" ;;
  bad_wrong_type)
    write_config "$T/c.toml" $'kind = "xu2025"\nm = "ten"' "$LORA"
    expect_bad_input "c.toml" "problem.m" "ten" "expected an integer" -- run "$T/c.toml" ;;
  bad_alpha_zero)
    write_config "$T/c.toml" "$GEN" $'rank = 4\ninit = "small"\nalpha = "0"'
    expect_bad_input "lora.alpha" "'0'" "> 0" -- run "$T/c.toml" ;;
  bad_alpha_negative)
    write_config "$T/c.toml" "$GEN" $'rank = 4\ninit = "small"\nalpha = "-1e-5"'
    expect_bad_input "lora.alpha" "-1e-5" "> 0" -- run "$T/c.toml" ;;
  bad_rank_too_large)
    write_config "$T/c.toml" "$GEN" $'rank = 11\ninit = "small"\nalpha = "1e-4"'
    expect_bad_input "lora.rank" "11" "<= min(m, n, h) = 10" -- run "$T/c.toml" ;;
  bad_rank_too_large_files)  # the files' shapes decide the limit (checked after reading, as run does)
    make_problem "$T/p"
    write_config "$T/c.toml" "$(files_body p)" $'rank = 11\ninit = "small"\nalpha = "1e-4"'
    expect_bad_input "lora.rank" "11" "rank <= 10" -- run "$T/c.toml" ;;
  bad_missing_config)
    expect_bad_input "$T/nonexistent.toml" "cannot open" -- run "$T/nonexistent.toml" ;;
  # ---- bad input: matrix files ----
  bad_shape_mismatch)  # dY of an 8 x 10 problem with the W1, W2 of a 10 x 10 one
    make_problem "$T/p"
    make_problem "$T/p8" --set problem.m=8
    write_config "$T/c.toml" $'kind = "files"\nW1 = "p/W1.npy"\nW2 = "p/W2.npy"\ndY = "p8/dY.npy"' "$LORA"
    expect_bad_input "p8/dY.npy" "problem.dY" "shape 8x10" "expected 10x10" -- run "$T/c.toml" ;;
  bad_npy_missing)
    make_problem "$T/p"
    write_config "$T/c.toml" $'kind = "files"\nW1 = "nowhere/W1.npy"\nW2 = "p/W2.npy"\ndY = "p/dY.npy"' "$LORA"
    expect_bad_input "nowhere/W1.npy" "cannot open" "problem.W1" -- run "$T/c.toml" ;;
  bad_npy_malformed)
    make_problem "$T/p"
    printf 'this is not a numpy file\n\x01\x02\x03' >"$T/garbage.npy"
    write_config "$T/c.toml" $'kind = "files"\nW1 = "p/W1.npy"\nW2 = "garbage.npy"\ndY = "p/dY.npy"' "$LORA"
    expect_bad_input "garbage.npy" "not a .npy file" "problem.W2" -- run "$T/c.toml" ;;
  bad_npy_nan)
    make_problem "$T/p"
    write_nan_npy "$T/nan.npy"
    write_config "$T/c.toml" $'kind = "files"\nW1 = "nan.npy"\nW2 = "p/W2.npy"\ndY = "p/dY.npy"' "$LORA"
    expect_bad_input "nan.npy" "NaN" "entry (0,1)" "problem.W1" -- run "$T/c.toml" ;;
  bad_text_inf)  # an exported text matrix with one entry replaced by inf
    make_problem "$T/p" --text
    awk 'NR == 3 { $2 = "inf" } { print }' "$T/p/dY.txt" >"$T/dY_inf.txt"
    write_config "$T/c.toml" $'kind = "files"\nW1 = "p/W1.txt"\nW2 = "p/W2.txt"\ndY = "dY_inf.txt"' "$LORA"
    expect_bad_input "dY_inf.txt:3" "'inf'" "not a decimal number" "problem.dY" -- run "$T/c.toml" ;;
  # ---- bad input: the command line ----
  bad_set_syntax)
    expect_bad_input "--set 'lora.alpha'" "section.key=value" -- run "$FIG1" --set lora.alpha ;;
  bad_set_value)
    expect_bad_input "lora.alpha" "'-1'" "> 0" -- run "$FIG1" --set lora.alpha=-1 ;;
  bad_set_section)
    expect_bad_input "--set 'lorra.alpha=1e-5'" "unknown section 'lorra'" -- run "$FIG1" --set lorra.alpha=1e-5 ;;
  bad_unknown_option)
    expect_bad_input "--alpha" -- run "$FIG1" --alpha 1e-5 ;;
  bad_problem_input)  # the problem subcommand keeps the same contract
    make_problem "$T/p"
    write_nan_npy "$T/nan.npy"
    write_config "$T/c.toml" $'kind = "files"\nW1 = "p/W1.npy"\nW2 = "p/W2.npy"\ndY = "nan.npy"' "$LORA"
    expect_bad_input "nan.npy" "NaN" "problem.dY" -- problem "$T/c.toml" --text ;;

  # ---- loraflow problem ----
  problem_export)  # the files, their shapes, and text with every digit of the working precision (50 digits here)
    make_problem "$T/p" --text --set problem.m=8 --set problem.n=6 --set problem.h=12 --set solve.precision=50
    [ "$(listing "$T/p")" = "W1.npy W1.txt W2.npy W2.txt dY.npy dY.txt" ] || fail "unexpected files: $(listing "$T/p")"
    for spec in "W1 12 6" "W2 8 12" "dY 8 6"; do
      read -r name rows cols <<<"$spec"
      head -c 128 "$T/p/$name.npy" | grep -aqF "'shape': ($rows, $cols)" || fail "$name.npy: shape is not ($rows, $cols)"
      shape=$(awk '{ if (NF != n && NR > 1) bad = 1; n = NF } END { print NR, n, bad + 0 }' "$T/p/$name.txt")
      [ "$shape" = "$rows $cols 0" ] || fail "$name.txt: rows, columns, ragged = $shape; expected $rows $cols 0"
    done
    digits=$(awk '{ m = $1; sub(/e.*/, "", m); gsub(/[-.]/, "", m); print length(m); exit }' "$T/p/W1.txt")
    [ "$digits" -ge 50 ] || fail "W1.txt entries carry $digits digits; expected >= 50 at precision 50"
    make_problem "$T/q"
    [ "$(listing "$T/q")" = "W1.npy W2.npy dY.npy" ] || fail "without --text: $(listing "$T/q")"
    # precision = "auto" exports at the natural frame's plan (the files run integrates there): alpha = 1e-20 and 6
    # digits need 30 working digits (float128), not the singular frame's double.
    make_problem "$T/a" --text --set solve.precision=auto --set 'lora.alpha="1e-20"'
    digits=$(awk '{ m = $1; sub(/e.*/, "", m); gsub(/[-.]/, "", m); print length(m); exit }' "$T/a/W1.txt")
    [ "$digits" -ge 33 ] || fail "precision auto at alpha = 1e-20: W1.txt carries $digits digits; expected float128's >= 33"
    echo "ok [$CASE]" ;;
  problem_text_roundtrip_50)  # generator run at precision 50 = run from the exported text matrices, digit for digit
    small=(--set problem.m=6 --set problem.n=6 --set problem.h=12)  # fig1 shrunk to keep float50 fast
    fast=(--set lora.rank=2 --set solve.precision=50 --set solve.rtol=1e-8 --set solve.t_end=1
          --set 'observe.times="linspace:0:1:11"')
    ok problem "$FIG1" "${small[@]}" "${fast[@]}" --text --out "$T/p"
    { echo "[problem]"; files_body p txt; echo; fig1_sections; } >"$T/files.toml"
    # The generator run in the natural frame, as the files run is (frame = "auto" integrates a generated problem in
    # the singular frame, a problem from files in the natural one): the same computation, digit for digit.
    ok run "$FIG1" "${small[@]}" "${fast[@]}" --set solve.frame=natural --out "$T/gen" --no-progress
    ok run "$T/files.toml" "${fast[@]}" --out "$T/files" --no-progress
    grep -qF '"type": "50"' "$T/files/summary.json" || fail "the files run did not use precision 50"
    grep -qF '"T1": null' "$T/gen/summary.json" && fail "T1 not reached, so events and at were not compared"
    cmp "$T/gen/trajectory.csv" "$T/files/trajectory.csv" || fail "trajectory.csv differs"
    same_summary "$T/gen/summary.json" "$T/files/summary.json"
    echo "ok [$CASE]" ;;
  problem_numpy_identical)  # generator run = run from .npy files written by numpy (C order), bit for bit
    need_numpy
    ok problem "$FIG1" --out "$T/p"
    "$PYTHON" - "$T/p" "$T/np" <<'PY' || fail "numpy could not re-save the problem"
import os, sys
import numpy as np
src, dst = sys.argv[1:3]
os.makedirs(dst)
for name in ("W1", "W2", "dY"):
    a = np.load(os.path.join(src, name + ".npy"))
    np.save(os.path.join(dst, name + ".npy"), np.ascontiguousarray(a))
PY
    for name in W1 W2 dY; do
      head -c 128 "$T/np/$name.npy" | grep -aqF "'fortran_order': False" || fail "np/$name.npy is not in C order"
    done
    { echo "[problem]"; files_body np; echo; fig1_sections; } >"$T/files.toml"
    ok run "$FIG1" "${SHORT[@]}" --set solve.frame=natural --out "$T/gen" --no-progress  # as the files run (frame auto)
    ok run "$T/files.toml" "${SHORT[@]}" --out "$T/files" --no-progress
    [ "$(wc -l <"$T/gen/trajectory.csv")" -eq 152 ] || fail "gen/trajectory.csv: expected 152 lines"
    grep -qF '"kind": "files"' "$T/files/summary.json" || fail "the files run is not a kind = \"files\" run"
    cmp "$T/gen/trajectory.csv" "$T/files/trajectory.csv" || fail "trajectory.csv differs"
    same_summary "$T/gen/summary.json" "$T/files/summary.json"
    grep -qF '"T1": null' "$T/gen/summary.json" && fail "T1 not reached, so events and at were not compared"
    echo "ok [$CASE]" ;;

  # ---- docs and help ----
  docs_examples)  # every docs/examples/*.toml runs as written (run configs with loraflow run; *.sweep.toml with sweep)
    # In a copy of the examples at the same place under $T/root, so that nothing is written into the source tree and
    # paths that leave docs/examples (e.g. ../../out/fig1-problem) resolve as they do from the repository root. An
    # example that needs files made first says so in a comment line "#   build/bin/loraflow problem ARG..."; that
    # command is run as written, from $T/root, before the example.
    mkdir -p "$T/root/docs" || fail "cannot create $T/root/docs"
    cp -R "$SRC/docs/examples" "$T/root/docs/" || fail "cannot copy docs/examples"
    shopt -s nullglob
    examples=("$T"/root/docs/examples/*.toml)
    [ ${#examples[@]} -gt 0 ] || fail "no docs/examples/*.toml found"
    for f in "$T"/root/docs/examples/*.sweep.toml; do
      ok sweep "$f" --out "$T/sw/$(basename "$f" .sweep.toml)" --table --no-progress
      [ -s "$T/sw/$(basename "$f" .sweep.toml)/table.md" ] || fail "$(basename "$f"): no table.md"
      echo "ok [$CASE]: $(basename "$f")"
    done
    for f in "${examples[@]}"; do
      case $f in *.sweep.toml) continue ;; esac
      name=$(basename "$f" .toml)
      while read -ra prep; do
        (cd "$T/root" && "$LORAFLOW" problem "${prep[@]}" --quiet) >"$T/log" 2>&1 ||
          fail "docs/examples/$name.toml: its 'loraflow problem ${prep[*]}' failed: $(tail -n 3 "$T/log")"
      done < <(sed -n 's|^#[[:space:]]*build/bin/loraflow problem[[:space:]]||p' "$f")
      (cd "$T/root" && "$LORAFLOW" run "docs/examples/$name.toml" --out "$T/ex/$name" --quiet --no-progress) \
        >"$T/log" 2>&1 || fail "docs/examples/$name.toml: exit status $?: $(tail -n 3 "$T/log")"
      for out in trajectory.csv summary.json; do
        [ -s "$T/ex/$name/$out" ] || fail "docs/examples/$name.toml: no $out"
      done
      echo "ok [$CASE]: $name"
    done
    # docs/config.md shows all_keys.toml in full: the copy must be the file.
    "$PYTHON" - "$SRC" <<'PY' || fail "docs/config.md's copy of docs/examples/all_keys.toml differs from the file"
import sys
root = sys.argv[1]
doc = open(root + "/docs/config.md").read()
start = doc.index("```toml\n# Every key of a loraflow config") + len("```toml\n")
end = doc.index("\n```\n", start)
sys.exit(0 if doc[start:end] == open(root + "/docs/examples/all_keys.toml").read().rstrip("\n") else 1)
PY
    echo "ok [$CASE]: docs/config.md shows all_keys.toml as it is" ;;
  bad_check_id)  # an unknown claim id: exit 2, one line naming it, no output directory
    expect_bad_input "no.such.claim" "unknown" "loraflow check --list" -- check no.such.claim ;;
  check_outputs)  # a claim run writes the verdict table, check.json, check.md and its CSV tables; --json parses;
                  # an expected violation is shown with its explanation and exits 0 under --strict
    ok check min2021.prop1 --quick --no-progress --out "$T/chk"
    grep -q '^min2021.prop1  \[pass\]' "$T/log" || fail "no pass line in the verdict table: $(head -n 5 "$T/log")"
    for f in check.json check.md; do [ -s "$T/chk/$f" ] || fail "no $f"; done
    "$PYTHON" -c 'import json,sys; j=json.load(open(sys.argv[1])); c=j["claims"][0]; assert c["id"]=="min2021.prop1" and c["verdict"]=="pass" and len(c["rows"])>=5 and all(r["source"] and r["source_kind"]!="none" for r in c["rows"]), c' "$T/chk/check.json" ||
      fail "check.json does not hold the claim's verdict and sourced rows"
    ok check xu2025.appg-stationary --quick --strict --no-progress --out "$T/viol"
    grep -q '^xu2025.appg-stationary  \[violation\]' "$T/log" || fail "no violation line in the verdict table: $(head -n 5 "$T/log")"
    "$PYTHON" -c 'import json,sys; c=json.load(open(sys.argv[1]))["claims"][0]; v=[r for r in c["rows"] if r["verdict"]=="violation"]; assert c["verdict"]=="violation" and v and all(r["explanation"] and r["source_kind"]=="paper" for r in v), c' "$T/viol/check.json" ||
      fail "check.json does not show the expected violation with its explanation and paper source"
    grep -q 'Printed statements the measurements contradict' "$T/viol/check.md" || fail "check.md lists no violation"
    "$LORAFLOW" check min2021.prop1 --quick --no-progress --json >"$T/j" 2>/dev/null || fail "--json exited with $?"
    "$PYTHON" -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/j" || fail "--json output is not JSON"
    "$LORAFLOW" check --list --ids | grep -qx 'xu2025.t1-slope' || fail "--list --ids does not list xu2025.t1-slope"
    echo "ok [$CASE]" ;;
  reproduce_kim_quick)  # a claim-backed preset end to end: the claim's tables, its verdicts, and the figure from them
    "$LORAFLOW" reproduce --list | grep -qx 'kim2025-fails-loudly' || fail "reproduce --list lacks kim2025-fails-loudly"
    ok reproduce kim2025-fails-loudly --quick --no-progress --out "$T/kim"
    grep -q '^kim2025.implicit-bias  \[violation\]' "$T/log" || fail "no verdict line for the claim: $(head -n 5 "$T/log")"
    for f in kim2025.implicit-bias.runs.csv kim2025.implicit-bias.lambda_rank.csv check.json \
             figures/kim2025-fails-loudly.png figures/kim2025-fails-loudly.pdf; do
      [ -s "$T/kim/$f" ] || fail "reproduce wrote no $f"
    done
    "$PYTHON" -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); v={x["init"]:0 for x in r}; assert len(r)==40 and set(v)=={"zero-B","large"} and any(x["verdict"].startswith("spurious") for x in r), len(r)' \
      "$T/kim/kim2025.implicit-bias.runs.csv" || fail "the runs table is not 2 problems x 10 seeds x 2 inits with a spurious end point"
    expect_bad_input "no-such-preset" "unknown" "reproduce --list" -- reproduce no-such-preset
    echo "ok [$CASE]" ;;
  bad_sweep_axis)  # an axis key no run config has: exit 2, one line naming the sweep file and the key
    printf 'base = "%s"\n[[axis]]\nkey = "lora.alpah"\nvalues = ["1e-3"]\n' "$FIG1" >"$T/s.toml"
    expect_bad_input "s.toml" "lora.alpah" "unknown key" -- sweep "$T/s.toml" ;;
  bad_sweep_empty_range)
    printf 'base = "%s"\n[[axis]]\nkey = "problem.seed"\nvalues = "range:3:3"\n' "$FIG1" >"$T/s.toml"
    expect_bad_input "s.toml" "problem.seed" "empty range" -- sweep "$T/s.toml" ;;
  bad_sweep_other_dir)  # resuming into a directory made by a different sweep: refused, nothing changed
    printf 'base = "%s"\n[[axis]]\nkey = "lora.alpha"\nvalues = ["1e-3"]\n' "$FIG1" >"$T/a.toml"
    printf 'base = "%s"\n[[axis]]\nkey = "lora.alpha"\nvalues = ["1e-4"]\n' "$FIG1" >"$T/b.toml"
    ok sweep "$T/a.toml" --out "$T/d" --no-progress
    before=$(cd "$T/d" && find . -type f | sort | xargs sha256sum)
    rc=0
    "$LORAFLOW" sweep "$T/b.toml" --out "$T/d" --no-progress >"$T/stdout" 2>"$T/stderr" || rc=$?
    [ "$rc" -eq 2 ] || fail "exit status $rc, expected 2"
    [ "$(wc -l <"$T/stderr")" -eq 1 ] && grep -qF "different sweep" "$T/stderr" || fail "stderr: $(cat "$T/stderr")"
    [ "$(cd "$T/d" && find . -type f | sort | xargs sha256sum)" = "$before" ] || fail "the directory was changed"
    echo "ok [$CASE]" ;;
  sweep_jobs_identical)  # --jobs 1 and --jobs 2 give byte-identical tables and curves
    SW=$SRC/docs/examples/sweep_alpha.sweep.toml
    ok sweep "$SW" --out "$T/j1" --jobs 1 --table --no-progress
    ok sweep "$SW" --out "$T/j2" --jobs 2 --table --no-progress
    for f in table.md table.csv table.tex table.json curves.csv; do
      cmp -s "$T/j1/$f" "$T/j2/$f" || fail "$f differs between --jobs 1 and --jobs 2"
    done
    grep -q '| small | 1e-5 | 4 | 0 | 0 |' "$T/j1/table.md" || fail "table.md lacks the (small, 1e-5) row with n = 4"
    # The provenance names the frame the points integrated in (a generated problem: frame = "auto" took the singular one).
    grep -q '^Provenance: .*, frame singular; seeds' "$T/j1/table.md" || fail "table.md's provenance does not name the frame: $(grep Provenance "$T/j1/table.md")"
    echo "ok [$CASE]" ;;
  sweep_resume_kill9)  # kill -9 mid-sweep, run again: the final table is byte-identical to an uninterrupted run
    SW=$SRC/docs/examples/sweep_alpha.sweep.toml
    ok sweep "$SW" --out "$T/ref" --jobs 2 --table --no-progress
    "$LORAFLOW" sweep "$SW" --out "$T/k" --jobs 2 --no-progress >/dev/null 2>&1 &
    pid=$!
    wait_points "$T/k" 3  # then SIGKILL the sweep (its points in flight die too)
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    resume_matches "$SW" "$T/k" "$T/ref"
    echo "ok [$CASE] (killed after $done_before of 24 points)" ;;
  sweep_shards_identical)  # --shard 3/3, 1/3, 2/3 run separately, in that order, then table: the table of one sweep
    SW=$SRC/docs/examples/sweep_alpha.sweep.toml
    ok sweep "$SW" --out "$T/ref" --jobs 2 --table --no-progress
    ok sweep "$SW" --out "$T/s" --jobs 2 --shard 3/3 --table --no-progress
    grep -q "shard 3/3: 8 of them" "$T/log" || fail "shard 3/3 did not report its 8 points: $(cat "$T/log")"
    grep -q "table not written: 16 points" "$T/log" || fail "shard 3/3 wrote a table before the other shards: $(cat "$T/log")"
    [ ! -e "$T/s/table.md" ] || fail "a table was written with shards missing"
    "$LORAFLOW" table "$T/s" >/dev/null 2>"$T/err" || fail "table of a partial sweep failed: $(cat "$T/err")"
    grep -q "16 of 24 points of $T/s have no result yet (00000, 00001, 00003," "$T/err" || fail "table did not name the missing points: $(cat "$T/err")"
    ok sweep "$SW" --out "$T/s" --jobs 2 --shard 1/3 --no-progress
    ok sweep "$SW" --out "$T/s" --jobs 1 --shard 2/3 --table --no-progress
    grep -q "wrote $T/s/table" "$T/log" || fail "the last shard did not write the table: $(cat "$T/log")"
    for f in table.md table.csv table.tex table.json curves.csv; do
      cmp -s "$T/ref/$f" "$T/s/$f" || fail "$f of the three shards differs from the one sweep's"
    done
    [ "$(find "$T/s/points" -name summary.json | wc -l)" = 24 ] || fail "not 24 points"
    [ -z "$(find "$T/s/points" -maxdepth 1 -name '*.claim' -o -maxdepth 1 -name '*.tmp.*')" ] || fail "claims or staging directories left"
    expect_bad_input "--shard '4/3': expected K/N with 1 <= K <= N" -- sweep "$SW" --shard 4/3
    echo "ok [$CASE]" ;;
  sweep_two_runners)  # two runners on one directory at once: each point runs once, the table is the one sweep's
    SW=$SRC/docs/examples/sweep_alpha.sweep.toml
    ok sweep "$SW" --out "$T/ref" --jobs 2 --table --no-progress
    "$LORAFLOW" sweep "$SW" --out "$T/two" --jobs 1 --no-progress >"$T/a" 2>&1 &
    pa=$!
    "$LORAFLOW" sweep "$SW" --out "$T/two" --jobs 1 --no-progress >"$T/b" 2>&1 &
    pb=$!
    wait "$pa" || fail "runner A failed: $(cat "$T/a")"
    wait "$pb" || fail "runner B failed: $(cat "$T/b")"
    ran=$(( $(sed -n 's/.* \([0-9]*\) run now.*/\1/p' "$T/a") + $(sed -n 's/.* \([0-9]*\) run now.*/\1/p' "$T/b") ))
    [ "$ran" = 24 ] || fail "the two runners ran $ran points between them, not 24: $(cat "$T/a" "$T/b")"
    ok table "$T/two" --quiet
    for f in table.md table.csv curves.csv; do
      cmp -s "$T/ref/$f" "$T/two/$f" || fail "$f of the two runners differs from the one sweep's"
    done
    [ -z "$(find "$T/two/points" -maxdepth 1 -name '*.claim*' -o -maxdepth 1 -name '*.tmp.*')" ] || fail "claims or staging directories left behind"
    [ "$(find "$T/two/points" -mindepth 2 -name summary.json | wc -l)" = 24 ] || fail "not one summary.json for each of the 24 points"
    echo "ok [$CASE] ($(cat "$T/a" "$T/b" | grep -o '[0-9]* left to another runner' | tr '\n' ' '))" ;;
  sweep_mpi_identical)  # mpirun -np 2 and -np 3: the tables of --jobs 1, every point run once, by the shared queue
    need_mpirun
    SW=$SRC/docs/examples/sweep_alpha.sweep.toml
    ok sweep "$SW" --out "$T/j1" --jobs 1 --table --no-progress
    for np in 2 3; do  # -np 2 with two local workers per rank, -np 3 with one
      "${MPIRUN[@]}" -np "$np" "$LORAFLOW" sweep "$SW" --out "$T/np$np" --jobs $((np == 2 ? 2 : 1)) --table --no-progress >"$T/log" 2>&1 ||
        fail "mpirun -np $np failed: $(tail -n 5 "$T/log")"
      # One summary from rank 0 (the others print nothing), counting every rank's points: the queue, not claims.
      [ "$(grep -c '^sweep ' "$T/log")" = 1 ] || fail "-np $np: not one summary line: $(cat "$T/log")"
      grep -q "0 already done, 24 run now (0 numerical failures, status in their summary.json), 0 errors$" "$T/log" ||
        fail "-np $np: rank 0 did not count 24 points run by the ranks (built without MPI?): $(cat "$T/log")"
      for f in table.md table.csv table.tex table.json curves.csv; do
        cmp -s "$T/j1/$f" "$T/np$np/$f" || fail "$f differs between --jobs 1 and mpirun -np $np"
      done
      [ -z "$(find "$T/np$np/points" -maxdepth 1 -name '*.claim' -o -maxdepth 1 -name '*.tmp.*')" ] || fail "-np $np left claims or staging directories"
    done
    echo "ok [$CASE]" ;;
  sweep_mpi_kill_rank)  # SIGKILL of the leader, then of a follower, mid-sweep; each time a rerun without MPI gives the
                        # uninterrupted table, runs exactly the missing points, and leaves no claim or staging directory
    need_mpirun
    SW=$SRC/docs/examples/sweep_alpha.sweep.toml
    ok sweep "$SW" --out "$T/ref" --jobs 2 --table --no-progress
    killed=""
    for rank in 0 1; do
      "${MPIRUN[@]}" -np 2 "$LORAFLOW" sweep "$SW" --out "$T/k$rank" --jobs 1 --no-progress >"$T/mlog" 2>&1 &
      mp=$!
      wait_points "$T/k$rank" 3
      victim=$(rank_pid "$mp" "$rank") || fail "no rank $rank under mpirun $mp: $(cat "$T/mlog")"
      kill -9 "$victim"
      wait "$mp" 2>/dev/null && fail "mpirun exited 0 after rank $rank was killed"
      resume_matches "$SW" "$T/k$rank" "$T/ref"
      killed="$killed rank $rank after $done_before of 24 points;"
    done
    echo "ok [$CASE] (killed:$killed)" ;;
  certify_reports_loss)  # --certify: a run that loses digits says so (double at alpha = 1e-14 on a small problem)
    small=(--set problem.m=4 --set problem.n=4 --set problem.h=8 --set lora.rank=2 --set solve.t_end=4
           --set 'observe.times="linspace:0:4:5"')
    # In the natural frame: the singular frame (what frame = "auto" takes here) keeps misalign(T1)'s digits in double.
    ok run "$FIG1" "${small[@]}" --set 'lora.alpha="1e-14"' --set solve.frame=natural --certify --no-progress --out "$T/c"
    [ -s "$T/c/certify.json" ] || fail "no certify.json"
    "$PYTHON" - "$T/c/certify.json" <<'PY' || fail "certify.json does not report the loss of digits: $(head -c 600 "$T/c/certify.json")"
import json, sys
d = {n["name"]: n["digits"] for n in json.load(open(sys.argv[1]))["numbers"]}
# misalign(T1) ~ 1e-27 sits in 1e-14 components of O(1) entries, so double loses most of its digits there while T1
# (an O(1) event time) keeps them (measured when this test was written: 4 digits against 12). The report must show
# that loss: at least 6 digits fewer for misalign than for T1.
assert d["events.T1"] >= 10, d
assert json.load(open(sys.argv[1]))["reference"]["frame"] == "natural"  # the run's frame
assert d["at.T1.misalign"] <= d["events.T1"] - 6, d
PY
    echo "ok [$CASE]" ;;
  certify_auto_taylor)  # precision auto + method taylor at alpha = 1e-20, --certify: the digits asked for are certified
    small=(--set problem.m=4 --set problem.n=4 --set problem.h=8 --set lora.rank=2 --set solve.t_end=5
           --set 'observe.times="linspace:0:5:6"')
    ok run "$FIG1" "${small[@]}" --set 'lora.alpha="1e-20"' --set solve.precision=auto --set solve.digits=4 \
      --set solve.method=taylor --certify --no-progress --out "$T/c"
    "$PYTHON" - "$T/c/summary.json" "$T/c/certify.json" <<'PY' || fail "taylor/auto/certify: $(head -c 800 "$T/c/certify.json")"
import json, sys
s = json.load(open(sys.argv[1])); c = json.load(open(sys.argv[2]))
# The plan for 4 digits at alpha = 1e-20: D = 4 + 20 + 4 = 28 working digits (float128), rtol 1e-25, so the
# adaptive Taylor order starts at ceil(ln(1e25) / 2) + 1 = 30 and may rise to 3 x 30 = 90; one expansion per step,
# no RHS evaluations.
assert s["precision"]["type"] == "float128" and s["precision"]["method"] == "taylor", s["precision"]
assert s["solver"]["taylor_order"] <= 90 and s["solver"]["expansions"] == s["solver"]["steps"] > 0, s["solver"]
assert s["solver"]["rhs_evals"] == 0, s["solver"]
# The reference: planned for 2 x 4 = 8 digits at alpha (32 digits) in a type strictly wider than the run's 33
# (so 50 digits), rtol min(1e-28, 1e-29) = 1e-29, the Taylor method; digits are capped at 8.
assert c["reference"]["method"] == "taylor" and c["reference"]["precision"] == "50", c["reference"]
assert c["reference"]["rtol"] == "1e-29", c["reference"]
d = {n["name"]: n["digits"] for n in c["numbers"]}
# misalign(T1) ~ 1e-39 is what double cannot carry at all; here the 4 digits asked for must be certified.
assert d["events.T1"] >= 4 and d["at.T1.misalign"] >= 4, d
assert max(d.values()) <= 8, d
PY
    echo "ok [$CASE]" ;;
  method_auto)  # method = "auto": summary.json and the human summary say what was chosen and why (the rule itself is
                # pinned by lib/test/run/precision.test.cpp)
    small=(--set problem.m=4 --set problem.n=4 --set problem.h=8 --set lora.rank=2 --set solve.method=auto
           --set 'observe.times="linspace:0:5:6"')
    # In the natural frame (frame = "auto" would take the singular frame's plan, double at rtol 1e-5: case frame_auto).
    ok run "$FIG1" "${small[@]}" --set 'lora.alpha="1e-20"' --set solve.precision=auto --set solve.digits=4 \
      --set solve.frame=natural --no-progress --out "$T/deep"
    grep -q '^  method auto: rtol 1e-25 < 1e-14: taylor' "$T/log" || fail "no 'method auto' line for taylor: $(head -n 4 "$T/log")"
    ok run "$FIG1" "${small[@]}" --set solve.precision=double --set 'solve.rtol="1e-10"' --no-progress --out "$T/loose"
    grep -q '^  method auto: rtol 1e-10 in \[1e-14, 1e-4): dop853' "$T/log" || fail "no 'method auto' line for dop853: $(head -n 4 "$T/log")"
    ok run "$FIG1" "${small[@]}" --set solve.precision=double --set 'solve.rtol="1e-3"' --no-progress --out "$T/looser"
    grep -q '^  method auto: rtol 1e-3 >= 1e-4: dopri5' "$T/log" || fail "no 'method auto' line for dopri5: $(head -n 4 "$T/log")"
    "$PYTHON" - "$T/deep/summary.json" "$T/loose/summary.json" "$T/looser/summary.json" <<'PY' || fail "summary.json does not say what auto chose"
import json, sys
deep, loose, looser = (json.load(open(f)) for f in sys.argv[1:4])
# 4 digits at alpha = 1e-20: float128 at rtol 1e-25 (run/precision.hpp), so the Taylor series.
assert deep["precision"]["method"] == "taylor" and "1e-14" in deep["precision"]["method_reason"], deep["precision"]
assert deep["config"]["solve"]["method"] == "auto", deep["config"]["solve"]  # the config as written
assert loose["precision"]["method"] == "dop853" and "1e-14" in loose["precision"]["method_reason"], loose["precision"]
assert looser["precision"]["method"] == "dopri5" and "1e-4" in looser["precision"]["method_reason"], looser["precision"]
PY
    echo "ok [$CASE]" ;;
  frame_auto)  # frame = "auto": summary.json and the human summary say which frame and why (the rule itself is pinned
               # by lib/test/run/precision.test.cpp); the choice matches an explicit frame's run bit for bit
    small=(--set problem.m=4 --set problem.n=4 --set problem.h=8 --set lora.rank=2
           --set 'observe.times="linspace:0:5:6"' --set 'lora.alpha="1e-20"' --set solve.precision=auto --no-progress)
    ok run "$FIG1" "${small[@]}" --out "$T/auto"
    grep -q '^  frame auto: singular: a generated problem' "$T/log" || fail "no 'frame auto' line: $(head -n 5 "$T/log")"
    ok run "$FIG1" "${small[@]}" --set solve.frame=singular --out "$T/sing"
    ok run "$SRC/docs/examples/files.toml" --set 'observe.times="linspace:0:1:3"' --set solve.t_end=1 --no-progress --out "$T/files"
    grep -q '^  frame auto: natural: problem.kind = "files"' "$T/log" || fail "no natural 'frame auto' line: $(head -n 5 "$T/log")"
    "$PYTHON" - "$T/auto" "$T/sing" "$T/files/summary.json" <<'PY' || fail "summary.json does not say what frame = auto chose"
import json, sys
auto, sing = (json.load(open(d + "/summary.json")) for d in sys.argv[1:3])
files = json.load(open(sys.argv[3]))
p = auto["precision"]
assert p["frame"] == "singular" and "generated problem" in p["frame_reason"], p
assert p["type"] == "double" and p["method"] == "dopri5", p  # as fig1.toml names it; the frame's plan: 6 digits need no log10(1/alpha)
assert auto["config"]["solve"]["frame"] == "auto", auto["config"]["solve"]  # the config as written
assert "frame_reason" not in sing["precision"] and sing["precision"]["frame"] == "singular", sing["precision"]
# The same computation as the explicit frame: identical numbers.
assert auto["events"] == sing["events"] and auto["final"] == sing["final"], (auto["events"], sing["events"])
assert open(sys.argv[1] + "/trajectory.csv").read() == open(sys.argv[2] + "/trajectory.csv").read()
assert files["precision"]["frame"] == "natural" and "problem.kind" in files["precision"]["frame_reason"], files["precision"]
PY
    echo "ok [$CASE]" ;;
  general_metrics)  # observe.general_metrics: the columns of any problem, final.general, and the alignment defect with
                   # its flags: the natural frame in double at alpha = 1e-20 flags misalign at T1 (below defect^2 ~
                   # 1e-32), the singular frame (defect 0 by construction) flags nothing
    ok run "$SRC/docs/examples/kim_special.toml" --set observe.general_metrics=true --no-progress --out "$T/kim"
    small=(--set problem.m=4 --set problem.n=4 --set problem.h=8 --set lora.rank=2 --set solve.t_end=12
           --set 'observe.times="linspace:0:12:4"' --set 'lora.alpha="1e-20"' --set solve.precision=double
           --set solve.method=dopri5 --no-progress)
    ok run "$FIG1" "${small[@]}" --set solve.frame=natural --out "$T/nat"
    grep -q '^  flag: misalign at T1' "$T/log" || fail "no flag line for misalign at T1: $(cat "$T/log")"
    ok run "$FIG1" "${small[@]}" --set solve.frame=singular --out "$T/sing"
    "$PYTHON" - "$T/kim" "$T/nat" "$T/sing" <<'PY' || fail "general metrics or alignment defect wrong"
import csv, json, math, sys
kim, nat, sing = (json.load(open(d + "/summary.json")) for d in sys.argv[1:4])
head = next(csv.reader(open(sys.argv[1] + "/trajectory.csv")))
want = ["sin_angle_left", "sin_angle_right", "rank_F", "sigma_F_1", "sigma_F_2", "balance1", "balance2"]
assert head[-9:-2] == want and head[-2:] == ["V_norm2", "grad_norm2"] and head[:2] == ["t", "loss"], head
g = kim["final"]["general"]
# The special-regime example ends at the soft-thresholding of S on its top 2 (rank 2, singular values 2.75, 1.75),
# balanced (lambda > 0), with F's top-2 subspaces those of S; tolerances: sqrt(rtol) = 1e-6 of an O(1) quantity.
assert g["rank_F"] == 2 and abs(g["sigma_F_1"] - 2.75) < 1e-6 and abs(g["sigma_F_2"] - 1.75) < 1e-6, g
assert g["sin_angle_left"] < 1e-6 and g["sin_angle_right"] < 1e-6 and g["balance1"] < 1e-6 and g["balance2"] is None, g
assert "general" not in nat["final"], "general metrics without observe.general_metrics"
d = nat["problem"]["alignment_defect"]
# The generator's W1, W2 are products of orthogonal factors computed in double: a defect of rounding size (the 1e3 eps
# bound is loose; the point is 0 < d, against the frame's exact 0, and d far below sqrt(eps)).
assert 0 < d < 1e3 * 2.220446049250313e-16 and "working precision" in nat["problem"]["alignment_defect_of"], nat["problem"]
flags = kim["resolution_flags"]  # a one-matrix problem is not in the aligned form: one flag says so
assert len(flags) == 1 and flags[0].startswith("the problem is not in the aligned form"), flags
assert any(f.startswith("misalign at T1") for f in nat["resolution_flags"]), nat["resolution_flags"]
assert sing["problem"]["alignment_defect"] == 0 and "singular frame" in sing["problem"]["alignment_defect_of"]
assert sing["resolution_flags"] == [], sing["resolution_flags"]
assert sing["at"]["T1"]["misalign"] < 1e-32, sing["at"]["T1"]  # alpha^2 ~ 1e-40, resolved in the frame
PY
    echo "ok [$CASE]" ;;
  bad_taylor_order)  # taylor_order without method = "taylor": exit 2 naming the key
    printf '[problem]\n%s\n\n[lora]\n%s\n\n[solve]\nmethod = "dopri5"\ntaylor_order = 20\nt_end = 0.1\n' "$GEN" "$LORA" \
      >"$T/c.toml"
    expect_bad_input "c.toml" "solve.taylor_order" "taylor" -- run "$T/c.toml" ;;
  bad_frame_files)  # frame = "singular" with a problem from files: exit 2 naming the key
    expect_bad_input "solve.frame" "xu2025" -- run "$SRC/docs/examples/files.toml" --set solve.frame=singular ;;
  bad_frame_taylor)  # frame = "singular" with method = "taylor": exit 2 naming the key and the methods to use
    expect_bad_input "solve.frame" "taylor" "dopri5" -- run "$FIG1" --set solve.method=taylor --set solve.frame=singular ;;
  certify_frame)  # the singular frame (the default frame = "auto" chooses it) at alpha = 1e-30 in double, --certify:
                  # the digits asked for are certified, by a reference in the same frame
    ok run "$FIG1" --set 'lora.alpha="1e-30"' --set solve.precision=auto --set solve.digits=6 \
      --set solve.t_end=5.2 --set 'observe.times="linspace:0:5.2:27"' --certify --no-progress --out "$T/c"
    grep -q '^certify: reference run in long_double, rtol 1e-13, dopri5 in the singular frame' "$T/log" ||
      fail "the certify line does not name the reference's frame: $(grep '^certify' "$T/log")"
    "$PYTHON" - "$T/c/summary.json" "$T/c/certify.json" <<'PY' || fail "frame/certify: $(head -c 800 "$T/c/certify.json")"
import json, sys
s = json.load(open(sys.argv[1])); c = json.load(open(sys.argv[2]))
# The frame's plan for 6 digits does not depend on alpha: rtol 1e-7, 10 working digits, so double.
assert s["precision"]["type"] == "double" and s["precision"]["frame"] == "singular", s["precision"]
assert "frame_reason" in s["precision"], s["precision"]  # chosen by frame = "auto"
assert s["precision"]["rtol"] == "1e-07" or float(s["precision"]["rtol"]) == 1e-7, s["precision"]
assert c["reference"]["frame"] == "singular", c["reference"]
# The reference: planned for 12 digits (16 working digits), in a type wider than double: long double, rtol
# min(1e-10, 1e-13) = 1e-13.
assert c["reference"]["precision"] == "long_double" and c["reference"]["rtol"] == "1e-13", c["reference"]
d = {n["name"]: n["digits"] for n in c["numbers"]}
mis = float(s["at"]["T1"]["misalign"])
# misalign(T1) ~ 28.6 alpha^2 ~ 3e-59, 43 orders below double's epsilon, with the 6 digits asked for certified.
assert 1e-60 < mis < 1e-57, mis
assert d["events.T1"] >= 6 and d["at.T1.misalign"] >= 6, d
PY
    echo "ok [$CASE]" ;;
  # ---- objectives (model/objective.hpp, [objective] of run configs) ----
  bad_objective_kind)
    write_config "$T/c.toml" "$GEN" "$LORA" $'\n[objective]\nkind = "hinge"'
    expect_bad_input "c.toml" "objective.kind" "'hinge'" "frobenius, weighted, sensing or logistic" -- run "$T/c.toml" ;;
  bad_objective_key_of_other_kind)  # a key of another kind names the kind it belongs to
    write_config "$T/c.toml" "$GEN" "$LORA" $'\n[objective]\nkind = "sensing"\nratio = 10\nmeasurements = 40'
    expect_bad_input "objective.ratio" '"weighted"' '"sensing"' -- run "$T/c.toml" ;;
  bad_objective_missing_data)
    write_config "$T/c.toml" "$GEN" "$LORA" $'\n[objective]\nkind = "weighted"'
    expect_bad_input "objective.weights" "missing" "ratio" -- run "$T/c.toml" ;;
  bad_objective_weights)  # a weight file with a zero entry: the file, the entry and the key
    { for i in $(seq 10); do printf '1 1 1 1 1 1 1 1 1 %s\n' "$([ "$i" = 3 ] && echo 0 || echo 2)"; done; } >"$T/w.txt"
    write_config "$T/c.toml" "$GEN" "$LORA" $'\n[objective]\nkind = "weighted"\nweights = "w.txt"'
    expect_bad_input "w.txt" "entry (2,9)" "> 0" "objective.weights" -- run "$T/c.toml" ;;
  bad_objective_sensing_shape)  # an operator whose rows are not vec(M_k) of a 10 x 10 matrix
    { for i in $(seq 4); do seq -s ' ' 99; done; } >"$T/A.txt"
    write_config "$T/c.toml" "$GEN" "$LORA" $'\n[objective]\nkind = "sensing"\noperator = "A.txt"'
    expect_bad_input "A.txt" "shape 4x99" "expected 4x100" "objective.operator" -- run "$T/c.toml" ;;
  bad_objective_labels)  # a label outside 0..m-1
    { for i in $(seq 10); do seq -s ' ' 5; done; } >"$T/X.txt"
    printf '0 1 2 3 10\n' >"$T/y.txt"
    write_config "$T/c.toml" "$GEN" "$LORA" $'\n[objective]\nkind = "logistic"\nfeatures = "X.txt"\nlabels = "y.txt"'
    expect_bad_input "y.txt" "label 4" "0..9" "objective.labels" -- run "$T/c.toml" ;;
  bad_objective_taylor_logistic)  # the Taylor method cannot expand a non-polynomial objective
    write_config "$T/c.toml" "$GEN" "$LORA" $'\n[objective]\nkind = "logistic"\nsamples = 50'
    expect_bad_input "solve.method" "taylor" "logistic" "dopri5" -- run "$T/c.toml" --set solve.method=taylor ;;
  objective_runs)  # every objective runs from its generator; the loss falls; summary.json names the objective
    for spec in 'kind = "weighted"\nratio = 10' 'kind = "sensing"\nmeasurements = 300\nnoise = "1e-3"' \
                'kind = "logistic"\nsamples = 60\nseparable = false'; do
      kind=$(printf "$spec" | sed -n 's/kind = "\(.*\)"/\1/p')
      write_config "$T/$kind.toml" "$GEN" "$LORA" "$(printf '\n[objective]\n%b' "$spec")"
      ok run "$T/$kind.toml" --set solve.t_end=2 --set 'observe.times="linspace:0:2:5"' --no-progress --out "$T/$kind"
      "$PYTHON" - "$T/$kind/summary.json" "$T/$kind/trajectory.csv" "$kind" <<'PY' || fail "objective $kind: $(head -c 600 "$T/$kind/summary.json")"
import csv, json, sys
s = json.load(open(sys.argv[1]))
assert s["objective"]["kind"] == sys.argv[3] and s["config"]["objective"]["kind"] == sys.argv[3], s["objective"]
assert s["solver"]["status"] == "ok", s["solver"]
rows = list(csv.DictReader(open(sys.argv[2])))
loss = [float(r["loss"]) for r in rows]
assert all(b <= a for a, b in zip(loss, loss[1:])) and loss[-1] < loss[0], loss
if sys.argv[3] == "weighted":
    assert float(s["objective"]["weight_min"]) == 1 and float(s["objective"]["weight_max"]) == 10, s["objective"]
else:
    assert s["objective"]["samples"] == {"sensing": 300, "logistic": 60}[sys.argv[3]], s["objective"]
PY
    done
    # The Taylor method expands a quadratic objective: weighted in 50 digits agrees with dopri5 in double.
    ok run "$T/weighted.toml" --set solve.method=taylor --set solve.precision=50 --set 'solve.rtol="1e-30"' \
      --set solve.t_end=2 --set 'observe.times="linspace:0:2:5"' --no-progress --out "$T/wt"
    "$PYTHON" - "$T/weighted/trajectory.csv" "$T/wt/trajectory.csv" <<'PY' || fail "weighted: taylor (50 digits) and dopri5 (double) disagree"
import csv, sys
a, b = ([float(r["loss"]) for r in csv.DictReader(open(p))] for p in sys.argv[1:3])
# dopri5 at the default rtol 1e-10 in double: about 8 digits of the loss.
assert len(a) == len(b) and all(abs(x - y) <= 1e-7 * abs(y) for x, y in zip(a, b)), (a, b)
PY
    echo "ok [$CASE]" ;;
  state_continue)  # --save-state writes every digit; init = "files", state = DIR/state continues from it exactly
    OM='kind = "one_matrix"
m = 5
n = 4
sigma = [3, 1]
seed = 2'
    printf '[problem]\n%s\n\n[lora]\nrank = 2\nalpha = "1e-2"\nweight_decay = "0.1"\n\n[solve]\nt_end = 1\nprecision = 50\nrtol = "1e-30"\nmethod = "taylor"\n\n[observe]\ntimes = "linspace:0:1:3"\n' \
      "$OM" >"$T/om.toml"
    ok run "$T/om.toml" --save-state --no-progress --out "$T/a"
    [ "$(listing "$T/a/state")" = "A1.npy A1.txt B1.npy B1.txt" ] || fail "state/ holds: $(listing "$T/a/state")"
    ok run "$T/om.toml" --set lora.init=files --set "lora.state=\"$T/a/state\"" --no-progress --out "$T/b"
    "$PYTHON" - "$T/a/summary.json" "$T/b/summary.json" <<'PY' || fail "the continued run does not start where the first ended"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
# Every digit of the 50-digit state was kept: the loss at the start of b is the loss at the end of a, digit for digit.
assert a["final"]["loss"] == b["problem"]["initial_loss"], (a["final"]["loss"], b["problem"]["initial_loss"])
assert b["config"]["lora"]["state"].endswith("/a/state"), b["config"]["lora"]
PY
    # A two-adapter run in the singular frame saves the natural adapters: the natural run continued from them starts
    # at the frame run's final loss, to the rotation's rounding. At t = 0.5 (before T1) the loss is O(1), so the natural
    # evaluation keeps its digits (near the alpha^4 floor the natural E = dY - F has only eps ||F|| / ||E|| of them).
    printf '[problem]\n%s\n\n[lora]\n%s\n\n[solve]\nt_end = 0.5\nframe = "singular"\n\n[observe]\ntimes = "linspace:0:0.5:3"\n' "$GEN" "$LORA" >"$T/fr.toml"
    ok run "$T/fr.toml" --save-state --no-progress --out "$T/c"
    [ "$(listing "$T/c/state")" = "A1.npy A1.txt A2.npy A2.txt B1.npy B1.txt B2.npy B2.txt" ] || fail "state/ holds: $(listing "$T/c/state")"
    ok run "$T/fr.toml" --set solve.frame=natural --set lora.init=files --set "lora.state=\"$T/c/state\"" --no-progress --out "$T/d"
    "$PYTHON" - "$T/c/summary.json" "$T/d/summary.json" <<'PY' || fail "frame state: the natural continuation starts elsewhere"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
x, y = float(a["final"]["loss"]), float(b["problem"]["initial_loss"])
assert abs(x - y) <= 1e-13 * abs(x), (x, y)
PY
    echo "ok [$CASE]" ;;
  analyze_run)  # observe.stationary and loraflow analyze agree: the special-regime example ends at the global minimum
    ok run "$SRC/docs/examples/kim_special.toml" --save-state --no-progress --out "$T/k"
    ok analyze "$T/k"
    grep -q "stationary: global minimum" "$T/log" || fail "analyze did not report the global minimum: $(cat "$T/log")"
    "$PYTHON" - "$T/k/summary.json" "$T/k/stationary.json" <<'PY' || fail "stationary blocks: $(head -c 800 "$T/k/stationary.json")"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
s, t = a["stationary"], b["stationary"]
assert s["verdict"] == t["verdict"] == "global minimum", (s["verdict"], t["verdict"])
assert s["kind"] == "second-order stationary" and s["rank"] == 2 and s["oracle"]["rank"] == 2, s
# sigma(S) = 3, 2, 0.2 soft-thresholded at lambda/s = 0.25 (docs/examples/kim_special.toml): rank 2.
assert abs(s["oracle"]["sigma"][0] - 2.75) <= 1e-13 and abs(s["oracle"]["sigma"][1] - 1.75) <= 1e-13, s["oracle"]
assert s["oracle"]["distance"] <= s["oracle"]["global_tol"], s["oracle"]
assert s["grad_norm"] <= s["grad_tol"] and s["hessian_min"] >= -s["hess_tol"], s
assert abs(s["dual_norm"] - s["mu"]) <= 1e-8, (s["dual_norm"], s["mu"])
PY
    # analyze resolves the state at the run's own type as summary.json records it (precision.type), not at a plan
    # made again from the config: a summary that says long_double is analysed in long_double.
    "$PYTHON" - "$T/k/summary.json" long_double <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); s["precision"]["type"] = sys.argv[2]; json.dump(s, open(sys.argv[1], "w"), indent=2)
PY
    ok analyze "$T/k"
    grep -q "^loraflow analyze: .* in long_double (loss" "$T/log" || fail "analyze did not take the summary's type: $(head -n 2 "$T/log")"
    # A type that is not one: exit 2, one line naming the file and the key; stationary.json untouched.
    "$PYTHON" - "$T/k/summary.json" float7 <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); s["precision"]["type"] = sys.argv[2]; json.dump(s, open(sys.argv[1], "w"), indent=2)
PY
    before=$(cksum <"$T/k/stationary.json")
    rc=0
    "$LORAFLOW" analyze "$T/k" >"$T/stdout" 2>"$T/stderr" || rc=$?
    [ "$rc" -eq 2 ] || fail "analyze with precision.type = float7: exit $rc, expected 2"
    [ "$(awk 'END { print NR }' "$T/stderr")" -eq 1 ] || fail "stderr is not one line: $(cat "$T/stderr")"
    grep -qF "summary.json: key 'precision.type'" "$T/stderr" || fail "stderr does not name the key: $(cat "$T/stderr")"
    [ "$(cksum <"$T/k/stationary.json")" = "$before" ] || fail "stationary.json was rewritten after bad input"
    echo "ok [$CASE]" ;;
  bad_analyze_no_state)  # analyze on a run without --save-state: exit 2, one line naming state/ and the fix
    write_config "$T/c.toml" "$GEN" "$LORA"
    ok run "$T/c.toml" --no-progress --out "$T/r"
    rc=0
    "$LORAFLOW" analyze "$T/r" >"$T/stdout" 2>"$T/stderr" || rc=$?
    [ "$rc" -eq 2 ] || fail "exit status $rc, expected 2: $(cat "$T/stderr")"
    [ "$(awk 'END { print NR }' "$T/stderr")" -eq 1 ] || fail "stderr: $(cat "$T/stderr")"
    grep -qF "state: missing; run again with loraflow run --save-state" "$T/stderr" || fail "stderr: $(cat "$T/stderr")"
    [ ! -e "$T/r/stationary.json" ] || fail "stationary.json written after bad input"
    echo "ok [$CASE]: $(cat "$T/stderr")" ;;
  bad_one_matrix_adapters)  # kind = "one_matrix" adapts its one matrix: adapters = ["W2"] names lora.adapters
    write_config "$T/c.toml" 'kind = "one_matrix"' "$LORA
adapters = [\"W2\"]"
    expect_bad_input "key 'lora.adapters'" 'one_matrix' -- run "$T/c.toml" ;;
  files_no_direction_runs)  # W1 = 0, W2 = I (plain whitened MF, dY not in W1's range): runs; the metrics of the aligned form are NaN and say why
    mkdir -p "$T/nd" || fail "mkdir"
    printf '0 0 0\n0 0 0\n0 0 0\n' >"$T/nd/W1.txt"
    printf '1 0 0\n0 1 0\n0 0 1\n' >"$T/nd/W2.txt"
    printf '2 0.5 0\n0.25 1 0\n0 0 0.5\n' >"$T/nd/dY.txt"
    write_config "$T/nd.toml" "$(files_body "$T/nd" txt)" 'rank = 3
alpha = "1e-2"'
    ok run "$T/nd.toml" --set solve.t_end=40 --set 'observe.times="linspace:0:40:5"' --no-progress --out "$T/o"
    grep -q "no dY direction: W1 v = 0" "$T/log" || fail "the human summary does not say why: $(cat "$T/log")"
    "$PYTHON" - "$T/o/summary.json" "$T/o/trajectory.csv" <<'PY' || fail "no-direction run: $(head -c 600 "$T/o/summary.json")"
import csv, json, math, sys
s = json.load(open(sys.argv[1]))
assert s["solver"]["status"] == "ok", s["solver"]
assert s["problem"]["direction_undefined"].startswith("W1 v = 0"), s["problem"]
assert s["events"]["T1"] is None and s["at"]["T1"] is None, s["events"]
rows = list(csv.DictReader(open(sys.argv[2])))
assert all(math.isnan(float(r["misalign"])) and math.isnan(float(r["escape"])) for r in rows), rows[0]
loss = [float(r["loss"]) for r in rows]
# Whitened MF at full rank 3 from a small init fits dY: the loss falls by orders (the smallest singular value of dY,
# about 0.5, is learnt by t of about 20, then the loss decays like exp(-t)).
assert loss[-1] < 1e-6 * loss[0], loss
PY
    echo "ok [$CASE]" ;;
  network_run)  # problem.kind = "network": the example runs, its columns and Theorem 3.2's bound on every row; bad input
    ok run "$SRC/docs/examples/network_fig2.toml" --out "$T/net"
    grep -q 'Xu et al. 2023: alpha0 = ' "$T/log" || fail "no constants line in the summary: $(cat "$T/log")"
    "$PYTHON" - "$T/net" <<'PY' || fail "the network outputs are not as documented (docs/outputs.md, the network)"
import csv, json, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/trajectory.csv")))
s = json.load(open(d + "/summary.json"))
cols = ["t", "loss", "W_sigma_min", "W_sigma_max", "tau_min", "tau_max", "step", "eta", "sum_eta", "V_norm2",
        "grad_norm2", "min_grad_norm2", "rate_bound"]
assert list(rows[0]) == cols, list(rows[0])
assert len(rows) == 51 and int(float(rows[-1]["step"])) == 200, len(rows)
k = s["xu2023"]
for r in rows:
    assert float(r["loss"]) <= float(r["rate_bound"]), r
    assert 0 < float(r["eta"]) <= float(k["eta_max"]), r
    assert float(r["tau_min"]) <= float(r["tau_max"]), r
assert s["problem"]["h"] == 1000 and s["gd"]["iterations"] == 200 and "lora" not in s["config"], s["problem"]
PY
    expect_bad_input "lora.alpha" "network" -- run "$SRC/docs/examples/network_fig2.toml" --set 'lora.alpha="1e-3"'
    expect_bad_input "solve.step_rule" "LoRA model" -- run "$SRC/docs/examples/network_fig2.toml" --set solve.step_rule=norm --set solve.step_c=1
    # TMLR 2025's growing step on its Sec. 4 recipe (small width): eta0 above E.1's eta_max is bad input naming the key.
    expect_bad_input "solve.eta0" "eta_max" -- run "$SRC/docs/examples/network_fig2.toml" --set 'problem.recipe="xu2025tmlr"' \
      --set problem.n=4 --set problem.h=12 --set 'solve.step_rule="xu2025-growing"' --set 'solve.eta0="1"'
    ok run "$SRC/docs/examples/network_fig2.toml" --set 'problem.recipe="xu2025tmlr"' --set problem.n=4 --set problem.h=12 \
      --set 'solve.step_rule="xu2025-growing"' --out "$T/grow"
    grep -q 'growing step: eta0 = ' "$T/log" || fail "no growing-step line in the summary: $(cat "$T/log")"
    echo "ok [$CASE]" ;;
  gd_step_rules)  # a GD run by iterations under the mu-klabjan rule: the monitors, Theorem 3.5 on every row, the gd block
    ok run "$SRC/docs/examples/gd_mu_klabjan.toml" --out "$T/g"
    grep -q 'gd: 1000 iterations' "$T/log" || fail "no gd line in the summary: $(cat "$T/log")"
    "$PYTHON" - "$T/g" <<'PY' || fail "the GD monitors are not as documented (docs/outputs.md, GD monitors)"
import csv, json, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/trajectory.csv")))
s = json.load(open(d + "/summary.json"))
cols = ["step", "eta", "sum_eta", "V_norm2", "grad_norm2", "min_grad_norm2", "running_bound"]
assert all(c in rows[0] for c in cols), list(rows[0])
steps = [int(float(r["step"])) for r in rows]
assert steps[0] == 1 and steps[-1] == 1000 and steps == sorted(set(steps)), steps
for r in rows:
    t, se = float(r["t"]), float(r["sum_eta"])
    assert abs(t - se) <= 1e-12 * t, (t, se)
    assert 0 < float(r["eta"]) <= 1, r["eta"]
    # Theorem 3.5 with L* = 0, exact for separable logistic regression (inf J = 0)
    assert float(r["min_grad_norm2"]) <= float(r["running_bound"]), r
V = [float(r["V_norm2"]) for r in rows]
assert V[-1] > V[len(V) // 2], V  # the unbounded regime: ||V||^2 still growing
g = s["gd"]
assert g["step_rule"] == "mu-klabjan" and g["iterations"] == 1000 and s["solver"]["status"] == "ok", g
assert "upper bound" in g["objective_smoothness_source"], g
assert "steps" in s["config"]["solve"] and "t_end" not in s["config"]["solve"], s["config"]["solve"]
PY
    echo "ok [$CASE]" ;;
  gd_diverged)  # GD with too large a step: status diverged (exit 3), the last finite iterate kept, no non-finite row
    printf '[problem]\nkind = "one_matrix"\nm = 5\nn = 4\nsigma = [2, 1]\n[lora]\nrank = 2\nalpha = "0.5"\n[solve]\nmethod = "gd"\ndt = "10"\nsteps = 200\n' >"$T/d.toml"
    rc=0
    "$LORAFLOW" run "$T/d.toml" --out "$T/d" >"$T/log" 2>&1 || rc=$?
    [ "$rc" -eq 3 ] || fail "exit status $rc, expected 3: $(cat "$T/log")"
    "$PYTHON" - "$T/d" <<'PY' || fail "a diverged run's outputs are not as documented"
import csv, json, math, sys
d = sys.argv[1]
s = json.load(open(d + "/summary.json"))
assert s["solver"]["status"] == "diverged" and "not finite" in s["solver"]["message"], s["solver"]
assert 1 <= s["solver"]["steps"] < 200, s["solver"]["steps"]
rows = list(csv.DictReader(open(d + "/trajectory.csv")))
assert len(rows) == s["solver"]["steps"] + 1, len(rows)  # iterates 0 .. last finite, every one observed
# The loss and the GD monitors (metrics that do not apply to this problem, such as misalign2 without a W2 adapter,
# are nan by definition: docs/outputs.md).
cols = ["t", "loss", "F_norm", "step", "eta", "sum_eta", "V_norm2", "grad_norm2", "min_grad_norm2", "running_bound"]
for r in rows:
    for k in cols:
        if int(float(r["step"])) == 0 and k in ("min_grad_norm2", "running_bound"):
            continue  # inf by definition at k = 0
        assert math.isfinite(float(r[k])), (k, r[k], r["step"])
PY
    echo "ok [$CASE]" ;;
  bad_step_rule)  # mu-klabjan on a two-adapter problem: exit 2 naming solve.step_rule and what it needs
    write_config "$T/c.toml" "$GEN" "$LORA"
    expect_bad_input "c.toml" "solve.step_rule" "one_matrix" -- run "$T/c.toml" --set solve.method=gd \
      --set solve.step_rule=mu-klabjan --set solve.steps=10 ;;
  bad_gd_steps_t_end)  # solve.steps with solve.t_end: exit 2 naming solve.t_end
    write_config "$T/c.toml" "$GEN" "$LORA"
    expect_bad_input "c.toml" "solve.t_end" "solve.steps" -- run "$T/c.toml" --set solve.method=gd --set 'solve.dt="0.01"' \
      --set solve.steps=10 ;;
  reproduce_mu_quick)  # the mu2025-rates preset end to end: the claim's series tables, its verdict, the figure
    "$LORAFLOW" reproduce --list | grep -qx 'mu2025-rates' || fail "reproduce --list lacks mu2025-rates"
    ok reproduce mu2025-rates --quick --no-progress --out "$T/mu"
    grep -q '^mu2025.thm3_5-rate  \[pass\]' "$T/log" || fail "no pass line for the claim: $(head -n 5 "$T/log")"
    for f in mu2025.thm3_5-rate.series_mf.csv mu2025.thm3_5-rate.series_sensing.csv \
             mu2025.thm3_5-rate.series_logistic.csv check.json figures/mu2025-rates.png figures/mu2025-rates.pdf; do
      [ -s "$T/mu/$f" ] || fail "reproduce wrote no $f"
    done
    "$PYTHON" -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); assert {x["rule"] for x in r}=={"mu-klabjan","adapt","adapt2","norm"}, {x["rule"] for x in r}' \
      "$T/mu/mu2025.thm3_5-rate.series_logistic.csv" || fail "the series table lacks a step rule"
    echo "ok [$CASE]" ;;
  help)  # --help lists every option: at the top level all of them, per subcommand its own (and --version)
    check_help() {
      local what=$1
      shift
      "$LORAFLOW" ${what:+"$what"} --help >"$T/help" 2>&1 || fail "loraflow $what --help exited with status $?"
      local o
      for o in "$@"; do
        grep -qF -- "$o" "$T/help" || fail "loraflow $what --help does not mention $o"
      done
    }
    run_opts=(--set --out --quiet --no-progress --certify --save-state)
    problem_opts=(--set --out --text --quiet)
    check_opts=(IDS --list --ids --quick --out --json --strict --no-progress)
    check_help "" run problem analyze sweep table reproduce check "${run_opts[@]}" "${problem_opts[@]}" "${check_opts[@]}" --version --help
    check_help run CONFIG "${run_opts[@]}" --version
    check_help problem CONFIG "${problem_opts[@]}" --version
    check_help analyze RUN_DIR --quiet docs/stationary.md
    check_help check "${check_opts[@]}" docs/checks.md
    "$LORAFLOW" --version | grep -q '^loraflow ' || fail "loraflow --version does not print 'loraflow <version>'"
    echo "ok [$CASE]" ;;
  *)
    fail "unknown case" ;;
esac
