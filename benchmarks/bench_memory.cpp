// Memory-bandwidth reference: a STREAM-like triad a = b + s c over 3 x 64 MiB arrays (far larger
// than the caches) at 1 and 2 OpenMP threads. Counted bytes follow STREAM (3 arrays per pass,
// write-allocate traffic not counted).
//
//   build-bench/benchmarks/bench_memory --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include "bench_support.hpp"

namespace {

void BM_Triad(benchmark::State& st) {
  const int threads = static_cast<int>(st.range(0));
  static tissue::bench::Triad triad;  // shared by all runs: allocated and touched once
  triad.run(threads);                 // warm-up at this thread count
  for (auto _ : st) {
    triad.run(threads);
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(triad.probe());
  st.counters["threads"] = threads;
  st.counters["bytes/s"] =
      benchmark::Counter(triad.bytes_per_pass(), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Triad)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
