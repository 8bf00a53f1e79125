#include <catch2/catch.hpp>
#include <string>

#include "libtissue/core/error.hpp"
#include "libtissue/mesh/geometry.hpp"
#include "libtissue/mesh/msh_reader.hpp"

using namespace tissue;

namespace {
std::string data(const std::string& name) {
  return std::string(TISSUE_SOURCE_DIR) + "/tests/data/" + name;
}
MshReadOptions mm() {
  MshReadOptions o;
  o.length_scale = 1e-3;
  return o;
}
}  // namespace

TEST_CASE("msh: ASCII two-block hex mesh reads regions, sets and facets", "[mesh][msh]") {
  const Mesh m = read_msh(data("two_blocks_ascii.msh"), mm());
  CHECK_NOTHROW(m.validate());
  CHECK(m.cell_type == CellType::hex8);
  CHECK(m.n_cells() == 4);
  CHECK(m.n_nodes() == 18);
  CHECK(m.nodes.colwise().maxCoeff().isApprox(Eigen::RowVector3d(2e-3, 2e-3, 0)));
  CHECK(m.nodes.colwise().minCoeff().isApprox(Eigen::RowVector3d(0, 0, -1e-3)));
  REQUIRE(m.regions.size() == 2);
  CHECK(m.regions[0].name == "fat");
  CHECK(m.regions[0].kind == TissueKind::fat);
  CHECK(m.regions[0].side == Side::none);
  CHECK(m.regions[1].name == "gluteus_medius_right");
  CHECK(m.regions[1].kind == TissueKind::muscle);
  CHECK(m.regions[1].side == Side::right);
  for (Index e = 0; e < m.n_cells(); ++e) {
    const int r = m.region[static_cast<size_t>(e)];
    CHECK((cell_centre(m, e).x() < 1e-3) == (r == 0));
    CHECK(cell_volume(m, e) == Approx(1e-9));
    CHECK(m.fibres.row(e).norm() == (r == 1 ? 1.0 : 0.0));
  }
  // Node sets: physical point, curve and surface.
  const NodeSet& anchor = m.node_set("anchor");
  REQUIRE(anchor.nodes.size() == 1);
  CHECK(m.nodes.row(anchor.nodes[0]).norm() == 0.0);
  CHECK(m.node_set("edge").nodes.size() == 2);
  CHECK(m.node_set("skin").nodes.size() == 9);
  for (Index v : m.node_set("skin").nodes) CHECK(m.nodes(v, 2) == 0.0);
  // Facets written inward in the file come out facing outward (+z), with their owning cells.
  const FacetSet& skin = m.facet_set("skin");
  REQUIRE(skin.size() == 4);
  Real area = 0;
  for (Index f = 0; f < skin.size(); ++f) {
    const Vec3 an = facet_area_normal(m, skin, f);
    CHECK(an.normalized().isApprox(Vec3::UnitZ()));
    area += an.norm();
  }
  CHECK(area == Approx(4e-6));
}

TEST_CASE("msh: binary and ASCII files give identical meshes", "[mesh][msh]") {
  const Mesh a = read_msh(data("two_blocks_ascii.msh"), mm());
  const Mesh b = read_msh(data("two_blocks_binary.msh"), mm());
  CHECK(a.cell_type == b.cell_type);
  CHECK(a.nodes == b.nodes);
  CHECK(a.cells == b.cells);
  CHECK(a.region == b.region);
  CHECK(a.fibres == b.fibres);
  REQUIRE(a.regions.size() == b.regions.size());
  for (int r = 0; r < a.regions.size(); ++r) CHECK(a.regions[r].name == b.regions[r].name);
  REQUIRE(a.node_sets.size() == b.node_sets.size());
  for (size_t i = 0; i < a.node_sets.size(); ++i) {
    CHECK(a.node_sets[i].name == b.node_sets[i].name);
    CHECK(a.node_sets[i].nodes == b.node_sets[i].nodes);
  }
  REQUIRE(a.facet_sets.size() == b.facet_sets.size());
  CHECK(a.facet_sets[0].nodes == b.facet_sets[0].nodes);
  CHECK(a.facet_sets[0].cell == b.facet_sets[0].cell);
}

