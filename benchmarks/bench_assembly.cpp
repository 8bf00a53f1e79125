// Element kernel + assembly throughput of the finite-strain solid on the lumbar-hip model, and the
// sparse matrix-vector product of its tangent, each against the triad bandwidth of this run.
//
// Sweep: threads {1, 2} x resolution {0 = coarse, 1 = default}. Materials: realistic per-region
// laws (bench_support.hpp); state: a small random displacement. Counters:
//   elements/s, bytes/s   effective bytes per the streaming model below, per second
//   B/elem                effective bytes per element
//   frac_bw               bytes/s divided by the triad bandwidth at the same thread count
// Streaming model (upper bound of compulsory traffic if nothing is reused between elements):
//   geometry cache n_qp (3 nen + 1) doubles, connectivity nen ints, fibre 3 doubles, gather of u
//   (3 nen doubles), read-modify-write of f_int (2 x 3 nen doubles), energy + flag (9 bytes);
//   with the tangent also the scatter map (nd^2 ints) and read-modify-write of the matrix values
//   (2 x nd^2 doubles); plus the zeroing of f_int and of the matrix values once per assembly.
//
//   build-bench/benchmarks/bench_assembly --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include "bench_support.hpp"

namespace {
using namespace tissue;

Resolution resolution(std::int64_t r) {
  return r == 0 ? Resolution::coarse : Resolution::standard;
}

/// Effective bytes of one assembly per the streaming model above.
struct ByteModel {
  double per_element = 0;   ///< bytes per element
  double per_assembly = 0;  ///< bytes per call (elements + zeroing)
};

ByteModel byte_model(const SolidProblem& p, bool tangent) {
  const Mesh& m = p.mesh();
  const double nen = m.cell_size(), nq = p.geometry().n_qp(), nd = 3 * nen;
  double e = nq * (3 * nen + 1) * sizeof(Real) + nen * sizeof(Index) + 3 * sizeof(Real) + sizeof(Index) +
             3 * nen * sizeof(Real) + 2 * 3 * nen * sizeof(Real) + sizeof(Real) + 1;
  double zero = 3.0 * static_cast<double>(m.n_nodes()) * sizeof(Real);
  if (tangent) {
    e += nd * nd * sizeof(int) + 2 * nd * nd * sizeof(Real);
    zero += static_cast<double>(p.assembly_map().nonzeros()) * sizeof(Real);
  }
  return {e, e * static_cast<double>(m.n_cells()) + zero};
}

void set_counters(benchmark::State& st, const SolidProblem& p, const ByteModel& b, int threads) {
  const double ne = static_cast<double>(p.mesh().n_cells());
  using C = benchmark::Counter;
  st.counters["threads"] = threads;
  st.counters["cells"] = ne;
  st.counters["elements/s"] = C(ne, C::kIsIterationInvariantRate);
  st.counters["bytes/s"] = C(b.per_assembly, C::kIsIterationInvariantRate);
  st.counters["B/elem"] = b.per_element;
  st.counters["frac_bw"] = C(b.per_assembly / bench::triad_bandwidth(threads), C::kIsIterationInvariantRate);
}

void BM_InternalForce(benchmark::State& st) {
  auto& model = bench::lumbar_hip_model(resolution(st.range(1)));
  const int threads = static_cast<int>(st.range(0));
  SolidProblem& p = *model.solid;
  p.set_threads(threads);
  const VectorX u = model.random_displacement();
  VectorX f;
  for (auto _ : st) {
    const auto ev = p.evaluate(u, &f, nullptr);
    benchmark::DoNotOptimize(ev.energy);
    benchmark::DoNotOptimize(f.data());
  }
  set_counters(st, p, byte_model(p, false), threads);
}

void BM_ForceAndTangent(benchmark::State& st) {
  auto& model = bench::lumbar_hip_model(resolution(st.range(1)));
  const int threads = static_cast<int>(st.range(0));
  SolidProblem& p = *model.solid;
  p.set_threads(threads);
  const VectorX u = model.random_displacement();
  VectorX f;
  SparseMatrix K = p.assembly_map().make_matrix();
  for (auto _ : st) {
    const auto ev = p.evaluate(u, &f, &K);
    benchmark::DoNotOptimize(ev.energy);
    benchmark::DoNotOptimize(K.valuePtr());
  }
  set_counters(st, p, byte_model(p, true), threads);
  st.counters["nnz"] = static_cast<double>(K.nonZeros());
}

/// y = K x with the tangent of the default model. range(0): threads (Eigen parallelises only
/// row-major sparse x dense); range(1): 0 = column-major (the library's SparseMatrix), 1 = row-major.
void BM_SpMV(benchmark::State& st) {
  auto& model = bench::lumbar_hip_model(Resolution::standard);
  const int threads = static_cast<int>(st.range(0));
  const bool row_major = st.range(1) == 1;
  SolidProblem& p = *model.solid;
  p.set_threads(2);
  SparseMatrix K = p.assembly_map().make_matrix();
  VectorX f;
  p.evaluate(model.random_displacement(), &f, &K);
  const Eigen::SparseMatrix<Real, Eigen::RowMajor, int> Kr = K;
  const VectorX x = VectorX::Random(K.cols());
  VectorX y(K.rows());
  Eigen::setNbThreads(threads);
  for (auto _ : st) {
    if (row_major)
      y.noalias() = Kr * x;
    else
      y.noalias() = K * x;
    benchmark::DoNotOptimize(y.data());
  }
  Eigen::setNbThreads(1);
  // Compulsory traffic: values + inner indices + outer index, x read once, y written once.
  const double n = static_cast<double>(K.rows()), nnz = static_cast<double>(K.nonZeros());
  const double bytes = nnz * (sizeof(Real) + sizeof(int)) + (n + 1) * sizeof(int) + 2 * n * sizeof(Real);
  using C = benchmark::Counter;
  st.counters["threads"] = threads;
  st.counters["nnz"] = nnz;
  st.counters["bytes/s"] = C(bytes, C::kIsIterationInvariantRate);
  st.counters["frac_bw"] = C(bytes / bench::triad_bandwidth(threads), C::kIsIterationInvariantRate);
  st.counters["flop/s"] = C(2 * nnz, C::kIsIterationInvariantRate);
}

/// The bandwidth reference itself, in the same run (see bench_memory.cpp).
void BM_Triad(benchmark::State& st) {
  const int threads = static_cast<int>(st.range(0));
  static bench::Triad triad;
  triad.run(threads);
  for (auto _ : st) {
    triad.run(threads);
    benchmark::ClobberMemory();
  }
  benchmark::DoNotOptimize(triad.probe());
  st.counters["threads"] = threads;
  st.counters["bytes/s"] =
      benchmark::Counter(triad.bytes_per_pass(), benchmark::Counter::kIsIterationInvariantRate);
  st.counters["ref_bytes/s"] = bench::triad_bandwidth(threads);
}

BENCHMARK(BM_Triad)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_InternalForce)
    ->ArgNames({"threads", "res"})
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_ForceAndTangent)
    ->ArgNames({"threads", "res"})
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_SpMV)
    ->ArgNames({"threads", "rowmajor"})
    ->Args({1, 0})
    ->Args({1, 1})
    ->Args({2, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
