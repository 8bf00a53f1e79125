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

/// Sets the threads of the runtimes that libtissue calls into: OpenMP's default team gets `threads`, OpenBLAS
/// (when it is the BLAS in use) one thread, so that a run does not oversubscribe the machine with spinning
/// BLAS workers. Process-wide; called by Simulation::run with its thread count.
void set_runtime_threads(int threads);

/// Thread id inside a parallel region (0 outside); used by parallel_for.
int omp_thread_id_();

/// Runs body(i, thread_id) for i in [0, n) on `threads` threads (static schedule).
/// The body must not write to memory that another i writes.
template <class Body>
void parallel_for(Index n, [[maybe_unused]] int threads, Body&& body) {
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

/// Items of one group (e.g. the cells of one region) inside one colour.
struct ColorGroup {
  int group = 0;             ///< group id (e.g. the region of the cells)
  std::vector<Index> items;  ///< items of the group in this colour (increasing order)
};
/// Conflict-free colours, each split into groups (ColoredRegions: cells by region).
using ColoredRegions = std::vector<std::vector<ColorGroup>>;

/// Runs all colours of `colors` inside ONE parallel region of `threads` threads: for each colour, for each
/// group, `group_fn(group, run)` is called by every thread, and must call `run(body)` exactly once, where
/// body(item, thread_id) is then applied to the group's items shared among the threads; a barrier separates
/// the colours (one fork/join per call instead of one per colour and group). group_fn lets the caller pick a
/// per-group kernel (e.g. the material law of a region) once per group and thread.
template <class GroupFn>
void parallel_for_colored_groups(const ColoredRegions& colors, [[maybe_unused]] int threads,
                                 GroupFn&& group_fn) {
  auto serial = [&] {
    for (const auto& color : colors)
      for (const auto& g : color)
        group_fn(g.group, [&](auto&& body) {
          for (Index item : g.items) body(item, 0);
        });
  };
#if TISSUE_WITH_OPENMP
  if (threads > 1) {
#pragma omp parallel num_threads(threads)
    {
      const int tid = omp_thread_id_();
      for (const auto& color : colors) {
        for (const auto& g : color)
          group_fn(g.group, [&](auto&& body) {
            const Index n = static_cast<Index>(g.items.size());
#pragma omp for schedule(static) nowait
            for (Index k = 0; k < n; ++k) body(g.items[static_cast<size_t>(k)], tid);
          });
#pragma omp barrier
      }
    }
    return;
  }
#endif
  serial();
}

}  // namespace tissue
