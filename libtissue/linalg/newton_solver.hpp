// Newton-Raphson with backtracking line search, reusing the linear solver's symbolic analysis, and
// optionally its numeric factorisation over several iterations (modified Newton).
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
///
/// Modified Newton (max_tangent_reuse > 0): after a factorisation, the next up to max_tangent_reuse
/// iterations solve with the same factorised tangent (no tangent assembly, no factorisation) as long
/// as every iteration contracts the residual, |r_k+1| <= reuse_contraction |r_k|, and needs no line
/// search halving; otherwise the tangent is re-assembled and refactorised. A reused-tangent step
/// costs one residual evaluation and one solve: it is accepted if the full step decreases |r|, and
/// otherwise redone with a fresh tangent and the usual line search. The convergence test is
/// unchanged, so the solution is the same; the rate is linear instead of quadratic while a tangent
/// is reused.
struct NewtonOptions {
  int max_iterations = 25;           ///< Newton iterations before giving up
  Real rel_tolerance = 1e-8;         ///< on the residual norm, relative to the first
  Real abs_tolerance = 1e-10;        ///< on the residual norm [residual unit]
  Real increment_tolerance = 1e-10;  ///< on |dx| relative to |x|
  bool line_search = true;           ///< backtrack (halve) steps that do not decrease energy/residual
  int max_line_search_steps = 8;     ///< halvings before the line search gives up
  Real divergence_factor = 1e6;      ///< stop when |r| exceeds this times |r_0|
  int max_tangent_reuse = 0;         ///< iterations that may reuse one factorisation (0: exact Newton)
  Real reuse_contraction = 0.5;      ///< reuse only while |r| shrinks at least by this factor, in (0, 1)
  /// Throws InputError naming the first invalid field.
  void validate() const;
};

/// What a Newton solve did.
struct NewtonSummary {
  bool converged = false;              ///< a convergence criterion was met
  int iterations = 0;                  ///< Newton steps taken (linear solves)
  int factorizations = 0;              ///< numeric factorisations (= iterations for exact Newton)
  Real initial_residual = 0;           ///< |r(x_0)|
  Real final_residual = 0;             ///< |r| at the returned x
  std::vector<Real> residual_history;  ///< |r| at x_0, x_1, ... (iterations + 1 entries)
  int line_search_halvings = 0;        ///< step halvings in all line searches
  int rejected_states = 0;             ///< trial states refused by NewtonProblem::accept()
  std::string reason;                  ///< why it stopped, e.g. "residual below tolerance"
  /// One line: "converged in 4 iterations, |r| 1.0e+00 -> 3.2e-12 (residual below tolerance)"
  /// (with ", 2 factorisations" after the iterations when tangents were reused).
  std::string brief() const;
};

/// Newton-Raphson for a NewtonProblem with a borrowed LinearSolver. Solves K dx = -r, then
/// backtracks x + a dx (a = 1, 1/2, ...) until the energy satisfies Armijo's condition (problems
/// with energy) or |r| decreases, and the state is admissible and finite. Calls the linear
/// solver's analyze() only when the tangent's pattern changes (first solve, or other size/nonzeros).
/// Each solve() starts with a fresh tangent; factorisations are reused only within one solve().
/// Nocedal & Wright (2006), Numerical Optimization, alg. 3.1 and 11.4; modified Newton: Kelley (2003),
/// Solving Nonlinear Equations with Newton's Method, sec. 2.3 (the chord and Shamanskii methods).
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
