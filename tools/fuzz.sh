#!/usr/bin/env bash
# tools/fuzz.sh: build loraflow's libFuzzer harnesses (tools/fuzz/) with clang and run each for SECONDS seconds.
# See docs/fuzzing.md.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: tools/fuzz.sh [options] SECONDS [HARNESS...]

Builds the fuzz harnesses of tools/fuzz/ with clang++ -fsanitize=fuzzer,address,undefined into build-fuzz/
(only the parser sources they need), then runs each HARNESS (default: all of config npy text_matrix decimal),
one after the other, for SECONDS seconds on a scratch copy of its corpus (build-fuzz/work/<harness>/corpus;
the committed corpus tools/fuzz/corpus/<harness>/ is only read). Prints per harness: executions, coverage
(edges), features, new corpus inputs, findings. Findings (crash-*, timeout-*, oom-*, leak-* inputs) are kept
in build-fuzz/findings/<harness>/.
Exit status: 0 nothing found, 1 something crashed/hung/leaked, 2 bad usage or build failure.

options:
  --merge        after fuzzing, merge the inputs that add coverage into tools/fuzz/corpus/<harness>/
                 (libFuzzer -merge=1; review and keep the corpus small before committing)
  --keep-going   fork mode (-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1): a finding does not
                 end the run; every finding is still saved and counted, and the exit status is still 1
  --build-only   build the harnesses and stop (SECONDS not needed)
  -h, --help     this text

environment: CXX (default clang++-14 or clang++), BUILD_DIR (default build-fuzz), FUZZ_FLAGS (extra libFuzzer
flags, e.g. "-max_len=8192"), NICE (default 15: every compile and run is under nice -n $NICE).
USAGE
}

root=$(cd "$(dirname "$0")/.." && pwd)
all_harnesses=(config npy text_matrix decimal)
merge=0 keep_going=0 build_only=0 seconds="" harnesses=()
while (($#)); do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --merge) merge=1 ;;
    --build-only) build_only=1 ;;
    --keep-going) keep_going=1 ;;
    -*) echo "fuzz.sh: unknown option '$1'; expected --merge, --keep-going, --build-only or --help" >&2; exit 2 ;;
    *)
      if [[ -z $seconds && $build_only == 0 ]]; then
        [[ $1 =~ ^[0-9]+$ && $1 -gt 0 ]] || { echo "fuzz.sh: SECONDS '$1': expected a positive integer" >&2; exit 2; }
        seconds=$1
      else
        [[ " ${all_harnesses[*]} " == *" $1 "* ]] ||
          { echo "fuzz.sh: harness '$1': expected one of ${all_harnesses[*]}" >&2; exit 2; }
        harnesses+=("$1")
      fi ;;
  esac
  shift
