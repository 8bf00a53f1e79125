// The sparse matrix type of libtissue: compressed columns, int indices, full symmetric storage.
#pragma once

#include <Eigen/SparseCore>

#include "libtissue/core/types.hpp"

namespace tissue {

/// Sparse matrix in compressed-column storage with 32-bit indices. Symmetric matrices (stiffness,
/// tangent) store both triangles. FE assembly writes into valuePtr() of a fixed pattern, so a
/// solver sees the same pattern on every call and reuses its symbolic analysis.
using SparseMatrix = Eigen::SparseMatrix<Real, Eigen::ColMajor, int>;

/// Relative residual |A x - b| / |b| (|A x - b| when b = 0), used to check solves.
inline Real relative_residual(const SparseMatrix& A, const VectorX& x, const VectorX& b) {
  const Real r = (A * x - b).norm();
  const Real nb = b.norm();
  return nb > 0 ? r / nb : r;
}

}  // namespace tissue
