#include "libtissue/linalg/cholmod_solver.hpp"

#include "libtissue/config.hpp"

#if TISSUE_WITH_CHOLMOD
#include <cholmod.h>
#endif
#if TISSUE_WITH_OPENMP
#include <omp.h>
#endif

namespace tissue {

#if TISSUE_WITH_CHOLMOD

namespace {
// Keeps CHOLMOD's own OpenMP loops serial while it runs. Debian's CHOLMOD 3 opens a 4-thread region per
// supernode for clearing and copying (num_threads fixed at build time, whatever the run's thread count):
// on the coarse model that is ~850k futex calls per 30 s of strokes, threads oversubscribing 2 cores
// (benchmarks/RESULTS.md). The dense BLAS work inside the factorisation is not affected.
class SerialOpenMpScope {
 public:
  SerialOpenMpScope() {
#if TISSUE_WITH_OPENMP
    saved_ = omp_get_max_active_levels();
    omp_set_max_active_levels(0);
#endif
  }
  ~SerialOpenMpScope() {
#if TISSUE_WITH_OPENMP
    omp_set_max_active_levels(saved_);
#endif
  }
  SerialOpenMpScope(const SerialOpenMpScope&) = delete;
  SerialOpenMpScope& operator=(const SerialOpenMpScope&) = delete;

 private:
  [[maybe_unused]] int saved_ = 1;  // unused without OpenMP
};
}  // namespace

struct CholmodSolver::Impl {
  cholmod_common common{};
  cholmod_factor* factor = nullptr;
  cholmod_dense* x = nullptr;  // solution workspace reused between solves
  cholmod_dense* y = nullptr;
  cholmod_dense* e = nullptr;

