// Thermal and coupled steps on the default lumbar-hip model (Model::lumbar_hip, standard resolution)
// with the shipped tissue library (TissueLibrary::defaults(): IT'IS thermal properties per tissue,
// the full viscoelastic tissue law per region), bone ("bone_all") fixed in displacement and held at
// 37 C, skin convecting to 22 C room air with h = 10 W/m^2/K, backward Euler, CHOLMOD.
//
//   BM_ThermalSetup       building a BioheatProblem: geometry cache and assembly of the capacity,
//                         conduction, convection and perfusion matrices (the thermal "assembly")
//   BM_ThermalStep/refactor:1  one BioheatProblem::step whose dt differs from the factorised one:
//                         system matrix sum, numeric factorisation and solve (analysis done once,
//                         outside the loop)
//   BM_ThermalStep/refactor:0  one step with the factorisation kept: load vector and solve only
//   BM_CoupledVsMechanics/substeps:N  one CoupledStepper::advance of dt = 1 s (N quasi-static
//                         substeps, then one bioheat step fed by their dissipation) under a 4 N palm
//                         patch ramped from 0 (bench_support.hpp), and, in the same iteration, the
//                         same N mechanics substeps alone (QuasiStaticSolver with the same law,
//                         history and load): counters coupled_s, mech_s and their ratio.
// Solvers are built and analysed before the timed loop (a warm-up advance / step), as in a running
// session. One thread (see RESULTS.md for the load on the machine).
//
//   build-bench/benchmarks/bench_thermal --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "bench_support.hpp"
#include "libtissue/session/model.hpp"
#include "libtissue/solver/coupled_stepper.hpp"
#include "libtissue/thermal/bioheat_problem.hpp"

