// Consistency checks of the finite-strain solid kernel: rigid motion, patch test, FD tangent,
// thread independence.
#include <Eigen/Geometry>
#include <catch2/catch.hpp>

#include "mechanics_fixtures.hpp"

using namespace tissue;
using namespace tissue::test;

namespace {
Mat3 rotation(Real a, Real b, Real c) {
  return (Eigen::AngleAxisd(a, Vec3::UnitZ()) * Eigen::AngleAxisd(b, Vec3::UnitY()) *
          Eigen::AngleAxisd(c, Vec3::UnitX()))
      .toRotationMatrix();
}
}  // namespace

TEST_CASE("Rigid-body rotation gives zero stress, energy and internal force", "[mechanics][verification]") {
  for (CellType type : {CellType::hex8, CellType::tet4}) {
    const Mesh m = box(3, 3, 3, type, 0.2);
    std::vector<RegionMechanics> mats{muscle(5e3, 2e4, 5.0, 5e5)};
    SolidProblem p(m, mats, dofs_fixing(m, {}));
    const Mat3 R = rotation(0.7, -0.4, 1.1);
    const VectorX u = homogeneous_displacement(m, R);
    VectorX f;
    const auto ev = p.evaluate(u, &f, nullptr);
    REQUIRE(ev.admissible);
    CHECK(std::abs(ev.energy) < 1e-9);
    CHECK(f.norm() < 1e-8 * 5e3);
    const CellStress s = p.cell_stress(u);
    CHECK(s.cauchy.cwiseAbs().maxCoeff() < 1e-7);
  }
}

TEST_CASE("Patch test: a homogeneous deformation is in equilibrium at interior nodes",
          "[mechanics][verification]") {
  // Irregular interior nodes; any homogeneous F must give zero internal force at interior nodes
  // and the exact uniform Cauchy stress in every cell.
  Mat3 F;
  F << 1.10, 0.05, -0.02, 0.03, 0.95, 0.04, -0.01, 0.02, 0.97;
  for (CellType type : {CellType::hex8, CellType::tet4}) {
    const Mesh m = box(4, 3, 3, type, 0.25);
    const NeoHookean nh{3e3};
    const VolumetricLogJ vol{3e5};
    SolidProblem p(m, {RegionMechanics{HyperelasticLaw{nh, vol}, 1000}}, dofs_fixing(m, {}));
    const VectorX u = homogeneous_displacement(m, F);
    VectorX f;
    REQUIRE(p.evaluate(u, &f, nullptr).admissible);
    Real max_interior = 0;
    for (Index n = 0; n < m.n_nodes(); ++n) {
      const Vec3 X = m.nodes.row(n).transpose();
      const bool interior = (X.array() > 1e-9).all() && (X.array() < 1 - 1e-9).all();
      if (interior) max_interior = std::max(max_interior, f.segment<3>(3 * n).norm());
    }
    const Real h2 = 1.0 / 16.0;  // force scale: stress * face area
    CHECK(max_interior < 1e-9 * 3e5 * h2);
    // exact Cauchy stress
    const Mat3 C = F.transpose() * F;
    const Real J = F.determinant();
    const Mat3 S = nh.isochoric(C, Vec3::UnitX()).S + volumetric_response(vol, C).S;
    const Mat3 sigma = F * S * F.transpose() / J;
    const CellStress s = p.cell_stress(u);
    for (Index e = 0; e < m.n_cells(); ++e)
      CHECK((s.cauchy.row(e).transpose() - to_voigt(sigma)).norm() < 1e-8 * sigma.norm());
    // The element pass's own cell pressure and von Mises stress (the stepper's substep peaks) are those of
    // the exact stress.
    const Real pressure = -sigma.trace() / 3;
    const Real von_mises = std::sqrt(1.5 * (sigma + pressure * Mat3::Identity()).squaredNorm());
    SolidStepState step;
    REQUIRE(p.evaluate(u, &f, nullptr, nullptr, &step).admissible);
    REQUIRE(step.von_mises.size() == m.n_cells());
    for (Index e = 0; e < m.n_cells(); ++e) {
      CHECK(step.pressure[e] == Approx(pressure).epsilon(1e-9));
      CHECK(step.von_mises[e] == Approx(von_mises).epsilon(1e-9));
    }
  }
}

namespace {
/// Max relative error between K * dir and the central difference of f_int along dir, over free dofs.
Real tangent_fd_error(const SolidProblem& p, const VectorX& u, unsigned seed) {
  SparseMatrix K = p.assembly_map().make_matrix();
  VectorX f0;
  REQUIRE(p.evaluate(u, &f0, &K).admissible);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<Real> d(-1, 1);
  VectorX dir_free(p.dofs().n_equations());
  for (Index i = 0; i < dir_free.size(); ++i) dir_free[i] = d(rng);
  VectorX dir = VectorX::Zero(u.size());
  p.dofs().scatter(dir_free, dir);
  const Real h = 1e-6 * u.cwiseAbs().maxCoeff() / dir.cwiseAbs().maxCoeff();
  VectorX fp, fm;
  p.evaluate(u + h * dir, &fp, nullptr);
  p.evaluate(u - h * dir, &fm, nullptr);
  VectorX fd_full = (fp - fm) / (2 * h), fd;
  p.dofs().gather(fd_full, fd);
  const VectorX Kd = K * dir_free;
  return (Kd - fd).norm() / Kd.norm();
}
}  // namespace

