#include "libtissue/io/results_reader.hpp"

#include <algorithm>
#include <cstdio>

#include "libtissue/core/error.hpp"

namespace tissue {
namespace {

TissueKind parse_kind(const std::string& s, const std::string& file) {
  for (TissueKind k :
       {TissueKind::skin, TissueKind::fat, TissueKind::fascia, TissueKind::muscle, TissueKind::other})
    if (to_string(k) == s) return k;
  throw InputError(SourceLocation{file, 0, 0}, "/mesh/regions/kind", "unknown tissue kind '" + s + "'");
}

Side parse_side(const std::string& s, const std::string& file, const std::string& where) {
  for (Side v : {Side::none, Side::left, Side::right})
    if (to_string(v) == s) return v;
  throw InputError(SourceLocation{file, 0, 0}, where, "unknown side '" + s + "'");
}

std::string step_name(int step) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%06d", step);
  return buf;
}

}  // namespace

ResultsReader::ResultsReader(const std::filesystem::path& path) : file_(H5File::open_read(path)) {
  // Another program's HDF5 file: say so instead of failing later at the first missing dataset.
  if (!file_.exists("/meta") || !file_.exists("/series/time"))
    throw InputError(SourceLocation{path.string(), 0, 0}, "",
                     "not a libtissue results file (an HDF5 file without /meta and /series; written by "
                     "another program?)");
}

std::map<std::string, std::string> ResultsReader::meta() const {
  std::map<std::string, std::string> out;
  for (const auto& key : file_.attr_names("/meta")) out[key] = meta(key);
  return out;
}

std::string ResultsReader::meta(std::string_view key) const {
  try {
    return file_.string_attr("/meta", key);
  } catch (const InputError&) {
    throw;
  } catch (const std::runtime_error&) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", file_.double_attr("/meta", key));
    return buf;
  }
}

std::vector<std::string> ResultsReader::series_groups() const {
  std::vector<std::string> out;
  for (auto& name : file_.children("/series"))
    if (file_.is_group("/series/" + name)) out.push_back(name);
  return out;
}

std::vector<std::string> ResultsReader::series_names(std::string_view group) const {
  return file_.children("/series/" + std::string(group));
}

std::vector<double> ResultsReader::series_time() const {
  return file_.read<double>("/series/time");
}

SeriesData ResultsReader::series(std::string_view group, std::string_view name) const {
  const std::string path = "/series/" + std::string(group) + "/" + std::string(name);
  SeriesData out;
  out.values = file_.read<double>(path);
  out.units = file_.string_attr(path, "units");
  return out;
}

bool ResultsReader::has_mesh() const {
  return file_.exists("/mesh/cells");
}

Mesh ResultsReader::mesh() const {
  const std::string f = file_.path().string();
  Mesh m;
  const std::string type = file_.string_attr("/mesh/cells", "cell_type");
  if (type == "hex8")
    m.cell_type = CellType::hex8;
  else if (type == "tet4")
    m.cell_type = CellType::tet4;
  else
    throw InputError(SourceLocation{f, 0, 0}, "/mesh/cells", "unknown cell_type '" + type + "'");
  H5Dims dn, dc;
  const auto nodes = file_.read<double>("/mesh/nodes", &dn);
  if (dn.size() != 2 || dn[1] != 3)
    throw InputError(SourceLocation{f, 0, 0}, "/mesh/nodes", "must be (N, 3)");
  m.nodes = Eigen::Map<const MatrixX3>(nodes.data(), static_cast<Eigen::Index>(dn[0]), 3);
  const auto cells = file_.read<std::int64_t>("/mesh/cells", &dc);
  if (dc.size() != 2 || static_cast<int>(dc[1]) != m.cell_size())
    throw InputError(SourceLocation{f, 0, 0}, "/mesh/cells",
                     "must be (E, " + std::to_string(m.cell_size()) + ")");
  m.cells.resize(static_cast<Eigen::Index>(dc[0]), m.cell_size());
  for (Eigen::Index i = 0; i < m.cells.size(); ++i)
    m.cells.data()[i] = static_cast<Index>(cells[static_cast<size_t>(i)]);
  const auto region = file_.read<std::int32_t>("/mesh/region_id");
  m.region.assign(region.begin(), region.end());
  const auto names = file_.read_strings("/mesh/regions/name");
  const auto kinds = file_.read_strings("/mesh/regions/kind");
  const auto sides = file_.read_strings("/mesh/regions/side");
  if (kinds.size() != names.size() || sides.size() != names.size())
    throw InputError(SourceLocation{f, 0, 0}, "/mesh/regions", "name, kind and side differ in length");
  for (size_t i = 0; i < names.size(); ++i)
    m.regions.add(Region{names[i], parse_kind(kinds[i], f), parse_side(sides[i], f, "/mesh/regions/side")});
  if (file_.exists("/mesh/fibres")) {
    const auto fib = file_.read<double>("/mesh/fibres");
    m.fibres = Eigen::Map<const MatrixX3>(fib.data(), static_cast<Eigen::Index>(fib.size() / 3), 3);
  }
  if (file_.exists("/mesh/node_sets"))
    for (const auto& name : file_.children("/mesh/node_sets")) {
      const auto ids = file_.read<std::int64_t>("/mesh/node_sets/" + name);
      NodeSet s{name, {}};
      for (auto id : ids) s.nodes.push_back(static_cast<Index>(id));
      m.node_sets.push_back(std::move(s));
    }
  if (file_.exists("/mesh/facet_sets"))
    for (const auto& name : file_.children("/mesh/facet_sets")) {
      const std::string g = "/mesh/facet_sets/" + name;
      const auto nodes4 = file_.read<std::int64_t>(g + "/nodes");
      const auto owner = file_.read<std::int64_t>(g + "/cell");
      if (nodes4.size() != 4 * owner.size())
        throw InputError(SourceLocation{f, 0, 0}, g, "nodes must be (F, 4) with F = length of cell");
      FacetSet s;
      s.name = name;
      for (size_t i = 0; i < owner.size(); ++i) {
        s.nodes.push_back({static_cast<Index>(nodes4[4 * i]), static_cast<Index>(nodes4[4 * i + 1]),
                           static_cast<Index>(nodes4[4 * i + 2]), static_cast<Index>(nodes4[4 * i + 3])});
        s.cell.push_back(static_cast<Index>(owner[i]));
      }
      m.facet_sets.push_back(std::move(s));
    }
  return m;
}

