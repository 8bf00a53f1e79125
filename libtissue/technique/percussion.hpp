// Periodic loading techniques: Percussion (tapotement), MassageGun (handheld percussion device) and
// Vibration. Each prescribes a periodic force (or depth) history at a set frequency while the tool
// optionally glides along the fibres.
#pragma once

#include "libtissue/technique/technique.hpp"

namespace tissue {

/// Options of Percussion (tapotement: fast rhythmic taps with the fist or the edge of the hand).
struct PercussionOptions {
  Footprint tool = Footprint::hand_edge();  ///< contact shape (edge of the hand, "hacking"; fist for beating)
  Real peak_force = 30.0;                   ///< peak force of a tap [N]; calibration choice (1-30 N gluteal
                                            ///< indentation loads, Isogai 2022 JPTS 34:777)
  Real frequency = 6.0;          ///< taps per second [Hz]; calibration choice, 5-10 Hz (tapotement is
                                 ///< the fastest cycle of the classic strokes, Mickelwright 2006 MSSE)
  Real contact_fraction = 0.3;   ///< fraction of each period in contact [-]; calibration choice
  Real glide_speed = 0.02;       ///< travel of the tapping point along the fibres [m/s]; calibration choice
  Real mu = friction::dry_skin;  ///< friction while in contact [-] (Veijgen et al. 2013)
  Real eta = kDefaultFrictionHeatFraction;   ///< friction heat fraction into the skin [-]
  Real hand_temperature = kHandTemperature;  ///< the hand's skin temperature [K] (kHandTemperature)
  Real hand_conductance = 0;  ///< hand/skin contact conductance [W/m^2/K]; 0 (default): no conduction
  Real duration = 30.0;       ///< total time [s]; calibration choice
  Real inset = 0.0;           ///< margin of the path inside the region's extent [m]
  /// Throws InputError("<prefix>.<field>"): non-positive peak_force, duration; frequency outside
  /// [1, 20] Hz; contact_fraction outside (0, 1]; negative glide_speed, mu, inset; eta outside [0, 1].
  void validate(std::string_view prefix = "percussion") const;
};

/// Tapotement: half-sine force pulses F_peak sin(pi phase / c) for phase < c (phase = frac(f t),
/// c = contact_fraction), zero between taps (the tool is lifted; command stays active with zero
/// force). Period 1/f.
class Percussion final : public Technique {
 public:
  using Options = PercussionOptions;  ///< options type
  /// Taps travelling along the fibres over `patch`.
  explicit Percussion(const SkinPatch& patch, Options options = {});
  /// Taps travelling along an explicit path.
  Percussion(Path path, Options options);
  /// "percussion".
  std::string_view name() const override { return "percussion"; }
  /// Tool on the path with the pulse force.
  ToolCommand command(Real t) const override;
  /// min(1 / (20 f), contact time / 10, glide limit) [s].
  Real max_dt(Real t) const override;
  /// 1 / frequency [s].
  std::optional<Real> period() const override { return 1.0 / options_.frequency; }
  /// options.duration [s].
  Real duration() const override { return options_.duration; }
  /// Region of a generated path.
  std::string_view target() const override { return path_.region(); }
  /// The options.
  const Options& options() const { return options_; }

