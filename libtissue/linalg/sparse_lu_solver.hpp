// Sparse LU factorisation for non-symmetric or indefinite systems (UMFPACK, else Eigen SparseLU).
#pragma once

#include <memory>
#include <string>

#include "libtissue/linalg/linear_solver.hpp"

namespace tissue {

/// Sparse LU with partial pivoting of a general square matrix: UMFPACK when libtissue has
/// SuiteSparse, Eigen::SparseLU (COLAMD ordering) otherwise. Keeps a reference to the matrix given
/// to factorize() (UMFPACK refines the solution with it). Davis (2004), ACM TOMS 30(2):196–199.
class SparseLUSolver final : public LinearSolver {
 public:
  /// Creates an empty solver.
  SparseLUSolver();
  /// Frees the factors.
  ~SparseLUSolver() override;
  SparseLUSolver(const SparseLUSolver&) = delete;
  SparseLUSolver& operator=(const SparseLUSolver&) = delete;

  /// "umfpack-lu" or "eigen-lu".
  std::string name() const override;

 protected:
  /// Column ordering and symbolic factorisation.
  void do_analyze(const SparseMatrix& A) override;
  /// Numeric LU; throws NumericalError when A is singular.
  void do_factorize(const SparseMatrix& A) override;
  /// Triangular solves.
  void do_solve(const VectorX& b, VectorX& x) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tissue
