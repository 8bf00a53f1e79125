// Hyperelastic laws of soft tissue, total Lagrangian, pointwise (no mesh inside).
//
// Conventions. C = F^T F, E = (C - I)/2, I1 = tr C, I3 = det C = J^2, I4 = f0 . C f0.
// S is the second Piola-Kirchhoff stress [Pa]. The tangent D holds the tensor components
// D(I,J) = dS_ij/dE_kl, I = (ij), J = (kl) in Voigt order (11, 22, 33, 12, 23, 13), with minor
// and major symmetry, so dS_voigt = D * dE_eng for engineering shear strains (2 dE_ij).
// Decoupled energy W = W_iso(Cbar) + U(J), Cbar = J^(-2/3) C (Holzapfel 2000, Nonlinear Solid
// Mechanics, sec. 6.4). Each law writes its energy once, templated on the scalar, as a function
// of (I1, I3, I4); S = 2 dW/dC and D = 4 d2W/dC2 follow by second-order dual numbers (dual2.hpp).
#pragma once

#include <cmath>
#include <string_view>
#include <variant>

#include "libtissue/core/types.hpp"
#include "libtissue/material/dual2.hpp"

namespace tissue {

/// Isochoric (or full) pointwise response: energy W [J/m^3], 2nd Piola-Kirchhoff S [Pa], dS/dE [Pa].
struct IsoResponse {
  Real energy;  ///< strain energy density [J/m^3]
  Mat3 S;       ///< second Piola-Kirchhoff stress [Pa], symmetric
  Mat6 D;       ///< tangent dS/dE in Voigt order (11,22,33,12,23,13) [Pa]
};

/// Isochoric neo-Hookean matrix: W_iso = mu/2 (I1bar - 3), I1bar = I3^(-1/3) I1 (Holzapfel 2000, eq. 6.147).
struct NeoHookean {
  Real mu = 0;  ///< small-strain shear modulus [Pa]

  /// W_iso [J/m^3] as a function of the invariants I1, I3 of C (I4 unused); S may be Real or Dual2.
  template <class S>
  S energy(const S& I1, const S& I3, const S& /*I4*/) const {
    using std::pow;
    return 0.5 * mu * (I1 * pow(I3, -1.0 / 3.0) - 3.0);
  }
  /// Isochoric response at right Cauchy-Green tensor C (det C > 0); f0 is unused. Without want_D the
  /// tangent D is left zero (residual evaluations).
  IsoResponse isochoric(const Mat3& C, const Vec3& f0, bool want_D = true) const;
  /// Throws InputError naming "<tissue>.mu" unless mu is positive and finite.
  void validate(std::string_view tissue) const;
};

/// Transversely isotropic muscle (HGO-type fibre term, tension only):
/// W_iso = mu/2 (I1bar - 3) + k1/(2 k2) (exp(k2 (I4bar - 1)^2) - 1) for I4bar > 1, else the matrix term only;
/// I4bar = I3^(-1/3) f0 . C f0 (Holzapfel, Gasser & Ogden 2000, J. Elasticity 61:1-48, eq. 2.13 with kappa =
/// 0).
struct MuscleTI {
  Real mu = 0;  ///< matrix shear modulus [Pa]
  Real k1 = 0;  ///< fibre stiffness [Pa]
  Real k2 = 0;  ///< fibre exponential nonlinearity [-]

  /// W_iso [J/m^3] as a function of the invariants I1, I3, I4 of C; S may be Real or Dual2.
  template <class S>
  S energy(const S& I1, const S& I3, const S& I4) const {
    using std::exp;
    using std::pow;
    const S s = pow(I3, -1.0 / 3.0);
    const S matrix = 0.5 * mu * (I1 * s - 3.0);
    const S I4bar = I4 * s;
    if (!(value(I4bar) > 1.0)) return matrix;  // fibres bear tension only
    const S d = I4bar - 1.0;
    return matrix + (0.5 * k1 / k2) * (exp(k2 * d * d) - 1.0);
  }
  /// Isochoric response at C (det C > 0) for the unit reference fibre direction f0. Without want_D the
  /// tangent D is left zero (residual evaluations).
  IsoResponse isochoric(const Mat3& C, const Vec3& f0, bool want_D = true) const;
  /// Throws InputError naming "<tissue>.mu", "<tissue>.k1" (>= 0) or "<tissue>.k2" (> 0).
  void validate(std::string_view tissue) const;
};

/// Volumetric energy U = kappa/2 (ln J)^2 (Simo & Taylor 1991; Holzapfel 2000, eq. 6.138 family).
struct VolumetricLogJ {
  Real kappa = 0;  ///< small-strain bulk modulus [Pa]