done
if [[ -z $seconds && $build_only == 0 ]]; then usage >&2; exit 2; fi
((${#harnesses[@]})) || harnesses=("${all_harnesses[@]}")

cxx=${CXX:-$(command -v clang++-14 || command -v clang++ || true)}
[[ -n $cxx ]] || { echo "fuzz.sh: clang++ not found (apt install clang-14)" >&2; exit 2; }
build=${BUILD_DIR:-$root/build-fuzz}
nice_n=${NICE:-15}
mkdir -p "$build/obj"

flags=(-std=gnu++17 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
       -fno-sanitize-recover=undefined -I"$root/lib/include"
       # toml++ 3.3.0 asserts a precondition of parse_key that malformed table headers ("[#x]", "[[[1]]]") break
       # (marzer/tomlplusplus#301). A Release g++ build has no assertion there and reports a parse error; fuzz that.
       '-DTOML_ASSERT(expr)=static_cast<void>(0)'
       -I"$root/tools/fuzz" -I/usr/include/eigen3)
# quadmath.h (boost float128, included by scalar.hpp) lives in gcc's private include folder; searched last so that
# clang's own intrinsic headers win.
quadmath_dir=$(gcc -print-file-name=include 2>/dev/null || true)
[[ -f $quadmath_dir/quadmath.h ]] && flags+=(-idirafter "$quadmath_dir")
libs=(-lmpfr -lgmp -lquadmath)

# Sources per harness (library sources are compiled here, instrumented, not taken from the library build).
declare -A sources=(
  [config]="tools/fuzz/fuzz_config.cpp lib/src/run/config.cpp"
  [npy]="tools/fuzz/fuzz_npy.cpp lib/src/io/npy.cpp lib/src/io/atomic_file.cpp"
  [text_matrix]="tools/fuzz/fuzz_text_matrix.cpp lib/src/io/text_matrix.cpp lib/src/io/atomic_file.cpp"
  [decimal]="tools/fuzz/fuzz_decimal.cpp"
)

# Compile one source into build/obj; rebuilt when the source or a header it includes (the -MMD dependency file)
# is newer than the object.
stale() {
  local obj=$1 dep
  [[ -f $obj && -f $obj.d ]] || return 0
  for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$obj.d"); do [[ $dep -nt $obj ]] && return 0; done
  return 1
}
compile() {
  local src=$1 obj=$build/obj/${1//\//_}.o
  if stale "$obj"; then
    echo "  compile $src" >&2
    nice -n "$nice_n" "$cxx" "${flags[@]}" -MMD -MF "$obj.d" -c "$root/$src" -o "$obj" || return 1
  fi
  echo "$obj"
}

echo "fuzz.sh: building ${harnesses[*]} with $cxx into $build" >&2
t0=$(date +%s)
for h in "${harnesses[@]}"; do
  objs=()
  for src in ${sources[$h]}; do objs+=("$(compile "$src")") || { echo "fuzz.sh: build of $h failed" >&2; exit 2; }; done
  nice -n "$nice_n" "$cxx" "${flags[@]}" "${objs[@]}" "${libs[@]}" -o "$build/fuzz_$h" ||
    { echo "fuzz.sh: link of fuzz_$h failed" >&2; exit 2; }
done
echo "fuzz.sh: build took $(($(date +%s) - t0)) s" >&2
((build_only)) && exit 0

status=0
summary=()
for h in "${harnesses[@]}"; do
  work=$build/work/$h findings=$build/findings/$h
  rm -rf "$work"
  mkdir -p "$work/corpus" "$findings"
  cp "$root/tools/fuzz/corpus/$h"/* "$work/corpus/" 2>/dev/null || true
  mode=()
  ((keep_going)) && mode=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  dict=()
  [[ -f $root/tools/fuzz/$h.dict ]] && dict=(-dict="$root/tools/fuzz/$h.dict")
  touch "$work/start"
  echo "fuzz.sh: fuzzing $h for $seconds s (log: $work/fuzz.log)" >&2
  t0=$(date +%s)
  # shellcheck disable=SC2086
  nice -n "$nice_n" "$build/fuzz_$h" "$work/corpus" "${mode[@]}" "${dict[@]}" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -timeout=10 -max_len=4096 -print_final_stats=1 -artifact_prefix="$findings/" ${FUZZ_FLAGS:-} \
    >"$work/fuzz.log" 2>&1 && rc=0 || rc=$?
  wall=$(($(date +%s) - t0))
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/fuzz.log" | grep -o '[0-9]*$' | tail -1 || true)
  last=$(grep -E '^#[0-9]+' "$work/fuzz.log" | tail -1 || true)
  cov=$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*' || true)
  ft=$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*' || true)
  [[ -n $execs ]] || execs=$(grep -o '^#[0-9]*' <<<"$last" | tr -d '#' || true)
  [[ -n $execs && -z ${mode[*]} ]] || execs=$(grep -o '^#[0-9]*' <<<"$last" | tr -d '#' || true)
  ncorpus=$(find "$work/corpus" -type f | wc -l)
  found=$(find "$findings" -type f -newer "$work/start" | wc -l)
  line=$(printf '%-12s execs %10s  wall %5s s  cov %5s  ft %6s  corpus %5s  findings %s  (rc %s)' \
    "$h" "${execs:-?}" "$wall" "${cov:-?}" "${ft:-?}" "$ncorpus" "$found" "$rc")
  summary+=("$line")
  echo "$line" >&2
  if ((rc != 0 || found > 0)); then
    status=1
    grep -E 'ERROR|runtime error|fuzz invariant|uncaught|SUMMARY|Test unit written' "$work/fuzz.log" | head -20 >&2 || true
  fi
  if ((merge)); then
    nice -n "$nice_n" "$build/fuzz_$h" -merge=1 -max_len=4096 "$root/tools/fuzz/corpus/$h" "$work/corpus" \
      >"$work/merge.log" 2>&1 || { echo "fuzz.sh: merge of $h failed (see $work/merge.log)" >&2; status=1; }
  fi
done
echo
echo "fuzz.sh summary ($seconds s per harness; findings in $build/findings/):"
printf '%s\n' "${summary[@]}"
exit $status
