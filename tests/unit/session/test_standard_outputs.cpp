// The standard outputs every Simulation attaches: tone law with resting tone, elastography, virtual
// myotonometer, safety flags, the results schema and the per-muscle report; [outputs] and [patient] in
// session files. Short sessions on a small block of muscle (72 cells) keep the runs to seconds.
#include <catch2/catch.hpp>
#include <cmath>

#include "libtissue/io/memory_sink.hpp"
#include "libtissue/mesh/box_mesh.hpp"
#include "libtissue/session/model.hpp"
#include "libtissue/session/session_file.hpp"
#include "libtissue/session/simulation.hpp"
#include "session_fixtures.hpp"

using namespace tissue;

namespace {

using test::box_model;

/// Session settings for the block: one thread, 1 s macro steps, a series row every step, no myotonometer.
SessionSpec block_session() {
  SessionSpec s;
  s.run.threads = 1;
  s.run.series_every = 0;
  s.run.fields_every = 0;
  s.outputs.myotonometer = false;
  return s;
}

/// A palm pressing `force` [N] for `hold` [s] (soft block: mu about 2 kPa, so forces stay small).
TechniqueSpec press(Real force, Real hold) {
  StaticCompressionOptions p;
  p.tool = Footprint::palm();
  p.force = force;
  p.ramp = 2;
  p.hold = hold;
  p.release = 2;
  return {"static_compression", "block", p, {}};
}

TechniqueSpec stone(Real temperature, Real duration) {
  HotStoneOptions h;
  h.temperature = temperature;
  h.speed = 0;
  h.force = 5;
  h.duration = duration;
  return {"hot_stone", "block", h, {}};
}

struct Run {
  RunSummary summary;
  MemorySink sink;
};

Run run(const Model& m, const SessionSpec& s) {
  Run r;
  Simulation sim(m, s);
  r.summary = sim.run(r.sink);
  return r;
}

const MuscleReport& block(const RunSummary& s) {
  REQUIRE(s.muscles.size() == 1);
  REQUIRE(s.muscles[0].region == "block");
  return s.muscles[0];
}

}  // namespace

TEST_CASE("More sustained pressure gives a lower tone", "[session][outputs][tone]") {
  const Model m = box_model();
  SessionSpec light = block_session(), firm = block_session();
  light.protocol = {press(5, 60)};
  firm.protocol = {press(20, 60)};
  const MuscleReport a = block(run(m, light).summary), b = block(run(m, firm).summary);
  INFO("tone: rest " << a.resting_tone << ", after 5 N " << a.after_session.tone << ", after 20 N "
                     << b.after_session.tone);
  CHECK(a.before.tone == Approx(a.resting_tone));
  CHECK(a.after_session.tone < a.before.tone);
  // 4x the force: the inhibition rises faster than the force (Hill exponent 2 below p_half)
  CHECK(a.resting_tone - b.after_session.tone > 4 * (a.resting_tone - a.after_session.tone));
}

TEST_CASE("Warmer tissue gives a lower shear modulus", "[session][outputs][elastography]") {
  // The same stone (same weight, same contact) at body temperature and at 45 degC.
  const Model m = box_model();
  SessionSpec neutral = block_session(), warm = block_session();
  neutral.protocol = {stone(kCelsius + 37, 90)};
  warm.protocol = {stone(kCelsius + 45, 90)};
  const MuscleReport a = block(run(m, neutral).summary), b = block(run(m, warm).summary);
  INFO("T mean " << a.after_session.temperature_mean << " vs " << b.after_session.temperature_mean
                 << " K; mu across " << a.after_session.shear_modulus_across << " vs "
                 << b.after_session.shear_modulus_across << " Pa; mu along " << a.after_session.shear_modulus
                 << " vs " << b.after_session.shear_modulus << " Pa");
  CHECK(b.after_session.temperature_mean > a.after_session.temperature_mean + 0.1);
  CHECK(b.after_session.shear_modulus_across < a.after_session.shear_modulus_across);
  CHECK(b.after_session.shear_modulus < a.after_session.shear_modulus);
  CHECK(b.after_session.tone < a.after_session.tone);  // heat alone lowers tone
}

