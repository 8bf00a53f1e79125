// Newton-Raphson with backtracking line search, reusing the linear solver's symbolic analysis.
#pragma once

#include <string>
#include <vector>

#include "libtissue/core/types.hpp"
#include "libtissue/linalg/linear_solver.hpp"
#include "libtissue/linalg/newton_problem.hpp"
#include "libtissue/linalg/sparse.hpp"

namespace tissue {

/// Options of NewtonSolver. Convergence: |r| <= max(abs_tolerance, rel_tolerance |r_0|), or a full
/// step with |dx| <= increment_tolerance |x|.
struct NewtonOptions {
  int max_iterations = 25;           ///< Newton iterations before giving up
  Real rel_tolerance = 1e-8;         ///< on the residual norm, relative to the first
  Real abs_tolerance = 1e-10;        ///< on the residual norm [residual unit]
  Real increment_tolerance = 1e-10;  ///< on |dx| relative to |x|
  bool line_search = true;           ///< backtrack (halve) steps that do not decrease energy/residual
  int max_line_search_steps = 8;     ///< halvings before the line search gives up
  Real divergence_factor = 1e6;      ///< stop when |r| exceeds this times |r_0|
  /// Throws InputError naming the first invalid field.
  void validate() const;
};

/// What a Newton solve did.
struct NewtonSummary {
  bool converged = false;              ///< a convergence criterion was met
  int iterations = 0;                  ///< Newton steps taken (linear solves)
  Real initial_residual = 0;           ///< |r(x_0)|
  Real final_residual = 0;             ///< |r| at the returned x
  std::vector<Real> residual_history;  ///< |r| at x_0, x_1, ... (iterations + 1 entries)
  int line_search_halvings = 0;        ///< step halvings in all line searches
  int rejected_states = 0;             ///< trial states refused by NewtonProblem::accept()
  std::string reason;                  ///< why it stopped, e.g. "residual below tolerance"
  /// One line: "converged in 4 iterations, |r| 1.0e+00 -> 3.2e-12 (residual below tolerance)".
  std::string brief() const;
};

/// Newton-Raphson for a NewtonProblem with a borrowed LinearSolver. Solves K dx = -r, then
/// backtracks x + a dx (a = 1, 1/2, ...) until the energy satisfies Armijo's condition (problems
/// with energy) or |r| decreases, and the state is admissible and finite. Calls the linear
/// solver's analyze() only when the tangent's pattern changes (first solve, or other size/nonzeros).
/// Nocedal & Wright (2006), Numerical Optimization, alg. 3.1 and 11.4.
class NewtonSolver {
 public:
  /// Validates options; linear must outlive the solver.
  NewtonSolver(NewtonOptions options, LinearSolver& linear);

  /// Iterates from x (updated in place). Never throws for non-convergence: returns
  /// converged = false with a reason (the caller cuts the step). Throws NumericalError if the first
  /// residual is NaN or Inf, InputError if x has the wrong size.
  NewtonSummary solve(NewtonProblem& problem, VectorX& x);

  /// The options in use.
  const NewtonOptions& options() const noexcept { return options_; }
  /// The tangent of the last evaluation (its pattern is kept between solves).
  const SparseMatrix& tangent() const noexcept { return tangent_; }

 private:
  NewtonOptions options_;
  LinearSolver& linear_;  // borrowed, outlives the solver
  SparseMatrix tangent_;  // owned; pattern persists between solves
};

}  // namespace tissue
