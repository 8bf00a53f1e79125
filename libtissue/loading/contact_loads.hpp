// Loads a sliding tool applies to the skin: pressure, Coulomb friction traction, slip speed,
// friction heating and contact heat transfer, at the skin quadrature points.
#pragma once

#include <vector>

#include "libtissue/core/types.hpp"
#include "libtissue/fem/facet_integrator.hpp"
#include "libtissue/loading/footprint.hpp"
#include "libtissue/loading/tool_command.hpp"
#include "libtissue/mesh/mesh.hpp"

namespace tissue {

/// Per-quadrature-point loads on the skin (one entry per point of a FacetQuadrature).
///
/// Sign convention of the friction traction: `traction` is the force per area the TOOL exerts on
/// the SKIN. Kinetic Coulomb friction opposes the relative slip, so with v_t the tool's velocity
/// relative to the skin projected on the skin plane, the skin is dragged along with the tool:
///   t = + mu p v_t / |v_t|   (= -mu p s / |s| with s = -v_t the skin's slip relative to the tool).
/// The tool feels the opposite force. Friction heat: q = eta t . v_t = eta mu p |v_t| [W/m^2].
struct FacetLoads {
  std::vector<Real> pressure;             ///< normal pressure [Pa], acting along `push`
  Vec3 push = Vec3(0, 0, -1);             ///< unit direction of the pressure (into the tissue)
  std::vector<Vec3> traction;             ///< friction traction on the skin [Pa] (tangential)
  std::vector<Real> slip_speed;           ///< tangential tool/skin sliding speed |v_t| [m/s]
  std::vector<Real> heat_flux;            ///< friction heat into the skin [W/m^2]
  std::vector<Real> contact_h;            ///< tool/skin contact conductance [W/m^2/K]; 0 off the tool
  std::vector<Real> contact_temperature;  ///< tool temperature where contact_h > 0 [K], else 0

  /// Number of quadrature points.
  Index size() const { return static_cast<Index>(pressure.size()); }
  /// All fields zero on n points (no tool on the skin).
  static FacetLoads zero(Index n);
};

/// Options of the friction law (regularised kinetic Coulomb friction).
struct FrictionOptions {
  Real mu = friction::oiled_skin;           ///< dynamic friction coefficient [-]
  Real eta = kDefaultFrictionHeatFraction;  ///< fraction of the friction power entering the skin [-]
  /// Slip speed below which the friction traction fades smoothly to zero [m/s]:
  /// t = mu p v_t / sqrt(|v_t|^2 + eps^2). Numerical choice; 1e-4 m/s changes the traction of a
  /// 1 cm/s stroke by 5e-5. A resting tool applies no friction (sticking is left to rigid contact).
  Real regularisation_speed = 1e-4;
  /// Throws InputError naming `prefix.mu`, `prefix.eta` or `prefix.regularisation_speed`.
  void validate(std::string_view prefix = "friction") const;
};

/// Friction fields for a pressure field and a rigidly translating tool: fills traction, slip_speed
/// and heat_flux of `loads` (whose pressure must have quad.size() entries). `velocity` is the tool
/// velocity relative to the skin [m/s]; its component along each point's skin normal is ignored.
void apply_friction(const FacetQuadrature& quad, const Vec3& velocity, const FrictionOptions& options,
                    FacetLoads& loads);

/// Adds the nodal forces of the friction traction alone to f (3 x #nodes) [N].
void add_friction_forces(const FacetQuadrature& quad, const FacetLoads& loads, VectorX& f);
/// Adds the nodal forces of pressure plus friction traction to f (3 x #nodes) [N].
void add_contact_forces(const FacetQuadrature& quad, const FacetLoads& loads, VectorX& f);
/// Total friction force on the skin, the integral of the traction [N].
Vec3 total_friction_force(const FacetQuadrature& quad, const FacetLoads& loads);
/// Friction heat entering the skin per unit time, the integral of heat_flux [W].
Real total_friction_heat(const FacetQuadrature& quad, const FacetLoads& loads);
/// Heat flux from a hot (or cold) tool into the skin, h (T_tool - T_skin) at each point [W/m^2],
/// given the skin temperature at the quadrature points [K] (explicit form; BioheatProblem applies
/// contact_h and contact_temperature implicitly instead).
std::vector<Real> contact_heat_flux(const FacetLoads& loads, const std::vector<Real>& skin_temperature);

/// Turns a ToolCommand into FacetLoads on the skin: footprint pressure (exactly normalised to the
/// force), friction, friction heat and, for a tool with a temperature, contact conductance over the
/// footprint (where its profile is positive). Borrows the mesh.
class ContactLoad {
 public:
  /// Builds the skin quadrature (see FootprintLoad).
  ContactLoad(const Mesh& mesh, const FacetSet& skin);

  /// The underlying footprint load (and its quadrature).
  const FootprintLoad& footprint_load() const { return footprint_; }
  /// Quadrature of the skin.
  const FacetQuadrature& quadrature() const { return footprint_.quadrature(); }
  /// Loads of a force-controlled command (cmd.force); zero loads if inactive. Throws InputError for
  /// a depth-controlled command (its force comes from the solver: use the overload).
  FacetLoads evaluate(const ToolCommand& cmd) const;
  /// Loads with the normal force given by the caller [N] (depth control: the force the solver found,
  /// e.g. with depth_control_force; it is capped at cmd.force_limit here).
  FacetLoads evaluate(const ToolCommand& cmd, Real normal_force) const;
  /// Adds the nodal forces of pressure and friction to f (3 x #nodes) [N].
  void add_forces(const FacetLoads& loads, VectorX& f) const;

 private:
  FootprintLoad footprint_;
};

}  // namespace tissue
