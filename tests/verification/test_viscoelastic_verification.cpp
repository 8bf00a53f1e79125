// FE verification of the viscoelastic tissue law (TissueMaterial: neo-Hookean base + normalized Prony series)
// on homogeneous hex8 blocks with mean dilatation, driven by the QuasiStaticSolver: stress relaxation, creep
// under a dead load, hysteresis energy (dissipation = loop area) and time-temperature superposition.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "libtissue/fem/facet_integrator.hpp"
#include "libtissue/solver/mechanics_solver.hpp"
#include "mechanics_fixtures.hpp"

using namespace tissue;
using namespace tissue::test;

namespace {

constexpr Real kL = 0.01;       // block edge [m]
constexpr Real kMu = 1.0e4;     // shear modulus at T_ref [Pa]
constexpr Real kKappa = 1.0e6;  // bulk modulus [Pa]

/// The tissue law under test: neo-Hookean base, Prony terms, temperature shift.
TissueMaterial tissue_law(std::vector<PronyTerm> terms, ThermalShift shift = {}) {
  TissueMaterial t;
  t.elastic = HyperelasticLaw{NeoHookean{kMu}, VolumetricLogJ{kKappa}};
  t.prony.terms = std::move(terms);
  t.thermal = shift;
  return t;
}

/// Relaxation function g_inf + sum g_i exp(-t / (a_T tau_i)).
Real relaxation(const std::vector<PronyTerm>& terms, Real t, Real aT = 1.0) {
  Real g = 1.0;
  for (const auto& p : terms) g -= p.g * (1.0 - std::exp(-t / (aT * p.tau)));
  return g;
}

/// A 2x2x2 block of edge kL whose boundary nodes all follow x = F X (the interior node is free): the
/// equilibrium state is exactly homogeneous simple shear x = X + gamma Z e_x.
struct ShearBlock {
  Mesh m;
  SolidProblem p;
  SolidHistory history;
  VectorX T;  // uniform nodal temperature
  explicit ShearBlock(const TissueMaterial& law, Real T0)
      : m(box(2, 2, 2, CellType::hex8, 0.0, Vec3(kL, kL, kL))),
        p(m, {RegionMechanics{law, 1000.0}}, fixing_boundary(m)),
        history(p.make_history()),
        T(VectorX::Constant(m.n_nodes(), T0)) {}
  static DofMap fixing_boundary(const Mesh& m) {
    return dofs_fixing(m, {"xmin", "xmax", "ymin", "ymax", "zmin", "zmax"});
  }
  MechanicalLoad load(Real gamma) const {
    Mat3 F = Mat3::Identity();
    F(0, 2) = gamma;
    return {VectorX(), homogeneous_displacement(m, F)};
  }
  /// x-reaction on the top face at the committed state [N] (dt = 0 re-evaluation reproduces the stress).
  Real reaction(const VectorX& u) {
    SolidInputs in;
    in.dt = 0;
    in.temperature = &T;
    in.history = &history;
    VectorX f;
    p.evaluate(u, &f, nullptr, &in);
    Real r = 0;
    for (Index n : m.node_set("zmax").nodes) r += f[3 * n];
    return r;
  }
};

QuasiStaticOptions tight() {
  QuasiStaticOptions o;
  o.newton.rel_tolerance = 1e-10;
  o.newton.abs_tolerance = 1e-14;
  o.newton.increment_tolerance = 1e-12;
  o.newton.line_search = false;  // near-linear problems: the energy test is at round-off level
  return o;
}

/// Relaxation after a (nearly) instantaneous shear step gamma held from t = eps to t_end: (time, reaction).
std::vector<std::pair<Real, Real>> shear_relaxation(ShearBlock& b, Real gamma, Real eps, Real t_end,
                                                    int steps) {
  QuasiStaticSolver solver(b.p, tight());
  VectorX u = VectorX::Zero(3 * b.m.n_nodes());
  SolidInputs in;
  in.temperature = &b.T;
  in.history = &b.history;
  std::vector<std::pair<Real, Real>> out;
  const auto rec = [&](Real t, const VectorX& uu, const SolidStepState&) {
    out.emplace_back(t, b.reaction(uu));
  };
  solver.solve(
      u, [&](Real t) { return b.load(gamma * std::min(t / eps, 1.0)); }, 0, eps, 1, rec, nullptr, &in,
      &b.history);
  solver.solve(u, [&](Real) { return b.load(gamma); }, eps, t_end, steps, rec, nullptr, &in, &b.history);
  return out;
}

}  // namespace

