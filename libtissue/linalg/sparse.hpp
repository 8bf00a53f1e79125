// Sparse helpers of the solvers; the matrix type itself is core/sparse_matrix.hpp.
#pragma once

#include <Eigen/SparseCore>

#include "libtissue/core/sparse_matrix.hpp"
#include "libtissue/core/types.hpp"

namespace tissue {

/// Relative residual |A x - b| / |b| (|A x - b| when b = 0), used to check solves.
inline Real relative_residual(const SparseMatrix& A, const VectorX& x, const VectorX& b) {
  const Real r = (A * x - b).norm();
  const Real nb = b.norm();
  return nb > 0 ? r / nb : r;
}

}  // namespace tissue
