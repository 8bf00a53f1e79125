// Runs a session on a model: builds the protocol and the coupled problems, marches macro steps over the
// whole session (techniques, rests, follow-up) and records results.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "libtissue/core/progress.hpp"
#include "libtissue/io/results_sink.hpp"
#include "libtissue/mechanics/solid_problem.hpp"
#include "libtissue/session/model.hpp"
#include "libtissue/session/session_spec.hpp"
#include "libtissue/session/standard_outputs.hpp"
#include "libtissue/solver/coupled_stepper.hpp"
#include "libtissue/technique/protocol.hpp"

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

/// What a run did and found.
struct RunSummary {
  std::vector<RegionPeaks> regions;                 ///< per region, in region order
  Real peak_contact_pressure = 0;                   ///< largest tool pressure on the skin [Pa]
  Real applied_force = 0;                           ///< largest total tool force [N]
  Real simulated_time = 0;                          ///< end time [s]
  int steps = 0;                                    ///< accepted mechanical steps
  int newton_iterations = 0;                        ///< total Newton iterations
  std::string linear_solver;                        ///< linear solver used
  Index n_cells = 0, n_nodes = 0, n_equations = 0;  ///< problem size
  double wall_seconds = 0;                          ///< wall time of the run [s]
  int thermal_steps = 0;                            ///< bioheat steps (macro steps)
  Real friction_heat = 0;                           ///< friction heat that entered the skin [J]
  Real dissipated_heat = 0;                         ///< viscous dissipation of the tissue [J]
  Real work = 0;                                    ///< mechanical work of the tool on the tissue [J]
  Real contact_heat = 0;                            ///< heat from hot tools (stone, pack) into the skin [J]
  int resolved_cycles = 0;               ///< cycles of periodic techniques resolved in cycle-jump windows
  int jumped_cycles = 0;                 ///< cycles advanced with averaged sources (not resolved)
  int tool_yields = 0;  ///< substeps whose tool force was halved because the solve failed at full force
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
/// Integrates the tone over the macro step [t0, t1] (after the heat step): updates `tone`
/// (#cells x n_qp, or left empty for no tone); the mechanics of the next macro step reads it.
using ToneUpdate = std::function<void(const SessionStep& step, VectorX& tone)>;

/// Runs a SessionSpec on a Model and writes through a ResultsSink.
class Simulation {
 public:
  /// Borrows the model (it must outlive the simulation); validates the session against it and builds
  /// the protocol (InputError "file:line:col: technique[i].field: ..." for unknown muscles etc.).
  Simulation(const Model& model, SessionSpec session, RunContext ctx = {});
  /// Runs the protocol (techniques, rests, follow-up), writing mesh, fields, series and events to
  /// `sink`; returns the summary.
  RunSummary run(ResultsSink& sink);
  /// Adds an observer called after every macro step.
  void add_observer(StepObserver observer);
  /// Sets the tone law hook called after every macro step (none: tone held at 0); replaces the standard
  /// tone law (the standard outputs still set the resting tone at t = 0).
  void set_tone_update(ToneUpdate update);
  /// The protocol built from the session.
  const Protocol& protocol() const { return protocol_; }
  /// The standard outputs (tone law, elastography, myotonometer, safety) attached by the constructor, or
  /// nullptr when session.outputs.standard is false.
  const StandardOutputs* standard_outputs() const { return standard_.get(); }

 private:
  const Model& model_;
  SessionSpec session_;
  RunContext ctx_;
  Protocol protocol_;
  std::vector<StepObserver> observers_;
  ToneUpdate tone_update_;
  std::shared_ptr<StandardOutputs> standard_;
};

/// Builds the technique of one session item over `mesh` (SkinPatch::of_region of its target); errors
/// name `prefix` (e.g. "technique[2]"). Rests give nullptr.
std::shared_ptr<const Technique> make_technique(const TechniqueSpec& item, const Mesh& mesh,
                                                std::string_view prefix);

}  // namespace tissue
