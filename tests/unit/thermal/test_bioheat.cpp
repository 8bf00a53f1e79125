// Verification of the Pennes bioheat problem against analytic solutions, measured convergence
// rates, exact energy balances and thread independence.
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>

#include "libtissue/core/error.hpp"
#include "thermal_fixtures.hpp"

using namespace tissue;
using namespace tissue::test;

namespace {
constexpr Real kPi = std::numbers::pi;
// Slab of "tissue": k 0.5 W/m/K, rho c = 1000 x 4000 J/m^3/K, L = 2 cm: alpha = 1.25e-7 m^2/s and
// the diffusion time L^2/alpha = 3200 s.
constexpr Real kL = 0.02, kK = 0.5, kRho = 1000.0, kC = 4000.0;
constexpr Real kAlpha = kK / (kRho * kC);
constexpr Real kTau = kL * kL / kAlpha;
constexpr Real kT0 = 300.0, kT1 = 310.0;

BioheatProblem slab_problem(const Mesh& m, ThermalScheme scheme) {
  ThermalBoundary bc;
  bc.fixed = {{"zmin", kT1}, {"zmax", kT1}};
  ThermalOptions opt;
  opt.scheme = scheme;
  return BioheatProblem(m, {props(kRho, kC, kK)}, BloodProperties{}, bc, opt);
}

/// Fourier series of the slab with T(z, 0) = T0 and T(0) = T(L) = T1.
Real fourier(Real z, Real t) {
  Real s = 0;
  for (int n = 1; n < 400; n += 2)
    s += 4.0 / (n * kPi) * std::sin(n * kPi * z / kL) * std::exp(-n * n * kPi * kPi * kAlpha * t / (kL * kL));
  return kT1 + (kT0 - kT1) * s;
}

/// Runs the slab from uniform T0 to time t with n steps; returns the final field.
VectorX run_slab(const Mesh& m, ThermalScheme scheme, Real t, int n, VectorX T) {
  BioheatProblem p = slab_problem(m, scheme);
  for (int i = 0; i < n; ++i) p.step(T, t / n);
  CHECK(p.analyses() == 1);
  CHECK(p.factorizations() == 1);
  return T;
}
}  // namespace

TEST_CASE("Slab conduction converges to the Fourier series at O(h^2)", "[thermal][verification]") {
  const Real t = 0.1 * kTau;
  Real err[3];
  for (ThermalScheme scheme : {ThermalScheme::crank_nicolson, ThermalScheme::backward_euler}) {
    // CN with dt = 1e-4 tau, BE with 2e-5 tau: time errors far below the spatial ones.
    const int steps = scheme == ThermalScheme::crank_nicolson ? 1000 : 5000;
    for (int r = 0; r < 3; ++r) {
      const Mesh m = slab(8 << r, kL, 0.002);
      const VectorX T = run_slab(m, scheme, t, steps, slab_problem(m, scheme).initial_temperature(kT0));
      err[r] = rms_error_z(m, T, [&](Real z) { return fourier(z, t); }) / (kT1 - kT0);
    }
    const Real p1 = order(err[0], err[1]), p2 = order(err[1], err[2]);
    INFO("scheme theta " << scheme_theta(scheme) << ": errors " << err[0] << " " << err[1] << " " << err[2]
                         << ", orders " << p1 << " " << p2);
    CHECK(p1 > 1.8);
    CHECK(p2 > 1.8);
    CHECK(err[2] < 2e-3);
  }
}

