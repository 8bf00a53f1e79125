#include "sweep_mpi.hpp"

#include <mpi.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <thread>

namespace tissue::cli {
namespace {

/// Message tags: a worker's request (with the result of its last case), rank 0's answer (a case or -1).
constexpr int kRequest = 1, kAssign = 2;

/// A CaseRun as the numbers a worker sends: index (-1: none yet), ran, resumed, status before, after,
/// seconds.
using Packet = std::array<double, 6>;

/// The numbers of a CaseRun (its message stays on the worker, which prints it).
Packet pack(const CaseRun& r) {
  return {double(r.index),
          r.ran ? 1.0 : 0.0,
          r.resumed ? 1.0 : 0.0,
          double(static_cast<int>(r.before)),
          double(static_cast<int>(r.after)),
          r.seconds};
}

/// The CaseRun of a worker's numbers.
CaseRun unpack(const Packet& p) {
  CaseRun r;
  r.index = static_cast<int>(p[0]);
  r.ran = p[1] != 0, r.resumed = p[2] != 0;
  r.before = static_cast<CaseStatus>(static_cast<int>(p[3]));
  r.after = static_cast<CaseStatus>(static_cast<int>(p[4]));
  r.seconds = p[5];
  return r;
}

/// Rank 0: answers requests until every case is handed out and every worker told to stop.
void dispatch(int n_cases, int ranks, const std::function<void(const CaseRun&)>& report) {
  int next = 0, stopped = 0;
  while (stopped < ranks - 1) {
    int pending = 0;
    MPI_Status st;
    MPI_Iprobe(MPI_ANY_SOURCE, kRequest, MPI_COMM_WORLD, &pending, &st);
    if (!pending) {  // sleep instead of spinning in MPI_Recv: rank 0 needs no core of its own
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    Packet p{};
    MPI_Recv(p.data(), int(p.size()), MPI_DOUBLE, st.MPI_SOURCE, kRequest, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (p[0] >= 0) report(unpack(p));
    const int assign = next < n_cases ? next++ : -1;
    stopped += assign < 0;
    MPI_Send(&assign, 1, MPI_INT, st.MPI_SOURCE, kAssign, MPI_COMM_WORLD);
  }
}

/// Ranks 1 .. N-1: ask for a case, run it, send its result with the next request, until told to stop.
void work(const std::function<CaseRun(int)>& run) {
  Packet last{-1, 0, 0, 0, 0, 0};
  for (;;) {
    MPI_Send(last.data(), int(last.size()), MPI_DOUBLE, 0, kRequest, MPI_COMM_WORLD);
    int k = -1;
    MPI_Recv(&k, 1, MPI_INT, 0, kAssign, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (k < 0) return;
    last = pack(run(k));
  }
}

}  // namespace

bool mpi_start(int* argc, char*** argv) {
  const bool launched =
      std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") || std::getenv("PMIX_RANK");
  if (!launched) return false;
  MPI_Init(argc, argv);
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size > 1) return true;
  MPI_Finalize();
  return false;
}

void mpi_finish() {
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  if (init && !fin) MPI_Finalize();
}

void mpi_abort_if_running(int code) {
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  if (init && !fin) MPI_Abort(MPI_COMM_WORLD, code);
}

bool mpi_root() {
  int init = 0, rank = 0;
  MPI_Initialized(&init);
  if (init) MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank == 0;
}

void mpi_work_queue(int n_cases, const std::function<CaseRun(int)>& run,
                    const std::function<void(const CaseRun&)>& report) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (mpi_root())
    dispatch(n_cases, size, report);
  else
    work(run);
  MPI_Barrier(MPI_COMM_WORLD);
}

}  // namespace tissue::cli
