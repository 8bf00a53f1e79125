// Mechanics verification with the full Newton solver: patch test, volumetric locking in bending,
// mesh convergence of an indentation, thread independence, and elastodynamics (period, energy).
#include <catch2/catch.hpp>
#include <cmath>

#include "libtissue/fem/facet_integrator.hpp"
#include "libtissue/solver/mechanics_solver.hpp"
#include "mechanics_fixtures.hpp"

using namespace tissue;
using namespace tissue::test;

namespace {
/// Load with only prescribed displacements taken from a homogeneous map.
MechanicalLoad prescribed(const Mesh& m, const Mat3& F) {
  return {VectorX(), homogeneous_displacement(m, F)};
}

/// Nodes on the outer boundary of the unit box.
std::vector<Index> boundary_nodes(const Mesh& m) {
  std::vector<Index> out;
  for (Index n = 0; n < m.n_nodes(); ++n) {
    const Vec3 X = m.nodes.row(n).transpose();
    if ((X.array() < 1e-9).any() || (X.array() > 1 - 1e-9).any()) out.push_back(n);
  }
  return out;
}
}  // namespace

TEST_CASE(
    "Patch test with Newton: interior nodes of an irregular mesh follow a large homogeneous deformation",
    "[verification][mechanics]") {
  const auto type = GENERATE(CellType::hex8, CellType::tet4);
  const Mesh m = box(4, 4, 3, type, 0.25);
  DofMap d(m.n_nodes(), 3);
  d.constrain_nodes(boundary_nodes(m));
  d.finalize();
  SolidProblem p(m, {muscle(5e3, 2e4, 5.0, 5e5)}, d);
  Mat3 F;
  F << 1.25, 0.10, 0.00, -0.05, 0.90, 0.05, 0.02, 0.00, 0.92;
  const MechanicalLoad load = prescribed(m, F);
  QuasiStaticOptions qo;
  qo.newton.rel_tolerance = 1e-13;
  qo.newton.abs_tolerance = 1e-14;
  QuasiStaticSolver solver(p, qo);
  VectorX u = VectorX::Zero(3 * m.n_nodes());
  solver.solve(
      u, [&](Real t) { return prescribed(m, Mat3::Identity() + t * (F - Mat3::Identity())); }, 0, 1, 4);
  CHECK((u - load.u_prescribed).cwiseAbs().maxCoeff() < 1e-9);
}

namespace {
/// Tip deflection of a cantilever (length 10, section 1 x 1) clamped at x = 0 under a small end shear.
Real cantilever_tip(Real nu, VolumetricTreatment treatment, int nx, int nz) {
  BoxMeshOptions o;
  o.hi = Vec3(10, 1, 1);
  o.nx = nx;
  o.ny = 1;
  o.nz = nz;
  const Mesh m = make_box_mesh(o);
  const Real mu = 1.0, kappa = 2 * mu * (1 + nu) / (3 * (1 - 2 * nu));
  DofMap d(m.n_nodes(), 3);
  d.constrain_nodes(m.node_set("xmin").nodes);
  d.finalize();
  SolidOptions opt;
  opt.volumetric = treatment;
  SolidProblem p(m, {neo_hookean(mu, kappa)}, d, opt);
  const Real P = 1e-5;  // total end load: small, linear regime
  VectorX f = VectorX::Zero(3 * m.n_nodes());
  const auto& tip = m.node_set("xmax").nodes;
  // consistent nodal forces of a uniform shear traction on the end face
  const FacetSet& face = m.facet_set("xmax");
  for (Index k = 0; k < face.size(); ++k)
    for (int a = 0; a < 4; ++a)
      f[3 * face.nodes[static_cast<size_t>(k)][static_cast<size_t>(a)] + 2] += P / (4.0 * face.size());
  QuasiStaticSolver s(p);
  VectorX u;
  s.solve(u, [&](Real t) { return MechanicalLoad{t * f, VectorX::Zero(3 * m.n_nodes())}; }, 0, 1, 1);
  Real w = 0;
  for (Index n : tip) w += u[3 * n + 2];
  return w / static_cast<Real>(tip.size());
}
}  // namespace

