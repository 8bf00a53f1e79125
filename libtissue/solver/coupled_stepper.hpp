// Staggered, multirate thermo-mechanical time stepping (ARCHITECTURE 2.3: one macro step, data flows one
// way).
//
// One macro step [t, t + dt_thermal]:
//   1. mechanics: `mechanics_substeps` quasi-static or generalized-alpha steps of dt_mech = dt_thermal /
//      mechanics_substeps, reading the temperature and tone frozen at the start of the macro step; the
//      viscous dissipation of every accepted substep is summed per cell as energy [J];
//   2. heat: one BioheatProblem::step over dt_thermal with cell_source = dissipation / (V_cell dt_thermal)
//      [W/m^3] plus the caller's external loads (friction heat flux on the skin points, extra sources), so
//      the heat added equals the dissipated energy exactly;
//   3. tone: held (the tone law is integrated by the caller until a ToneLaw exists).
// The stepper records nothing; the caller reads the state and the summary after each macro step.
#pragma once

#include "libtissue/tone/tone_law.hpp"

#include <memory>

#include "libtissue/core/progress.hpp"
#include "libtissue/mechanics/solid_problem.hpp"
#include "libtissue/solver/mechanics_solver.hpp"
#include "libtissue/thermal/bioheat_problem.hpp"

namespace tissue {

/// Time integrator of the mechanical substeps.
enum class MechanicsIntegrator {
  quasi_static,  ///< QuasiStaticSolver (no inertia)
  dynamic        ///< DynamicSolver (generalized-alpha; call CoupledStepper::initialize_dynamics first)
};

/// Options of the staggered thermo-mechanical stepper.
struct CoupledOptions {
  int mechanics_substeps = 1;  ///< mechanical steps per thermal step: dt_mech = dt_thermal / substeps (>= 1)
  MechanicsIntegrator integrator = MechanicsIntegrator::quasi_static;  ///< mechanics time integrator
  QuasiStaticOptions quasi_static;      ///< settings of the quasi-static solver
  DynamicOptions dynamic;               ///< settings of the dynamic solver
  bool check_temperature_range = true;  ///< throw if T leaves a TissueMaterial's [T_min, T_max]
  /// Throws InputError naming the first invalid field ("mechanics_substeps", "quasi_static.*", ...).
  void validate() const;
};

/// How a macro step integrates muscle tone (optional): the law, the resting tone per quadrature point,
/// and what the step averaged (filled by advance()).
struct ToneCoupling {
  const ToneLaw* law = nullptr;     ///< tone law; null: tone is held
  const VectorX* resting = nullptr; ///< resting tone per quadrature point (#cells x n_qp)
};

/// State of the coupled problem advanced by CoupledStepper (owned by the caller).
struct CoupledState {
  DynamicState mech;     ///< displacement u (and velocity, acceleration for dynamics), 3 x #nodes
  SolidHistory history;  ///< viscoelastic history per quadrature point (committed)
  VectorX temperature;   ///< nodal temperature [K] (#nodes)
  VectorX tone;          ///< tone per quadrature point (#cells x n_qp) in [0, 1]; empty: 0
  Real time = 0;         ///< current time [s]
};

/// What one macro step did.
struct CoupledStepSummary {
  Real t0 = 0;                      ///< start of the macro step [s]
  Real t1 = 0;                      ///< end of the macro step [s]
  MechanicsRunSummary mechanics;    ///< substeps, cuts and Newton iterations summed over the substeps
  VectorX cell_dissipation;         ///< viscous energy dissipated per cell over the macro step [J]
  Real dissipated_energy = 0;       ///< sum of cell_dissipation [J]
  ThermalStepReport thermal;        ///< energy bookkeeping of the bioheat step [J]
  Real max_temperature_change = 0;  ///< max |T1 - T0| over the nodes [K]
};

/// Staggered multirate stepper: mechanics substeps, then one bioheat step fed by their dissipation.
class CoupledStepper {
 public:
  /// Borrows the solid and the bioheat problem (both on the same mesh); builds the mechanics solver.
  /// Throws InputError if the options are invalid or the meshes differ in size.
  CoupledStepper(const SolidProblem& solid, BioheatProblem& heat, CoupledOptions options = {});

  /// A state at rest: zero displacement, undeformed history, uniform temperature T0 [K] (Dirichlet values
  /// applied), no tone, time t0 [s].
  CoupledState initial_state(Real T0, Real t0 = 0) const;
  /// Dynamics only: consistent initial acceleration of s under load0.
  void initialize_dynamics(CoupledState& s, const MechanicalLoad& load0);

  /// Advances s by one macro step dt_thermal [s] under the mechanical load path `load(t)` and the external
  /// thermal loads `external` (held over the step; its cell_source is added to the viscous source).
  /// Throws InputError for bad sizes or a temperature out of range, NumericalError if a solve fails.
  /// With `tone`, step 3 integrates the tone law over the macro step with the stimulus (cell
  /// hydrostatic pressure, time-averaged over the mechanics substeps; temperature at the end of the
  /// heat step) frozen over the step.
  CoupledStepSummary advance(CoupledState& s, const LoadFunction& load, Real dt_thermal,
                             const ThermalLoads& external = {}, const RunContext* ctx = nullptr,
                             const ToneCoupling* tone = nullptr);

  /// Reference volume of each cell [m^3].
  const VectorX& cell_volume() const { return volume_; }
  /// Options in use.
  const CoupledOptions& options() const { return options_; }

 private:
  void check_temperature(const VectorX& T) const;

  const SolidProblem& solid_;
  BioheatProblem& heat_;
  CoupledOptions options_;
  std::unique_ptr<QuasiStaticSolver> quasi_static_;
  std::unique_ptr<DynamicSolver> dynamic_;
  VectorX volume_;
};

}  // namespace tissue
