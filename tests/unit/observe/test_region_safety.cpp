// RegionStats (tone statistics, temperature, pressure) and SafetyMonitor (CEM43 at the analytic rate,
// pressure over bone flagged only near bone, strain), plus the tone helpers of step_view.hpp.
#include <catch2/catch.hpp>
#include <cmath>

#include "libtissue/mesh/box_mesh.hpp"
#include "libtissue/observe/region_stats.hpp"
#include "libtissue/observe/safety_monitor.hpp"

using namespace tissue;

namespace {
DofMap free_dofs(const Mesh& m) {
  DofMap d(m.n_nodes(), 3);
  d.finalize();
  return d;
}
RegionMechanics neo(Real mu) {
  return RegionMechanics{HyperelasticLaw{NeoHookean{mu}, VolumetricLogJ{100 * mu}}, 1000};
}
}  // namespace

TEST_CASE("RegionStats: tone mean and percentiles, temperature mean/max, perfusion, peak pressure",
          "[observe]") {
  BoxMeshOptions o;
  o.hi = Vec3(0.04, 0.01, 0.01);
  o.nx = 4;
  o.region = "erector_spinae_right";
  const Mesh m = make_box_mesh(o);
  SolidProblem solid(m, {neo(2000)}, free_dofs(m));
  const int nq = solid.geometry().n_qp();
  // Tone 0.1, 0.2, 0.3, 0.4 in the four equal cells.
  VectorX tone(m.n_cells() * nq);
  for (Index e = 0; e < m.n_cells(); ++e) tone.segment(e * nq, nq).setConstant(0.1 * (e + 1));
  VectorX T(m.n_nodes());
  for (Index n = 0; n < m.n_nodes(); ++n) T[n] = 310 + 100 * m.nodes(n, 0);  // linear in x: 310 .. 314 K
  VectorX perf = VectorX::Constant(m.n_nodes(), 6e-4);
  // Uniform compression by a homogeneous map with J < 1: pressure = -kappa ln J / J (neo-Hookean iso part 0).
  const Real s = 0.99;
  VectorX u(3 * m.n_nodes());
  for (Index n = 0; n < m.n_nodes(); ++n) u.segment<3>(3 * n) = (s - 1) * m.nodes.row(n).transpose();
  StepView v;
  v.solid = &solid;
  v.tone = &tone;
  v.temperature = &T;
  v.perfusion = &perf;
  v.displacement = &u;
  const auto r = RegionStats().compute(v);
  REQUIRE(r.size() == 1);
  CHECK(r[0].tone_mean == Approx(0.25));
  CHECK(r[0].tone_p10 == Approx(0.1).margin(1e-12));  // 10 % of 32 points: all in the first cell
  CHECK(r[0].tone_p90 == Approx(0.4).margin(1e-12));
  CHECK(r[0].temperature_mean == Approx(312.0).epsilon(1e-12));
  CHECK(r[0].temperature_max == Approx(314.0).epsilon(1e-12));
  CHECK(r[0].perfusion_mean == Approx(6e-4));
  const Real J = s * s * s;
  CHECK(r[0].peak_pressure == Approx(-200000.0 * std::log(J) / J).epsilon(1e-9));
  CHECK(percentile({1, 2, 3, 4, 5}, 50) == Approx(3));
  CHECK(percentile({1, 2}, 25) == Approx(1.25));
  // Tone helpers: resting tone field (muscle kind), stimulus sampling.
  RestingTone rest;
  rest.make_hypertonic("erector_spinae");
  const VectorX a_rest = resting_tone_field(m, nq, rest);
  CHECK(a_rest.minCoeff() == Approx(rest.hypertonic));
  const VectorX pq = point_pressure(v);
  CHECK(pq.maxCoeff() == Approx(r[0].peak_pressure));
  const VectorX Tq = point_temperature(solid, &T, 0);
  CHECK(region_point_mean(solid, Tq, 0) == Approx(312.0).epsilon(1e-12));
}