TEST_CASE("Nearly incompressible bending: plain hex8 locks, mean-dilatation hex8 does not",
          "[verification][mechanics]") {
  const Real nu = 0.4999;
  const Real E = 2 * 1.0 * (1 + nu);  // mu = 1
  const Real I = 1.0 / 12.0, L = 10, P = 1e-5;
  const Real euler_bernoulli = P * L * L * L / (3 * E * I);
  const Real md = cantilever_tip(nu, VolumetricTreatment::mean_dilatation, 20, 4);
  const Real plain = cantilever_tip(nu, VolumetricTreatment::pointwise, 20, 4);
  INFO("Euler-Bernoulli " << euler_bernoulli << ", mean dilatation " << md << ", plain " << plain);
  CHECK(md / euler_bernoulli > 0.85);
  CHECK(md / euler_bernoulli < 1.05);
  CHECK(plain / euler_bernoulli < 0.2);
}

namespace {
/// Centre displacement of a block under a smooth cosine pressure bump on its top face.
Real indentation_depth(int n, int threads = 1) {
  BoxMeshOptions o;
  o.hi = Vec3(0.04, 0.04, 0.02);
  o.nx = 2 * n;
  o.ny = 2 * n;
  o.nz = n;
  const Mesh m = make_box_mesh(o);
  DofMap d(m.n_nodes(), 3);
  d.constrain_nodes(m.node_set("zmin").nodes);
  d.finalize();
  SolidOptions opt;
  opt.threads = threads;
  SolidProblem p(m, {neo_hookean(3e3, 3e5)}, d, opt);
  FacetQuadrature fq(m, m.facet_set("zmax"));
  std::vector<Vec3> t(static_cast<size_t>(fq.size()));
  for (Index q = 0; q < fq.size(); ++q) {
    const Vec3 X = fq.position(q);
    const Real r = std::hypot(X[0] - 0.02, X[1] - 0.02);
    const Real p0 = r < 0.015 ? 200.0 * 0.5 * (1 + std::cos(M_PI * r / 0.015)) : 0.0;  // [Pa]
    t[static_cast<size_t>(q)] = Vec3(0, 0, -p0);
  }
  VectorX f = VectorX::Zero(3 * m.n_nodes());
  fq.add_vector_load(t, f);
  QuasiStaticSolver s(p);
  VectorX u;
  s.solve(u, [&](Real tt) { return MechanicalLoad{tt * f, VectorX::Zero(3 * m.n_nodes())}; }, 0, 1, 2);
  // centre node of the top face
  for (Index k = 0; k < m.n_nodes(); ++k)
    if (std::abs(m.nodes(k, 0) - 0.02) < 1e-9 && std::abs(m.nodes(k, 1) - 0.02) < 1e-9 &&
        std::abs(m.nodes(k, 2) - 0.02) < 1e-9)
      return -u[3 * k + 2];
  return NAN;
}
}  // namespace

TEST_CASE("Indentation converges under mesh refinement at second order",
          "[verification][mechanics][convergence]") {
  const Real d1 = indentation_depth(2), d2 = indentation_depth(4), d3 = indentation_depth(8);
  const Real rate = std::log2(std::abs(d2 - d1) / std::abs(d3 - d2));
  INFO("depths " << d1 << " " << d2 << " " << d3 << " observed rate " << rate);
  CHECK(rate > 1.5);
  CHECK(d3 > 0);
}

TEST_CASE("A Newton solve gives the same displacement with 1 and 2 threads", "[verification][mechanics]") {
  const Real a = indentation_depth(4, 1), b = indentation_depth(4, 2);
  CHECK(std::abs(a - b) <= 1e-12 * std::abs(a));
}

