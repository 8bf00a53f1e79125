// Contraindication flags (DESIGN 1 item 7, 4 "Outputs"): pressure over bone, tissue temperature above
// 43 degC with the cumulative CEM43 thermal dose, and excessive strain.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "libtissue/core/state_archive.hpp"
#include "libtissue/observe/step_view.hpp"

namespace tissue {

/// Cumulative equivalent minutes at 43 degC of a step of dt [s] at temperature T [K]:
/// dt/60 * R^(43 - T[degC]), R = 0.5 for T >= 43 degC, 0.25 below (Sapareto & Dewey 1984, Int J Radiat Oncol
/// Biol Phys 10:787) [min].
Real cem43_increment(Real T, Real dt);

/// Thresholds of SafetyMonitor (defaults: docs/observers.md, calibration choices marked there).
struct SafetyOptions {
  std::vector<std::string> bone_sets;  ///< bone node sets; empty: every set named "bone_*"
  Real bone_distance = 0.015;          ///< skin points closer than this to a bone node are "over bone" [m]
  Real bone_pressure = 5.0e4;          ///< contact pressure over bone that raises a flag [Pa]
  Real temperature_limit = kCelsius + 43.0;  ///< tissue temperature limit [K]
  Real cem43_limit = 1.0;                    ///< CEM43 dose that raises a flag [min]
  Real strain_limit = 0.3;  ///< max principal shear of the Green-Lagrange strain (E1 - E3)/2 [-]
  /// Throws InputError "safety.<field>" for non-positive or non-finite values.
  void validate() const;
};

/// Watches the state for contraindications and raises SafetyFlag (kinds "pressure_on_bone",
/// "temperature_above_limit", "thermal_dose", "excessive_strain") when a quantity first crosses its
/// threshold in a region (re-armed when it falls back below). Accumulates CEM43 per node over the steps it
/// sees (trapezoidal rule on the dose rate between successive on_step calls).
/// Series (group = region): cem43_max ("min"); group "session": bone_pressure_max ("Pa").
class SafetyMonitor final : public Observer {
 public:
  /// Monitor with validated options.
  explicit SafetyMonitor(SafetyOptions options = {});
  /// "safety".
  std::string_view name() const override { return "safety"; }
  /// Updates the thermal dose and appends flags raised at this step and the series.
  void on_step(const StepView& view, Observations& out) override;
  /// CEM43 dose per node so far [min] (empty before the first step with a temperature).
  const VectorX& cem43() const { return dose_; }
  /// Distance from each skin quadrature point to the nearest bone node [m] (after the first step with a skin
  /// pressure; infinite without bone sets).
  const std::vector<Real>& bone_depth() const { return bone_depth_; }
  /// Largest contact pressure over bone seen at the last step [Pa].
  Real last_bone_pressure() const { return last_bone_pressure_; }
  /// Writes the dose so far and the flags currently raised under "<prefix>.*" (a checkpoint).
  void save(StateArchive& a, std::string_view prefix) const;
  /// Reads what save() wrote.
  void load(const StateArchive& a, std::string_view prefix);

 private:
  void raise(const std::string& kind, const std::string& region, bool over, Real t, Real value,
             Real threshold, const std::string& units, Observations& out);
  SafetyOptions options_;
  VectorX dose_, last_rate_;
  Real last_time_ = 0;
  bool started_ = false;
  std::vector<Real> bone_depth_;
  Real last_bone_pressure_ = 0;
  std::map<std::string, bool> active_;  // "kind/region" -> currently above threshold
};

}  // namespace tissue
