#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "libtissue/linalg/eigen_ldlt_solver.hpp"
#include "libtissue/linalg/linear_solver_factory.hpp"
#include "libtissue/linalg/newton_solver.hpp"

using namespace tissue;

namespace {

/// Writes a diagonal-plus-neighbours (tridiagonal) pattern into K if it is empty, else keeps it.
void ensure_tridiagonal(SparseMatrix& K, Index n) {
  if (K.rows() == n && K.nonZeros() > 0) return;
  std::vector<Eigen::Triplet<Real, int>> t;
  for (Index i = 0; i < n; ++i) {
    t.emplace_back(i, i, 0.0);
    if (i > 0) t.emplace_back(i, i - 1, 0.0);
    if (i + 1 < n) t.emplace_back(i, i + 1, 0.0);
  }
  K.resize(n, n);
  K.setFromTriplets(t.begin(), t.end());
  K.makeCompressed();
}

/// r_i = x_i^3 + x_i + c (2 x_i - x_{i-1} - x_{i+1}) - b_i with x_0 = x_{n+1} = 0: the gradient of
/// E = sum(x^4/4 + x^2/2 - b x) + c/2 (x_1^2 + sum (x_{i+1} - x_i)^2 + x_n^2). Smooth and convex.
class CubicChain : public NewtonProblem {
 public:
  CubicChain(Index n, Real c, Real scale) : n_(n), c_(c), b_(n) {
    for (Index i = 0; i < n; ++i) b_[i] = scale * (1.0 + std::sin(0.7 * i));
  }
  Index n_equations() const override { return n_; }
  NewtonEvaluation evaluate(const VectorX& x, VectorX* r, SparseMatrix* K,
                            std::vector<LowRankTerm>*) override {
    const auto at = [&](Index i) { return (i < 0 || i >= n_) ? 0.0 : x[i]; };
    if (r) {
      r->resize(n_);
      for (Index i = 0; i < n_; ++i)
        (*r)[i] = x[i] * x[i] * x[i] + x[i] + c_ * (2 * x[i] - at(i - 1) - at(i + 1)) - b_[i];
    }
    if (K) {
      ensure_tridiagonal(*K, n_);
      for (Index i = 0; i < n_; ++i) {
        K->coeffRef(i, i) = 3 * x[i] * x[i] + 1 + 2 * c_;
        if (i > 0) K->coeffRef(i, i - 1) = -c_;
        if (i + 1 < n_) K->coeffRef(i, i + 1) = -c_;
      }
    }
    ++evaluations;
    return {energy(x), true, 0.0};
  }
  bool has_energy() const override { return true; }
  Real energy(const VectorX& x) const {
    Real e = 0.5 * c_ * (x[0] * x[0] + x[n_ - 1] * x[n_ - 1]);
    for (Index i = 0; i < n_; ++i) e += std::pow(x[i], 4) / 4 + x[i] * x[i] / 2 - b_[i] * x[i];
    for (Index i = 0; i + 1 < n_; ++i) e += 0.5 * c_ * (x[i + 1] - x[i]) * (x[i + 1] - x[i]);
    return e;
  }
  int evaluations = 0;

 private:
  Index n_;
  Real c_;
  VectorX b_;
};

/// r_i = atan(x_i): plain Newton diverges from |x_0| > 1.39. Energy E = x atan x - log(1 + x^2)/2.
class Arctan : public NewtonProblem {
 public:
  explicit Arctan(bool with_energy) : with_energy_(with_energy) {}
  Index n_equations() const override { return 3; }
  NewtonEvaluation evaluate(const VectorX& x, VectorX* r, SparseMatrix* K,
                            std::vector<LowRankTerm>*) override {
    if (r) *r = x.array().atan().matrix();
    if (K) {
      ensure_tridiagonal(*K, 3);
      K->coeffs().setZero();
      for (Index i = 0; i < 3; ++i) K->coeffRef(i, i) = 1 / (1 + x[i] * x[i]);
    }
    NewtonEvaluation ev;
    if (with_energy_) ev.energy = (x.array() * x.array().atan() - 0.5 * (1 + x.array().square()).log()).sum();
    return ev;
  }
  bool has_energy() const override { return with_energy_; }