namespace {
/// Fixed-free confined bar (1-D waves): lateral rollers, bottom fixed, top free.
struct Bar {
  Mesh m;
  DofMap d;
  Bar(int nz) : m(make_bar(nz)), d(m.n_nodes(), 3) {
    for (Index n = 0; n < m.n_nodes(); ++n) {
      d.constrain(n, 0);
      d.constrain(n, 1);
    }
    for (Index n : m.node_set("zmin").nodes) d.constrain(n, 2);
    d.finalize();
  }
  static Mesh make_bar(int nz) {
    BoxMeshOptions o;
    o.hi = Vec3(0.01, 0.01, 0.1);
    o.nz = nz;
    return make_box_mesh(o);
  }
};
}  // namespace

TEST_CASE("Elastodynamics: a confined bar vibrates at the analytic period and rho_inf = 1 conserves energy",
          "[verification][mechanics][dynamics]") {
  Bar bar(16);
  const Real mu = 1e4, kappa = 1e5, rho = 1000, L = 0.1;
  SolidProblem p(bar.m, {RegionMechanics{HyperelasticLaw{NeoHookean{mu}, VolumetricLogJ{kappa}}, rho}},
                 bar.d);
  const Real c = std::sqrt((kappa + 4.0 / 3.0 * mu) / rho);
  const Real T = 4 * L / c;  // fundamental period of a fixed-free bar
  DynamicOptions opt;
  opt.rho_inf = 1.0;
  DynamicSolver dyn(p, opt);
  DynamicState s;
  s.u = VectorX::Zero(3 * bar.m.n_nodes());
  s.v = VectorX::Zero(3 * bar.m.n_nodes());
  const Real v0 = 1e-4;  // small amplitude: linear regime
  for (Index n = 0; n < bar.m.n_nodes(); ++n)
    s.v[3 * n + 2] = v0 * std::sin(M_PI * bar.m.nodes(n, 2) / (2 * L));
  const MechanicalLoad none{VectorX(), VectorX::Zero(3 * bar.m.n_nodes())};
  dyn.initialize(s, none);
  const LoadFunction load = [&](Real) { return none; };
  const Index top = bar.m.node_set("zmax").nodes.front();
  const int steps_per_period = 100;
  const Real dt = T / steps_per_period;
  const Real E0 = dyn.kinetic_energy(s);
  Real prev = s.u[3 * top + 2], t = 0, crossing = -1;
  Real max_energy_error = 0;
  for (int k = 0; k < 2 * steps_per_period && crossing < 0; ++k) {
    dyn.step(s, load, t, dt);
    t += dt;
    const Real w = s.u[3 * top + 2];
    // second upward zero crossing after the start = one full period (starts moving up from 0)
    if (k > steps_per_period / 2 && prev < 0 && w >= 0) crossing = t - dt * w / (w - prev);
    prev = w;
    const Real E = dyn.kinetic_energy(s) + p.evaluate(s.u, nullptr, nullptr).energy;
    max_energy_error = std::max(max_energy_error, std::abs(E - E0) / E0);
  }
  INFO("analytic period " << T << ", measured " << crossing);
  CHECK(crossing == Approx(T).epsilon(0.01));
  CHECK(max_energy_error < 1e-3);
}

TEST_CASE("Generalized-alpha parameters follow Chung-Hulbert and rho_inf outside [0, 1] is rejected",
          "[verification][dynamics]") {
  const auto a = GeneralizedAlphaParameters::from_rho_inf(0.5);
  CHECK(a.gamma == Approx(0.5 - a.alpha_m + a.alpha_f));
  CHECK(a.alpha_f == Approx(1.0 / 3.0));
  CHECK(a.alpha_m == Approx(0.0));
  DynamicOptions bad;
  bad.rho_inf = 1.5;
  CHECK_THROWS_WITH(bad.validate(), Catch::Contains("rho_inf"));
}
