// Where the loads of a coupled run come from: the interface between the stepper and whatever drives the
// tissue (the protocol's massage tools in a session, a load function in a test), and what the loads put into
// the heat equation over a macro step.
#pragma once

#include <functional>
#include <vector>

#include "libtissue/core/types.hpp"
#include "libtissue/mechanics/solid_form.hpp"
#include "libtissue/solver/mechanics_solver.hpp"

namespace tissue {

class ToneLaw;

/// Energies and extremes that the substeps of one macro step put into the heat equation and the outputs.
/// Energies (not powers), so that heat = work exactly whatever the substeps.
struct StepSources {
  VectorX dissipation;              ///< viscous energy dissipated per cell [J]
  VectorX strain_path;              ///< sum of the substeps' deviatoric strain changes per cell [-]
  std::vector<Real> friction;       ///< friction heat into the skin per skin point [J/m^2]
  std::vector<Real> h_dt;           ///< time integral of the tool/skin contact conductance [J/(m^2 K)]
  std::vector<Real> hT_dt;          ///< time integral of conductance x tool temperature [J/m^2]
  std::vector<Real> peak_pressure;  ///< largest tool pressure per skin point [Pa]
  /// Largest cell-mean hydrostatic pressure of each cell over the solved substeps [Pa] (-inf before the
  /// first): the region peaks of the outputs see every substep, not only the macro-step ends.
  VectorX cell_peak_pressure;
  /// Largest von Mises stress of each cell (of its mean Cauchy stress) over the solved substeps [Pa].
  VectorX cell_peak_von_mises;
  /// Where displacements are measured from (the body at rest, all dofs), borrowed from the owner of these
  /// sources; null: node_peak_displacement is not kept.
  const VectorX* displacement_reference = nullptr;
  /// Largest |u - displacement_reference| of each node over the solved substeps [m] (with a reference).
  VectorX node_peak_displacement;
  /// Time integral of each cell's tone drive over the substeps (the tone law's response to the cell pressure,
  /// ToneLaw::pressure_drive; the pressure itself without a law) [drive s]: the tone stimulus of the macro
  /// step.
  VectorX tone_drive_time;
  Real tone_drive_span = 0;  ///< the time tone_drive_time covers [s]
  /// The law whose drive tone_drive_time sums (null: the pressures themselves), set by whoever makes these
  /// sources (CoupledStepper::make_sources) and kept by reset().
  const ToneLaw* tone_drive_law = nullptr;
  Real friction_heat = 0;  ///< total friction heat into the skin [J]
  Real work = 0;           ///< work of the tools on the tissue [J]
  Real force_last = 0;     ///< normal tool force at the end of the last substep [N]
  Real force_max = 0;      ///< largest normal tool force of the substeps [N]

  /// Zeroes everything for `cells` cells, `points` skin points and `nodes` mesh nodes (the displacement
  /// reference and the tone law stay).
  void reset(Index cells, Index points, Index nodes = 0);
  /// Adds one substep of length h [s] to the tone drive: the law's drive integrated along the pressure path
  /// linear from each cell's pressure at the substep's start to its end [Pa] (3-point Gauss; one point where
  /// a cell's pressure did not change); without a law, the trapezoid of the pressures. In place.
  void add_tone_drive(const VectorX& p_start, const VectorX& p_end, Real h);
  /// Takes the substep peaks (cell pressure and von Mises stress, node displacement) of the accepted state
  /// u with the element pass's cell values `pressure` and `von_mises`.
  void add_peaks(const VectorX& u, const VectorX& pressure, const VectorX& von_mises);
  /// Adds f times the mechanical energies (viscous heat, work) and the strain path accumulated since `before`
  /// (cycle jumping: the settled cycles repeated); the tool loads of jumped cycles are sampled instead. A
  /// repeated cycle returns the tissue to the state it started from, so its work is the resolved work less
  /// `stored` [J], the stored energy gained since `before` (else the energy stored by loading from rest would
  /// be counted again in every jumped cycle: +52 % imbalance in 30 s of strokes).
  void extrapolate(const StepSources& before, Real f, Real stored = 0);
};

/// The mechanical loads at the end of one substep.
struct SubstepLoads {
  MechanicalLoad load;            ///< dead nodal forces f_ext and prescribed displacements (3 x #nodes)
  std::vector<SolidForm*> forms;  ///< rigid tools in contact (owned by the provider)
  bool loaded = false;            ///< some load acts on the tissue (false: unloaded, may rest)
  /// The dead loads as a function of time inside the substep (the dynamic integrator samples it at its
  /// alpha levels); empty: `load` held over the substep.
  LoadFunction path;
};

/// Drives a coupled run: the substep schedule, the loads at each substep end, and the tools' surface heat
/// and pressure. Implementations: ProtocolLoads (session/, the massage tools) and FunctionLoads (below).
class LoadProvider {
 public:
  /// Virtual destructor: providers are used through references to this interface.
  virtual ~LoadProvider() = default;
  /// Largest substep from t [s] that resolves the loads (the stepper also stops at macro-step ends).
  virtual Real max_substep(Real t) const = 0;
  /// Loads at the end t1 of the substep [t0, t1]; `u0` is the committed displacement at t0 (all dofs).
  virtual void loads(Real t0, Real t1, const VectorX& u0, SubstepLoads& out) = 0;
  /// Called once the substep [t0, t1] is accepted with displacement u1: adds the tools' surface heat and peak
  /// pressure over the substep (and anything else the provider tracks) to `sources`.
  virtual void accepted(Real t0, Real t1, const VectorX& u1, StepSources& sources) = 0;
};

/// A LoadProvider from a load function f(t) (dead forces and prescribed displacements) with equal substeps
/// of at most `max_substep` [s]: no surface heat. For tests and benchmarks of the stepper.
class FunctionLoads final : public LoadProvider {
 public:
  /// Loads load(t); substeps of at most max_substep [s] (> 0).
  FunctionLoads(LoadFunction load, Real max_substep);
  /// The constant substep limit.
  Real max_substep(Real) const override { return h_; }
  /// load(t1); loaded unless f_ext is zero and nothing is prescribed away from zero.
  void loads(Real t0, Real t1, const VectorX& u0, SubstepLoads& out) override;
  /// Nothing (no tools on the skin).
  void accepted(Real, Real, const VectorX&, StepSources&) override {}

 private:
  LoadFunction load_;
  Real h_;
};

}  // namespace tissue
