// Choice of linear solver: kinds, options and their names at the input edge.
#pragma once

#include <string>
#include <string_view>

#include "libtissue/core/types.hpp"

namespace tissue {

/// Which linear solver to use.
enum class LinearSolverKind {
  automatic,  ///< direct Cholesky up to direct_max_equations, CG beyond
  cholmod,    ///< CHOLMOD supernodal Cholesky (SPD only)
  ldlt,       ///< Eigen SimplicialLDLT (symmetric, pure Eigen)
  lu,         ///< UMFPACK LU, or Eigen SparseLU without SuiteSparse (non-symmetric or indefinite)
  cg,         ///< preconditioned conjugate gradient (SPD, large systems)
  amg         ///< CG with hypre's BoomerAMG as preconditioner (SPD, large systems; needs hypre)
};

/// Preconditioner of the conjugate gradient solver.
enum class CGPreconditioner {
  incomplete_cholesky,  ///< Eigen IncompleteCholesky with AMD ordering (fewer iterations)
  jacobi                ///< diagonal scaling (cheap set-up, many iterations)
};

/// Options of make_linear_solver().
struct LinearSolverOptions {
  LinearSolverKind kind = LinearSolverKind::automatic;  ///< method, see LinearSolverKind
  Index direct_max_equations = 600000;  ///< automatic: largest system solved directly [equations]
  Real cg_tolerance = 1e-10;            ///< CG and AMG: relative residual |Ax - b|/|b| to reach
  int cg_max_iterations = 5000;         ///< CG and AMG: iteration limit
  CGPreconditioner cg_preconditioner = CGPreconditioner::incomplete_cholesky;  ///< CG preconditioner
  bool symmetric_fallback = false;  ///< wrap direct Cholesky in SymmetricFallbackSolver (LU if not SPD)
  /// With symmetric_fallback: try Cholesky again at every factorisation after a switch (an indefinite
  /// tangent during a load peak), instead of staying with LU for good.
  bool fallback_retries_primary = false;
  /// Throws InputError naming the first invalid field.
  void validate() const;
};

/// Parses "automatic", "cholmod", "ldlt", "lu", "cg" or "amg"; throws InputError listing the valid names.
LinearSolverKind parse_linear_solver_kind(std::string_view name);
/// The name parse_linear_solver_kind() accepts for kind.
std::string to_string(LinearSolverKind kind);
/// Parses "incomplete_cholesky" or "jacobi"; throws InputError listing the valid names.
CGPreconditioner parse_cg_preconditioner(std::string_view name);
/// The name parse_cg_preconditioner() accepts for p.
std::string to_string(CGPreconditioner p);

}  // namespace tissue
