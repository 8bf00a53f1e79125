// Static compression / trigger-point pressure: ramp to a force, hold, release.
#pragma once

#include "libtissue/technique/technique.hpp"

namespace tissue {

/// Options of StaticCompression.
struct StaticCompressionOptions {
  Footprint tool = Footprint::thumb();  ///< contact shape (thumb; palm or elbow-sized tools also used)
  Real force = 30.0;                    ///< hold force [N]; calibration choice, top of the 1-30 N gluteal
                                        ///< indentation loads (Isogai 2022, J Phys Ther Sci 34:777)
  Real ramp = 5.0;                      ///< linear ramp from 0 to force [s]; calibration choice
  Real hold = 60.0;                     ///< hold time [s]; 30-90 s sustained pressure (DESIGN.md section 3)
  Real release = 5.0;                   ///< linear release from force to 0 [s]; calibration choice
  Real offset_along = 0.0;              ///< contact point from the region centre along the fibres [m]
  Real offset_across = 0.0;             ///< ... and across the fibres [m]
  Real hand_temperature = kHandTemperature;  ///< the hand's skin temperature [K] (kHandTemperature)
  Real hand_conductance = 0;  ///< hand/skin contact conductance [W/m^2/K]; 0 (default): no conduction
  /// Throws InputError("<prefix>.<field>"): non-positive force, ramp, release; negative hold.
  void validate(std::string_view prefix = "static_compression") const;
};

/// Trigger-point pressure: F(t) = force t/ramp, then force during the hold, then linearly back to 0
/// over `release`; the tool does not move (no friction). Duration ramp + hold + release.
class StaticCompression final : public Technique {
 public:
  using Options = StaticCompressionOptions;  ///< options type
  /// At the region centre plus the offsets; throws InputError naming "static_compression.offset" if
  /// the point lies outside the region.
  explicit StaticCompression(const SkinPatch& patch, Options options = {});
  /// At the first point of an explicit path.
  StaticCompression(Path path, Options options);
  /// "static_compression".
  std::string_view name() const override { return "static_compression"; }
  /// Stationary tool with the ramp-hold-release force.
  ToolCommand command(Real t) const override;
  /// ramp / 8 (release / 8) inside the ramps, never beyond a kink; the rest of the hold during it.
  Real max_dt(Real t) const override;
  /// ramp + hold + release [s].
  Real duration() const override { return options_.ramp + options_.hold + options_.release; }
  /// Region of a generated point.
  std::string_view target() const override { return path_.region(); }
  /// The options.
  const Options& options() const { return options_; }
  /// Force at t [N] (the ramp-hold-release history).
  Real force(Real t) const;

 private:
  Options options_;
  Path path_;
};

}  // namespace tissue
