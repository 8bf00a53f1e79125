// MemorySink: a ResultsSink that keeps everything in memory (for tests and notebooks).
#pragma once

#include <optional>

#include "libtissue/io/results_sink.hpp"

namespace tissue {

/// In-memory ResultsSink with the same validation rules as ResultsWriter.
class MemorySink : public ResultsSink {
 public:
  /// One recorded field snapshot.
  struct Snapshot {
    std::string name;                        ///< field name
    int step = 0;                            ///< snapshot index
    double time = 0;                         ///< time [s]
    FieldCenter center = FieldCenter::node;  ///< centring
    Eigen::MatrixXd values;                  ///< rows = entities, cols = components
    std::string units;                       ///< units
  };

  /// Stores a metadata entry.
  void write_meta(std::string_view key, std::string_view value) override;
  /// Stores a copy of the mesh (once).
  void write_mesh(const Mesh& mesh) override;
  /// Stores a field snapshot.
  void write_field(std::string_view name, double time, FieldCenter center,
                   const Eigen::Ref<const Eigen::MatrixXd>& values, std::string_view units) override;
  /// Appends a series row (NaN-padded).
  void append_series(double time, std::span<const SeriesValue> values) override;
  /// Appends events.
  void append_events(std::span<const EventRecord> events) override;
  /// Appends safety flags.
  void append_flags(std::span<const SafetyFlag> flags) override;
  /// Counts the call.
  void flush() override { ++flushes_; }

  /// Metadata entries.
  const std::map<std::string, std::string, std::less<>>& meta() const noexcept { return meta_; }
  /// The mesh, if written.
  const std::optional<Mesh>& mesh() const noexcept { return mesh_; }
  /// All snapshots in write order.
  const std::vector<Snapshot>& snapshots() const noexcept { return snapshots_; }
  /// The snapshot of a field at a snapshot index, or nullptr.
  const Snapshot* find_field(std::string_view name, int step) const;
  /// Snapshot times [s].
  const std::vector<double>& field_times() const noexcept { return fields_.times(); }
  /// Series row times [s].
  const std::vector<double>& series_time() const noexcept { return table_.times(); }
  /// Series columns (group, name, units) in order of first appearance.
  const std::vector<SeriesTable::Column>& series_columns() const noexcept { return table_.columns(); }
  /// Values of one series (one per row, NaN where absent); throws InputError if unknown.
  const std::vector<double>& series(std::string_view group, std::string_view name) const;
  /// Recorded events.
  const std::vector<EventRecord>& events() const noexcept { return events_; }
  /// Recorded safety flags.
  const std::vector<SafetyFlag>& flags() const noexcept { return flags_; }
  /// Number of flush() calls.
  int flush_count() const noexcept { return flushes_; }

 private:
  std::map<std::string, std::string, std::less<>> meta_;
  std::optional<Mesh> mesh_;
  FieldCatalog fields_;
  std::vector<Snapshot> snapshots_;
  SeriesTable table_;
  std::vector<std::vector<double>> series_;
  std::vector<EventRecord> events_;
  std::vector<SafetyFlag> flags_;
  int flushes_ = 0;
};

}  // namespace tissue
