// Session files (v1 and v2), tissue tables, the technique listing, and session runs: the v1 palm press
// and a v2 protocol on the coarse model, and cycle averaging against a fully resolved run.
#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>

#include "libtissue/io/memory_sink.hpp"
#include "libtissue/mesh/box_mesh.hpp"
#include "libtissue/session/cycle_jump.hpp"
#include "libtissue/session/model.hpp"
#include "libtissue/session/protocol_loads.hpp"
#include "libtissue/session/session_file.hpp"
#include "libtissue/session/simulation.hpp"
#include "libtissue/technique/techniques.hpp"
#include "libtissue/tone/tone_law.hpp"
#include "session_fixtures.hpp"

using namespace tissue;

namespace {
const char* kSession = R"(# test session
[model]
resolution = "coarse"

[run]
threads = 1

[[technique]]
type = "static_compression"
tool = "palm"
target = "erector_spinae_right"
force = "40 N"
ramp = "1 s"
steps = 2
)";
}  // namespace

TEST_CASE("A session file is parsed into typed values in SI units", "[session]") {
  const SessionSpec s = parse_session(kSession, "test.toml");
  CHECK(s.model.resolution == "coarse");
  CHECK(s.run.threads == 1);
  REQUIRE(s.techniques.size() == 1);
  CHECK(s.techniques[0].force == Approx(40.0));
  CHECK(s.techniques[0].ramp == Approx(1.0));
  CHECK(s.techniques[0].tool.name == "palm");
  CHECK(s.techniques[0].where.line == 8);
}

TEST_CASE("Bad session files give errors naming file, line and field", "[session]") {
  auto fails_with = [](const std::string& text, const std::string& expected) {
    CHECK_THROWS_WITH(parse_session(text, "bad.toml"), Catch::Contains(expected));
  };
  fails_with("[[technique]]\ntype = \"knitting\"\ntarget = \"x\"\n",
             "bad.toml:2:8: technique[0].type: unknown technique 'knitting'");
  fails_with(
      "[[technique]]\ntype = \"static_compression\"\ntarget = \"erector_spinae_right\"\nforce = \"-30 N\"\n",
      "bad.toml:4:9: technique[0].force: must be positive");
  fails_with(
      "[[technique]]\ntype = \"static_compression\"\ntarget = \"erector_spinae_right\"\nforce = \"30 "
      "furlongs\"\n",
      "technique[0].force: unknown unit 'furlongs'");
  fails_with("[[technique]]\ntype = \"static_compression\"\ntarget = \"erector_spinae_right\"\nforce = 30\n",
             "technique[0].force: needs a unit");
  fails_with(
      "[[technique]]\ntype = \"static_compression\"\ntarget = \"erector_spinae_right\"\nforce = \"3 m/s\"\n",
      "expected a force (N)");
  fails_with("[[technique]]\ntype = \"static_compression\"\ntarget = \"erector_spinae_right\"\n",
             "technique[0].force: missing required field");
  fails_with("[model]\nresolutoin = \"coarse\"\n", "bad.toml:2:1: model.resolutoin: unknown field");
  fails_with("[model]\nresolution = \"huge\"\n", "model.resolution: unknown resolution 'huge'");
  fails_with(
      "[[technique]]\ntype = \"static_compression\"\ntool = \"elbow\"\ntarget = \"x\"\nforce = \"1 N\"\n",
      "unknown tool 'elbow'");
  fails_with("[run]\nthreads = \"two\"\n", "run.threads: must be an integer");
  fails_with("[model\n", "bad.toml:1:");
}

TEST_CASE("An unknown muscle is reported with the regions of the model", "[session]") {
  SessionSpec s = parse_session(kSession, "test.toml");
  s.techniques[0].target = "biceps_left";
  const Model m = Model::from_spec(s.model);
  CHECK_THROWS_WITH(Simulation(m, s),
                    Catch::Contains("test.toml:8:1: technique[0].target: unknown muscle 'biceps_left'") &&
                        Catch::Contains("erector_spinae_right"));
}

TEST_CASE("The default tissue tables load with sources in SI units", "[session][data]") {
  const TissueLibrary lib = TissueLibrary::defaults();
  const auto& muscle = lib.tissue("muscle");
  CHECK(std::holds_alternative<MuscleTI>(muscle.material.elastic.iso));
  CHECK(muscle.thermal.conductivity == Approx(0.49));
  CHECK(muscle.thermal.perfusion == Approx(37e-6 / 60 * muscle.thermal.density).epsilon(1e-9));
  CHECK(muscle.material.thermal.T_ref == Approx(310.15));
  CHECK(muscle.material.active.has_value());
  CHECK(std::holds_alternative<NeoHookean>(lib.tissue("fat").material.elastic.iso));
  Region es{"erector_spinae_right", TissueKind::muscle, Side::right};
  CHECK(lib.for_region(es).name == "muscle");
  CHECK_THROWS_WITH(lib.tissue("bone"), Catch::Contains("unknown tissue 'bone'"));
  TissueLibrary bad;
  CHECK_THROWS_WITH(
      bad.add_toml(
          "tissue = \"x\"\n[hyperelastic]\nlaw = \"neo_hookean\"\nmu = { value = -3, unit = \"Pa\" }\n"
          "kappa = { value = 300, unit = \"Pa\" }\n[thermal_shift]\n[bioheat]\n",
          "x.toml"),
      Catch::Contains("x.mu"));
}

TEST_CASE("A palm press on the coarse model: force balance, locality and results", "[session][integration]") {
  SessionSpec s = parse_session(kSession, "test.toml");
  s.outputs.myotonometer = false;  // the myotonometer has its own tests (test_standard_outputs)
  const Model m = Model::from_spec(s.model);
  MemorySink sink;
  Simulation sim(m, s);
  const RunSummary r = sim.run(sink);
  CHECK(r.applied_force == Approx(40.0));
  // the pressed side moves far more than the other side
  auto peak = [&](const std::string& name) {
    for (const auto& p : r.regions)
      if (p.region == name) return p;
    FAIL("no region " << name);
    return RegionPeaks{};
  };
  CHECK(peak("erector_spinae_right").peak_displacement > 5 * peak("erector_spinae_left").peak_displacement);
  CHECK(peak("erector_spinae_right").peak_pressure > 1e3);           // kPa range under 40 N
  CHECK(peak("erector_spinae_right").peak_displacement < 0.02);      // below 2 cm
  CHECK(r.peak_contact_pressure > 40.0 / Footprint::palm().area());  // above the mean pressure
  // the results hold the mesh, fields and series
  REQUIRE(sink.mesh().has_value());
  CHECK(sink.find_field("displacement", 0) != nullptr);
  const auto& force = sink.series("session", "tool_force");
  CHECK(force.back() == Approx(40.0));
}

