#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "libtissue/linalg/amg_solver.hpp"
#include "libtissue/linalg/cg_solver.hpp"
#include "libtissue/linalg/cholmod_solver.hpp"
#include "libtissue/linalg/eigen_ldlt_solver.hpp"
#include "libtissue/linalg/linear_solver_factory.hpp"
#include "libtissue/linalg/sparse_lu_solver.hpp"
#include "libtissue/linalg/symmetric_fallback_solver.hpp"

using namespace tissue;

namespace {

constexpr Real kSolveTolerance = 1e-8;  // relative residual every solver must reach

/// 7-point Laplacian on an m^3 grid (Dirichlet boundary) plus shift * I, both triangles stored.
SparseMatrix laplacian_3d(int m, Real shift) {
  const auto id = [m](int i, int j, int k) { return (k * m + j) * m + i; };
  std::vector<Eigen::Triplet<Real, int>> t;
  t.reserve(static_cast<size_t>(7 * m * m * m));
  for (int k = 0; k < m; ++k)
    for (int j = 0; j < m; ++j)
      for (int i = 0; i < m; ++i) {
        const int row = id(i, j, k);
        t.emplace_back(row, row, 6.0 + shift);
        if (i > 0) t.emplace_back(row, id(i - 1, j, k), -1.0);
        if (i + 1 < m) t.emplace_back(row, id(i + 1, j, k), -1.0);
        if (j > 0) t.emplace_back(row, id(i, j - 1, k), -1.0);
        if (j + 1 < m) t.emplace_back(row, id(i, j + 1, k), -1.0);
        if (k > 0) t.emplace_back(row, id(i, j, k - 1), -1.0);
        if (k + 1 < m) t.emplace_back(row, id(i, j, k + 1), -1.0);
      }
  SparseMatrix A(m * m * m, m * m * m);
  A.setFromTriplets(t.begin(), t.end());
  A.makeCompressed();
  return A;
}

/// A smooth, non-constant right-hand side.
VectorX rhs(Index n) {
  VectorX b(n);
  for (Index i = 0; i < n; ++i) b[i] = 1.0 + std::sin(0.37 * i);
  return b;
}

/// Every solver this build offers, freshly constructed (with_wrapper: also SymmetricFallbackSolver).
std::vector<std::unique_ptr<LinearSolver>> all_solvers(bool with_wrapper) {
  std::vector<std::unique_ptr<LinearSolver>> s;
  if (cholmod_available()) s.push_back(std::make_unique<CholmodSolver>());
  s.push_back(std::make_unique<EigenLDLTSolver>());
  s.push_back(std::make_unique<SparseLUSolver>());
  s.push_back(std::make_unique<CGSolver>(CGOptions{1e-10, 5000, CGPreconditioner::incomplete_cholesky}));
  s.push_back(std::make_unique<CGSolver>(CGOptions{1e-10, 5000, CGPreconditioner::jacobi}));
  if (amg_available()) s.push_back(std::make_unique<AmgSolver>(AmgOptions{1e-10, 500}));
  if (with_wrapper) s.push_back(std::make_unique<SymmetricFallbackSolver>());
  return s;
}

}  // namespace

TEST_CASE("Every solver solves an SPD 3-D Laplacian to a relative residual below 1e-8", "[linalg][solver]") {
  const SparseMatrix A = laplacian_3d(20, 0.5);
  const VectorX b = rhs(A.rows());
  for (auto& solver : all_solvers(false)) {
    INFO(solver->name());
    solver->analyze(A);
    solver->factorize(A);
    VectorX x;
    solver->solve(b, x);
    CHECK(x.size() == A.rows());
    CHECK(relative_residual(A, x, b) < kSolveTolerance);
    CHECK(solver->stats().solves == 1);
    CHECK(solver->stats().seconds_factorize >= 0);
  }
}

