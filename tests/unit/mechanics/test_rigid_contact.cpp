// The rigid tool in penalty contact (mechanics/rigid_contact.hpp): derivatives against finite differences,
// the head's axial equilibrium with a stalling drive, and Hertz's force-depth law for a ball pressed into a
// thick block, converging under mesh refinement.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "libtissue/fem/facet_integrator.hpp"
#include "libtissue/mechanics/rigid_contact.hpp"
#include "libtissue/solver/mechanics_solver.hpp"
#include "mechanics_fixtures.hpp"

using namespace tissue;
using namespace tissue::test;

namespace {

constexpr Real kMu = 1.0e4;     // shear modulus [Pa]
constexpr Real kKappa = 1.0e6;  // bulk modulus [Pa] (nu = 0.495)
constexpr Real kR = 0.0125;     // ball radius [m] (massage-gun ball head)

/// Quarter of a block [0, L] x [0, L] x [-D, 0], graded towards the origin (x, y) and the top (z) with
/// power p: rollers on x = 0 and y = 0, bottom fixed. The ball's axis is the z axis.
struct QuarterBlock {
  Mesh mesh;
  DofMap dofs;
  std::unique_ptr<SolidProblem> solid;
  std::unique_ptr<FacetQuadrature> skin;
  QuarterBlock(int n, Real L, Real D, Real p) : mesh(make(n, L, D, p)), dofs(mesh.n_nodes(), 3) {
    for (Index k : mesh.node_set("xmin").nodes) dofs.constrain(k, 0);
    for (Index k : mesh.node_set("ymin").nodes) dofs.constrain(k, 1);
    dofs.constrain_nodes(mesh.node_set("zmin").nodes);
    dofs.finalize();
    solid =
        std::make_unique<SolidProblem>(mesh, std::vector<RegionMechanics>{neo_hookean(kMu, kKappa)}, dofs);
    skin = std::make_unique<FacetQuadrature>(mesh, *mesh.find_facet_set("zmax"));
  }
  static Mesh make(int n, Real L, Real D, Real p) {
    BoxMeshOptions o;
    o.lo = Vec3(0, 0, -1);
    o.hi = Vec3(1, 1, 0);
    o.nx = o.ny = o.nz = n;
    Mesh m = make_box_mesh(o);
    for (Index k = 0; k < m.n_nodes(); ++k) {
      m.nodes(k, 0) = L * std::pow(m.nodes(k, 0), p);
      m.nodes(k, 1) = L * std::pow(m.nodes(k, 1), p);
      m.nodes(k, 2) = -D * std::pow(-m.nodes(k, 2), p);
    }
    return m;
  }
};

RigidTool ball(Real depth, Real stall = std::numeric_limits<Real>::infinity(), Real stiffness = 1e7) {
  RigidTool t;
  t.head = RigidHead{0.0, kR};
  t.drive.depth = depth;
  t.drive.stiffness = stiffness;
  t.drive.force_limit = stall;
  t.origin = Vec3::Zero();
  t.axis = Vec3(0, 0, -1);
  return t;
}

/// A soft penalty with wide smoothing: the coarse 4 x 4 x 4 block's tests of derivatives and starts.
RigidContactOptions soft_contact() {
  RigidContactOptions opt;
  opt.penalty = 1e8;
  opt.smoothing = 2e-4;
  return opt;
}

/// Force on the head (quarter model) at commanded depth d, from a quasi-static load path.
struct Press {
  Real force = 0;       // axial contact resultant on the head (quarter) [N]
  Real head_depth = 0;  // s [m]
  Real reaction = 0;    // z-reaction of the supports (quarter) [N]
  int iterations = 0;
};

Press press(QuarterBlock& b, RigidContactOptions opt, Real depth, int steps) {
  RigidToolContact contact(b.mesh, b.dofs, b.solid->assembly_map(), *b.skin, opt);
  QuasiStaticOptions qo;
  qo.newton.rel_tolerance = 1e-10;
  qo.newton.abs_tolerance = 1e-12;
  QuasiStaticSolver qs(*b.solid, qo);
  VectorX u = VectorX::Zero(3 * b.mesh.n_nodes());
  SolidInputs in;
  SolidStepState step;
  SolidForm* forms[] = {&contact};
  Press out;
  for (int k = 1; k <= steps; ++k) {
    contact.set_tool(ball(depth * k / steps));
    const NewtonSummary s = qs.solve_step(u, MechanicalLoad{}, in, forms, step);
    INFO(s.brief());
    REQUIRE(s.converged);
    out.iterations += s.iterations;
  }
  out.force = contact.state().force;
  out.head_depth = contact.state().head_depth;
  VectorX f;
  b.solid->evaluate(u, &f, nullptr, &in);
  for (Index k : b.mesh.node_set("zmin").nodes) out.reaction += f[3 * k + 2];
  return out;
}

}  // namespace

