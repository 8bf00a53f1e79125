// ResultsWriter: the HDF5 implementation of ResultsSink (one file per run, units as attributes,
// flushed after every write) with an XDMF companion for ParaView. Layout: docs/results-format.md.
#pragma once

#include <filesystem>

#include "libtissue/io/h5.hpp"
#include "libtissue/io/results_sink.hpp"

namespace tissue {

/// Version of the results-file layout written to /meta/format_version.
inline constexpr int kResultsFormatVersion = 1;

/// Writes a run to an HDF5 file `path` and keeps `path` with extension ".xdmf" up to date.
/// Every write is flushed before it returns, so a crash never loses what was written.
/// Not copyable or movable (extendible datasets point at the file).
class ResultsWriter : public ResultsSink {
 public:
  /// Creates the file; create_new throws InputError if it exists, overwrite replaces it (and its .xdmf).
  /// Writes /meta attributes tissue_version, created (UTC, ISO 8601), unit_system="SI", format.
  explicit ResultsWriter(std::filesystem::path path, OpenMode mode = OpenMode::create_new);
  /// Flushes and closes the file (errors are swallowed; call close() to see them).
  ~ResultsWriter() override;
  /// Not copyable.
  ResultsWriter(const ResultsWriter&) = delete;
  /// Not copy-assignable.
  ResultsWriter& operator=(const ResultsWriter&) = delete;

  /// Sets a string attribute on /meta.
  void write_meta(std::string_view key, std::string_view value) override;
  /// Writes /mesh (once) and a first, static XDMF companion.
  void write_mesh(const Mesh& mesh) override;
  /// Writes /fields/<name>/<6-digit step>, extends /fields/time, flushes, rewrites the XDMF.
  void write_field(std::string_view name, double time, FieldCenter center,
                   const Eigen::Ref<const Eigen::MatrixXd>& values, std::string_view units) override;
  /// Appends a row to /series/time and every /series/<group>/<name>, then flushes.
  void append_series(double time, std::span<const SeriesValue> values) override;
  /// Appends rows to /events/{name, region, side, t0, t1}, then flushes.
  void append_events(std::span<const EventRecord> events) override;
  /// Appends rows to /safety/{kind, region, time, value, threshold, units}, then flushes.
  void append_flags(std::span<const SafetyFlag> flags) override;
  /// H5Fflush of the whole file.
  void flush() override;
  /// Flushes and closes the file; later writes throw std::logic_error.
  void close();

  /// The HDF5 file path.
  const std::filesystem::path& path() const noexcept { return path_; }
  /// The XDMF companion path (same path, extension ".xdmf").
  const std::filesystem::path& xdmf_path() const noexcept { return xdmf_path_; }

 private:
  void require_open() const;
  void write_xdmf() const;

  std::filesystem::path path_;
  std::filesystem::path xdmf_path_;
  H5File file_;
  bool open_ = true;
  bool has_mesh_ = false;
  CellType cell_type_ = CellType::hex8;
  Index n_nodes_ = 0, n_cells_ = 0;
  FieldCatalog fields_;
  std::vector<std::vector<std::string>> snapshot_fields_;  // field names of each snapshot
  H5Extendible field_time_;
  SeriesTable table_;
  H5Extendible series_time_;
  std::vector<H5Extendible> series_;
  H5Extendible ev_name_, ev_region_, ev_side_, ev_t0_, ev_t1_;
  H5Extendible fl_kind_, fl_region_, fl_units_, fl_time_, fl_value_, fl_threshold_;
};

}  // namespace tissue