namespace {
const char* kAll = R"TOML(# every item type
[session]
follow_up = "10 min"

[run]
dt_thermal = "0.5 s"
series_every = "2 s"
fields_every = "1 min"
air_temperature = "20 degC"
skin_heat_transfer = "8 W/(m^2 K)"
cycle_averaging = false
resolved_cycles = 2
jumped_cycles = 10

[[technique]]
type = "stroking"
target = "erector_spinae_right"
tool = "palm"
force = "25 N"
speed = "5 cm/s"
lubrication = "dry"
duration = "2 min"
lanes = 2
inset = "5 mm"

[[technique]]
type = "deep_stroking"
target = "erector_spinae_left"
tool = "thumb"
force = "6 kg*m/s^2"
speed = "1.5 cm/s"
mu = 0.1
ramp = "3 s"
duration = "1 min"

[[technique]]
type = "kneading"
target = "gluteus_medius_right"
force = "30 N"
modulation = 0.4
frequency = "0.5 Hz"
radius = "12 mm"
glide_speed = "1 cm/s"
duration = "90 s"

[[technique]]
type = "percussion"
target = "gluteus_medius_left"
tool = "hand_edge"
peak_force = "25 N"
frequency = "8 Hz"
contact_fraction = 0.25
duration = "20 s"

[[technique]]
type = "rest"
duration = "30 s"

[[technique]]
type = "massage_gun"
target = "gluteus_medius_left"
head = "gun_flat"
frequency = "40 Hz"
stroke = "12 mm"
preload_depth = "2 mm"
stall_force = "100 N"
glide_speed = "2.5 cm/s"
duration = "2 min"

[[technique]]
type = "transverse_friction"
target = "erector_spinae_right"
force = "20 N"
frequency = "2 Hz"
amplitude = "6 mm"
offset_along = "1 cm"
duration = "1 min"

[[technique]]
type = "static_compression"
target = "gluteus_medius_right"
tool = "thumb"
force = "30 N"
ramp = "5 s"
hold = "45 s"
release = "4 s"
offset_across = "-5 mm"

[[technique]]
type = "vibration"
target = "erector_spinae_left"
mean_force = "15 N"
amplitude = "4 N"
frequency = "25 Hz"
duration = "30 s"

[[technique]]
type = "heat_pack"
target = "erector_spinae_right"
temperature = "42 degC"
heat_transfer = "100 W/(m^2 K)"
duration = "15 min"

[[technique]]
type = "hot_stone"
target = "gluteus_medius_right"
temperature = "50 degC"
heat_transfer = "500 W/(m^2 K)"
cooling_time = "5 min"
speed = "0 cm/s"
duration = "2 min"
)TOML";

template <class O>
const O& options(const SessionSpec& s, size_t i) {
  REQUIRE(i < s.protocol.size());
  REQUIRE(std::holds_alternative<O>(s.protocol[i].options));
  return std::get<O>(s.protocol[i].options);
}
}  // namespace

TEST_CASE("Version-2 session files: every technique's keys in SI units", "[session][v2]") {
  const SessionSpec s = parse_session(kAll, "all.toml");
  CHECK(s.techniques.empty());
  REQUIRE(s.protocol.size() == 11);
  CHECK(s.follow_up == Approx(600));
  CHECK(s.run.dt_thermal == Approx(0.5));
  CHECK(s.run.series_every == Approx(2));
  CHECK(s.run.fields_every == Approx(60));
  CHECK(s.run.air_temperature == Approx(293.15));
  CHECK(s.run.skin_heat_transfer == Approx(8));
  CHECK_FALSE(s.run.cycle_averaging);
  CHECK(s.run.resolved_cycles == 2);
  CHECK(s.run.jumped_cycles == 10);

  const auto& st = options<StrokingOptions>(s, 0);
  CHECK(s.protocol[0].target == "erector_spinae_right");
  CHECK(s.protocol[0].where.line == 15);
  CHECK(st.force == Approx(25));
  CHECK(st.speed == Approx(0.05));
  CHECK(st.mu == Approx(friction::dry_skin));
  CHECK(st.duration == Approx(120));
  CHECK(st.lanes == 2);
  CHECK(st.inset == Approx(0.005));
  const auto& ds = options<DeepStrokingOptions>(s, 1);
  CHECK(ds.tool.name == "thumb");
  CHECK(ds.force == Approx(6));
  CHECK(ds.speed == Approx(0.015));
  CHECK(ds.mu == Approx(0.1));
  CHECK(ds.ramp == Approx(3));
  const auto& kn = options<KneadingOptions>(s, 2);
  CHECK(kn.modulation == Approx(0.4));
  CHECK(kn.frequency == Approx(0.5));
  CHECK(kn.radius == Approx(0.012));
  CHECK(kn.glide_speed == Approx(0.01));
  const auto& pc = options<PercussionOptions>(s, 3);
  CHECK(pc.tool.name == "hand_edge");
  CHECK(pc.peak_force == Approx(25));
  CHECK(pc.frequency == Approx(8));
  CHECK(pc.contact_fraction == Approx(0.25));
  CHECK(s.protocol[4].type == "rest");
  CHECK(s.protocol[4].target.empty());
  CHECK(s.protocol[4].duration() == Approx(30));
  const auto& mg = options<MassageGunOptions>(s, 5);
  CHECK(mg.head.name == "gun_flat");
  CHECK(mg.frequency == Approx(40));
  CHECK(mg.stroke == Approx(0.012));
  CHECK(mg.preload_depth == Approx(0.002));
  CHECK(mg.stall_force == Approx(100));
  CHECK(mg.glide_speed == Approx(0.025));
  const auto& tf = options<TransverseFrictionOptions>(s, 6);
  CHECK(tf.amplitude == Approx(0.006));
  CHECK(tf.offset_along == Approx(0.01));
  CHECK(tf.frequency == Approx(2));
  const auto& sc = options<StaticCompressionOptions>(s, 7);
  CHECK(sc.hold == Approx(45));
  CHECK(sc.release == Approx(4));
  CHECK(sc.offset_across == Approx(-0.005));
  CHECK(s.protocol[7].duration() == Approx(54));
  const auto& vb = options<VibrationOptions>(s, 8);
  CHECK(vb.mean_force == Approx(15));
  CHECK(vb.amplitude == Approx(4));
  CHECK(vb.frequency == Approx(25));
  const auto& hp = options<HeatPackOptions>(s, 9);
  CHECK(hp.temperature == Approx(315.15));
  CHECK(hp.heat_transfer == Approx(100));
  CHECK(hp.duration == Approx(900));
  const auto& hs = options<HotStoneOptions>(s, 10);
  CHECK(hs.temperature == Approx(323.15));
  CHECK(hs.heat_transfer == Approx(500));
  CHECK(hs.cooling_time == Approx(300));
  CHECK(hs.speed == 0.0);
  CHECK(s.duration() == Approx(120 + 60 + 90 + 20 + 30 + 120 + 60 + 54 + 30 + 900 + 120 + 600));
}

