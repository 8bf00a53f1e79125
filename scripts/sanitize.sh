#!/usr/bin/env bash
# Sanitizer and fuzz stage (issue 12; docs/testing.md): builds the unit tests and the libFuzzer targets with
# clang, AddressSanitizer and UndefinedBehaviorSanitizer in build-asan/, runs the unit tests (CTest label
# "unit", minus the slow ones below) and each fuzzer from its seed corpus for a fixed time. Any sanitizer
# report, crash or unexpected exception fails the stage. scripts/test.sh calls it after CTest and pytest.
#   TISSUE_ASAN_DIR      build folder (default build-asan)
#   TISSUE_FUZZ_SECONDS  seconds per fuzzer (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${TISSUE_ASAN_DIR:-build-asan}
fuzz_seconds=${TISSUE_FUZZ_SECONDS:-60}
jobs=$(nproc)

# -O1 with line tables only: the usual speed of a sanitizer build, readable stack traces, half the debug-info
# compile time of -g. Debug keeps Eigen's and the library's assertions. Without OpenMP: serial and
# deterministic (threads add nothing that ASan or UBSan check). Without hypre: the amg solver initialises
# OpenMPI, whose allocations at exit LeakSanitizer would report as ours (its tests run in the main build).
# Only the unit tests and the fuzzers are built.
cmake -S . -B "$dir" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" \
  -DCMAKE_C_FLAGS_DEBUG="-O1 -gline-tables-only" -DTISSUE_BUILD_FUZZERS=ON -DTISSUE_WITH_OPENMP=OFF \
  -DTISSUE_WITH_HYPRE=OFF \
  -DTISSUE_BUILD_BENCHMARKS=OFF -DTISSUE_BUILD_EXAMPLES=OFF -DTISSUE_BUILD_APPS=OFF \
  -DTISSUE_BUILD_PYTHON=OFF -DTISSUE_WARNINGS_AS_ERRORS=ON >/dev/null
cmake --build "$dir" -j "$jobs" --target tissue_unit_tests tissue_fuzzers

export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:check_initialization_order=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1

# Unit tests that run the solver on the coarse model or big contact problems: under the sanitizers (-O1,
# assertions) each takes minutes (about 30x its Release time). Smaller cases of the same code run in the other
# unit tests. The list is in docs/testing.md.
slow='^test_session:.*(on the coarse model|Cycle averaging|caller cancels|energy budget of gliding strokes'
slow+='|steps per cycle match 40)'
slow+='|^test_rigid_contact:.*(a ball pressed into a thick block|the head is in axial equilibrium)'
slow+='|^test_standard_outputs:.*After the follow-up|^test_observe:.*Myotonometer on a homogeneous block'
slow+='|^test_checkpoint:.*(failed run saves its state'
slow+='|resumed from a checkpoint|of another protocol is refused)'
(cd "$dir" && ctest -j "$jobs" -L '^unit$' -E "$slow" --output-on-failure --timeout 600)

# Fuzzers: a scratch copy of each seed corpus (new inputs stay out of the source tree), a fixed time each,
# 10 s per input at most; a crash leaves the input in $dir/fuzz-artifacts/ and fails the stage.
mkdir -p "$dir/fuzz-artifacts"
pids=()
for t in session_file units msh; do
  work="$dir/fuzz-work/$t"
  rm -rf "$work" && mkdir -p "$work"
  seeds=(tests/fuzz/corpus/$t)
  [ "$t" = msh ] && seeds+=(tests/data)  # the binary .msh samples as well
  "$dir/tests/fuzz/fuzz_$t" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$dir/fuzz-artifacts/$t-" -print_final_stats=1 "$work" "${seeds[@]}" \
    >"$dir/fuzz-$t.log" 2>&1 &
  pids+=($!)
done
status=0
i=0
for t in session_file units msh; do
  if wait "${pids[$i]}"; then
    runs=$(grep -E '^stat::number_of_executed_units' "$dir/fuzz-$t.log" | awk '{print $2}')
    echo "fuzz_$t: $runs inputs in ${fuzz_seconds} s, no crash"
  else
    echo "fuzz_$t FAILED; its log ($dir/fuzz-$t.log) ends:" && tail -40 "$dir/fuzz-$t.log"
    status=1
  fi
  i=$((i + 1))
done
exit $status
