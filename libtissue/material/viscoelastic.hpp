// Finite-strain generalized Maxwell (Prony series) viscoelasticity, pointwise (no mesh inside).
//
// Two variants share one per-point history (PronyState) and one update kernel:
//  (a) PronySeries, production: relaxation of the ISOCHORIC stress with normalized weights
//      (Abaqus convention, "normalized Prony series"; Simo 1987, CMAME 60:153; Holzapfel 2000, sec. 6.10):
//        S_iso(t) = g_inf S0(t) + sum_i h_i(t),   dh_i/dt + h_i/tau_i = g_i dS0/dt,   g_inf = 1 - sum_i g_i,
//      S0 = the hyperelastic law's isochoric stress. The instantaneous modulus is the law's modulus, the
//      long-term modulus is g_inf times it; the relaxation function is g_inf + sum_i g_i exp(-t/tau_i).
//  (b) PeerPronySeries, FEBio's "viscoelastic" material (used by the peer benchmark): the series acts on the
//      WHOLE 2nd Piola-Kirchhoff stress S = g0 Se + sum_i g_i H_i, dH_i/dt + H_i/tau_i = dSe/dt; weights are
//      not normalized (instantaneous modulus (g0 + sum g_i) times the law's modulus).
// Both are integrated with the exact exponential recursion for S0 linear in time over a step
// (Taylor, Pister & Goudreau 1970; Simo & Hughes 1998, Computational Inelasticity, sec. 10.3):
//   h_i(n+1) = exp(-x_i) h_i(n) + g_i (1 - exp(-x_i))/x_i (S0(n+1) - S0(n)),   x_i = dt/(a_T tau_i),
// where a_T is the time-temperature shift factor (tau_i(T) = a_T(T) tau_i(T_ref)).
//
// Energy bookkeeping (heat source q_visc). Branch i is a Maxwell element: a spring of compliance M^-1 / g_i
// in series with a dashpot, where M^-1 = P_dev/(2 mu) + (1 (x) 1)/(9 K) is the isotropic small-strain
// compliance of the elastic law (mu, K given by the caller; for the isochoric variant K = mu, which only
// weighs the small non-deviatoric part of S_iso at finite strain). Stored energy
//   Psi = w_el W0(C) + sum_i h_i : M^-1 : h_i / (2 g_i),   w_el = g_inf (a) or g0 (b),
// and the dissipation over a step is defined as  D = work - (Psi(n+1) - Psi(n)),  work = int S : dE over the
// step in closed form for E and S0 linear in time. Psi is a continuous function of the state, so over a
// closed strain cycle in periodic steady state the summed dissipation equals the hysteresis loop area oint S
// : dE (to the O(dt^2) of the step quadrature). At small strain D equals the exact Maxwell dissipation int
// sum_i h_i : M^-1 : h_i / (g_i tau_i) dt >= 0 of each step. At finite strain the constant metric makes
// single steps deviate from that rate (the deviation cancels over a cycle; see docs/materials.md for sizes).
// A metric from the current tangent was tried and rejected: MuscleTI's tangent jumps when a fibre switches
// between tension and compression, which makes Psi jump; so was the dashpot integral h : M^-1 : h / (g tau)
// (non-negative, but five times the loop area for stiff fibres, whose stiffness the isotropic metric misses).
// The reported dissipation is therefore work - dPsi with its negative part deferred: a step whose raw value
// is negative reports 0 and carries the deficit (PronyState::deferred) into the next steps of the same point,
// which report max(raw + deficit, 0). It is non-negative at every point and step, and the running total
// equals the raw total whenever the deficit has been offset (every closed cycle in the tests: the loop areas
// are unchanged), so heat = dissipated energy and the energy budget stay exact.
#pragma once

#include <array>
#include <string_view>
#include <vector>

#include "libtissue/core/types.hpp"
#include "libtissue/material/hyperelastic.hpp"

namespace tissue {

/// Largest number of Prony terms a per-point history can hold (fixed capacity, no heap).
inline constexpr int kMaxPronyTerms = 4;

/// One Prony term: weight g [-] and relaxation time tau [s] at the reference temperature.
struct PronyTerm {
  Real g = 0;    ///< relative weight [-]
  Real tau = 0;  ///< relaxation time at T_ref [s]
};

/// Normalized Prony series on the isochoric stress (variant a): relaxation g_inf + sum g_i exp(-t/tau_i).
struct PronySeries {
  std::vector<PronyTerm> terms;  ///< at most kMaxPronyTerms terms; empty = purely elastic

  /// Long-term fraction g_inf = 1 - sum g_i [-].
  Real long_term_fraction() const;
  /// Throws InputError: "<tissue>.prony[i].g" (>= 0), "<tissue>.prony[i].tau" (> 0), "<tissue>.prony"
  /// (sum of weights < 1, at most kMaxPronyTerms terms); i is 0-based.
  void validate(std::string_view tissue) const;
};

/// FEBio-style Prony series on the whole stress (variant b): S = g0 Se + sum_i g_i H_i (peer benchmark).
struct PeerPronySeries {
  Real g0 = 1;                   ///< weight of the elastic stress [-] (FEBio default 1)
  std::vector<PronyTerm> terms;  ///< at most kMaxPronyTerms terms