TEST_CASE("After the follow-up every effect has moved back toward baseline with schema and safety flags",
          "[session][outputs][recovery]") {
  // 1.5 cm of muscle over bone held at 37 degC: the heat of the stone leaves within the follow-up
  // Warmth outlasts the session by minutes and tone follows it with tau_recovery = 5 min, so the
  // follow-up is 40 min (5 s macro steps keep the run short).
  const Model m = box_model(0.015);
  SessionSpec s = block_session();
  s.run.dt_thermal = 5;
  s.run.series_every = 60;
  s.outputs.myotonometer = true;
  s.outputs.myoton_every = 0;  // readings at the start, after the last technique and at the end
  s.protocol = {stone(kCelsius + 50, 30), press(20, 60)};
  s.follow_up = 2400;
  const Run r = run(m, s);
  const MuscleReport& b = block(r.summary);
  auto toward_baseline = [](const char* what, Real before, Real after, Real end) {
    INFO(what << ": before " << before << ", after the session " << after << ", end " << end);
    CHECK(std::abs(after - before) > 1e-6 * std::abs(before));
    CHECK(std::abs(end - before) < 0.7 * std::abs(after - before));
  };
  toward_baseline("tone", b.before.tone, b.after_session.tone, b.end.tone);
  toward_baseline("temperature", b.before.temperature_mean, b.after_session.temperature_mean,
                  b.end.temperature_mean);
  toward_baseline("shear modulus along", b.before.shear_modulus, b.after_session.shear_modulus,
                  b.end.shear_modulus);
  toward_baseline("shear modulus across", b.before.shear_modulus_across, b.after_session.shear_modulus_across,
                  b.end.shear_modulus_across);
  toward_baseline("myoton frequency", b.before.myoton_frequency, b.after_session.myoton_frequency,
                  b.end.myoton_frequency);
  toward_baseline("myoton stiffness", b.before.myoton_stiffness, b.after_session.myoton_stiffness,
                  b.end.myoton_stiffness);
  CHECK(b.after_session.tone < b.before.tone);
  CHECK(b.after_session.temperature_mean > b.before.temperature_mean);
  CHECK(b.peak_temperature > b.after_session.temperature_mean);

  // Results schema: every quantity of the issue for the muscle, with SI units.
  const std::map<std::string, std::string> expected = {{"tone", "1"},
                                                       {"shear_modulus", "Pa"},
                                                       {"shear_modulus_across", "Pa"},
                                                       {"shear_wave_speed", "m/s"},
                                                       {"shear_wave_speed_across", "m/s"},
                                                       {"myoton_frequency", "Hz"},
                                                       {"myoton_stiffness", "N/m"},
                                                       {"myoton_decrement", "1"},
                                                       {"myoton_relaxation_time", "s"},
                                                       {"myoton_creep", "1"},
                                                       {"temperature_mean", "K"},
                                                       {"temperature_max", "K"},
                                                       {"perfusion_mean", "1/s"},
                                                       {"peak_pressure", "Pa"}};
  std::map<std::string, std::string> block_units, session_units;
  for (const auto& c : r.sink.series_columns()) {
    if (c.group == "block") block_units[c.name] = c.units;
    if (c.group == "session") session_units[c.name] = c.units;
  }
  for (const auto& [name, units] : expected) {
    INFO("/series/block/" << name);
    REQUIRE(block_units.count(name) == 1);
    CHECK(block_units[name] == units);
    for (double v : r.sink.series("block", name)) CHECK(std::isfinite(v));  // held between readings
  }
  CHECK(session_units["technique"] == "1");
  CHECK(session_units["friction_heat"] == "J");
  CHECK(session_units["dissipated_heat"] == "J");
  CHECK(session_units["work"] == "J");
  // the myotonometer reading is held between readings: constant over the follow-up rows but the last
  const auto& F = r.sink.series("block", "myoton_frequency");
  const auto& t = r.sink.series_time();
  REQUIRE(t.size() == F.size());
  CHECK(F.front() == Approx(b.before.myoton_frequency));
  CHECK(F.back() == Approx(b.end.myoton_frequency));
  CHECK(F[F.size() - 2] == Approx(b.after_session.myoton_frequency));
  // tone and strain fields next to displacement and temperature
  const auto* tone0 = r.sink.find_field("tone", 0);
  REQUIRE(tone0 != nullptr);
  CHECK(tone0->units == "1");
  CHECK(tone0->values.minCoeff() == Approx(b.resting_tone));
  const auto* strain1 = r.sink.find_field("strain", 1);
  REQUIRE(strain1 != nullptr);
  CHECK(strain1->values.cols() == 6);

  // The 50 degC stone overheats the skin surface: a flag with time and place, in the summary and results.
  bool hot = false;
  for (const auto& f : r.summary.safety_flags)
    if (f.kind == "temperature_above_limit") {
      hot = true;
      CHECK(f.region == "block");
      CHECK(f.time > 0);
      CHECK(f.time <= 30 + 1e-9);  // while the stone lies on the skin
      CHECK(f.value > kCelsius + 43);
    }
  CHECK(hot);
  CHECK(r.sink.flags().size() == r.summary.safety_flags.size());
}

