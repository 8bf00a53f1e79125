// Elastography: small-strain shear modulus at rest (passive + active pre-stress), thermal softening by
// modulus_factor(T), long-term vs instantaneous, and the acoustoelastic neo-Hookean result under stretch.
#include <catch2/catch.hpp>
#include <cmath>

#include "libtissue/mesh/box_mesh.hpp"
#include "libtissue/observe/elastography.hpp"

using namespace tissue;

namespace {
Mesh block() {
  BoxMeshOptions o;
  o.hi = Vec3(0.02, 0.02, 0.02);
  o.nx = o.ny = o.nz = 2;
  o.fibre = Vec3(1, 1, 0);
  return make_box_mesh(o);
}
TissueMaterial tissue_law(Real mu, Real sigma_max) {
  TissueMaterial t;
  t.elastic = HyperelasticLaw{NeoHookean{mu}, VolumetricLogJ{100 * mu}};
  t.thermal.modulus_coefficient = 0.02;
  t.prony.terms = {PronyTerm{0.4, 6.0}};
  if (sigma_max > 0) t.active = ActiveFibre{sigma_max, 1.05, 0.4};
  return t;
}
DofMap free_dofs(const Mesh& m) {
  DofMap d(m.n_nodes(), 3);
  d.finalize();
  return d;
}
}  // namespace

TEST_CASE("Elastography at rest equals the analytic small-strain modulus incl. tone and temperature",
          "[observe][elastography]") {
  const Mesh m = block();
  const Real mu = 3000, smax = 2000, rho = 1060;
  const TissueMaterial law = tissue_law(mu, smax);
  SolidProblem solid(m, {RegionMechanics{law, rho}}, free_dofs(m));
  const int nq = solid.geometry().n_qp();
  const Real a = 0.35;
  const VectorX tone = VectorX::Constant(m.n_cells() * nq, a);
  const Real T1 = kCelsius + 37, T2 = kCelsius + 40;
  VectorX temp1 = VectorX::Constant(m.n_nodes(), T1), temp2 = VectorX::Constant(m.n_nodes(), T2);
  StepView v;
  v.solid = &solid;
  v.tone = &tone;
  v.temperature = &temp1;
  Elastography elast;
  const auto r1 = elast.compute(v);
  REQUIRE(r1.regions.size() == 1);
  const Real f1 = std::exp(-std::pow((1.0 - 1.05) / 0.4, 2));  // force-length at lambda = 1
  const Real active = a * smax * f1;
  CHECK(r1.regions[0].modulus.mu_perp == Approx(mu).epsilon(1e-9));
  CHECK(r1.regions[0].modulus.mu_parallel == Approx(mu + active).epsilon(1e-9));
  CHECK(r1.regions[0].speed_parallel == Approx(std::sqrt((mu + active) / rho)).epsilon(1e-9));
  CHECK(r1.regions[0].speed_perp == Approx(std::sqrt(mu / rho)).epsilon(1e-9));
  CHECK(r1.cell_mu_perp.minCoeff() == Approx(mu).epsilon(1e-9));
  // Warmer: the passive modulus scales with modulus_factor(T); the active stress does not.
  v.temperature = &temp2;
  const auto r2 = elast.compute(v);
  const Real mf = law.thermal.modulus_factor(T2);
  CHECK(mf < 1.0);
  CHECK(r2.regions[0].modulus.mu_perp == Approx(mf * mu).epsilon(1e-9));
  CHECK(r2.regions[0].modulus.mu_parallel == Approx(mf * mu + active).epsilon(1e-9));
  CHECK(r2.regions[0].modulus.mu_parallel < r1.regions[0].modulus.mu_parallel);
  // Without tone the active term vanishes; long-term modulus is g_inf times the instantaneous one.
  v.tone = nullptr;
  v.temperature = &temp1;
  CHECK(elast.compute(v).regions[0].modulus.mu_parallel == Approx(mu).epsilon(1e-9));
  Elastography relaxed(ElastographyOptions{ElastographyModulus::long_term});
  CHECK(relaxed.compute(v).regions[0].modulus.mu_perp == Approx(0.6 * mu).epsilon(1e-9));
  // Series.
  Observations out;
  elast.on_step(v, out);
  CHECK(out.series.size() == 4);
  CHECK(out.series[0].name == "shear_modulus");
  CHECK(out.series[0].units == "Pa");
}

TEST_CASE("Elastography under isochoric stretch: neo-Hookean rho c^2 = mu lambda_n^2 (acoustoelasticity)",
          "[observe][elastography]") {
  BoxMeshOptions o;
  o.hi = Vec3(0.01, 0.01, 0.01);
  o.fibre = Vec3::UnitX();
  const Mesh m = make_box_mesh(o);
  const Real mu = 5000;
  SolidProblem solid(m, {RegionMechanics{HyperelasticLaw{NeoHookean{mu}, VolumetricLogJ{1e3 * mu}}, 1000}},
                     free_dofs(m));
  const Real lam = 1.2;
  Mat3 F = Mat3::Zero();
  F(0, 0) = lam;
  F(1, 1) = F(2, 2) = 1 / std::sqrt(lam);
  VectorX u(3 * m.n_nodes());
  for (Index n = 0; n < m.n_nodes(); ++n)
    u.segment<3>(3 * n) = (F - Mat3::Identity()) * m.nodes.row(n).transpose();
  StepView v;
  v.solid = &solid;
  v.displacement = &u;
  const auto r = Elastography().compute(v);
  CHECK(r.regions[0].modulus.mu_parallel ==
        Approx(mu * lam * lam).epsilon(1e-8));                            // along the stretched fibre
  CHECK(r.regions[0].modulus.mu_perp == Approx(mu / lam).epsilon(1e-8));  // across: lambda_n^2 = 1/lambda
  // Current density rho0 / J with J = 1.
  CHECK(r.regions[0].density == Approx(1000).epsilon(1e-9));
}
