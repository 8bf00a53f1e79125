// The peer benchmark of ../shared/benchmarks/peer-block.md against FEBio 4's published results:
// viscoelastic block compression (compressible neo-Hookean E = 10 kPa, nu = 0.45, Prony series on
// the whole second Piola-Kirchhoff stress, g0 = 1, (0.5, 0.1 s), (0.3, 1.0 s)), plain hex8 with
// 2x2x2 Gauss points, bottom fixed, top ux = uy = 0, uz = -5 mm t, 20 steps of 0.05 s.
// The problem is defined once, in benchmarks/peer_block_case.hpp (shared with the benchmarks).
#include <catch2/catch.hpp>
#include <cmath>

#include "peer_block_case.hpp"

using namespace tissue;

TEST_CASE("Peer block 28x28x14 reproduces FEBio's reaction force and bulge within 1 %",
          "[verification][peer][mechanics][viscoelastic]") {
  bench::PeerBlockCase c;  // 28 x 28 x 14, viscoelastic, 20 steps of 0.05 s, CHOLMOD
  c.threads = 2;
  bench::use_production_newton(c);  // BFGS on kept factorisations: same answer, 2.5x faster than chord steps
  const bench::PeerBlockResult r = bench::run_peer_block(c);
  bench::set_threads(1);
  INFO("Rz = " << r.Rz << " N (FEBio " << bench::kFebio28.Rz << "), bulge = " << 1e3 * r.bulge
               << " mm (FEBio " << bench::kFebio28.bulge_mm << "), " << r.newton_iterations << " iterations, "
               << r.factorizations << " factorisations, " << r.cuts << " cuts");
  REQUIRE(r.viscoelastic);
  CHECK(r.cells == 10976);
  CHECK(r.nodes == 12615);
  CHECK(r.steps == 20);
  CHECK(r.cuts == 0);
  CHECK(r.factorizations < r.newton_iterations);  // the tangent was reused
  CHECK(r.Rz < 0);                                // compression
  CHECK(std::abs(r.Rz / bench::kFebio28.Rz - 1) < 0.01);
  CHECK(std::abs(1e3 * r.bulge / bench::kFebio28.bulge_mm - 1) < 0.01);
}

TEST_CASE("Peer block: modified Newton gives exact Newton's answer, the series stiffens the block",
          "[verification][peer][mechanics][viscoelastic]") {
  bench::PeerBlockCase c;
  c.block.nx = c.block.ny = 8;
  c.block.nz = 4;
  c.threads = 2;
  const bench::PeerBlockResult exact = bench::run_peer_block(c);
  bench::use_production_newton(c);
  const bench::PeerBlockResult modified = bench::run_peer_block(c);
  c = bench::PeerBlockCase{c.block, c.threads};  // exact Newton again
  c.material = bench::peer_block_elastic;
  const bench::PeerBlockResult elastic = bench::run_peer_block(c);
  bench::set_threads(1);
  INFO("exact: " << exact.Rz << " N, " << exact.factorizations << " factorisations; modified: " << modified.Rz
                 << " N, " << modified.factorizations << " factorisations; elastic " << elastic.Rz << " N");
  CHECK(exact.factorizations == exact.newton_iterations);
  CHECK(modified.factorizations < exact.factorizations);
  // Both stop at a relative residual of 1e-8: the answers agree far below the 1 % of the comparison.
  CHECK(std::abs(modified.Rz / exact.Rz - 1) < 1e-6);
  CHECK(std::abs(modified.bulge / exact.bulge - 1) < 1e-6);
  // Relaxing branches add stress at a finite rate: |Rz| lies between the elastic response and the
  // instantaneous one (1 + 0.5 + 0.3 times the elastic stress).
  CHECK(!elastic.viscoelastic);
  CHECK(exact.Rz < elastic.Rz);
  CHECK(exact.Rz > 1.8 * elastic.Rz);
}