TEST_CASE("Version-2 errors name the file, line, column and field", "[session][v2]") {
  auto fails_with = [](const std::string& body, const std::string& expected) {
    CHECK_THROWS_WITH(parse_session("[session]\n" + body, "bad.toml"), Catch::Contains(expected));
  };
  const std::string head = "[[technique]]\ntype = \"stroking\"\ntarget = \"erector_spinae_right\"\n";
  fails_with("[[technique]]\ntype = \"knitting\"\n",
             "bad.toml:3:8: technique[0].type: unknown technique 'knitting'");
  fails_with(head + "force = \"-30 N\"\n", "bad.toml:5:9: technique[0].force: must be positive");
  fails_with(head + "speed = \"5 furlongs/s\"\n", "bad.toml:5:9: technique[0].speed: unknown unit");
  fails_with(head + "speed = \"5 N\"\n", "technique[0].speed: expected a");
  fails_with(head + "force = 30\n", "bad.toml:5:9: technique[0].force: needs a unit");
  fails_with(head + "lanes = \"two\"\n", "bad.toml:5:9: technique[0].lanes: must be an integer");
  fails_with(head + "tool = \"elbow\"\n", "bad.toml:5:8: technique[0].tool: unknown tool 'elbow'");
  fails_with(head + "lubrication = \"honey\"\n", "technique[0].lubrication: unknown lubrication 'honey'");
  fails_with(head + "mu = 0.1\nlubrication = \"oil\"\n",
             "technique[0].lubrication: give either mu or lubrication");
  fails_with(head + "frequency = \"3 Hz\"\n", "bad.toml:5:1: technique[0].frequency: unknown field");
  fails_with("[[technique]]\ntype = \"stroking\"\nforce = \"3 N\"\n",
             "bad.toml:2:1: technique[0].target: missing required field");
  fails_with("[[technique]]\ntype = \"rest\"\n",
             "bad.toml:2:1: technique[0].duration: missing required field");
  fails_with("[[technique]]\ntype = \"rest\"\nduration = \"-1 s\"\n",
             "bad.toml:4:12: technique[0].duration: must be positive");
  fails_with("[[technique]]\ntype = \"massage_gun\"\ntarget = \"x\"\nfrequency = \"100 Hz\"\n",
             "bad.toml:5:13: technique[0].frequency");
  // Plausibility (issue 12): typos and unit slips are rejected with the range; nan and inf are not numbers.
  fails_with(head + "force = \"1e9 N\"\n",
             "bad.toml:5:9: technique[0].force: 1e+09 N is outside the plausible range 0 N .. 300 N of a "
             "force");
  fails_with(head + "speed = \"30 m/s\"\n", "technique[0].speed: 3000 cm/s is outside the plausible range");
  fails_with(head + "duration = \"5 h\"\n", "technique[0].duration: 18000 s is outside the plausible range");
  fails_with(head + "force = \"nan N\"\n", "bad.toml:5:9: technique[0].force: not a finite number: 'nan N'");
  fails_with(head + "force = \"inf N\"\n", "technique[0].force: not a finite number");
  fails_with(head + "mu = nan\n", "bad.toml:5:6: technique[0].mu: not a finite number");
  fails_with("[[technique]]\ntype = \"hot_stone\"\ntarget = \"x\"\nheat_transfer = \"1e7 W/(m^2 K)\"\n",
             "technique[0].heat_transfer: 1e+07 W/(m^2 K) is outside the plausible range 0 W/(m^2 K) .. "
             "100000");
  fails_with("follow_up = \"-3 min\"\n", "session.follow_up: must not be negative");
  fails_with("follow_up = \"3 N\"\n", "session.follow_up");
  CHECK_THROWS_WITH(parse_session("[run]\ndt_thermal = \"0 s\"\n", "bad.toml"),
                    Catch::Contains("bad.toml:2:14: run.dt_thermal: must be positive"));
  // a v1 file (no [session]) with a v2 key says how to switch
  CHECK_THROWS_WITH(
      parse_session("[[technique]]\ntype = \"static_compression\"\ntarget = \"x\"\nforce = \"1 N\"\n"
                    "release = \"2 s\"\n",
                    "bad.toml"),
      Catch::Contains("technique[0].release: unknown field") && Catch::Contains("[session]"));
}

TEST_CASE("An unknown muscle in a version-2 file is reported at its block", "[session][v2]") {
  SessionSpec s = parse_session(
      "[session]\n[model]\nresolution = \"coarse\"\n[[technique]]\ntype = \"rest\"\n"
      "duration = \"1 s\"\n[[technique]]\ntype = \"hot_stone\"\ntarget = \"biceps_left\"\n",
      "m.toml");
  const Model m = Model::from_spec(s.model);
  CHECK_THROWS_WITH(Simulation(m, s),
                    Catch::Contains("m.toml:7:1: technique[1].target: unknown muscle 'biceps_left'"));
}

TEST_CASE("The technique listing comes from the parser table", "[session][v2]") {
  const auto cat = technique_catalogue();
  std::vector<std::string> names;
  for (const auto& t : cat) names.push_back(t.name);
  CHECK(names == technique_names());
  for (const char* n :
       {"stroking", "deep_stroking", "kneading", "percussion", "massage_gun", "transverse_friction",
        "static_compression", "vibration", "heat_pack", "hot_stone", "rest"})
    CHECK(std::find(names.begin(), names.end(), n) != names.end());
  auto key = [&](const std::string& t, const std::string& k) {
    for (const auto& e : cat)
      if (e.name == t)
        for (const auto& x : e.keys)
          if (x.key == k) return x;
    FAIL("no key " << t << "." << k);
    return TechniqueKeyInfo{};
  };
  CHECK(key("stroking", "force").default_value == "20 N");
  CHECK(key("stroking", "speed").default_value == "7.5 cm/s");
  CHECK(key("stroking", "target").default_value == "(needed)");
  CHECK(key("massage_gun", "stroke").default_value == "12 mm");
  CHECK(key("hot_stone", "temperature").default_value == "50 degC");
  CHECK(key("rest", "duration").default_value == "(needed)");
  // The plausible ranges the parser enforces are listed with the keys (one description for both).
  CHECK(key("stroking", "force").range == "0 N .. 300 N");
  CHECK(key("hot_stone", "temperature").range == "0 degC .. 70 degC");
  CHECK(key("stroking", "target").range.empty());
}

