#include <catch2/catch.hpp>

#include "libtissue/mesh/box_mesh.hpp"
#include "libtissue/mesh/geometry.hpp"

using namespace tissue;

namespace {
BoxMeshOptions box(CellType t) {
  BoxMeshOptions o;
  o.lo = Vec3(-0.01, 0.0, -0.02);
  o.hi = Vec3(0.02, 0.01, 0.0);
  o.nx = 3;
  o.ny = 2;
  o.nz = 4;
  o.cell_type = t;
  return o;
}
Real total_volume(const Mesh& m) {
  Real v = 0;
  for (Index e = 0; e < m.n_cells(); ++e) v += cell_volume(m, e);
  return v;
}
}  // namespace

TEST_CASE("Hex box mesh has the expected counts, volume and region", "[mesh][box]") {
  const Mesh m = make_box_mesh(box(CellType::hex8));
  CHECK(m.n_nodes() == 4 * 3 * 5);
  CHECK(m.n_cells() == 3 * 2 * 4);
  CHECK(m.cell_size() == 8);
  CHECK(total_volume(m) == Approx(0.03 * 0.01 * 0.02).epsilon(1e-12));
  REQUIRE(m.regions.size() == 1);
  CHECK(m.regions[0].name == "block");
  CHECK(m.regions[0].kind == TissueKind::muscle);
  for (Index e = 0; e < m.n_cells(); ++e) CHECK(m.fibres.row(e).isApprox(Vec3::UnitX().transpose()));
  CHECK_NOTHROW(m.validate());
}

TEST_CASE("Tet box mesh: six tets per hex, same volume, conforming", "[mesh][box]") {
  const Mesh m = make_box_mesh(box(CellType::tet4));
  CHECK(m.n_cells() == 6 * 3 * 2 * 4);
  CHECK(m.cell_size() == 4);
  CHECK(total_volume(m) == Approx(0.03 * 0.01 * 0.02).epsilon(1e-12));
  CHECK_NOTHROW(m.validate());
  // Conforming: the boundary of the tet mesh is exactly the box surface, two triangles per hex face.
  const FacetSet b = boundary_facets(m);
  CHECK(b.size() == 2 * 2 * (3 * 2 + 2 * 4 + 3 * 4));
  Real area = 0;
  for (Index f = 0; f < b.size(); ++f) area += facet_area_normal(m, b, f).norm();
  CHECK(area == Approx(2 * (0.03 * 0.01 + 0.01 * 0.02 + 0.03 * 0.02)).epsilon(1e-12));
}

TEST_CASE("Box node and facet sets cover each side with outward normals", "[mesh][box]") {
  for (CellType t : {CellType::hex8, CellType::tet4}) {
    const Mesh m = make_box_mesh(box(t));
    const BoxMeshOptions o = box(t);
    const char* names[6] = {"xmin", "xmax", "ymin", "ymax", "zmin", "zmax"};
    const int per_face_nodes[6] = {3 * 5, 3 * 5, 4 * 5, 4 * 5, 4 * 3, 4 * 3};
    const Real areas[6] = {0.01 * 0.02, 0.01 * 0.02, 0.03 * 0.02, 0.03 * 0.02, 0.03 * 0.01, 0.03 * 0.01};
    for (int s = 0; s < 6; ++s) {
      INFO("set " << names[s] << (t == CellType::hex8 ? " hex8" : " tet4"));
      const int d = s / 2;
      const Real plane = s % 2 == 0 ? o.lo[d] : o.hi[d];
      const NodeSet& ns = m.node_set(names[s]);
      CHECK(static_cast<int>(ns.nodes.size()) == per_face_nodes[s]);
      for (Index v : ns.nodes) CHECK(m.nodes(v, d) == plane);
      const FacetSet& fs = m.facet_set(names[s]);
      Vec3 outward = Vec3::Zero();
      outward[d] = s % 2 == 0 ? -1.0 : 1.0;
      Vec3 total = Vec3::Zero();
      for (Index f = 0; f < fs.size(); ++f) {
        const Vec3 an = facet_area_normal(m, fs, f);
        CHECK(an.normalized().dot(outward) == Approx(1.0));
        total += an;
      }
      CHECK(total.dot(outward) == Approx(areas[s]).epsilon(1e-12));
    }
  }
}

TEST_CASE("Box mesh rejects bad options", "[mesh][box]") {
  BoxMeshOptions o;
  o.nx = 0;
  CHECK_THROWS_WITH(make_box_mesh(o), Catch::Contains("divisions must be at least 1"));
  o.nx = 1;
  o.hi = Vec3(1, 0, 1);
  CHECK_THROWS_WITH(make_box_mesh(o), Catch::Contains("upper corner"));
}