  /// U(J) [J/m^3] templated on the scalar (single source of the volumetric energy).
  template <class S>
  S energy(const S& J) const {
    using std::log;
    const S l = log(J);
    return 0.5 * kappa * l * l;
  }
  /// U(J) = kappa/2 (ln J)^2 [J/m^3].
  Real U(Real J) const { return energy(J); }
  /// U'(J) = kappa ln J / J [Pa]; the volumetric Cauchy stress is U'(J) I.
  Real dU(Real J) const { return kappa * std::log(J) / J; }
  /// U''(J) = kappa (1 - ln J) / J^2 [Pa].
  Real d2U(Real J) const { return kappa * (1.0 - std::log(J)) / (J * J); }
  /// Throws InputError naming "<tissue>.kappa" unless kappa is positive and finite.
  void validate(std::string_view tissue) const;
};

/// The isochoric laws a region may use; dispatch once per element batch with std::visit.
using IsochoricLaw = std::variant<NeoHookean, MuscleTI>;

/// A complete decoupled hyperelastic law W = W_iso(Cbar) + U(J).
struct HyperelasticLaw {
  IsochoricLaw iso;    ///< isochoric part
  VolumetricLogJ vol;  ///< volumetric part
  /// Validates both parts; fields are "<tissue>.mu", "<tissue>.k1", "<tissue>.k2", "<tissue>.kappa".
  void validate(std::string_view tissue) const;
};

/// Pointwise volumetric response: energy U [J/m^3], S_vol [Pa], dS_vol/dE [Pa] (same conventions).
struct VolResponse {
  Real energy;  ///< U(J) [J/m^3]
  Mat3 S;       ///< S_vol = J U'(J) C^-1 [Pa]
  Mat6 D;       ///< (J U' + J^2 U'') C^-1 (x) C^-1 - 2 J U' C^-1 (.) C^-1 [Pa] (Holzapfel 2000, eq. 6.168)
};

/// Volumetric response S_vol = J U'(J) C^{-1} and its tangent at C (det C > 0).
VolResponse volumetric_response(const VolumetricLogJ& vol, const Mat3& C);

/// Full pointwise response S = S_iso + S_vol and D = D_iso + D_vol (tet4 / displacement-only elements).
IsoResponse total_response(const HyperelasticLaw& law, const Mat3& C, const Vec3& f0);

/// Compressible neo-Hookean (FEBio "neo-Hookean", used by the peer benchmark):
/// W = mu/2 (I1 - 3) - mu ln J + lambda/2 (ln J)^2 (FEBio User Manual 2.x, sec. 4.1.3.16; Bonet & Wood
/// eq. 6.27).
struct CompressibleNeoHookean {
  Real mu = 0;      ///< Lame shear modulus [Pa]
  Real lambda = 0;  ///< Lame first parameter [Pa]

  /// W [J/m^3] as a function of I1 and I3 = J^2; S may be Real or Dual2.
  template <class S>
  S energy(const S& I1, const S& I3) const {
    using std::log;
    const S lnJ = 0.5 * log(I3);
    return 0.5 * mu * (I1 - 3.0) - mu * lnJ + 0.5 * lambda * lnJ * lnJ;
  }
  /// Full response W, S, dS/dE at C (det C > 0).
  IsoResponse response(const Mat3& C) const;
  /// Lame parameters from Young's modulus E [Pa] and Poisson ratio nu [-]: mu = E/(2(1+nu)),
  /// lambda = E nu / ((1+nu)(1-2nu)).
  static CompressibleNeoHookean from_E_nu(Real E, Real nu);
  /// Throws InputError naming "<tissue>.mu" (> 0) or "<tissue>.lambda" (bulk lambda + 2mu/3 > 0).
  void validate(std::string_view tissue) const;
};

}  // namespace tissue
