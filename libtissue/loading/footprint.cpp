#include "libtissue/loading/footprint.hpp"

#include <cmath>

#include "libtissue/core/error.hpp"

namespace tissue {

Real Footprint::profile(Real x, Real y) const {
  const Real rho2 = (x / a) * (x / a) + (y / b) * (y / b);
  if (rho2 >= 1.0) return 0.0;
  const Real rho_n = std::pow(rho2, 0.5 * n);
  return std::pow(1.0 - rho_n, m);
}

Real Footprint::area() const {
  return M_PI * a * b;
}

void Footprint::validate() const {
  auto pos = [](Real v, const char* f) {
    if (!(v > 0) || !std::isfinite(v))
      throw InputError(std::string("tool.") + f, "must be positive, got " + std::to_string(v));
  };
  pos(a, "a");
  pos(b, "b");
  pos(n, "n");
  pos(m, "m");
}

Footprint Footprint::thumb() {
  return {"thumb", 0.011, 0.009, 2.0, 1.0};
}
Footprint Footprint::palm() {
  return {"palm", 0.05, 0.04, 6.0, 1.0};
}
Footprint Footprint::forearm() {
  return {"forearm", 0.07, 0.02, 2.0, 0.75};
}
Footprint Footprint::fist() {
  return {"fist", 0.04, 0.02, 4.0, 1.0};
}
Footprint Footprint::gun_ball() {
  return {"gun_ball", 0.0125, 0.0125, 2.0, 0.5};
}
Footprint Footprint::gun_flat() {
  return {"gun_flat", 0.0225, 0.0225, 8.0, 1.0};
}
Footprint Footprint::gun_bullet() {
  return {"gun_bullet", 0.006, 0.006, 2.0, 0.5};
}
Footprint Footprint::stone() {
  return {"stone", 0.045, 0.03, 4.0, 1.0};
}
Footprint Footprint::hand_edge() {
  return {"hand_edge", 0.04, 0.0125, 2.0, 1.0};
}
Footprint Footprint::heat_pack() {
  return {"heat_pack", 0.12, 0.08, 8.0, 1.0};
}

FootprintLoad::FootprintLoad(const Mesh& mesh, const FacetSet& skin) : quad_(mesh, skin) {}

std::vector<Real> FootprintLoad::pressure(const Footprint& fp, const ToolPose& pose, Real force) const {
  fp.validate();
  const Vec3 n = -pose.push.normalized();
  Vec3 u = pose.u_axis - pose.u_axis.dot(n) * n;
  if (u.norm() < 1e-12) throw InputError("tool.u_axis", "must not be parallel to the push direction");
  u.normalize();
  const Vec3 v = n.cross(u);
  std::vector<Real> p(static_cast<size_t>(quad_.size()), 0.0);
  Real integral = 0;
  for (Index q = 0; q < quad_.size(); ++q) {
    const Vec3 d = quad_.position(q) - pose.centre;
    if (quad_.normal(q).dot(n) <= 0) continue;  // facing away from the tool
    const Real phi = fp.profile(d.dot(u), d.dot(v));
    p[static_cast<size_t>(q)] = phi;
    integral += phi * quad_.area(q);
  }
  if (!(integral > 0))
    throw InputError("tool", std::string("the ") + std::string(fp.name) +
                                 " footprint covers no skin quadrature point at the requested position; "
                                 "move it onto the skin or refine the mesh");
  for (auto& x : p) x *= force / integral;
  return p;
}

void FootprintLoad::add_forces(const std::vector<Real>& pressure, const Vec3& push, VectorX& f) const {
  std::vector<Vec3> t(pressure.size());
  const Vec3 dir = push.normalized();
  for (size_t q = 0; q < pressure.size(); ++q) t[q] = pressure[q] * dir;
  quad_.add_vector_load(t, f);
}

Vec3 skin_point_above_region(const Mesh& mesh, int region_id) {
  Vec3 c = Vec3::Zero();
  Index count = 0;
  for (Index e = 0; e < mesh.n_cells(); ++e) {
    if (mesh.region[static_cast<size_t>(e)] != region_id) continue;
    for (int a = 0; a < mesh.cell_size(); ++a) c += mesh.nodes.row(mesh.cells(e, a)).transpose();
    count += mesh.cell_size();
  }
  if (count == 0) throw InputError("region", "region '" + mesh.regions[region_id].name + "' has no cells");
  c /= static_cast<Real>(count);
  Real top = -std::numeric_limits<Real>::infinity();
  for (Index n = 0; n < mesh.n_nodes(); ++n) top = std::max(top, mesh.nodes(n, 2));
  c[2] = top;
  return c;
}

}  // namespace tissue
