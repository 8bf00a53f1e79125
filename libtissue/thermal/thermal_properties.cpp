#include "libtissue/thermal/thermal_properties.hpp"

#include <cmath>
#include <sstream>
#include <string>

#include "libtissue/core/error.hpp"

namespace tissue {
namespace {
std::string fmt(Real v) {
  std::ostringstream s;
  s << v;
  return s.str();
}
void positive(Real v, std::string_view owner, const char* field, const char* unit) {
  if (!(v > 0) || !std::isfinite(v))
    throw InputError(std::string(owner) + "." + field, "must be positive, got " + fmt(v) + " " + unit);
}
void non_negative(Real v, std::string_view owner, const char* field, const char* unit) {
  if (!(v >= 0) || !std::isfinite(v))
    throw InputError(std::string(owner) + "." + field, "must be non-negative, got " + fmt(v) + " " + unit);
}
}  // namespace

void ThermalProperties::validate(std::string_view region) const {
  positive(density, region, "density", "kg/m^3");
  positive(heat_capacity, region, "heat_capacity", "J/kg/K");
  positive(conductivity, region, "conductivity", "W/m/K");
  non_negative(perfusion, region, "perfusion", "1/s");
  if (perfusion_gain) non_negative(*perfusion_gain, region, "perfusion_gain", "");
  if (!std::isfinite(metabolic_heat))
    throw InputError(std::string(region) + ".metabolic_heat",
                     "must be finite, got " + fmt(metabolic_heat) + " W/m^3");
}

void BloodProperties::validate() const {
  positive(density, "blood", "density", "kg/m^3");
  positive(heat_capacity, "blood", "heat_capacity", "J/kg/K");
  positive(arterial_temperature, "blood", "arterial_temperature", "K");
}

Real perfusion_from_ml_per_min_per_kg(Real ml_per_min_per_kg, Real tissue_density) {
  return ml_per_min_per_kg * 1e-6 / 60.0 * tissue_density;
}

ThermalProperties skin_thermal_properties() {
  return {1100.0, 3391.0, 0.37, perfusion_from_ml_per_min_per_kg(106.0, 1100.0), 0.0, std::nullopt};
}

ThermalProperties fat_thermal_properties() {
  return {911.0, 2348.0, 0.21, perfusion_from_ml_per_min_per_kg(33.0, 911.0), 0.0, std::nullopt};
}

ThermalProperties muscle_thermal_properties() {
  return {1090.0, 3421.0, 0.49, perfusion_from_ml_per_min_per_kg(37.0, 1090.0), 0.91 * 1090.0, std::nullopt};
}

}  // namespace tissue