TEST_CASE("Stress relaxation: the shear reaction of a block follows the Prony relaxation function",
          "[verification][viscoelastic]") {
  const std::vector<PronyTerm> terms{{0.3, 0.1}, {0.2, 1.0}};
  ShearBlock b(tissue_law(terms), kCelsius + 37.0);
  const Real gamma = 0.3, eps = 1e-7;
  const auto rec = shear_relaxation(b, gamma, eps, 5.0, 50);
  // Finite simple shear of a neo-Hookean solid: sigma_xz = mu gamma exactly; the volumetric part vanishes (J
  // = 1).
  const Real R0 = kMu * gamma * kL * kL;
  constexpr Real kRelaxationTol = 1e-6;  // relative; the exponential recursion is exact for a held strain
  Real worst = 0;
  for (const auto& [t, R] : rec) {
    // A ramp over eps acts as a step at eps/2 up to O(eps^2).
    const Real expected = R0 * relaxation(terms, t - 0.5 * eps);
    worst = std::max(worst, std::abs(R / expected - 1.0));
  }
  INFO("instantaneous R " << rec.front().second << " N (analytic " << R0 << "), max relative error "
                          << worst);
  CHECK(worst < kRelaxationTol);
  CHECK(rec.back().second / R0 == Approx(0.5 + 0.2 * std::exp(-5.0)).epsilon(kRelaxationTol));
}

TEST_CASE("Creep under a dead load follows the standard-linear-solid creep compliance",
          "[verification][viscoelastic]") {
  // One Prony term on the shear response: G(t) = mu (g_inf + g exp(-t/tau)); the bulk modulus K is elastic.
  // Small-strain uniaxial stress sigma: eps_zz(t) = sigma/(9K) + sigma/3 J_G(t), with the shear creep
  // compliance J_G(t) = 1/(mu g_inf) - (1/(mu g_inf) - 1/mu) exp(-t/tau_c), tau_c = tau / g_inf.
  const Real g = 0.4, tau = 1.0, g_inf = 1 - g, tau_c = tau / g_inf;
  const Mesh m = box(2, 2, 2, CellType::hex8, 0.0, Vec3(kL, kL, kL));
  DofMap d(m.n_nodes(), 3);
  for (Index n : m.node_set("xmin").nodes) d.constrain(n, 0);  // sliding symmetry planes
  for (Index n : m.node_set("ymin").nodes) d.constrain(n, 1);
  for (Index n : m.node_set("zmin").nodes) d.constrain(n, 2);
  d.finalize();
  SolidProblem p(m, {RegionMechanics{tissue_law({{g, tau}}), 1000.0}}, d);
  const Real sigma = 1.0;  // nominal compressive stress [Pa]: strain ~ 5e-5, linear regime
  FacetQuadrature fq(m, m.facet_set("zmax"));
  std::vector<Vec3> traction(static_cast<size_t>(fq.size()), Vec3(0, 0, -sigma));
  VectorX f = VectorX::Zero(3 * m.n_nodes());
  fq.add_vector_load(traction, f);
  const VectorX zero = VectorX::Zero(3 * m.n_nodes());
  SolidHistory h = p.make_history();
  SolidInputs in;
  in.history = &h;
  QuasiStaticOptions qo;  // forces ~1e-4 N: residual 1e-12 N is 1e-8 of the load
  qo.newton.rel_tolerance = 1e-9;
  qo.newton.abs_tolerance = 1e-12;
  qo.newton.line_search = false;  // near-linear: the energy test is at round-off level late in the creep
  QuasiStaticSolver solver(p, qo);
  VectorX u = zero;
  const Index top = m.node_set("zmax").nodes.front();
  std::vector<std::pair<Real, Real>> strain;  // (t, -u_z(top)/L)
  const auto rec = [&](Real t, const VectorX& uu, const SolidStepState&) {
    strain.emplace_back(t, -uu[3 * top + 2] / kL);
  };
  const Real eps = 1e-8;
  solver.solve(
      u, [&](Real t) { return MechanicalLoad{std::min(t / eps, 1.0) * f, zero}; }, 0, eps, 1, rec, nullptr,
      &in, &h);
  const LoadFunction dead = [&](Real) { return MechanicalLoad{f, zero}; };
  solver.solve(u, dead, eps, 5 * tau_c, 250, rec, nullptr, &in, &h);  // dt = tau_c / 50
  const size_t n_resolved = strain.size();
  solver.solve(u, dead, 5 * tau_c, 30 * tau_c, 50, rec, nullptr, &in, &h);

  const auto analytic = [&](Real t) {
    const Real J = 1 / (kMu * g_inf) - (1 / (kMu * g_inf) - 1 / kMu) * std::exp(-t / tau_c);
    return sigma / (9 * kKappa) + sigma / 3 * J;
  };
  constexpr Real kCreepTol = 0.02;     // relative, resolved part (time-step and finite-strain error)
  constexpr Real kLongTermTol = 1e-3;  // relative, t = 30 tau_c
  Real worst = 0;
  for (size_t k = 0; k < n_resolved; ++k)
    worst = std::max(worst, std::abs(strain[k].second / analytic(strain[k].first) - 1));
  const Real long_term = sigma / (9 * kKappa) + sigma / (3 * kMu * g_inf);
  INFO("instantaneous strain " << strain.front().second << " (analytic " << analytic(0) << "), long-term "
                               << strain.back().second << " (analytic " << long_term
                               << "), max relative error over [0, 5 tau_c] " << worst);
  CHECK(worst < kCreepTol);
  CHECK(strain.back().second == Approx(long_term).epsilon(kLongTermTol));
  CHECK(strain.front().second == Approx(analytic(0)).epsilon(kLongTermTol));
}

