// Active fibre stress (muscle tone), pointwise.
#pragma once

#include <string_view>

#include "libtissue/core/types.hpp"
#include "libtissue/material/hyperelastic.hpp"

namespace tissue {

/// Active fibre stress of muscle at tone level a in [0, 1], from the potential
/// W_act = a sigma_max int_1^lambda f(s)/s ds, lambda = sqrt(I4), I4 = f0 . C f0 (full, not isochoric):
///   S_act = a sigma_max f(lambda)/lambda^2 f0 (x) f0,  D_act = a sigma_max (f'/lambda^3 - 2 f/lambda^4) M
///   (x) M,
/// M = f0 (x) f0, with the Gaussian force-length curve f = exp(-((lambda - lambda_opt)/width)^2)
/// (phenomenological, cf. Blemker, Pinsky & Delp 2005, J Biomech 38:657, for a fibre stress a sigma_max f).
/// The fibre Cauchy stress is a sigma_max f(lambda)/J, so sigma_max is the Cauchy fibre stress at full tone
/// and optimal length [Pa]. Tone a is given, not differentiated (the tangent is at fixed a).
struct ActiveFibre {
  Real sigma_max = 0;   ///< fibre stress at a = 1, lambda = lambda_opt [Pa]
  Real lambda_opt = 1;  ///< optimal fibre stretch [-]
  Real width = 0.4;     ///< width of the force-length curve [-]

  /// Force-length curve f(lambda) = exp(-((lambda - lambda_opt)/width)^2) [-].
  Real force_length(Real lambda) const;
  /// W_act, S_act, D_act at C for the unit reference fibre f0 and tone a in [0, 1] (allocation-free);
  /// the energy integral uses 4-point Gauss-Legendre quadrature (relative error against 20 points, fibre
  /// stretches 0.7-1.3: 5e-8 at width 0.4, 8e-7 at 0.3; the stress is exact, the energy serves the line
  /// search). Without want_D the tangent is left zero (residual evaluations).
  IsoResponse response(const Mat3& C, const Vec3& f0, Real tone, bool want_D = true) const;
  /// W_act alone (the energy of response(), without stress and tangent) [J/m^3].
  Real energy(const Mat3& C, const Vec3& f0, Real tone) const;
  /// Throws InputError "<tissue>.active.sigma_max" (>= 0), ".lambda_opt" (> 0), ".width" (> 0).
  void validate(std::string_view tissue) const;

 private:
  Real stretch_energy(Real lambda, Real s) const;  // W at fibre stretch lambda, s = tone sigma_max
};

}  // namespace tissue
