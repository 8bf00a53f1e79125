// Simplicial sparse L D L^T factorisation with Eigen: the pure-Eigen direct solver.
#pragma once

#include <memory>
#include <string>

#include "libtissue/linalg/linear_solver.hpp"

namespace tissue {

/// Eigen::SimplicialLDLT with AMD ordering on the lower triangle of a symmetric matrix.
/// Works without SuiteSparse; handles mildly indefinite matrices unless require_positive_definite
/// is set, in which case a non-positive pivot throws NotPositiveDefiniteError.
class EigenLDLTSolver final : public LinearSolver {
 public:
  /// require_positive_definite: reject matrices with a pivot D_ii <= 0 (acts as a Cholesky).
  explicit EigenLDLTSolver(bool require_positive_definite = false);
  /// Frees the factor.
  ~EigenLDLTSolver() override;
  EigenLDLTSolver(const EigenLDLTSolver&) = delete;
  EigenLDLTSolver& operator=(const EigenLDLTSolver&) = delete;

  /// "ldlt".
  std::string name() const override { return "ldlt"; }

 protected:
  /// AMD ordering and elimination tree.
  void do_analyze(const SparseMatrix& A) override;
  /// Numeric L D L^T; throws NumericalError on a zero pivot.
  void do_factorize(const SparseMatrix& A) override;
  /// Triangular solves.
  void do_solve(const VectorX& b, VectorX& x) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool require_positive_definite_;
};

}  // namespace tissue