 private:
  Options options_;
  Path path_;
};

/// Options of MassageGun (handheld percussion massage device).
struct MassageGunOptions {
  Footprint head = Footprint::gun_ball();  ///< attachment: gun_ball, gun_flat or gun_bullet
  Real frequency = 30.0;                   ///< stroke rate [Hz]; 20-53 Hz on devices, 30 Hz a common study
                                           ///< setting (Sams et al. 2023, Int J Sports Phys Ther 18:309)
  Real stroke = 0.012;           ///< peak-to-peak head travel [m]; devices 10-16 mm (Sams et al. 2023)
  Real preload_depth = 0.0;      ///< indentation at the retracted end of the stroke [m]
  Real stall_force = 100.0;      ///< largest force before the motor stalls [N]; calibration choice
                                 ///< (consumer devices quote roughly 10-30 kgf; unverified)
  Real glide_speed = 0.025;      ///< travel along the fibres [m/s]; 2-3 cm/s (DESIGN.md section 3)
  Real mu = friction::dry_skin;  ///< friction head/skin [-] (Veijgen et al. 2013)
  Real eta = kDefaultFrictionHeatFraction;  ///< friction heat fraction into the skin [-]
  Real duration = 60.0;  ///< total time [s]; calibration choice (studies use 30 s-2 min per muscle)
  Real inset = 0.0;      ///< margin of the path inside the region's extent [m]
  /// Mechanical substeps per stroke cycle (numerical choice, kGunStepsPerCycle; 8-80): the rigid head's
  /// depth is sampled at the cycle's turning points for every even count.
  int steps_per_cycle = kGunStepsPerCycle;
  static constexpr int min_steps_per_cycle = 8;   ///< smallest steps_per_cycle accepted
  static constexpr int max_steps_per_cycle = 80;  ///< largest steps_per_cycle accepted
  /// Throws InputError("<prefix>.<field>"): frequency outside the 20-53 Hz device range (an error,
  /// not a warning: other rates are not a massage gun; use Percussion or Vibration); stroke outside
  /// (0, 30] mm; negative preload_depth, glide_speed, mu, inset; non-positive stall_force, duration;
  /// steps_per_cycle outside 8-80.
  void validate(std::string_view prefix = "massage_gun") const;
};

/// Massage gun: depth control. The head's target indentation is d(t) = preload_depth +
/// stroke/2 (1 - cos(2 pi f t)) along the push direction; the solver finds the force that reaches
/// it, capped at stall_force (ToolCommand::force_limit; see depth_control_force). The gun glides
/// along the fibres. Period 1/f.
class MassageGun final : public Technique {
 public:
  using Options = MassageGunOptions;  ///< options type
  /// Gliding along the fibres over `patch`.
  explicit MassageGun(const SkinPatch& patch, Options options = {});
  /// Gliding along an explicit path.
  MassageGun(Path path, Options options);
  /// "massage_gun".
  std::string_view name() const override { return "massage_gun"; }
  /// Head on the path with the depth target (control = depth, force_limit = stall_force).
  ToolCommand command(Real t) const override;
  /// min(1 / (steps_per_cycle f), glide limit) [s].
  Real max_dt(Real t) const override;
  /// 1 / frequency [s].
  std::optional<Real> period() const override { return 1.0 / options_.frequency; }
  /// options.duration [s].
  Real duration() const override { return options_.duration; }
  /// Region of a generated path.
  std::string_view target() const override { return path_.region(); }
  /// The options.
  const Options& options() const { return options_; }

 private:
  Options options_;
  Path path_;
};

/// Options of Vibration (small-amplitude oscillating pressure with the palm).
struct VibrationOptions {
  Footprint tool = Footprint::palm();  ///< contact shape (palm)
  Real mean_force = 15.0;              ///< mean normal force [N]; calibration choice
  Real amplitude = 5.0;                ///< force amplitude [N] (<= mean_force: the palm stays on the skin)
  Real frequency = 20.0;               ///< [Hz]; calibration choice within 10-50 Hz
  Real glide_speed = 0.0;              ///< travel along the fibres [m/s] (0: stationary at the centre)
  Real mu = friction::oiled_skin;      ///< friction [-]
  Real eta = kDefaultFrictionHeatFraction;   ///< friction heat fraction into the skin [-]
  Real hand_temperature = kHandTemperature;  ///< the hand's skin temperature [K] (kHandTemperature)
  Real hand_conductance = 0;  ///< hand/skin contact conductance [W/m^2/K]; 0 (default): no conduction
  Real ramp = 1.0;            ///< ramp-in and ramp-out of the mean force [s]
  Real duration = 30.0;       ///< total time [s]; calibration choice
  Real inset = 0.0;           ///< margin of the path inside the region's extent [m]
  /// Throws InputError("<prefix>.<field>"): non-positive mean_force, duration; amplitude outside
  /// [0, mean_force]; frequency outside [1, 100] Hz; negative glide_speed, ramp, mu, inset.
  void validate(std::string_view prefix = "vibration") const;
};

/// Vibration: F(t) = envelope(t) (F_mean + F_amp sin(2 pi f t)); period 1/f.
class Vibration final : public Technique {
 public:
  using Options = VibrationOptions;  ///< options type
  /// At the centre of `patch` (glide_speed = 0) or gliding along the fibres.
  explicit Vibration(const SkinPatch& patch, Options options = {});
  /// On an explicit path (a single point for stationary vibration).
  Vibration(Path path, Options options);
  /// "vibration".
  std::string_view name() const override { return "vibration"; }
  /// Tool with the oscillating force.
  ToolCommand command(Real t) const override;
  /// min(1 / (20 f), glide limit, ramp limit) [s].
  Real max_dt(Real t) const override;
  /// 1 / frequency [s].
  std::optional<Real> period() const override { return 1.0 / options_.frequency; }
  /// options.duration [s].
  Real duration() const override { return options_.duration; }
  /// Region of a generated path.
  std::string_view target() const override { return path_.region(); }
  /// The options.
  const Options& options() const { return options_; }

 private:
  Options options_;
  Path path_;
};

}  // namespace tissue
