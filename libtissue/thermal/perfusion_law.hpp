// Perfusion law: blood perfusion rising with temperature (Q10) and with a massage stimulus that
// builds up while the tissue is stimulated and decays afterwards (first-order lags).
//
//   w_b(T, s) = w_b0 * Q10^((T - T_ref) / 10 K) * (1 + stimulus_gain * s)
//   ds/dt = (u - s) / tau_rise    while u >= s   (stimulated: s rises toward the stimulus u)
//   ds/dt = (u - s) / tau_decay   while u <  s   (after the stimulus: s decays toward u, e.g. 0)
//
// u is a dimensionless stimulus level (0: none, 1: a full massage stimulus; see docs/thermal.md),
// s the perfusion stimulus state per node. The ODE is integrated with the exact exponential, so
// the recursion is exact for piecewise-constant u and any dt. Calibration: conduit-artery flow
// rises 1.4-2x after 1 h of local heating by +2 to +3 C (Koch Esteves et al. 2021); Q10 = 4 gives
// 1.41x at +2.5 K and 1.52x at +3 K (lower half of that range). The stimulus gain and the time
// constants are uncalibrated placeholders. The law is a plain value type: swap it by writing
// another type with the same factor()/advance() members and passing its values to
// BioheatProblem::set_perfusion_qp().
#pragma once

#include "libtissue/core/types.hpp"

namespace tissue {

/// Q10 temperature response and first-order massage-stimulus response of blood perfusion.
struct PerfusionLaw {
  Real q10 = 4.0;                                ///< perfusion ratio per +10 K [-] (>= 1 typical)
  Real reference_temperature = 37.0 + kCelsius;  ///< T_ref at which the Q10 factor is 1 [K]
  Real stimulus_gain = 1.0;                      ///< relative perfusion increase at s = 1 [-]
  /// Time constant of the rise while stimulated [s]: peak by the 5th minute of vibration (Maloney-Hinds 2008;
  /// data/physiology/perfusion.toml [model.tau_rise], calibration choice).
  Real tau_rise = 90.0;
  /// Time constant of the decay after the stimulus [s]: skin flow back to baseline 35-40 min after 5 min of
  /// Gua Sha (Dubinskaya 2023; [model.tau_decay_skin], calibration choice; muscle 900 s).
  Real tau_decay = 720.0;
  Real max_factor = 10.0;  ///< upper bound of w_b / w_b0 (guards extreme T) [-]
  /// Deviatoric strain rate at which the massage stimulus is half its full level [1/s] (calibration choice:
  /// data/physiology/perfusion.toml [model.stimulus_half_rate]).
  Real half_rate = 0.3;
  Real exponent = 1.0;  ///< Hill exponent of the stimulus in the strain rate [-] ([model.stimulus_exponent])

  /// Throws InputError naming "perfusion_law.<field>" if a parameter is out of range.
  void validate() const;
  /// Q10 factor Q10^((T - T_ref)/10) at temperature T [K] (not clamped) [-].
  Real temperature_factor(Real T) const;
  /// Total factor w_b / w_b0 = Q10^((T - T_ref)/10) (1 + gain s), clamped to [0, max_factor] [-].
  Real factor(Real T, Real s) const { return factor(T, s, stimulus_gain); }
  /// The same with a tissue's own gain [-] (ThermalProperties::perfusion_gain).
  Real factor(Real T, Real s, Real gain) const;
  /// Massage stimulus u = r^n / (r^n + r_half^n) in [0, 1) of a time-averaged deviatoric strain rate r
  /// [1/s]: static pressure (r = 0) gives none, strokes, kneading, friction and vibration some.
  Real stimulus(Real rate) const;
  /// Perfusion w_b [1/s] for baseline w0 [1/s], temperature T [K] and stimulus state s [-].
  Real perfusion(Real w0, Real T, Real s) const { return w0 * factor(T, s); }
  /// Stimulus state after dt [s] from s under constant stimulus u (exact exponential; tau_rise
  /// when u >= s, tau_decay when u < s).
  Real advance(Real s, Real u, Real dt) const;
  /// Applies advance() to every entry: s[i] <- advance(s[i], u[i], dt). Sizes must match.
  void advance(VectorX& s, const VectorX& u, Real dt) const;
};

}  // namespace tissue
