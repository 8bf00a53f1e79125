// A rigid tool head in frictional penalty contact with the skin (a SolidForm): the massage-gun head, or any
// tool driven by position. The contact pressure comes out of the solve, and the head's axial position is an
// unknown in equilibrium between the contact force and a drive that stalls at a force limit.
//
// Geometry: the head is every point within `edge_radius` of a flat disc of radius `flat_radius` (the
// Minkowski sum of a disc and a ball): a ball for flat_radius = 0, a flat head with a rounded edge
// otherwise. Its axis a (unit, into the tissue) passes through the reference skin point X0; the head's
// front lies at X0 + s a, s the head depth (s = 0: touching the undeformed skin at X0).
//
// Contact at the skin quadrature points x_q = X_q + u(X_q) (Gauss point to analytic surface): gap g_q =
// dist(x_q, disc) - edge_radius, normal force lambda_q = eps w_q <-g_q> (eps penalty per area [Pa/m], w_q the
// point's reference area), energy Pi_c = sum_q eps w_q <-g_q>^2 / 2 (Wriggers 2006, Computational Contact
// Mechanics, ch. 5 and 6).
//
// Drive (depth mode): a spring of stiffness k from the commanded depth d to the head, its force capped at the
// stall force F_s: E_d(s) = k (d - s)^2 / 2 while k (d - s) <= F_s, else F_s (d - s) - F_s^2 / (2 k) (convex,
// C1). Force mode: E_d(s) = -F s. The head depth is eliminated: for each u, s*(u) minimises Pi_c(u, s) +
// E_d(s) (a scalar convex problem, safeguarded Newton), so the head is always in equilibrium (drive force =
// contact resultant) and the reduced energy Pi(u) = min_s (Pi_c + E_d) has gradient dPi_c/du (envelope
// theorem) and Hessian K_uu - k_us k_us^T / k_ss: the sparse contact blocks plus one low-rank term.
//
// Friction: kinetic Coulomb, force mu lambda_q along the tool's velocity relative to the skin projected on
// the plane normal to the contact normal (regularised near zero slip), acting on the skin, with the normal
// force and direction of the last accepted state (commit()): within a step the friction is a dead load, so
// the problem keeps its energy, its symmetric tangent and its energy line search. The lag is one substep
// (1/20 of a gun cycle); friction heat is computed from the solved pressure of each substep.
//
// The penalty is smoothed over a penetration `smoothing` (force eps d^2 / (2 delta) below delta, eps (d -
// delta/2) above): the energy is C2, so points entering contact do not make Newton cycle.
#pragma once

#include <limits>
#include <string_view>
#include <vector>

#include "libtissue/core/state_archive.hpp"
#include "libtissue/fem/assembly_map.hpp"
#include "libtissue/fem/dof_map.hpp"
#include "libtissue/fem/facet_integrator.hpp"
#include "libtissue/mechanics/solid_form.hpp"
#include "libtissue/mesh/mesh.hpp"

