// The peer problem (/work/shared/benchmarks/peer-block.md) at 28 x 28 x 14 as a Google Benchmark:
// one iteration = one full run (mesh, set-up, 20 quasi-static steps), viscoelastic law, at 1 and 2
// threads, with three Newton settings (the `newton` argument): 0 exact Newton, 1 chord steps
// (bench::use_chord_newton, the setting before 2026-12-05), 2 the production setting
// (bench::use_production_newton: BFGS steps on factorisations kept across steps). Counters: Newton
// iterations, factorisations, seconds in factorize(), Rz [N], bulge ux [mm], peak memory of the process
// [MiB]. The 44 x 44 x 22 size runs with the peer_block program.
//
//   build-bench/benchmarks/bench_peer_block --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include "peer_block_case.hpp"

namespace {
using namespace tissue;

void BM_PeerBlock(benchmark::State& st) {
  bench::PeerBlockCase c;
  c.threads = static_cast<int>(st.range(0));
  if (st.range(1) == 1)
    bench::use_chord_newton(c);
  else if (st.range(1) == 2)
    bench::use_production_newton(c);
  bench::PeerBlockResult r;
  for (auto _ : st) r = bench::run_peer_block(c);
  bench::set_threads(1);
  st.SetLabel(r.linear_solver);
  st.counters["threads"] = c.threads;
  st.counters["newton"] = static_cast<double>(st.range(1));
  st.counters["equations"] = static_cast<double>(r.equations);
  st.counters["newton_its"] = r.newton_iterations;
  st.counters["factorizations"] = r.factorizations;
  st.counters["factorize_s"] = r.factorize_seconds;
  st.counters["linear_s"] = r.linear_seconds;
  st.counters["factor_nnz"] = static_cast<double>(r.factor_nonzeros);
  st.counters["Rz_N"] = r.Rz;
  st.counters["bulge_mm"] = 1e3 * r.bulge;
  st.counters["peak_MiB"] = static_cast<double>(r.peak_rss) / (1 << 20);
}
BENCHMARK(BM_PeerBlock)
    ->ArgNames({"threads", "newton"})
    ->ArgsProduct({{1, 2}, {0, 1, 2}})
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
