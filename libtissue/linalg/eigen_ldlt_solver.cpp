#include "libtissue/linalg/eigen_ldlt_solver.hpp"

#include <Eigen/SparseCholesky>

namespace tissue {

struct EigenLDLTSolver::Impl {
  Eigen::SimplicialLDLT<SparseMatrix, Eigen::Lower, Eigen::AMDOrdering<int>> ldlt;
};

EigenLDLTSolver::EigenLDLTSolver(bool require_positive_definite)
    : impl_(std::make_unique<Impl>()), require_positive_definite_(require_positive_definite) {}

EigenLDLTSolver::~EigenLDLTSolver() = default;

void EigenLDLTSolver::do_analyze(const SparseMatrix& A) {
  impl_->ldlt.analyzePattern(A);
}

void EigenLDLTSolver::do_factorize(const SparseMatrix& A) {
  auto& ldlt = impl_->ldlt;
  ldlt.factorize(A);
  if (ldlt.info() != Eigen::Success)
    throw NumericalError("LDLT: zero pivot, the " + std::to_string(A.rows()) +
                         "-equation matrix is singular");
  const VectorX d = ldlt.vectorD();
  if (!d.allFinite()) throw NumericalError("LDLT: factor contains NaN or Inf");
  if (require_positive_definite_) {
    Index k = 0;
    const Real dmin = d.minCoeff(&k);
    if (dmin <= 0)
      throw NotPositiveDefiniteError("LDLT: matrix is not positive definite (pivot " + std::to_string(k) +
                                     " is " + std::to_string(dmin) + ")");
  }
  mutable_stats().factor_nonzeros = static_cast<std::int64_t>(ldlt.matrixL().nestedExpression().nonZeros());
}

void EigenLDLTSolver::do_solve(const VectorX& b, VectorX& x) {
  x = impl_->ldlt.solve(b);
  if (impl_->ldlt.info() != Eigen::Success) throw NumericalError("LDLT solve failed");
}

}  // namespace tissue