TEST_CASE("A run whose caller cancels stops at the next macro step and keeps what it wrote",
          "[session][cancel]") {
  const SessionSpec s = parse_session(R"([model]
resolution = "coarse"
[run]
threads = 1
[session]
follow_up = "5 s"
[[technique]]
type = "rest"
duration = "5 s"
[outputs]
myotonometer = false
)",
                                      "cancel.toml");
  const Model m = Model::from_spec(s.model);
  std::atomic<bool> stop{false};
  RunContext ctx;
  ctx.cancel = &stop;
  int reports = 0;
  ctx.progress = [&](double, std::string_view) {
    if (++reports == 1) stop = true;  // the caller asks to stop after the first macro step
  };
  MemorySink sink;
  Simulation sim(m, s, ctx);
  CHECK_THROWS_AS(sim.run(sink), Cancelled);
  CHECK(reports == 1);
  REQUIRE(sink.series_time().size() >= 2);  // t = 0 and the step before the stop
  CHECK(sink.series_time().back() > 0.0);
  CHECK(sink.series_time().back() < 10.0);  // not the whole 10 s
  // The file says so (docs/results-format.md): status and the reason.
  CHECK(sink.meta().at("status") == "interrupted");
  CHECK(sink.meta().at("status_reason").find("cancelled at t = ") != std::string::npos);
}

TEST_CASE("Region peaks (pressure, von Mises, displacement) see every substep, not the macro-step ends",
          "[session][integration]") {
  // Kneading circles move the pressure under the hand around within a macro step; peaks taken only at the
  // macro-step ends depended on where the hand happened to be then (the accuracy guard: 2.6 kPa with 1-s
  // macro steps against 4.5 kPa with 0.5-s steps in the erector spinae; displacement 2.3 against 4.1 mm).
  auto peaks = [](const std::string& dt) {
    const SessionSpec s = parse_session(R"([model]
resolution = "coarse"
[run]
threads = 1
dt_thermal = ")" + dt + R"("
[[technique]]
type = "kneading"
target = "erector_spinae_right"
force = "30 N"
frequency = "0.75 Hz"
radius = "1 cm"
ramp = "0.6 s"
duration = "1.8 s"
[outputs]
myotonometer = false
)",
                                        "peaks.toml");
    const Model m = Model::from_spec(s.model);
    Simulation sim(m, s, RunContext{});
    MemorySink sink;
    const RunSummary r = sim.run(sink);
    for (const auto& g : r.regions)
      if (g.region == "erector_spinae_right") return g;
    FAIL("no erector_spinae_right in the summary");
    return RegionPeaks{};
  };
  const RegionPeaks coarse = peaks("1 s"), fine = peaks("0.25 s");
  CHECK(coarse.peak_pressure > 3e3);
  CHECK(coarse.peak_pressure == Approx(fine.peak_pressure).epsilon(0.01));
  CHECK(coarse.peak_von_mises > 1e3);
  CHECK(coarse.peak_von_mises == Approx(fine.peak_von_mises).epsilon(0.01));
  CHECK(coarse.peak_displacement > 1e-3);
  CHECK(coarse.peak_displacement == Approx(fine.peak_displacement).epsilon(0.01));
}

TEST_CASE("A short protocol on the coarse model: friction heat, warming, recovery, records",
          "[session][integration]") {
  const SessionSpec s = parse_session(R"([model]
resolution = "coarse"
[run]
threads = 1
dt_thermal = "1 s"
fields_every = "3 s"
[session]
follow_up = "2 s"
[[technique]]
type = "stroking"
target = "erector_spinae_right"
force = "40 N"
speed = "5 cm/s"
lubrication = "dry"
ramp = "0.5 s"
duration = "3 s"
[[technique]]
type = "rest"
duration = "1 s"
[outputs]
myotonometer = false
)",
                                      "short.toml");
  const Model m = Model::from_spec(s.model);
  MemorySink sink;
  Simulation sim(m, s);
  int observed = 0;
  sim.add_observer([&](const SessionStep& st, std::vector<SeriesValue>& series, std::vector<SafetyFlag>&) {
    ++observed;
    CHECK(st.t1 > st.t0);
    series.push_back({"session", "observer_calls", static_cast<double>(observed), "1"});
  });
  const RunSummary r = sim.run(sink);
  CHECK(sink.meta().at("status") == "completed");
  CHECK(r.simulated_time == Approx(6));
  CHECK(r.thermal_steps == 6);
  CHECK(observed == 6);
  // eta mu F v t = 0.5 * 0.36 * 40 N * 0.05 m/s * 2.5 s (ramps count half) = 0.9 J
  CHECK(r.friction_heat == Approx(0.9).epsilon(0.1));
  CHECK(r.work > 0);  // work of the tool on the tissue (strain energy + viscous dissipation)
  CHECK(r.dissipated_heat > 0);
  CHECK(r.dissipated_heat < r.work);
  // Every substep resolved: the tools' work (the stress work along each substep) = stored change +
  // dissipated, up to the deficits the second-law deferral still carries.
  INFO("work " << r.energy.work << " J, stored " << r.energy.stored_change << " J, dissipated "
               << r.energy.dissipated << " J");
  CHECK(std::abs(r.energy.mechanical_imbalance()) < 0.02);  // measured -0.9 %
  CHECK(r.applied_force == Approx(40));
  // series: one row per second
  const auto& time = sink.series_time();
  REQUIRE(time.size() == 7);
  CHECK(time.back() == Approx(6));
  const auto& heat = sink.series("session", "friction_heat");
  CHECK(heat[3] == Approx(r.friction_heat));
  CHECK(heat[6] == Approx(heat[3]));
  const auto& force = sink.series("session", "tool_force");
  CHECK(force[2] == Approx(40));
  CHECK(force[4] == 0.0);
  CHECK(sink.series("session", "technique")[2] == 0.0);
  CHECK(sink.series("session", "technique")[5] == -1.0);
  CHECK(sink.series("session", "observer_calls").back() == 6.0);
  CHECK(sink.series("erector_spinae_right", "displacement_max")[2] >
        5 * sink.series("erector_spinae_left", "displacement_max")[2]);
  // the skin under the path warms (fields at 0, 3 and 6 s), and relaxes in the rest and follow-up
  REQUIRE(sink.field_times().size() == 3);
  const auto* T0 = sink.find_field("temperature", 0);
  const auto* T3 = sink.find_field("temperature", 1);
  const auto* T6 = sink.find_field("temperature", 2);
  REQUIRE((T0 && T3 && T6));
  Eigen::Index hottest = 0;
  const Real rise3 = (T3->values - T0->values).col(0).maxCoeff(&hottest);
  const Real rise6 = (T6->values - T0->values).col(0).maxCoeff();
  CHECK(rise3 > 5e-3);
  CHECK(rise6 < rise3);
  const SkinPatch patch = SkinPatch::of_region(m.mesh, "erector_spinae_right");
  const Vec3 x = m.mesh.nodes.row(hottest).transpose();
  CHECK(patch.contains(x, -0.01));          // over the stroked muscle (1 cm tolerance)
  CHECK(x.z() > patch.centre.z() - 0.005);  // at the skin
  // events from the protocol
  REQUIRE(sink.events().size() == 3);
  CHECK(sink.events()[0].name == "stroking");
  CHECK(sink.events()[1].name == "rest");
  CHECK(sink.events()[2].name == "follow_up");
  CHECK(sink.events()[2].t1 == Approx(6));
  CHECK(sink.find_field("von_mises", 2) != nullptr);
  CHECK(sink.find_field("pressure", 2) != nullptr);
}