TEST_CASE("msh: tet4 mesh with a physical surface of triangles", "[mesh][msh]") {
  MshReadOptions o = mm();
  o.fibre = Vec3(0, 0, 2);
  const Mesh m = read_msh(data("tet_cube.msh"), o);
  CHECK_NOTHROW(m.validate());
  CHECK(m.cell_type == CellType::tet4);
  CHECK(m.n_cells() == 6);
  REQUIRE(m.regions.size() == 1);
  CHECK(m.regions[0].name == "block");
  Real vol = 0;
  for (Index e = 0; e < m.n_cells(); ++e) {
    vol += cell_volume(m, e);
    CHECK(m.fibres.row(e).isApprox(Eigen::RowVector3d(0, 0, 1)));
  }
  CHECK(vol == Approx(1e-9));
  const FacetSet& bottom = m.facet_set("bottom");
  REQUIRE(bottom.size() == 2);
  for (Index f = 0; f < bottom.size(); ++f) {
    CHECK(bottom.nodes[static_cast<size_t>(f)][3] == -1);
    CHECK(facet_area_normal(m, bottom, f).normalized().isApprox(-Vec3::UnitZ()));
  }
}

TEST_CASE("msh: malformed files name the problem and the line", "[mesh][msh]") {
  const auto fails = [](const std::string& name) { return read_msh(data(name)); };
  CHECK_THROWS_AS(fails("bad_version.msh"), InputError);
  CHECK_THROWS_WITH(fails("bad_version.msh"),
                    Catch::Contains("bad_version.msh:2:") && Catch::Contains("unsupported .msh version 2.2"));
  CHECK_THROWS_WITH(fails("bad_number.msh"), Catch::Contains("bad_number.msh:24:") &&
                                                 Catch::Contains("$Nodes") &&
                                                 Catch::Contains("malformed number '0.0x'"));
  CHECK_THROWS_WITH(
      fails("bad_element_type.msh"),
      Catch::Contains("bad_element_type.msh:73:") && Catch::Contains("unsupported element type 11 (tet10)"));
  CHECK_THROWS_WITH(fails("bad_unknown_type.msh"), Catch::Contains("bad_unknown_type.msh:76:") &&
                                                       Catch::Contains("unknown element type 99"));
  CHECK_THROWS_WITH(fails("bad_truncated.msh"),
                    Catch::Contains("bad_truncated.msh:") && Catch::Contains("truncated $Nodes section"));
  CHECK_THROWS_WITH(fails("bad_truncated_binary.msh"),
                    Catch::Contains("truncated $Elements section") && Catch::Contains("byte offset"));
  CHECK_THROWS_WITH(fails("bad_no_physical.msh"),
                    Catch::Contains("volume entity 2") && Catch::Contains("no physical group"));
  CHECK_THROWS_WITH(fails("bad_mixed.msh"),
                    Catch::Contains("bad_mixed.msh:79:") && Catch::Contains("mixed hex8 and tet4"));
  CHECK_THROWS_WITH(fails("no_such_file.msh"),
                    Catch::Contains("no_such_file.msh") && Catch::Contains("cannot open"));
}

TEST_CASE("msh: in-memory parsing rejects garbage and files without cells", "[mesh][msh]") {
  CHECK_THROWS_WITH(parse_msh("hello", "mem"),
                    Catch::Contains("mem:1:") && Catch::Contains("section header"));
  CHECK_THROWS_WITH(parse_msh("$MeshFormat\n4.1 0 8\n$EndMeshFormat\n", "mem"),
                    Catch::Contains("no 3D cells"));
  CHECK_THROWS_WITH(parse_msh("$MeshFormat\n4.1 0 8\n", "mem"), Catch::Contains("truncated $MeshFormat"));
}