 private:
  bool with_energy_;
};

/// r_i = log(x_i), admissible only for x_i > 0; the full Newton step from x = 3 lands at -0.3.
class Logarithm : public NewtonProblem {
 public:
  Index n_equations() const override { return 2; }
  NewtonEvaluation evaluate(const VectorX& x, VectorX* r, SparseMatrix* K,
                            std::vector<LowRankTerm>*) override {
    NewtonEvaluation ev;
    ev.admissible = (x.array() > 0).all();
    if (!ev.admissible) {
      if (r) r->setConstant(2, std::numeric_limits<Real>::quiet_NaN());
      return ev;
    }
    if (r) *r = x.array().log().matrix();
    if (K) {
      ensure_tridiagonal(*K, 2);
      K->coeffs().setZero();
      for (Index i = 0; i < 2; ++i) K->coeffRef(i, i) = 1 / x[i];
    }
    return ev;
  }
};

/// r = x^3 + x - b + k (sum x) 1: the gradient of sum(x^4/4 + x^2/2 - b x) + k/2 (sum x)^2. Its tangent is a
/// diagonal (sparse part) plus the dense rank-one term k 1 1^T, given as a LowRankTerm.
class RankOneCoupled : public NewtonProblem {
 public:
  RankOneCoupled(Index n, Real k, bool declare_low_rank) : n_(n), k_(k), declare_(declare_low_rank), b_(n) {
    for (Index i = 0; i < n; ++i) b_[i] = 2.0 + std::cos(0.3 * i);
  }
  Index n_equations() const override { return n_; }
  NewtonEvaluation evaluate(const VectorX& x, VectorX* r, SparseMatrix* K,
                            std::vector<LowRankTerm>* lr) override {
    const Real sum = x.sum();
    if (r) *r = (x.array().cube() + x.array() - b_.array() + k_ * sum).matrix();
    if (K) {
      ensure_tridiagonal(*K, n_);
      K->coeffs().setZero();
      for (Index i = 0; i < n_; ++i) K->coeffRef(i, i) = 3 * x[i] * x[i] + 1;
    }
    if (lr && declare_) lr->push_back({VectorX::Ones(n_), k_});
    const Real e =
        (x.array().pow(4) / 4 + x.array().square() / 2 - b_.array() * x.array()).sum() + 0.5 * k_ * sum * sum;
    return {e, true, 0.0};
  }
  bool has_energy() const override { return true; }

 private:
  Index n_;
  Real k_;
  bool declare_;
  VectorX b_;
};

/// A problem whose residual is NaN everywhere.
class NotANumber : public NewtonProblem {
 public:
  Index n_equations() const override { return 2; }
  NewtonEvaluation evaluate(const VectorX&, VectorX* r, SparseMatrix* K, std::vector<LowRankTerm>*) override {
    if (r) r->setConstant(2, std::numeric_limits<Real>::quiet_NaN());
    if (K) ensure_tridiagonal(*K, 2);
    return {};
  }
};

}  // namespace

