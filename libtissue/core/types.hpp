// Basic numeric types shared by every module of libtissue. SI units throughout.
#pragma once

#include <Eigen/Dense>
#include <cstdint>

namespace tissue {

/// Floating-point type of all physical quantities.
using Real = double;
/// Index of nodes, cells, degrees of freedom (32 bit: meshes up to 2^31 entities).
using Index = std::int32_t;

/// A point or vector in 3D [m, or the quantity's unit].
using Vec3 = Eigen::Matrix<Real, 3, 1>;
/// A 3x3 tensor (deformation gradient, stress) in a Cartesian basis.
using Mat3 = Eigen::Matrix<Real, 3, 3>;
/// A symmetric tensor in Voigt order (11, 22, 33, 12, 23, 13); strain-like entries are NOT doubled.
using Voigt6 = Eigen::Matrix<Real, 6, 1>;
/// A 6x6 matrix acting on Voigt vectors (material tangent dS/dE with minor symmetries).
using Mat6 = Eigen::Matrix<Real, 6, 6>;
/// Dynamic-size dense vector.
using VectorX = Eigen::Matrix<Real, Eigen::Dynamic, 1>;
/// Row-major dynamic matrix of reals (e.g. #nodes x 3 coordinates).
using MatrixX3 = Eigen::Matrix<Real, Eigen::Dynamic, 3, Eigen::RowMajor>;

/// Voigt index pairs (i, j) for positions 0..5 in the order 11, 22, 33, 12, 23, 13.
inline constexpr int kVoigtI[6] = {0, 1, 2, 0, 1, 0};
/// Second index of the Voigt pairs (see kVoigtI).
inline constexpr int kVoigtJ[6] = {0, 1, 2, 1, 2, 2};

/// Converts a symmetric 3x3 tensor into its Voigt vector (no factor 2 on shear terms).
inline Voigt6 to_voigt(const Mat3& A) {
  Voigt6 v;
  for (int k = 0; k < 6; ++k) v[k] = A(kVoigtI[k], kVoigtJ[k]);
  return v;
}

/// Converts a Voigt vector back into a symmetric 3x3 tensor.
inline Mat3 from_voigt(const Voigt6& v) {
  Mat3 A;
  for (int k = 0; k < 6; ++k) A(kVoigtI[k], kVoigtJ[k]) = A(kVoigtJ[k], kVoigtI[k]) = v[k];
  return A;
}

/// Celsius offset: T[K] = T[degC] + kCelsius.
inline constexpr Real kCelsius = 273.15;

}  // namespace tissue
