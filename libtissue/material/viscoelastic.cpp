#include "libtissue/material/viscoelastic.hpp"

#include <cmath>
#include <sstream>
#include <string>

#include "libtissue/core/error.hpp"

namespace tissue {
namespace {

std::string fmt(Real v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

/// Checks the terms shared by both variants; returns sum g_i.
Real validate_terms(const std::vector<PronyTerm>& terms, std::string_view tissue) {
  const std::string t(tissue);
  if (terms.size() > static_cast<size_t>(kMaxPronyTerms))
    throw InputError(t + ".prony", "at most " + std::to_string(kMaxPronyTerms) +
                                       " Prony terms are supported, got " + std::to_string(terms.size()));
  Real sum = 0;
  for (size_t i = 0; i < terms.size(); ++i) {
    const std::string field = t + ".prony[" + std::to_string(i) + "]";
    if (!(terms[i].g >= 0.0) || !std::isfinite(terms[i].g))
      throw InputError(field + ".g", "must be zero or positive, got " + fmt(terms[i].g));
    if (!(terms[i].tau > 0.0) || !std::isfinite(terms[i].tau))
      throw InputError(field + ".tau", "must be positive, got " + fmt(terms[i].tau) + " s");
    sum += terms[i].g;
  }
  return sum;
}

/// (1 - exp(-x))/x, exactly 1 at x = 0 (x >= 0).
inline Real phi1(Real x) {
  return x > 0.0 ? -std::expm1(-x) / x : 1.0;
}

/// (exp(-x) - 1 + x)/x^2 = sum_k (-x)^k/(k+2)!, 1/2 at x = 0 (x >= 0); series below 0.1 avoids cancellation.
inline Real phi2(Real x) {
  if (x < 0.1) {
    Real term = 0.5, sum = 0.5;
    for (int k = 1; k <= 8; ++k) {
      term *= -x / static_cast<Real>(k + 2);
      sum += term;
    }
    return sum;
  }
  return (std::exp(-x) - 1.0 + x) / (x * x);
}

/// h : M^-1 : h for the isotropic small-strain compliance M^-1 = P_dev/(2 mu) + (1 (x) 1)/(9 K) [Pa].
inline Real branch_quadratic(const Voigt6& h, Real mu, Real bulk) {
  const Real tr = h[0] + h[1] + h[2];
  Voigt6 dev = h;
  dev.head<3>().array() -= tr / 3.0;
  return voigt_ddot(dev, dev) / (2.0 * mu) + tr * tr / (9.0 * bulk);
}

/// Shared step of both variants. w_el: weight of the elastic stress (g_inf or g0).
ViscoResponse update(Real w_el, const std::vector<PronyTerm>& terms, Real mu, Real bulk,
                     const PronyState& prev, const Mat3& C, const IsoResponse& el, Real dt, Real aT,
                     PronyState& cur, bool want_D) {
  const int n = static_cast<int>(terms.size());
  const Voigt6 S0 = to_voigt(el.S);
  const Voigt6 Cv = to_voigt(C);
  const Voigt6 S0_prev = prev.S0;
  const Voigt6 dS0 = S0 - S0_prev;
  const Voigt6 dE = 0.5 * (Cv - prev.C);
  Voigt6 E = 0.5 * Cv;
  E.head<3>().array() -= 0.5;
  const Real psi_prev = prev.stored_energy;

  Voigt6 S = w_el * S0;
  Voigt6 mean = 0.5 * w_el * (S0 + S0_prev);  // mean stress over the step
  Voigt6 hist = Voigt6::Zero();               // sum_i (e_i h_i(n) - g_i gam_i S0(n))
  Real gamma = w_el;
  std::array<Voigt6, kMaxPronyTerms> h;
  for (int i = 0; i < n; ++i) {
    const Real g = terms[static_cast<size_t>(i)].g;
    const Real x = dt / (aT * terms[static_cast<size_t>(i)].tau);
    const Real e = std::exp(-x), gam = phi1(x);
    const Voigt6& hp = prev.h[static_cast<size_t>(i)];
    h[static_cast<size_t>(i)] = e * hp + (g * gam) * dS0;
    S += h[static_cast<size_t>(i)];
    mean += gam * hp + (g * phi2(x)) * dS0;
    hist += e * hp - (g * gam) * S0_prev;
    gamma += g * gam;
  }

  Real psi = w_el * el.energy;
  for (int i = 0; i < n; ++i) {
    const Real g = terms[static_cast<size_t>(i)].g;
    if (g > 0.0) psi += branch_quadratic(h[static_cast<size_t>(i)], mu, bulk) / (2.0 * g);
  }

  ViscoResponse r;
  r.S = from_voigt(S);
  if (want_D)
    r.D = gamma * el.D;
  else
    r.D.setZero();
  r.incremental_energy = gamma * el.energy + voigt_ddot(hist, E);
  r.stored_energy = psi;
  r.work = voigt_ddot(mean, dE);
  // Second law: no step releases heat; a negative raw value (finite-strain metric) is deferred.
  const Real raw = r.work - (psi - psi_prev) + prev.deferred;
  r.dissipation = std::max(raw, 0.0);
  cur.deferred = std::min(raw, 0.0);

  cur.C = Cv;
  cur.S0 = S0;
  for (int i = 0; i < kMaxPronyTerms; ++i)
    cur.h[static_cast<size_t>(i)] = i < n ? h[static_cast<size_t>(i)] : Voigt6::Zero();
  cur.stored_energy = psi;
  return r;
}

}  // namespace

PronyState::PronyState() {
  C << 1, 1, 1, 0, 0, 0;
  S0.setZero();
  for (Voigt6& x : h) x.setZero();
}

Real PronySeries::long_term_fraction() const {
  Real sum = 0;
  for (const PronyTerm& t : terms) sum += t.g;
  return 1.0 - sum;
}

void PronySeries::validate(std::string_view tissue) const {
  const Real sum = validate_terms(terms, tissue);
  if (!(sum < 1.0))
    throw InputError(std::string(tissue) + ".prony",
                     "Prony weights of " + std::string(tissue) + " sum to " + fmt(sum) + "; must be < 1");
}

void PeerPronySeries::validate(std::string_view tissue) const {
  if (!(g0 > 0.0) || !std::isfinite(g0))
    throw InputError(std::string(tissue) + ".g0", "must be positive, got " + fmt(g0));
  validate_terms(terms, tissue);
}

ViscoResponse prony_update(const PronySeries& series, const PronyState& previous, const Mat3& C,
                           const IsoResponse& elastic_now, Real dt, Real time_shift_factor,
                           Real shear_modulus, PronyState& current, bool want_D) {
  return update(series.long_term_fraction(), series.terms, shear_modulus, shear_modulus, previous, C,
                elastic_now, dt, time_shift_factor, current, want_D);
}

ViscoResponse peer_prony_update(const PeerPronySeries& series, const PronyState& previous, const Mat3& C,
                                const IsoResponse& elastic_now, Real dt, Real time_shift_factor,
                                Real shear_modulus, Real bulk_modulus, PronyState& current, bool want_D) {
  return update(series.g0, series.terms, shear_modulus, bulk_modulus, previous, C, elastic_now, dt,
                time_shift_factor, current, want_D);
}

void prony_jump_cycles(const std::vector<PronyTerm>& terms, const PronyState& cycle_start, Real period,
                       Real cycles, Real time_shift_factor, Real shear_modulus, Real bulk_modulus,
                       PronyState& state) {
  if (!(cycles > 0) || !(period > 0)) return;
  for (size_t i = 0; i < terms.size(); ++i) {
    const Real g = terms[i].g;
    const Real r = std::exp(-period / (time_shift_factor * terms[i].tau));
    // r (1 - r^M) / (1 - r), written with expm1 so that r -> 1 gives M without cancellation.
    const Real x = period / (time_shift_factor * terms[i].tau);
    const Real factor = x < 1e-12 ? cycles : r * (-std::expm1(-cycles * x)) / (-std::expm1(-x));
    // Only the branch's own creep is repeated: the part of its change that follows a drift of the elastic
    // stress over the cycle (g phi1(x) dS0; a load that glides on) belongs to the displacement, which the
    // jump keeps. Extrapolating it left a prestress that fed the next window's drift (a runaway).
    const Voigt6 follow = (g * phi1(x)) * (state.S0 - cycle_start.S0);
    const Voigt6 h_new = state.h[i] + factor * (state.h[i] - cycle_start.h[i] - follow);
    if (g > 0.0)
      state.stored_energy += (branch_quadratic(h_new, shear_modulus, bulk_modulus) -
                              branch_quadratic(state.h[i], shear_modulus, bulk_modulus)) /
                             (2.0 * g);
    state.h[i] = h_new;
  }
}

}  // namespace tissue
