// Time stepping of the solid: quasi-static load paths with step cutting, and implicit dynamics
// with the generalized-alpha method (Chung & Hulbert 1993, J. Appl. Mech. 60:371).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "libtissue/core/progress.hpp"
#include "libtissue/linalg/linear_solver.hpp"
#include "libtissue/linalg/linear_solver_options.hpp"
#include "libtissue/linalg/newton_solver.hpp"
#include "libtissue/mechanics/solid_problem.hpp"

namespace tissue {

/// Loads at one instant: external nodal forces and prescribed displacements (both 3 x #nodes;
/// only the constrained entries of `u_prescribed` are used).
struct MechanicalLoad {
  VectorX f_ext;         ///< external nodal forces [N]
  VectorX u_prescribed;  ///< prescribed displacements at constrained dofs [m]
};

/// Load as a function of time (or load factor) t.
using LoadFunction = std::function<MechanicalLoad(Real t)>;

/// Static equilibrium f_int(u) = f_ext over the free dofs, as a Newton problem in the free unknowns.
class StaticEquilibrium final : public NewtonProblem {
public:
  /// Borrows the solid; `load` fixes f_ext and the prescribed displacements; `inputs` (optional, borrowed)
  /// carries the step length, temperature, tone and the history of viscous laws.
  StaticEquilibrium(const SolidProblem& solid, const MechanicalLoad& load, const SolidInputs* inputs = nullptr);
  /// Number of free dofs.
  Index n_equations() const override { return solid_.dofs().n_equations(); }
  /// r = (f_int - f_ext) at the free dofs and its tangent.
  void evaluate(const VectorX& x, VectorX* residual, SparseMatrix* tangent) override;
  /// Dead loads are conservative: energy = W(u) - f_ext . u.
  bool has_energy() const override { return true; }
  /// Potential energy [J] (infinite for inadmissible states).
  Real energy(const VectorX& x) override;
  /// False if some cell inverts.
  bool accept(const VectorX& x) override;
  /// All nodal displacements for free unknowns x.
  VectorX full(const VectorX& x) const;

private:
  const SolidProblem& solid_;
  const MechanicalLoad& load_;
  const SolidInputs* inputs_;
};

/// Options of the quasi-static driver.
struct QuasiStaticOptions {
  NewtonOptions newton;           ///< Newton settings per step
  LinearSolverOptions linear;     ///< linear solver choice
  int max_cuts = 8;               ///< successive step halvings before giving up
  /// Also converged when |r| <= force_tolerance |f_ext| (0: off): a tolerance on the load, not on the
  /// step's first residual, which is tiny for a small load increment.
  Real force_tolerance = 0;
  /// Throws InputError naming the field.
  void validate() const;
};

/// Statistics of a quasi-static or dynamic run.
struct MechanicsRunSummary {
  int steps = 0;             ///< accepted steps
  int cuts = 0;              ///< step halvings after a failed Newton solve
  int newton_iterations = 0; ///< total Newton iterations
  std::string linear_solver; ///< name of the linear solver
  NewtonSummary last;        ///< the last Newton solve
  /// One line: steps, cuts, iterations, solver.
  std::string brief() const;
};

/// Follows a load path quasi-statically from t0 to t1 in `steps` equal steps, halving a step whose
/// Newton solve fails (up to max_cuts times) and growing back after successes.
class QuasiStaticSolver {
public:
  /// Borrows the solid; creates the linear solver for its size.
  QuasiStaticSolver(const SolidProblem& solid, QuasiStaticOptions options = {});
  /// Advances u (3 x #nodes, updated in place) along load(t). `on_step(t, u)` is called after each
  /// accepted step. With `inputs`, each step sets inputs->dt, and its history (if any) is committed
  /// after an accepted step and rolled back after a failed one (rate-dependent laws follow time t).
  /// Throws NumericalError naming t and the Newton reason if cutting does not help.
  MechanicsRunSummary solve(VectorX& u, const LoadFunction& load, Real t0, Real t1, int steps,
                            const std::function<void(Real, const VectorX&)>& on_step = {},
                            const RunContext* ctx = nullptr, SolidInputs* inputs = nullptr);
  /// The linear solver (for its statistics).
  const LinearSolver& linear_solver() const { return *linear_; }

private:
  const SolidProblem& solid_;
  QuasiStaticOptions options_;
  std::unique_ptr<LinearSolver> linear_;
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
  Real rho_inf = 0.8;            ///< high-frequency spectral radius in [0, 1]
  NewtonOptions newton;          ///< Newton settings per step
  LinearSolverOptions linear;    ///< linear solver choice
  int max_cuts = 6;              ///< step halvings after a failed solve
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
  /// Advances the state by dt under load(t); cuts the step on failure. With `inputs`, sub-steps set
  /// inputs->dt and commit/roll back its history as the quasi-static solver does; inputs->dissipation (if set)
  /// returns the energy dissipated per cell over the whole dt (summed over the accepted sub-steps).
  MechanicsRunSummary step(DynamicState& s, const LoadFunction& load, Real t, Real dt, SolidInputs* inputs = nullptr);
  /// Kinetic energy 1/2 v.M v [J] (free and constrained dofs).
  Real kinetic_energy(const DynamicState& s) const;

private:
  NewtonSummary try_step(DynamicState& s, const LoadFunction& load, Real t, Real dt, const SolidInputs* inputs);
  const SolidProblem& solid_;
  DynamicOptions options_;
  GeneralizedAlphaParameters p_;
  SparseMatrix M_;
  std::unique_ptr<LinearSolver> linear_;
};

}  // namespace tissue
