// Massage-tool footprints: the smooth pressure distribution a tool applies to the skin.
#pragma once

#include <string_view>
#include <vector>

#include "libtissue/core/types.hpp"
#include "libtissue/fem/facet_integrator.hpp"
#include "libtissue/mesh/mesh.hpp"

namespace tissue {

/// Contact shape of a tool: an elliptical patch with semi-axes a (along the tool's u axis) and b,
/// and a radial pressure profile phi(rho) = (1 - rho^n)^m for rho < 1 (rho = elliptical radius):
/// n = 2, m = 1/2 is Hertz-like (rigid sphere), large n with m >= 1 is a flat tool with soft rim.
struct Footprint {
  std::string_view name = "custom";  ///< tool name for reports
  Real a = 0.02;                     ///< semi-axis along the tool's u direction [m]
  Real b = 0.02;                     ///< semi-axis across [m]
  Real n = 2.0;                      ///< profile exponent (flatness) [-]
  Real m = 1.0;                      ///< profile power (edge softness) [-]

  /// Relative pressure in [0, 1] at local in-plane coordinates (x along u, y across) [m].
  Real profile(Real x, Real y) const;
  /// Contact area of the patch, pi a b [m^2].
  Real area() const;
  /// Throws InputError naming the field if a, b, n or m are not positive.
  void validate() const;

  /// Thumb pad: about 2 cm across, parabolic profile.
  static Footprint thumb();
  /// Palm: about 8 x 10 cm, flat with a soft rim.
  static Footprint palm();
  /// Forearm (ulnar border): about 4 x 14 cm, rounded.
  static Footprint forearm();
  /// Fist (flat of the proximal phalanges): about 4 x 8 cm.
  static Footprint fist();
  /// Massage-gun ball head: 2.5 cm diameter, Hertz-like.
  static Footprint gun_ball();
  /// Massage-gun flat head: 4.5 cm diameter, flat.
  static Footprint gun_flat();
  /// Massage-gun bullet head: 1.2 cm diameter contact, Hertz-like.
  static Footprint gun_bullet();
  /// Massage stone: about 6 x 9 cm smooth oval.
  static Footprint stone();
  /// Ulnar edge of the hand (hacking tapotement): about 8 x 2.5 cm strip, rounded.
  static Footprint hand_edge();
  /// Heat pack: about 24 x 16 cm flat pad.
  static Footprint heat_pack();
};

/// Where a tool sits: contact centre on the skin (reference coordinates), its in-plane u axis, and
/// the direction it pushes (unit vector into the tissue).
struct ToolPose {
  Vec3 centre = Vec3::Zero();   ///< contact centre [m]
  Vec3 u_axis = Vec3::UnitY();  ///< direction of the footprint's a semi-axis (in the skin plane)
  Vec3 push = Vec3(0, 0, -1);   ///< unit direction of the applied force (into the tissue)
};

/// Turns a footprint, pose and total force into pressure at the skin quadrature points and nodal
/// forces. Pressure acts on the reference skin (dead load) along pose.push and is scaled so that its
/// integral over the quadrature equals the requested force exactly.
class FootprintLoad {
 public:
  /// Borrows the mesh; builds the quadrature of the skin facet set.
  FootprintLoad(const Mesh& mesh, const FacetSet& skin);

  /// Quadrature of the skin.
  const FacetQuadrature& quadrature() const { return quad_; }
  /// Pressure at each skin quadrature point [Pa] for total force `force` [N]; throws InputError if
  /// the footprint does not cover any quadrature point (tool off the skin or smaller than the mesh).
  std::vector<Real> pressure(const Footprint& fp, const ToolPose& pose, Real force) const;
  /// Adds the nodal forces of a pressure field acting along `push` to f (3 x #nodes) [N].
  void add_forces(const std::vector<Real>& pressure, const Vec3& push, VectorX& f) const;

 private:
  FacetQuadrature quad_;
};

/// Centre of the skin area above a region: the mean in-plane position (x, y) of the region's cells,
/// placed on the skin surface (largest z of the skin facets nearby). Used to aim tools at muscles.
Vec3 skin_point_above_region(const Mesh& mesh, int region_id);

}  // namespace tissue
