#include "libtissue/linalg/symmetric_fallback_solver.hpp"

#include "libtissue/linalg/cholmod_solver.hpp"
#include "libtissue/linalg/eigen_ldlt_solver.hpp"
#include "libtissue/linalg/linear_solver_factory.hpp"
#include "libtissue/linalg/sparse_lu_solver.hpp"

namespace tissue {
namespace {

std::unique_ptr<LinearSolver> default_cholesky() {
  if (cholmod_available()) return std::make_unique<CholmodSolver>();
  return std::make_unique<EigenLDLTSolver>(/*require_positive_definite=*/true);
}

}  // namespace

SymmetricFallbackSolver::SymmetricFallbackSolver()
    : SymmetricFallbackSolver(default_cholesky(), std::make_unique<SparseLUSolver>()) {}

SymmetricFallbackSolver::SymmetricFallbackSolver(std::unique_ptr<LinearSolver> primary,
                                                 std::unique_ptr<LinearSolver> fallback)
    : primary_(std::move(primary)), fallback_(std::move(fallback)) {
  require(primary_ != nullptr, "primary", "must not be null");
  require(fallback_ != nullptr, "fallback", "must not be null");
}

SymmetricFallbackSolver::~SymmetricFallbackSolver() = default;

std::string SymmetricFallbackSolver::name() const {
  if (!switched_) return primary_->name();
  return fallback_->name() + " (after " + primary_->name() + ")";
}

void SymmetricFallbackSolver::copy_stats() {
  const LinearSolverStats& inner = active().stats();
  mutable_stats().factor_nonzeros = inner.factor_nonzeros;
  mutable_stats().last_iterations = inner.last_iterations;
  mutable_stats().last_relative_residual = inner.last_relative_residual;
}

void SymmetricFallbackSolver::do_analyze(const SparseMatrix& A) {
  if (retry_primary_ || !switched_) primary_->analyze(A);
  fallback_analyzed_ = false;
  if (switched_) {
    fallback_->analyze(A);
    fallback_analyzed_ = true;
  }
  copy_stats();
}

void SymmetricFallbackSolver::do_factorize(const SparseMatrix& A) {
  if (!switched_ || retry_primary_) {
    try {
      primary_->factorize(A);
      switched_ = false;
      copy_stats();
      return;
    } catch (const NotPositiveDefiniteError& e) {
      switched_ = true;
      switch_reason_ = e.what();
    }
    if (!fallback_analyzed_) {
      fallback_->analyze(A);
      fallback_analyzed_ = true;
    }
  }
  fallback_->factorize(A);
  copy_stats();
}

void SymmetricFallbackSolver::do_solve(const VectorX& b, VectorX& x) {
  active_mut().solve(b, x);
  copy_stats();
}

}  // namespace tissue
