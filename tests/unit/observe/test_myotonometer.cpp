// Myotonometer: signal definitions on an analytic damped oscillator; on a homogeneous block the FE probe
// oscillation matches the one-degree-of-freedom oscillator (probe mass on the static FE stiffness of the
// same footprint); stiffer tissue gives higher F and S; the run is never mutated.
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>

#include "libtissue/core/error.hpp"
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
  Block(Real mu, Real rho) {
    BoxMeshOptions o;
    o.lo = Vec3(-0.03, -0.03, -0.012);
    o.hi = Vec3(0.03, 0.03, 0.0);
    o.nx = o.ny = 3;
    o.nz = 3;
    mesh = make_box_mesh(o);
    DofMap d(mesh.n_nodes(), 3);
    d.finalize();
    solid =
        std::make_unique<SolidProblem>(mesh,
                                       std::vector<RegionMechanics>{RegionMechanics{
                                           HyperelasticLaw{NeoHookean{mu}, VolumetricLogJ{50 * mu}}, rho}},
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
  const Real f_1dof = std::sqrt(k / o.probe_mass) / (2 * kPi);
  const MyotonReading ref =
      analyse_myoton_signal(one_dof(o.probe_mass, k, o.impulse, o.impulse_duration, o.duration, 1e-4),
                            o.impulse_duration, o.probe_mass);
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
  CHECK(r.frequency == Approx(f_1dof).epsilon(0.05));
  CHECK(r.stiffness == Approx(ref.stiffness).epsilon(0.05));
  CHECK(r.relaxation_time == Approx(ref.relaxation_time).epsilon(0.05));
  CHECK(std::abs(r.decrement) < 0.1);  // elastic tissue, closed box: little damping
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
  const Block b(10e3, 1000);
  const Myotonometer myo;
  try {
    (void)myo.local_model(b.view(), Vec3(0.5, 0.5, 0));
    FAIL("no throw");
  } catch (const InputError& e) {
    CHECK(e.field() == "myoton.point");
  }
}
