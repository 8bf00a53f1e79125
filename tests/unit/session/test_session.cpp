// Session files, tissue tables, and an end-to-end run on the coarse default model.
#include <catch2/catch.hpp>
#include <filesystem>

#include "libtissue/io/memory_sink.hpp"
#include "libtissue/session/model.hpp"
#include "libtissue/session/session_file.hpp"
#include "libtissue/session/simulation.hpp"

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
  fails_with("[[technique]]\ntype = \"static_compression\"\ntarget = \"erector_spinae_right\"\nforce = \"-30 N\"\n",
             "bad.toml:4:9: technique[0].force: must be positive");
  fails_with("[[technique]]\ntype = \"static_compression\"\ntarget = \"erector_spinae_right\"\nforce = \"30 furlongs\"\n",
             "technique[0].force: unknown unit 'furlongs'");
  fails_with("[[technique]]\ntype = \"static_compression\"\ntarget = \"erector_spinae_right\"\nforce = 30\n",
             "technique[0].force: needs a unit");
  fails_with("[[technique]]\ntype = \"static_compression\"\ntarget = \"erector_spinae_right\"\nforce = \"3 m/s\"\n",
             "expected a force (N)");
  fails_with("[[technique]]\ntype = \"static_compression\"\ntarget = \"erector_spinae_right\"\n",
             "technique[0].force: missing required field");
  fails_with("[model]\nresolutoin = \"coarse\"\n", "bad.toml:2:1: model.resolutoin: unknown field");
  fails_with("[model]\nresolution = \"huge\"\n", "model.resolution: unknown resolution 'huge'");
  fails_with("[[technique]]\ntype = \"static_compression\"\ntool = \"elbow\"\ntarget = \"x\"\nforce = \"1 N\"\n",
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
  CHECK_THROWS_WITH(bad.add_toml("tissue = \"x\"\n[hyperelastic]\nlaw = \"neo_hookean\"\nmu = { value = -3, unit = \"Pa\" }\n"
                                 "kappa = { value = 300, unit = \"Pa\" }\n[thermal_shift]\n[bioheat]\n",
                                 "x.toml"),
                    Catch::Contains("x.mu"));
}

TEST_CASE("A palm press on the coarse model: force balance, locality and results", "[session][integration]") {
  const SessionSpec s = parse_session(kSession, "test.toml");
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
  CHECK(peak("erector_spinae_right").peak_pressure > 1e3);                     // kPa range under 40 N
  CHECK(peak("erector_spinae_right").peak_displacement < 0.02);                // below 2 cm
  CHECK(r.peak_contact_pressure > 40.0 / Footprint::palm().area());           // above the mean pressure
  // the results hold the mesh, fields and series
  REQUIRE(sink.mesh().has_value());
  CHECK(sink.find_field("displacement", 0) != nullptr);
  const auto& force = sink.series("session", "tool_force");
  CHECK(force.back() == Approx(40.0));
}
