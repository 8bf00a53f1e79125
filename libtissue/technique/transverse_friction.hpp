// Transverse (cross-fibre) friction: short oscillating strokes across the fibres with the thumb.
#pragma once

#include "libtissue/technique/technique.hpp"

namespace tissue {

/// Options of TransverseFriction (deep transverse friction after Cyriax).
struct TransverseFrictionOptions {
  Footprint tool = Footprint::thumb();  ///< contact shape (thumb)
  Real force = 30.0;                    ///< normal force [N]; calibration choice (1-30 N gluteal
                                        ///< indentation loads, Isogai 2022 JPTS 34:777)
  Real frequency = 2.0;                 ///< back-and-forth cycles per second [Hz]; calibration choice, 1-3 Hz
  Real amplitude = 0.008;               ///< half the cross-fibre excursion [m]; calibration choice
  Real offset_along = 0.0;              ///< position along the fibres from the region centre [m]
  Real mu = friction::dry_skin;         ///< friction [-]: no lubricant (Veijgen et al. 2013)
  Real eta = kDefaultFrictionHeatFraction;   ///< friction heat fraction into the skin [-]
  Real hand_temperature = kHandTemperature;  ///< the hand's skin temperature [K] (kHandTemperature)
  Real hand_conductance = 0;  ///< hand/skin contact conductance [W/m^2/K]; 0 (default): no conduction
  Real ramp = 2.0;            ///< force ramp-in and ramp-out [s]; calibration choice
  Real duration = 120.0;      ///< total time [s]; calibration choice
  Real inset = 0.0;           ///< margin of the stroke inside the region's extent [m]
  /// Throws InputError("<prefix>.<field>"): non-positive force, amplitude, duration; frequency
  /// outside (0, 5] Hz; negative mu, ramp, inset; eta outside [0, 1]; the stroke not fitting.
  void validate(std::string_view prefix = "transverse_friction") const;
};

/// Cross-fibre friction: the thumb oscillates sinusoidally across the mean fibre direction,
/// s(t) = A sin(2 pi f t) about the centre, with the force ramped in and out. Period 1/f.
class TransverseFriction final : public Technique {
 public:
  using Options = TransverseFrictionOptions;  ///< options type
  /// Across the fibres at the region centre (+ offset_along); throws InputError naming
  /// "transverse_friction.amplitude" if the stroke does not fit over the region.
  explicit TransverseFriction(const SkinPatch& patch, Options options = {});
  /// Oscillating between the two ends of an explicit path (amplitude unused: half its length).
  TransverseFriction(Path path, Options options);
  /// "transverse_friction".
  std::string_view name() const override { return "transverse_friction"; }
  /// Thumb on the cross-fibre stroke.
  ToolCommand command(Real t) const override;
  /// min(1 / (20 f), glide limit at the peak speed, ramp limit) [s].
  Real max_dt(Real t) const override;
  /// 1 / frequency [s].
  std::optional<Real> period() const override { return 1.0 / options_.frequency; }
  /// options.duration [s].
  Real duration() const override { return options_.duration; }
  /// Region of a generated path.
  std::string_view target() const override { return path_.region(); }
  /// The options.
  const Options& options() const { return options_; }
  /// The cross-fibre stroke.
  const Path& path() const { return path_; }

 private:
  Options options_;
  Path path_;
};

}  // namespace tissue
