#include <catch2/catch.hpp>

#include "libtissue/core/error.hpp"
#include "libtissue/loading/footprint.hpp"
#include "libtissue/mesh/box_mesh.hpp"

using namespace tissue;

namespace {
Mesh skin_block(int n) {
  BoxMeshOptions o;
  o.lo = Vec3(-0.1, -0.1, -0.03);
  o.hi = Vec3(0.1, 0.1, 0.0);
  o.nx = n;
  o.ny = n;
  o.nz = 2;
  return make_box_mesh(o);
}
}  // namespace

TEST_CASE("The footprint's nodal forces add up to the requested force exactly", "[loading]") {
  const Mesh m = skin_block(20);
  FootprintLoad load(m, m.facet_set("zmax"));
  for (const Footprint& fp :
       {Footprint::palm(), Footprint::thumb(), Footprint::gun_ball(), Footprint::stone()}) {
    ToolPose pose;
    pose.centre = Vec3(0.01, -0.02, 0);
    const auto p = load.pressure(fp, pose, 40.0);
    VectorX f = VectorX::Zero(3 * m.n_nodes());
    load.add_forces(p, pose.push, f);
    Vec3 total = Vec3::Zero();
    for (Index n = 0; n < m.n_nodes(); ++n) total += f.segment<3>(3 * n);
    CHECK(total[2] == Approx(-40.0).epsilon(1e-12));
    CHECK(std::abs(total[0]) < 1e-12);
    CHECK(load.quadrature().integrate(p) == Approx(40.0).epsilon(1e-12));
  }
}

TEST_CASE("Palm pressure is flat-topped, thumb pressure is peaked, both vanish outside the patch",
          "[loading]") {
  const Footprint palm = Footprint::palm(), thumb = Footprint::thumb();
  CHECK(palm.profile(0, 0) == 1.0);
  CHECK(palm.profile(0.5 * palm.a, 0) > 0.95);   // flat top
  CHECK(thumb.profile(0.5 * thumb.a, 0) < 0.8);  // parabolic
  CHECK(palm.profile(1.01 * palm.a, 0) == 0.0);
  CHECK(thumb.profile(0, 1.01 * thumb.b) == 0.0);
  // mean pressure of a 40 N palm is of order F / area (about 3 kPa)
  const Mesh m = skin_block(40);
  FootprintLoad load(m, m.facet_set("zmax"));
  const auto p = load.pressure(palm, ToolPose{}, 40.0);
  const Real pmax = *std::max_element(p.begin(), p.end());
  CHECK(pmax > 40.0 / palm.area());
  CHECK(pmax < 2.0 * 40.0 / palm.area());
}

TEST_CASE("A footprint off the skin gives a clear error", "[loading]") {
  const Mesh m = skin_block(4);
  FootprintLoad load(m, m.facet_set("zmax"));
  ToolPose pose;
  pose.centre = Vec3(1.0, 1.0, 0.0);
  CHECK_THROWS_WITH(load.pressure(Footprint::thumb(), pose, 10.0), Catch::Contains("covers no skin"));
  Footprint bad = Footprint::palm();
  bad.a = -1;
  CHECK_THROWS_WITH(load.pressure(bad, ToolPose{}, 10.0), Catch::Contains("tool.a"));
}
