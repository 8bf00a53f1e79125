// Conjugate gradient preconditioned by algebraic multigrid (hypre's BoomerAMG), for symmetric positive
// definite systems too large to factorise: memory grows linearly with the equations.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "libtissue/linalg/linear_solver.hpp"

namespace tissue {

/// Whether libtissue was built with hypre (TISSUE_WITH_HYPRE); without it AmgSolver's constructor throws.
bool amg_available() noexcept;

/// Options of AmgSolver.
struct AmgOptions {
  Real tolerance = 1e-10;       ///< relative residual |Ax - b|/|b| to reach
  int max_iterations = 500;     ///< CG iterations per solve
  Real strong_threshold = 0.5;  ///< BoomerAMG's strength threshold (0.5-0.7 for 3-d elasticity)
};

/// CG (hypre's ParCSR PCG) with one BoomerAMG V-cycle as preconditioner: HMIS coarsening, extended+i
/// interpolation, l1 symmetric Gauss-Seidel smoothing; for vector fields (set_components) the systems variant
/// with nodal coarsening and aggressive coarsening on the first level. factorize() builds the multigrid
/// hierarchy; each solve starts from x = 0 and throws NumericalError naming the residual reached if it does
/// not converge. Serial (MPI_COMM_SELF); initialises MPI if the program has not. Henson & Yang (2002), Appl
/// Numer Math 41:155; De Sterck, Yang & Heys (2006), SIAM J Matrix Anal Appl 27:1019 (HMIS).
class AmgSolver final : public LinearSolver {
 public:
  /// Creates the solver; throws InputError for invalid options or when hypre is not built in.
  explicit AmgSolver(AmgOptions options = {});
  /// Frees hypre's objects.
  ~AmgSolver() override;
  AmgSolver(const AmgSolver&) = delete;
  AmgSolver& operator=(const AmgSolver&) = delete;
  /// "cg+amg".
  std::string name() const override { return "cg+amg"; }
  /// The field component of each equation (0, 1, 2 for displacements): BoomerAMG's systems variant.
  void set_components(std::vector<int> component_of_equation) override;
  /// The options given at construction.
  const AmgOptions& options() const noexcept { return options_; }

 protected:
  /// Row sizes of the pattern (for hypre's matrix).
  void do_analyze(const SparseMatrix& A) override;
  /// Copies A into hypre and builds the multigrid hierarchy.
  void do_factorize(const SparseMatrix& A) override;
  /// Runs preconditioned CG from x = 0.
  void do_solve(const VectorX& b, VectorX& x) override;

 private:
  struct Impl;
  AmgOptions options_;
  std::vector<int> components_;  // field component of each equation (empty: scalar AMG)
  int n_functions_ = 1;          // number of components in components_
  std::unique_ptr<Impl> impl_;
};

}  // namespace tissue
