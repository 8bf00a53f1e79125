// ResultsSink: the one interface through which the simulation and its observers record results
// (metadata, mesh, field snapshots, time series, events, safety flags). ResultsWriter (HDF5 +
// XDMF) and MemorySink (in memory, for tests) implement it. All values are SI.
#pragma once

#include <Eigen/Core>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "libtissue/mesh/mesh.hpp"

namespace tissue {

/// Where the values of a field live: one row per node or one row per cell.
enum class FieldCenter { node, cell };

/// Returns "node" or "cell".
std::string_view to_string(FieldCenter c);

/// One quantity of a time-series row, e.g. {"erector_spinae_right", "tone", 0.42, "1"}.
struct SeriesValue {
  std::string group;  ///< region name or "session"
  std::string name;   ///< quantity name, e.g. "temperature_max"
  double value = 0;   ///< value in SI units
  std::string units;  ///< unit string, e.g. "K", "Pa", "1"
};

/// One row of the event table: a technique (or other event) acting on a region over [t0, t1].
struct EventRecord {
  std::string name;        ///< e.g. "deep_stroking"
  std::string region;      ///< target region name ("" if none)
  Side side = Side::none;  ///< body side
  double t0 = 0;           ///< start time [s]
  double t1 = 0;           ///< end time [s]
};

/// One safety flag: a quantity that crossed a threshold, e.g. pressure on bone.
struct SafetyFlag {
  std::string kind;      ///< e.g. "pressure_on_bone", "temperature_above_limit", "excessive_strain"
  std::string region;    ///< region name ("" if global)
  double time = 0;       ///< time when raised [s]
  double value = 0;      ///< offending value [units]
  double threshold = 0;  ///< threshold that was crossed [units]
  std::string units;     ///< unit of value and threshold
};

/// Destination of all recorded results. Calls are made from one thread. Every call that adds
/// data (field, series row, events, flags) is durable when it returns (implementations flush).
class ResultsSink {
 public:
  /// Virtual destructor.
  virtual ~ResultsSink() = default;
  /// Sets a string metadata entry (e.g. "session" = TOML text, "git_sha"); replaces an older value.
  virtual void write_meta(std::string_view key, std::string_view value) = 0;
  /// Records the mesh (once, before any field).
  virtual void write_mesh(const Mesh& mesh) = 0;
  /// Records one field snapshot at `time` [s]: rows = nodes or cells, cols = components.
  /// Fields written with the same time share one snapshot index; times must not decrease.
  virtual void write_field(std::string_view name, double time, FieldCenter center,
                           const Eigen::Ref<const Eigen::MatrixXd>& values, std::string_view units) = 0;
  /// Appends one time-series row at `time` [s]. Quantities missing from the row are NaN; a quantity
  /// first seen now is NaN for all earlier rows. Times must not decrease.
  virtual void append_series(double time, std::span<const SeriesValue> values) = 0;
  /// Appends rows to the event table.
  virtual void append_events(std::span<const EventRecord> events) = 0;
  /// Appends safety flags.
  virtual void append_flags(std::span<const SafetyFlag> flags) = 0;
  /// Makes everything written so far durable.
  virtual void flush() = 0;
};

/// Throws InputError(what, ...) unless name is non-empty and made of letters, digits, '_', '-', '.'
/// (names become HDF5 paths and XDMF attribute names), and is not "." or "..".
void check_result_name(std::string_view what, std::string_view name);

/// Bookkeeping shared by the sinks: the columns of the series table, and turning a sparse row into
/// a dense one (NaN for absent quantities), with validation.
class SeriesTable {
 public:
  /// One series column.
  struct Column {
    std::string group;  ///< group (region or "session")
    std::string name;   ///< quantity name
    std::string units;  ///< units fixed by the first value
  };
  /// Validates a row (finite non-decreasing time, valid names, no duplicate, same units as before)
  /// and returns one value per column (columns first seen in this row are appended to columns()).
  /// Nothing changes when it throws.
  std::vector<double> add_row(double time, std::span<const SeriesValue> values);
  /// Columns in order of first appearance.
  const std::vector<Column>& columns() const noexcept { return columns_; }
  /// Column index of group/name, or -1.
  int find(std::string_view group, std::string_view name) const;
  /// Times of the rows so far [s].
  const std::vector<double>& times() const noexcept { return times_; }

 private:
  std::vector<Column> columns_;
  std::map<std::string, int, std::less<>> index_;
  std::vector<double> times_;
};

/// Bookkeeping shared by the sinks: snapshot indices of field writes, with validation.
class FieldCatalog {
 public:
  /// What is known about one field.
  struct Info {
    FieldCenter center = FieldCenter::node;  ///< centring
    std::string units;                       ///< units
    Eigen::Index cols = 0;                   ///< number of components
    std::vector<int> steps;                  ///< snapshot indices written, increasing
  };
  /// Entity counts used to check field rows (set when the mesh is known; 0 = unchecked).
  void set_sizes(Eigen::Index n_nodes, Eigen::Index n_cells) {
    n_nodes_ = n_nodes;
    n_cells_ = n_cells;
  }
  /// Validates a field write and returns its snapshot index (a new one when time is later than the
  /// last snapshot). `new_snapshot` tells whether the index was just created. Nothing changes when
  /// it throws.
  int add(std::string_view name, double time, FieldCenter center, Eigen::Index rows, Eigen::Index cols,
          std::string_view units, bool& new_snapshot);
  /// Snapshot times [s], indexed by snapshot.
  const std::vector<double>& times() const noexcept { return times_; }
  /// Fields in order of first appearance.
  const std::vector<std::string>& names() const noexcept { return names_; }
  /// Info of a field (must exist).
  const Info& info(std::string_view name) const { return fields_.find(name)->second; }

 private:
  Eigen::Index n_nodes_ = 0, n_cells_ = 0;
  std::vector<double> times_;
  std::vector<std::string> names_;
  std::map<std::string, Info, std::less<>> fields_;
};

}  // namespace tissue
