#include "libtissue/linalg/linear_solver_factory.hpp"

#include "libtissue/config.hpp"
#include "libtissue/linalg/amg_solver.hpp"
#include "libtissue/linalg/cg_solver.hpp"
#include "libtissue/linalg/cholmod_solver.hpp"
#include "libtissue/linalg/eigen_ldlt_solver.hpp"
#include "libtissue/linalg/sparse_lu_solver.hpp"
#include "libtissue/linalg/symmetric_fallback_solver.hpp"

namespace tissue {

bool cholmod_available() noexcept {
  return TISSUE_WITH_CHOLMOD != 0;
}

std::unique_ptr<LinearSolver> make_linear_solver(const LinearSolverOptions& options, Index n_equations) {
  options.validate();
  require(n_equations >= 0, "n_equations", "must be non-negative, got " + std::to_string(n_equations));
  LinearSolverKind kind = options.kind;
  if (kind == LinearSolverKind::automatic) {
    if (n_equations > options.direct_max_equations)
      kind = LinearSolverKind::cg;
    else
      kind = cholmod_available() ? LinearSolverKind::cholmod : LinearSolverKind::ldlt;
  }
  switch (kind) {
    case LinearSolverKind::cholmod:
      require(cholmod_available(), "linear_solver",
              "cholmod requested but libtissue was built without CHOLMOD (TISSUE_WITH_CHOLMOD=OFF); "
              "use ldlt, lu or cg");
      if (options.symmetric_fallback) {
        auto s = std::make_unique<SymmetricFallbackSolver>();
        s->set_retry_primary(options.fallback_retries_primary);
        return s;
      }
      return std::make_unique<CholmodSolver>();
    case LinearSolverKind::ldlt:
      if (options.symmetric_fallback)
        return std::make_unique<SymmetricFallbackSolver>(std::make_unique<EigenLDLTSolver>(true),
                                                         std::make_unique<SparseLUSolver>());
      return std::make_unique<EigenLDLTSolver>();
    case LinearSolverKind::lu:
      return std::make_unique<SparseLUSolver>();
    case LinearSolverKind::amg:
      return std::make_unique<AmgSolver>(AmgOptions{options.cg_tolerance, options.cg_max_iterations});
    case LinearSolverKind::cg:
    case LinearSolverKind::automatic:
      break;
  }
  return std::make_unique<CGSolver>(
      CGOptions{options.cg_tolerance, options.cg_max_iterations, options.cg_preconditioner});
}

}  // namespace tissue
