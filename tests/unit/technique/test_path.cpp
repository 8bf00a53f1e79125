#include <catch2/catch.hpp>
#include <cmath>

#include "libtissue/core/error.hpp"
#include "technique_fixtures.hpp"

using namespace tissue;
using tissue::test::patch;

TEST_CASE("The skin patch of a muscle is its x-y extent on the skin with its mean fibre direction",
          "[technique][path]") {
  const SkinPatch es = patch("erector_spinae_right");
  // Erector spinae right: 3.0 to 5.4 cm lateral, from the iliac crest band (17 cm) to the top (35 cm).
  CHECK(es.lo.x() == Approx(0.03));
  CHECK(es.hi.x() == Approx(0.054));
  CHECK(es.lo.y() == Approx(0.17));
  CHECK(es.hi.y() == Approx(0.35));
  CHECK(es.centre.z() == Approx(0.0).margin(1e-12));  // on the skin
  // Fibres tilted 10 deg from +y, medially going cranially (caudolateral), in the skin plane.
  CHECK(es.fibre.z() == Approx(0.0).margin(1e-12));
  CHECK(std::abs(es.fibre.y()) == Approx(std::cos(10 * M_PI / 180)).epsilon(1e-9));
  CHECK(es.fibre.x() * es.fibre.y() < 0);
  CHECK(es.across.dot(es.fibre) == Approx(0.0).margin(1e-12));
  // The left side mirrors the right.
  const SkinPatch esl = patch("erector_spinae_left");
  CHECK(esl.hi.x() == Approx(-0.03));
  CHECK(esl.fibre.x() * esl.fibre.y() > 0);
  CHECK_THROWS_WITH(patch("psoas"), Catch::Contains("unknown region"));
}

TEST_CASE("Generated paths stay over the region and run along or across the fibres", "[technique][path]") {
  for (const char* region :
       {"erector_spinae_right", "gluteus_medius_left", "quadratus_lumborum_left", "multifidus_right"}) {
    INFO(region);
    const SkinPatch p = patch(region);
    const PathGenerator gen(p);
    const Path along = gen.along_fibres();
    CHECK(along.length() > 0.05);
    CHECK(std::abs(along.tangent(0).dot(p.fibre)) == Approx(1.0));
    for (const Vec3& x : along.points()) CHECK(p.contains(x));
    const Path lanes = gen.lanes(3, 0.002);
    for (const Vec3& x : lanes.points()) CHECK(p.contains(x, 0.002));
    const Path across = gen.across_fibres(0.006);
    CHECK(across.length() == Approx(0.012));
    CHECK(across.tangent(0).dot(p.fibre) == Approx(0.0).margin(1e-12));
    for (const Vec3& x : across.points()) CHECK(p.contains(x));
  }
}

TEST_CASE("Paths that cannot fit over a region name the field", "[technique][path]") {
  const PathGenerator gen(patch("erector_spinae_right"));  // 2.4 cm wide
  CHECK_THROWS_WITH(
      gen.across_fibres(0.03, 0, 0, "transverse_friction.amplitude"),
      Catch::Contains("transverse_friction.amplitude") && Catch::Contains("erector_spinae_right"));
  CHECK_THROWS_WITH(gen.along_fibres(0.02, 0, "kneading.radius"), Catch::Contains("kneading.radius"));
  CHECK_THROWS_WITH(gen.point(0.5, 0), Catch::Contains("path.offset"));
}

TEST_CASE("Reciprocating travel turns at the ends and keeps its speed", "[technique][path]") {
  const Path p({Vec3(0, 0, 0), Vec3(0.1, 0, 0), Vec3(0.1, 0.1, 0)});
  CHECK(p.length() == Approx(0.2));
  CHECK(p.point(0.15).isApprox(Vec3(0.1, 0.05, 0)));
  auto st = reciprocate(p, 0.05, 1.0);  // 5 cm along the first leg
  CHECK(st.position.isApprox(Vec3(0.05, 0, 0)));
  CHECK(st.velocity.isApprox(Vec3(0.05, 0, 0)));
  st = reciprocate(p, 0.05, 5.0);  // 25 cm: on the way back, 5 cm from the far end
  CHECK(st.position.isApprox(Vec3(0.1, 0.05, 0)));
  CHECK(st.velocity.isApprox(Vec3(0, -0.05, 0)));
  st = reciprocate(p, 0.05, 9.0);  // 45 cm: second forward pass, 5 cm in
  CHECK(st.position.isApprox(Vec3(0.05, 0, 0)));
  const auto osc = oscillate(Path({Vec3(0, 0, 0), Vec3(0.02, 0, 0)}), 2.0, 0.0);
  CHECK(osc.position.isApprox(Vec3(0.01, 0, 0)));            // starts in the middle
  CHECK(osc.velocity.x() == Approx(0.01 * 2 * M_PI * 2.0));  // peak speed A omega
}