TEST_CASE("Rigid contact: forces and tangent (sparse + low rank) match finite differences of the energy",
          "[mechanics][contact][derivatives]") {
  QuarterBlock b(4, 0.02, 0.01, 1.0);
  RigidContactOptions opt = soft_contact();
  opt.curvature_tangent = true;  // the exact Hessian
  RigidToolContact contact(b.mesh, b.dofs, b.solid->assembly_map(), *b.skin, opt);
  for (const Real stall : {std::numeric_limits<Real>::infinity(), 0.02}) {
    INFO("stall force " << stall << " N");
    contact.set_tool(ball(0.002, stall, 1e3));
    // A deformed state with several points in contact.
    VectorX u = VectorX::Zero(3 * b.mesh.n_nodes());
    for (Index k = 0; k < b.mesh.n_nodes(); ++k) {
      const Vec3 X = b.mesh.nodes.row(k).transpose();
      u[3 * k + 2] = -0.0008 * std::exp(-(X.x() * X.x() + X.y() * X.y()) / 1e-4) * (1 + X.z() / 0.01);
      u[3 * k] = 1e-4 * X.y();
    }
    for (Index d = 0; d < u.size(); ++d)
      if (b.dofs.constrained(d)) u[d] = 0;
    VectorX f = VectorX::Zero(u.size());
    SparseMatrix K = b.solid->assembly_map().make_matrix();
    std::vector<LowRankTerm> lr;
    contact.add(u, &f, &K, &lr);
    REQUIRE(contact.state().points_in_contact >= (std::isfinite(stall) ? 1 : 3));
    CHECK(contact.state().stalled == std::isfinite(stall));
    // Forces = gradient of the (reduced) energy.
    const Real h = 1e-8;
    Real err_f = 0, scale_f = 0;
    for (Index d = 0; d < u.size(); ++d) {
      if (b.dofs.constrained(d) || f[d] == 0) continue;
      VectorX up = u, um = u;
      up[d] += h;
      um[d] -= h;
      const Real fd =
          (contact.add(up, nullptr, nullptr, nullptr) - contact.add(um, nullptr, nullptr, nullptr)) / (2 * h);
      err_f = std::max(err_f, std::abs(fd - f[d]));
      scale_f = std::max(scale_f, std::abs(f[d]));
    }
    CHECK(err_f < 1e-5 * scale_f);
    // Tangent (sparse + low rank) times a direction = directional derivative of the forces.
    VectorX dir = VectorX::Zero(b.dofs.n_equations());
    for (Index i = 0; i < dir.size(); ++i) dir[i] = std::sin(1.3 * i);
    VectorX dfull = VectorX::Zero(u.size());
    b.dofs.scatter(dir, dfull);
    VectorX Kd = K * dir;
    for (const auto& t : lr) Kd += t.c * t.v * t.v.dot(dir);
    const Real eps = 1e-9;
    VectorX fp = VectorX::Zero(u.size()), fm = VectorX::Zero(u.size());
    contact.add(u + eps * dfull, &fp, nullptr, nullptr);
    contact.add(u - eps * dfull, &fm, nullptr, nullptr);
    VectorX fd_full = (fp - fm) / (2 * eps), fd;
    b.dofs.gather(fd_full, fd);
    CHECK((Kd - fd).norm() < 1e-4 * fd.norm());
    if (std::isfinite(stall)) {
      CHECK(contact.state().force == Approx(stall).epsilon(1e-9));  // the stalled drive carries its limit
    } else {
      CHECK(lr.size() == 1);
    }
  }
}

TEST_CASE("Rigid contact: the head is in axial equilibrium and the stall force caps the drive",
          "[mechanics][contact]") {
  QuarterBlock b(6, 0.03, 0.02, 1.5);
  RigidContactOptions opt;
  opt.penalty = 1e9;
  opt.smoothing = 1e-6;
  const Press p = press(b, opt, 0.002, 4);
  // The tool force equals the contact resultant, which the supports carry.
  CHECK(p.force > 0);
  CHECK(p.reaction == Approx(p.force).epsilon(1e-6));
  // A stiff drive puts the head at the commanded depth minus force / stiffness.
  CHECK(p.head_depth == Approx(0.002 - p.force / 1e7).epsilon(1e-9));
  // A stall force below that force stops the head short of the commanded depth at exactly the stall force.
  RigidToolContact contact(b.mesh, b.dofs, b.solid->assembly_map(), *b.skin, opt);
  QuasiStaticSolver qs(*b.solid);
  VectorX u = VectorX::Zero(3 * b.mesh.n_nodes());
  SolidInputs in;
  SolidStepState step;
  SolidForm* forms[] = {&contact};
  const Real stall = 0.5 * p.force;
  for (int k = 1; k <= 4; ++k) {
    contact.set_tool(ball(0.002 * k / 4, stall));
    REQUIRE(qs.solve_step(u, MechanicalLoad{}, in, forms, step).converged);
  }
  CHECK(contact.state().stalled);
  CHECK(contact.state().force == Approx(stall).epsilon(1e-9));
  CHECK(contact.state().head_depth < 0.002 - 1e-4);
}