TEST_CASE("Time stepping converges at O(dt) (backward Euler) and O(dt^2) (Crank-Nicolson)",
          "[thermal][verification]") {
  // Single-mode data T1 + A sin(pi z / L). On a uniform grid the nodal sine is an exact eigenvector
  // of the semi-discrete system (hex8 tensor-product matrices), with eigenvalue
  // lambda_h = alpha 6 (1 - cos(pi h / L)) / (h^2 (2 + cos(pi h / L))). Its exact solution
  // T1 + A sin exp(-lambda_h t) isolates the time error; the fully discrete solution must equal
  // T1 + A sin g^N with g = (1 - (1 - theta) lambda dt) / (1 + theta lambda dt).
  const int nz = 16;
  const Real h = kL / nz, A = 5.0, t = 0.1 * kTau;
  const Real th = kPi * h / kL;
  const Real lam = kAlpha * 6.0 * (1 - std::cos(th)) / (h * h * (2 + std::cos(th)));
  const Mesh m = slab(nz, kL, 0.002);
  VectorX T0(m.n_nodes());
  for (Index n = 0; n < m.n_nodes(); ++n) T0[n] = kT1 + A * std::sin(kPi * m.nodes(n, 2) / kL);
  for (ThermalScheme scheme : {ThermalScheme::backward_euler, ThermalScheme::crank_nicolson}) {
    const Real theta = scheme_theta(scheme);
    const int n0 = scheme == ThermalScheme::backward_euler ? 10 : 5;
    Real err[3];
    for (int r = 0; r < 3; ++r) {
      const int n = n0 << r;
      const Real dt = t / n;
      const VectorX T = run_slab(m, scheme, t, n, T0);
      const Real g = std::pow((1 - (1 - theta) * lam * dt) / (1 + theta * lam * dt), n);
      const Real semi = std::exp(-lam * t);
      Real e = 0, e_scheme = 0;
      for (Index k = 0; k < m.n_nodes(); ++k) {
        const Real s = std::sin(kPi * m.nodes(k, 2) / kL);
        e = std::max(e, std::abs(T[k] - (kT1 + A * s * semi)));
        e_scheme = std::max(e_scheme, std::abs(T[k] - (kT1 + A * s * g)));
      }
      CHECK(e_scheme < 1e-9 * A);  // exactly the theta-method recursion
      err[r] = e / A;
    }
    const Real p1 = order(err[0], err[1]), p2 = order(err[1], err[2]);
    INFO("theta " << theta << ": errors " << err[0] << " " << err[1] << " " << err[2] << ", orders " << p1
                  << " " << p2);
    if (scheme == ThermalScheme::backward_euler) {
      CHECK(p1 > 0.9);
      CHECK(p2 > 0.9);
    } else {
      CHECK(p1 > 1.8);
      CHECK(p2 > 1.8);
    }
  }
}

TEST_CASE("Steady Pennes slab matches the cosh/sinh solution and converges at O(h^2)",
          "[thermal][verification]") {
  // k T'' - w rho_b c_b (T - T_a) + q_met = 0, T(0) = T_core, -k T'(L) = h (T(L) - T_air).
  // theta = T - T_a - q_met/(w rho_b c_b) = A cosh(m z) + B sinh(m z), m = sqrt(w rho_b c_b / k).
  const Real L = 0.03, k = 0.5, w = 5e-4, qmet = 700, hconv = 10;
  const BloodProperties blood{};
  const Real Ta = blood.arterial_temperature, Tcore = Ta, Tair = 22 + kCelsius;
  const Real wc = w * blood.density * blood.heat_capacity;
  const Real mm = std::sqrt(wc / k);
  const Real Acoef = Tcore - Ta - qmet / wc;
  const Real D = Ta + qmet / wc - Tair;
  const Real ch = std::cosh(mm * L), sh = std::sinh(mm * L);
  const Real Bcoef = -(hconv * Acoef * ch + hconv * D + k * mm * Acoef * sh) / (k * mm * ch + hconv * sh);
  const auto exact = [&](Real z) {
    return Ta + qmet / wc + Acoef * std::cosh(mm * z) + Bcoef * std::sinh(mm * z);
  };
  ThermalBoundary bc;
  bc.fixed = {{"zmin", Tcore}};
  bc.convection = {{"zmax", hconv, Tair}};
  for (CellType type : {CellType::hex8, CellType::tet4}) {
    Real err[3];
    for (int r = 0; r < 3; ++r) {
      const Mesh m = slab(6 << r, L, L / (6 << r), type);  // cubes (6 tets each): a self-similar family
      BioheatProblem p(m, {props(1050, 3600, k, w, qmet)}, blood, bc);
      VectorX T;
      p.steady_state(T);
      err[r] = rms_error_z(m, T, exact);
      // Global balance at steady state: metabolism = perfusion removal + convective loss + bone flux.
      if (r == 2) CHECK(std::abs(exact(L) - T[m.node_set("zmax").nodes[0]]) < 0.01);
    }
    const Real p1 = order(err[0], err[1]), p2 = order(err[1], err[2]);
    INFO((type == CellType::hex8 ? "hex8" : "tet4")
         << ": errors [K] " << err[0] << " " << err[1] << " " << err[2] << ", orders " << p1 << " " << p2
         << ", skin T exact " << exact(L) - kCelsius << " C");
    CHECK(p1 > 1.8);
    CHECK(p2 > 1.8);
    CHECK(err[2] < 5e-3);
  }
}

