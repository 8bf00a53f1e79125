// Read-only view of the simulation state at one instant, the Observer interface, and the helpers that
// map the state onto tone quadrature points (stimulus sampling, resting-tone field).
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "libtissue/core/types.hpp"
#include "libtissue/fem/facet_integrator.hpp"
#include "libtissue/io/results_sink.hpp"  // SeriesValue, SafetyFlag (plain structs, header only)
#include "libtissue/mechanics/solid_problem.hpp"
#include "libtissue/tone/tone_law.hpp"

namespace tissue {

/// Const references to the fields at one instant (ARCHITECTURE 2.5). Observers never mutate them.
struct StepView {
  Real time = 0;                          ///< time [s]
  const SolidProblem* solid = nullptr;    ///< the solid (mesh, materials, geometry); required
  const VectorX* displacement = nullptr;  ///< nodal displacement u (3 x #nodes) [m]; null: undeformed
  const SolidHistory* history = nullptr;  ///< committed viscoelastic history; null: undeformed
  const VectorX* temperature = nullptr;   ///< nodal temperature [K]; null: each law's T_ref
  const VectorX* tone = nullptr;          ///< tone per quadrature point (#cells x n_qp); null: 0
  const VectorX* perfusion = nullptr;     ///< perfusion per node or per cell [1/s or as given]; may be null
  const FacetQuadrature* skin = nullptr;  ///< skin quadrature of the contact pressure; may be null
  std::span<const Real> skin_pressure;    ///< contact pressure per skin quadrature point [Pa]; may be empty

  /// The mesh of the solid.
  const Mesh& mesh() const { return solid->mesh(); }
  /// SolidInputs (dt = 0) reading this view's temperature, tone and history (for cell_stress etc.).
  SolidInputs inputs() const;
  /// Throws InputError "step_view.<field>" if the solid is missing or a field has the wrong size.
  void validate() const;
};

/// What observers produce at one step: time-series values and safety flags (written by a ResultsSink).
struct Observations {
  std::vector<SeriesValue> series;  ///< one value per (group, name)
  std::vector<SafetyFlag> flags;    ///< flags raised at this step
};

/// An observer: computes derived outputs from a read-only StepView.
class Observer {
 public:
  /// Virtual destructor.
  virtual ~Observer() = default;
  /// Short name, e.g. "elastography".
  virtual std::string_view name() const = 0;
  /// Appends this step's series values and flags to `out`.
  virtual void on_step(const StepView& view, Observations& out) = 0;
};

/// Temperature at every quadrature point (#cells x n_qp) interpolated from nodal values with the
/// cell's shape functions [K]; a null or empty field gives `fallback` everywhere.
VectorX point_temperature(const SolidProblem& solid, const VectorX* nodal_temperature, Real fallback);

/// Hydrostatic pressure -tr(sigma)/3 at every quadrature point [Pa] (the cell mean of
/// SolidProblem::cell_stress, repeated over the cell's points) at the view's state.
VectorX point_pressure(const StepView& view);

/// Resting tone per quadrature point: RestingTone::for_region for muscle regions, 0 elsewhere.
VectorX resting_tone_field(const Mesh& mesh, int n_qp, const RestingTone& resting);

/// Region-volume-weighted mean of a per-point field (#cells x n_qp) over the cells of a region.
Real region_point_mean(const SolidProblem& solid, const VectorX& field, int region);

}  // namespace tissue
