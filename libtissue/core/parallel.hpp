// Shared-memory parallel loops (OpenMP when enabled, serial otherwise). No global state:
// the thread count is passed explicitly, usually from RunContext::threads.
#pragma once

#include <functional>
#include <vector>

#include "libtissue/config.hpp"
#include "libtissue/core/types.hpp"

namespace tissue {

/// Number of hardware threads OpenMP would use by default (1 without OpenMP).
int hardware_threads();

/// Sets the threads of the runtimes that libtissue calls into (OpenMP's default team, OpenBLAS when it
/// is the BLAS in use), so that a run with N threads does not oversubscribe the machine with spinning
/// BLAS threads. Process-wide; called by Simulation::run with its thread count.
void set_runtime_threads(int threads);

/// Thread id inside a parallel region (0 outside); used by parallel_for.
int omp_thread_id_();

/// Runs body(i, thread_id) for i in [0, n) on `threads` threads (static schedule).
/// The body must not write to memory that another i writes.
template <class Body>
void parallel_for(Index n, int threads, Body&& body) {
#if TISSUE_WITH_OPENMP
  if (threads > 1 && n > 1) {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (Index i = 0; i < n; ++i) body(i, omp_thread_id_());
    return;
  }
#endif
  for (Index i = 0; i < n; ++i) body(i, 0);
}

/// Runs body(item, thread_id) over every item of every colour; colours run one after another,
/// the items of one colour in parallel. Items of a colour must not share written memory
/// (for element colours: no shared node), which makes scatter-add assembly lock-free.
template <class Body>
void parallel_for_colored(const std::vector<std::vector<Index>>& colors, int threads, Body&& body) {
  for (const auto& color : colors) {
    const Index n = static_cast<Index>(color.size());
    parallel_for(n, threads, [&](Index k, int tid) { body(color[static_cast<size_t>(k)], tid); });
  }
}

}  // namespace tissue
