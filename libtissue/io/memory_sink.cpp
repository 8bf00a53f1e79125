#include "libtissue/io/memory_sink.hpp"

#include <limits>

#include "libtissue/core/error.hpp"

namespace tissue {

void MemorySink::write_meta(std::string_view key, std::string_view value) {
  check_result_name("meta", key);
  meta_[std::string(key)] = std::string(value);
}

void MemorySink::write_mesh(const Mesh& mesh) {
  if (mesh_) throw std::logic_error("MemorySink: the mesh was already written (one sink holds one run)");
  mesh_ = mesh;
  fields_.set_sizes(mesh.n_nodes(), mesh.n_cells());
}

void MemorySink::write_field(std::string_view name, double time, FieldCenter center,
                             const Eigen::Ref<const Eigen::MatrixXd>& values, std::string_view units) {
  bool fresh = false;
  const int step = fields_.add(name, time, center, values.rows(), values.cols(), units, fresh);
  snapshots_.push_back(Snapshot{std::string(name), step, time, center, values, std::string(units)});
}

const MemorySink::Snapshot* MemorySink::find_field(std::string_view name, int step) const {
  for (const auto& s : snapshots_)
    if (s.name == name && s.step == step) return &s;
  return nullptr;
}

void MemorySink::append_series(double time, std::span<const SeriesValue> values) {
  const size_t before = table_.times().size();
  const std::vector<double> row = table_.add_row(time, values);
  series_.resize(row.size(), std::vector<double>(before, std::numeric_limits<double>::quiet_NaN()));
  for (size_t i = 0; i < row.size(); ++i) series_[i].push_back(row[i]);
}

const std::vector<double>& MemorySink::series(std::string_view group, std::string_view name) const {
  const int i = table_.find(group, name);
  if (i < 0) throw InputError("series", "no series '" + std::string(group) + "/" + std::string(name) + "'");
  return series_[static_cast<size_t>(i)];
}

void MemorySink::append_events(std::span<const EventRecord> events) {
  events_.insert(events_.end(), events.begin(), events.end());
}

void MemorySink::append_flags(std::span<const SafetyFlag> flags) {
  flags_.insert(flags_.end(), flags.begin(), flags.end());
}

}  // namespace tissue