namespace {
using namespace tissue;

constexpr Real kBody = kCelsius + 37.0;  // bone and initial temperature [K]
constexpr Real kRoom = kCelsius + 22.0;  // room air [K]

/// Thermal properties per region from the tissue library.
std::vector<ThermalProperties> thermal_properties(const Model& m) {
  std::vector<ThermalProperties> p;
  for (const TissueParameters& t : m.tissues) p.push_back(t.thermal);
  return p;
}

ThermalBoundary boundary() {
  ThermalBoundary b;
  b.fixed = {FixedTemperature{"bone_all", kBody}};
  b.convection = {Convection{"skin", 10.0, kRoom}};
  return b;
}

ThermalOptions thermal_options() {
  ThermalOptions o;
  o.linear_solver.kind = LinearSolverKind::cholmod;
  return o;
}

/// The default model, its solid (tissue laws, bone fixed) and the palm load; built once.
struct Fixture {
  Model model = Model::lumbar_hip(Resolution::standard);
  std::unique_ptr<SolidProblem> solid;
  VectorX palm;
  Fixture() {
    DofMap dofs(model.mesh.n_nodes(), 3);
    dofs.constrain_nodes(model.fixed_nodes());
    dofs.finalize();
    solid = std::make_unique<SolidProblem>(model.mesh, model.region_mechanics(), std::move(dofs));
    palm = bench::palm_patch_load(model.mesh, 4.0);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_ThermalSetup(benchmark::State& st) {
  Fixture& fx = fixture();
  bench::set_threads(1);
  const auto props = thermal_properties(fx.model);
  for (auto _ : st) {
    BioheatProblem heat(fx.model.mesh, props, BloodProperties{}, boundary(), thermal_options());
    benchmark::DoNotOptimize(heat.capacity_matrix().nonZeros());
  }
  st.counters["nodes"] = static_cast<double>(fx.model.mesh.n_nodes());
  st.counters["cells"] = static_cast<double>(fx.model.mesh.n_cells());
  st.counters["peak_MiB"] = static_cast<double>(bench::peak_rss_bytes()) / (1 << 20);
}

void BM_ThermalStep(benchmark::State& st) {
  Fixture& fx = fixture();
  bench::set_threads(1);
  const bool refactor = st.range(0) != 0;
  BioheatProblem heat(fx.model.mesh, thermal_properties(fx.model), BloodProperties{}, boundary(),
                      thermal_options());
  VectorX T = heat.initial_temperature(kBody);
  heat.step(T, 1.0);  // analysis and first factorisation
  const std::int64_t f0 = heat.factorizations();
  int k = 0;
  for (auto _ : st) {
    // Alternating dt forces a new factorisation of M/dt + L; a fixed dt keeps it.
    const Real dt = refactor && (++k % 2) ? 1.001 : 1.0;
    const ThermalStepReport r = heat.step(T, dt);
    benchmark::DoNotOptimize(r.heat_content_change);
  }
  st.counters["free_nodes"] = static_cast<double>(heat.dofs().n_equations());
  st.counters["factorizations/step"] =
      static_cast<double>(heat.factorizations() - f0) / static_cast<double>(st.iterations());
  st.counters["Tmin_C"] = T.minCoeff() - kCelsius;
  st.counters["peak_MiB"] = static_cast<double>(bench::peak_rss_bytes()) / (1 << 20);
}

void BM_CoupledVsMechanics(benchmark::State& st) {
  Fixture& fx = fixture();
  bench::set_threads(1);
  const int substeps = static_cast<int>(st.range(0));
  const Real dt = 1.0;
  BioheatProblem heat(fx.model.mesh, thermal_properties(fx.model), BloodProperties{}, boundary(),
                      thermal_options());
  CoupledOptions co;
  co.quasi_static.linear.kind = LinearSolverKind::cholmod;
  CoupledStepper stepper(*fx.solid, heat, co);
  QuasiStaticSolver mech(*fx.solid, co.quasi_static);
  const VectorX zero = VectorX::Zero(3 * fx.model.mesh.n_nodes());
  const LoadFunction load = [&](Real t) { return MechanicalLoad{(t / dt) * fx.palm, zero}; };

  // One mechanics-only run: the same substeps, law, history and load as the coupled mechanics.
  const auto mechanics_only = [&] {
    VectorX u = zero;
    SolidHistory history = fx.solid->make_history();
    VectorX T = heat.initial_temperature(kBody);
    SolidInputs in;
    in.temperature = &T;
    return mech.solve(u, load, 0.0, dt, substeps, {}, nullptr, &in, &history);
  };
  FunctionLoads loads(load, dt / substeps);
  const auto coupled = [&] {
    CoupledState s = stepper.initial_state(kBody);
    return stepper.advance(s, loads, dt);
  };
  mechanics_only();  // warm-up: symbolic analyses
  coupled();
  double mech_s = 0, coupled_s = 0;
  int mech_its = 0, coupled_its = 0;
  Real dissipated = 0, dT = 0;
  for (auto _ : st) {
    const double t0 = bench::now_seconds();
    const MechanicsRunSummary m = mechanics_only();
    const double t1 = bench::now_seconds();
    const CoupledStepReport c = coupled();
    const double t2 = bench::now_seconds();
    mech_s += t1 - t0;
    coupled_s += t2 - t1;
    mech_its = m.newton_iterations;
    coupled_its = c.mechanics.newton.iterations;
    dissipated = c.dissipated_energy;
    dT = c.max_temperature_change;
    st.SetIterationTime(t2 - t1);
  }
  const double n = static_cast<double>(st.iterations());
  st.counters["substeps"] = substeps;
  st.counters["coupled_s"] = coupled_s / n;
  st.counters["mech_s"] = mech_s / n;
  st.counters["coupled/mech"] = coupled_s / mech_s;
  st.counters["mech_its"] = mech_its;
  st.counters["coupled_its"] = coupled_its;
  st.counters["dissipated_uJ"] = 1e6 * dissipated;
  st.counters["max_dT_mK"] = 1e3 * dT;
  st.counters["peak_MiB"] = static_cast<double>(bench::peak_rss_bytes()) / (1 << 20);
}

BENCHMARK(BM_ThermalSetup)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ThermalStep)->ArgName("refactor")->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CoupledVsMechanics)
    ->ArgName("substeps")
    ->Arg(1)
    ->Arg(2)
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseManualTime();

}  // namespace

BENCHMARK_MAIN();