TEST_CASE("Energy balance: insulated block gains source x time and flux x area x time",
          "[thermal][verification]") {
  BoxMeshOptions o;
  o.hi = Vec3(0.01, 0.012, 0.008);
  o.nx = 3;
  o.ny = 4;
  o.nz = 2;
  for (CellType type : {CellType::hex8, CellType::tet4}) {
    o.cell_type = type;
    const Mesh m = make_box_mesh(o);
    const Real V = 0.01 * 0.012 * 0.008, A = 0.01 * 0.012;
    for (ThermalScheme scheme : {ThermalScheme::backward_euler, ThermalScheme::crank_nicolson}) {
      ThermalBoundary bc;
      bc.load_surface = "zmax";
      ThermalOptions opt;
      opt.scheme = scheme;
      BioheatProblem p(m, {props(1090, 3421, 0.49)}, BloodProperties{}, bc, opt);
      VectorX T = p.initial_temperature(305.0);
      const Real H0 = p.heat_content(T);
      const Real Q = 4e4, q = 800;  // W/m^3, W/m^2
      std::vector<Real> src(static_cast<size_t>(m.n_cells()), Q);
      std::vector<Real> flux(static_cast<size_t>(p.load_surface()->size()), q);
      const Real dt = 2.0;
      const int n = 15;
      for (int i = 0; i < n; ++i) {
        const auto rep = p.step(T, dt, {.surface_flux = flux, .cell_source = src});
        CHECK(std::abs(rep.imbalance()) < 1e-9 * (Q * V + q * A) * dt);
      }
      const Real expected = (Q * V + q * A) * dt * n;
      CHECK(std::abs(p.heat_content(T) - H0 - expected) < 1e-9 * expected);
      // Uniform source alone keeps T uniform: dT = Q t / (rho c).
      VectorX T2 = p.initial_temperature(305.0);
      for (int i = 0; i < n; ++i) p.step(T2, dt, {.cell_source = src});
      CHECK((T2.array() - (305.0 + Q * dt * n / (1090 * 3421.0))).abs().maxCoeff() < 1e-9);
    }
  }
}

TEST_CASE("Energy balance closes with perfusion, convection, contact, flux and fixed temperature",
          "[thermal][verification]") {
  BoxMeshOptions o;
  o.hi = Vec3(0.03, 0.03, 0.02);
  o.nx = 6;
  o.ny = 6;
  o.nz = 4;
  const Mesh m = make_box_mesh(o);
  ThermalBoundary bc;
  bc.fixed = {{"zmin", 310.15}};
  bc.convection = {{"zmax", 10.0, 295.15}, {"xmin", 5.0, 300.0}};
  bc.load_surface = "zmax";
  for (ThermalScheme scheme : {ThermalScheme::backward_euler, ThermalScheme::crank_nicolson}) {
    ThermalOptions opt;
    opt.scheme = scheme;
    BioheatProblem p(m, {muscle_thermal_properties()}, BloodProperties{}, bc, opt);
    VectorX T = p.initial_temperature(306.0);
    const FacetQuadrature& fq = *p.load_surface();
    std::vector<Real> flux(static_cast<size_t>(fq.size())), hc(flux.size()), Tc(flux.size(), 318.15);
    std::vector<Real> src(static_cast<size_t>(m.n_cells()));
    for (Index e = 0; e < m.n_cells(); ++e) src[static_cast<size_t>(e)] = 1e3 * (e % 5);
    Real total_in = 0, H0 = p.heat_content(T);
    for (int i = 0; i < 12; ++i) {
      for (Index q = 0; q < fq.size(); ++q) {
        const Vec3& X = fq.position(q);
        flux[static_cast<size_t>(q)] = 500 * std::exp(-((X - Vec3(0.01, 0.015, 0.02)).squaredNorm()) / 1e-5);
        hc[static_cast<size_t>(q)] = (X - Vec3(0.005 + 0.002 * i, 0.015, 0.02)).norm() < 0.006 ? 2000.0 : 0.0;
      }
      const auto rep = p.step(
          T, 5.0, {.surface_flux = flux, .contact_h = hc, .contact_temperature = Tc, .cell_source = src});
      const Real scale = std::abs(rep.convection_heat) + std::abs(rep.perfusion_heat) +
                         std::abs(rep.contact_heat) + std::abs(rep.fixed_temperature_heat) + rep.source_heat;
      CHECK(std::abs(rep.imbalance()) < 1e-8 * scale);
      CHECK(rep.contact_heat > 0);
      CHECK(rep.refactorized);  // the patch moved
      total_in += rep.heat_content_change;
    }
    CHECK(std::abs(p.heat_content(T) - H0 - total_in) < 1e-9 * std::abs(total_in) + 1e-6);
  }
}