namespace tissue {

/// Shape of a rigid head: the points within edge_radius of a flat disc of radius flat_radius.
struct RigidHead {
  Real flat_radius = 0.0;     ///< radius of the flat face [m] (0: a ball)
  Real edge_radius = 0.0125;  ///< rounding radius [m] (the ball's radius for a ball head)
  /// Throws InputError("<prefix>.flat_radius" / ".edge_radius") for negative or non-finite values, or a
  /// non-positive edge radius.
  void validate(std::string_view prefix = "head") const;
};

/// How the head is driven along its axis.
enum class RigidDriveMode {
  depth,  ///< towards a commanded depth through a stiff spring, capped at a stall force
  force   ///< with a prescribed axial force
};

/// The drive of a rigid head.
struct RigidDrive {
  RigidDriveMode mode = RigidDriveMode::depth;  ///< depth or force control
  Real depth = 0;                               ///< commanded depth of the head's front [m] (depth mode)
  Real stiffness = 1e5;                         ///< drive stiffness [N/m] (depth mode)
  Real force_limit = std::numeric_limits<Real>::infinity();  ///< stall force [N] (depth mode)
  Real force = 0;                                            ///< axial force [N] (force mode)
  /// Throws InputError("<prefix>.<field>") for non-finite depth, non-positive stiffness or force limit,
  /// negative force.
  void validate(std::string_view prefix = "drive") const;
};

/// A rigid tool at one instant: head, drive, pose and sliding.
struct RigidTool {
  RigidHead head;                ///< shape
  RigidDrive drive;              ///< axial drive
  Vec3 origin = Vec3::Zero();    ///< reference skin point on the head's axis [m]
  Vec3 axis = Vec3(0, 0, -1);    ///< unit push direction (into the tissue)
  Vec3 velocity = Vec3::Zero();  ///< tool velocity relative to the skin [m/s] (sets the friction direction)
  Real mu = 0;                   ///< kinetic friction coefficient head/skin [-]
  /// Validates head, drive, a unit axis and a non-negative finite mu (InputError "<prefix>.<field>").
  void validate(std::string_view prefix = "tool") const;
};

/// Numerical settings of the rigid contact.
struct RigidContactOptions {
  /// Normal penalty per reference area [Pa/m]: a point penetrating by delta carries eps delta of pressure.
  /// Numerical choice: 1e9 Pa/m lets 100 kPa of contact pressure penetrate 0.1 mm, against head travels of
  /// 10-16 mm, and keeps the point stiffness near that of a coarse skin element.
  Real penalty = 1e9;
  /// Slip speed below which the friction force fades smoothly to zero [m/s] (as FrictionOptions).
  Real regularisation_speed = 1e-4;
  /// Penetration over which the penalty force grows from zero slope to eps [m] (numerical choice: 0.05 mm,
  /// below the penetration of a typical point under load).
  Real smoothing = 5e-4;
  /// Include the contact's curvature term -lambda d2g/dx2 in the sparse tangent (exact Hessian). Off by
  /// default: that term is negative, makes the tangent indefinite when a step starts with the head commanded
  /// deep into the undeformed skin, and at converged penetrations (pressure / penalty) it is a few percent of
  /// the normal stiffness at most, so leaving it out only slows Newton slightly.
  bool curvature_tangent = false;
  /// Throws InputError("<prefix>.penalty" / ".regularisation_speed" / ".smoothing") unless positive and
  /// finite.
  void validate(std::string_view prefix = "contact") const;
};

/// What the head did at the last evaluation.
struct RigidContactState {
  Real head_depth = 0;        ///< s: depth of the head's front below the reference skin point [m]
  Real force = 0;             ///< axial contact resultant on the head = drive force [N]
  bool stalled = false;       ///< the drive sits at its force limit
  int points_in_contact = 0;  ///< skin quadrature points with negative gap
};

/// A rigid head in penalty contact with the skin points of `skin`, as a SolidForm.
class RigidToolContact final : public SolidForm {
 public:
  /// Borrows mesh, dof map, assembly map and skin quadrature (they must outlive the contact). Throws
  /// InputError if a skin facet belongs to no cell.
  RigidToolContact(const Mesh& mesh, const DofMap& dofs, const AssemblyMap& map, const FacetQuadrature& skin,
                   RigidContactOptions options = {});
  /// Sets the tool for the next evaluations (validated); the last head depth is kept as the start guess.
  void set_tool(const RigidTool& tool);
  /// The tool in use.
  const RigidTool& tool() const { return tool_; }
  /// Contact energy plus drive energy at the equilibrium head depth s*(u); adds forces, sparse tangent and
  /// the low-rank Schur term of the eliminated head depth.
  Real add(const VectorX& u, VectorX* f, SparseMatrix* K, std::vector<LowRankTerm>* low_rank) override;
  /// True: friction is a dead load within a step (lagged normal force).
  bool conservative() const override { return true; }
  /// |axial contact force| of the last evaluation [N].
  Real load_scale() const override { return std::abs(state_.force); }
  /// Head depth, force and stall of the last evaluation.
  const RigidContactState& state() const { return state_; }
  /// Contact pressure lambda_q / w_q at every skin point at the last evaluation [Pa] (0 off contact).
  const std::vector<Real>& pressure() const { return pressure_; }
  /// Friction force per unit reference area on the skin at every point at the last evaluation [Pa].
  const std::vector<Vec3>& friction_traction() const { return friction_; }
  /// Gap g_q of every skin point at displacement u for head depth s [m] (negative: penetration).
  std::vector<Real> gaps(const VectorX& u, Real s) const;
  /// Accepts the last evaluation's state: its normal forces and contact normals set the friction of the next
  /// steps. Call after each accepted step.
  void commit();
  /// Forgets the committed friction (a new contact starts without friction).
  void release();
  /// Writes the committed contact and the head state under "<prefix>.*" (a checkpoint).
  void save(StateArchive& a, std::string_view prefix) const;
  /// Reads what save() wrote.
  void load(const StateArchive& a, std::string_view prefix);
  /// Settings in use.
  const RigidContactOptions& options() const { return options_; }

 private:
  struct Geometry;  // gap, its gradient and Hessian at one point
  Geometry gap(const Vec3& x, Real s) const;
  Real solve_head(Real s_start);
  /// Axial equilibrium function h(s) = d(Pi_c + E_d)/ds and its derivative at s.
  void head_balance(Real s, Real& h, Real& dh) const;
  Vec3 point_position(Index p, const VectorX& u) const;

  const Mesh& mesh_;
  const DofMap& dofs_;
  const AssemblyMap& map_;
  const FacetQuadrature& skin_;
  RigidContactOptions options_;
  RigidTool tool_;
  RigidContactState state_;
  std::vector<std::array<int, 4>> local_;  // per facet: local node index of each corner in its cell
  std::vector<Index> cell_;                // per facet: a cell containing it
  std::vector<Real> pressure_;
  std::vector<Vec3> friction_;
  std::vector<Real> lambda_, lambda_committed_;  // normal force per point [N]
  std::vector<Vec3> normal_, normal_committed_;  // contact normal per point
  std::vector<Index> candidates_;                // skin points near the head in the current evaluation
  std::vector<Vec3> x_;                          // their current positions
};

}  // namespace tissue
