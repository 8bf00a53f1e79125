#include <catch2/catch.hpp>
#include <cmath>

#include "libtissue/core/error.hpp"
#include "libtissue/loading/contact_loads.hpp"
#include "libtissue/mesh/box_mesh.hpp"

using namespace tissue;

namespace {
Mesh skin_block(int n) {
  BoxMeshOptions o;
  o.lo = Vec3(-0.1, -0.1, -0.03);
  o.hi = Vec3(0.1, 0.1, 0.0);
  o.nx = n;
  o.ny = n;
  o.nz = 1;
  return make_box_mesh(o);
}

ToolCommand stroke_command(Real F, const Vec3& centre, const Vec3& velocity, Real mu) {
  ToolCommand c;
  c.footprint = Footprint::palm();
  c.force = F;
  c.pose.centre = centre;
  c.pose.u_axis = Vec3::UnitX();
  c.velocity = velocity;
  c.mu = mu;
  c.eta = 0.5;
  return c;
}
}  // namespace

TEST_CASE("Friction heat of a straight stroke equals eta mu F times the distance", "[loading][friction]") {
  const Mesh m = skin_block(24);
  ContactLoad contact(m, m.facet_set("zmax"));
  const Real F = 30.0, v = 0.05, T = 2.0, mu = friction::dry_skin, eta = 0.5;
  // Stroke from x = -0.05 to +0.05 along +x; midpoint rule in time over 40 tool positions.
  const int steps = 40;
  const Real dt = T / steps;
  Real heat = 0;
  for (int k = 0; k < steps; ++k) {
    const Real t = (k + 0.5) * dt;
    const auto loads = contact.evaluate(stroke_command(F, Vec3(-0.05 + v * t, 0.01, 0), Vec3(v, 0, 0), mu));
    heat += total_friction_heat(contact.quadrature(), loads) * dt;
  }
  CHECK(heat == Approx(eta * mu * F * v * T).epsilon(0.01));
}

TEST_CASE("Friction drags the skin along the tool's motion with total force mu F", "[loading][friction]") {
  const Mesh m = skin_block(20);
  ContactLoad contact(m, m.facet_set("zmax"));
  const Real F = 40.0, mu = 0.36;
  const Vec3 v(0.03, -0.04, 0.0);  // 5 cm/s
  const auto loads = contact.evaluate(stroke_command(F, Vec3(0.01, 0.0, 0), v, mu));
  const Vec3 friction = total_friction_force(contact.quadrature(), loads);
  CHECK(friction.norm() == Approx(mu * F).epsilon(1e-5));
  CHECK(friction.normalized().dot(v.normalized()) ==
        Approx(1.0).epsilon(1e-12));  // same direction as the tool
  // Nodal forces: pressure into the skin plus friction along the motion.
  VectorX f = VectorX::Zero(3 * m.n_nodes());
  contact.add_forces(loads, f);
  Vec3 total = Vec3::Zero();
  for (Index n = 0; n < m.n_nodes(); ++n) total += f.segment<3>(3 * n);
  CHECK(total.z() == Approx(-F).epsilon(1e-12));
  CHECK(total.x() == Approx(mu * F * 0.6).epsilon(1e-5));
  CHECK(total.y() == Approx(-mu * F * 0.8).epsilon(1e-5));
  // Friction power: heat into the skin is eta of the tool's friction work rate mu F |v|.
  CHECK(total_friction_heat(contact.quadrature(), loads) == Approx(0.5 * mu * F * v.norm()).epsilon(1e-5));
  for (size_t q = 0; q < loads.slip_speed.size(); ++q) CHECK(loads.slip_speed[q] == Approx(0.05));
}