namespace {
struct PatchRun {
  VectorX baseline, at_removal, after;
  std::vector<Real> max_rise_after;  // max over nodes of T - baseline, sampled after removal
};

Mesh two_layer_block() {
  BoxMeshOptions o;
  o.hi = Vec3(0.04, 0.04, 0.02);
  o.nx = 8;
  o.ny = 8;
  o.nz = 4;
  o.region = "muscle";
  Mesh m = make_box_mesh(o);
  const int fat = m.regions.add(Region{"fat", TissueKind::fat, Side::none});
  for (Index e = 0; e < m.n_cells(); ++e) {
    Real zc = 0;
    for (int a = 0; a < m.cell_size(); ++a) zc += m.nodes(m.cells(e, a), 2) / m.cell_size();
    if (zc > 0.015) m.region[static_cast<size_t>(e)] = fat;
  }
  return m;
}

/// Hot stone (50 C, h_contact 2000 W/m^2/K, radius 6 mm) sliding along x at y = 20 mm for 60 s on the
/// skin (zmax) of a muscle/fat block at its steady state, then removed for 600 s; perfusion follows
/// the Q10 law every step.
PatchRun run_patch(int threads, ThermalScheme scheme, bool lumped) {
  const Mesh m = two_layer_block();
  ThermalBoundary bc;
  bc.fixed = {{"zmin", 37 + kCelsius}};
  bc.convection = {{"zmax", 10.0, 22 + kCelsius}};
  bc.load_surface = "zmax";
  ThermalOptions opt;
  opt.threads = threads;
  opt.scheme = scheme;
  opt.lumped = lumped;
  BioheatProblem p(m, {muscle_thermal_properties(), fat_thermal_properties()}, BloodProperties{}, bc, opt);
  PerfusionLaw law;
  PatchRun out;
  // Baseline: steady state with the temperature-dependent perfusion, by Picard iteration.
  VectorX s = VectorX::Zero(m.n_nodes());
  p.steady_state(out.baseline);
  for (int it = 0; it < 8; ++it) {
    p.set_perfusion(law, out.baseline, s);
    p.steady_state(out.baseline);
  }
  VectorX T = out.baseline;
  const FacetQuadrature& fq = *p.load_surface();
  std::vector<Real> hc(static_cast<size_t>(fq.size())), Tc(hc.size(), 50 + kCelsius);
  const Real dt = 2.0;
  for (int i = 0; i < 30; ++i) {
    const Real xc = 0.012 + 0.016 * (i + 0.5) / 30;
    for (Index q = 0; q < fq.size(); ++q)
      hc[static_cast<size_t>(q)] = (fq.position(q) - Vec3(xc, 0.02, 0.02)).norm() < 0.006 ? 2000.0 : 0.0;
    p.set_perfusion(law, T, s);
    p.step(T, dt, {.contact_h = hc, .contact_temperature = Tc});
  }
  out.at_removal = T;
  for (int i = 0; i < 60; ++i) {
    p.set_perfusion(law, T, s);
    p.step(T, 10.0);
    if (i % 10 == 9) out.max_rise_after.push_back((T - out.baseline).maxCoeff());
  }
  out.after = T;
  return out;
}
}  // namespace

