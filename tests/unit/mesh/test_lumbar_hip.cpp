#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <set>

#include "libtissue/core/error.hpp"
#include "libtissue/mesh/geometry.hpp"
#include "libtissue/mesh/lumbar_hip.hpp"

using namespace tissue;

namespace {
const Mesh& standard_model() {
  static const Mesh m = generate_lumbar_hip(Resolution::standard);
  return m;
}
const char* kRegionNames[] = {"skin",
                              "fat",
                              "fascia",
                              "erector_spinae_left",
                              "erector_spinae_right",
                              "multifidus_left",
                              "multifidus_right",
                              "quadratus_lumborum_left",
                              "quadratus_lumborum_right",
                              "gluteus_medius_left",
                              "gluteus_medius_right"};
}  // namespace

TEST_CASE("Resolution names parse and print", "[mesh][lumbar_hip]") {
  CHECK(parse_resolution("coarse") == Resolution::coarse);
  CHECK(parse_resolution("default") == Resolution::standard);
  CHECK(parse_resolution("fine") == Resolution::fine);
  CHECK(to_string(Resolution::standard) == "default");
  CHECK(parse_resolution(to_string(Resolution::fine)) == Resolution::fine);
  CHECK_THROWS_WITH(parse_resolution("medium"), Catch::Contains("resolution") &&
                                                    Catch::Contains("'medium'") &&
                                                    Catch::Contains("coarse, default, fine"));
}

TEST_CASE("Default dimensions come from the embedded TOML, in SI units", "[mesh][lumbar_hip]") {
  const auto d = LumbarHipDimensions::defaults();
  CHECK(d.skin_thickness == Approx(0.002));
  CHECK(d.fat_thickness == Approx(0.009));
  CHECK(d.fascia_thickness == Approx(0.001));
  CHECK(d.muscle_thickness == Approx(0.038));
  CHECK(d.half_width == Approx(0.14));
  CHECK(d.height == Approx(0.35));
  CHECK(d.erector_spinae_csa == Approx(9.12e-4));
  CHECK(d.trochanter.isApprox(Vec3(0.16, -0.04, -0.04)));
  CHECK(d.multifidus_tilt == Approx(15.0 * std::numbers::pi / 180.0));
  // Every value in the shipped file carries a source.
  const std::string_view text = LumbarHipDimensions::default_toml();
  size_t values = 0, sources = 0;
  for (size_t p = text.find("value ="); p != std::string_view::npos; p = text.find("value =", p + 1))
    ++values;
  for (size_t p = text.find("source ="); p != std::string_view::npos; p = text.find("source =", p + 1))
    ++sources;
  CHECK(values == 21);
  CHECK(sources == values);
}

TEST_CASE("Dimension files report file, line and field on bad values", "[mesh][lumbar_hip]") {
  const auto dir = std::filesystem::temp_directory_path();
  const auto write = [&](const std::string& name, const std::string& text) {
    const auto path = (dir / name).string();
    std::ofstream(path) << text;
    return path;
  };
  std::string text(LumbarHipDimensions::default_toml());
  // A file identical to the defaults reads to the same values.
  const auto same = LumbarHipDimensions::from_file(write("tissue_lh_same.toml", text));
  CHECK(same.erector_spinae_lateral == LumbarHipDimensions::defaults().erector_spinae_lateral);
  // Find the line of fat_thickness and break it in several ways.
  const size_t at = text.find("fat_thickness = { value = 9.0");
  REQUIRE(at != std::string::npos);
  const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
  std::string prefix(":");
  prefix.append(std::to_string(line)).append(":");
  const auto at_line = [&](std::string path) { return path.append(prefix); };
  {
    std::string t = text;
    t.replace(t.find("9.0", at), 3, "-9.0");
    const auto p = write("tissue_lh_neg.toml", t);
    CHECK_THROWS_WITH(LumbarHipDimensions::from_file(p), Catch::Contains(at_line(p)) &&
                                                             Catch::Contains("layers.fat_thickness") &&
                                                             Catch::Contains("must be positive"));
  }
  {
    std::string t = text;
    t.replace(t.find("\"mm\"", at), 4, "\"furlong\"");
    const auto p = write("tissue_lh_unit.toml", t);
    CHECK_THROWS_WITH(LumbarHipDimensions::from_file(p), Catch::Contains(at_line(p)) &&
                                                             Catch::Contains("layers.fat_thickness.unit") &&
                                                             Catch::Contains("unknown unit \"furlong\""));
  }
  {
    std::string t = text;
    t.replace(t.find("9.0", at), 3, "\"nine\"");
    const auto p = write("tissue_lh_str.toml", t);
    CHECK_THROWS_WITH(LumbarHipDimensions::from_file(p), Catch::Contains(at_line(p)) &&
                                                             Catch::Contains("layers.fat_thickness.value") &&
                                                             Catch::Contains("expected a number"));
  }
  {
    std::string t = text;
    t.replace(at, 3, "phat");
    const auto p = write("tissue_lh_typo.toml", t);
    CHECK_THROWS_WITH(LumbarHipDimensions::from_file(p),
                      Catch::Contains("layers.fat_thickness") && Catch::Contains("missing value"));
  }
  CHECK_THROWS_WITH(LumbarHipDimensions::from_file((dir / "tissue_no_such_file.toml").string()),
                    Catch::Contains("cannot open"));
}

