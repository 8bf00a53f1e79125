// ResultsReader: read-only access to a results file written by ResultsWriter (also while the run
// is still writing it). Used by `tissue info` and by tests.
#pragma once

#include <filesystem>
#include <map>

#include "libtissue/io/h5.hpp"
#include "libtissue/io/results_sink.hpp"

namespace tissue {

/// One time series read back: one value per /series/time row (NaN where not recorded).
struct SeriesData {
  std::vector<double> values;  ///< values [units]
  std::string units;           ///< unit string
};

/// One field snapshot read back.
struct FieldData {
  std::string name;                        ///< field name
  int step = 0;                            ///< snapshot index
  double time = 0;                         ///< time [s]
  FieldCenter center = FieldCenter::node;  ///< centring
  std::string units;                       ///< units
  Eigen::MatrixXd values;                  ///< rows = entities, cols = components
};

/// Opens a results file read-only; every accessor throws InputError naming the file and the object
/// path when something is missing.
class ResultsReader {
 public:
  /// Opens the file; throws InputError if it is missing or not HDF5.
  explicit ResultsReader(const std::filesystem::path& path);

  /// The file path.
  const std::filesystem::path& path() const noexcept { return file_.path(); }
  /// The underlying file (for direct access).
  const H5File& file() const noexcept { return file_; }

  /// All /meta attributes as strings (numbers are printed).
  std::map<std::string, std::string> meta() const;
  /// One /meta attribute as a string.
  std::string meta(std::string_view key) const;

  /// Series groups (regions, "session") in the order they were first written.
  std::vector<std::string> series_groups() const;
  /// Quantity names of a series group in the order they were first written.
  std::vector<std::string> series_names(std::string_view group) const;
  /// Row times /series/time [s].
  std::vector<double> series_time() const;
  /// One series with its units.
  SeriesData series(std::string_view group, std::string_view name) const;

  /// True if the file holds a mesh.
  bool has_mesh() const;
  /// The mesh: nodes, cells, regions, node and facet sets, fibres.
  Mesh mesh() const;

  /// Snapshot times /fields/time [s].
  std::vector<double> field_times() const;
  /// Names of the recorded fields.
  std::vector<std::string> field_names() const;
  /// Snapshot indices at which a field was written, increasing.
  std::vector<int> field_steps(std::string_view name) const;
  /// One field snapshot.
  FieldData field(std::string_view name, int step) const;

  /// The event table.
  std::vector<EventRecord> events() const;
  /// The safety flags.
  std::vector<SafetyFlag> flags() const;

 private:
  H5File file_;
};

}  // namespace tissue