TEST_CASE("Only tangential sliding causes friction and a resting tool applies none", "[loading][friction]") {
  const Mesh m = skin_block(10);
  ContactLoad contact(m, m.facet_set("zmax"));
  // Pure normal motion (tapping): no slip, no traction, no heat.
  auto loads = contact.evaluate(stroke_command(20, Vec3::Zero(), Vec3(0, 0, -0.3), 0.36));
  CHECK(total_friction_force(contact.quadrature(), loads).norm() == 0.0);
  CHECK(total_friction_heat(contact.quadrature(), loads) == 0.0);
  // Resting tool: no friction either.
  loads = contact.evaluate(stroke_command(20, Vec3::Zero(), Vec3::Zero(), 0.36));
  CHECK(total_friction_force(contact.quadrature(), loads).norm() == 0.0);
  // Oblique velocity: only its tangential part counts.
  loads = contact.evaluate(stroke_command(20, Vec3::Zero(), Vec3(0.04, 0, -0.03), 0.36));
  CHECK(loads.slip_speed[0] == Approx(0.04));
  CHECK(total_friction_heat(contact.quadrature(), loads) == Approx(0.5 * 0.36 * 20 * 0.04).epsilon(1e-5));
}

TEST_CASE("A hot tool exchanges heat only under its footprint and heats colder skin", "[loading][thermal]") {
  const Mesh m = skin_block(20);
  ContactLoad contact(m, m.facet_set("zmax"));
  ToolCommand c;
  c.footprint = Footprint::stone();
  c.force = 0.0;  // resting lightly: thermal only
  c.tool_temperature = kCelsius + 50;
  c.heat_transfer = 500;
  const auto loads = contact.evaluate(c);
  const auto& quad = contact.quadrature();
  Real covered = 0;
  for (Index q = 0; q < quad.size(); ++q) {
    const Vec3 x = quad.position(q);
    const bool inside = c.footprint.profile(x.y(), x.x()) > 0;  // u axis = +y by default
    CHECK(loads.contact_h[static_cast<size_t>(q)] == (inside ? 500.0 : 0.0));
    if (inside) covered += quad.area(q);
    CHECK(loads.pressure[static_cast<size_t>(q)] == 0.0);
  }
  CHECK(covered == Approx(c.footprint.area()).epsilon(0.15));
  const std::vector<Real> skin(static_cast<size_t>(quad.size()), kCelsius + 33);
  const auto q = contact_heat_flux(loads, skin);
  CHECK(*std::max_element(q.begin(), q.end()) == Approx(500 * 17.0));
  CHECK(*std::min_element(q.begin(), q.end()) == 0.0);
}

TEST_CASE("Depth control: the force follows the depth error and stalls at the limit", "[loading]") {
  ToolCommand c;
  c.control = ToolControl::depth;
  c.depth = 0.01;
  c.force_limit = 100;
  CHECK(depth_control_force(c, 0.009, 1e4) == Approx(10.0));
  CHECK(depth_control_force(c, 0.0, 1e5) == 100.0);  // stalled
  CHECK(depth_control_force(c, 0.02, 1e5) == 0.0);   // skin ahead of the head: no pull
  const Mesh m = skin_block(6);
  ContactLoad contact(m, m.facet_set("zmax"));
  CHECK_THROWS_WITH(contact.evaluate(c), Catch::Contains("tool.control"));
  const auto loads = contact.evaluate(c, 250.0);  // capped at the stall force
  CHECK(contact.quadrature().integrate(loads.pressure) == Approx(100.0));
}

TEST_CASE("Bad tool commands name the field", "[loading]") {
  const Mesh m = skin_block(6);
  ContactLoad contact(m, m.facet_set("zmax"));
  ToolCommand c;
  c.force = -1;
  CHECK_THROWS_WITH(contact.evaluate(c), Catch::Contains("tool.force"));
  c.force = 1;
  c.eta = 1.5;
  CHECK_THROWS_WITH(contact.evaluate(c), Catch::Contains("tool.eta"));
  c.eta = 0.5;
  c.mu = -0.1;
  CHECK_THROWS_WITH(contact.evaluate(c), Catch::Contains("tool.mu"));
  CHECK(contact.evaluate(ToolCommand::inactive()).size() == contact.quadrature().size());
}