TEST_CASE("The analysed pattern is reused for factorisations with new values", "[linalg][solver]") {
  const SparseMatrix A1 = laplacian_3d(12, 0.5);
  SparseMatrix A2 = A1;
  // New values on the same pattern, written in place as the FE assembly does.
  for (Index k = 0; k < A2.nonZeros(); ++k) A2.valuePtr()[k] *= 2.0;
  const VectorX b = rhs(A1.rows());
  for (auto& solver : all_solvers(true)) {
    INFO(solver->name());
    solver->analyze(A1);
    VectorX x1, x2;
    solver->factorize(A1);
    solver->solve(b, x1);
    solver->factorize(A2);
    solver->solve(b, x2);
    CHECK(solver->stats().analyses == 1);
    CHECK(solver->stats().factorizations == 2);
    CHECK(relative_residual(A1, x1, b) < kSolveTolerance);
    CHECK(relative_residual(A2, x2, b) < kSolveTolerance);
    VectorX in_place = b;  // solve(b, b) overwrites b with the solution
    solver->solve(in_place, in_place);
    CHECK(relative_residual(A2, in_place, b) < kSolveTolerance);
    CHECK((x1 - 2.0 * x2).norm() < 1e-7 * x1.norm());  // A2 = 2 A1, so x2 = x1 / 2
  }
}

TEST_CASE("factorize rejects a matrix whose pattern differs from the analysed one", "[linalg][solver]") {
  EigenLDLTSolver solver;
  solver.analyze(laplacian_3d(4, 1.0));
  CHECK_THROWS_AS(solver.factorize(laplacian_3d(5, 1.0)), InputError);
  VectorX x;
  CHECK_THROWS_AS(solver.solve(VectorX::Ones(64), x), InputError);  // nothing factorised yet
}

TEST_CASE("Cholesky reports an indefinite matrix and the fallback wrapper solves it with LU",
          "[linalg][solver]") {
  // Eigenvalues of the 8^3 Laplacian lie in (0.23, 11.77); a shift of -5.3 makes it indefinite.
  const SparseMatrix indefinite = laplacian_3d(8, -5.3);
  const VectorX b = rhs(indefinite.rows());
  std::unique_ptr<LinearSolver> cholesky;
  if (cholmod_available())
    cholesky = std::make_unique<CholmodSolver>();
  else
    cholesky = std::make_unique<EigenLDLTSolver>(true);
  cholesky->analyze(indefinite);
  CHECK_THROWS_AS(cholesky->factorize(indefinite), NotPositiveDefiniteError);
  CHECK_THROWS_WITH(cholesky->factorize(indefinite), Catch::Contains("not positive definite"));
  CHECK_FALSE(cholesky->is_factorized());

  SymmetricFallbackSolver fallback;
  const SparseMatrix spd = laplacian_3d(8, 0.5);
  fallback.analyze(spd);
  fallback.factorize(spd);
  CHECK_FALSE(fallback.switched());
  fallback.factorize(indefinite);
  CHECK(fallback.switched());
  CHECK_THAT(fallback.switch_reason(), Catch::Contains("not positive definite"));
  CHECK_THAT(fallback.name(), Catch::Contains("lu"));
  VectorX x;
  fallback.solve(b, x);
  CHECK(relative_residual(indefinite, x, b) < kSolveTolerance);
  // Later factorisations stay on LU.
  fallback.factorize(spd);
  fallback.solve(b, x);
  CHECK(fallback.switched());
  CHECK(relative_residual(spd, x, b) < kSolveTolerance);
}

TEST_CASE("CG names the residual reached when it runs out of iterations", "[linalg][solver]") {
  const SparseMatrix A = laplacian_3d(10, 0.5);
  CGSolver cg(CGOptions{1e-10, 2, CGPreconditioner::jacobi});
  cg.factorize(A);
  VectorX x;
  CHECK_THROWS_AS(cg.solve(rhs(A.rows()), x), NumericalError);
  CHECK_THROWS_WITH(cg.solve(rhs(A.rows()), x),
                    Catch::Contains("did not converge") && Catch::Contains("relative residual"));
  CHECK(cg.stats().last_iterations == 2);
  CHECK(cg.stats().last_relative_residual > 1e-10);
}

TEST_CASE("make_linear_solver picks a direct solver for small and CG for large systems",
          "[linalg][factory]") {
  LinearSolverOptions opt;
  opt.direct_max_equations = 1000;
  const std::string direct = cholmod_available() ? "cholmod" : "ldlt";
  CHECK(make_linear_solver(opt, 1000)->name() == direct);
  CHECK(make_linear_solver(opt, 1001)->name() == "cg+ic");
  opt.cg_preconditioner = CGPreconditioner::jacobi;
  CHECK(make_linear_solver(opt, 5000)->name() == "cg+jacobi");
  opt.kind = LinearSolverKind::lu;
  CHECK_THAT(make_linear_solver(opt, 5000)->name(), Catch::EndsWith("-lu"));
  opt.kind = LinearSolverKind::ldlt;
  CHECK(make_linear_solver(opt, 5000)->name() == "ldlt");
  opt.kind = LinearSolverKind::automatic;
  opt.symmetric_fallback = true;
  CHECK(dynamic_cast<SymmetricFallbackSolver*>(make_linear_solver(opt, 10).get()) != nullptr);
}

