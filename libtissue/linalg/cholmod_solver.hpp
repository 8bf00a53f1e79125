// Supernodal sparse Cholesky factorisation with CHOLMOD (SuiteSparse) for SPD systems.
#pragma once

#include <memory>
#include <string>

#include "libtissue/linalg/linear_solver.hpp"

namespace tissue {

/// CHOLMOD supernodal Cholesky L L^T of a symmetric positive definite matrix stored with both
/// triangles (only the lower one is read). The fill-reducing ordering is chosen once in analyze(): AMD and
/// CHOLMOD's nested dissection (METIS on the graph's separators), whichever has the fewer factorisation
/// flops. A matrix that is not positive definite makes factorize() throw NotPositiveDefiniteError.
/// Constructing it in a build without CHOLMOD throws InputError. Davis & Hager (2009), ACM TOMS 35(4):27;
/// Chen et al. (2008), ACM TOMS 35(3):22.
class CholmodSolver final : public LinearSolver {
 public:
  /// Starts a CHOLMOD workspace; throws InputError when libtissue was built without CHOLMOD.
  CholmodSolver();
  /// Frees the factor and the CHOLMOD workspace.
  ~CholmodSolver() override;
  CholmodSolver(const CholmodSolver&) = delete;
  CholmodSolver& operator=(const CholmodSolver&) = delete;

  /// "cholmod".
  std::string name() const override { return "cholmod"; }
  /// Fill-reducing ordering chosen by the last analyze(): "amd", "metis", "nesdis", ... or "none".
  std::string ordering() const;

 protected:
  /// Chooses the ordering and the supernodal structure of L.
  void do_analyze(const SparseMatrix& A) override;
  /// Numeric supernodal factorisation.
  void do_factorize(const SparseMatrix& A) override;
  /// Forward and back substitution.
  void do_solve(const VectorX& b, VectorX& x) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tissue
