// Muscle tone dynamics per quadrature point: a swappable ToneLaw, its stimulus, the default
// inhibition-recovery law, and the resting tone of the muscles (normal or hypertonic).
//
// Tone a in [0, 1] scales the active fibre stress a sigma_max f(lambda) (material/active.hpp). It is
// a slow state variable: the coupled stepper integrates it once per macro step with the stimulus
// (pressure, temperature) averaged over that step. Pure math: no mesh, no fem (ARCHITECTURE 2.1).
// Parameters and sources: data/tone/tone.toml; equations and references: docs/tone.md.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "libtissue/core/types.hpp"

namespace tissue {

/// Local stimulus of one quadrature point, averaged over a macro step.
struct ToneStimulus {
  Real pressure = 0;  ///< time-averaged hydrostatic pressure -tr(sigma)/3 [Pa] (> 0 compressive)
  Real temperature = kCelsius + 37.0;  ///< time-averaged tissue temperature [K]
};

/// Accumulates per-point stimuli over the substeps of a macro step (time-weighted averages).
class ToneStimulusAccumulator {
 public:
  /// Empty accumulator for n points (#cells x n_qp).
  explicit ToneStimulusAccumulator(Index n_points = 0);
  /// Adds pressure [Pa] and temperature [K] per point held over a substep of length dt [s] (dt >= 0);
  /// throws InputError "tone_stimulus.<field>" on a size mismatch or negative dt.
  void add(std::span<const Real> pressure, std::span<const Real> temperature, Real dt);
  /// Time-averaged stimulus per point; throws InputError "tone_stimulus.time" if no time was added.
  std::vector<ToneStimulus> average() const;
  /// Total accumulated time [s].
  Real time() const { return time_; }
  /// Number of points.
  Index size() const { return static_cast<Index>(p_.size()); }
  /// Clears the sums (keeps the size).
  void reset();

 private:
  std::vector<Real> p_, T_;
  Real time_ = 0;
};

/// A tone law da/dt = f(a, a_rest, stimulus), integrated over a macro step with the stimulus frozen.
/// Implementations must keep a in [0, 1] for any dt >= 0 (unconditional stability).
class ToneLaw {
 public:
  /// Virtual destructor.
  virtual ~ToneLaw() = default;
  /// Name of the law, e.g. "inhibition_recovery".
  virtual std::string_view name() const = 0;
  /// Rate da/dt [1/s] at tone a, resting tone a_rest and stimulus s.
  virtual Real rate(Real a, Real a_rest, const ToneStimulus& s) const = 0;
  /// Tone after a step dt [s] >= 0 from a with the stimulus frozen over the step; result in [0, 1].
  virtual Real advance(Real a, Real a_rest, const ToneStimulus& s, Real dt) const = 0;
  /// Tone the law tends to under a stimulus held forever [-].
  virtual Real equilibrium(Real a_rest, const ToneStimulus& s) const = 0;
  /// The pressure drive d(p) whose time average over a macro step stands for a varying pressure (a law whose
  /// rate depends on p through a nonlinear response averages that response, not p); identity by default.
  virtual Real pressure_drive(Real p) const { return p; }
  /// The pressure whose drive is d (the inverse of pressure_drive): the stimulus of a macro step [Pa].
  virtual Real pressure_of_drive(Real d) const { return d; }
  /// Advances every point: tone[i] <- advance(tone[i], rest[i], stimulus[i], dt). Sizes must match
  /// (InputError "tone.size"); dt >= 0 (InputError "tone.dt").
  void integrate(VectorX& tone, const VectorX& rest, std::span<const ToneStimulus> stimulus, Real dt) const;
};

/// Parameters of InhibitionRecoveryLaw (SI). Values and sources: data/tone/tone.toml.
struct ToneParameters {
  Real tau_recovery = 300.0;                ///< recovery time constant toward resting tone [s]
  Real pressure_rate = 1.33e-2;             ///< k_p: maximal inhibition rate by sustained pressure [1/s]
  Real pressure_half = 3.0e3;               ///< p_half: pressure of half-maximal inhibition [Pa]
  Real pressure_exponent = 2.0;             ///< n: Hill exponent of the pressure response [-]
  Real temperature_rate = 1.0e-3;           ///< k_T: inhibition rate per kelvin above baseline [1/(s K)]
  Real temperature_base = kCelsius + 37.0;  ///< T_base: baseline temperature [K]