TEST_CASE("Newton converges quadratically on a smooth coupled cubic system", "[linalg][newton]") {
  CubicChain problem(200, 0.5, 3.0);
  EigenLDLTSolver linear;
  NewtonOptions opt;
  opt.rel_tolerance = 0;
  opt.abs_tolerance = 1e-12;
  NewtonSolver newton(opt, linear);
  VectorX x = VectorX::Zero(200);
  const NewtonSummary s = newton.solve(problem, x);
  INFO(s.brief());
  REQUIRE(s.converged);
  CHECK(s.final_residual <= 1e-12);
  CHECK(s.residual_history.size() == static_cast<size_t>(s.iterations + 1));
  // Asymptotic phase: |r_{k+1}| <= C |r_k|^2 once |r_k| < 1e-2 (and above round-off).
  const auto& h = s.residual_history;
  int checked = 0;
  for (size_t k = 0; k + 1 < h.size(); ++k) {
    if (h[k] < 1e-2 && h[k + 1] > 1e-13) {
      CHECK(h[k + 1] <= 10.0 * h[k] * h[k]);
      ++checked;
    }
  }
  CHECK(checked >= 1);
  CHECK(s.iterations <= 12);
}

TEST_CASE("Newton analyses the tangent pattern once across solves", "[linalg][newton]") {
  EigenLDLTSolver linear;
  NewtonSolver newton(NewtonOptions{}, linear);
  int iterations = 0;
  for (Real scale : {1.0, 2.0}) {
    CubicChain problem(50, 0.5, scale);
    VectorX x = VectorX::Zero(50);
    const NewtonSummary s = newton.solve(problem, x);
    REQUIRE(s.converged);
    iterations += s.iterations;
  }
  CHECK(linear.stats().analyses == 1);
  CHECK(linear.stats().factorizations == iterations);
}

TEST_CASE("Modified Newton reuses the factorised tangent and reaches the same solution", "[linalg][newton]") {
  // Mildly nonlinear: the cubic term changes the tangent by ~30 % between x = 0 and the solution.
  const Index n = 200;
  NewtonOptions opt;
  opt.rel_tolerance = 0;
  opt.abs_tolerance = 1e-11;
  opt.increment_tolerance = 0;          // judge by the residual only
  REQUIRE(opt.max_tangent_reuse == 0);  // exact Newton by default

  EigenLDLTSolver exact_linear;
  CubicChain exact_problem(n, 0.5, 0.5);
  VectorX x_exact = VectorX::Zero(n);
  const NewtonSummary exact = NewtonSolver(opt, exact_linear).solve(exact_problem, x_exact);
  INFO("exact: " << exact.brief());
  REQUIRE(exact.converged);
  CHECK(exact.factorizations == exact.iterations);
  CHECK(exact_linear.stats().factorizations == exact.iterations);

  for (int reuse : {1, 3, 10}) {
    opt.max_tangent_reuse = reuse;
    EigenLDLTSolver linear;
    CubicChain problem(n, 0.5, 0.5);
    VectorX x = VectorX::Zero(n);
    const NewtonSummary s = NewtonSolver(opt, linear).solve(problem, x);
    INFO("max_tangent_reuse " << reuse << ": " << s.brief());
    REQUIRE(s.converged);
    CHECK(s.final_residual <= 1e-11);
    CHECK((x - x_exact).norm() <= 1e-10 * x_exact.norm());
    CHECK(s.factorizations == linear.stats().factorizations);
    CHECK(s.factorizations < exact.factorizations);
    CHECK(s.iterations >= s.factorizations);
    CHECK(linear.stats().solves == s.iterations);
    // Every reused-tangent iteration contracted the residual by the required factor or triggered a
    // refactorisation; overall the residual falls monotonically.
    for (size_t k = 0; k + 1 < s.residual_history.size(); ++k)
      CHECK(s.residual_history[k + 1] < s.residual_history[k]);
    CHECK_THAT(s.brief(), Catch::Contains("factorisation"));
  }
}