  /// Throws InputError: "<tissue>.g0" (> 0), "<tissue>.prony[i].g" (>= 0), "<tissue>.prony[i].tau" (> 0),
  /// "<tissue>.prony" (too many terms). The weights need not sum below 1.
  void validate(std::string_view tissue) const;
};

/// History of one quadrature point at the end of a step; the default is the undeformed, unloaded state.
/// For the peer variant h[i] stores g_i H_i (the branch's contribution to S).
struct PronyState {
  Voigt6 C;                              ///< right Cauchy-Green tensor (Voigt, not doubled) [-]
  Voigt6 S0;                             ///< elastic stress S0 (variant a: isochoric) [Pa]
  std::array<Voigt6, kMaxPronyTerms> h;  ///< branch stresses (weight included) [Pa]
  Real stored_energy = 0;                ///< Psi = w_el W0 + branch energies [J/m^3]
  Real deferred = 0;  ///< negative step dissipation not yet offset by later positive steps [J/m^3] (<= 0)

  /// Undeformed state: C = I, S0 = 0, h = 0, Psi = 0.
  PronyState();
};

/// Result of one viscoelastic step at one point (all at the end of the step).
struct ViscoResponse {
  Mat3 S;  ///< stress (variant a: total isochoric S_iso; b: total S) [Pa]
  Mat6 D;  ///< algorithmic tangent dS/dE at fixed history, (w_el + sum g_i (1-e^-x_i)/x_i) D0 [Pa]
  Real incremental_energy;  ///< incremental potential phi(C) with dphi/dE = S at fixed history [J/m^3]
  Real stored_energy;       ///< free energy Psi at the end of the step [J/m^3]
  Real work;                ///< stress work int S : dE over the step [J/m^3]
  Real dissipation;         ///< work - (Psi(n+1) - Psi(n)), energy dissipated in the step [J/m^3]
};

/// One step of variant (a). C: right Cauchy-Green tensor at the end of the step; elastic_now: the
/// hyperelastic law's isochoric response at C (energy W0, S0, D0); dt >= 0 [s] (dt = 0: instantaneous elastic
/// jump); time_shift_factor a_T > 0 [-] (relaxation times tau_i a_T). Writes the new history to `current`,
/// which may be the same object as `previous`. Allocation-free. shear_modulus: small-strain shear modulus of
/// the isochoric law [Pa] (metric of the branch energies). Without want_D the tangent D is left zero.
ViscoResponse prony_update(const PronySeries& series, const PronyState& previous, const Mat3& C,
                           const IsoResponse& elastic_now, Real dt, Real time_shift_factor,
                           Real shear_modulus, PronyState& current, bool want_D = true);

/// One step of variant (b) (FEBio "viscoelastic", peer benchmark). elastic_now: the full elastic response at
/// C (e.g. CompressibleNeoHookean::response); shear_modulus, bulk_modulus: the law's small-strain moduli [Pa]
/// (mu and lambda + 2 mu/3); otherwise as prony_update.
ViscoResponse peer_prony_update(const PeerPronySeries& series, const PronyState& previous, const Mat3& C,
                                const IsoResponse& elastic_now, Real dt, Real time_shift_factor,
                                Real shear_modulus, Real bulk_modulus, PronyState& current,
                                bool want_D = true);

/// Cycle jump of the branch stresses: advances `state` (the history at the end of a resolved cycle of
/// period `period` [s]) by `cycles` more cycles of the same periodic loading, given `cycle_start`, the
/// history one period earlier. A linear branch under periodic loading approaches its cyclic steady state
/// geometrically, h_(k+1) - h_k = r (h_k - h_(k-1)) with r = exp(-period / (a_T tau_i)), so the jump adds
/// (h_end - h_start) r (1 - r^cycles) / (1 - r): `cycles` times the last change for slow branches, nothing
/// for branches already settled. The part of the change that follows a drift of the elastic stress over the
/// cycle, g_i phi1(P / (a_T tau_i)) (S0_end - S0_start) (zero under periodic loading), is not repeated: the
/// displacement that caused it is not advanced either. The stored energy follows the new branch stresses
/// (metric as in the update: shear_modulus, bulk_modulus [Pa]); C and S0 are kept (the jump ends at the same
/// phase).
void prony_jump_cycles(const std::vector<PronyTerm>& terms, const PronyState& cycle_start, Real period,
                       Real cycles, Real time_shift_factor, Real shear_modulus, Real bulk_modulus,
                       PronyState& state);

/// Tensor double contraction A : B of two symmetric tensors given as Voigt vectors (shear terms counted
/// twice).
inline Real voigt_ddot(const Voigt6& a, const Voigt6& b) {
  return a.head<3>().dot(b.head<3>()) + 2.0 * a.tail<3>().dot(b.tail<3>());
}

}  // namespace tissue