TEST_CASE("A quasi-static step starts from the better of a predictor and a fallback start",
          "[mechanics][contact][predictor]") {
  // The session's predictor extrapolates the last substep's motion; for a tool that moves by about its own
  // size per substep that guess is far worse than the committed state. solve_step(..., other_start) must
  // start Newton from whichever guess has the smaller residual, in either order, and reach the same state.
  QuarterBlock b(4, 0.02, 0.01, 1.0);
  RigidToolContact contact(b.mesh, b.dofs, b.solid->assembly_map(), *b.skin, soft_contact());
  QuasiStaticSolver qs(*b.solid);
  SolidInputs in;
  SolidStepState step;
  SolidForm* forms[] = {&contact};
  VectorX good = VectorX::Zero(3 * b.mesh.n_nodes());
  for (int k = 1; k <= 4; ++k) {
    contact.set_tool(ball(0.002 * k / 4));
    REQUIRE(qs.solve_step(good, MechanicalLoad{}, in, forms, step).converged);
  }
  const Real force = contact.state().force;
  // A poor guess: every free node of the equilibrium moved 1 mm sideways and 0.5 mm down.
  VectorX x;
  b.dofs.gather(good, x);
  for (Index i = 0; i < x.size(); ++i) x[i] += (i % 3 == 2) ? -5e-4 : 1e-3;
  VectorX poor = good;
  b.dofs.scatter(x, poor);
  for (const bool poor_first : {true, false}) {
    INFO((poor_first ? "predictor poor, fallback good" : "predictor good, fallback poor"));
    qs.invalidate_factorization();
    VectorX u = poor_first ? poor : good;
    const VectorX other = poor_first ? good : poor;
    const NewtonSummary s = qs.solve_step(u, MechanicalLoad{}, in, forms, step, false, 0, &other);
    INFO(s.brief());
    REQUIRE(s.converged);
    CHECK(s.iterations <= 1);  // started at the equilibrium, not 3 mm away from it
    CHECK((u - good).lpNorm<Eigen::Infinity>() < 1e-6);
    CHECK(contact.state().force == Approx(force).epsilon(1e-6));
  }
  // Without the fallback the poor guess fails (its tangent is indefinite) or costs iterations.
  qs.invalidate_factorization();
  VectorX u = poor;
  const NewtonSummary s = qs.solve_step(u, MechanicalLoad{}, in, forms, step);
  INFO(s.brief());
  CHECK((!s.converged || s.iterations >= 3));
}

TEST_CASE("Rigid contact: a ball pressed into a thick block follows Hertz's law and converges with the mesh",
          "[mechanics][contact][hertz]") {
  // Hertz: F = 4/3 E* sqrt(R) d^1.5 on a half-space, E* = E / (1 - nu^2); a quarter model carries F / 4.
  const Real E = 9 * kKappa * kMu / (3 * kKappa + kMu),
             nu = (3 * kKappa - 2 * kMu) / (2 * (3 * kKappa + kMu));
  const Real Estar = E / (1 - nu * nu);
  const Real d = 2.5e-4;  // depth: contact radius sqrt(R d) = 1.8 mm, 1/34 of the block
  const Real hertz = 4.0 / 3.0 * Estar * std::sqrt(kR) * std::pow(d, 1.5) / 4;
  RigidContactOptions opt;
  opt.penalty = 1e10;  // penetration ~1e-7 m, 0.1 % of the depth
  opt.smoothing = 1e-7;
  std::vector<Real> err;
  for (int n : {10, 14, 20}) {
    QuarterBlock b(n, 0.06, 0.06, 3.0);
    const Press p = press(b, opt, d, 2);
    const Real indentation = p.head_depth;  // the ball's front below the undeformed surface
    const Real expected = 4.0 / 3.0 * Estar * std::sqrt(kR) * std::pow(indentation, 1.5) / 4;
    err.push_back(std::abs(p.force / expected - 1));
    WARN("n = " << n << ": F = " << p.force << " N (quarter), Hertz " << expected << " N, error "
                << 100 * err.back() << " %, " << p.iterations << " Newton iterations");
  }
  CHECK(err.back() < 0.05);
  CHECK(err[1] < err[0]);
  CHECK(err[2] < err[1]);
  CHECK(hertz > 0);
}