TEST_CASE("A moving hot stone heats the skin under its path only and the tissue relaxes back after removal",
          "[thermal][verification]") {
  const Mesh m = two_layer_block();
  for (bool lumped : {true, false}) {
    const PatchRun r = run_patch(1, ThermalScheme::backward_euler, lumped);
    Real under = 0, far = 0, far_min = 0;
    int n_under = 0;
    for (Index n = 0; n < m.n_nodes(); ++n) {
      const Vec3 X = m.nodes.row(n).transpose();
      const Real d = r.at_removal[n] - r.baseline[n];
      if (X.z() > 0.0199 && std::abs(X.y() - 0.02) < 1e-6 && X.x() > 0.0119 && X.x() < 0.0281) {
        under += d;
        ++n_under;
      }
      // >= 9 mm from the path (diffusion length sqrt(alpha t) ~ 3 mm over 60 s).
      if (X.y() < 0.0051) {
        far = std::max(far, d);
        far_min = std::min(far_min, d);
      }
    }
    under /= n_under;
    INFO((lumped ? "lumped" : "consistent")
         << ": mean rise under the path " << under << " K, far away: max rise " << far << " K, max drop "
         << -far_min << " K");
    CHECK(under > 3.0);
    // Lumped matrices obey the discrete maximum principle: the far field barely moves, nothing
    // exceeds the stone temperature and nothing cools below the baseline. Consistent capacity
    // spreads a sharp front over a few nodes with alternating sign when dt << h^2 / alpha (here
    // 2 s vs 190 s): a few percent of the rise.
    if (lumped) {
      CHECK(far < 0.01 * under);
      CHECK(far_min > -1e-6);
      CHECK(r.at_removal.maxCoeff() < 50 + kCelsius);
      CHECK((r.at_removal - r.baseline).minCoeff() > -1e-6);
    } else {
      CHECK(far < 0.05 * under);
      CHECK(far_min > -0.05 * under);
    }
    // After removal the excess decays monotonically toward the baseline.
    const Real peak = (r.at_removal - r.baseline).maxCoeff();
    for (size_t i = 1; i < r.max_rise_after.size(); ++i) CHECK(r.max_rise_after[i] < r.max_rise_after[i - 1]);
    INFO("peak rise " << peak << " K, after 600 s " << r.max_rise_after.back() << " K");
    CHECK(r.max_rise_after.back() < 0.3 * peak);
  }
}

TEST_CASE("Results are identical with 1 and 2 threads", "[thermal]") {
  for (ThermalScheme scheme : {ThermalScheme::backward_euler, ThermalScheme::crank_nicolson}) {
    const bool lumped = scheme == ThermalScheme::backward_euler;
    const PatchRun a = run_patch(1, scheme, lumped), b = run_patch(2, scheme, lumped);
    CHECK((a.baseline - b.baseline).cwiseAbs().maxCoeff() == 0.0);
    CHECK((a.at_removal - b.at_removal).cwiseAbs().maxCoeff() == 0.0);
    CHECK((a.after - b.after).cwiseAbs().maxCoeff() == 0.0);
  }
}

TEST_CASE("The system is factorised once per dt and perfusion change and analysed once", "[thermal]") {
  const Mesh m = slab(8, kL, 0.002);
  ThermalBoundary bc;
  bc.fixed = {{"zmin", kT1}};
  BioheatProblem p(m, {props(kRho, kC, kK, 1e-3)}, BloodProperties{}, bc);
  VectorX T = p.initial_temperature(kT0);
  p.step(T, 1.0);
  p.step(T, 1.0);
  CHECK(p.factorizations() == 1);
  p.step(T, 2.0);
  CHECK(p.factorizations() == 2);
  p.set_cell_perfusion(std::vector<Real>(static_cast<size_t>(m.n_cells()), 1e-3));  // unchanged values
  p.step(T, 2.0);
  CHECK(p.factorizations() == 2);
  p.set_cell_perfusion(std::vector<Real>(static_cast<size_t>(m.n_cells()), 2e-3));
  const auto rep = p.step(T, 2.0);
  CHECK(rep.refactorized);
  CHECK(p.factorizations() == 3);
  CHECK(p.analyses() == 1);
  // Perfusion removal at T uniform above T_a: -w rho_b c_b (T - T_a) V.
  const BloodProperties blood;
  const VectorX Tu = VectorX::Constant(m.n_nodes(), blood.arterial_temperature + 2.0);
  const Real V = kL * 0.002 * 0.002;
  CHECK(p.perfusion_heat_rate(Tu) ==
        Approx(-2e-3 * blood.density * blood.heat_capacity * 2.0 * V).epsilon(1e-12));
}

