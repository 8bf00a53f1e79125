// One Newton iteration (assemble residual + tangent, CHOLMOD factorize, solve) and one full
// quasi-static load step on the default lumbar-hip model: "bone_all" fixed, a palm-sized 40 N
// pressure patch pressed into the skin over the right erector spinae (smooth cosine bump with
// semi-axes 4 x 5 cm centred at x = +4.2 cm, y = 26 cm, scaled so that its resultant is 40 N).
// Threads {1, 2} for the element loops and OpenBLAS (CHOLMOD's supernodal kernels).
// Counters: DOF/s, seconds in factorize(), factor nonzeros, Newton iterations and cuts of the
// load step, peak memory of the process (VmHWM) per free equation.
//
//   build-bench/benchmarks/bench_newton --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include "bench_support.hpp"
#include "libtissue/linalg/linear_solver_factory.hpp"
#include "libtissue/solver/mechanics_solver.hpp"

namespace {
using namespace tissue;

struct NewtonFixture {
  bench::LumbarHipModel& model = bench::lumbar_hip_model(Resolution::standard);
  MechanicalLoad load{bench::palm_patch_load(model.mesh), VectorX::Zero(3 * model.mesh.n_nodes())};
};

NewtonFixture& fixture() {
  static NewtonFixture f;
  return f;
}

void memory_counters(benchmark::State& st, const SolidProblem& p) {
  const double neq = static_cast<double>(p.dofs().n_equations());
  st.counters["equations"] = neq;
  st.counters["cells"] = static_cast<double>(p.mesh().n_cells());
  st.counters["peak_MiB"] = static_cast<double>(bench::peak_rss_bytes()) / (1 << 20);
  st.counters["peak_B/dof"] = static_cast<double>(bench::peak_rss_bytes()) / neq;
}

/// One Newton iteration at the undeformed state under the full load (the state is not updated,
/// so every iteration does the same work). The symbolic analysis is done once, outside the loop.
void BM_NewtonIteration(benchmark::State& st) {
  NewtonFixture& fx = fixture();
  const int threads = static_cast<int>(st.range(0));
  SolidProblem& p = *fx.model.solid;
  p.set_threads(threads);
  bench::set_threads(threads);
  StaticEquilibrium problem(p, fx.load);
  LinearSolverOptions lo;
  lo.kind = LinearSolverKind::cholmod;
  auto linear = make_linear_solver(lo, problem.n_equations());
  const VectorX x = VectorX::Zero(problem.n_equations());
  VectorX r, dx;
  SparseMatrix K;
  problem.evaluate(x, &r, &K, nullptr);
  linear->analyze(K);
  linear->reset_stats();
  for (auto _ : st) {
    problem.evaluate(x, &r, &K, nullptr);
    linear->factorize(K);
    linear->solve(-r, dx);
    benchmark::DoNotOptimize(dx.data());
  }
  bench::set_threads(1);
  const auto& s = linear->stats();
  const double it = static_cast<double>(s.factorizations);
  st.SetLabel(linear->name());
  st.counters["threads"] = threads;
  st.counters["DOF/s"] = benchmark::Counter(static_cast<double>(problem.n_equations()),
                                            benchmark::Counter::kIsIterationInvariantRate);
  st.counters["factorize_s"] = s.seconds_factorize / it;
  st.counters["solve_s"] = s.seconds_solve / it;
  st.counters["factor_nnz"] = static_cast<double>(s.factor_nonzeros);
  memory_counters(st, p);
}

/// One full quasi-static load step: the first of a 10-step load path (rest to 4 N; the driver
/// halves the step if Newton fails), with a fresh solver (symbolic analysis included). Pressing
/// the full 40 N in one step into the 0.75 kPa fat makes Newton fail and cut repeatedly (several
/// minutes per run on this machine), which measures the step-cutting policy rather than a step.
void BM_LoadStep(benchmark::State& st) {
  NewtonFixture& fx = fixture();
  const int threads = static_cast<int>(st.range(0));
  SolidProblem& p = *fx.model.solid;
  p.set_threads(threads);
  bench::set_threads(threads);
  MechanicsRunSummary sum;
  double factorize = 0, linear_total = 0, factor_nnz = -1;
  Real depth = 0;
  for (auto _ : st) {
    QuasiStaticOptions qo;
    qo.linear.kind = LinearSolverKind::cholmod;
    QuasiStaticSolver qs(p, qo);
    VectorX u = VectorX::Zero(3 * fx.model.mesh.n_nodes());
    sum = qs.solve(
        u, [&](Real t) { return MechanicalLoad{t * fx.load.f_ext, fx.load.u_prescribed}; }, 0, 0.1, 1);
    const auto& s = qs.linear_solver().stats();
    factorize = s.seconds_factorize;
    linear_total = s.seconds_analyze + s.seconds_factorize + s.seconds_solve;
    factor_nnz = static_cast<double>(s.factor_nonzeros);
    depth = -u.reshaped(3, u.size() / 3).row(2).minCoeff();
  }
  bench::set_threads(1);
  st.SetLabel(sum.linear_solver);
  st.counters["threads"] = threads;
  st.counters["newton_its"] = sum.newton_iterations;
  st.counters["cuts"] = sum.cuts;
  st.counters["factorize_s"] = factorize;
  st.counters["linear_s"] = linear_total;
  st.counters["factor_nnz"] = factor_nnz;
  st.counters["max_indent_mm"] = 1e3 * depth;
  memory_counters(st, p);
}

BENCHMARK(BM_NewtonIteration)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_LoadStep)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Iterations(1)
    ->Repetitions(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