namespace {
using test::box_model;

struct GunRun {
  RunSummary summary;
  Real dT = 0;  ///< rise of the volume-mean temperature [K]
  Real dm = 0;  ///< change of the modulus factor at the mean temperature [-]
};

GunRun gun_run(const Model& m, bool averaging, Real duration, bool gun = true, Real frequency = 20,
               Real inset = 0.02, int jumped = 0, int resolved = 3, Real glide = 0.025) {
  SessionSpec s;
  s.run.threads = 1;
  s.run.cycle_averaging = averaging;
  s.run.series_every = 0;
  s.run.fields_every = 0;
  s.run.jumped_cycles = jumped;
  s.run.resolved_cycles = resolved;
  s.outputs.standard = false;  // no tone: the base run stays at rest
  MassageGunOptions g;
  g.inset = inset;
  g.glide_speed = glide;
  g.frequency = frequency;
  g.stroke = 0.008;
  g.stall_force = 60;
  g.duration = duration;
  if (gun)
    s.protocol.push_back({"massage_gun", "block", g, {}});
  else
    s.protocol.push_back({"rest", "", RestOptions{duration}, {}});
  MemorySink sink;
  Simulation sim(m, s);
  GunRun out;
  out.summary = sim.run(sink);
  const auto& T = sink.series("block", "temperature_mean");
  out.dT = T.back() - T.front();
  const auto& shift = m.tissues[0].material.thermal;
  out.dm = shift.modulus_factor(T.back()) - shift.modulus_factor(T.front());
  return out;
}

/// Compares cycle-averaged runs (jumped_cycles in `windows`) with a fully resolved one; the rises are
/// taken against a run without the gun.
/// A cycle-jump window: K resolved cycles, M jumped ones (0: up to dt_thermal).
struct Window {
  int resolved = 3;  ///< K
  int jumped = 0;    ///< M
};

void compare_gun(const Model& m, Real duration, Real frequency, Real inset,
                 const std::vector<Window>& windows, Real tolerance, Real glide = 0.025) {
  const GunRun base = gun_run(m, false, duration, false);
  GunRun full = gun_run(m, false, duration, true, frequency, inset, 0, 3, glide);
  full.dT -= base.dT;
  full.dm -= base.dm;
  CHECK(full.dT > 0);
  CHECK(std::abs(base.dT) < 0.01 * full.dT);
  for (const auto [resolved, jumped] : windows) {
    GunRun avg = gun_run(m, true, duration, true, frequency, inset, jumped, resolved, glide);
    avg.dT -= base.dT;
    avg.dm -= base.dm;
    std::ostringstream o;
    o << duration << " s at " << frequency << " Hz, glide " << glide << " m/s, inset " << inset
      << " m, resolved_cycles " << resolved << ", jumped_cycles " << jumped << ": full dT = " << full.dT
      << " K, dm = " << full.dm << ", friction " << full.summary.friction_heat << " J, dissipation "
      << full.summary.dissipated_heat << " J, " << full.summary.steps << " steps, "
      << full.summary.wall_seconds << " s; averaged dT = " << avg.dT << " K (" << 100 * (avg.dT / full.dT - 1)
      << " %), dm = " << avg.dm << " (" << 100 * (avg.dm / full.dm - 1) << " %), friction "
      << avg.summary.friction_heat << " J, dissipation " << avg.summary.dissipated_heat << " J, "
      << avg.summary.steps << " steps, " << avg.summary.wall_seconds << " s";
    INFO(o.str());
    WARN(o.str());
    CHECK(avg.summary.jumped_cycles > 0);
    const int M =
        jumped > 0 ? jumped : static_cast<int>(frequency * 1.0 + 1e-9) - resolved;  // dt_thermal 1 s
    CHECK(avg.summary.steps * (resolved + M) < static_cast<int>(1.1 * resolved * full.summary.steps));
    CHECK(avg.dT == Approx(full.dT).epsilon(tolerance));
    CHECK(avg.dm == Approx(full.dm).epsilon(tolerance));
  }
}
}  // namespace

TEST_CASE("Cycle averaging of a massage gun agrees with the fully resolved run",
          "[session][integration][cycle]") {
  // 2 s at 20 Hz (40 cycles) to keep the fully resolved run short; the 30 s run is the [.benchmark]
  // case below.
  const Model m = box_model();
  SECTION("default windows (3 resolved + 17 jumped cycles), path 2 cm inside the block") {
    compare_gun(m, 2.0, 20, 0.02, {{3, 0}}, 0.05);
  }
  SECTION("shorter windows (3 + 7 cycles) where the path reaches the block's edge") {
    compare_gun(m, 2.0, 20, 0.0, {{3, 7}}, 0.05);
  }
}

