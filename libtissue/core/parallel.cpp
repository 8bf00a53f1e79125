#include "libtissue/core/parallel.hpp"

#if TISSUE_WITH_OPENMP
#include <omp.h>
#endif

namespace tissue {

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