TEST_CASE("Fixed temperatures can be changed and are applied", "[thermal]") {
  const Mesh m = slab(4, kL, 0.002);
  ThermalBoundary bc;
  bc.fixed = {{"zmin", 300.0}, {"zmax", 300.0}};
  BioheatProblem p(m, {props(kRho, kC, kK)}, BloodProperties{}, bc);
  p.set_fixed_temperature("zmax", 320.0);
  VectorX T;
  p.steady_state(T);
  // Linear profile between the two fixed temperatures.
  CHECK(rms_error_z(m, T, [](Real z) { return 300.0 + 20.0 * z / kL; }) < 1e-9);
  CHECK_THROWS_AS(p.set_fixed_temperature("nope", 300.0), InputError);
}

TEST_CASE("Bad thermal input names the region and the field", "[thermal]") {
  const Mesh m = slab(2, kL, 0.002);
  const auto message = [&](ThermalProperties pr, ThermalBoundary bc = {}) {
    try {
      BioheatProblem p(m, {pr}, BloodProperties{}, bc);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(message(props(1000, 4000, -0.2)),
             Catch::Contains("block.conductivity") && Catch::Contains("must be positive, got -0.2 W/m/K"));
  CHECK_THAT(message(props(1000, 4000, 0.5, -1e-3)), Catch::Contains("block.perfusion"));
  CHECK_THAT(message(props(0, 4000, 0.5)), Catch::Contains("block.density"));
  CHECK_THAT(message(props(1000, -1, 0.5)), Catch::Contains("block.heat_capacity"));
  ThermalBoundary bc;
  bc.convection = {{"zmax", -5.0, 295.0}};
  CHECK_THAT(message(props(1000, 4000, 0.5), bc),
             Catch::Contains("convection.zmax.h") && Catch::Contains("-5"));
  bc.convection = {{"skin", 5.0, 295.0}};
  CHECK_THAT(message(props(1000, 4000, 0.5), bc), Catch::Contains("skin"));
  BloodProperties blood;
  blood.heat_capacity = 0;
  CHECK_THROWS_WITH(BioheatProblem(m, {props(1000, 4000, 0.5)}, blood),
                    Catch::Contains("blood.heat_capacity"));
  CHECK_THROWS_AS(BioheatProblem(m, {props(1000, 4000, 0.5), props(1000, 4000, 0.5)}, BloodProperties{}),
                  InputError);
  // Loads: negative contact conductance, wrong sizes, no load surface.
  ThermalBoundary ok;
  ok.load_surface = "zmax";
  BioheatProblem p(m, {props(1000, 4000, 0.5)}, BloodProperties{}, ok);
  VectorX T = p.initial_temperature(300.0);
  std::vector<Real> h(static_cast<size_t>(p.load_surface()->size()), -1.0), Tc(h.size(), 320.0);
  CHECK_THROWS_WITH(p.step(T, 1.0, {.contact_h = h, .contact_temperature = Tc}),
                    Catch::Contains("loads.contact_h"));
  std::vector<Real> wrong(3, 1.0);
  CHECK_THROWS_WITH(p.step(T, 1.0, {.surface_flux = wrong}), Catch::Contains("loads.surface_flux"));
  CHECK_THROWS_WITH(p.step(T, -1.0), Catch::Contains("dt"));
  CHECK_THROWS_WITH(p.steady_state(T), Catch::Contains("steady state"));
  BioheatProblem no_surface(m, {props(1000, 4000, 0.5)}, BloodProperties{});
  CHECK(no_surface.load_surface() == nullptr);
  CHECK_THROWS_WITH(no_surface.step(T, 1.0, {.surface_flux = wrong}), Catch::Contains("no load surface"));
}
