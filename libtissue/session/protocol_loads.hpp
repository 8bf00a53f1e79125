// Tool driving: the LoadProvider of a session. At each substep it asks the protocol what the tool does and
// turns that into the mechanics' loads, and after the substep it samples the tool along its own path for the
// heat equation (friction heat, hot-tool contact, peak pressure).
//
// Which tool is which model (docs/sessions.md, "Tools"):
//  - force-driven hand tools (palm, thumb, forearm, fist, hand edge), stones and packs are pressure
//    footprints: the therapist controls the force, and the soft hand spreads it over a smooth profile that a
//    rigid indenter would not reproduce (a rigid head has edge pressure peaks that a hand does not have);
//  - position-driven tools (the massage-gun heads) are rigid heads in penalty contact (RigidToolContact): the
//    gun's motor drives the head's position, the contact pressure comes out of the solve, and the stall force
//    caps the drive.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include "libtissue/mechanics/rigid_contact.hpp"
#include "libtissue/session/session_problems.hpp"
#include "libtissue/solver/load_provider.hpp"
#include "libtissue/technique/protocol.hpp"

namespace tissue {

/// The rigid head of a position-driven tool's footprint (gun heads): a ball of the footprint's radius for
/// ball and bullet heads, a flat face with a rounded edge for the flat head.
RigidHead rigid_head_of(const Footprint& footprint);

/// Counters of the tool driving over a run.
struct ToolStats {
  int rigid_substeps = 0;    ///< substeps with a rigid (position-driven) tool in contact
  int stalled_substeps = 0;  ///< of those, substeps at which the drive sat at its stall force
};

/// The LoadProvider of a session: the protocol's tools on the skin.
class ProtocolLoads final : public LoadProvider {
 public:
  /// Borrows the problems and the protocol; `depth_stiffness` [N/m] is the drive stiffness of position-driven
  /// tools, `contact` the rigid contact settings, `substep_scale` (in (0, 1]) scales every technique's step
  /// limit (1: production; smaller: a refined reference run).
  ProtocolLoads(const SessionProblems& problems, const Protocol& protocol, Real depth_stiffness,
                RigidContactOptions contact, Real substep_scale = 1.0);
  /// The protocol's step limit at t; with substep_scale < 1 each such step split into ceil(1/substep_scale)
  /// equal substeps (never past a breakpoint of the production schedule).
  Real max_substep(Real t) const override;
  /// The tool of the item active at t0, at its position at t1: footprint forces or the rigid head.
  void loads(Real t0, Real t1, const VectorX& u0, SubstepLoads& out) override;
  /// Samples the tool over [t0, t1] into the sources (rigid tools: the solved contact pressure).
  void accepted(Real t0, Real t1, const VectorX& u1, StepSources& sources) override;
  /// Forgets the rigid head's friction and pressure of the last accepted substep (the time jumps in cycle
  /// jumping, or no rigid head is active): the next head contact starts without them.
  void interrupt();

  /// Cycle jumping: log the tool force of the substeps from now on (time, force), replacing the last log.
  void start_force_log();
  /// Stops logging.
  void stop_force_log() { logging_ = false; }
  /// Tool loads over [ta, tb] without mechanics (jumped cycles): each tool along its own path and timing; a
  /// position-driven tool as a footprint carrying the force logged over the last resolved cycle at the same
  /// phase (cycle starting at `cycle_start`, period `period`), its friction heat scaled by the ratio of the
  /// rigid head's friction heat to the footprint's at the same forces over the logged cycle (the head's
  /// contact normals tilt, so its friction heat exceeds mu F |v| of a flat footprint).
  void sample_window(Real ta, Real tb, Real cycle_start, Real period, StepSources& sources) const;
  /// Counters so far.
  const ToolStats& stats() const { return stats_; }
  /// Writes the tools' state between substeps (rigid head, its last pressure and force, counters) under
  /// "tools.*" (a checkpoint at a macro-step boundary).
  void save(StateArchive& a) const;
  /// Reads what save() wrote.
  void load(const StateArchive& a);
  /// The rigid contact (state of the last evaluation).
  const RigidToolContact& rigid_contact() const { return rigid_; }

 private:
  /// Adds footprint samples of the tool of item `st` over [tau, tau + h] (force_at(t): normal force).
  template <class ForceAt>
  void sample_footprint(const ProtocolState& st, Real tau, Real h, const ForceAt& force_at,
                        Real friction_scale, StepSources& sources) const;

  const SessionProblems& problems_;
  const Protocol& protocol_;
  Real depth_stiffness_;
  Real substep_scale_;
  // The production step being split by a substep_scale < 1 (max_substep is a query, the split its cache).
  mutable Real stretch_start_ = 0, stretch_end_ = 0, stretch_step_ = 0;
  RigidToolContact rigid_;
  // The substep being solved.
  ProtocolState state_;
  ToolCommand command_;
  bool rigid_active_ = false;
  VectorX f_ext_;                   // footprint forces of the substep end
  std::vector<Real> end_pressure_;  // footprint pressure of the substep end
  // Rigid tool between substeps: pressure and force at the last accepted state.
  std::vector<Real> rigid_pressure_prev_;
  Real rigid_force_prev_ = 0;
  bool rigid_prev_valid_ = false;
  // Force log (cycle jumping).
  bool logging_ = false;
  std::vector<std::pair<Real, Real>> force_log_;
  Real logged_rigid_friction_ = 0;      // friction heat of the rigid head over the logged substeps [J]
  Real logged_footprint_friction_ = 0;  // eta mu F |v| of a footprint at the same forces [J]
  ToolStats stats_;
};

}  // namespace tissue
