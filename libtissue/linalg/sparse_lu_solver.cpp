#include "libtissue/linalg/sparse_lu_solver.hpp"

#include "libtissue/config.hpp"

#if TISSUE_WITH_CHOLMOD
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <Eigen/UmfPackSupport>
#pragma GCC diagnostic pop
#else
#include <Eigen/SparseLU>
#endif

namespace tissue {

struct SparseLUSolver::Impl {
#if TISSUE_WITH_CHOLMOD
  Eigen::UmfPackLU<SparseMatrix> lu;
#else
  Eigen::SparseLU<SparseMatrix, Eigen::COLAMDOrdering<int> > lu;
#endif
};

SparseLUSolver::SparseLUSolver() : impl_(std::make_unique<Impl>()) {}

SparseLUSolver::~SparseLUSolver() = default;

std::string SparseLUSolver::name() const {
  return TISSUE_WITH_CHOLMOD ? "umfpack-lu" : "eigen-lu";
}

void SparseLUSolver::do_analyze(const SparseMatrix& A) {
  impl_->lu.analyzePattern(A);
  // Eigen::SparseLU reports its state only after factorize(); UMFPACK after the analysis too.
  if (TISSUE_WITH_CHOLMOD && impl_->lu.info() != Eigen::Success)
    throw NumericalError(name() + ": symbolic analysis of a " + std::to_string(A.rows()) +
                         "-equation matrix failed");
}

void SparseLUSolver::do_factorize(const SparseMatrix& A) {
  impl_->lu.factorize(A);
  if (impl_->lu.info() != Eigen::Success)
    throw NumericalError(name() + ": the " + std::to_string(A.rows()) + "-equation matrix is singular");
}

void SparseLUSolver::do_solve(const VectorX& b, VectorX& x) {
  x = impl_->lu.solve(b);
  if (impl_->lu.info() != Eigen::Success || !x.allFinite())
    throw NumericalError(name() + ": solve failed (singular matrix?)");
}

}  // namespace tissue
