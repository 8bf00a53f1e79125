// The one thermo-mechanical stepper of libtissue: used by Simulation (the CLI, the C++ and Python session
// APIs) and by the tests. Staggered and multirate (ARCHITECTURE 2.3: data flows one way through a step).
//
// One macro step [t0, t1]:
//   1. tool -> loads -> mechanics: substeps of the provider's schedule (LoadProvider::max_substep), each a
//      quasi-static (or generalized-alpha) step under the provider's loads at its end, reading temperature
//      and tone frozen at t0. The solid's step state (history, dissipation, pressure) is an output of the
//      accepted solve, committed here. Viscous energy, tool work and the tools' surface heat are summed as
//      energies (StepSources). Unloaded tissue at rest is not solved.
//   2. heat: BioheatProblem steps over [t0, t1] (each at most max_thermal_step) with the sources averaged
//   over
//      the macro step, so the heat added equals the dissipated and friction energy exactly.
//   3. tone: the tone law over [t0, t1] with the substep-averaged cell pressure and the mean temperature.
// A substep whose Newton solve fails is handled by the failure policy (SubstepPolicy): a fresh tangent with
// exact Newton, then halving; a step that still fails ends the macro step with status failed and a report
// (no exception steers the physics).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "libtissue/core/progress.hpp"
#include "libtissue/core/state_archive.hpp"
#include "libtissue/mechanics/solid_problem.hpp"
#include "libtissue/solver/load_provider.hpp"
#include "libtissue/solver/mechanics_solver.hpp"
#include "libtissue/thermal/bioheat_problem.hpp"
#include "libtissue/thermal/perfusion_law.hpp"
#include "libtissue/tone/tone_law.hpp"

