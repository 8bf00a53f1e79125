// Myotonometer: signal definitions on an analytic damped oscillator; on a homogeneous block the FE probe
// oscillation matches the one-degree-of-freedom oscillator (probe mass on the static FE stiffness of the
// same footprint); stiffer tissue gives higher F and S; the run is never mutated.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include "libtissue/core/error.hpp"
#include "libtissue/material/tissue_material.hpp"
#include "libtissue/mesh/box_mesh.hpp"
#include "libtissue/observe/myotonometer.hpp"

using namespace tissue;

namespace {
constexpr Real kPi = std::numbers::pi;

/// Exact response of an undamped 1-DOF (m, k) at rest to a rectangular force pulse (F, duration tp).
MyotonSignal one_dof(Real m, Real k, Real F, Real tp, Real T, Real dt) {
  const Real w = std::sqrt(k / m);
  MyotonSignal s;
  for (Real t = 0; t <= T + 1e-12; t += dt) {
    Real x, a;
    if (t < tp) {
      x = F / k * (1 - std::cos(w * t));
      a = F / m * std::cos(w * t);
    } else {
      x = F / k * (std::cos(w * (t - tp)) - std::cos(w * t));
      a = -w * w * x;
    }
    s.time.push_back(t);
    s.displacement.push_back(x);
    s.acceleration.push_back(a);
  }
  return s;
}

struct Block {
  Mesh mesh;
  std::unique_ptr<SolidProblem> solid;
  /// A 6 x 6 x 1.2 cm neo-Hookean block (bulk modulus 50 mu); `prony`: its isochoric relaxation; `deep`: a
  /// 12 x 12 x 6 cm block with bulk modulus 500 mu instead (nearly incompressible, a half-space for the tip).
  Block(Real mu, Real rho, const PronySeries& prony = {}, bool deep = false) {
    BoxMeshOptions o;
    const Real half = deep ? 0.06 : 0.03, depth = deep ? 0.06 : 0.012;
    o.lo = Vec3(-half, -half, -depth);
    o.hi = Vec3(half, half, 0.0);
    o.nx = o.ny = 3;
    o.nz = 3;
    mesh = make_box_mesh(o);
    DofMap d(mesh.n_nodes(), 3);
    d.finalize();
    const HyperelasticLaw elastic{NeoHookean{mu}, VolumetricLogJ{(deep ? 500 : 50) * mu}};
    const SolidLaw law =
        prony.terms.empty() ? SolidLaw{elastic} : SolidLaw{TissueMaterial{elastic, prony, {}, {}}};
    solid = std::make_unique<SolidProblem>(mesh, std::vector<RegionMechanics>{RegionMechanics{law, rho}},
                                           std::move(d));
  }
  StepView view() const {
    StepView v;
    v.solid = solid.get();
    return v;
  }
};
}  // namespace

TEST_CASE("Myoton signal analysis: F, D, S on analytic oscillators", "[observe][myoton]") {
  // Damped free oscillation: x = A exp(-sigma t) sin(wd t); D = 2 pi sigma / wd; F = wd / 2 pi.
  const Real f = 15.0, wd = 2 * kPi * f, sigma = 1.28 * wd / (2 * kPi);
  MyotonSignal s;
  for (Real t = 0; t <= 0.4; t += 2e-4) {
    const Real x = 1e-3 * std::exp(-sigma * t) * std::sin(wd * t);
    const Real a = 1e-3 * std::exp(-sigma * t) *
                   ((sigma * sigma - wd * wd) * std::sin(wd * t) - 2 * sigma * wd * std::cos(wd * t));
    s.time.push_back(t);
    s.displacement.push_back(x);
    s.acceleration.push_back(a);
  }
  const MyotonReading r = analyse_myoton_signal(s, 0.0, 0.02);
  CHECK(r.frequency == Approx(f).epsilon(0.02));
  CHECK(r.decrement == Approx(1.28).epsilon(0.02));
  // Undamped 1-DOF with the instrument's pulse: S = m w^2 = k when the pulse has ended before the peak.
  const Real m = 0.015, k = 300.0;
  const MyotonReading u = analyse_myoton_signal(one_dof(m, k, 0.4, 0.015, 0.3, 1e-4), 0.015, m);
  CHECK(u.frequency == Approx(std::sqrt(k / m) / (2 * kPi)).epsilon(0.01));
  CHECK(u.stiffness == Approx(k).epsilon(0.01));
  CHECK(std::abs(u.decrement) < 0.01);
  CHECK(u.creep > 0);
  CHECK(u.relaxation_time > 0);
}

