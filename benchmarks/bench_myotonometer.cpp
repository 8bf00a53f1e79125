// The virtual myotonometer on the lumbar-hip model: building the local model around a skin point, and one
// reading (preload, impulse, free oscillation) at the skin point above the right erector spinae, resting
// tone, body temperature. Counters: the reading's F [Hz], S [N/m], D [-] and the local model's cells, so that
// a speed change that moves the reading shows in the same run. Results: benchmarks/RESULTS.md.
#include <benchmark/benchmark.h>

#include <memory>

#include "bench_support.hpp"
#include "libtissue/loading/footprint.hpp"
#include "libtissue/observe/myotonometer.hpp"
#include "libtissue/session/model.hpp"
#include "libtissue/tone/tone_law.hpp"

namespace {

using namespace tissue;

/// A model of the given resolution at rest: solid (bone fixed), resting tone, 37 degC.
struct Fixture {
  Model model;
  std::unique_ptr<SolidProblem> solid;
  VectorX tone, temperature;
  Vec3 site;
  explicit Fixture(Resolution r) : model(Model::lumbar_hip(r)) {
    DofMap dofs(model.mesh.n_nodes(), 3);
    dofs.constrain_nodes(model.fixed_nodes());
    dofs.finalize();
    solid = std::make_unique<SolidProblem>(model.mesh, model.region_mechanics(), std::move(dofs));
    tone = resting_tone_field(model.mesh, solid->geometry().n_qp(), RestingTone::defaults());
    temperature = VectorX::Constant(model.mesh.n_nodes(), 310.15);
    site = skin_point_above_region(model.mesh, *model.mesh.regions.find("erector_spinae_right"));
  }
  StepView view() const {
    StepView v;
    v.solid = solid.get();
    v.tone = &tone;
    v.temperature = &temperature;
    return v;
  }
};

Fixture& fixture(Resolution r) {
  static Fixture coarse(Resolution::coarse);
  if (r == Resolution::coarse) return coarse;
  static Fixture standard(Resolution::standard);
  return standard;
}

Resolution resolution_of(const benchmark::State& st) {
  return st.range(0) == 0 ? Resolution::coarse : Resolution::standard;
}

void BM_MyotonLocalModel(benchmark::State& st) {
  const Fixture& fx = fixture(resolution_of(st));
  bench::set_threads(1);
  const Myotonometer myo;
  Index cells = 0;
  for (auto _ : st) {
    const MyotonLocalModel lm = myo.local_model(fx.view(), fx.site);
    cells = lm.mesh.n_cells();
    benchmark::DoNotOptimize(cells);
  }
  st.counters["local_cells"] = static_cast<double>(cells);
}

void BM_MyotonReading(benchmark::State& st) {
  const Fixture& fx = fixture(resolution_of(st));
  bench::set_threads(1);
  const Myotonometer myo;
  MyotonReading r;
  for (auto _ : st) r = myo.measure(fx.view(), fx.site);
  st.counters["F_Hz"] = r.frequency;
  st.counters["S_N_per_m"] = r.stiffness;
  st.counters["D"] = r.decrement;
}

}  // namespace

// Argument: 0 = coarse model, 1 = default (standard) model.
BENCHMARK(BM_MyotonLocalModel)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MyotonReading)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