TEST_CASE("Cycle averaging of a 30 s massage-gun bout agrees with the fully resolved run within 5 percent",
          "[session][integration][cycle]") {
  // 900 cycles at 30 Hz gliding 2.5 cm/s: windows of 2 resolved + 3 jumped cycles. Longer windows jump
  // the head onto tissue that has not crept under it yet (see the benchmark below and docs/sessions.md).
  const Model m = box_model();
  compare_gun(m, 30.0, 30, 0.02, {{2, 3}}, 0.05);
}

TEST_CASE("Benchmark: 30 s massage gun at 30 Hz, cycle averaging vs fully resolved", "[.benchmark][cycle]") {
  const Model m = box_model();
  SECTION("gliding 2.5 cm/s") {
    compare_gun(m, 30.0, 30, 0.02, {{3, 4}, {2, 5}, {2, 0}}, 0.05);
  }
  SECTION("stationary head") {
    compare_gun(m, 30.0, 30, 0.0, {{2, 3}, {2, 0}}, 0.05, 0.0);
  }
}

TEST_CASE("The massage gun's default 20 steps per cycle match 40 steps per cycle within their tolerance",
          "[session][engine][cycle]") {
  // The default kGunStepsPerCycle (20) against a run 2x finer in time (40): one 1-s window of the gun on the
  // coarse model's gluteus medius (2 cycles resolved at 30 Hz, 28 jumped), and 12 steps (the option's
  // cheaper setting) on the same window. Stated tolerances (docs/techniques.md): viscous heat within 5 %
  // (issue 10's accuracy guard; measured +0.8 % at 20, +3.4 % at 12), friction heat and work within 2 %,
  // peak contact pressure within 6 %, tool force within 2 %.
  auto run = [](int steps_per_cycle) {
    const std::string text = std::string(R"([model]
resolution = "coarse"
[run]
threads = 1
series_every = "0 s"
fields_every = "0 s"
cycle_averaging = true
resolved_cycles = 2
cycle_window = "1 s"
[outputs]
standard = false
[[technique]]
type = "massage_gun"
target = "gluteus_medius_right"
frequency = "30 Hz"
stroke = "12 mm"
glide_speed = "2.5 cm/s"
duration = "1 s"
steps_per_cycle = )") + std::to_string(steps_per_cycle) +
                             "\n";
    const SessionSpec s = parse_session(text, "gun.toml");
    const Model m = Model::from_spec(s.model);
    MemorySink sink;
    Simulation sim(m, s);
    return sim.run(sink);
  };
  const RunSummary reference = run(40);
  CHECK(reference.dissipated_heat > 0);
  for (const int steps : {static_cast<int>(kGunStepsPerCycle), 12}) {
    const RunSummary production = run(steps);
    INFO(steps << " vs 40 steps per cycle: dissipated " << production.dissipated_heat << " / "
               << reference.dissipated_heat << " J, friction " << production.friction_heat << " / "
               << reference.friction_heat << " J, work " << production.work << " / " << reference.work
               << " J, peak pressure " << production.peak_contact_pressure << " / "
               << reference.peak_contact_pressure << " Pa, force " << production.applied_force << " / "
               << reference.applied_force << " N, steps " << production.steps << " / " << reference.steps);
    CHECK(production.rigid_tool_steps > 0);
    CHECK(production.steps * 40 <= reference.steps * steps + 2);
    CHECK(production.dissipated_heat == Approx(reference.dissipated_heat).epsilon(0.05));
    CHECK(production.friction_heat == Approx(reference.friction_heat).epsilon(0.02));
    CHECK(production.work == Approx(reference.work).epsilon(0.02));
    CHECK(production.peak_contact_pressure == Approx(reference.peak_contact_pressure).epsilon(0.06));
    CHECK(production.applied_force == Approx(reference.applied_force).epsilon(0.02));
  }
}

TEST_CASE("A refined substep schedule splits every production step and reaches every breakpoint",
          "[session][engine]") {
  // substep_scale = 0.25 (the accuracy guard's reference) must cut each production substep of a stroke
  // (glide steps, ramp-in and ramp-out breakpoints) into 4 equal parts, not approach a breakpoint
  // geometrically as scaling the remaining distance would.
  ModelSpec ms;
  ms.resolution = "coarse";
  const Model m = Model::from_spec(ms);
  RunSpec rs;
  rs.threads = 1;
  const SessionProblems problems(m, rs, 1);
  Stroking::Options o;
  o.duration = 10;
  Protocol protocol;
  protocol.add(std::make_shared<Stroking>(SkinPatch::of_region(m.mesh, "erector_spinae_right"), o));
  const Real end = protocol.duration();
  ProtocolLoads production(problems, protocol, rs.depth_stiffness, {}, 1.0);
  ProtocolLoads refined(problems, protocol, rs.depth_stiffness, {}, 0.25);
  std::vector<Real> ends;
  for (Real t = 0; t < end - 1e-9;) ends.push_back(t += production.max_substep(t));
  REQUIRE(ends.size() > 3);
  size_t hit = 0;
  int substeps = 0;
  for (Real t = 0; t < end - 1e-9 && substeps < 100000; ++substeps) {
    const Real h = refined.max_substep(t);
    REQUIRE(h > 0);
    t += h;
    if (hit < ends.size() && std::abs(t - ends[hit]) < 1e-9) ++hit;
    CHECK((hit == ends.size() || t <= ends[hit] + 1e-9));  // never past a production step's end
  }
  CHECK(hit == ends.size());
  CHECK(substeps == 4 * static_cast<int>(ends.size()));
}

