#include "libtissue/io/results_sink.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

#include "libtissue/core/error.hpp"

namespace tissue {
namespace {
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
}  // namespace

std::string_view to_string(FieldCenter c) {
  return c == FieldCenter::node ? "node" : "cell";
}

void check_result_name(std::string_view what, std::string_view name) {
  const std::string w(what);
  if (name.empty()) throw InputError(w, "name must not be empty");
  if (name == "." || name == "..") throw InputError(w, "invalid name '" + std::string(name) + "'");
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '.';
    if (!ok)
      throw InputError(
          w, "invalid name '" + std::string(name) + "': use only letters, digits, '_', '-' and '.'");
  }
}

std::vector<double> SeriesTable::add_row(double time, std::span<const SeriesValue> values) {
  if (!std::isfinite(time)) throw InputError("series.time", "time must be finite, got " + num(time));
  if (!times_.empty() && time < times_.back())
    throw InputError("series.time", "time " + num(time) + " s is earlier than the previous row (" +
                                        num(times_.back()) + " s)");
  std::set<std::string, std::less<>> seen;
  std::vector<Column> fresh;
  for (const auto& v : values) {
    check_result_name("series.group", v.group);
    check_result_name("series.name", v.name);
    if (v.group == "time") throw InputError("series.group", "'time' is reserved (/series/time)");
    const std::string key = v.group + "/" + v.name;
    if (!seen.insert(key).second)
      throw InputError("series", "quantity '" + key + "' appears twice in one row");
    const int i = find(v.group, v.name);
    if (i >= 0 && columns_[static_cast<size_t>(i)].units != v.units)
      throw InputError("series", "quantity '" + key + "' was recorded in '" +
                                     columns_[static_cast<size_t>(i)].units + "', now in '" + v.units + "'");
    if (i < 0) fresh.push_back(Column{v.group, v.name, v.units});
  }
  for (auto& c : fresh) {
    index_.emplace(c.group + "/" + c.name, static_cast<int>(columns_.size()));
    columns_.push_back(std::move(c));
  }
  std::vector<double> row(columns_.size(), std::numeric_limits<double>::quiet_NaN());
  for (const auto& v : values) row[static_cast<size_t>(find(v.group, v.name))] = v.value;
  times_.push_back(time);
  return row;
}

int SeriesTable::find(std::string_view group, std::string_view name) const {
  std::string key(group);
  key += "/";
  key += name;
  auto it = index_.find(key);
  return it == index_.end() ? -1 : it->second;
}

int FieldCatalog::add(std::string_view name, double time, FieldCenter center, Eigen::Index rows,
                      Eigen::Index cols, std::string_view units, bool& new_snapshot) {
  const std::string n(name);
  const std::string field = "field '" + n + "'";
  check_result_name("field", name);
  if (name == "time") throw InputError(field, "'time' is reserved (/fields/time lists snapshot times)");
  if (!std::isfinite(time)) throw InputError(field, "time must be finite, got " + num(time));
  if (cols < 1) throw InputError(field, "needs at least one component");
  const Eigen::Index expect = center == FieldCenter::node ? n_nodes_ : n_cells_;
  if (expect > 0 && rows != expect)
    throw InputError(field, "has " + std::to_string(rows) + " rows but the mesh has " +
                                std::to_string(expect) + (center == FieldCenter::node ? " nodes" : " cells"));
  if (!times_.empty() && time < times_.back())
    throw InputError(
        field, "time " + num(time) + " s is earlier than the last snapshot (" + num(times_.back()) + " s)");
  new_snapshot = times_.empty() || time > times_.back();
  const int step = new_snapshot ? static_cast<int>(times_.size()) : static_cast<int>(times_.size()) - 1;
  auto it = fields_.find(name);
  if (it != fields_.end()) {
    const Info& info = it->second;
    if (info.center != center)
      throw InputError(field, "was recorded per " + std::string(to_string(info.center)) + ", now per " +
                                  std::string(to_string(center)));
    if (info.units != units)
      throw InputError(field, "was recorded in '" + info.units + "', now in '" + std::string(units) + "'");
    if (info.cols != cols)
      throw InputError(field, "was recorded with " + std::to_string(info.cols) + " components, now " +
                                  std::to_string(cols));
    if (!info.steps.empty() && info.steps.back() == step)
      throw InputError(field,
                       "already written at snapshot " + std::to_string(step) + " (t = " + num(time) + " s)");
  }
  if (new_snapshot) times_.push_back(time);
  if (it == fields_.end()) {
    it = fields_.emplace(n, Info{center, std::string(units), cols, {}}).first;
    names_.push_back(n);
  }
  it->second.steps.push_back(step);
  return step;
}

}  // namespace tissue
