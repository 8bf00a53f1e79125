// Sweep files and their cases (libtissue/study): grid and list products, ranges with units, Latin hypercube
// strata, overrides reaching the parsed session, errors naming the sweep file and key; the study table of a
// folder without runs.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <set>

#include "libtissue/material/tissue_material.hpp"
#include "libtissue/session/tissue_library.hpp"
#include "libtissue/study/outcomes.hpp"
#include "libtissue/study/study.hpp"
#include "libtissue/study/sweep.hpp"
#include "unit/io/tmp_dir.hpp"

using namespace tissue;
using Catch::Matchers::Contains;

namespace {

constexpr const char* kBase = R"([model]
resolution = "coarse"
[session]
follow_up = "2 s"
[[technique]]
type = "stroking"
target = "erector_spinae_right"
force = "20 N"
duration = "4 s"
[[technique]]
type = "rest"
duration = "1 s"
)";

/// A sweep parsed from `text` with the base session above beside it.
Sweep sweep_of(const testing::TempDir& dir, const std::string& text) {
  std::ofstream(dir / "base.toml") << kBase;
  std::ofstream(dir / "sweep.toml") << text;
  return read_sweep_file(dir / "sweep.toml");
}

/// The stroking options of the first item of a case.
StrokingOptions stroke(const Sweep& s, int index) {
  return std::get<StrokingOptions>(case_session(s, index).protocol.at(0).options);
}

}  // namespace

TEST_CASE("sweep: a grid is the product of its lists and ranges, the last parameter fastest", "[study]") {
  testing::TempDir dir;
  const Sweep s = sweep_of(dir, R"(base = "base.toml"
[[parameter]]
key = "technique.0.force"
range = ["10 N", "30 N"]
steps = 3
[[parameter]]
key = "technique.0.speed"
values = ["5 cm/s", "10 cm/s"]
[[parameter]]
key = "technique.0.lubrication"
values = ["oil", "dry"]
)");
  REQUIRE(s.cases.size() == 12);
  REQUIRE(s.parameters.size() == 3);
  CHECK(s.parameters[0].values[1].text == "20 N");
  CHECK(s.parameters[0].values[2].si == Approx(30.0));
  CHECK(s.parameters[1].values[0].si == Approx(0.05));
  CHECK(std::isnan(s.parameters[2].values[0].si));
  CHECK(s.cases[1].values[2].text == "dry");
  CHECK(s.cases[2].values[1].text == "10 cm/s");
  CHECK(s.cases[11].values[0].text == "30 N");
  std::set<std::string> combos;
  for (const auto& c : s.cases) combos.insert(c.values[0].text + c.values[1].text + c.values[2].text);
  CHECK(combos.size() == 12);
  CHECK(s.collect == default_outcome_kinds());
}

TEST_CASE("sweep: a case's values reach the parsed session", "[study]") {
  testing::TempDir dir;
  const Sweep s = sweep_of(dir, R"(base = "base.toml"
resolution = "coarse"
[[parameter]]
key = "technique.0.force"
values = ["15 N", "0.04 kN"]
[[parameter]]
key = "run.air_temperature"
values = ["25 degC"]
[[parameter]]
key = "patient.resting_tone"
values = [0.2]
[[parameter]]
key = "technique.0.lubrication"
values = ["dry"]
)");
  REQUIRE(s.cases.size() == 2);
  CHECK(stroke(s, 0).force == Approx(15.0));
  CHECK(stroke(s, 1).force == Approx(40.0));
  CHECK(stroke(s, 1).mu == Approx(friction::dry_skin));
  const SessionSpec spec = case_session(s, 0);
  CHECK(spec.run.air_temperature == Approx(kCelsius + 25.0));
  REQUIRE(spec.patient.resting_tone);
  CHECK(*spec.patient.resting_tone == Approx(0.2));
  CHECK(spec.model.resolution == "coarse");
  CHECK(spec.follow_up == Approx(2.0));  // the rest of the base is kept
  CHECK(spec.text == case_session_text(s, 0));
  CHECK_THAT(spec.text, Contains("force = '15 N'") || Contains("force = \"15 N\""));
}

