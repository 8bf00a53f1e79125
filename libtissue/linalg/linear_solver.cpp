#include "libtissue/linalg/linear_solver.hpp"

#include <chrono>

namespace tissue {
namespace {

/// Adds the wall time of its lifetime to a counter [s].
class ScopedTimer {
 public:
  explicit ScopedTimer(double& total) : total_(total), start_(std::chrono::steady_clock::now()) {}
  ~ScopedTimer() {
    total_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  ScopedTimer(const ScopedTimer&) = delete;
  ScopedTimer& operator=(const ScopedTimer&) = delete;

 private:
  double& total_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

void LinearSolver::analyze(const SparseMatrix& A) {
  if (A.rows() != A.cols())
    throw InputError("matrix",
                     "must be square, got " + std::to_string(A.rows()) + " x " + std::to_string(A.cols()));
  ScopedTimer timer(stats_.seconds_analyze);
  rows_ = -1;
  factorized_ = false;
  do_analyze(A);
  rows_ = static_cast<Index>(A.rows());
  nonzeros_ = static_cast<std::int64_t>(A.nonZeros());
  ++stats_.analyses;
}

void LinearSolver::factorize(const SparseMatrix& A) {
  if (!is_analyzed()) analyze(A);
  if (A.rows() != rows_ || A.cols() != rows_ || static_cast<std::int64_t>(A.nonZeros()) != nonzeros_)
    throw InputError("matrix", "pattern differs from the analysed one (" + std::to_string(A.rows()) +
                                   " rows, " + std::to_string(A.nonZeros()) + " nonzeros; analysed " +
                                   std::to_string(rows_) + " rows, " + std::to_string(nonzeros_) +
                                   " nonzeros): call analyze() again");
  ScopedTimer timer(stats_.seconds_factorize);
  factorized_ = false;
  do_factorize(A);
  factorized_ = true;
  ++stats_.factorizations;
}

void LinearSolver::solve(const VectorX& b, VectorX& x) {
  if (!factorized_) throw InputError(name(), "solve() called without a successful factorize()");
  if (b.size() != rows_)
    throw InputError(
        "b", "has " + std::to_string(b.size()) + " entries, the matrix " + std::to_string(rows_) + " rows");
  ScopedTimer timer(stats_.seconds_solve);
  if (&b == &x) {  // in-place solve: implementations may overwrite x before reading b
    const VectorX copy = b;
    do_solve(copy, x);
  } else {
    x.resize(rows_);
    do_solve(b, x);
  }
  ++stats_.solves;
}

void LinearSolver::reset_stats() {
  const std::int64_t nnz = stats_.factor_nonzeros;
  stats_ = LinearSolverStats{};
  stats_.factor_nonzeros = nnz;
}

}  // namespace tissue
