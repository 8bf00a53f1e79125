// Thermal properties of tissue regions and of blood for the Pennes bioheat equation
//   rho c dT/dt = div(k grad T) + w_b rho_b c_b (T_a - T) + q_met + q_src   (Pennes 1948).
#pragma once

#include <optional>
#include <string_view>

#include "libtissue/core/types.hpp"

namespace tissue {

/// Thermal properties of one mesh region (SI units). Defaults: skeletal muscle, IT'IS database.
struct ThermalProperties {
  Real density = 1090.0;        ///< tissue density rho [kg/m^3]
  Real heat_capacity = 3421.0;  ///< specific heat capacity c [J/kg/K]
  Real conductivity = 0.49;     ///< thermal conductivity k [W/m/K]
  Real perfusion = 6.7e-4;  ///< baseline blood perfusion w_b0: blood volume per tissue volume per time [1/s]
  Real metabolic_heat = 992.0;  ///< metabolic heat q_met [W/m^3] (0.91 W/kg x 1090 kg/m^3)
  /// Relative perfusion increase at a full massage stimulus, w_b / w_b0 - 1 at s = 1 [-] (PerfusionLaw);
  /// unset: the law's stimulus_gain.
  std::optional<Real> perfusion_gain;
  /// Throws InputError naming "<region>.<field>" and the bad value with its unit.
  void validate(std::string_view region) const;
};

/// Properties of arterial blood, shared by all regions.
struct BloodProperties {
  Real density = 1050.0;                        ///< blood density rho_b [kg/m^3]
  Real heat_capacity = 3617.0;                  ///< blood specific heat c_b [J/kg/K]
  Real arterial_temperature = 37.0 + kCelsius;  ///< arterial temperature T_a [K]
  /// Throws InputError naming "blood.<field>" and the bad value with its unit.
  void validate() const;
};

/// Converts a perfusion quoted as mL of blood per minute per kg of tissue (IT'IS convention)
/// into the volumetric rate w_b [1/s] used here: w_b = value * 1e-6 / 60 * tissue_density.
Real perfusion_from_ml_per_min_per_kg(Real ml_per_min_per_kg, Real tissue_density);

/// IT'IS-database defaults (calibration.md): skin (rho 1100, c 3391, k 0.37, 106 mL/min/kg).
ThermalProperties skin_thermal_properties();
/// IT'IS-database defaults: subcutaneous fat (rho 911, c 2348, k 0.21, 33 mL/min/kg).
ThermalProperties fat_thermal_properties();
/// IT'IS-database defaults: skeletal muscle (rho 1090, c 3421, k 0.49, 37 mL/min/kg, 0.91 W/kg).
ThermalProperties muscle_thermal_properties();

}  // namespace tissue