  /// The values of data/tone/tone.toml [law] (embedded at build time).
  static ToneParameters defaults();
  /// Throws InputError "tone.<field>" (e.g. "tone.tau_recovery") unless every value is finite, tau, p_half
  /// and n are positive, rates are >= 0 and T_base is positive.
  void validate() const;
};

/// Default tone law: relaxation toward resting tone, inhibited by sustained pressure and by warmth:
///   da/dt = (a_rest - a)/tau - k_p P(p) a - k_T max(T - T_base, 0) a,  P(p) = p^n/(p^n + p_half^n), p > 0.
/// Linear in a with frozen stimulus, so a step is integrated exactly:
///   a(dt) = a_eq + (a0 - a_eq) exp(-lambda dt),  lambda = 1/tau + k_p P + k_T dT,  a_eq = a_rest/(tau
///   lambda).
/// Phenomenological (see docs/tone.md for the physiology and which values are calibration choices).
class InhibitionRecoveryLaw final : public ToneLaw {
 public:
  /// Law with validated parameters (throws InputError "tone.<field>").
  explicit InhibitionRecoveryLaw(ToneParameters p = ToneParameters::defaults());
  /// "inhibition_recovery".
  std::string_view name() const override { return "inhibition_recovery"; }
  /// da/dt [1/s].
  Real rate(Real a, Real a_rest, const ToneStimulus& s) const override;
  /// Exact exponential step, clamped to [0, 1].
  Real advance(Real a, Real a_rest, const ToneStimulus& s, Real dt) const override;
  /// a_eq = a_rest / (1 + tau (k_p P(p) + k_T max(T - T_base, 0))).
  Real equilibrium(Real a_rest, const ToneStimulus& s) const override;
  /// Saturating pressure response P(p) in [0, 1) [-].
  Real pressure_response(Real p) const;
  /// The rate is linear in P(p): the drive is P(p).
  Real pressure_drive(Real p) const override { return pressure_response(p); }
  /// p = p_half (P / (1 - P))^(1/n) for P in [0, 1) [Pa].
  Real pressure_of_drive(Real d) const override;
  /// Total decay rate lambda = 1/tau + k_p P + k_T dT [1/s].
  Real decay_rate(const ToneStimulus& s) const;
  /// Parameters in use.
  const ToneParameters& parameters() const { return p_; }

 private:
  ToneParameters p_;
};

/// Resting tone of the muscles: a normal value, a hypertonic value, per-muscle overrides and the set of
/// muscles marked hypertonic (a patient with one hypertonic muscle). Names are region names; a name
/// matches with or without its "_left"/"_right" suffix.
struct RestingTone {
  Real normal = 0.2;                                   ///< resting tone of a normal muscle [-]
  Real hypertonic = 0.5;                               ///< resting tone of a hypertonic muscle [-]
  std::map<std::string, Real, std::less<>> overrides;  ///< explicit resting tone per region [-]
  std::vector<std::string> hypertonic_regions;         ///< regions at the hypertonic level

  /// The values of data/tone/tone.toml [resting] (no overrides, no hypertonic region).
  static RestingTone defaults();
  /// Resting tone of a muscle region: override, else hypertonic if listed, else normal [-].
  Real for_region(std::string_view region) const;
  /// Marks a region (e.g. "erector_spinae_right") hypertonic; returns *this.
  RestingTone& make_hypertonic(std::string region);
  /// Throws InputError "tone.resting.<field>" unless all values are in [0, 1].
  void validate() const;
};

/// The text of data/tone/tone.toml (embedded at build time).
std::string_view default_tone_toml();
/// Parses a tone table in the format of data/tone/tone.toml; `label` names the source in errors.
/// Throws InputError with file:line and field ("law.tau_recovery.unit", ...) on bad input.
void parse_tone_toml(std::string_view text, const std::string& label, ToneParameters& law,
                     RestingTone& resting);

/// Makes the default law (InhibitionRecoveryLaw with ToneParameters::defaults()).
std::unique_ptr<ToneLaw> make_default_tone_law();

}  // namespace tissue
