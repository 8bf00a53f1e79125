// Physical quantities with units at the library's edges: "30 N" -> 30.0 (SI) with a dimension check.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "libtissue/core/types.hpp"

namespace tissue::units {

/// Exponents of (kg, m, s, K) of a unit.
struct Dimension {
  std::array<int, 4> e{};  ///< exponents of kg, m, s, K
  /// Equality of all exponents.
  bool operator==(const Dimension&) const = default;
  /// Product of units (adds exponents).
  Dimension operator*(const Dimension& o) const;
  /// Quotient of units (subtracts exponents).
  Dimension operator/(const Dimension& o) const;
  /// Readable SI form, e.g. "kg m s^-2".
  std::string str() const;
};

/// Common dimensions.
inline constexpr Dimension dimensionless{{0, 0, 0, 0}};
inline constexpr Dimension length{{0, 1, 0, 0}};       ///< m
inline constexpr Dimension time{{0, 0, 1, 0}};         ///< s
inline constexpr Dimension mass{{1, 0, 0, 0}};         ///< kg
inline constexpr Dimension temperature{{0, 0, 0, 1}};  ///< K
inline constexpr Dimension force{{1, 1, -2, 0}};       ///< N
inline constexpr Dimension pressure{{1, -1, -2, 0}};   ///< Pa
inline constexpr Dimension velocity{{0, 1, -1, 0}};    ///< m/s
inline constexpr Dimension frequency{{0, 0, -1, 0}};   ///< Hz
inline constexpr Dimension energy{{1, 2, -2, 0}};      ///< J
inline constexpr Dimension power{{1, 2, -3, 0}};       ///< W
inline constexpr Dimension heat_flux{{1, 0, -3, 0}};   ///< W/m^2
inline constexpr Dimension density{{1, -3, 0, 0}};     ///< kg/m^3

/// A value in SI units with its dimension; `affine_celsius` marks a temperature given in degC.
struct Quantity {
  Real value = 0;  ///< SI value (degC converted to K)
  Dimension dim;   ///< dimension
};

/// Parses "<number> <unit>" (e.g. "30 N", "5 cm/s", "42 degC", "7 min", "2.5e3 Pa", "0.5" for
/// dimensionless). Units: SI base and derived units with prefixes (m c k M mu/u n), min, h, Hz, bpm,
/// degC, mmHg, and products/quotients with '*', '/', '^n'. Throws InputError(field, ...) naming the
/// unit on unknown units or malformed numbers.
Quantity parse(std::string_view text, std::string_view field = "value");

/// Parses and checks the dimension; the error names the field, the expected and the found unit.
Real parse_as(std::string_view text, const Dimension& expected, std::string_view field = "value");

/// Converts `value` given in `unit` (e.g. 3421, "J/(kg K)") to SI, checking the dimension.
Real convert(Real value, std::string_view unit, const Dimension& expected, std::string_view field = "value");

/// Name of a dimension for messages: "force (N)", "length (m)", or the SI form.
std::string describe(const Dimension& d);

}  // namespace tissue::units