TEST_CASE("SafetyMonitor: CEM43 accumulates at the analytic rate and flags a hot region",
          "[observe][safety]") {
  CHECK(cem43_increment(kCelsius + 43, 60) == Approx(1.0));
  CHECK(cem43_increment(kCelsius + 45, 60) == Approx(4.0));     // 0.5^-2
  CHECK(cem43_increment(kCelsius + 41, 60) == Approx(0.0625));  // 0.25^2
  BoxMeshOptions o;
  o.hi = Vec3(0.02, 0.01, 0.01);
  o.nx = 2;
  const Mesh m = make_box_mesh(o);
  SolidProblem solid(m, {neo(2000)}, free_dofs(m));
  SafetyMonitor mon;
  VectorX T = VectorX::Constant(m.n_nodes(), kCelsius + 37);
  // Hot half (x > 0.01 m): 45 degC. Cold half 37 degC.
  for (Index n = 0; n < m.n_nodes(); ++n)
    if (m.nodes(n, 0) > 0.015) T[n] = kCelsius + 45;
  StepView v;
  v.solid = &solid;
  v.temperature = &T;
  int flags_T = 0, flags_dose = 0;
  Real dose_flag_time = -1;
  for (int k = 0; k <= 20; ++k) {  // 10 min in 30 s steps
    v.time = 30.0 * k;
    Observations out;
    mon.on_step(v, out);
    for (const auto& f : out.flags) {
      if (f.kind == "temperature_above_limit") ++flags_T;
      if (f.kind == "thermal_dose") {
        ++flags_dose;
        dose_flag_time = f.time;
        CHECK(f.units == "min");
        CHECK(f.threshold == Approx(1.0));
      }
    }
  }
  const Index hot = m.n_nodes() - 1, cold = 0;
  CHECK(mon.cem43()[hot] == Approx(40.0).epsilon(1e-12));  // 10 min x 4 min/min
  CHECK(mon.cem43()[cold] == Approx(10.0 * std::pow(0.25, 6)).epsilon(1e-12));
  CHECK(flags_T == 1);  // raised once (rising edge), not every step
  CHECK(flags_dose == 1);
  CHECK(dose_flag_time == Approx(30.0));  // 2 min after 30 s > 1 min limit
}

TEST_CASE("SafetyMonitor: pressure near bone is flagged, far from bone not, and excessive strain",
          "[observe][safety]") {
  BoxMeshOptions o;
  o.hi = Vec3(0.10, 0.02, 0.04);
  o.nx = 10;
  o.ny = 2;
  o.nz = 4;
  Mesh m = make_box_mesh(o);
  NodeSet bone{"bone_crest", {}};
  for (Index n = 0; n < m.n_nodes(); ++n)
    if (m.nodes(n, 0) < 0.021 && std::abs(m.nodes(n, 2) - 0.03) < 1e-9)
      bone.nodes.push_back(n);  // 10 mm deep
  m.node_sets.push_back(bone);
  SolidProblem solid(m, {neo(2000)}, free_dofs(m));
  const FacetQuadrature skin(m, m.facet_set("zmax"));
  auto run = [&](Real x_lo, Real x_hi) {
    std::vector<Real> p(static_cast<size_t>(skin.size()), 0.0);
    for (Index q = 0; q < skin.size(); ++q)
      if (skin.position(q)[0] > x_lo && skin.position(q)[0] < x_hi) p[static_cast<size_t>(q)] = 1e5;
    SafetyMonitor mon;
    StepView v;
    v.solid = &solid;
    v.skin = &skin;
    v.skin_pressure = p;
    Observations out;
    mon.on_step(v, out);
    return out.flags;
  };
  const auto near = run(0.0, 0.02);
  REQUIRE(near.size() == 1);
  CHECK(near[0].kind == "pressure_on_bone");
  CHECK(near[0].value == Approx(1e5));
  CHECK(near[0].threshold == Approx(5e4));
  CHECK(near[0].units == "Pa");
  CHECK(near[0].region == "block");
  CHECK(run(0.06, 0.10).empty());  // 30+ mm from bone
  // Strain: simple shear gamma = 0.8 gives a max principal shear of E of about 0.45 > 0.3.
  SafetyMonitor mon;
  Mat3 F = Mat3::Identity();
  F(0, 2) = 0.8;
  VectorX u(3 * m.n_nodes());
  for (Index n = 0; n < m.n_nodes(); ++n)
    u.segment<3>(3 * n) = (F - Mat3::Identity()) * m.nodes.row(n).transpose();
  StepView v;
  v.solid = &solid;
  v.displacement = &u;
  Observations out;
  mon.on_step(v, out);
  REQUIRE(out.flags.size() == 1);
  CHECK(out.flags[0].kind == "excessive_strain");
  const Mat3 E = 0.5 * (F.transpose() * F - Mat3::Identity());
  const Eigen::SelfAdjointEigenSolver<Mat3> es(E);
  CHECK(out.flags[0].value == Approx(0.5 * (es.eigenvalues()[2] - es.eigenvalues()[0])).epsilon(1e-9));
}
