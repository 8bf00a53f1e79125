// Cycle jumping (cycle averaging) of periodic techniques: a macro step that resolves a few cycles of a
// periodic load and advances over the rest with the settled cycles' energies, the slow viscous history
// extrapolated geometrically, and the tools' surface heat sampled along their own path. See
// docs/sessions.md ("Cycle averaging") for the accuracy against fully resolved runs.
#pragma once

#include "libtissue/session/protocol_loads.hpp"
#include "libtissue/session/session_spec.hpp"
#include "libtissue/solver/coupled_stepper.hpp"
#include "libtissue/technique/protocol.hpp"

namespace tissue {

/// One macro step's plan: plain [t0, t1], or a cycle-jump window.
struct MacroPlan {
  Real t0 = 0;        ///< start [s]
  Real t1 = 0;        ///< end [s]
  bool jump = false;  ///< a cycle-jump window
  int resolved = 0;   ///< K: cycles resolved (jump)
  int jumped = 0;     ///< M: cycles advanced without mechanics (jump)
  Real period = 0;    ///< cycle period [s] (jump)
  /// Start of the first resolved cycle (jump), t0 + floor((M - 1) / 2) P: in the middle of the window
  /// (midpoint sampling of a gliding tool) [s].
  Real resolved_start = 0;
  /// Cycles over which the slow viscous history creeps (jump): `jumped` for a tool that stays in place (or
  /// passes every point once per period, as a stroke); for a fast cycle on a tool that glides on (a gliding
  /// gun), only the cycles its footprint dwells on a point, diameter / glide speed / period.
  Real creep_cycles = 0;
};

/// Plans macro steps and runs cycle-jump windows.
class CycleJumper {
 public:
  /// Borrows the protocol; the [run] settings give dt_thermal, the cycle window and K, M.
  CycleJumper(const Protocol& protocol, const RunSpec& run);
  /// The macro step from t: a jump window of K + M cycles when the item at t is periodic and averaging is on
  /// (the item's last window: the whole cycles left, if at least K + 1); else dt_quiet where the load changes
  /// slowly (the protocol's step limit is at least dt_quiet) and dt_thermal elsewhere (no sliver before an
  /// item boundary or t_end).
  MacroPlan plan(Real t, Real t_end) const;
  /// Runs the mechanics of a jump window from s.time = plan.t0: the K resolved cycles sit in the middle of
  /// the window (midpoint sampling of a gliding tool); their settled part stands for the M jumped ones in the
  /// energies; the slow Prony branches are advanced over the jumped cycles; the jumped cycles' tool loads are
  /// sampled along the path. Ends with s.time = plan.t1. Returns false on a failed substep.
  bool run(const MacroPlan& plan, CoupledStepper& stepper, CoupledState& s, ProtocolLoads& loads,
           StepSources& sources, MechanicsStats& stats, StepFailure& failure) const;

 private:
  const Protocol& protocol_;
  RunSpec run_;
};

}  // namespace tissue
