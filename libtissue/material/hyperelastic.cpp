#include "libtissue/material/hyperelastic.hpp"

#include <sstream>
#include <string>

#include "libtissue/core/error.hpp"

namespace tissue {
namespace {

/// Voigt matrix of a_outer C^-1 (x) C^-1 + b_odot C^-1 (.) C^-1, i.e. entries (I=(ij), J=(kl))
/// a_outer Ci_ij Ci_kl + b_odot (Ci_ik Ci_jl + Ci_il Ci_jk)/2 (Holzapfel 2000, eq. 6.166).
inline Mat6 cinv_products(const Mat3& Ci, Real a_outer, Real b_odot) {
  Mat6 D;
  for (int I = 0; I < 6; ++I) {
    const int i = kVoigtI[I], j = kVoigtJ[I];
    for (int J = I; J < 6; ++J) {
      const int k = kVoigtI[J], l = kVoigtJ[J];
      const Real v =
          a_outer * Ci(i, j) * Ci(k, l) + b_odot * 0.5 * (Ci(i, k) * Ci(j, l) + Ci(i, l) * Ci(j, k));
      D(I, J) = v;
      D(J, I) = v;
    }
  }
  return D;
}

/// Inverse of a symmetric 3x3 tensor from its cofactors; returns det C.
inline Real inverse_sym(const Mat3& C, Mat3& Ci) {
  Ci(0, 0) = C(1, 1) * C(2, 2) - C(1, 2) * C(1, 2);
  Ci(1, 1) = C(0, 0) * C(2, 2) - C(0, 2) * C(0, 2);
  Ci(2, 2) = C(0, 0) * C(1, 1) - C(0, 1) * C(0, 1);
  Ci(0, 1) = Ci(1, 0) = C(0, 2) * C(1, 2) - C(0, 1) * C(2, 2);
  Ci(1, 2) = Ci(2, 1) = C(0, 2) * C(0, 1) - C(0, 0) * C(1, 2);
  Ci(0, 2) = Ci(2, 0) = C(0, 1) * C(1, 2) - C(0, 2) * C(1, 1);
  const Real det = C(0, 0) * Ci(0, 0) + C(0, 1) * Ci(0, 1) + C(0, 2) * Ci(0, 2);
  Ci /= det;
  return det;
}

/// Response of an energy W(I1, I3[, I4]) written as a template: S = 2 sum_a W_a dIa/dC,
/// D = 4 (sum_ab W_ab dIa/dC (x) dIb/dC + W_3 d2I3/dC2), with dI1/dC = I, dI3/dC = I3 C^-1,
/// dI4/dC = f0 (x) f0, d2I3/dC2 = I3 (C^-1 (x) C^-1 - C^-1 (.) C^-1) (Holzapfel 2000, sec. 6.2).
template <int N, class Energy>
IsoResponse respond(const Energy& energy, const Mat3& C, const Vec3& f0, bool want_D) {
  static_assert(N == 2 || N == 3, "invariants (I1, I3) or (I1, I3, I4)");
  using D2 = Dual2<N>;
  const Real I1 = C.trace();
  Mat3 Ci;
  const Real I3 = inverse_sym(C, Ci);

  D2 W;
  if constexpr (N == 3) {
    const Real I4 = f0.dot(C * f0);
    W = energy(D2::variable(I1, 0), D2::variable(I3, 1), D2::variable(I4, 2));
  } else {
    W = energy(D2::variable(I1, 0), D2::variable(I3, 1));
  }

  // Voigt (tensor components) of dIa/dC: a[0] = I, a[1] = I3 C^-1, a[2] = f0 (x) f0.
  Real a[N][6];
  for (int K = 0; K < 6; ++K) {
    a[0][K] = K < 3 ? 1.0 : 0.0;
    a[1][K] = I3 * Ci(kVoigtI[K], kVoigtJ[K]);
    if constexpr (N == 3) a[2][K] = f0[kVoigtI[K]] * f0[kVoigtJ[K]];
  }
  // p[a] = 4 sum_b W_ab a[b], so that the invariant part of D is sum_a a[a] (x) p[a] (symmetric).
  Real p[N][6];
  for (int i = 0; i < N; ++i)
    for (int K = 0; K < 6; ++K) {
      Real v = 0;
      for (int j = 0; j < N; ++j) v += W.hess(i, j) * a[j][K];
      p[i][K] = 4.0 * v;
    }

  IsoResponse r;
  r.energy = W.v;
  for (int K = 0; K < 6; ++K) {
    Real v = 0;
    for (int i = 0; i < N; ++i) v += 2.0 * W.g[i] * a[i][K];
    r.S(kVoigtI[K], kVoigtJ[K]) = r.S(kVoigtJ[K], kVoigtI[K]) = v;
  }
  if (!want_D) {  // stress and energy only (residual evaluations)
    r.D.setZero();
    return r;
  }
  const Real w3 = 4.0 * W.g[1] * I3;  // 4 W_3 d2I3/dC2 = w3 (C^-1 (x) C^-1 - C^-1 (.) C^-1)
  for (int I = 0; I < 6; ++I) {
    const int i = kVoigtI[I], j = kVoigtJ[I];
    for (int J = I; J < 6; ++J) {
      const int k = kVoigtI[J], l = kVoigtJ[J];
      Real v = w3 * (Ci(i, j) * Ci(k, l) - 0.5 * (Ci(i, k) * Ci(j, l) + Ci(i, l) * Ci(j, k)));
      for (int n = 0; n < N; ++n) v += a[n][I] * p[n][J];
      r.D(I, J) = r.D(J, I) = v;
    }
  }
  return r;
}

std::string fmt(Real v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

void require_positive(Real v, std::string_view tissue, const char* name, const char* unit) {
  if (!(v > 0.0) || !std::isfinite(v))
    throw InputError(std::string(tissue) + "." + name, "must be positive, got " + fmt(v) + unit);
}

}  // namespace

IsoResponse NeoHookean::isochoric(const Mat3& C, const Vec3& f0, bool want_D) const {
  return respond<2>([this](const auto& I1, const auto& I3) { return energy(I1, I3, I3); }, C, f0, want_D);
}

void NeoHookean::validate(std::string_view tissue) const {
  require_positive(mu, tissue, "mu", " Pa");
}

IsoResponse MuscleTI::isochoric(const Mat3& C, const Vec3& f0, bool want_D) const {
  return respond<3>([this](const auto& I1, const auto& I3, const auto& I4) { return energy(I1, I3, I4); }, C,
                    f0, want_D);
}

void MuscleTI::validate(std::string_view tissue) const {
  require_positive(mu, tissue, "mu", " Pa");
  if (!(k1 >= 0.0) || !std::isfinite(k1))
    throw InputError(std::string(tissue) + ".k1", "must be zero or positive, got " + fmt(k1) + " Pa");
  require_positive(k2, tissue, "k2", "");
}

void VolumetricLogJ::validate(std::string_view tissue) const {
  require_positive(kappa, tissue, "kappa", " Pa");
}

void HyperelasticLaw::validate(std::string_view tissue) const {
  std::visit([&](const auto& law) { law.validate(tissue); }, iso);
  vol.validate(tissue);
}

VolResponse volumetric_response(const VolumetricLogJ& vol, const Mat3& C) {
  Mat3 Ci;
  const Real J = std::sqrt(inverse_sym(C, Ci));
  const Real p = vol.dU(J);                  // U'
  const Real Jp = J * p;                     // J U'
  const Real Jpt = Jp + J * J * vol.d2U(J);  // J (U' + J U'')
  VolResponse r;
  r.energy = vol.U(J);
  r.S = Jp * Ci;
  r.D = cinv_products(Ci, Jpt, -2.0 * Jp);
  return r;
}

IsoResponse total_response(const HyperelasticLaw& law, const Mat3& C, const Vec3& f0) {
  IsoResponse r = std::visit([&](const auto& iso) { return iso.isochoric(C, f0); }, law.iso);
  const VolResponse v = volumetric_response(law.vol, C);
  r.energy += v.energy;
  r.S += v.S;
  r.D += v.D;
  return r;
}

IsoResponse CompressibleNeoHookean::response(const Mat3& C) const {
  return respond<2>([this](const auto& I1, const auto& I3) { return energy(I1, I3); }, C, Vec3::Zero(), true);
}

CompressibleNeoHookean CompressibleNeoHookean::from_E_nu(Real E, Real nu) {
  return {E / (2.0 * (1.0 + nu)), E * nu / ((1.0 + nu) * (1.0 - 2.0 * nu))};
}

void CompressibleNeoHookean::validate(std::string_view tissue) const {
  require_positive(mu, tissue, "mu", " Pa");
  const Real bulk = lambda + 2.0 * mu / 3.0;
  if (!(bulk > 0.0) || !std::isfinite(lambda))
    throw InputError(
        std::string(tissue) + ".lambda",
        "must give a positive bulk modulus lambda + 2 mu/3, got lambda = " + fmt(lambda) + " Pa");
}

}  // namespace tissue
