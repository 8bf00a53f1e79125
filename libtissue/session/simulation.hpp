// Runs a session on a model: builds the problems, steps through the techniques, records results.
#pragma once

#include <string>
#include <vector>

#include "libtissue/core/progress.hpp"
#include "libtissue/io/results_sink.hpp"
#include "libtissue/session/model.hpp"
#include "libtissue/session/session_spec.hpp"

namespace tissue {

/// Peak values of one region over the run.
struct RegionPeaks {
  std::string region;              ///< region name
  Real peak_displacement = 0;      ///< largest nodal displacement magnitude in the region [m]
  Real peak_pressure = 0;          ///< largest hydrostatic pressure -tr(sigma)/3 of a cell [Pa]
  Real peak_von_mises = 0;         ///< largest von Mises stress of a cell [Pa]
  Real peak_shear_strain = 0;      ///< largest max-shear Green-Lagrange strain of a cell [-]
};

/// What a run did and found.
struct RunSummary {
  std::vector<RegionPeaks> regions;  ///< per region, in region order
  Real peak_contact_pressure = 0;    ///< largest tool pressure on the skin [Pa]
  Real applied_force = 0;            ///< largest total tool force [N]
  Real simulated_time = 0;           ///< end time [s]
  int steps = 0;                     ///< accepted mechanical steps
  int newton_iterations = 0;         ///< total Newton iterations
  std::string linear_solver;         ///< linear solver used
  Index n_cells = 0, n_nodes = 0, n_equations = 0;  ///< problem size
  double wall_seconds = 0;           ///< wall time of the run [s]
};

/// Runs a SessionSpec on a Model and writes through a ResultsSink.
class Simulation {
public:
  /// Borrows the model (it must outlive the simulation); validates the session against it.
  Simulation(const Model& model, SessionSpec session, RunContext ctx = {});
  /// Runs every technique in order, writing mesh, fields and series to `sink`; returns the summary.
  RunSummary run(ResultsSink& sink);

private:
  const Model& model_;
  SessionSpec session_;
  RunContext ctx_;
};

}  // namespace tissue
