// Virtual myotonometer (MyotonPRO protocol): a probe pressed on the skin with a constant preload receives a
// brief impulse; the damped oscillation of the probe gives frequency F, dynamic stiffness S, logarithmic
// decrement D, relaxation time R and creep C. The tissue under the probe is a viscoelastic spring: its creep
// compliance under the impulse force comes from quasi-static solves on a local submesh built around the skin
// point (the run is never mutated), and the probe's mass oscillates on it.
#pragma once

#include <string>
#include <vector>

#include "libtissue/observe/step_view.hpp"

namespace tissue {

/// Instrument and local-model settings. Instrument values: calibration.md ("pre-load 0.18 N, impulse 0.4 N,
/// 15 ms, probe tip 3 mm": unverified); probe mass: calibration choice (see docs/observers.md).
struct MyotonOptions {
  Real preload = 0.18;            ///< constant pre-compression force [N]
  Real impulse = 0.4;             ///< additional force during the impulse [N]
  Real impulse_duration = 0.015;  ///< impulse length [s]
  Real probe_mass = 0.015;        ///< moving mass of the probe [kg]
  Real probe_diameter = 0.003;    ///< probe tip diameter [m] (modelled as a square of equal area)
  Real probe_height = 0.003;      ///< height of the probe block of the model [m]
  Real probe_modulus = 1e8;       ///< Young's modulus of the (nearly rigid) probe block [Pa]
  Real preload_time = 1.0;        ///< time over which the preload is ramped and held before the impulse [s]
  int preload_steps = 5;          ///< quasi-static steps of the preload ramp
  Real duration = 0.25;           ///< recording time from the start of the impulse [s]
  Real dt = 1e-3;                 ///< sampling interval of the probe signal [s]
  int substeps = 10;              ///< probe integration steps per sample
  Real creep_first_step = 1e-4;   ///< first step of the creep test's geometric time grid [s]
  Real creep_growth = 1.4;        ///< growth ratio of the creep test's steps [-]
  /// Force of the creep test as a fraction of the impulse [-]: small, so that J is the tangent compliance
  /// at the preload (the probe's response is superposed linearly on it).
  Real creep_force_fraction = 0.1;
  Real half_width = 0.02;  ///< half-width of the local box around the probe [m]
  Real max_depth = 0.05;   ///< deepest extent of the local box (or the mesh bottom if shallower) [m]
  Real growth = 2.0;       ///< growth ratio of cell sizes away from the probe [-]
  int tip_cells = 1;       ///< cells across the probe tip (per side) [-]
  /// Throws InputError "myoton.<field>" for invalid values.
  void validate() const;
};

/// A named measurement point on the skin (reference coordinates).
struct MyotonSite {
  std::string name;  ///< site name, e.g. "erector_spinae_right_L3" (the series group)
  Vec3 point;        ///< point on (or just above) the skin [m]
};

/// Probe signals from the start of the impulse (t = 0).
struct MyotonSignal {
  std::vector<Real> time;  ///< [s]
  std::vector<Real>
      displacement;  ///< probe displacement into the tissue relative to the preloaded position [m]
  std::vector<Real> acceleration;  ///< probe acceleration, positive into the tissue [m/s^2]
};

/// Myotonometer reading with the instrument's definitions (docs/observers.md).
struct MyotonReading {
  Real frequency = 0;         ///< F: frequency of the DFT peak of the free-oscillation acceleration [Hz]
  Real stiffness = 0;         ///< S = a_max m_probe / delta_l [N/m]
  Real decrement = 0;         ///< D = ln(a1 / a3), successive same-sign acceleration peaks [-]
  Real relaxation_time = 0;   ///< R: time from maximal deformation back to the preloaded position [s]
  Real creep = 0;             ///< C = R / deformation time [-]
  Real deformation_time = 0;  ///< time from the impulse start to maximal deformation [s]
  Real a_max = 0;             ///< largest |acceleration| after the impulse [m/s^2]
  Real delta_l = 0;           ///< maximal probe displacement [m]
  MyotonSignal signal;        ///< the probe signals
};

/// The probe's view of the tissue from a creep test on the preloaded local model (linear in the impulse: the
/// tissue is a viscoelastic spring under the probe; its own inertia is left out).
struct MyotonCreep {
  std::vector<Real> time;        ///< from the impulse start, geometric grid from 0 to the duration [s]
  std::vector<Real> compliance;  ///< J(t): probe displacement per newton under a held force step [m/N]
  std::vector<Real> drift;       ///< probe displacement under the held preload alone, from t = 0 [m]
  /// The probe's mass plus the tissue moving with it in the shape of the instantaneous deflection (Rayleigh's
  /// kinetic energy) [kg]; 0: the probe's mass alone.
  Real moving_mass = 0;
};

/// Evaluates the instrument quantities from probe signals (also usable on measured or analytic signals).
/// impulse_end [s]: end of the impulse (the free oscillation starts there); probe_mass [kg].
MyotonReading analyse_myoton_signal(const MyotonSignal& signal, Real impulse_end, Real probe_mass);

/// The local model around a skin point: a graded box (local frame: z outward normal, skin at z = 0) whose
/// cells take region, law, fibre, tone and temperature of the full-mesh cell at their centre, with the probe
/// block on top.
struct MyotonLocalModel {
  Mesh mesh;                                    ///< local mesh (last region "probe")
  std::vector<RegionMechanics> materials;       ///< per local region
  VectorX temperature;                          ///< nodal temperature [K] (empty: laws' T_ref)
  VectorX tone;                                 ///< tone per quadrature point (#cells x 8)
  std::vector<Index> probe_top;                 ///< nodes on the probe's top face (forces applied here)
  std::vector<Index> bottom, x_sides, y_sides;  ///< fixed, x-roller and y-roller nodes
  Real depth = 0;                               ///< depth of the box [m]
  Vec3 normal = Vec3::UnitZ();                  ///< outward skin normal at the point (global frame)
};

/// Probe signals of the instrument's protocol from a creep test: the probe mass on the tissue's creep
/// compliance under the impulse, plus the preload drift (Newmark trapezoidal rule, hereditary integral).
MyotonSignal myoton_probe_signal(const MyotonCreep& creep, const MyotonOptions& options);

/// Appends a reading as the series myoton_frequency (Hz), myoton_stiffness (N/m), myoton_decrement (1),
/// myoton_relaxation_time (s) and myoton_creep (1) of `group`.
void append_myoton_series(const std::string& group, const MyotonReading& reading, Observations& out);

/// Virtual MyotonPRO. Series (group = site name): myoton_frequency (Hz), myoton_stiffness (N/m),
/// myoton_decrement (1), myoton_relaxation_time (s), myoton_creep (1).
class Myotonometer final : public Observer {
 public:
  /// Observer measuring at `sites` each step (validated options).
  explicit Myotonometer(std::vector<MyotonSite> sites = {}, MyotonOptions options = {});
  /// "myotonometer".
  std::string_view name() const override { return "myotonometer"; }
  /// Builds the local model at a skin point from the view's state (throws InputError "myoton.point" if the
  /// point is not above the mesh).
  MyotonLocalModel local_model(const StepView& view, const Vec3& point) const;
  /// The creep test on a local model: the preload ramped and held (quasi-static, viscous), then the probe's
  /// response to a small force step (creep_force_fraction of the impulse) held from t = 0, less the
  /// preload's drift (two quasi-static runs on a geometric time grid).
  MyotonCreep creep(const MyotonLocalModel& model) const;
  /// Full protocol on a local model: creep test, then the probe's impulse and free oscillation on it
  /// (myoton_probe_signal) and the instrument's quantities.
  MyotonReading run(const MyotonLocalModel& model) const;
  /// Static probe stiffness of a local model at the preload: (w(preload + dF) - w(preload)) / dF [N/m], dF
  /// the creep test's force step; elastic response (instantaneous for viscoelastic laws: no time passes).
  Real static_stiffness(const MyotonLocalModel& model) const;
  /// local_model + run.
  MyotonReading measure(const StepView& view, const Vec3& point) const;
  /// Measures at every site and appends the series.
  void on_step(const StepView& view, Observations& out) override;
  /// Options in use.
  const MyotonOptions& options() const { return options_; }

 private:
  std::vector<MyotonSite> sites_;
  MyotonOptions options_;
};

}  // namespace tissue
