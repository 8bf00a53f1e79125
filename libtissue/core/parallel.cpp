#include "libtissue/core/parallel.hpp"

#if TISSUE_WITH_OPENMP
#include <omp.h>
#endif

// OpenBLAS's thread control, when the BLAS linked in is OpenBLAS (weak: absent with other BLAS).
extern "C" void openblas_set_num_threads(int) __attribute__((weak));

namespace tissue {

void set_runtime_threads(int threads) {
  if (threads < 1) return;
#if TISSUE_WITH_OPENMP
  omp_set_num_threads(threads);
#endif
  // OpenBLAS (pthreads build) stays serial: its idle workers spin on sched_yield between calls and take the
  // cores from the OpenMP assembly (measured: 24 s system time in 30 s of strokes on the coarse model, 639k
  // sched_yield calls); the dense blocks of CHOLMOD's supernodes are too small here to gain from threads.
  if (openblas_set_num_threads) openblas_set_num_threads(1);
}

int hardware_threads() {
#if TISSUE_WITH_OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

int omp_thread_id_() {
#if TISSUE_WITH_OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

}  // namespace tissue
