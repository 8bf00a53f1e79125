// Problem set-up of a session run: the solid, the skin quadrature and footprint loads, the bioheat problem
// with its boundary, and the stepper's options, all from a Model and the [run] settings. One job: build;
// nothing here advances in time.
#pragma once

#include "libtissue/core/progress.hpp"
#include "libtissue/loading/contact_loads.hpp"
#include "libtissue/mechanics/solid_problem.hpp"
#include "libtissue/session/model.hpp"
#include "libtissue/session/session_spec.hpp"
#include "libtissue/solver/coupled_stepper.hpp"
#include "libtissue/thermal/bioheat_problem.hpp"
#include "libtissue/thermal/perfusion_law.hpp"

namespace tissue {

/// The problems of one run on one model (borrowed; the model must outlive them).
class SessionProblems {
 public:
  /// Builds everything for `model` with the [run] settings `run` on `threads` threads. Throws InputError
  /// when the model has no skin facet set or a setting is invalid.
  SessionProblems(const Model& model, const RunSpec& run, int threads);

  /// The mesh.
  const Mesh& mesh() const { return model_.mesh; }
  /// The finite-strain solid (bone node sets fixed).
  const SolidProblem& solid() const { return solid_; }
  /// Footprint loads on the skin (pressure, friction, heat of force-driven tools).
  const ContactLoad& contact() const { return contact_; }
  /// Skin quadrature, shared by the tool loads and the bioheat load surface.
  const FacetQuadrature& skin() const { return contact_.quadrature(); }
  /// The Pennes bioheat problem (core temperature on bone, convection to the air).
  BioheatProblem& heat() { return heat_; }
  /// The perfusion law of the run.
  const PerfusionLaw& perfusion_law() const { return perfusion_; }
  /// Reference volume of each cell [m^3].
  const VectorX& cell_volume() const { return cell_volume_; }
  /// The stepper's options from the [run] settings (kept factorisation, predictor, rest detection, ...).
  CoupledOptions stepper_options() const;
  /// The body at rest at t = 0: zero displacement, undeformed history, the steady temperature of perfusion,
  /// metabolism, core and air (perfusion evaluated at its own temperature by a fixed point).
  CoupledState initial_state();

 private:
  const Model& model_;
  RunSpec run_;
  SolidProblem solid_;
  ContactLoad contact_;
  BioheatProblem heat_;
  PerfusionLaw perfusion_;
  VectorX cell_volume_;
};

}  // namespace tissue
