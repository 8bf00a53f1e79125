#include "libtissue/linalg/cg_solver.hpp"

#include <Eigen/IterativeLinearSolvers>
#include <cmath>
#include <cstdio>

namespace tissue {
namespace {

using IcPreconditioner = Eigen::IncompleteCholesky<Real, Eigen::Lower, Eigen::AMDOrdering<int>>;
using IcCG = Eigen::ConjugateGradient<SparseMatrix, Eigen::Lower | Eigen::Upper, IcPreconditioner>;
using JacobiCG =
    Eigen::ConjugateGradient<SparseMatrix, Eigen::Lower | Eigen::Upper, Eigen::DiagonalPreconditioner<Real>>;

}  // namespace

struct CGSolver::Impl {
  IcCG ic;
  JacobiCG jacobi;
};

CGSolver::CGSolver(CGOptions options) : options_(options), impl_(std::make_unique<Impl>()) {
  require(std::isfinite(options_.tolerance) && options_.tolerance > 0 && options_.tolerance < 1,
          "cg_tolerance", "must lie in (0, 1), got " + std::to_string(options_.tolerance));
  require(options_.max_iterations >= 1, "cg_max_iterations",
          "must be at least 1, got " + std::to_string(options_.max_iterations));
  impl_->ic.setTolerance(options_.tolerance);
  impl_->ic.setMaxIterations(options_.max_iterations);
  impl_->jacobi.setTolerance(options_.tolerance);
  impl_->jacobi.setMaxIterations(options_.max_iterations);
}

CGSolver::~CGSolver() = default;

std::string CGSolver::name() const {
  return options_.preconditioner == CGPreconditioner::jacobi ? "cg+jacobi" : "cg+ic";
}

void CGSolver::do_analyze(const SparseMatrix& A) {
  if (options_.preconditioner == CGPreconditioner::jacobi)
    impl_->jacobi.analyzePattern(A);
  else
    impl_->ic.analyzePattern(A);
}

void CGSolver::do_factorize(const SparseMatrix& A) {
  Eigen::ComputationInfo info;
  if (options_.preconditioner == CGPreconditioner::jacobi) {
    impl_->jacobi.factorize(A);
    info = impl_->jacobi.info();
  } else {
    impl_->ic.factorize(A);
    info = impl_->ic.info();
    mutable_stats().factor_nonzeros =
        static_cast<std::int64_t>(impl_->ic.preconditioner().matrixL().nonZeros());
  }
  if (info != Eigen::Success)
    throw NumericalError(name() + ": preconditioner set-up failed for the " + std::to_string(A.rows()) +
                         "-equation matrix");
}

void CGSolver::do_solve(const VectorX& b, VectorX& x) {
  Eigen::ComputationInfo info;
  int iterations = 0;
  Real error = 0;
  if (options_.preconditioner == CGPreconditioner::jacobi) {
    x = impl_->jacobi.solve(b);
    info = impl_->jacobi.info();
    iterations = static_cast<int>(impl_->jacobi.iterations());
    error = impl_->jacobi.error();
  } else {
    x = impl_->ic.solve(b);
    info = impl_->ic.info();
    iterations = static_cast<int>(impl_->ic.iterations());
    error = impl_->ic.error();
  }
  mutable_stats().last_iterations = iterations;
  mutable_stats().last_relative_residual = error;
  if (info != Eigen::Success || !x.allFinite())
    throw NumericalError(name() + " did not converge: relative residual " + sci(error) + " after " +
                         std::to_string(iterations) + " iterations (tolerance " + sci(options_.tolerance) +
                         ", limit " + std::to_string(options_.max_iterations) + ")");
}

}  // namespace tissue
