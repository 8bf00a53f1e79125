// Thermal techniques: HeatPack (resting warm pad) and HotStone (heated stone, placed or gliding).
#pragma once

#include "libtissue/technique/technique.hpp"

namespace tissue {

/// Options of HeatPack.
struct HeatPackOptions {
  Footprint pack = Footprint::heat_pack();  ///< contact shape (24 x 16 cm pad)
  Real temperature = kCelsius + 42.0;       ///< pad surface temperature [K]; calibration choice (42 C: at or
                                            ///< below the ~44 C that skin tolerates for hours, Henriques &
  ///< Moritz 1947; CEM43 dose grows above 43 C, Sapareto & Dewey 1984)
  Real heat_transfer = 100.0;  ///< contact conductance pad/skin [W/m^2/K]; calibration choice
                               ///< (towel-wrapped pad)
  Real force = 0.0;            ///< pad weight or light pressure [N] (0: thermal only)
  Real duration = 900.0;       ///< application time [s]; calibration choice (15-20 min packs)
  Real offset_along = 0.0;     ///< pad centre from the region centre along the fibres [m]
  Real offset_across = 0.0;    ///< ... and across the fibres [m]
  /// Throws InputError("<prefix>.<field>"): temperature outside [273.15, 343.15] K (0-70 C), negative
  /// heat_transfer or force, non-positive duration.
  void validate(std::string_view prefix = "heat_pack") const;
};

/// Heat pack: a resting pad at constant temperature over the region; contact conductance
/// heat_transfer over the footprint, no sliding. max_dt is the time left (the load is constant).
class HeatPack final : public Technique {
 public:
  using Options = HeatPackOptions;  ///< options type
  /// Centred over `patch` (+ offsets; the centre must lie over the region).
  explicit HeatPack(const SkinPatch& patch, Options options = {});
  /// At the first point of an explicit path.
  HeatPack(Path path, Options options);
  /// "heat_pack".
  std::string_view name() const override { return "heat_pack"; }
  /// Pad with tool_temperature and heat_transfer set.
  ToolCommand command(Real t) const override;
  /// Time left to the end [s] (the load is constant).
  Real max_dt(Real t) const override;
  /// options.duration [s].
  Real duration() const override { return options_.duration; }
  /// Region of a generated point.
  std::string_view target() const override { return path_.region(); }
  /// The options.
  const Options& options() const { return options_; }

 private:
  Options options_;
  Path path_;
};

/// Options of HotStone.
struct HotStoneOptions {
  Footprint stone = Footprint::stone();  ///< contact shape (6 x 9 cm oval stone)
  Real temperature = kCelsius + 50.0;    ///< stone temperature when applied [K]; calibration choice within
                                         ///< the 42-55 C of practice (above 52 C burns in minutes:
                                         ///< Henriques & Moritz 1947; the observers flag it)
  Real heat_transfer = 500.0;      ///< contact conductance stone/oiled skin [W/m^2/K]; calibration choice
  Real cooling_time = 0.0;         ///< stone cooling time constant towards 37 C [s] (0: constant temperature)
  Real force = 15.0;               ///< normal force [N]; calibration choice (light gliding)
  Real speed = 0.05;               ///< gliding speed along the fibres [m/s] (0: placed stone)
  Real mu = friction::oiled_skin;  ///< friction, oiled skin [-]
  Real eta = kDefaultFrictionHeatFraction;  ///< friction heat fraction into the skin [-]
  Real ramp = 1.0;                          ///< force ramp-in and ramp-out [s]
  Real duration = 120.0;                    ///< total time [s]; calibration choice
  Real inset = 0.0;                         ///< margin of the path inside the region's extent [m]
  /// Throws InputError("<prefix>.<field>"): temperature outside [273.15, 343.15] K; negative
  /// heat_transfer, cooling_time, force, speed, mu, ramp, inset; non-positive duration; eta outside [0, 1].
  void validate(std::string_view prefix = "hot_stone") const;
};

/// Hot stone: a heated stone glides along the fibres (or rests at the centre when speed = 0) with
/// light force and oil; tool temperature T(t) = 37 C + (T0 - 37 C) exp(-t / cooling_time).
class HotStone final : public Technique {
 public:
  using Options = HotStoneOptions;  ///< options type
  /// Along the fibres over `patch` (at the centre when speed = 0).
  explicit HotStone(const SkinPatch& patch, Options options = {});
  /// Along an explicit path.
  HotStone(Path path, Options options);
  /// "hot_stone".
  std::string_view name() const override { return "hot_stone"; }
  /// Stone on the path with temperature and contact conductance.
  ToolCommand command(Real t) const override;
  /// Glide and ramp limits; the time left for a placed stone [s].
  Real max_dt(Real t) const override;
  /// One round trip along the path when gliding, 2 length / speed [s]; nullopt for a placed stone.
  std::optional<Real> period() const override;
  /// True: a gliding stone goes back and forth.
  bool reciprocating() const override { return true; }
  /// options.ramp [s].
  Real ramp() const override { return options_.ramp; }
  /// options.duration [s].
  Real duration() const override { return options_.duration; }
  /// Region of a generated path.
  std::string_view target() const override { return path_.region(); }
  /// The options.
  const Options& options() const { return options_; }
  /// Stone temperature at t [K].
  Real temperature(Real t) const;

 private:
  Options options_;
  Path path_;
};

}  // namespace tissue