TEST_CASE("sweep: Latin hypercube points fall one per stratum along every axis", "[study]") {
  const int n = 16, dims = 3;
  const auto points = latin_hypercube(n, dims, 42);
  REQUIRE(points.size() == std::size_t(n));
  for (int d = 0; d < dims; ++d) {
    std::set<int> strata;
    for (const auto& p : points) {
      REQUIRE(p[std::size_t(d)] >= 0.0);
      REQUIRE(p[std::size_t(d)] < 1.0);
      strata.insert(static_cast<int>(std::floor(p[std::size_t(d)] * n)));
    }
    CHECK(strata.size() == std::size_t(n));  // n points in n strata: one each
  }
  CHECK(latin_hypercube(n, dims, 42) == points);  // the seed fixes the design
  CHECK(latin_hypercube(n, dims, 43) != points);

  testing::TempDir dir;
  const Sweep s = sweep_of(dir, R"(base = "base.toml"
sampling = "latin_hypercube"
samples = 8
seed = 7
[[parameter]]
key = "technique.0.force"
range = ["10 N", "30 N"]
[[parameter]]
key = "technique.0.speed"
range = ["2 cm/s", "10 cm/s"]
)");
  REQUIRE(s.cases.size() == 8);
  std::set<int> force_strata, speed_strata;
  for (const auto& c : s.cases) {
    force_strata.insert(static_cast<int>((c.values[0].si - 10.0) / 20.0 * 8));
    speed_strata.insert(static_cast<int>((c.values[1].si - 0.02) / 0.08 * 8));
    CHECK(stroke(s, c.index).force == Approx(c.values[0].si).epsilon(1e-9));
    CHECK(stroke(s, c.index).speed == Approx(c.values[1].si).epsilon(1e-9));
  }
  CHECK(force_strata.size() == 8);
  CHECK(speed_strata.size() == 8);
}

TEST_CASE("sweep: bad keys and values name the sweep file, line and key", "[study]") {
  testing::TempDir dir;
  const std::string head = "base = \"base.toml\"\n[[parameter]]\n";
  // A technique block the base does not have.
  CHECK_THROWS_WITH(
      sweep_of(dir, head + "key = \"technique.5.force\"\nvalues = [\"10 N\"]\n"),
      Contains("sweep.toml:2:") && Contains("technique.5.force") && Contains("2 [[technique]] blocks"));
  // A key the session parser does not know: its own message, at the [[parameter]].
  CHECK_THROWS_WITH(sweep_of(dir, head + "key = \"technique.0.forse\"\nvalues = [\"10 N\"]\n"),
                    Contains("sweep.toml:2:") && Contains("technique[0].forse") && Contains("unknown field"));
  // A value the parser rejects, with the case that carries it.
  CHECK_THROWS_WITH(sweep_of(dir, head + "key = \"technique.0.force\"\nvalues = [\"20 N\", \"1e9 N\"]\n"),
                    Contains("technique[0].force") && Contains("plausible range") && Contains("case 1"));
  CHECK_THROWS_WITH(sweep_of(dir, head + "key = \"technique.0.force\"\nvalues = [\"20 m\"]\n"),
                    Contains("technique[0].force") && Contains("force"));
  // The sweep file's own fields.
  CHECK_THROWS_WITH(sweep_of(dir, "base = \"base.toml\"\nparamter = 1\n"),
                    Contains("sweep.toml:2:1") && Contains("paramter") && Contains("unknown field"));
  CHECK_THROWS_WITH(
      sweep_of(dir, head + "key = \"technique.0.force\"\nrange = [\"10 N\", \"3 cm\"]\nsteps = 2\n"),
      Contains("sweep.toml:4:") && Contains("parameter[0].range") && Contains("dimension"));
  CHECK_THROWS_WITH(sweep_of(dir, head + "key = \"technique.0.force\"\nrange = [\"10 N\", \"30 N\"]\n"),
                    Contains("parameter[0].steps"));
  CHECK_THROWS_WITH(
      sweep_of(dir, "base = \"nope.toml\"\n" + std::string("[[parameter]]\nkey = \"a\"\nvalues = [1]\n")),
      Contains("sweep.toml:1:") && Contains("nope.toml"));
  CHECK_THROWS_WITH(
      sweep_of(dir,
               head + "key = \"technique.0.force\"\nvalues = [\"10 N\"]\n[outputs]\ncollect = [\"x\"]\n"),
      Contains("outputs.collect") && Contains("unknown outcome 'x'"));
}

