// Newton-Raphson with backtracking line search and factorisation reuse (modified Newton, within a solve
// and across solves), for tangents given as a sparse matrix plus low-rank terms.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "libtissue/core/types.hpp"
#include "libtissue/linalg/linear_solver.hpp"
#include "libtissue/linalg/newton_problem.hpp"
#include "libtissue/linalg/sparse.hpp"

namespace tissue {

/// Options of NewtonSolver. Convergence: |r| <= max(abs_tolerance, rel_tolerance |r_0|, load_tolerance
/// load_scale), or a full Newton step with |dx| <= increment_tolerance |x|.
///
/// Factorisation reuse (max_tangent_reuse > 0): after a factorisation, up to max_tangent_reuse further
/// iterations solve with the same factorised tangent (no tangent pass, no factorisation) as long as each
/// full step contracts the residual, |r_k+1| <= reuse_contraction |r_k|; a step that does not is redone
/// with a fresh tangent and the usual line search. With bfgs, those iterations are BFGS quasi-Newton steps
/// on the factorised tangent instead of chord steps (superlinear instead of linear convergence). With
/// keep_factorization, a solve starts with the factorisation of the previous solve (of the same size) under
/// the same rule: a moving load changes the tangent little from one step to the next. The convergence test is
/// unchanged, so the solution is the same to the tolerance; the rate is linear instead of quadratic while a
/// factorisation is reused.
struct NewtonOptions {
  int max_iterations = 25;           ///< Newton iterations (linear solves) before giving up
  Real rel_tolerance = 1e-8;         ///< on the residual norm, relative to the first
  Real abs_tolerance = 1e-10;        ///< on the residual norm [residual unit]
  Real load_tolerance = 0;           ///< on |r| relative to the evaluation's load_scale (0: off) [-]
  Real increment_tolerance = 1e-10;  ///< on |dx| relative to |x|
  bool line_search = true;           ///< backtrack (halve) steps that do not decrease energy/residual
  /// Energy line search: when the full step's directional derivative g(1) = dx . r(x + dx) exceeds this
  /// times |g(0)| (a strong overshoot), one secant step on g is tried (0: off; FEBio's LSTOL is 0.9).
  Real line_search_tolerance = 0;
  int max_line_search_steps = 8;    ///< halvings before the line search gives up
  Real divergence_factor = 1e6;     ///< stop when |r| exceeds this times |r_0|
  int max_tangent_reuse = 0;        ///< iterations that may reuse one factorisation (0: exact Newton)
  Real reuse_contraction = 0.5;     ///< reuse only while |r| shrinks at least by this factor, in (0, 1)
  bool keep_factorization = false;  ///< start a solve with the previous solve's factorisation (needs reuse)
  /// BFGS: iterations on a reused factorisation take quasi-Newton steps (the factorised tangent's inverse
  /// updated by the curvature pairs of the steps since it was built) with a short line search, instead of
  /// chord steps; the factorisation is kept while each step reduces |r| by bfgs_contraction.
  bool bfgs = false;
  Real bfgs_contraction = 0.9;  ///< keep a factorisation under BFGS while |r| falls by this factor, in (0, 1]
  /// Throws InputError naming the first invalid field.
  void validate() const;
};

/// What a Newton solve did.
struct NewtonSummary {
  bool converged = false;              ///< a convergence criterion was met
  int iterations = 0;                  ///< Newton steps taken (linear solves of accepted or rejected steps)
  int factorizations = 0;              ///< numeric factorisations (= iterations for exact Newton)
  int residual_evaluations = 0;        ///< evaluations without tangent (trial states, stale steps)
  int tangent_evaluations = 0;         ///< evaluations with tangent
  Real initial_residual = 0;           ///< |r(x_0)|
  Real final_residual = 0;             ///< |r| at the returned x
  std::vector<Real> residual_history;  ///< |r| at x_0, x_1, ... (accepted states)
  int line_search_halvings = 0;        ///< step halvings in all line searches
  int rejected_states = 0;             ///< inadmissible trial states
  int stale_rejections = 0;            ///< reused-factorisation steps redone with a fresh tangent
  double seconds_residual = 0;         ///< wall time of evaluations without tangent [s]
  double seconds_tangent = 0;          ///< wall time of evaluations with tangent [s]
  double seconds_factorize = 0;        ///< wall time of factorisations (incl. low-rank set-up) [s]
  double seconds_solve = 0;            ///< wall time of linear solves [s]
  std::string reason;                  ///< why it stopped, e.g. "residual below tolerance"
  /// One line: "converged in 4 iterations, |r| 1.0e+00 -> 3.2e-12 (residual below tolerance)"
  /// (with ", 2 factorisations" after the iterations when factorisations were reused).
  std::string brief() const;
  /// Adds the counters and timings of `o` (not the residuals or the reason).
  void add_counts(const NewtonSummary& o);
};

/// Newton-Raphson for a NewtonProblem with a borrowed LinearSolver. Solves K dx = -r (K = sparse +
/// low rank, by the Sherman-Morrison-Woodbury formula on the sparse factorisation), then backtracks
/// x + a dx (a = 1, 1/2, ...) until the energy satisfies Armijo's condition (problems with energy) or |r|
/// decreases, and the state is admissible and finite. One evaluation per trial state. Calls the linear
/// solver's analyze() only when the tangent's pattern changes. The solver object keeps its factorisation
/// between solves (used when options.keep_factorization is set).
/// Nocedal & Wright (2006), Numerical Optimization, alg. 3.1 and 11.4; modified Newton: Kelley (2003),
/// Solving Nonlinear Equations with Newton's Method, sec. 2.3 (the chord and Shamanskii methods); low rank:
/// Hager (1989), SIAM Rev 31:221.
class NewtonSolver {
 public:
  /// Validates options; linear must outlive the solver.
  NewtonSolver(NewtonOptions options, LinearSolver& linear);

  /// Iterates from x (updated in place; on failure x is the last accepted iterate). Never throws for
  /// non-convergence: returns converged = false with a reason (the caller cuts the step). Throws
  /// InputError if x has the wrong size. The relative tolerance applies to max(|r(x)|, reference_residual):
  /// a caller that chose x among several start guesses passes the residual of the guess it would otherwise
  /// have used, so that a better start does not tighten the convergence test.
  NewtonSummary solve(NewtonProblem& problem, VectorX& x, Real reference_residual = 0);

  /// Forgets the kept factorisation (the next solve starts with a fresh tangent).
  void invalidate() { factor_valid_ = false; }
  /// Whether a factorisation is kept for the next solve.
  bool has_factorization() const { return factor_valid_; }
  /// The options in use.
  const NewtonOptions& options() const noexcept { return options_; }
  /// Replaces the options (validated); the kept factorisation stays.
  void set_options(const NewtonOptions& options);
  /// The tangent of the last tangent evaluation (its pattern is kept between solves).
  const SparseMatrix& tangent() const noexcept { return tangent_; }

 private:
  void factorize(NewtonSummary& s);
  void solve_linear(const VectorX& b, VectorX& x, NewtonSummary& s);

  NewtonOptions options_;
  LinearSolver& linear_;                 // borrowed, outlives the solver
  SparseMatrix tangent_;                 // owned; pattern persists between solves
  std::vector<LowRankTerm> low_rank_;    // low-rank terms of the tangent
  Eigen::MatrixXd lr_v_, lr_z_;          // V and Z = A^-1 V of the factorised low-rank terms
  Eigen::LDLT<Eigen::MatrixXd> lr_cap_;  // factorised capacitance C^-1 + V^T Z
  bool factor_valid_ = false;
};

}  // namespace tissue
