#!/usr/bin/env bash
# tools/sanitize.sh: builds the library, the loraflow command and the unit tests with AddressSanitizer,
# LeakSanitizer and UndefinedBehaviorSanitizer (g++), in a build folder of their own, then runs the unit tests and
# the CLI tests (ctest label unit, without label slow) under them. Exit status 0 only when everything builds and
# every test passes with no sanitizer finding (the first finding aborts the process that made it, so its test fails).
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: tools/sanitize.sh [--help] [-- CTEST_ARGS...]

Builds loraflow with -fsanitize=address,undefined in BUILD_DIR and runs the unit tests and the CLI tests
(ctest -L unit -LE slow) with ASAN_OPTIONS and UBSAN_OPTIONS set so that any finding fails the run.
Arguments after -- go to ctest (e.g. -- -R cli. to run only the CLI tests).

Environment:
  BUILD_DIR   build folder (default: build-sanitize, gitignored)
  JOBS        parallel compile jobs and ctest jobs (default: number of cores)
  CXX         the compiler (default: g++)
Exit status: 0 clean; 1 a build error, a failing test or a sanitizer finding; 2 bad usage.
Not covered: the benchmarks (not built), the validation claims' quick/full runs (label validation) and every
test labelled slow. From clean, the build takes over an hour on a shared 2-core machine (the library alone
took 57 minutes at nice 15, JOBS=1); later runs rebuild only what changed.
EOF
}

ctest_extra=()
while (($#)); do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --) shift; ctest_extra=("$@"); break ;;
    *) echo "sanitize.sh: unknown argument '$1' (expected --help or -- CTEST_ARGS)" >&2; exit 2 ;;
  esac
done

cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-sanitize}
JOBS=${JOBS:-$(nproc)}
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || { echo "sanitize.sh: JOBS='$JOBS', expected a positive integer" >&2; exit 2; }
export CXX=${CXX:-g++}

# -O1: ASan's recommended level: fast enough for the multiprecision tests (-O0 is several times slower), and it
#      keeps accurate stack traces and does not optimise away the UB that -O2/-O3 can exploit silently.
# -g: file:line in every report. -fno-omit-frame-pointer: full stack traces from the fast unwinder.
# -fno-sanitize-recover=all: a UBSan finding aborts instead of printing and carrying on, so the test fails.
# -DNDEBUG as in Release: the behaviour under test is the one users run (assertions off, as in build/).
SAN_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
OPT_FLAGS="-O1 -g -DNDEBUG"

start=$(date +%s)
echo "sanitize: configuring $BUILD_DIR ($CXX, $SAN_FLAGS $OPT_FLAGS)" >&2
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS="$SAN_FLAGS" -DCMAKE_CXX_FLAGS_RELEASE="$OPT_FLAGS" \
  -DCMAKE_EXE_LINKER_FLAGS="$SAN_FLAGS" \
  -DLORAFLOW_BUILD_TESTS=ON -DLORAFLOW_BUILD_TOOLS=ON -DLORAFLOW_BUILD_BENCH=OFF \
  -DLORAFLOW_BUILD_VALIDATION=ON -DLORAFLOW_BUILD_PYTHON=OFF -DLORAFLOW_CHECK_OPT= >/dev/null  # the CLI links loraflow_claims: `loraflow check` is CLI-tested; the module (a shared object loaded by an uninstrumented python3) is left out

# Only what the unit and CLI tests run: the loraflow command and the test programs (target loraflow_test_programs of
# the top CMakeLists.txt; one target, so that make builds the programs in parallel), not the slow validation programs.
echo "sanitize: building loraflow_test_programs (the loraflow command and every test program) with $JOBS jobs" \
     "(from clean: about an hour on 2 cores; each instrumented compile takes up to 6 GB of memory)" >&2
if ! cmake --build "$BUILD_DIR" -j "$JOBS" --target loraflow_test_programs; then
  echo "sanitize: FAILED: the build (wall time $(($(date +%s) - start)) s)" >&2
  exit 1
fi
built=$(date +%s)
echo "sanitize: build done in $((built - start)) s" >&2

# detect_leaks: LeakSanitizer at exit; abort_on_error: a finding ends in SIGABRT (a core-like exit ctest reports);
# detect_stack_use_after_return, check_initialization_order/strict_init_order: the checks ASan leaves off by
# default; detect_odr_violation=2: every ODR clash. UBSan: stack trace, and halt on the first finding.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:halt_on_error=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:detect_odr_violation=2:strict_string_checks=1:print_summary=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
echo "sanitize: running ctest -L unit -LE slow with $JOBS jobs" >&2
echo "sanitize: ASAN_OPTIONS=$ASAN_OPTIONS" >&2
echo "sanitize: UBSAN_OPTIONS=$UBSAN_OPTIONS" >&2
rc=0
ctest --test-dir "$BUILD_DIR" -L unit -LE slow --output-on-failure -j "$JOBS" "${ctest_extra[@]}" || rc=$?
done_t=$(date +%s)
echo "sanitize: tests done in $((done_t - built)) s" >&2
if ((rc)); then
  echo "sanitize: FAILED (ctest exit status $rc): see the test output above" >&2
else
  echo "sanitize: clean" >&2
fi
echo "sanitize: wall time $((done_t - start)) s (build $((built - start)) s, tests $((done_t - built)) s)" >&2
exit $((rc ? 1 : 0))
