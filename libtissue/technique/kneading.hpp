// Kneading (petrissage): cyclic compression with rolling/shear, the tool circling over the muscle.
#pragma once

#include "libtissue/technique/technique.hpp"

namespace tissue {

/// Options of Kneading.
struct KneadingOptions {
  Footprint tool = Footprint::palm();  ///< contact shape (palm; fist is the alternative)
  Real force = 30.0;                   ///< mean normal force [N]; calibration choice (within the
                                       ///< 1-30 N gluteal indentation loads, Isogai 2022 JPTS 34:777)
  Real modulation = 0.5;               ///< force swing: F (1 + modulation sin(2 pi f t)) [-], in [0, 1]
  Real frequency = 0.75;               ///< circles per second [Hz]; calibration choice, 0.5-1 Hz
  Real radius = 0.01;                  ///< radius of the circles of the tool centre [m]; calibration choice
  Real glide_speed = 0.01;       ///< speed of the circle centre along the fibres [m/s]; calibration choice
  Real mu = friction::dry_skin;  ///< friction [-]: dry skin, kneading grips rather than glides
                                 ///< (Veijgen et al. 2013, Tribol Lett 49:251)
  Real eta = kDefaultFrictionHeatFraction;   ///< friction heat fraction into the skin [-]
  Real hand_temperature = kHandTemperature;  ///< the hand's skin temperature [K] (kHandTemperature)
  Real hand_conductance = 0;  ///< hand/skin contact conductance [W/m^2/K]; 0 (default): no conduction
  Real ramp = 1.0;            ///< force ramp-in and ramp-out [s]; calibration choice
  Real duration = 60.0;       ///< total time [s]; calibration choice
  Real inset = 0.0;           ///< margin of the circles inside the region's extent [m]
  /// Throws InputError("<prefix>.<field>"): non-positive force, frequency, radius, duration; negative
  /// glide_speed, ramp, mu, inset; modulation or eta outside [0, 1]; frequency above 5 Hz.
  void validate(std::string_view prefix = "kneading") const;
};

/// Petrissage: the tool centre runs circles of `radius` at `frequency` (rolling/shear of the skin,
/// with friction along the circle) while the force swings once per circle; the circle centre glides
/// back and forth along the fibres. Period 1/frequency (exactly periodic when glide_speed = 0, and
/// quasi-periodic otherwise: the centre moves glide_speed / frequency per cycle).
class Kneading final : public Technique {
 public:
  using Options = KneadingOptions;  ///< options type
  /// Circles whose centres glide along the fibres over `patch` (path inset by inset + radius, so the
  /// whole circle stays over the region).
  explicit Kneading(const SkinPatch& patch, Options options = {});
  /// Circles whose centres travel along an explicit path.
  Kneading(Path centre_path, Options options);
  /// "kneading".
  std::string_view name() const override { return "kneading"; }
  /// Tool on its circle; force F (1 + m sin(2 pi f t)) times the ramp envelope.
  ToolCommand command(Real t) const override;
  /// min(1 / (20 f), glide limit of the circling speed, ramp limit) [s].
  Real max_dt(Real t) const override;
  /// 1 / frequency [s].
  std::optional<Real> period() const override { return 1.0 / options_.frequency; }
  /// options.duration [s].
  Real duration() const override { return options_.duration; }
  /// Region of a generated path.
  std::string_view target() const override { return path_.region(); }
  /// The options.
  const Options& options() const { return options_; }
  /// The path of the circle centres.
  const Path& centre_path() const { return path_; }

 private:
  Options options_;
  Path path_;
};

}  // namespace tissue