std::vector<double> ResultsReader::field_times() const {
  return file_.read<double>("/fields/time");
}

std::vector<std::string> ResultsReader::field_names() const {
  std::vector<std::string> out;
  for (auto& name : file_.children("/fields"))
    if (file_.is_group("/fields/" + name)) out.push_back(name);
  return out;
}

std::vector<int> ResultsReader::field_steps(std::string_view name) const {
  std::vector<int> out;
  for (const auto& s : file_.children("/fields/" + std::string(name))) out.push_back(std::stoi(s));
  return out;
}

FieldData ResultsReader::field(std::string_view name, int step) const {
  const std::string path = "/fields/" + std::string(name) + "/" + step_name(step);
  FieldData out;
  out.name = std::string(name);
  out.step = step;
  H5Dims d;
  const auto v = file_.read<double>(path, &d);
  const Eigen::Index rows = d.empty() ? 1 : static_cast<Eigen::Index>(d[0]);
  const Eigen::Index cols = d.size() == 2 ? static_cast<Eigen::Index>(d[1]) : 1;
  out.values = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      v.data(), rows, cols);
  out.units = file_.string_attr(path, "units");
  out.time = file_.double_attr(path, "time");
  const std::string center = file_.string_attr(path, "center");
  if (center != "node" && center != "cell")
    throw InputError(SourceLocation{file_.path().string(), 0, 0}, path, "unknown center '" + center + "'");
  out.center = center == "node" ? FieldCenter::node : FieldCenter::cell;
  return out;
}

std::vector<EventRecord> ResultsReader::events() const {
  std::vector<EventRecord> out;
  if (!file_.exists("/events/name")) return out;
  const auto name = file_.read_strings("/events/name");
  const auto region = file_.read_strings("/events/region");
  const auto side = file_.read_strings("/events/side");
  const auto t0 = file_.read<double>("/events/t0");
  const auto t1 = file_.read<double>("/events/t1");
  const size_t n = std::min({name.size(), region.size(), side.size(), t0.size(), t1.size()});
  for (size_t i = 0; i < n; ++i)
    out.push_back(EventRecord{name[i], region[i], parse_side(side[i], file_.path().string(), "/events/side"),
                              t0[i], t1[i]});
  return out;
}

std::vector<SafetyFlag> ResultsReader::flags() const {
  std::vector<SafetyFlag> out;
  if (!file_.exists("/safety/kind")) return out;
  const auto kind = file_.read_strings("/safety/kind");
  const auto region = file_.read_strings("/safety/region");
  const auto units = file_.read_strings("/safety/units");
  const auto time = file_.read<double>("/safety/time");
  const auto value = file_.read<double>("/safety/value");
  const auto threshold = file_.read<double>("/safety/threshold");
  const size_t n =
      std::min({kind.size(), region.size(), units.size(), time.size(), value.size(), threshold.size()});
  for (size_t i = 0; i < n; ++i)
    out.push_back(SafetyFlag{kind[i], region[i], time[i], value[i], threshold[i], units[i]});
  return out;
}

}  // namespace tissue
