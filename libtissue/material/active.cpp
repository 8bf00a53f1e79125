#include "libtissue/material/active.hpp"

#include <cmath>
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

// 4-point Gauss-Legendre nodes and weights on [-1, 1] (positive half; Abramowitz & Stegun 25.4.30).
constexpr Real kGLx[2] = {0.3399810435848563, 0.8611363115940526};
constexpr Real kGLw[2] = {0.6521451548625461, 0.3478548451374538};

}  // namespace

Real ActiveFibre::force_length(Real lambda) const {
  const Real z = (lambda - lambda_opt) / width;
  return std::exp(-z * z);
}

/// W = s int_1^lambda f(t)/t dt by Gauss-Legendre on [1, lambda], s = tone sigma_max.
Real ActiveFibre::stretch_energy(Real lambda, Real s) const {
  const Real half = 0.5 * (lambda - 1.0), mid = 0.5 * (lambda + 1.0);
  Real integral = 0;
  for (int k = 0; k < 2; ++k)
    for (const Real sign : {-1.0, 1.0}) {
      const Real t = mid + sign * half * kGLx[k];
      integral += kGLw[k] * force_length(t) / t;
    }
  return s * half * integral;
}

Real ActiveFibre::energy(const Mat3& C, const Vec3& f0, Real tone) const {
  return stretch_energy(std::sqrt(f0.dot(C * f0)), tone * sigma_max);
}

IsoResponse ActiveFibre::response(const Mat3& C, const Vec3& f0, Real tone, bool want_D) const {
  const Real lambda = std::sqrt(f0.dot(C * f0));
  const Real f = force_length(lambda);
  const Real df = -2.0 * (lambda - lambda_opt) / (width * width) * f;
  const Real s = tone * sigma_max;
  const Real l2 = lambda * lambda;
  const Real phi = s * f / l2;                                                // S = phi M
  const Real dphi_over_l = s * (df / l2 - 2.0 * f / (l2 * lambda)) / lambda;  // D = (phi'/lambda) M (x) M
  Voigt6 m;
  for (int K = 0; K < 6; ++K) m[K] = f0[kVoigtI[K]] * f0[kVoigtJ[K]];
  IsoResponse r;
  r.energy = stretch_energy(lambda, s);
  r.S = from_voigt(phi * m);
  if (want_D)
    r.D = dphi_over_l * (m * m.transpose());
  else
    r.D.setZero();
  return r;
}

void ActiveFibre::validate(std::string_view tissue) const {
  const std::string f = std::string(tissue) + ".active.";
  if (!(sigma_max >= 0.0) || !std::isfinite(sigma_max))
    throw InputError(f + "sigma_max", "must be zero or positive, got " + fmt(sigma_max) + " Pa");
  if (!(lambda_opt > 0.0) || !std::isfinite(lambda_opt))
    throw InputError(f + "lambda_opt", "must be positive, got " + fmt(lambda_opt));
  if (!(width > 0.0) || !std::isfinite(width))
    throw InputError(f + "width", "must be positive, got " + fmt(width));
}

}  // namespace tissue
