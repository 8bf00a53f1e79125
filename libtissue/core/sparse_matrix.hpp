// The one sparse-matrix type of libtissue, shared by assembly (fem/) and the solvers (linalg/).
#pragma once

#include <Eigen/SparseCore>

#include "libtissue/core/types.hpp"

namespace tissue {

/// Sparse matrix in compressed-column storage with 32-bit indices. Symmetric matrices (stiffness,
/// tangent) store both triangles. FE assembly writes into valuePtr() of a fixed pattern, so a
/// solver sees the same pattern on every call and reuses its symbolic analysis.
using SparseMatrix = Eigen::SparseMatrix<Real, Eigen::ColMajor, int>;

}  // namespace tissue
