// Temperature dependence of the mechanical laws and the Pennes bioheat properties of a tissue.
//
// Thermorheologically simple tissue with a vertical shift: the isochoric (viscoelastic) stress at temperature
// T is m(T) times the reference-temperature response evaluated on the reduced time, whose relaxation times
// are tau_i(T) = a_T(T) tau_i(T_ref) (Ferry 1980, Viscoelastic Properties of Polymers, ch. 11).
#pragma once

#include <string_view>

#include "libtissue/core/types.hpp"

namespace tissue {

/// Universal gas constant [J/(mol K)] (CODATA 2018).
inline constexpr Real kGasConstant = 8.314462618;

/// Form of the relaxation-time shift factor a_T(T).
enum class ShiftModel {
  arrhenius,  ///< a_T = exp(Ea/R (1/T - 1/T_ref))
  wlf  ///< log10 a_T = -C1 (T - T_ref) / (C2 + T - T_ref) (Williams, Landel & Ferry 1955, JACS 77:3701)
};

/// Temperature shift of relaxation times and moduli of one tissue; all temperatures in K.
struct ThermalShift {
  Real T_ref = kCelsius + 37.0;              ///< reference temperature of the mechanical data [K]
  ShiftModel model = ShiftModel::arrhenius;  ///< form of a_T
  Real activation_energy = 0;                ///< Arrhenius activation energy Ea [J/mol]
  Real C1 = 0;                               ///< WLF constant C1 [-]
  Real C2 = 0;                               ///< WLF constant C2 [K]
  Real modulus_coefficient = 0;  ///< beta [1/K]: m(T) = exp(-beta (T - T_ref)); > 0 softens on heating
  Real T_min = kCelsius + 15.0;  ///< lowest temperature the data are valid for [K]
  Real T_max = kCelsius + 55.0;  ///< highest temperature the data are valid for [K]

  /// Relaxation-time shift factor a_T(T) [-] (a_T(T_ref) = 1; < 1 when warmer for Ea > 0 or C1 > 0).
  Real a_T(Real T) const;
  /// Modulus factor m(T) = mu(T)/mu(T_ref) = exp(-modulus_coefficient (T - T_ref)) [-].
  Real modulus_factor(Real T) const;
  /// Throws InputError "<tissue>.thermal.<field>" for T_ref outside [T_min, T_max], T_min >= T_max, Ea < 0,
  /// C2 + T_min - T_ref <= 0 (WLF pole inside the range) or non-finite values.
  void validate(std::string_view tissue) const;
  /// Throws InputError "<tissue>.temperature" naming T in degC when T is outside [T_min, T_max] or not
  /// finite.
  void check_range(Real T, std::string_view tissue) const;
};

}  // namespace tissue