TEST_CASE("Lumbar-hip model: regions, kinds, sides and validity", "[mesh][lumbar_hip]") {
  const Mesh& m = standard_model();
  REQUIRE(m.regions.size() == 11);
  for (int r = 0; r < 11; ++r) {
    INFO(kRegionNames[r]);
    CHECK(m.regions[r].name == kRegionNames[r]);
    CHECK(!m.cells_in_region(r).empty());
    const std::string name = kRegionNames[r];
    const bool layer = r < 3;
    CHECK((m.regions[r].kind == TissueKind::muscle) == !layer);
    CHECK(m.regions[r].side == (layer ? Side::none : name.ends_with("_left") ? Side::left : Side::right));
  }
  CHECK(m.regions[0].kind == TissueKind::skin);
  CHECK(m.regions[1].kind == TissueKind::fat);
  CHECK(m.regions[2].kind == TissueKind::fascia);
  CHECK_NOTHROW(m.validate());
  // Mirror symmetry: left and right muscles have the same volume; right muscles lie at x > 0.
  for (int r = 3; r < 11; r += 2) {
    CHECK(region_volume(m, r) == Approx(region_volume(m, r + 1)).epsilon(1e-9));
    for (Index e : m.cells_in_region(r + 1)) REQUIRE(cell_centre(m, e).x() > 0);
  }
}

TEST_CASE("Lumbar-hip model: layer volumes and erector spinae cross-section", "[mesh][lumbar_hip]") {
  const Mesh& m = standard_model();
  const auto d = LumbarHipDimensions::defaults();
  const Real area = 2 * d.half_width * d.height;
  CHECK(region_volume(m, m.regions.id("skin")) == Approx(area * d.skin_thickness).epsilon(0.02));
  CHECK(region_volume(m, m.regions.id("fat")) == Approx(area * d.fat_thickness).epsilon(0.02));
  CHECK(region_volume(m, m.regions.id("fascia")) == Approx(area * d.fascia_thickness).epsilon(0.02));
  const Real lumbar_length = d.height - d.crest_y_high;
  for (const char* es : {"erector_spinae_left", "erector_spinae_right"}) {
    const Real csa = region_volume(m, m.regions.id(es)) / lumbar_length;
    CHECK(csa == Approx(d.erector_spinae_csa).epsilon(0.02));
    CHECK(csa == Approx(9.1e-4).epsilon(0.03));  // Sions et al. 2017: 8.6-9.3 cm^2
  }
  // Gluteus medius: (half_width - sacrum) x muscle thickness x hip height.
  CHECK(region_volume(m, m.regions.id("gluteus_medius_right")) ==
        Approx((d.half_width - d.sacrum_half_width) * d.muscle_thickness * d.crest_y_low).epsilon(1e-9));
}

TEST_CASE("Lumbar-hip model: fibres", "[mesh][lumbar_hip]") {
  const Mesh& m = standard_model();
  const auto d = LumbarHipDimensions::defaults();
  for (Index e = 0; e < m.n_cells(); ++e) {
    const int r = m.region[static_cast<size_t>(e)];
    const Real len = m.fibres.row(e).norm();
    if (m.regions[r].kind == TissueKind::muscle)
      REQUIRE(len == Approx(1.0).epsilon(1e-12));
    else
      REQUIRE(len == 0.0);
  }
  const auto first = [&](const char* name) { return m.cells_in_region(m.regions.id(name)).front(); };
  // Erector spinae right: 10 degrees from +y; pointing cranially it moves medially (x decreases).
  const Vec3 es = m.fibres.row(first("erector_spinae_right")).transpose();
  CHECK(es.y() == Approx(std::cos(d.erector_spinae_tilt)));
  CHECK(es.x() == Approx(-std::sin(d.erector_spinae_tilt)));
  const Vec3 esl = m.fibres.row(first("erector_spinae_left")).transpose();
  CHECK(esl.x() == Approx(std::sin(d.erector_spinae_tilt)));
  const Vec3 mf = m.fibres.row(first("multifidus_right")).transpose();
  CHECK(std::acos(mf.y()) * 180 / std::numbers::pi == Approx(15.0));
  const Vec3 ql = m.fibres.row(first("quadratus_lumborum_right")).transpose();
  CHECK(std::acos(ql.y()) * 180 / std::numbers::pi == Approx(20.0));
  CHECK(ql.x() < 0);  // upward and medially
  // Gluteus medius: every fibre points at the trochanter of its side.
  for (const char* gm : {"gluteus_medius_left", "gluteus_medius_right"}) {
    for (Index e : m.cells_in_region(m.regions.id(gm))) {
      const Vec3 c = cell_centre(m, e);
      const Vec3 t(c.x() > 0 ? d.trochanter.x() : -d.trochanter.x(), d.trochanter.y(), d.trochanter.z());
      REQUIRE(m.fibres.row(e).dot((t - c).normalized()) == Approx(1.0).epsilon(1e-12));
    }
  }
}

