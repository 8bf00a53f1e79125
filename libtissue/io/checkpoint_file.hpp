// Checkpoint files and resuming a results file: a StateArchive stored as HDF5 beside the results
// (written to a temporary file and renamed, so a kill never leaves a half-written checkpoint), and a
// results file cut back to the checkpoint's time so that a resumed run appends where the state is.
#pragma once

#include <filesystem>
#include <memory>

#include "libtissue/core/state_archive.hpp"
#include "libtissue/io/results_writer.hpp"

namespace tissue {

/// The checkpoint file of a results file: "run.h5" -> "run.checkpoint.h5".
std::filesystem::path checkpoint_path(const std::filesystem::path& results);
/// Where reopen_results_at keeps a results file while it copies it: "run.h5" -> "run.h5.partial".
std::filesystem::path partial_results_path(const std::filesystem::path& results);

/// Writes `archive` to `path` atomically (path + ".tmp", then rename). Throws InputError on I/O errors.
void write_checkpoint(const std::filesystem::path& path, const StateArchive& archive);

/// Reads a checkpoint; InputError naming the file if it is missing or not a libtissue checkpoint.
StateArchive read_checkpoint(const std::filesystem::path& path);

/// Reopens the results file `path` for a resumed run: its contents up to time `t` [s] (meta, mesh, events,
/// series rows, field snapshots, safety flags with time <= t) are copied into a new file at `path`, which is
/// returned open for appending. The old file is kept as path + ".partial" until the copy is complete, and a
/// later call after a kill during the copy starts again from it.
std::unique_ptr<ResultsWriter> reopen_results_at(const std::filesystem::path& path, double t);

}  // namespace tissue
