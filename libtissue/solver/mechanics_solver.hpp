// Time stepping of the solid: quasi-static steps (one step with a kept factorisation, or load paths with
// step cutting), extra energy terms (SolidForm: rigid tools in contact), and implicit dynamics with the
// generalized-alpha method (Chung & Hulbert 1993, J. Appl. Mech. 60:371).
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "libtissue/core/progress.hpp"
#include "libtissue/linalg/linear_solver.hpp"
#include "libtissue/linalg/linear_solver_options.hpp"
#include "libtissue/linalg/newton_solver.hpp"
#include "libtissue/mechanics/solid_form.hpp"
#include "libtissue/mechanics/solid_problem.hpp"

namespace tissue {

/// Loads at one instant: external nodal forces and prescribed displacements (both 3 x #nodes;
/// only the constrained entries of `u_prescribed` are used; either may be empty = zero).
struct MechanicalLoad {
  VectorX f_ext;         ///< external nodal forces [N]
  VectorX u_prescribed;  ///< prescribed displacements at constrained dofs [m]
};

/// Load as a function of time (or load factor) t.
using LoadFunction = std::function<MechanicalLoad(Real t)>;

/// Static equilibrium f_int(u) + forms = f_ext over the free dofs, as a Newton problem in the free
/// unknowns. Each evaluation writes the solid's end-of-step state for the evaluated u into `step`.
class StaticEquilibrium final : public NewtonProblem {
 public:
  /// Borrows the solid, the load, the inputs (step length, temperature, tone, committed history), the forms
  /// and the step state (all may be null / empty except the solid and the load).
  StaticEquilibrium(const SolidProblem& solid, const MechanicalLoad& load,
                    const SolidInputs* inputs = nullptr, std::span<SolidForm* const> forms = {},
                    SolidStepState* step = nullptr);
  /// Number of free dofs.
  Index n_equations() const override { return solid_.dofs().n_equations(); }
  /// r = (f_int + f_forms - f_ext) at the free dofs, tangent, energy W(u) + E_forms - f_ext . u,
  /// admissibility.
  NewtonEvaluation evaluate(const VectorX& x, VectorX* residual, SparseMatrix* tangent,
                            std::vector<LowRankTerm>* low_rank) override;
  /// True unless a form is non-conservative (friction).
  bool has_energy() const override;
  /// All nodal displacements for free unknowns x.
  VectorX full(const VectorX& x) const;

 private:
  const SolidProblem& solid_;
  const MechanicalLoad& load_;
  const SolidInputs* inputs_;
  std::span<SolidForm* const> forms_;
  SolidStepState* step_;
  Real f_ext_norm_ = 0;
};

/// Options of the quasi-static solver.
struct QuasiStaticOptions {
  NewtonOptions newton;        ///< Newton settings per step
  LinearSolverOptions linear;  ///< linear solver choice
  int max_cuts = 8;            ///< successive step halvings of a load path before giving up
  /// Also converged when |r| <= force_tolerance x the size of the loads (|f_ext| plus the forms' forces;
  /// 0: off): a tolerance on the load, not on the step's first residual, which is tiny for a small increment.
  Real force_tolerance = 0;
  /// Throws InputError naming the field.
  void validate() const;
};

/// Statistics of a quasi-static or dynamic run.
struct MechanicsRunSummary {
  int steps = 0;              ///< accepted steps
  int cuts = 0;               ///< step halvings after a failed Newton solve
  int newton_iterations = 0;  ///< total Newton iterations
  std::string linear_solver;  ///< name of the linear solver
  NewtonSummary last;         ///< the last Newton solve
  NewtonSummary totals;       ///< counters and timings summed over all solves
  /// One line: steps, cuts, iterations, solver.
  std::string brief() const;
};

/// Called after each accepted step of a load path with the time, the displacement and the step's state
/// (history, dissipation, pressure at the accepted state).
using StepCallback = std::function<void(Real t, const VectorX& u, const SolidStepState& step)>;

/// Quasi-static solver: owns the linear solver and a Newton solver that keeps its factorisation between
/// steps (NewtonOptions::keep_factorization).
class QuasiStaticSolver {
 public:
  /// Borrows the solid; creates the linear solver for its size.
  QuasiStaticSolver(const SolidProblem& solid, QuasiStaticOptions options = {});
  /// One quasi-static step: equilibrium under `load` with `inputs` (inputs.dt the step length, inputs.history
  /// the committed history at the step start) and `forms`, from the start guess u (all dofs). On success u is
  /// the equilibrium and `step` its end-of-step state (history, dissipation, stored energy, the step's stress
  /// work); on failure u is the last
  /// iterate. Never throws for non-convergence (the summary says why). With `exact`, the kept factorisation
  /// is dropped and every iteration refactorises (up to `max_iterations`, 0: the options' value). With
  /// `other_start` (all dofs), Newton starts from whichever of u and *other_start has the smaller residual
  /// (one extra force-only element pass), so a predictor can never start worse than the fallback.
  NewtonSummary solve_step(VectorX& u, const MechanicalLoad& load, const SolidInputs& inputs,
                           std::span<SolidForm* const> forms, SolidStepState& step, bool exact = false,
                           int max_iterations = 0, const VectorX* other_start = nullptr);
  /// Follows a load path from t0 to t1 in `steps` equal steps (u updated in place), halving a step whose
  /// Newton solve fails (up to max_cuts times in a row) and growing back after successes. `inputs` gives
  /// temperature and tone (its dt and history are set per step); `history` (needed by viscous laws) is the
  /// committed history, advanced in place. `on_step` is called after each accepted step. Throws
  /// NumericalError naming t and the Newton reason if cutting does not help.
  MechanicsRunSummary solve(VectorX& u, const LoadFunction& load, Real t0, Real t1, int steps,
                            const StepCallback& on_step = {}, const RunContext* ctx = nullptr,
                            const SolidInputs* inputs = nullptr, SolidHistory* history = nullptr);
  /// Forgets the kept factorisation.
  void invalidate_factorization() { newton_.invalidate(); }
  /// Options in use.
  const QuasiStaticOptions& options() const { return options_; }
  /// The linear solver (for its statistics).
  const LinearSolver& linear_solver() const { return *linear_; }