TEST_CASE("A cycle-jump window creeps the history only over the cycles a gliding tool dwells on a point",
          "[session][engine][cycle]") {
  // A point under a gun gliding at v is pressed for the time its footprint (diameter d) takes to pass, d / v;
  // creeping its slow branches over the whole 10 s window would press it 10x longer.
  RunSpec rs;
  rs.cycle_averaging = true;
  rs.resolved_cycles = 2;
  rs.cycle_window = 10.0;
  const Path line({Vec3(0, 0, 0), Vec3(0, 0.3, 0)});
  auto window = [&](Real glide) {
    MassageGun::Options g;
    g.frequency = 30;
    g.glide_speed = glide;
    g.duration = 60;
    Protocol protocol;
    protocol.add(std::make_shared<MassageGun>(line, g));
    return CycleJumper(protocol, rs).plan(0.0, protocol.duration());
  };
  const MacroPlan gliding = window(0.025), still = window(0.0);
  REQUIRE(gliding.jump);
  CHECK(gliding.jumped == 298);
  const Real d = 2 * Footprint::gun_ball().a;                 // 25 mm ball
  CHECK(gliding.creep_cycles == Approx(d / (0.025 / 30.0)));  // 30 cycles: 1 s under the head
  REQUIRE(still.jump);
  CHECK(still.creep_cycles == Approx(298));  // a head that stays: the whole window

  // A stroke's period is a round trip over the whole path: every point is passed once per period.
  Stroking::Options so;
  so.duration = 120;
  Protocol strokes;
  strokes.add(std::make_shared<Stroking>(line, so));
  RunSpec glide = rs;
  glide.glide_window = 60;
  // (The first window starts after the ramp-in and the first round trip.)
  const Real first = so.ramp + *strokes.at(0.0).technique->period();
  const MacroPlan stroke = CycleJumper(strokes, glide).plan(first, strokes.duration());
  REQUIRE(stroke.jump);
  CHECK(stroke.creep_cycles == Approx(stroke.jumped).epsilon(1e-6));
}

/// [run] settings with cycle averaging on (2 cycles resolved per window) and 1-s macro steps.
RunSpec averaging_run() {
  RunSpec rs;
  rs.cycle_averaging = true;
  rs.resolved_cycles = 2;
  rs.dt_thermal = 1.0;
  return rs;
}

/// The macro steps a jumper plans from t = 0 to T, one after the other (each must advance).
std::vector<MacroPlan> all_plans(const CycleJumper& jumper, Real T) {
  std::vector<MacroPlan> plans;
  for (Real t = 0; t < T - 1e-9;) {
    plans.push_back(jumper.plan(t, T));
    REQUIRE(plans.back().t1 > t);
    t = plans.back().t1;
  }
  return plans;
}

TEST_CASE("An item's last cycle-jump window holds the whole cycles that are left",
          "[session][engine][cycle]") {
  // Kneading at 0.75 Hz for 90 s (67.5 cycles) in 10-s windows of 7 cycles: 9 full windows (63 cycles), then
  // a window of the 4 whole cycles left (2 resolved, 2 jumped), then only the last half cycle resolved.
  RunSpec rs = averaging_run();
  rs.cycle_window = 10.0;
  Kneading::Options k;
  k.frequency = 0.75;
  k.duration = 90;
  Protocol protocol;
  protocol.add(std::make_shared<Kneading>(Path({Vec3(0, 0, 0), Vec3(0, 0.1, 0)}), k));
  const Real P = 1 / 0.75, T = protocol.duration();
  const std::vector<MacroPlan> plans = all_plans(CycleJumper(protocol, rs), T);
  int windows = 0, cycles = 0;
  for (const MacroPlan& p : plans)
    if (p.jump) {
      ++windows;
      cycles += p.resolved + p.jumped;
      CHECK(p.t1 - p.t0 == Approx((p.resolved + p.jumped) * P));
    }
  CHECK(windows == 10);
  CHECK(cycles == 67);
  REQUIRE(plans.size() >= 11);
  const MacroPlan& last_window = plans[9];
  REQUIRE(last_window.jump);
  CHECK(last_window.resolved == 2);
  CHECK(last_window.jumped == 2);
  // What is left after the windows is less than one cycle, resolved with plain macro steps.
  CHECK(T - last_window.t1 == Approx(0.5 * P));
  for (size_t i = 10; i < plans.size(); ++i) CHECK_FALSE(plans[i].jump);
}

TEST_CASE("Repeated cycles add their viscous heat and their work less the energy they stored",
          "[session][engine][cycle]") {
  // A jumped cycle returns the tissue to where it started: the energy the resolved cycle stored (e.g. the
  // first loading from rest) is work done once, not once per jumped cycle.
  StepSources s;
  s.reset(2, 1);
  s.dissipation << 1.0, 2.0;
  s.work = 3.0;
  const StepSources before = s;
  s.dissipation << 2.0, 4.0;  // the resolved cycle: 1 + 2 J of heat, 2 J of work, of which 0.5 J stored
  s.work = 5.0;
  StepSources plain = s;
  s.extrapolate(before, 3.0, 0.5);
  CHECK(s.dissipation[0] == Approx(2.0 + 3 * 1.0));
  CHECK(s.dissipation[1] == Approx(4.0 + 3 * 2.0));
  CHECK(s.work == Approx(5.0 + 3 * (2.0 - 0.5)));
  plain.extrapolate(before, 3.0);  // nothing stored: the whole work repeated
  CHECK(plain.work == Approx(5.0 + 3 * 2.0));
}

TEST_CASE("A glide window resolves a settled round trip: neither the item's first nor one in a force ramp",
          "[session][engine][cycle]") {
  // A glide window repeats its resolved round trip for the jumped ones. The item's first round trip (the
  // tissue loading from rest) and the ramps are not like the others: they are solved in plain macro steps,
  // and every window lies between the end of the first round trip after the ramp-in and the ramp-out.
  RunSpec rs = averaging_run();
  rs.glide_window = 20.0;
  Stroking::Options so;
  so.duration = 90;
  so.ramp = 1.5;
  Protocol protocol;
  protocol.add(std::make_shared<Stroking>(Path({Vec3(0, 0, 0), Vec3(0, 0.15, 0)}), so));
  const Real P = *protocol.at(0.0).technique->period(), T = protocol.duration();
  REQUIRE(P == Approx(4.0));  // 2 x 15 cm at 7.5 cm/s
  int windows = 0;
  Real resolved_until = 0;
  for (const MacroPlan& plan : all_plans(CycleJumper(protocol, rs), T)) {
    if (plan.jump) {
      ++windows;
      CHECK(plan.t0 >= so.ramp + P - 1e-9);
      CHECK(plan.t1 <= T - so.ramp + 1e-9);
      CHECK(plan.resolved_start >= plan.t0);
    } else if (windows == 0) {
      resolved_until = plan.t1;
    }
  }
  CHECK(windows >= 3);
  CHECK(resolved_until == Approx(so.ramp + P));  // the plain steps before the first window end there
}

