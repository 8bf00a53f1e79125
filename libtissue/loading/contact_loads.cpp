#include "libtissue/loading/contact_loads.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "libtissue/core/error.hpp"

namespace tissue {

FacetLoads FacetLoads::zero(Index n) {
  const auto s = static_cast<size_t>(n);
  FacetLoads l;
  l.pressure.assign(s, 0.0);
  l.traction.assign(s, Vec3::Zero());
  l.slip_speed.assign(s, 0.0);
  l.heat_flux.assign(s, 0.0);
  l.contact_h.assign(s, 0.0);
  l.contact_temperature.assign(s, 0.0);
  return l;
}

void FrictionOptions::validate(std::string_view prefix) const {
  const std::string p(prefix);
  if (!(mu >= 0) || !std::isfinite(mu))
    throw InputError(p + ".mu", "must not be negative, got " + std::to_string(mu));
  if (!(eta >= 0 && eta <= 1)) throw InputError(p + ".eta", "must lie in [0, 1], got " + std::to_string(eta));
  if (!(regularisation_speed > 0))
    throw InputError(p + ".regularisation_speed",
                     "must be positive, got " + std::to_string(regularisation_speed));
}

void apply_friction(const FacetQuadrature& quad, const Vec3& velocity, const FrictionOptions& options,
                    FacetLoads& loads) {
  options.validate();
  const auto n = static_cast<size_t>(quad.size());
  if (loads.pressure.size() != n)
    throw InputError("friction", "pressure has " + std::to_string(loads.pressure.size()) +
                                     " entries, the skin quadrature " + std::to_string(n));
  loads.traction.assign(n, Vec3::Zero());
  loads.slip_speed.assign(n, 0.0);
  loads.heat_flux.assign(n, 0.0);
  const Real eps2 = options.regularisation_speed * options.regularisation_speed;
  for (size_t q = 0; q < n; ++q) {
    const Vec3& N = quad.normal(static_cast<Index>(q));
    const Vec3 vt = velocity - velocity.dot(N) * N;  // tangential tool velocity relative to the skin
    const Real speed = vt.norm();
    loads.slip_speed[q] = speed;
    const Real p = loads.pressure[q];
    if (p <= 0 || speed == 0) continue;
    // Skin dragged along with the tool (see FacetLoads): +mu p v_t / |v_t|, regularised at rest.
    const Vec3 t = (options.mu * p / std::sqrt(speed * speed + eps2)) * vt;
    loads.traction[q] = t;
    loads.heat_flux[q] = options.eta * t.dot(vt);  // eta * friction power density
  }
}

void add_friction_forces(const FacetQuadrature& quad, const FacetLoads& loads, VectorX& f) {
  quad.add_vector_load(loads.traction, f);
}

void add_contact_forces(const FacetQuadrature& quad, const FacetLoads& loads, VectorX& f) {
  std::vector<Vec3> t(loads.pressure.size());
  const Vec3 dir = loads.push.normalized();
  for (size_t q = 0; q < t.size(); ++q)
    t[q] = loads.pressure[q] * dir + (q < loads.traction.size() ? loads.traction[q] : Vec3::Zero());
  quad.add_vector_load(t, f);
}

Vec3 total_friction_force(const FacetQuadrature& quad, const FacetLoads& loads) {
  Vec3 total = Vec3::Zero();
  for (size_t q = 0; q < loads.traction.size(); ++q)
    total += quad.area(static_cast<Index>(q)) * loads.traction[q];
  return total;
}

Real total_friction_heat(const FacetQuadrature& quad, const FacetLoads& loads) {
  return quad.integrate(loads.heat_flux);
}

std::vector<Real> contact_heat_flux(const FacetLoads& loads, const std::vector<Real>& skin_temperature) {
  if (skin_temperature.size() != loads.contact_h.size())
    throw InputError("skin_temperature", "has " + std::to_string(skin_temperature.size()) +
                                             " entries, the loads " + std::to_string(loads.contact_h.size()));
  std::vector<Real> q(skin_temperature.size(), 0.0);
  for (size_t i = 0; i < q.size(); ++i)
    if (loads.contact_h[i] > 0)
      q[i] = loads.contact_h[i] * (loads.contact_temperature[i] - skin_temperature[i]);
  return q;
}

ContactLoad::ContactLoad(const Mesh& mesh, const FacetSet& skin) : footprint_(mesh, skin) {}

FacetLoads ContactLoad::evaluate(const ToolCommand& cmd) const {
  if (cmd.active && cmd.control == ToolControl::depth)
    throw InputError("tool.control",
                     "a depth-controlled tool needs the normal force from the solver; "
                     "call ContactLoad::evaluate(cmd, force)");
  return evaluate(cmd, cmd.force);
}

FacetLoads ContactLoad::evaluate(const ToolCommand& cmd, Real normal_force) const {
  const Index n = quadrature().size();
  if (!cmd.active) return FacetLoads::zero(n);
  cmd.validate();
  if (!(normal_force >= 0))
    throw InputError("tool.force", "must not be negative, got " + std::to_string(normal_force));
  const Real force = std::min(normal_force, cmd.force_limit);
  // Unit-force field: its shape marks the contact patch even when the force is zero (heat pack).
  std::vector<Real> shape = footprint_.pressure(cmd.footprint, cmd.pose, 1.0);
  FacetLoads loads = FacetLoads::zero(n);
  loads.push = cmd.pose.push.normalized();
  for (size_t q = 0; q < shape.size(); ++q) loads.pressure[q] = force * shape[q];
  FrictionOptions friction;
  friction.mu = cmd.mu;
  friction.eta = cmd.eta;
  apply_friction(quadrature(), cmd.velocity, friction, loads);
  if (cmd.tool_temperature && cmd.heat_transfer > 0)
    for (size_t q = 0; q < shape.size(); ++q)
      if (shape[q] > 0) {
        loads.contact_h[q] = cmd.heat_transfer;
        loads.contact_temperature[q] = *cmd.tool_temperature;
      }
  return loads;
}

void ContactLoad::add_forces(const FacetLoads& loads, VectorX& f) const {
  add_contact_forces(quadrature(), loads, f);
}

}  // namespace tissue