TEST_CASE("Linear solver names round-trip and bad names list the valid ones", "[linalg][options]") {
  for (auto k : {LinearSolverKind::automatic, LinearSolverKind::cholmod, LinearSolverKind::ldlt,
                 LinearSolverKind::lu, LinearSolverKind::cg})
    CHECK(parse_linear_solver_kind(to_string(k)) == k);
  CHECK_THROWS_WITH(parse_linear_solver_kind("pardiso"),
                    Catch::Contains("pardiso") && Catch::Contains("automatic, cholmod, ldlt, lu, cg"));
  CHECK(parse_cg_preconditioner("jacobi") == CGPreconditioner::jacobi);
  CHECK_THROWS_AS(parse_cg_preconditioner("ilu"), InputError);
}

TEST_CASE("LinearSolverOptions::validate names the bad field", "[linalg][options]") {
  const auto field_of = [](LinearSolverOptions o) {
    try {
      o.validate();
    } catch (const InputError& e) {
      return e.field();
    }
    return std::string();
  };
  LinearSolverOptions o;
  CHECK(field_of(o).empty());
  o.cg_tolerance = 0;
  CHECK(field_of(o) == "cg_tolerance");
  o = {};
  o.cg_max_iterations = 0;
  CHECK(field_of(o) == "cg_max_iterations");
  o = {};
  o.direct_max_equations = -1;
  CHECK(field_of(o) == "direct_max_equations");
  CHECK_THROWS_AS(make_linear_solver(o, 10), InputError);
}

TEST_CASE("CHOLMOD reports its ordering and factor size", "[linalg][solver]") {
  if (!cholmod_available()) return;
  const SparseMatrix A = laplacian_3d(10, 0.5);
  CholmodSolver solver;
  solver.analyze(A);
  CHECK(solver.ordering() != "none");
  // The factor fills in: more nonzeros than the lower triangle of A.
  CHECK(solver.stats().factor_nonzeros > (A.nonZeros() + A.rows()) / 2);
}

TEST_CASE("AMG's systems variant solves a vector field with interleaved components",
          "[linalg][solver][amg]") {
  if (!amg_available()) {
    WARN("libtissue was built without hypre: AmgSolver not tested");
    return;
  }
  // Three coupled components per grid node, ordered node by node as DofMap numbers displacements: the
  // Kronecker product of the 3-D Laplacian and an SPD 3 x 3 coupling block is SPD.
  const SparseMatrix L = laplacian_3d(12, 0.1);
  Mat3 coupling;
  coupling << 2.0, 0.5, 0.2, 0.5, 1.5, 0.3, 0.2, 0.3, 1.0;
  std::vector<Eigen::Triplet<Real, int>> t;
  for (int k = 0; k < L.outerSize(); ++k)
    for (SparseMatrix::InnerIterator it(L, k); it; ++it)
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b)
          t.emplace_back(3 * static_cast<int>(it.row()) + a, 3 * static_cast<int>(it.col()) + b,
                         it.value() * coupling(a, b));
  SparseMatrix A(3 * L.rows(), 3 * L.cols());
  A.setFromTriplets(t.begin(), t.end());
  A.makeCompressed();
  std::vector<int> components(static_cast<size_t>(A.rows()));
  for (size_t i = 0; i < components.size(); ++i) components[i] = static_cast<int>(i % 3);
  const VectorX b = rhs(A.rows());
  EigenLDLTSolver direct;
  direct.factorize(A);
  VectorX x_direct;
  direct.solve(b, x_direct);
  AmgSolver amg(AmgOptions{1e-10, 200});
  amg.set_components(components);
  amg.factorize(A);
  VectorX x;
  amg.solve(b, x);
  CHECK(relative_residual(A, x, b) < kSolveTolerance);
  CHECK((x - x_direct).norm() < 1e-7 * x_direct.norm());
  CHECK(amg.stats().last_iterations < 60);  // a working multigrid preconditioner, not plain CG
}