namespace tissue {

/// Time integrator of the mechanical substeps.
enum class MechanicsIntegrator {
  quasi_static,  ///< QuasiStaticSolver (no inertia; production)
  dynamic        ///< DynamicSolver (generalized-alpha; dead loads only; call initialize_dynamics first)
};

/// What the stepper does when a substep's Newton solve fails (documented in docs/sessions.md).
struct SubstepPolicy {
  int exact_newton_iterations = 40;  ///< retry 1: fresh tangent every iteration, this many iterations
  int max_cuts = 6;  ///< retry 2: halve the substep (loads at its new end) up to this many times in a row
  /// Throws InputError naming the field.
  void validate() const;
};

/// Options of the coupled stepper.
struct CoupledOptions {
  MechanicsIntegrator integrator = MechanicsIntegrator::quasi_static;  ///< mechanics time integrator
  QuasiStaticOptions quasi_static;  ///< settings of the quasi-static solver (kept factorisation: newton)
  DynamicOptions dynamic;           ///< settings of the dynamic solver
  SubstepPolicy policy;             ///< failure policy of a substep
  /// Predictor of a quasi-static substep: start from the linear extrapolation of the last substep's motion
  /// (scaled by the substep ratio, at most 1) instead of the last state.
  bool extrapolate = true;
  Real max_thermal_step = 1.0;  ///< longest bioheat step [s]; a longer macro step takes several
  /// An unloaded substep that moved no node by more than this is at rest: later unloaded substeps are not
  /// solved until a load acts or the tone changes [m] (0: always solve).
  Real rest_motion = 1e-7;
  Real rest_tone = 1e-3;  ///< tone change since the last solve that unsettles tissue at rest [-]
  bool check_temperature_range = true;  ///< fail if T leaves a TissueMaterial's [T_min, T_max]
  /// Perfusion law evaluated at the start of every macro step (lagged) from the temperature and the
  /// perfusion stimulus state; none: the bioheat problem's perfusion is left as it is.
  std::optional<PerfusionLaw> perfusion;
  /// Throws InputError naming the first invalid field ("quasi_static.*", "policy.*", ...).
  void validate() const;
};

/// How a macro step integrates muscle tone (optional): the law, the resting tone per quadrature point and a
/// temperature shift per point added to the tissue temperature seen by the law (e.g. the law's base minus
/// the point's resting temperature, so that warmth is measured from each point's own baseline).
struct ToneCoupling {
  const ToneLaw* law = nullptr;                ///< tone law; null: tone is held
  const VectorX* resting = nullptr;            ///< resting tone per quadrature point (#cells x n_qp)
  const VectorX* temperature_shift = nullptr;  ///< per quadrature point [K]; null: none
};

/// State of the coupled problem advanced by CoupledStepper (owned by the caller).
struct CoupledState {
  DynamicState mech;           ///< displacement u (and velocity, acceleration for dynamics), 3 x #nodes
  SolidHistory history;        ///< viscoelastic history per quadrature point (committed)
  VectorX temperature;         ///< nodal temperature [K] (#nodes)
  VectorX tone;                ///< tone per quadrature point (#cells x n_qp) in [0, 1]; empty: 0
  Real time = 0;               ///< current time [s]
  VectorX pressure;            ///< cell-mean hydrostatic pressure at the committed state [Pa] (#cells)
  VectorX perfusion_stimulus;  ///< perfusion stimulus state per node [-] (PerfusionLaw; empty: 0)
  Real stored_energy = 0;      ///< stored energy of the solid at the committed state [J]
  Real elastic_energy = 0;     ///< of which in cells whose laws carry no history [J] (their work bookkeeping)
};

/// Writes every field of `s` to `a` under "state.*" (a checkpoint).
void save_state(StateArchive& a, const CoupledState& s);
/// Reads a state written by save_state into `s`, which is set up for the same model (sizes are checked:
/// InputError naming the key when the checkpoint belongs to another model).
void load_state(const StateArchive& a, CoupledState& s);

/// Counts and timings of the mechanics of one or more macro steps.
struct MechanicsStats {
  int substeps = 0;          ///< accepted substeps that were solved
  int rest_substeps = 0;     ///< unloaded substeps skipped at rest
  int cuts = 0;              ///< substep halvings
  int exact_retries = 0;     ///< substeps retried with exact Newton
  NewtonSummary newton;      ///< Newton counters and timings summed over all solves
  double seconds = 0;        ///< wall time of the mechanics [s]
  double seconds_loads = 0;  ///< wall time of the load provider (tools, sampling) [s]
  /// Adds another's counts.
  void add(const MechanicsStats& o);
};

/// A substep that failed after the whole policy: what, where and what was tried.
struct StepFailure {
  Real t0 = 0, t1 = 0;      ///< the substep that failed [s]
  std::string reason;       ///< the last Newton reason
  std::string tried;        ///< the policy steps tried, e.g. "kept factorisation, exact Newton, 6 halvings"
  Index worst_node = -1;    ///< node of the largest residual at the last iterate (-1 if unknown)
  Real worst_residual = 0;  ///< that residual's size [N]
};

/// What one macro step did.
struct CoupledStepReport {
  Real t0 = 0;                      ///< start of the macro step [s]
  Real t1 = 0;                      ///< end of the macro step [s]
  bool ok = true;                   ///< false: a substep failed (see failure); the state is at its start
  StepFailure failure;              ///< set when !ok
  MechanicsStats mechanics;         ///< substeps, cuts, Newton work
  StepSources sources;              ///< energies and extremes of the macro step
  ThermalStepReport thermal;        ///< energy bookkeeping of the bioheat steps (summed) [J]
  int thermal_steps = 0;            ///< bioheat steps taken
  double seconds_heat = 0;          ///< wall time of the heat step [s]
  double seconds_tone = 0;          ///< wall time of the tone update [s]
  Real max_temperature_change = 0;  ///< max |T1 - T0| over the nodes [K]
  Real dissipated_energy = 0;       ///< sum of sources.dissipation [J]
};

/// The staggered multirate stepper: mechanics substeps, then bioheat fed by their sources, then tone.
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

