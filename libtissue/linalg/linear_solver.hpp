// Interface of the sparse linear solvers: symbolic analysis once per sparsity pattern, numeric
// factorisation (or preconditioner set-up) once per matrix, then any number of solves.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "libtissue/core/error.hpp"
#include "libtissue/core/types.hpp"
#include "libtissue/linalg/sparse.hpp"

namespace tissue {

/// Counters and wall-clock timings of a LinearSolver since construction or reset_stats().
struct LinearSolverStats {
  std::int64_t analyses = 0;          ///< symbolic analyses (once per pattern)
  std::int64_t factorizations = 0;    ///< numeric factorisations or preconditioner set-ups
  std::int64_t solves = 0;            ///< right-hand sides solved
  int last_iterations = 0;            ///< iterations of the last solve (0 for direct solvers)
  Real last_relative_residual = 0;    ///< |Ax - b|/|b| estimated by the last iterative solve (0 direct)
  double seconds_analyze = 0;         ///< wall time spent in analyze() [s]
  double seconds_factorize = 0;       ///< wall time spent in factorize() [s]
  double seconds_solve = 0;           ///< wall time spent in solve() [s]
  std::int64_t factor_nonzeros = -1;  ///< nonzeros of the factor or preconditioner, -1 if unknown
};

/// A Cholesky factorisation met a matrix that is not positive definite; callers may fall back to LU.
/// what() contains "not positive definite".
class NotPositiveDefiniteError : public NumericalError {
 public:
  /// Creates the error; the message should say where the factorisation broke down.
  explicit NotPositiveDefiniteError(const std::string& message) : NumericalError(message) {}
};

/// Solver of A x = b for a sparse square A whose pattern stays fixed between calls.
/// Call analyze() once per pattern, factorize() whenever the values change, then solve().
/// Some solvers (CG, UMFPACK) keep a reference to the matrix given to factorize(): keep it alive
/// and unchanged until the last solve() of that factorisation.
class LinearSolver {
 public:
  /// Virtual destructor: solvers are owned through std::unique_ptr<LinearSolver>.
  virtual ~LinearSolver() = default;

  /// Symbolic analysis (ordering, elimination tree) of the pattern of A; A must be square.
  void analyze(const SparseMatrix& A);
  /// Numeric factorisation of A (iterative solvers: builds the preconditioner). Analyses first if
  /// analyze() was never called; throws InputError if the size or nonzero count differ from the
  /// analysed pattern, NumericalError (NotPositiveDefiniteError for Cholesky) if it fails.
  void factorize(const SparseMatrix& A);
  /// Solves A x = b with the last factorisation; x is resized and may be b itself. Throws
  /// NumericalError on failure.
  void solve(const VectorX& b, VectorX& x);

  /// Short name of the method, e.g. "cholmod", "ldlt", "umfpack-lu", "cg+ic".
  virtual std::string name() const = 0;
  /// The field component of each equation (0, 1, 2 for displacements), for solvers that treat vector
  /// fields by component (systems AMG); the others ignore it.
  virtual void set_components(std::vector<int> component_of_equation) { (void)component_of_equation; }

  /// Counters and timings since construction or the last reset_stats().
  const LinearSolverStats& stats() const noexcept { return stats_; }
  /// Zeroes counters and timings (the analysed pattern and factorisation are kept).
  void reset_stats();
  /// True once analyze() succeeded.
  bool is_analyzed() const noexcept { return rows_ >= 0; }
  /// True when the last factorize() succeeded.
  bool is_factorized() const noexcept { return factorized_; }
  /// Number of equations of the analysed pattern (-1 before analyze()).
  Index rows() const noexcept { return rows_; }
  /// Nonzero count of the analysed pattern (-1 before analyze()).
  std::int64_t analyzed_nonzeros() const noexcept { return nonzeros_; }

 protected:
  /// Implementation of analyze(); A is square.
  virtual void do_analyze(const SparseMatrix& A) = 0;
  /// Implementation of factorize(); A has the analysed pattern.
  virtual void do_factorize(const SparseMatrix& A) = 0;
  /// Implementation of solve(); b has rows() entries, x is already sized.
  virtual void do_solve(const VectorX& b, VectorX& x) = 0;
  /// Stats for implementations to fill in (iterations, factor nonzeros).
  LinearSolverStats& mutable_stats() noexcept { return stats_; }

 private:
  LinearSolverStats stats_;
  Index rows_ = -1;
  std::int64_t nonzeros_ = -1;
  bool factorized_ = false;
};

}  // namespace tissue
