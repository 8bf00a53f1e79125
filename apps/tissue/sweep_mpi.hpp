// The MPI work queue of `tissue sweep` (built with TISSUE_WITH_MPI): rank 0 hands out case numbers one at a
// time to the ranks that ask and collects what each case did; ranks 1 .. N-1 run cases. docs/studies.md.
#pragma once

#include <functional>

#include "libtissue/study/study.hpp"

namespace tissue::cli {

/// Whether this process was started by an MPI launcher (mpirun, srun) with more than one rank; initialises
/// MPI then (call mpi_finish before returning from main). False without MPI support or launcher.
bool mpi_start(int* argc, char*** argv);
/// Finalises MPI if mpi_start initialised it.
void mpi_finish();
/// Aborts every rank when MPI is running (after an error on one rank, so that the others do not wait for it
/// forever); returns otherwise.
void mpi_abort_if_running(int code);
/// Whether this is rank 0 (true without MPI).
bool mpi_root();

/// Runs `n_cases` cases over the ranks: on rank 0 hands out case numbers on request (polling, no busy wait)
/// and calls `report` with each case's CaseRun in the order they finish; on the other ranks calls `run` for
/// each case handed to it. Returns when every case is done, on every rank.
void mpi_work_queue(int n_cases, const std::function<CaseRun(int)>& run,
                    const std::function<void(const CaseRun&)>& report);

}  // namespace tissue::cli