  /// One macro step from s.time to t1: mechanics (loads from `loads`), heat (plus `external` thermal loads
  /// held over the step; its cell_source is added to the viscous source), tone (with `tone`). On failure the
  /// state is left at the macro step's start and report.ok is false. Throws InputError for bad sizes.
  CoupledStepReport advance(CoupledState& s, LoadProvider& loads, Real t1, const ThermalLoads& external = {},
                            const ToneCoupling* tone = nullptr, const RunContext* ctx = nullptr);

  /// Step 1 alone: the mechanics substeps from s.time to t_end, adding to `sources` and `stats`. Returns
  /// false (and fills `failure`) if a substep failed after the policy; the state is then at that substep's
  /// start. For cycle jumping, which resolves a few cycles and then finishes the macro step itself.
  bool mechanics(CoupledState& s, LoadProvider& loads, Real t_end, StepSources& sources,
                 MechanicsStats& stats, StepFailure& failure, const RunContext* ctx = nullptr);
  /// Steps 2 and 3 alone over the macro step [t0, s.time] with the given sources (energies over it).
  void heat_and_tone(CoupledState& s, Real t0, const StepSources& sources, CoupledStepReport& report,
                     const ThermalLoads& external = {}, const ToneCoupling* tone = nullptr);
  /// Starts a new macro step's sources (sized for this problem). tone_drive: the tone law whose pressure
  /// drive the substeps average for the tone step (null: the pressure itself): a time-varying pressure acts
  /// on a nonlinear law through the mean of its response, not through the response to the mean pressure.
  StepSources make_sources(const ToneLaw* tone_drive = nullptr) const;
  /// Whether the tissue is at rest (unloaded substeps skip the solve).
  bool at_rest() const { return at_rest_; }
  /// Marks the tissue as not at rest (the next unloaded substep is solved), e.g. after outside changes.
  void unsettle() { at_rest_ = false; }
  /// Forgets the last substep's motion (the predictor's start) and unsettles the tissue: the next substep
  /// starts from a state whose time jumped (cycle jumping), not from the substep before it.
  void interrupt_motion() {
    unsettle();
    du_last_.resize(0);
    h_last_ = 0;
  }

  /// Writes the predictor and rest-detection state to `a` under "stepper.*".
  void save(StateArchive& a) const;
  /// Reads what save() wrote into a freshly built stepper (one without solver history: the run that goes on
  /// from a checkpoint starts a fresh one too, so both solve alike).
  void load(const StateArchive& a);

  /// Reference volume of each cell [m^3].
  const VectorX& cell_volume() const { return volume_; }
  /// The solid problem.
  const SolidProblem& solid() const { return solid_; }
  /// Options in use.
  const CoupledOptions& options() const { return options_; }
  /// The quasi-static solver (statistics of its linear solver).
  const QuasiStaticSolver* quasi_static_solver() const { return quasi_static_.get(); }

 private:
  bool solve_substep(CoupledState& s, LoadProvider& loads, Real t0, Real t1, SolidStepState& step,
                     MechanicsStats& stats, StepFailure& failure);
  bool try_solve(CoupledState& s, const SubstepLoads& L, Real t0, Real t1, bool exact, SolidStepState& step,
                 VectorX& u_trial, MechanicsStats& stats, std::string& reason);
  void check_temperature(const VectorX& T) const;
  /// The perfusion stimulus u per node over a macro step of length dt: the law's stimulus of each cell's
  /// deviatoric strain rate (strain path / dt), averaged over the cells around the node.
  VectorX nodal_stimulus(const PerfusionLaw& law, const StepSources& sources, Real dt) const;

  const SolidProblem& solid_;
  BioheatProblem& heat_;
  CoupledOptions options_;
  std::unique_ptr<QuasiStaticSolver> quasi_static_;
  std::unique_ptr<DynamicSolver> dynamic_;
  VectorX volume_;
  // Predictor and rest detection (carried from substep to substep of one run).
  VectorX du_last_;  // displacement increment of the last solved substep
  Real h_last_ = 0;  // its length [s]
  bool at_rest_ = false;
  VectorX tone_solved_;             // tone of the last solve
  StepSources* sources_ = nullptr;  // the sources being accumulated by mechanics()
};

}  // namespace tissue
