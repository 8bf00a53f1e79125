// [tissue.<name>] tables of session files: entries of the tissue tables changed with units, errors naming the
// file, line and field, and the changed parameters reaching the built model (tissues and muscle regions).
#include <catch2/catch.hpp>
#include <string>

#include "libtissue/material/tissue_material.hpp"
#include "libtissue/session/model.hpp"
#include "libtissue/session/session_file.hpp"
#include "libtissue/session/simulation.hpp"
#include "libtissue/session/tissue_library.hpp"

using namespace tissue;
using Catch::Matchers::Contains;

namespace {

/// A session on the coarse model with `tissue` appended (its first line is line 6).
SessionSpec session_with(const std::string& tissue) {
  return parse_session(
      "[model]\nresolution = \"coarse\"\n[[technique]]\ntype = \"rest\"\nduration = \"1 s\"\n" + tissue,
      "t.toml");
}

/// The error message of a session with `tissue` appended.
std::string error_of(const std::string& tissue) {
  try {
    session_with(tissue);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

/// Small-strain shear modulus of a parameter set [Pa].
Real mu_of(const TissueParameters& p) {
  return small_strain_shear_modulus(p.material.elastic.iso);
}

/// A minimal muscle table with one per-region override (as data/materials/muscle.toml may have).
constexpr const char* kMuscleTable = R"toml(tissue = "muscle"
[hyperelastic]
law = "neo_hookean"
mu = { value = 2, unit = "kPa" }
kappa = { value = 200, unit = "kPa" }
[[prony]]
g = { value = 0.5, unit = "1" }
tau = { value = 6, unit = "s" }
[thermal_shift]
T_ref = { value = 310.15, unit = "K" }
activation_energy = { value = 16.1, unit = "kJ/mol" }
modulus_coefficient = { value = 0.02, unit = "1/K" }
T_min = { value = 288.15, unit = "K" }
T_max = { value = 328.15, unit = "K" }
[bioheat]
density = { value = 1000, unit = "kg/m^3" }
specific_heat = { value = 3500, unit = "J/(kg K)" }
conductivity = { value = 0.5, unit = "W/(m K)" }
perfusion = { value = 30, unit = "mL/min/kg" }
metabolic_heat = { value = 1, unit = "W/kg" }
[overrides.erector_spinae.hyperelastic]
mu = { value = 5, unit = "kPa" }
)toml";

}  // namespace

TEST_CASE("tissue: [tissue.<name>] entries are read with units into the model spec", "[session][tissue]") {
  const SessionSpec s = session_with(R"([tissue.muscle]
hyperelastic.mu = "2.5 kPa"
bioheat.perfusion = "50 mL/min/kg"
[tissue.skin]
prony.0.tau = "3 s"
prony.1.g = 0.1
)");
  REQUIRE(s.model.tissue.size() == 4);
  CHECK(s.model.tissue[0].tissue == "muscle");
  CHECK(s.model.tissue[0].entry == "hyperelastic.mu");
  CHECK(s.model.tissue[0].value == "2.5 kPa");
  CHECK(s.model.tissue[0].field() == "tissue.muscle.hyperelastic.mu");
  CHECK(s.model.tissue[0].where.line == 7);
  CHECK(s.model.tissue[2].field() == "tissue.skin.prony[0].tau");
  CHECK(s.model.tissue[3].value == "0.1");

  const TissueLibrary base = TissueLibrary::defaults();
  const TissueLibrary lib = base.with_overrides(s.model.tissue);
  const TissueParameters& muscle = lib.tissue("muscle");
  CHECK(mu_of(muscle) == 2500.0);  // written in SI, read back exactly
  CHECK(muscle.thermal.perfusion == Approx(50e-6 / 60 * muscle.thermal.density).epsilon(1e-12));
  CHECK(lib.tissue("skin").material.prony.terms.at(0).tau == 3.0);
  CHECK(lib.tissue("skin").material.prony.terms.at(1).g == 0.1);
  // Everything else keeps the table's values.
  CHECK(muscle.material.elastic.vol.kappa == base.tissue("muscle").material.elastic.vol.kappa);
  CHECK(lib.tissue("skin").material.prony.terms.at(1).tau ==
        base.tissue("skin").material.prony.terms.at(1).tau);
  CHECK(mu_of(lib.tissue("fat")) == mu_of(base.tissue("fat")));
  // The same tables written as [tissue.muscle.hyperelastic] (how a sweep writes them) are the same entries.
  const SessionSpec t = session_with("[tissue.muscle.hyperelastic]\nmu = \"2.5 kPa\"\n");
  REQUIRE(t.model.tissue.size() == 1);
  CHECK(t.model.tissue[0].field() == "tissue.muscle.hyperelastic.mu");
}

TEST_CASE("tissue: bad entries name the file, line and field", "[session][tissue]") {
  CHECK_THAT(error_of("[tissue.muscle]\nhyperelastic.mu = \"2.5 N\"\n"),
             Contains("t.toml:7:19: tissue.muscle.hyperelastic.mu: expected a pressure (Pa)") &&
                 Contains("'2.5 N' is a force"));
  CHECK_THAT(error_of("[tissue.muscle]\nhyperelastic.mu = 2500\n"),
             Contains("t.toml:7:19: tissue.muscle.hyperelastic.mu: needs a unit") && Contains("\"2500 Pa\""));
  CHECK_THAT(error_of("[tissue.muscle]\nhyperelastic.mu = \"2.5 GPa\"\n"),
             Contains("t.toml:7:19: tissue.muscle.hyperelastic.mu") &&
                 Contains("outside the plausible range 0 Pa .."));
  CHECK_THAT(error_of("[tissue.muscle]\nhyperelastic.mu = \"-2 kPa\"\n"), Contains("plausible range"));
  CHECK_THAT(error_of("[tissue.muscle]\nthermal_shift.T_ref = \"150 degC\"\n"),
             Contains("tissue.muscle.thermal_shift.T_ref") && Contains("a tissue temperature"));
  CHECK_THAT(error_of("[tissue.fat]\nbioheat.metabolic_heat = \"2000 W/kg\"\n"),
             Contains("tissue.fat.bioheat.metabolic_heat") && Contains("largest bioheat.metabolic_heat"));
  CHECK_THAT(
      error_of("[tissue.muscle]\nhyperelastic.mv = \"2 kPa\"\n"),
      Contains("t.toml:7:19: tissue.muscle.hyperelastic.mv: unknown field") && Contains("hyperelastic.mu"));
  CHECK_THAT(error_of("[tissue.muscle]\nhyperelastic.law = \"neo_hookean\"\n"),
             Contains("not a numeric entry"));
  CHECK_THAT(error_of("[tissue.skin]\nprony.2.tau = \"3 s\"\n"),
             Contains("t.toml:7:15: tissue.skin.prony[2].tau: unknown field") && Contains("prony.1.tau"));
  CHECK_THAT(error_of("[tissue.skin]\nprony.0.g = 0.9\n"),
             Contains("t.toml:7:13: tissue.skin.prony[0].g") && Contains("sum to 1.1"));
  CHECK_THAT(error_of("[tissue.muscle]\nhyperelastic.mu = true\n"),
             Contains("tissue.muscle.hyperelastic.mu: must be a quantity"));
  CHECK_THAT(error_of("[tissue]\nmuscle = 3\n"), Contains("t.toml:7:10: tissue.muscle: must be a table"));
  CHECK_THAT(error_of("[tissue.muscle]\nhyperelastic.mu = \"2 kPa\"\n[tisue.skin]\n"),
             Contains("t.toml:8:2: tisue: unknown field"));
}

TEST_CASE("tissue: the changed entries reach the built model, tissues and muscle regions",
          "[session][tissue]") {
  const SessionSpec s = session_with(R"([tissue.muscle]
hyperelastic.mu = "2.5 kPa"
[tissue.erector_spinae]
bioheat.perfusion = "60 mL/min/kg"
[tissue.gluteus_medius_left]
hyperelastic.mu = "4 kPa"
[tissue.skin]
hyperelastic.mu = "1.5 MPa"
)");
  const Model m = Model::from_spec(s.model);
  const Model plain = Model::from_spec(session_with("").model);
  int muscles = 0;
  for (const auto& r : m.mesh.regions.all()) {
    const TissueParameters& p = m.tissues.at(static_cast<std::size_t>(m.mesh.regions.id(r.name)));
    const TissueParameters& q = plain.tissues.at(static_cast<std::size_t>(plain.mesh.regions.id(r.name)));
    if (r.name == "skin") CHECK(mu_of(p) == 1.5e6);
    if (r.name == "fat") CHECK(mu_of(p) == mu_of(q));
    if (r.kind != TissueKind::muscle) continue;
    ++muscles;
    CHECK(mu_of(p) == (r.name == "gluteus_medius_left" ? 4000.0 : 2500.0));
    if (r.name.rfind("erector_spinae", 0) == 0)
      CHECK(p.thermal.perfusion == Approx(60e-6 / 60 * p.thermal.density).epsilon(1e-12));
    else
      CHECK(p.thermal.perfusion == q.thermal.perfusion);
    CHECK(p.material.prony.terms.at(0).tau == q.material.prony.terms.at(0).tau);
  }
  CHECK(muscles == 8);
  // The solid gets the changed law.
  const auto mech = m.region_mechanics();
  const auto& law = mech.at(static_cast<std::size_t>(m.mesh.regions.id("multifidus_right"))).law;
  REQUIRE(std::holds_alternative<TissueMaterial>(law));
  CHECK(small_strain_shear_modulus(std::get<TissueMaterial>(law).elastic.iso) == 2500.0);
  // A name that is no tissue and no muscle of the model is reported when the model is built.
  const SessionSpec bad = session_with("[tissue.biceps]\nhyperelastic.mu = \"3 kPa\"\n");
  CHECK_THROWS_WITH(Model::from_spec(bad.model),
                    Contains("t.toml:7:19: tissue.biceps: unknown tissue or muscle 'biceps'") &&
                        Contains("erector_spinae_left"));
}

TEST_CASE("tissue: region overrides of a table layer the table's own [overrides] and the changes",
          "[session][tissue]") {
  TissueLibrary lib;
  lib.add_toml(kMuscleTable, "m.toml");
  REQUIRE(mu_of(lib.tissue("erector_spinae")) == 5000.0);
  REQUIRE(lib.tissue("erector_spinae").thermal.perfusion == lib.tissue("muscle").thermal.perfusion);
  const SourceLocation here{"s.toml", 3, 1};
  const TissueLibrary changed = lib.with_overrides({{"muscle", "bioheat.perfusion", "40 mL/min/kg", here},
                                                    {"muscle", "hyperelastic.mu", "3 kPa", here},
                                                    {"erector_spinae_left", "prony.0.tau", "2 s", here}});
  // The table's region keeps its own mu and gets the muscle's new perfusion.
  CHECK(mu_of(changed.tissue("muscle")) == 3000.0);
  CHECK(mu_of(changed.tissue("erector_spinae")) == 5000.0);
  CHECK(changed.tissue("erector_spinae").thermal.perfusion == Approx(40e-6 / 60 * 1000).epsilon(1e-12));
  // A sided region: the muscle, then [overrides.erector_spinae], then its own change.
  const Region left{"erector_spinae_left", TissueKind::muscle, Side::left};
  const Region right{"erector_spinae_right", TissueKind::muscle, Side::right};
  CHECK(mu_of(changed.for_region(left)) == 5000.0);
  CHECK(changed.for_region(left).material.prony.terms.at(0).tau == 2.0);
  CHECK(changed.for_region(right).material.prony.terms.at(0).tau == 6.0);
  CHECK(changed.has_table("muscle"));
  CHECK_FALSE(changed.has_table("erector_spinae"));
  // A second change of one entry (the muscle's, then the region's) is checked in the table's own unit.
  try {
    lib.with_overrides({{"muscle", "bioheat.perfusion", "40 mL/min/kg", here},
                        {"erector_spinae_left", "bioheat.perfusion", "50000 mL/min/kg", here}});
    FAIL("no error for 50000 mL/min/kg");
  } catch (const InputError& e) {
    CHECK_THAT(e.what(),
               Contains("s.toml:3:1: tissue.erector_spinae_left.bioheat.perfusion: 50000 mL/min/kg is "
                        "outside the plausible range 0 mL/min/kg .. 40000 mL/min/kg"));
  }
  // The API's errors carry the override's place.
  CHECK_THROWS_WITH(lib.with_overrides({{"muscle", "bioheat.perfusion", "40 N", here}}),
                    Contains("s.toml:3:1: tissue.muscle.bioheat.perfusion: expected a"));
}

TEST_CASE("tissue: a table's entries are listed with value, unit and status (tissue techniques)",
          "[session][tissue]") {
  TissueLibrary lib;
  lib.add_toml(kMuscleTable, "muscle.toml");
  const auto entries = lib.entries("muscle");
  auto find = [&](const std::string& key) -> const TissueEntry* {
    for (const auto& e : entries)
      if (e.key == key) return &e;
    return nullptr;
  };
  const TissueEntry* mu = find("hyperelastic.mu");
  REQUIRE(mu);
  CHECK(mu->value == "2");
  CHECK(mu->unit == "kPa");
  REQUIRE(find("prony.0.tau"));
  CHECK(find("prony.0.tau")->unit == "s");
  CHECK(find("bioheat.perfusion"));
  CHECK_FALSE(find("hyperelastic.law"));                // text, not a numeric entry
  CHECK_FALSE(find("erector_spinae.hyperelastic.mu"));  // [overrides] are not entries of the table
  CHECK(entries.size() == 14);
  CHECK_THROWS_WITH(lib.entries("skin"), Contains("no table for 'skin'") && Contains("muscle"));
  // Every entry of every shipped table can be written back as an override of its own value and unit.
  const TissueLibrary shipped = TissueLibrary::defaults();
  for (const std::string& name : shipped.names()) {
    if (!shipped.has_table(name)) continue;
    std::vector<TissueOverride> same;
    for (const auto& e : shipped.entries(name))
      same.push_back({name, e.key, e.unit == "1" ? e.value : e.value + " " + e.unit, {}});
    INFO(name);
    CHECK_NOTHROW(shipped.with_overrides(same));
  }
}

TEST_CASE("tissue: a Simulation refuses a model built without the session's tissue changes",
          "[session][tissue]") {
  const SessionSpec s = session_with("[tissue.muscle]\nhyperelastic.mu = \"2.5 kPa\"\n");
  const Model plain = Model::lumbar_hip(Resolution::coarse);
  CHECK_THROWS_WITH(Simulation(plain, s), Contains("model.tissue") && Contains("Model::from_spec"));
  const Model built = Model::from_spec(s.model);
  CHECK(built.tissue_changes == s.model.tissue);
  CHECK_NOTHROW(Simulation(built, s));
  // ... and a model built with changes the session does not have.
  CHECK_THROWS_WITH(Simulation(built, session_with("")), Contains("model.tissue"));
}