/// The probe (mass m) on a standard linear solid: m x'' = f(t) - k_inf x - q, q' = k1 x' - q / tau (k1 the
/// Maxwell branch's spring), f the rectangular pulse F over [0, tp); classical RK4 on a step dt, sampled
/// every `every` steps.
MyotonSignal sls_oscillator(Real m, Real k_inf, Real k1, Real tau, Real F, Real tp, Real T, Real dt,
                            int every) {
  struct Y {
    Real x, v, q;
  };
  auto rate = [&](const Y& y, Real f) {
    const Real a = (f - k_inf * y.x - y.q) / m;
    return Y{y.v, a, k1 * y.v - y.q / tau};
  };
  auto add = [](const Y& y, const Y& d, Real h) { return Y{y.x + h * d.x, y.v + h * d.v, y.q + h * d.q}; };
  Y y{0, 0, 0};
  MyotonSignal s;
  const int n = static_cast<int>(std::lround(T / dt)), n_imp = static_cast<int>(std::lround(tp / dt));
  for (int i = 0; i <= n; ++i) {
    const Real f = i < n_imp ? F : 0.0;  // the force over the step [t_i, t_i+1)
    if (i % every == 0) {
      s.time.push_back(i * dt);
      s.displacement.push_back(y.x);
      s.acceleration.push_back(rate(y, i == n_imp ? 0.0 : f).v);
    }
    const Y k1y = rate(y, f), k2 = rate(add(y, k1y, dt / 2), f), k3 = rate(add(y, k2, dt / 2), f),
            k4 = rate(add(y, k3, dt), f);
    y = Y{y.x + dt / 6 * (k1y.x + 2 * k2.x + 2 * k3.x + k4.x),
          y.v + dt / 6 * (k1y.v + 2 * k2.v + 2 * k3.v + k4.v),
          y.q + dt / 6 * (k1y.q + 2 * k2.q + 2 * k3.q + k4.q)};
  }
  return s;
}

TEST_CASE(
    "Myotonometer on a homogeneous block matches the 1-DOF oscillator, and stiffer gives higher F and S",
    "[observe][myoton]") {
  const Real rho = 1000;
  const Block soft(15e3, rho), stiff(30e3, rho);
  MyotonOptions o;
  o.half_width = 0.03;
  o.duration = 0.25;
  const Myotonometer myo({}, o);
  const MyotonLocalModel lm = myo.local_model(soft.view(), Vec3(0, 0, 0.001));
  CHECK(lm.depth == Approx(0.012).epsilon(1e-9));
  const Real k = myo.static_stiffness(lm);
  const MyotonReading r = myo.run(lm);
  // The moving mass: the probe plus the tissue in the shape of its deflection (a few percent here).
  const Real m = myo.creep(lm).moving_mass;
  CHECK(m > o.probe_mass);
  CHECK(m < 1.1 * o.probe_mass);
  const Real f_1dof = std::sqrt(k / m) / (2 * kPi);
  const MyotonReading ref = analyse_myoton_signal(
      one_dof(m, k, o.impulse, o.impulse_duration, o.duration, o.dt), o.impulse_duration, o.probe_mass);
  INFO("k = " << k << " N/m, f_1dof = " << f_1dof << " Hz, F = " << r.frequency << " Hz, S = " << r.stiffness
              << " (1-DOF " << ref.stiffness << ") N/m, D = " << r.decrement << ", R = " << r.relaxation_time
              << " s (1-DOF " << ref.relaxation_time << "), C = " << r.creep << " (1-DOF " << ref.creep
              << ")");
  WARN("myoton vs 1-DOF: k = " << k << " N/m, F = " << r.frequency << " Hz vs " << f_1dof << " Hz ("
                               << 100 * (r.frequency / f_1dof - 1) << " %), S = " << r.stiffness << " vs "
                               << ref.stiffness << " N/m (" << 100 * (r.stiffness / ref.stiffness - 1)
                               << " %), D = " << r.decrement << ", R = " << 1e3 * r.relaxation_time
                               << " ms vs " << 1e3 * ref.relaxation_time << " ms, C = " << r.creep << " vs "
                               << ref.creep);
  CHECK(r.frequency == Approx(f_1dof).epsilon(0.01));
  CHECK(r.stiffness == Approx(ref.stiffness).epsilon(0.01));
  CHECK(r.relaxation_time == Approx(ref.relaxation_time).epsilon(0.01));  // sampled alike
  CHECK(std::abs(r.decrement) < 0.02);                                    // elastic tissue: no damping
  // Stiffer tissue.
  const MyotonReading rs = myo.measure(stiff.view(), Vec3(0, 0, 0));
  CHECK(rs.frequency > r.frequency * 1.2);
  CHECK(rs.stiffness > r.stiffness * 1.5);
}

TEST_CASE("Myotonometer options and points are validated by field", "[observe][myoton]") {
  MyotonOptions o;
  o.probe_mass = 0;
  try {
    Myotonometer m({}, o);
    FAIL("no throw");
  } catch (const InputError& e) {
    CHECK(e.field() == "myoton.probe_mass");
  }
  for (auto [field, set] : std::vector<std::pair<std::string, std::function<void(MyotonOptions&)>>>{
           {"myoton.tip_cells", [](MyotonOptions& x) { x.tip_cells = 0; }},
           {"myoton.substeps", [](MyotonOptions& x) { x.substeps = 0; }},
           {"myoton.creep_growth", [](MyotonOptions& x) { x.creep_growth = 1; }},
           {"myoton.creep_first_step", [](MyotonOptions& x) { x.creep_first_step = 1; }}}) {
    MyotonOptions bad;
    set(bad);
    try {
      Myotonometer m({}, bad);
      FAIL("no throw for " << field);
    } catch (const InputError& e) {
      CHECK(e.field() == field);
    }
  }
  const Block b(10e3, 1000);
  const Myotonometer myo;
  try {
    (void)myo.local_model(b.view(), Vec3(0.5, 0.5, 0));
    FAIL("no throw");
  } catch (const InputError& e) {
    CHECK(e.field() == "myoton.point");
  }
}