TEST_CASE("Tangent matches a finite-difference derivative of the internal force",
          "[mechanics][derivatives]") {
  const auto type = GENERATE(CellType::hex8, CellType::tet4);
  const auto treatment = GENERATE(VolumetricTreatment::mean_dilatation, VolumetricTreatment::pointwise);
  const Mesh m = box(3, 2, 2, type, 0.2);
  std::mt19937 rng(3);
  std::uniform_real_distribution<Real> d(-0.08, 0.08);
  VectorX u = homogeneous_displacement(m, Mat3::Identity() + 0.1 * Mat3::Random());
  for (Index i = 0; i < u.size(); ++i) u[i] += d(rng);
  SolidOptions opt;
  opt.volumetric = treatment;
  for (const auto& mat : {neo_hookean(4e3, 4e5), muscle(5e3, 2e4, 5.0, 5e5),
                          RegionMechanics{CompressibleNeoHookean::from_E_nu(1e4, 0.45), 1000}}) {
    SolidProblem p(m, {mat}, dofs_fixing(m, {"zmin"}), opt);
    CHECK(tangent_fd_error(p, u, 11) < 1e-6);
  }
}

TEST_CASE("Assembly gives bitwise identical results with 1 and 2 threads", "[mechanics]") {
  const Mesh m = box(6, 5, 4, CellType::hex8, 0.2);
  VectorX u = homogeneous_displacement(m, Mat3::Identity() + 0.05 * Mat3::Random());
  SolidProblem p(m, {muscle(5e3, 2e4, 5.0, 5e5)}, dofs_fixing(m, {"zmin"}));
  SparseMatrix K1 = p.assembly_map().make_matrix(), K2 = K1;
  VectorX f1, f2;
  p.set_threads(1);
  const Real e1 = p.evaluate(u, &f1, &K1).energy;
  p.set_threads(2);
  const Real e2 = p.evaluate(u, &f2, &K2).energy;
  CHECK(e1 == e2);
  CHECK((f1 - f2).cwiseAbs().maxCoeff() == 0.0);
  CHECK((K1 - K2).norm() == 0.0);
}

TEST_CASE("An inverted cell makes the state inadmissible and is reported", "[mechanics]") {
  const Mesh m = box(2, 2, 2);
  SolidProblem p(m, {neo_hookean(1e3, 1e5)}, dofs_fixing(m, {}));
  VectorX u = VectorX::Zero(3 * m.n_nodes());
  // Push the top corner node of the last cell through its opposite face.
  const Index corner = m.cells(m.n_cells() - 1, 6);
  u.segment<3>(3 * corner) = Vec3(-0.9, -0.9, -0.9);
  const auto ev = p.evaluate(u, nullptr, nullptr);
  CHECK_FALSE(ev.admissible);
  CHECK(ev.first_bad_cell == m.n_cells() - 1);
}

TEST_CASE("Mass matrix integrates the density exactly and gravity gives the weight", "[mechanics]") {
  const Mesh m = box(3, 2, 2, CellType::hex8, 0.0, Vec3(0.3, 0.2, 0.1));
  SolidProblem p(m, {neo_hookean(1e3, 1e5)}, dofs_fixing(m, {}));
  const VectorX g = p.body_force(Vec3(0, 0, -9.81));
  Real Fz = 0;
  for (Index n = 0; n < m.n_nodes(); ++n) Fz += g[3 * n + 2];
  CHECK(Fz == Approx(-9.81 * 1000 * 0.006).epsilon(1e-12));
  // total mass from the consistent mass matrix: 1^T M 1 per component
  const SparseMatrix M = p.mass_matrix();
  VectorX ones = VectorX::Zero(M.rows());
  for (Index n = 0; n < m.n_nodes(); ++n) ones[p.dofs().equation(n, 0)] = 1;
  CHECK(ones.dot(M * ones) == Approx(6.0).epsilon(1e-12));
}

TEST_CASE("SolidProblem rejects a missing material and invalid parameters with named fields", "[mechanics]") {
  const Mesh m = box(1, 1, 1);
  CHECK_THROWS_WITH(SolidProblem(m, {}, dofs_fixing(m, {})), Catch::Contains("one material per region"));
  CHECK_THROWS_WITH(SolidProblem(m, {neo_hookean(-5, 1e5)}, dofs_fixing(m, {})), Catch::Contains("block.mu"));
}