TEST_CASE("A firm press over bone raises a pressure_on_bone flag and a light one does not",
          "[session][outputs][safety]") {
  const Model m = box_model(0.01);  // 1 cm of muscle over bone: every skin point is within 15 mm of it
  SessionSpec firm = block_session(), light = block_session();
  firm.protocol = {press(20, 2)};  // palm: mean 2.5 kPa
  light.protocol = {press(1, 2)};  // mean 0.13 kPa
  firm.outputs.elastography = light.outputs.elastography = false;
  firm.outputs.bone_pressure = light.outputs.bone_pressure = 2e3;  // a low limit for the soft block
  auto flagged = [](const RunSummary& s) {
    for (const auto& f : s.safety_flags)
      if (f.kind == "pressure_on_bone") return true;
    return false;
  };
  CHECK(flagged(run(m, firm).summary));
  CHECK_FALSE(flagged(run(m, light).summary));
  // a Simulation run twice starts afresh (dose, flags and report of the first run are not carried)
  Simulation sim(m, firm);
  MemorySink first, second;
  const RunSummary a = sim.run(first), b = sim.run(second);
  CHECK(flagged(b));
  CHECK(b.safety_flags.size() == a.safety_flags.size());
  CHECK(block(b).after_session.tone == Approx(block(a).after_session.tone));
}

TEST_CASE("[outputs] and [patient] in session files: values, hypertonic muscles and errors",
          "[session][outputs]") {
  const SessionSpec s = parse_session(R"([model]
resolution = "coarse"
[outputs]
myoton_every = "1 min"
myoton_sites = ["erector_spinae", "gluteus_medius_left"]
elastography = false
bone_pressure = "80 kPa"
temperature_limit = "42 degC"
[patient]
hypertonic = "erector_spinae_right"
hypertonic_tone = 0.6
)",
                                      "p.toml");
  CHECK(s.outputs.myoton_every == Approx(60));
  CHECK(s.outputs.myoton_sites.size() == 2);
  CHECK_FALSE(s.outputs.elastography);
  CHECK(s.outputs.bone_pressure == Approx(8e4));
  CHECK(s.outputs.temperature_limit == Approx(kCelsius + 42));
  REQUIRE(s.patient.hypertonic.size() == 1);
  CHECK(*s.patient.hypertonic_tone == Approx(0.6));

  const Model m = Model::from_spec(s.model);
  const Simulation sim(m, s);
  REQUIRE(sim.standard_outputs() != nullptr);
  std::vector<std::string> sites;
  for (const auto& site : sim.standard_outputs()->myoton_sites()) sites.push_back(site.name);
  CHECK(sites ==
        std::vector<std::string>{"erector_spinae_left", "erector_spinae_right", "gluteus_medius_left"});
  for (const auto& r : sim.standard_outputs()->report())
    CHECK(r.resting_tone == Approx(r.region == "erector_spinae_right" ? 0.6 : 0.2));

  auto fails_with = [&](const std::string& text, const std::string& expected) {
    INFO(text);
    CHECK_THROWS_WITH(
        [&] {
          const SessionSpec bad = parse_session("[model]\nresolution = \"coarse\"\n" + text, "bad.toml");
          const Simulation check(m, bad);
        }(),
        Catch::Contains(expected));
  };
  fails_with("[patient]\nhypertonic = \"biceps\"\n",
             "bad.toml:3:1: patient.hypertonic: unknown muscle 'biceps'");
  fails_with("[outputs]\nmyoton_sites = [\"deltoid\"]\n", "outputs.myoton_sites: unknown muscle 'deltoid'");
  fails_with("[outputs]\nmyoton_every = \"-1 s\"\n",
             "bad.toml:4:16: outputs.myoton_every: must not be negative");
  fails_with("[outputs]\nmyotonometr = true\n", "bad.toml:4:1: outputs.myotonometr: unknown field");
  fails_with("[patient]\nresting_tone = 1.5\n", "patient.resting_tone: must lie in [0, 1]");

  SessionSpec off = s;
  off.outputs.standard = false;
  CHECK(Simulation(m, off).standard_outputs() == nullptr);
}