  Impl() {
    cholmod_start(&common);
    common.print = 0;  // errors are reported as exceptions, not printed
    common.supernodal = CHOLMOD_SUPERNODAL;
    // Orderings compared by analyze(): AMD and nested dissection (CHOLMOD's default tries METIS only when
    // AMD's flops per factor entry exceed 500). On the coarse lumbar-hip tangent (9,138 equations) nested
    // dissection needs 4.05e8 flops against AMD's 5.34e8 (-24 %) for 25 ms more analysis, once per pattern
    // (benchmarks/RESULTS.md).
    common.nmethods = 2;
    common.method[0].ordering = CHOLMOD_AMD;
    common.method[1].ordering = CHOLMOD_NESDIS;
  }
  ~Impl() {
    free_factor();
    cholmod_free_dense(&x, &common);
    cholmod_free_dense(&y, &common);
    cholmod_free_dense(&e, &common);
    cholmod_finish(&common);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void free_factor() {
    if (factor != nullptr) cholmod_free_factor(&factor, &common);
  }

  // A non-owning CHOLMOD view of the lower triangle of A (stype -1 ignores the upper entries).
  static cholmod_sparse view(const SparseMatrix& A) {
    cholmod_sparse s{};
    s.nrow = static_cast<size_t>(A.rows());
    s.ncol = static_cast<size_t>(A.cols());
    s.nzmax = static_cast<size_t>(A.nonZeros());
    s.p = const_cast<int*>(A.outerIndexPtr());
    s.i = const_cast<int*>(A.innerIndexPtr());
    s.nz = const_cast<int*>(A.innerNonZeroPtr());
    s.x = const_cast<Real*>(A.valuePtr());
    s.z = nullptr;
    s.stype = -1;
    s.itype = CHOLMOD_INT;
    s.xtype = CHOLMOD_REAL;
    s.dtype = CHOLMOD_DOUBLE;
    s.sorted = 1;
    s.packed = A.isCompressed() ? 1 : 0;
    return s;
  }

  std::string status_text() const {
    switch (common.status) {
      case CHOLMOD_OUT_OF_MEMORY:
        return "out of memory";
      case CHOLMOD_TOO_LARGE:
        return "problem too large";
      case CHOLMOD_INVALID:
        return "invalid input";
      case CHOLMOD_NOT_POSDEF:
        return "not positive definite";
      case CHOLMOD_DSMALL:
        return "tiny diagonal entry";
      default:
        return "status " + std::to_string(common.status);
    }
  }
};

CholmodSolver::CholmodSolver() : impl_(std::make_unique<Impl>()) {}

CholmodSolver::~CholmodSolver() = default;

std::string CholmodSolver::ordering() const {
  if (impl_->factor == nullptr) return "none";
  switch (impl_->factor->ordering) {
    case CHOLMOD_NATURAL:
      return "natural";
    case CHOLMOD_GIVEN:
      return "given";
    case CHOLMOD_AMD:
      return "amd";
    case CHOLMOD_METIS:
      return "metis";
    case CHOLMOD_NESDIS:
      return "nesdis";
    case CHOLMOD_COLAMD:
      return "colamd";
    default:
      return "other";
  }
}

void CholmodSolver::do_analyze(const SparseMatrix& A) {
  impl_->free_factor();
  cholmod_sparse a = Impl::view(A);
  impl_->factor = cholmod_analyze(&a, &impl_->common);
  if (impl_->factor == nullptr || impl_->common.status < CHOLMOD_OK)
    throw NumericalError("CHOLMOD analysis of a " + std::to_string(A.rows()) +
                         "-equation matrix failed: " + impl_->status_text());
  mutable_stats().factor_nonzeros = static_cast<std::int64_t>(impl_->common.lnz);
}

void CholmodSolver::do_factorize(const SparseMatrix& A) {
  cholmod_sparse a = Impl::view(A);
  const SerialOpenMpScope serial;
  const int ok = cholmod_factorize(&a, impl_->factor, &impl_->common);
  if (impl_->common.status == CHOLMOD_NOT_POSDEF || impl_->factor->minor < impl_->factor->n)
    throw NotPositiveDefiniteError(
        "CHOLMOD: matrix is not positive definite (Cholesky broke down at column " +
        std::to_string(impl_->factor->minor) + " of " + std::to_string(impl_->factor->n) + ")");
  if (!ok || impl_->common.status < CHOLMOD_OK)
    throw NumericalError("CHOLMOD factorisation failed: " + impl_->status_text());
}

void CholmodSolver::do_solve(const VectorX& b, VectorX& x) {
  cholmod_dense rhs{};
  rhs.nrow = static_cast<size_t>(b.size());
  rhs.ncol = 1;
  rhs.nzmax = static_cast<size_t>(b.size());
  rhs.d = static_cast<size_t>(b.size());
  rhs.x = const_cast<Real*>(b.data());
  rhs.z = nullptr;
  rhs.xtype = CHOLMOD_REAL;
  rhs.dtype = CHOLMOD_DOUBLE;
  Impl& m = *impl_;
  const int ok = cholmod_solve2(CHOLMOD_A, m.factor, &rhs, nullptr, &m.x, nullptr, &m.y, &m.e, &m.common);
  if (!ok || m.x == nullptr) throw NumericalError("CHOLMOD solve failed: " + m.status_text());
  const Real* values = static_cast<const Real*>(m.x->x);
  x = Eigen::Map<const VectorX>(values, b.size());
}

#else  // without CHOLMOD

struct CholmodSolver::Impl {};

CholmodSolver::CholmodSolver() {
  throw InputError("linear_solver",
                   "cholmod requested but libtissue was built without CHOLMOD (TISSUE_WITH_CHOLMOD=OFF)");
}
CholmodSolver::~CholmodSolver() = default;
std::string CholmodSolver::ordering() const {
  return "none";
}
void CholmodSolver::do_analyze(const SparseMatrix&) {}
void CholmodSolver::do_factorize(const SparseMatrix&) {}
void CholmodSolver::do_solve(const VectorX&, VectorX&) {}

#endif

}  // namespace tissue
