// Cholesky first, LU once a matrix turns out not to be positive definite.
#pragma once

#include <memory>
#include <string>

#include "libtissue/linalg/linear_solver.hpp"

namespace tissue {

/// Wraps a Cholesky solver (primary) and an LU solver (fallback). factorize() tries the primary;
/// when it throws NotPositiveDefiniteError the wrapper analyses and factorises the same matrix with
/// the fallback and uses the fallback for this and every later call, recording that it switched.
/// Other errors propagate.
class SymmetricFallbackSolver final : public LinearSolver {
 public:
  /// CHOLMOD (or EigenLDLT requiring positive pivots without CHOLMOD) falling back to SparseLU.
  SymmetricFallbackSolver();
  /// Custom pair; primary must throw NotPositiveDefiniteError to trigger the switch.
  SymmetricFallbackSolver(std::unique_ptr<LinearSolver> primary, std::unique_ptr<LinearSolver> fallback);
  /// Frees both solvers.
  ~SymmetricFallbackSolver() override;

  /// The active solver's name; after the switch "<fallback> (after <primary>)".
  std::string name() const override;
  /// True once the fallback took over.
  bool switched() const noexcept { return switched_; }
  /// Message of the error that caused the switch (empty before).
  const std::string& switch_reason() const noexcept { return switch_reason_; }
  /// Retry the primary at every factorisation after a switch (switch back when it succeeds).
  void set_retry_primary(bool retry) noexcept { retry_primary_ = retry; }
  /// The solver now in use.
  const LinearSolver& active() const noexcept { return switched_ ? *fallback_ : *primary_; }

 protected:
  /// Analyses with the active solver.
  void do_analyze(const SparseMatrix& A) override;
  /// Factorises with the active solver, switching to the fallback if A is not positive definite.
  void do_factorize(const SparseMatrix& A) override;
  /// Solves with the active solver.
  void do_solve(const VectorX& b, VectorX& x) override;

 private:
  LinearSolver& active_mut() noexcept { return switched_ ? *fallback_ : *primary_; }
  void copy_stats();

  std::unique_ptr<LinearSolver> primary_;
  std::unique_ptr<LinearSolver> fallback_;
  bool switched_ = false;
  bool retry_primary_ = false;
  bool fallback_analyzed_ = false;
  std::string switch_reason_;
};

}  // namespace tissue