TEST_CASE("A low-rank tangent term is solved exactly (Woodbury): quadratic convergence", "[linalg][newton]") {
  NewtonOptions opt;
  opt.rel_tolerance = 0;
  opt.abs_tolerance = 1e-12;
  opt.increment_tolerance = 0;
  EigenLDLTSolver linear;
  RankOneCoupled with(60, 5.0, true), without(60, 5.0, false);
  VectorX x = VectorX::Zero(60), y = VectorX::Zero(60);
  const NewtonSummary a = NewtonSolver(opt, linear).solve(with, x);
  INFO("with the rank-one term: " << a.brief());
  REQUIRE(a.converged);
  const auto& h = a.residual_history;
  int checked = 0;
  for (size_t k = 0; k + 1 < h.size(); ++k)
    if (h[k] < 1e-1 && h[k + 1] > 1e-13) {
      CHECK(h[k + 1] <= 10.0 * h[k] * h[k]);
      ++checked;
    }
  CHECK(checked >= 1);
  // Leaving the coupling out of the tangent makes Newton a (slower) quasi-Newton method.
  opt.max_iterations = 200;
  const NewtonSummary b = NewtonSolver(opt, linear).solve(without, y);
  INFO("without: " << b.brief());
  CHECK(b.iterations > a.iterations);
  if (b.converged) CHECK((x - y).norm() < 1e-9);
}

TEST_CASE("A kept factorisation serves the next solve of a nearby problem", "[linalg][newton]") {
  NewtonOptions opt;
  opt.rel_tolerance = 0;
  opt.abs_tolerance = 1e-11;
  opt.increment_tolerance = 0;
  opt.max_tangent_reuse = 10;
  opt.keep_factorization = true;
  EigenLDLTSolver linear;
  NewtonSolver newton(opt, linear);
  VectorX x = VectorX::Zero(80);
  CubicChain first(80, 0.5, 0.3);
  REQUIRE(newton.solve(first, x).converged);
  REQUIRE(newton.has_factorization());
  // A 2 % larger load: the first solve's factorisation contracts the residual, no new one is needed.
  CubicChain second(80, 0.5, 0.306);
  VectorX x_kept = x;
  const NewtonSummary kept = newton.solve(second, x_kept);
  INFO(kept.brief());
  REQUIRE(kept.converged);
  CHECK(kept.factorizations == 0);
  CHECK(kept.tangent_evaluations == 0);
  // Same solution as exact Newton.
  NewtonOptions exact_opt = opt;
  exact_opt.max_tangent_reuse = 0;
  exact_opt.keep_factorization = false;
  EigenLDLTSolver linear2;
  VectorX x_exact = x;
  REQUIRE(NewtonSolver(exact_opt, linear2).solve(second, x_exact).converged);
  CHECK((x_kept - x_exact).norm() <= 1e-9 * x_exact.norm());
  // invalidate() drops the kept factorisation.
  newton.invalidate();
  CHECK_FALSE(newton.has_factorization());
}

TEST_CASE("Modified Newton refactorises when a reused tangent stops contracting", "[linalg][newton]") {
  // Strongly nonlinear start (large load): with a demanding contraction factor the solver falls back
  // to fresh tangents and still converges.
  NewtonOptions opt;
  opt.max_tangent_reuse = 5;
  opt.reuse_contraction = 0.05;
  EigenLDLTSolver linear;
  CubicChain problem(100, 0.5, 5.0);
  VectorX x = VectorX::Zero(100);
  const NewtonSummary s = NewtonSolver(opt, linear).solve(problem, x);
  INFO(s.brief());
  REQUIRE(s.converged);
  CHECK(s.factorizations >= 2);
  CHECK(s.factorizations <= s.iterations);
}

TEST_CASE("The line search rescues Newton on atan, where plain Newton diverges", "[linalg][newton]") {
  const VectorX x0 = (VectorX(3) << 2.0, -2.5, 1.5).finished();
  auto linear = make_linear_solver(LinearSolverOptions{}, 3);
  NewtonOptions opt;
  opt.max_iterations = 40;

  opt.line_search = false;
  {
    Arctan problem(false);
    VectorX x = x0;
    const NewtonSummary s = NewtonSolver(opt, *linear).solve(problem, x);
    CHECK_FALSE(s.converged);
    CHECK_FALSE(s.reason.empty());
  }
  opt.line_search = true;
  for (bool with_energy : {false, true}) {
    INFO("energy line search: " << with_energy);
    Arctan problem(with_energy);
    VectorX x = x0;
    const NewtonSummary s = NewtonSolver(opt, *linear).solve(problem, x);
    INFO(s.brief());
    CHECK(s.converged);
    CHECK(s.line_search_halvings > 0);
    CHECK(x.norm() < 1e-8);
  }
}