TEST_CASE("Hysteresis: dissipation summed over a cycle equals the reaction's force-displacement loop area",
          "[verification][viscoelastic][energy]") {
  const Real gamma0 = GENERATE(0.01, 0.3);
  const std::vector<PronyTerm> terms{{0.3, 0.1}, {0.2, 1.0}};
  ShearBlock b(tissue_law(terms), kCelsius + 37.0);
  const Real omega = 1.0 / 0.3, period = 2 * M_PI / omega;
  const int cycles = 8, per_cycle = 80;
  QuasiStaticSolver solver(b.p, tight());
  VectorX u = VectorX::Zero(3 * b.m.n_nodes());
  SolidInputs in;
  in.temperature = &b.T;
  std::vector<Real> disp{0.0}, force{0.0}, dissipated{0.0};
  solver.solve(
      u, [&](Real t) { return b.load(gamma0 * std::sin(omega * t)); }, 0, cycles * period, cycles * per_cycle,
      [&](Real t, const VectorX& uu, const SolidStepState& step) {
        dissipated.push_back(step.dissipation.sum());
        disp.push_back(gamma0 * std::sin(omega * t) * kL);  // top-face x displacement
        force.push_back(b.reaction(uu));
      },
      nullptr, &in, &b.history);
  Real loop = 0, D = 0;
  const size_t n = disp.size(), first = n - per_cycle - 1;
  for (size_t k = first; k + 1 < n; ++k) {
    loop += 0.5 * (force[k] + force[k + 1]) * (disp[k + 1] - disp[k]);
    D += dissipated[k + 1];
  }
  // Small-strain Maxwell dissipation per cycle: V pi gamma0^2 sum_i mu g_i w tau_i / (1 + w^2 tau_i^2).
  Real analytic = 0;
  for (const auto& p : terms) analytic += kMu * p.g * omega * p.tau / (1 + omega * omega * p.tau * p.tau);
  analytic *= M_PI * gamma0 * gamma0 * kL * kL * kL;
  constexpr Real kLoopTol = 0.01;  // relative (trapezoidal loop quadrature, O(dt^2))
  INFO("gamma0 " << gamma0 << ": dissipation " << D << " J, loop area " << loop
                 << " J, small-strain analytic " << analytic << " J");
  CHECK(D == Approx(loop).epsilon(kLoopTol));
  if (gamma0 < 0.05) CHECK(D == Approx(analytic).epsilon(kLoopTol));
}

TEST_CASE("Time-temperature superposition: relaxation at T is the T_ref curve on the shifted time scale",
          "[verification][viscoelastic][thermal]") {
  ThermalShift shift;
  shift.modulus_coefficient = 0.02;
  const int model = GENERATE(0, 1);
  if (model == 0) {
    shift.model = ShiftModel::arrhenius;
    shift.activation_energy = 50e3;
  } else {
    shift.model = ShiftModel::wlf;
    shift.C1 = 5.0;
    shift.C2 = 100.0;
  }
  const std::vector<PronyTerm> terms{{0.3, 0.1}, {0.2, 1.0}};
  const Real T = kCelsius + 42.0, gamma = 0.2, eps = 1e-7;
  ShearBlock ref(tissue_law(terms, shift), shift.T_ref), warm(tissue_law(terms, shift), T);
  const Real aT = shift.a_T(T), mT = shift.modulus_factor(T);
  const auto r0 = shear_relaxation(ref, gamma, eps, 4.0, 40);
  const auto r1 = shear_relaxation(warm, gamma, aT * eps, aT * 4.0, 40);
  REQUIRE(r0.size() == r1.size());
  constexpr Real kShiftTol = 1e-6;  // relative at matched reduced times
  Real worst = 0;
  for (size_t k = 0; k < r0.size(); ++k) {
    CHECK(r1[k].first == Approx(aT * r0[k].first).epsilon(1e-12));
    worst = std::max(worst, std::abs(r1[k].second / (mT * r0[k].second) - 1));
  }
  INFO("a_T " << aT << ", m(T) " << mT << ", max relative mismatch " << worst);
  CHECK(worst < kShiftTol);
  CHECK(aT < 1.0);  // warmer relaxes faster
}
