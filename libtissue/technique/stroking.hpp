// Gliding strokes along the muscle fibres: Stroking (effleurage) and DeepStroking.
#pragma once

#include "libtissue/technique/technique.hpp"

namespace tissue {

/// Shared motion of the gliding techniques: back-and-forth travel along a path at constant speed with
/// a force ramped in and out (implementation detail of Stroking, DeepStroking, HotStone).
struct GlideMotion {
  Path path;                                 ///< the stroke path
  Footprint tool;                            ///< contact shape
  Real force = 0;                            ///< plateau normal force [N]
  Real speed = 0;                            ///< gliding speed [m/s]
  Real mu = 0;                               ///< friction coefficient [-]
  Real eta = 0;                              ///< friction heat fraction into the skin [-]
  Real hand_temperature = kHandTemperature;  ///< the hand's skin temperature [K]
  Real hand_conductance = 0;                 ///< hand/skin contact conductance [W/m^2/K]; 0: no conduction
  Real ramp = 0;                             ///< force ramp-in/out time [s]
  Real duration = 0;                         ///< total time [s]

  /// Tool command at t [s] (inactive outside [0, duration]).
  ToolCommand command(Real t) const;
  /// min(glide_max_dt, ramp_max_dt) [s].
  Real max_dt(Real t) const;
  /// One round trip along the path, 2 length / speed [s] (nullopt without travel).
  std::optional<Real> period() const;
};

/// Options of Stroking (effleurage: long gliding strokes along the fibres, light to moderate force).
struct StrokingOptions {
  Footprint tool = Footprint::palm();  ///< contact shape (palm)
  Real force = 20.0;                   ///< normal force [N]; calibration choice, "light to moderate"
                                       ///< (gluteal indentation loads are 1-30 N, Isogai 2022 JPTS 34:777)
  Real speed = 0.075;              ///< gliding speed [m/s]; calibration choice, mid of the 5-10 cm/s taught
  Real mu = friction::oiled_skin;  ///< friction coefficient, oiled skin [-]
  Real eta = kDefaultFrictionHeatFraction;   ///< friction heat fraction into the skin [-]
  Real hand_temperature = kHandTemperature;  ///< the hand's skin temperature [K] (kHandTemperature)
  Real hand_conductance = 0;  ///< hand/skin contact conductance [W/m^2/K]; 0 (default): no conduction
  Real ramp = 1.0;            ///< force ramp-in and ramp-out [s]; calibration choice
  Real duration = 60.0;       ///< total time [s]; calibration choice
  int lanes = 1;              ///< parallel strokes across the muscle (generated paths)
  Real inset = 0.0;           ///< margin of the path inside the region's extent [m]
  /// Throws InputError("<prefix>.<field>") for non-positive force, speed, duration, lanes; negative
  /// ramp, mu, inset; eta outside [0, 1]; ramps longer than half the duration.
  void validate(std::string_view prefix = "stroking") const;
};

/// Effleurage: the tool glides back and forth along the mean fibre direction of the target muscle.
class Stroking final : public Technique {
 public:
  using Options = StrokingOptions;  ///< options type
  /// Strokes along the fibres over `patch` (PathGenerator::lanes(options.lanes, options.inset)).
  explicit Stroking(const SkinPatch& patch, Options options = {});
  /// Strokes back and forth along an explicit path.
  Stroking(Path path, Options options);
  /// "stroking".
  std::string_view name() const override { return "stroking"; }
  /// Tool on the path, force ramped in and out, velocity along the path.
  ToolCommand command(Real t) const override { return motion_.command(t); }
  /// Resolves the glide (a quarter of the footprint per step) and the ramps.
  Real max_dt(Real t) const override { return motion_.max_dt(t); }
  /// One round trip along the path [s].
  std::optional<Real> period() const override { return motion_.period(); }
  /// True: a back-and-forth glide.
  bool reciprocating() const override { return true; }
  /// options.ramp [s].
  Real ramp() const override { return options_.ramp; }
  /// options.duration [s].
  Real duration() const override { return options_.duration; }
  /// Region of a generated path.
  std::string_view target() const override { return motion_.path.region(); }
  /// The options.
  const Options& options() const { return options_; }
  /// The stroke path.
  const Path& path() const { return motion_.path; }

 private:
  Options options_;
  GlideMotion motion_;
};

/// Options of DeepStroking (slow, strong strokes along the fibres with forearm or thumb).
struct DeepStrokingOptions {
  Footprint tool = Footprint::forearm();     ///< contact shape (forearm; thumb is the alternative)
  Real force = 50.0;                         ///< normal force [N]; calibration choice ("strong": above the
                                             ///< 1-30 N gluteal indentation range of Isogai 2022)
  Real speed = 0.015;                        ///< gliding speed [m/s]; calibration choice, 1-2 cm/s
  Real mu = friction::oiled_skin;            ///< friction coefficient, oiled skin [-]
  Real eta = kDefaultFrictionHeatFraction;   ///< friction heat fraction into the skin [-]
  Real hand_temperature = kHandTemperature;  ///< the hand's skin temperature [K] (kHandTemperature)
  Real hand_conductance = 0;  ///< hand/skin contact conductance [W/m^2/K]; 0 (default): no conduction
  Real ramp = 2.0;            ///< force ramp-in and ramp-out [s]; calibration choice
  Real duration = 60.0;       ///< total time [s]; calibration choice
  int lanes = 1;              ///< parallel strokes across the muscle (generated paths)
  Real inset = 0.0;           ///< margin of the path inside the region's extent [m]
  /// Same rules as StrokingOptions::validate.
  void validate(std::string_view prefix = "deep_stroking") const;
};

/// Deep tissue stroking: as Stroking, slower and stronger, along the fibres.
class DeepStroking final : public Technique {
 public:
  using Options = DeepStrokingOptions;  ///< options type
  /// Strokes along the fibres over `patch`.
  explicit DeepStroking(const SkinPatch& patch, Options options = {});
  /// Strokes back and forth along an explicit path.
  DeepStroking(Path path, Options options);
  /// "deep_stroking".
  std::string_view name() const override { return "deep_stroking"; }
  /// Tool on the path, force ramped in and out, velocity along the path.
  ToolCommand command(Real t) const override { return motion_.command(t); }
  /// Resolves the glide and the ramps.
  Real max_dt(Real t) const override { return motion_.max_dt(t); }
  /// One round trip along the path [s].
  std::optional<Real> period() const override { return motion_.period(); }
  /// True: a back-and-forth glide.
  bool reciprocating() const override { return true; }
  /// options.ramp [s].
  Real ramp() const override { return options_.ramp; }
  /// options.duration [s].
  Real duration() const override { return options_.duration; }
  /// Region of a generated path.
  std::string_view target() const override { return motion_.path.region(); }
  /// The options.
  const Options& options() const { return options_; }
  /// The stroke path.
  const Path& path() const { return motion_.path; }

 private:
  Options options_;
  GlideMotion motion_;
};

}  // namespace tissue