TEST_CASE("sweep: tissue parameters are keys like any other, with units", "[study][tissue]") {
  testing::TempDir dir;
  const Sweep s = sweep_of(dir, R"(base = "base.toml"
[[parameter]]
key = "tissue.muscle.hyperelastic.mu"
range = ["2 kPa", "4 kPa"]
steps = 3
[[parameter]]
key = "tissue.skin.prony.0.tau"
values = ["0.5 s", "2 s"]
)");
  REQUIRE(s.cases.size() == 6);
  CHECK(s.parameters[0].values[1].text == "3 kPa");
  CHECK(s.parameters[0].values[1].si == Approx(3000.0));
  CHECK(s.parameters[0].dimension == "pressure (Pa)");
  const TissueLibrary defaults = TissueLibrary::defaults();
  for (const auto& c : s.cases) {
    const SessionSpec spec = case_session(s, c.index);
    REQUIRE(spec.model.tissue.size() == 2);
    CHECK(spec.model.tissue[0].field() == "tissue.muscle.hyperelastic.mu");
    CHECK(spec.model.tissue[0].value == c.values[0].text);
    const TissueLibrary lib = defaults.with_overrides(spec.model.tissue);
    CHECK(small_strain_shear_modulus(lib.tissue("muscle").material.elastic.iso) == Approx(c.values[0].si));
    CHECK(lib.tissue("skin").material.prony.terms.at(0).tau == Approx(c.values[1].si));
    CHECK(stroke(s, c.index).force == Approx(20.0));  // the rest of the base is unchanged
  }
  CHECK(case_session_text(s, 5).find("4 kPa") != std::string::npos);
  // The tissue parser's errors come back at the [[parameter]] with the case.
  const std::string head = "base = \"base.toml\"\n[[parameter]]\n";
  CHECK_THROWS_WITH(
      sweep_of(dir, head + "key = \"tissue.muscle.hyperelastic.mu\"\nvalues = [\"2 kPa\", \"9 GPa\"]\n"),
      Contains("sweep.toml:2:") && Contains("tissue.muscle.hyperelastic.mu") && Contains("plausible range") &&
          Contains("case 1"));
  CHECK_THROWS_WITH(sweep_of(dir, head + "key = \"tissue.muscle.hyperelastic.mu\"\nvalues = [\"2 cm\"]\n"),
                    Contains("sweep.toml:2:") && Contains("expected a pressure"));
  CHECK_THROWS_WITH(
      sweep_of(dir, head + "key = \"tissue.skin.prony.5.tau\"\nvalues = [\"2 s\"]\n"),
      Contains("sweep.toml:2:") && Contains("tissue.skin.prony[5].tau") && Contains("unknown field"));
}

TEST_CASE("sweep: outcome selection by kind and muscle", "[study]") {
  CHECK(outcome_selected("tone_change.erector_spinae_right", {"tone_change"}, {}));
  CHECK(outcome_selected("tone_change.erector_spinae_right", {"tone_change"}, {"erector_spinae"}));
  CHECK_FALSE(outcome_selected("tone_change.gluteus_maximus_left", {"tone_change"}, {"erector_spinae"}));
  CHECK_FALSE(outcome_selected("work", {"tone_change"}, {}));
  CHECK(outcome_selected("work", {"work"}, {"erector_spinae"}));
  CHECK(is_muscle_outcome("peak_temperature"));
  CHECK_FALSE(is_muscle_outcome("work"));
}

TEST_CASE("study: a folder without runs has every case missing in its table", "[study]") {
  testing::TempDir dir;
  const Sweep s = sweep_of(dir,
                           "base = \"base.toml\"\n[[parameter]]\nkey = \"technique.0.force\"\n"
                           "values = [\"10 N\", \"20 N\"]\n");
  CHECK(case_file(dir / "study", 3).filename() == "case_0003.h5");
  CHECK(case_status(case_file(dir / "study", 0)) == CaseStatus::missing);
  std::filesystem::create_directories(dir / "study");
  const StudyTable t = write_study(s, dir / "study");
  CHECK(t.cases == std::vector<int>{0, 1});
  CHECK(t.status == std::vector<std::string>{"missing", "missing"});
  CHECK(t.outcomes.empty());
  std::ifstream csv(dir / "study" / "study.csv");
  std::string header, row;
  std::getline(csv, header);
  std::getline(csv, row);
  CHECK(header == "case,technique.0.force,status");
  CHECK(row == "0,10,missing");
  CHECK(std::filesystem::exists(dir / "study" / "study.h5"));
}

TEST_CASE("sweep: the shipped example is force x speed x lubrication of strokes", "[study]") {
  const Sweep s = read_sweep_file(std::filesystem::path(TISSUE_SOURCE_DIR) / "data/sweeps/strokes.toml");
  REQUIRE(s.cases.size() == 18);
  CHECK(s.parameters[0].values[1].text == "25 N");
  const SessionSpec last = case_session(s, 17);
  CHECK(last.model.resolution == "coarse");
  REQUIRE(last.protocol.size() == 1);
  CHECK(last.protocol[0].target == "erector_spinae_right");
  const auto& o = std::get<StrokingOptions>(last.protocol[0].options);
  CHECK(o.force == Approx(40.0));
  CHECK(o.speed == Approx(0.15));
  CHECK(o.mu == Approx(friction::dry_skin));
}

TEST_CASE("sweep: the shipped tissue example is muscle stiffness x perfusion", "[study][tissue]") {
  const Sweep s = read_sweep_file(std::filesystem::path(TISSUE_SOURCE_DIR) / "data/sweeps/tissue.toml");
  REQUIRE(s.cases.size() == 6);
  CHECK(s.parameters[0].values[1].text == "2.5 kPa");
  const SessionSpec last = case_session(s, 5);
  const TissueLibrary library = TissueLibrary::defaults().with_overrides(last.model.tissue);
  const TissueParameters& muscle = library.tissue("muscle");
  CHECK(small_strain_shear_modulus(muscle.material.elastic.iso) == Approx(4000.0));
  CHECK(muscle.thermal.perfusion == Approx(60e-6 / 60 * muscle.thermal.density).epsilon(1e-12));
}