 private:
  const SolidProblem& solid_;
  QuasiStaticOptions options_;
  std::unique_ptr<LinearSolver> linear_;
  NewtonSolver newton_;
};

/// Parameters of the generalized-alpha method from the spectral radius at infinite frequency.
struct GeneralizedAlphaParameters {
  Real alpha_m, alpha_f, beta, gamma;  ///< Chung-Hulbert parameters
  /// rho_inf in [0, 1]: 1 = no numerical damping (trapezoidal rule), 0 = maximal damping.
  static GeneralizedAlphaParameters from_rho_inf(Real rho_inf);
};

/// Kinematic state of a dynamic run (all 3 x #nodes).
struct DynamicState {
  VectorX u;  ///< displacement [m]
  VectorX v;  ///< velocity [m/s]
  VectorX a;  ///< acceleration [m/s^2]
};

/// Options of the dynamic solver.
struct DynamicOptions {
  Real rho_inf = 0.8;          ///< high-frequency spectral radius in [0, 1]
  NewtonOptions newton;        ///< Newton settings per step
  LinearSolverOptions linear;  ///< linear solver choice
  int max_cuts = 6;            ///< step halvings after a failed solve
  /// Throws InputError naming the field.
  void validate() const;
};

/// Implicit dynamics M a + f_int(u) = f_ext(t) with a consistent mass matrix (generalized-alpha).
class DynamicSolver {
 public:
  /// Borrows the solid; assembles the mass matrix once.
  DynamicSolver(const SolidProblem& solid, DynamicOptions options = {});
  /// Sets a consistent initial acceleration a0 = M^-1 (f_ext(t0) - f_int(u0)) at the free dofs.
  void initialize(DynamicState& s, const MechanicalLoad& load0);
  /// Advances the state by dt under load(t); cuts the step on failure. `inputs` gives temperature and tone;
  /// `history` (needed by viscous laws) is the committed history, advanced in place; `dissipation` (if set)
  /// receives the energy dissipated per cell over the whole dt (summed over accepted sub-steps).
  MechanicsRunSummary step(DynamicState& s, const LoadFunction& load, Real t, Real dt,
                           const SolidInputs* inputs = nullptr, SolidHistory* history = nullptr,
                           VectorX* dissipation = nullptr);
  /// Kinetic energy 1/2 v.M v [J] (free and constrained dofs).
  Real kinetic_energy(const DynamicState& s) const;

 private:
  NewtonSummary try_step(DynamicState& s, const LoadFunction& load, Real t, Real dt,
                         const SolidInputs& inputs, SolidStepState& step);
  const SolidProblem& solid_;
  DynamicOptions options_;
  GeneralizedAlphaParameters p_;
  SparseMatrix M_;
  std::unique_ptr<LinearSolver> linear_;
  NewtonSolver newton_;
};

}  // namespace tissue
