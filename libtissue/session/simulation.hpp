// Runs a session on a model: builds the protocol and the coupled problems, marches macro steps over the
// whole session (techniques, rests, follow-up) and records results.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "libtissue/core/progress.hpp"
#include "libtissue/core/state_archive.hpp"
#include "libtissue/io/results_sink.hpp"
#include "libtissue/mechanics/solid_problem.hpp"
#include "libtissue/session/model.hpp"
#include "libtissue/session/session_spec.hpp"
#include "libtissue/session/standard_outputs.hpp"
#include "libtissue/solver/coupled_stepper.hpp"
#include "libtissue/technique/protocol.hpp"
#include "libtissue/tone/tone_law.hpp"

namespace tissue {

/// Peak values of one region over the run.
struct RegionPeaks {
  std::string region;               ///< region name
  Real peak_displacement = 0;       ///< largest nodal displacement magnitude in the region [m]
  Real peak_pressure = 0;           ///< largest hydrostatic pressure -tr(sigma)/3 of a cell [Pa]
  Real peak_von_mises = 0;          ///< largest von Mises stress of a cell [Pa]
  Real peak_shear_strain = 0;       ///< largest max-shear Green-Lagrange strain of a cell [-]
  Real peak_temperature = 0;        ///< largest nodal temperature in the region [K]
  Real final_temperature_mean = 0;  ///< volume-mean temperature at the end of the run [K]
};

/// Where the time of one protocol item went (the profile of a run, by item).
struct ItemProfile {
  std::string name;            ///< technique name, "rest" or "follow_up"
  std::string region;          ///< target region ("" for rests)
  Real t0 = 0, t1 = 0;         ///< the item's time span [s]
  int macro_steps = 0;         ///< macro (heat) steps
  int jump_windows = 0;        ///< of which cycle-jump windows
  MechanicsStats mechanics;    ///< substeps, rest substeps, cuts, Newton counters and timings
  double seconds_heat = 0;     ///< wall time of the heat steps [s]
  double seconds_tone = 0;     ///< wall time of the tone updates [s]
  double seconds_outputs = 0;  ///< wall time of observers, statistics and writing [s]
  double seconds = 0;          ///< wall time of the item [s]
};

/// The session's energy budget [J]: the tools' work on the tissue against the change of its stored energy
/// plus its viscous dissipation (the balance closes to the time discretisation; docs/sessions.md).
struct EnergyBudget {
  Real work = 0;                 ///< work of the tools (and supports) on the tissue
  Real stored_change = 0;        ///< stored energy at the end minus at t = 0 (after the resting balance)
  Real dissipated = 0;           ///< viscous dissipation (= viscous heat)
  Real friction_heat = 0;        ///< friction heat into the skin (from the tools, not from the tissue's work)
  Real contact_heat = 0;         ///< heat from hot tools into the skin
  Real perfusion_heat = 0;       ///< heat carried by the blood (negative: removed)
  Real convection_heat = 0;      ///< heat to the air (negative: lost)
  Real core_heat = 0;            ///< heat through the core-temperature (bone) nodes
  Real heat_content_change = 0;  ///< change of the tissue's heat content
  /// work - stored_change - dissipated, relative to the work (0 when the work is 0) [-].
  Real mechanical_imbalance() const;
};

/// What a run did and found.
struct RunSummary {
  std::vector<RegionPeaks> regions;                 ///< per region, in region order
  Real peak_contact_pressure = 0;                   ///< largest tool pressure on the skin [Pa]
  Real applied_force = 0;                           ///< largest total tool force [N]
  Real simulated_time = 0;                          ///< end time [s]
  int steps = 0;                                    ///< accepted mechanical substeps that were solved
  int rest_steps = 0;                               ///< unloaded substeps skipped at rest
  int newton_iterations = 0;                        ///< total Newton iterations
  int factorizations = 0;                           ///< numeric factorisations of the mechanics
  std::string linear_solver;                        ///< linear solver used
  Index n_cells = 0, n_nodes = 0, n_equations = 0;  ///< problem size
  double wall_seconds = 0;                          ///< wall time of the run [s]
  int thermal_steps = 0;                            ///< bioheat steps
  Real friction_heat = 0;                           ///< friction heat that entered the skin [J]
  Real dissipated_heat = 0;                         ///< viscous dissipation of the tissue [J]
  Real work = 0;                                    ///< mechanical work of the tools on the tissue [J]
  Real contact_heat = 0;                            ///< heat from hot tools (stone, pack) into the skin [J]
  int resolved_cycles = 0;               ///< cycles of periodic techniques resolved in cycle-jump windows
  int jumped_cycles = 0;                 ///< cycles advanced with averaged sources (not resolved)
  int rigid_tool_steps = 0;              ///< substeps with a position-driven (rigid) tool in contact
  int stalled_steps = 0;                 ///< of those, substeps with the drive at its stall force
  EnergyBudget energy;                   ///< the session's energy budget
  std::vector<ItemProfile> profile;      ///< where the time went, per protocol item
  std::vector<MuscleReport> muscles;     ///< per muscle: tone and elasticity before, after, at the end
  std::vector<SafetyFlag> safety_flags;  ///< every safety flag raised, in time order
};

/// Read-only view of the run after one macro step [t0, t1] (for observers and the tone hook).
struct SessionStep {
  Real t0 = 0;                                ///< start of the macro step [s]
  Real t1 = 0;                                ///< end of the macro step [s]
  const SolidProblem* solid = nullptr;        ///< the solid (mesh, materials, geometry)
  const CoupledState* state = nullptr;        ///< displacement, history, temperature, tone at t1
  const VectorX* cell_perfusion = nullptr;    ///< perfusion per cell during the step [1/s]
  const VectorX* cell_dissipation = nullptr;  ///< viscous energy per cell over the step [J]
  const FacetQuadrature* skin = nullptr;      ///< skin quadrature (points of skin_pressure)
  std::span<const Real> skin_pressure;        ///< largest tool pressure per skin point over the step [Pa]
  ProtocolState protocol;                     ///< protocol item active at t0
  bool cycle_jump = false;                    ///< whether the step advanced jumped (unresolved) cycles
  bool record = false;                        ///< whether this step writes a series row
};

/// Called after every macro step with a read-only view; may append series values (written when the
/// step is a recording step) and safety flags (always written). The adapter for tissue::Observer is a
/// lambda building a StepView from the SessionStep.
using StepObserver = std::function<void(const SessionStep& step, std::vector<SeriesValue>& series,
                                        std::vector<SafetyFlag>& flags)>;

/// Runs a SessionSpec on a Model and writes through a ResultsSink.
class Simulation {
 public:
  /// Borrows the model (it must outlive the simulation); validates the session against it and builds
  /// the protocol (InputError "file:line:col: technique[i].field: ..." for unknown muscles etc.). With
  /// ctx.threads 0 (the default) the run uses the session's [run] threads, else all cores.
  Simulation(const Model& model, SessionSpec session, RunContext ctx = {});
  /// Runs the protocol (techniques, rests, follow-up), writing mesh, fields, series and events to
  /// `sink`; returns the summary. The sink's metadata "status" says "running" from the start, then
  /// "completed", "failed" or "interrupted" ("status_reason" says why); NumericalError and Cancelled
  /// propagate after the status is recorded.
  RunSummary run(ResultsSink& sink);
  /// Continues a run from a checkpoint (read_checkpoint) of the same session on the same model: `sink` holds
  /// the results up to the checkpoint's time (reopen_results_at) and gets the rest. [run] settings may differ
  /// from the checkpointed run's (e.g. a smaller substep_scale after a failure); the protocol and the model
  /// may not (InputError). The summary counts the whole run. Observers added with add_observer start afresh.
  RunSummary resume(ResultsSink& sink, const StateArchive& checkpoint);
  /// Writes checkpoints to `path` (io/checkpoint_file.hpp): every [run] checkpoint_every of simulated time at
  /// the end of a macro step, and when the run fails (the state at the start of the failed macro step) or is
  /// cancelled. Empty: none (the default). A checkpoint starts a fresh mechanics stepper, so that a run
  /// resumed from it and the run that goes on solve alike (they agree to round-off).
  void set_checkpoint_file(std::filesystem::path path) { checkpoint_file_ = std::move(path); }
  /// Adds an observer called after every macro step.
  void add_observer(StepObserver observer);
  /// Replaces the tone law the stepper integrates (default: the standard outputs' law; the standard outputs
  /// still set the resting tone at t = 0). Without standard outputs the resting tone is 0.
  void set_tone_law(std::shared_ptr<const ToneLaw> law);
  /// The protocol built from the session.
  const Protocol& protocol() const { return protocol_; }
  /// The standard outputs (tone law, elastography, myotonometer, safety) attached by the constructor, or
  /// nullptr when session.outputs.standard is false.
  const StandardOutputs* standard_outputs() const { return standard_.get(); }

 private:
  RunSummary run_guarded(ResultsSink& sink, const StateArchive* from);
  RunSummary run_protocol(ResultsSink& sink, const StateArchive* from);
  void record_stop(ResultsSink& sink, std::string_view status, std::string_view reason);

  const Model& model_;
  SessionSpec session_;
  RunContext ctx_;
  Protocol protocol_;
  std::vector<StepObserver> observers_;
  std::shared_ptr<const ToneLaw> tone_law_;
  std::shared_ptr<StandardOutputs> standard_;
  std::filesystem::path checkpoint_file_;
};

/// Builds the technique of one session item over `mesh` (SkinPatch::of_region of its target); errors
/// name `prefix` (e.g. "technique[2]"). Rests give nullptr.
std::shared_ptr<const Technique> make_technique(const TechniqueSpec& item, const Mesh& mesh,
                                                std::string_view prefix);

}  // namespace tissue
