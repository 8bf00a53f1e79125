// The main job, whole: the default session (data/sessions/default.toml, every item, 30 minutes simulated) on
// the coarse lumbar-hip model, through the engine users run (Simulation::run, as `tissue run` and Python).
// It asserts completion, that the rigid gun heads never yield at their stall force, the session's energy
// budget, and the direction of every output of the mission's chain (temperature, perfusion, tone). About 10
// minutes under ctest -j2 on 2 cores.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "libtissue/io/memory_sink.hpp"
#include "libtissue/session/model.hpp"
#include "libtissue/session/session_file.hpp"
#include "libtissue/session/simulation.hpp"

using namespace tissue;

namespace {

/// The span of the n-th (0-based) profile item called `name`.
const ItemProfile& item(const RunSummary& r, const std::string& name, int n) {
  const auto it = std::find_if(r.profile.begin(), r.profile.end(),
                               [&](const ItemProfile& p) { return p.name == name && n-- == 0; });
  REQUIRE(it != r.profile.end());
  return *it;
}

/// The value of a series at the row nearest to time t.
double at(const MemorySink& sink, const std::string& group, const std::string& name, double t) {
  const auto& time = sink.series_time();
  const auto& v = sink.series(group, name);
  REQUIRE(v.size() == time.size());
  size_t best = 0;
  for (size_t i = 0; i < time.size(); ++i)
    if (std::abs(time[i] - t) < std::abs(time[best] - t)) best = i;
  return v[best];
}

const MuscleReport& muscle(const RunSummary& r, const std::string& name) {
  const auto it = std::find_if(r.muscles.begin(), r.muscles.end(),
                               [&](const MuscleReport& m) { return m.region == name; });
  REQUIRE(it != r.muscles.end());
  return *it;
}

}  // namespace

TEST_CASE(
    "The default session runs end to end on the coarse model with no yields and a closing budget and "
    "every output moving the right way",
    "[verification][main-job]") {
  const SessionSpec spec = read_session_file(TISSUE_SOURCE_DIR "/data/sessions/default.toml");
  const Model model = Model::from_spec(spec.model);
  MemorySink sink;
  Simulation sim(model, spec);
  const RunSummary r = sim.run(sink);  // throws NumericalError (naming time, item, tool, region) on failure

  // Completion: every item and the 10-minute follow-up.
  CHECK(r.simulated_time == Approx(1800.0));
  // The gun heads are rigid bodies in contact and never sit at their stall force.
  CHECK(r.rigid_tool_steps > 0);
  CHECK(r.stalled_steps == 0);
  // Energy: the tools' work = change of stored energy + viscous dissipation, within issue 10's 5 %. Measured
  // +0.7 % (2026-12-04, a8cc028: the work is the stress work along each substep and a cycle jump counts the
  // branches' creep; -11.0 % before). It also guards against regressions such as the cycle-jump runaway that
  // once dissipated 2,366 J in 180 s of kneading.
  INFO("work " << r.energy.work << " J, stored " << r.energy.stored_change << " J, dissipated "
               << r.energy.dissipated << " J");
  CHECK(r.energy.work > 1.0);
  CHECK(std::abs(r.energy.mechanical_imbalance()) < 0.05);
  CHECK(r.energy.dissipated == Approx(r.dissipated_heat));

  // Temperature: friction and kneading warm the skin, the gliding hot stones warm it by more than a kelvin,
  // and it cools back in the recovery.
  const double knead_end = item(r, "kneading", 1).t1;
  const ItemProfile& stone0 = item(r, "hot_stone", 0);
  const ItemProfile& stone1 = item(r, "hot_stone", 1);
  const ItemProfile& follow = item(r, "follow_up", 0);
  const double T0 = at(sink, "skin", "temperature_mean", 0.0);
  CHECK(at(sink, "skin", "temperature_mean", knead_end) > T0 + 0.01);
  const double T_stones = at(sink, "skin", "temperature_mean", stone1.t1);
  CHECK(T_stones > at(sink, "skin", "temperature_mean", stone0.t0) + 0.8);
  CHECK(at(sink, "skin", "temperature_max", stone1.t1) > 43.0 + 273.15);  // a 50 degC stone on the skin
  CHECK(at(sink, "skin", "temperature_mean", follow.t1) <
        at(sink, "skin", "temperature_mean", follow.t0) - 0.3);

  // Circulation: the strokes and kneading raise the skin's and the kneaded muscle's perfusion (the stimulus
  // is the deviatoric strain rate, docs/thermal.md), and the hyperaemia fades over the follow-up but lasts
  // it. Measured (2026-12-04): skin x1.36 and erector spinae x1.11 of baseline after the kneading, skin x1.55
  // at the start of the follow-up and x1.20 at its end.
  const double w_skin0 = at(sink, "skin", "perfusion_mean", 0.0);
  CHECK(at(sink, "skin", "perfusion_mean", knead_end) > 1.2 * w_skin0);
  CHECK(at(sink, "erector_spinae_right", "perfusion_mean", knead_end) >
        1.05 * at(sink, "erector_spinae_right", "perfusion_mean", 0.0));
  const double w_follow0 = at(sink, "skin", "perfusion_mean", follow.t0);
  const double w_follow1 = at(sink, "skin", "perfusion_mean", follow.t1);
  CHECK(w_follow1 < w_follow0 - 0.1 * w_skin0);
  CHECK(w_follow1 > 1.05 * w_skin0);

  // Tone: pressure and strokes lower the tone of every treated muscle; it recovers (partly) in the follow-up.
  for (const char* name :
       {"erector_spinae_left", "erector_spinae_right", "gluteus_medius_left", "gluteus_medius_right"}) {
    INFO(name);
    const MuscleReport& m = muscle(r, name);
    CHECK(m.after_session.tone < m.before.tone - 0.004);
    CHECK(m.end.tone > m.after_session.tone);
    CHECK(m.end.tone < m.before.tone);
  }
  // Kneading lowers the erector spinae's tone below what the strokes did; it rises again in the rest after
  // it.
  const double tone_strokes = at(sink, "erector_spinae_right", "tone", item(r, "stroking", 0).t1);
  const double tone_knead = at(sink, "erector_spinae_right", "tone", item(r, "kneading", 0).t1);
  CHECK(tone_strokes < 0.2);
  CHECK(tone_knead < tone_strokes);
  CHECK(at(sink, "erector_spinae_right", "tone", item(r, "rest", 0).t1) >
        at(sink, "erector_spinae_right", "tone", item(r, "kneading", 1).t1));
}