TEST_CASE("Lumbar-hip model: bone node sets lie on the deep boundary", "[mesh][lumbar_hip]") {
  const Mesh& m = standard_model();
  const auto d = LumbarHipDimensions::defaults();
  const Real fascia_bottom = -(d.skin_thickness + d.fat_thickness + d.fascia_thickness);
  const Real muscle_bottom = fascia_bottom - d.muscle_thickness;
  const Real eps = 1e-12;
  std::vector<Index> all_expected;
  for (const char* name : {"bone_vertebrae", "bone_sacrum", "bone_iliac_crest"}) {
    const NodeSet& s = m.node_set(name);
    INFO(name);
    CHECK(!s.nodes.empty());
    for (Index v : s.nodes) REQUIRE(m.nodes(v, 2) <= fascia_bottom + eps);
    all_expected.insert(all_expected.end(), s.nodes.begin(), s.nodes.end());
  }
  std::sort(all_expected.begin(), all_expected.end());
  all_expected.erase(std::unique(all_expected.begin(), all_expected.end()), all_expected.end());
  CHECK(m.node_set("bone_all").nodes == all_expected);
  // Location: vertebrae above the crest band, sacrum medial below it.
  for (Index v : m.node_set("bone_vertebrae").nodes) REQUIRE(m.nodes(v, 1) >= d.crest_y_high - eps);
  for (Index v : m.node_set("bone_sacrum").nodes) {
    REQUIRE(std::abs(m.nodes(v, 0)) <= d.sacrum_half_width + eps);
    REQUIRE(m.nodes(v, 1) <= d.crest_y_low + eps);
  }
  // Every node on the bottom face of the muscle layer is fixed; no skin node is.
  const auto& all = m.node_set("bone_all").nodes;
  Index bottom = 0;
  for (Index v = 0; v < m.n_nodes(); ++v) {
    const bool in = std::binary_search(all.begin(), all.end(), v);
    if (m.nodes(v, 2) == muscle_bottom) {
      ++bottom;
      REQUIRE(in);
    }
    if (m.nodes(v, 2) == 0.0) REQUIRE(!in);
  }
  CHECK(bottom > 0);
  // The underside of the fascia over the spinous processes is fixed to the vertebrae.
  bool found = false;
  for (Index v : m.node_set("bone_vertebrae").nodes)
    found = found || (m.nodes(v, 0) == 0.0 && m.nodes(v, 2) == fascia_bottom && m.nodes(v, 1) > 0.2);
  CHECK(found);
}

TEST_CASE("Lumbar-hip model: skin facets face +z and cover the block", "[mesh][lumbar_hip]") {
  const Mesh& m = standard_model();
  const auto d = LumbarHipDimensions::defaults();
  const FacetSet& skin = m.facet_set("skin");
  Real area = 0;
  for (Index f = 0; f < skin.size(); ++f) {
    const Vec3 an = facet_area_normal(m, skin, f);
    REQUIRE(an.normalized().isApprox(Vec3::UnitZ()));
    for (Index v : skin.nodes[static_cast<size_t>(f)]) REQUIRE(m.nodes(v, 2) == 0.0);
    REQUIRE(m.regions[m.region[static_cast<size_t>(skin.cell[static_cast<size_t>(f)])]].name == "skin");
    area += an.norm();
  }
  CHECK(area == Approx(2 * d.half_width * d.height).epsilon(1e-12));
}

TEST_CASE("Lumbar-hip model: cell counts per resolution", "[mesh][lumbar_hip]") {
  const Mesh coarse = generate_lumbar_hip(Resolution::coarse);
  CHECK(coarse.n_cells() < 5000);
  CHECK_NOTHROW(coarse.validate());
  const Index standard = standard_model().n_cells();
  CHECK(standard >= 30000);
  CHECK(standard <= 60000);
  const Mesh fine = generate_lumbar_hip(Resolution::fine);
  CHECK(fine.n_cells() > 200000);
  CHECK_NOTHROW(fine.validate());
  // Finer meshes carry the same regions and the same volume per region (grid lines are exact).
  for (int r = 0; r < 11; ++r)
    CHECK(region_volume(fine, r) == Approx(region_volume(coarse, r)).epsilon(1e-9));
  // At least one cell through each thin layer, several through the muscle.
  std::set<Real> z;
  for (Index v = 0; v < coarse.n_nodes(); ++v) z.insert(coarse.nodes(v, 2));
  CHECK(z.size() >= 3 + 1 + 4);
}