TEST_CASE(
    "Myotonometer on a homogeneous block of a standard linear solid: creep and damped oscillation as "
    "the analytic oscillator's",
    "[observe][myoton]") {
  // Isochoric relaxation g_inf + g exp(-t/tau) of a nearly incompressible block: the tip's force relaxes
  // about the same way, k(t) = k0 (g_inf + g exp(-t/tau)) (exactly so when incompressible), so its creep
  // compliance under a held force is that of a standard linear solid, J(t) = 1/k_inf - (1/k_inf - 1/k0)
  // exp(-t / tau_c), tau_c = tau k0 / k_inf, k_inf = g_inf k0.
  const Real g = 0.5, tau = 0.016;
  const Block block(15e3, 1000, PronySeries{{PronyTerm{g, tau}}}, true);
  MyotonOptions o;
  o.half_width = 0.05;
  const Myotonometer myo({}, o);
  const MyotonLocalModel lm = myo.local_model(block.view(), Vec3(0, 0, 0));
  const MyotonCreep c = myo.creep(lm);
  const Real k0 = 1 / c.compliance.front();
  // Fully crept at the end (8 creep times): twice as soft, less the part the bulk modulus keeps (2 %).
  CHECK(c.compliance.back() * k0 == Approx(1 / (1 - g)).epsilon(0.03));
  const Real k_inf = 1 / c.compliance.back();  // the block's own relaxed stiffness
  for (size_t i = 0; i < c.time.size(); ++i) {
    const Real t = c.time[i];
    const Real J = 1 / k_inf - (1 / k_inf - 1 / k0) * std::exp(-t * k_inf / (tau * k0));
    INFO("t = " << t << " s: J = " << c.compliance[i] << " m/N, analytic " << J);
    CHECK(c.compliance[i] == Approx(J).epsilon(0.01));
  }
  // The probe on it against the standard linear solid integrated by RK4 (same moving mass and k0).
  const MyotonReading r = myo.run(lm);
  const MyotonReading ref =
      analyse_myoton_signal(sls_oscillator(c.moving_mass, k_inf, k0 - k_inf, tau, o.impulse,
                                           o.impulse_duration, o.duration, 1e-5, 100),
                            o.impulse_duration, o.probe_mass);
  WARN("SLS block: F " << r.frequency << " vs " << ref.frequency << " Hz, S " << r.stiffness << " vs "
                       << ref.stiffness << " N/m, D " << r.decrement << " vs " << ref.decrement << ", R "
                       << 1e3 * r.relaxation_time << " vs " << 1e3 * ref.relaxation_time << " ms");
  CHECK(ref.decrement > 0.5);  // a strongly damped oscillation (the instrument's D is 1-1.6 on muscle)
  CHECK(r.frequency == Approx(ref.frequency).epsilon(0.02));
  CHECK(r.stiffness == Approx(ref.stiffness).epsilon(0.02));
  CHECK(r.decrement == Approx(ref.decrement).epsilon(0.02));
  CHECK(r.relaxation_time == Approx(ref.relaxation_time).epsilon(0.02));
}

TEST_CASE(
    "Myotonometer on a homogeneous block: the tip's stiffness converges to the rigid punch on a "
    "half-space",
    "[observe][myoton]") {
  // A rigid flat circular punch of radius a on an incompressible half-space: k = 8 mu a (Boussinesq; the
  // model's square tip has the disc's area). The local model's refinement under the tip (tip_cells, growth)
  // sets how close the reading's stiffness comes to it.
  const Real mu = 15e3, a = 0.0015;
  const Block block(mu, 1000, {}, true);
  std::vector<Real> k;
  for (int cells : {2, 4, 6}) {
    MyotonOptions o;
    o.half_width = 0.05;
    o.tip_cells = cells;
    o.growth = 1.5;
    const Myotonometer myo({}, o);
    k.push_back(myo.static_stiffness(myo.local_model(block.view(), Vec3(0, 0, 0))));
  }
  WARN("tip stiffness / 8 mu a at 2, 4, 6 tip cells (growth 1.5): "
       << k[0] / (8 * mu * a) << ", " << k[1] / (8 * mu * a) << ", " << k[2] / (8 * mu * a));
  CHECK(k[0] > k[1]);
  CHECK(k[1] > k[2]);  // from above, as a displacement-based discretisation of a stiff tip must
  CHECK(k[2] > 8 * mu * a);
  // First-order extrapolation from 4 and 6 cells (the edge of a rigid tip is singular: slow convergence).
  const Real k_limit = 3 * k[2] - 2 * k[1];
  CHECK(k_limit == Approx(8 * mu * a).epsilon(0.10));
}
