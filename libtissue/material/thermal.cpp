#include "libtissue/material/thermal.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>

#include "libtissue/core/error.hpp"

namespace tissue {
namespace {

std::string fmt(Real v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

/// Temperature [K] written in degC with one decimal, e.g. "60.0 degC".
std::string celsius(Real T) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f degC", T - kCelsius);
  return buf;
}

void require_finite(Real v, const std::string& field) {
  if (!std::isfinite(v)) throw InputError(field, "must be finite, got " + fmt(v));
}

void require_positive(Real v, const std::string& field, const char* unit) {
  if (!(v > 0.0) || !std::isfinite(v)) throw InputError(field, "must be positive, got " + fmt(v) + unit);
}

void require_nonnegative(Real v, const std::string& field, const char* unit) {
  if (!(v >= 0.0) || !std::isfinite(v))
    throw InputError(field, "must be zero or positive, got " + fmt(v) + unit);
}

}  // namespace

Real ThermalShift::a_T(Real T) const {
  if (model == ShiftModel::arrhenius)
    return std::exp(activation_energy / kGasConstant * (1.0 / T - 1.0 / T_ref));
  const Real d = T - T_ref;
  return std::pow(10.0, -C1 * d / (C2 + d));
}

Real ThermalShift::modulus_factor(Real T) const {
  return std::exp(-modulus_coefficient * (T - T_ref));
}

void ThermalShift::validate(std::string_view tissue) const {
  const std::string f = std::string(tissue) + ".thermal.";
  require_positive(T_min, f + "T_min", " K");
  require_positive(T_max, f + "T_max", " K");
  if (!(T_min < T_max))
    throw InputError(f + "T_max", "must exceed T_min (" + celsius(T_min) + "), got " + celsius(T_max));
  require_positive(T_ref, f + "T_ref", " K");
  if (T_ref < T_min || T_ref > T_max)
    throw InputError(f + "T_ref",
                     "must lie in [" + celsius(T_min) + ", " + celsius(T_max) + "], got " + celsius(T_ref));
  require_finite(modulus_coefficient, f + "modulus_coefficient");
  if (model == ShiftModel::arrhenius) {
    require_nonnegative(activation_energy, f + "activation_energy", " J/mol");
  } else {
    require_finite(C1, f + "C1");
    require_positive(C2, f + "C2", " K");
    if (!(C2 + T_min - T_ref > 0.0))
      throw InputError(f + "C2",
                       "C2 + T_min - T_ref must be positive (WLF pole inside the valid range), got " +
                           fmt(C2 + T_min - T_ref) + " K");
  }
}

void ThermalShift::check_range(Real T, std::string_view tissue) const {
  if (!(T >= T_min && T <= T_max))
    throw InputError(std::string(tissue) + ".temperature",
                     "T = " + (std::isfinite(T) ? celsius(T) : fmt(T)) + " is outside the valid range [" +
                         celsius(T_min) + ", " + celsius(T_max) + "] of " + std::string(tissue) + "'s data");
}

}  // namespace tissue