TEST_CASE("Newton backtracks out of inadmissible states", "[linalg][newton]") {
  EigenLDLTSolver linear;
  Logarithm problem;
  VectorX x = VectorX::Constant(2, 3.0);
  const NewtonSummary s = NewtonSolver(NewtonOptions{}, linear).solve(problem, x);
  INFO(s.brief());
  CHECK(s.converged);
  CHECK(s.rejected_states > 0);
  CHECK((x.array() - 1.0).abs().maxCoeff() < 1e-8);

  NewtonOptions plain;
  plain.line_search = false;
  VectorX y = VectorX::Constant(2, 3.0);
  const NewtonSummary t = NewtonSolver(plain, linear).solve(problem, y);
  CHECK_FALSE(t.converged);
  CHECK_THAT(t.reason, Catch::Contains("inadmissible"));
  CHECK(y[0] == 3.0);  // x is left at the last accepted state
}

TEST_CASE("A NaN first residual ends Newton with a reason, not an exception", "[linalg][newton]") {
  EigenLDLTSolver linear;
  NotANumber problem;
  VectorX x = VectorX::Zero(2);
  NewtonSolver newton(NewtonOptions{}, linear);
  NewtonSummary s;
  CHECK_NOTHROW(s = newton.solve(problem, x));
  CHECK_FALSE(s.converged);
  CHECK_THAT(s.reason, Catch::Contains("not finite"));
}

TEST_CASE("A singular tangent ends Newton without an exception", "[linalg][newton]") {
  Arctan problem(false);
  EigenLDLTSolver linear;
  VectorX x = VectorX::Constant(3, 1e200);  // 1/(1+x^2) underflows to an exactly zero pivot
  NewtonSummary s;
  CHECK_NOTHROW(s = NewtonSolver(NewtonOptions{}, linear).solve(problem, x));
  CHECK_FALSE(s.converged);
  CHECK_THAT(s.reason, Catch::Contains("linear solve failed"));
  CHECK_THAT(s.brief(), Catch::StartsWith("not converged"));
}

TEST_CASE("NewtonOptions::validate names the bad field", "[linalg][newton][options]") {
  const auto field_of = [](NewtonOptions o) {
    try {
      o.validate();
    } catch (const InputError& e) {
      return e.field();
    }
    return std::string();
  };
  CHECK(field_of(NewtonOptions{}).empty());
  NewtonOptions o;
  o.max_iterations = 0;
  CHECK(field_of(o) == "max_iterations");
  o = {};
  o.rel_tolerance = -1;
  CHECK(field_of(o) == "rel_tolerance");
  o = {};
  o.abs_tolerance = std::numeric_limits<Real>::quiet_NaN();
  CHECK(field_of(o) == "abs_tolerance");
  o = {};
  o.increment_tolerance = 2;
  CHECK(field_of(o) == "increment_tolerance");
  o = {};
  o.max_line_search_steps = -1;
  CHECK(field_of(o) == "max_line_search_steps");
  o = {};
  o.divergence_factor = 0.5;
  CHECK(field_of(o) == "divergence_factor");
  o = {};
  o.max_tangent_reuse = -1;
  CHECK(field_of(o) == "max_tangent_reuse");
  o = {};
  o.reuse_contraction = 1.0;
  CHECK(field_of(o) == "reuse_contraction");
  o = {};
  o.divergence_factor = 0.5;
  EigenLDLTSolver linear;
  CHECK_THROWS_AS(NewtonSolver(o, linear), InputError);
}