TEST_CASE("A substep's tone drive is the law's response integrated along the linear pressure path",
          "[session][engine][tone]") {
  // The Hill response P(p) = x / (1 + x), x = (p / p_half)^2, of a pressure rising linearly from 0 to
  // 2 p_half over a substep of length h has the mean 1 - atan(2) / 2 (0.4464); the trapezoid of the end
  // values gives 0.4, 10 % less, and a palm gliding over a point is resolved by one or two substeps.
  ToneParameters tp;
  tp.pressure_half = 3e3;
  tp.pressure_exponent = 2;
  const InhibitionRecoveryLaw law(tp);
  StepSources s;
  s.tone_drive_law = &law;
  s.reset(2, 0);
  REQUIRE(s.tone_drive_law == &law);  // reset keeps the law
  VectorX p0(2), p1(2);
  p0 << 0.0, 1e3;
  p1 << 6e3, 1e3;
  s.add_tone_drive(p0, p1, 0.5);
  CHECK(s.tone_drive_span == Approx(0.5));
  CHECK(s.tone_drive_time[0] / 0.5 == Approx(1 - std::atan(2.0) / 2).epsilon(1e-3));
  CHECK(s.tone_drive_time[1] / 0.5 == Approx(law.pressure_drive(1e3)).epsilon(1e-12));  // constant
  StepSources plain;  // no law: the mean pressure
  plain.reset(2, 0);
  plain.add_tone_drive(p0, p1, 0.5);
  CHECK(plain.tone_drive_time[0] / 0.5 == Approx(3e3));
}

TEST_CASE("Glide windows of strokes on the coarse model agree with every round trip resolved",
          "[session][integration][cycle]") {
  // The glide-window lever (two round trips resolved of every window, the others jumped) against the same 30
  // s of strokes with every round trip resolved on half the substeps (the accuracy guard's reference steps):
  // the changes of tone and of the elastography modulus of the stroked muscle after the item agree within 5 %
  // of the change (the guard's measure). With one round trip resolved per window the modulus change was 9.6 %
  // off; against every round trip on the production substeps the tone change is 5.2 % off, mostly the
  // substeps' sampling of the palm's pressure pulse, which a window repeats instead of averaging it.
  struct Changes {
    Real tone = 0, modulus = 0;  // after the item minus before [-], [Pa]
    int jumped = -1;             // round trips jumped
  };
  auto changes = [](const char* window, const char* substep_scale) {
    const SessionSpec s = parse_session(std::string(R"([model]
resolution = "coarse"
[run]
threads = 2
glide_window = ")") + window +
                                            "\"\nsubstep_scale = " + substep_scale + R"(
[session]
follow_up = "1 s"
[[technique]]
type = "stroking"
target = "erector_spinae_right"
tool = "palm"
force = "20 N"
speed = "7.5 cm/s"
duration = "30 s"
[outputs]
myotonometer = false
)",
                                        "glide.toml");
    const Model m = Model::from_spec(s.model);
    MemorySink sink;
    Simulation sim(m, s);
    const RunSummary r = sim.run(sink);
    Changes c;
    for (const MuscleReport& mr : r.muscles)
      if (mr.region == "erector_spinae_right")
        c = {mr.after_session.tone - mr.before.tone, mr.after_session.shear_modulus - mr.before.shear_modulus,
             r.jumped_cycles};
    return c;
  };
  const Changes windows = changes("15 s", "1"), resolved = changes("0 s", "0.5");
  INFO("tone change " << windows.tone << " (every trip " << resolved.tone << "), modulus change "
                      << windows.modulus << " Pa (" << resolved.modulus << " Pa), jumped " << windows.jumped);
  REQUIRE(windows.jumped > 0);
  REQUIRE(resolved.jumped == 0);
  CHECK(resolved.tone < 0);
  CHECK(std::abs(windows.tone - resolved.tone) < 0.05 * std::abs(resolved.tone));
  CHECK(std::abs(windows.modulus - resolved.modulus) < 0.05 * std::abs(resolved.modulus));
}

TEST_CASE("Cycle jumping keeps the energy budget of gliding strokes: the branches' creep is work or heat",
          "[session][integration][energy]") {
  // 60 s of oiled palm strokes with cycle averaging: one round trip resolved per glide window, the rest
  // jumped. The creep of the slow branches over the jumped round trips changes their stored energy; counted
  // as the tools' work where it grows and as heat where it relaxes, the budget closes as for resolved strokes
  // (+0.1 %; -55 % when the creep's energy was left out, 2026-12-04).
  const SessionSpec s = parse_session(R"([model]
resolution = "coarse"
[run]
threads = 2
dt_thermal = "1 s"
cycle_averaging = true
[session]
follow_up = "30 s"
[[technique]]
type = "stroking"
target = "erector_spinae_right"
tool = "palm"
force = "20 N"
speed = "7.5 cm/s"
lubrication = "oil"
duration = "60 s"
[outputs]
myotonometer = false
)",
                                      "strokes.toml");
  const Model m = Model::from_spec(s.model);
  MemorySink sink;
  Simulation sim(m, s);
  const RunSummary r = sim.run(sink);
  REQUIRE(r.jumped_cycles > 0);
  INFO("work " << r.energy.work << " J, stored " << r.energy.stored_change << " J, dissipated "
               << r.energy.dissipated << " J, cycles resolved " << r.resolved_cycles << ", jumped "
               << r.jumped_cycles);
  CHECK(r.energy.work > 0.05);
  CHECK(std::abs(r.energy.mechanical_imbalance()) < 0.08);
}

TEST_CASE(
    "Myotonometer readings of several sites on the coarse model are taken in parallel with the same results",
    "[session][integration]") {
  // Each site's reading is its own run on its own local model: one site per thread, results identical to
  // the serial readings.
  auto readings = [](int threads) {
    const SessionSpec s = parse_session(R"([model]
resolution = "coarse"
[run]
threads = )" + std::to_string(threads) + R"(
[[technique]]
type = "static_compression"
target = "erector_spinae_right"
force = "20 N"
hold = "1 s"
[[technique]]
type = "static_compression"
target = "erector_spinae_left"
force = "20 N"
hold = "1 s"
)",
                                        "sites.toml");
    const Model m = Model::from_spec(s.model);
    Simulation sim(m, s, RunContext{});
    MemorySink sink;
    sim.run(sink);
    std::vector<double> out;
    for (const char* g : {"erector_spinae_right", "erector_spinae_left"})
      for (const char* q : {"myoton_frequency", "myoton_stiffness", "myoton_decrement"}) {
        const auto& v = sink.series(g, q);
        out.insert(out.end(), v.begin(), v.end());
      }
    return out;
  };
  const std::vector<double> serial = readings(1), parallel = readings(2);
  REQUIRE(serial.size() >= 6);
  CHECK(serial == parallel);
  CHECK(serial.front() > 1.0);  // a frequency was read [Hz]
}
