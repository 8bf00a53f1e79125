// Preconditioned conjugate gradient for large symmetric positive definite systems.
#pragma once

#include <memory>
#include <string>

#include "libtissue/linalg/linear_solver.hpp"
#include "libtissue/linalg/linear_solver_options.hpp"

namespace tissue {

/// Options of CGSolver.
struct CGOptions {
  Real tolerance = 1e-10;     ///< relative residual |Ax - b|/|b| to reach
  int max_iterations = 5000;  ///< iteration limit per solve
  CGPreconditioner preconditioner = CGPreconditioner::incomplete_cholesky;  ///< preconditioner
};

/// Eigen::ConjugateGradient on the full symmetric matrix (Lower|Upper, so Eigen's OpenMP
/// matrix-vector product is used) with an incomplete Cholesky or Jacobi preconditioner built in
/// factorize(). Keeps a reference to the matrix given to factorize(). Each solve starts from
/// x = 0 and throws NumericalError naming the residual reached if it does not converge.
/// Saad (2003), Iterative Methods for Sparse Linear Systems, alg. 9.1.
class CGSolver final : public LinearSolver {
 public:
  /// Creates the solver; throws InputError naming an invalid option.
  explicit CGSolver(CGOptions options = {});
  /// Frees the preconditioner.
  ~CGSolver() override;
  CGSolver(const CGSolver&) = delete;
  CGSolver& operator=(const CGSolver&) = delete;

  /// "cg+ic" or "cg+jacobi".
  std::string name() const override;
  /// The options given at construction.
  const CGOptions& options() const noexcept { return options_; }

 protected:
  /// Preconditioner pattern analysis (ordering for incomplete Cholesky).
  void do_analyze(const SparseMatrix& A) override;
  /// Builds the preconditioner for A.
  void do_factorize(const SparseMatrix& A) override;
  /// Runs CG from x = 0.
  void do_solve(const VectorX& b, VectorX& x) override;

 private:
  struct Impl;
  CGOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tissue
