#include <catch2/catch.hpp>

#include "libtissue/core/error.hpp"
#include "libtissue/mesh/box_mesh.hpp"

using namespace tissue;

namespace {
Mesh cubes(CellType t = CellType::hex8) {
  BoxMeshOptions o;
  o.nx = 3;
  o.ny = 2;
  o.nz = 1;
  o.cell_type = t;
  return make_box_mesh(o);
}
}  // namespace

TEST_CASE("validate() reports an inverted hex and the corner", "[mesh][validate]") {
  Mesh m = cubes();
  // Cell 0 spans [0, 1/3] x [0, 1/2] x [0, 1]. Pushing its corner 3 (0, 1/2, 0) inside the
  // triangle 0-1-2 of the bottom face makes the face non-convex at corner 3 only.
  const Index n3 = m.cells(0, 3);
  REQUIRE(m.nodes.row(n3).isApprox(Eigen::RowVector3d(0, 0.5, 0)));
  m.nodes.row(n3) << 0.25, 0.1, 0.0;
  CHECK_THROWS_WITH(m.validate(), Catch::Contains("cell 0 is inverted (negative Jacobian at corner 3)"));
}

TEST_CASE("validate() reports a hex whose top and bottom are swapped as inverted", "[mesh][validate]") {
  Mesh m = cubes();
  for (int a = 0; a < 4; ++a) std::swap(m.cells(4, a), m.cells(4, a + 4));
  CHECK_THROWS_WITH(m.validate(), Catch::Contains("cell 4 is inverted (negative Jacobian at corner"));
}

TEST_CASE("validate() reports a flattened hex as degenerate", "[mesh][validate]") {
  Mesh m = cubes();
  // Collapse the top face of cell 4 onto its bottom face.
  for (int a = 0; a < 4; ++a) m.cells(4, a + 4) = m.cells(4, a);
  CHECK_THROWS_WITH(m.validate(), Catch::Contains("cell 4 is degenerate (zero volume)"));
}

TEST_CASE("validate() checks tets: inverted and degenerate", "[mesh][validate]") {
  Mesh m = cubes(CellType::tet4);
  CHECK_NOTHROW(m.validate());
  Mesh inv = m;
  std::swap(inv.cells(5, 1), inv.cells(5, 2));
  CHECK_THROWS_WITH(inv.validate(), Catch::Contains("cell 5 is inverted (negative volume)"));
  Mesh flat = m;
  flat.cells(7, 3) = flat.cells(7, 2);
  CHECK_THROWS_WITH(flat.validate(), Catch::Contains("cell 7 is degenerate (zero volume)"));
}

TEST_CASE("validate() checks sizes, indices, regions, fibres and facets", "[mesh][validate]") {
  const Mesh good = cubes();
  CHECK_NOTHROW(good.validate());
  {
    Mesh m = good;
    m.region.pop_back();
    CHECK_THROWS_WITH(m.validate(), Catch::Contains("region has 5 entries"));
  }
  {
    Mesh m = good;
    m.fibres.conservativeResize(3, 3);
    CHECK_THROWS_WITH(m.validate(), Catch::Contains("fibres has 3 rows"));
  }
  {
    Mesh m = good;
    m.cells(2, 6) = 999;
    CHECK_THROWS_WITH(m.validate(), Catch::Contains("cell 2 refers to node 999"));
  }
  {
    Mesh m = good;
    m.region[1] = 3;
    CHECK_THROWS_WITH(m.validate(), Catch::Contains("cell 1 has region id 3"));
  }
  {
    Mesh m = good;
    m.fibres.row(2) << 0.5, 0.0, 0.0;
    CHECK_THROWS_WITH(m.validate(), Catch::Contains("cell 2 has a fibre of length 0.5"));
  }
  {
    Mesh m = good;
    m.fibres.row(2).setZero();  // zero rows are allowed (no fibres)
    CHECK_NOTHROW(m.validate());
  }
  {
    Mesh m = good;
    m.facet_sets[0].nodes[0][0] = -5;
    CHECK_THROWS_WITH(m.validate(), Catch::Contains("facet set 'xmin'") && Catch::Contains("node -5"));
  }
  {
    Mesh m = good;
    auto& f = m.facet_sets[5].nodes[0];  // zmax: reverse the order -> inward normal
    std::swap(f[1], f[3]);
    CHECK_THROWS_WITH(m.validate(), Catch::Contains("not an outward-ordered face"));
  }
  {
    Mesh m = good;
    m.node_sets[0].nodes.push_back(m.n_nodes());
    CHECK_THROWS_WITH(m.validate(), Catch::Contains("node set 'xmin'") && Catch::Contains("out of range"));
  }
}
