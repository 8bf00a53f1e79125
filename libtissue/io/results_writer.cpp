#include "libtissue/io/results_writer.hpp"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <limits>
#include <sstream>

#include "libtissue/config.hpp"
#include "libtissue/core/error.hpp"

namespace tissue {
namespace {

std::string step_name(int step) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%06d", step);
  return buf;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// XDMF attribute type from the number of components.
const char* xdmf_attribute_type(Eigen::Index cols) {
  switch (cols) {
    case 1:
      return "Scalar";
    case 3:
      return "Vector";
    case 6:
      return "Tensor6";
    case 9:
      return "Tensor";
    default:
      return "Matrix";
  }
}

std::string field_path(std::string_view name, int step) {
  return "/fields/" + std::string(name) + "/" + step_name(step);
}

}  // namespace

ResultsWriter::ResultsWriter(std::filesystem::path path, OpenMode mode)
    : path_(std::move(path)),
      xdmf_path_(std::filesystem::path(path_).replace_extension(".xdmf")),
      file_(H5File::create(path_, mode)) {
  std::error_code ec;
  std::filesystem::remove(xdmf_path_, ec);  // a stale companion would point at old data
  for (const char* g : {"/meta", "/fields", "/series", "/events", "/safety"}) file_.create_groups(g);
  file_.set_attr("/meta", "tissue_version", std::string_view(TISSUE_VERSION));
  file_.set_attr("/meta", "created", utc_now());
  file_.set_attr("/meta", "unit_system", std::string_view("SI"));
  file_.set_attr("/meta", "format", std::string_view("libtissue-results"));
  file_.set_attr("/meta", "format_version", static_cast<std::int64_t>(kResultsFormatVersion));
  field_time_ = H5Extendible::create(file_, "/fields/time", H5Elem::f64);
  file_.set_attr("/fields/time", "units", std::string_view("s"));
  series_time_ = H5Extendible::create(file_, "/series/time", H5Elem::f64);
  file_.set_attr("/series/time", "units", std::string_view("s"));
  ev_name_ = H5Extendible::create(file_, "/events/name", H5Elem::str);
  ev_region_ = H5Extendible::create(file_, "/events/region", H5Elem::str);
  ev_side_ = H5Extendible::create(file_, "/events/side", H5Elem::str);
  ev_t0_ = H5Extendible::create(file_, "/events/t0", H5Elem::f64);
  ev_t1_ = H5Extendible::create(file_, "/events/t1", H5Elem::f64);
  file_.set_attr("/events/t0", "units", std::string_view("s"));
  file_.set_attr("/events/t1", "units", std::string_view("s"));
  fl_kind_ = H5Extendible::create(file_, "/safety/kind", H5Elem::str);
  fl_region_ = H5Extendible::create(file_, "/safety/region", H5Elem::str);
  fl_time_ = H5Extendible::create(file_, "/safety/time", H5Elem::f64);
  fl_value_ = H5Extendible::create(file_, "/safety/value", H5Elem::f64);
  fl_threshold_ = H5Extendible::create(file_, "/safety/threshold", H5Elem::f64);
  fl_units_ = H5Extendible::create(file_, "/safety/units", H5Elem::str);
  file_.set_attr("/safety/time", "units", std::string_view("s"));
  file_.flush();
}

ResultsWriter::~ResultsWriter() {
  try {
    close();
  } catch (...) {
    // destructors must not throw; close() reports errors to callers who want them
  }
}

void ResultsWriter::require_open() const {
  if (!open_) throw std::logic_error("ResultsWriter: '" + path_.string() + "' is already closed");
}

void ResultsWriter::flush() {
  require_open();
  file_.flush();
}

void ResultsWriter::close() {
  if (!open_) return;
  file_.flush();
  open_ = false;
  series_.clear();
  for (H5Extendible* x : {&field_time_, &series_time_, &ev_name_, &ev_region_, &ev_side_, &ev_t0_, &ev_t1_,
                          &fl_kind_, &fl_region_, &fl_units_, &fl_time_, &fl_value_, &fl_threshold_})
    *x = H5Extendible();
  file_.close();
}

void ResultsWriter::write_meta(std::string_view key, std::string_view value) {
  require_open();
  check_result_name("meta", key);
  file_.set_attr("/meta", key, value);
  file_.flush();
}

void ResultsWriter::write_mesh(const Mesh& mesh) {
  require_open();
  if (has_mesh_)
    throw std::logic_error("ResultsWriter: the mesh of '" + path_.string() +
                           "' was already written (one results file holds one run; give each its own)");
  const Index n = mesh.n_nodes(), e = mesh.n_cells();
  const int k = mesh.cell_size();
  if (mesh.cells.cols() != k)
    throw InputError("mesh.cells",
                     "has " + std::to_string(mesh.cells.cols()) + " columns, expected " + std::to_string(k));
  if (static_cast<Index>(mesh.region.size()) != e)
    throw InputError("mesh.region", "has " + std::to_string(mesh.region.size()) + " entries for " +
                                        std::to_string(e) + " cells");
  if (mesh.fibres.rows() != 0 && mesh.fibres.rows() != e)
    throw InputError("mesh.fibres", "has " + std::to_string(mesh.fibres.rows()) + " rows for " +
                                        std::to_string(e) + " cells");
  for (const auto& s : mesh.node_sets) check_result_name("mesh.node_sets", s.name);
  for (const auto& s : mesh.facet_sets) check_result_name("mesh.facet_sets", s.name);

  const hsize_t hn = static_cast<hsize_t>(n), he = static_cast<hsize_t>(e), hk = static_cast<hsize_t>(k);
  file_.create_groups("/mesh/regions");
  file_.create_groups("/mesh/node_sets");
  file_.create_groups("/mesh/facet_sets");
  file_.write<double>("/mesh/nodes", std::span<const double>(mesh.nodes.data(), 3 * hn), {hn, 3});
  file_.set_attr("/mesh/nodes", "units", std::string_view("m"));
  std::vector<std::int64_t> cells(static_cast<size_t>(e) * static_cast<size_t>(k));
  for (Index c = 0; c < e; ++c)
    for (int j = 0; j < k; ++j)
      cells[static_cast<size_t>(c) * static_cast<size_t>(k) + static_cast<size_t>(j)] = mesh.cells(c, j);
  file_.write<std::int64_t>("/mesh/cells", cells, {he, hk});
  file_.set_attr("/mesh/cells", "cell_type",
                 std::string_view(mesh.cell_type == CellType::hex8 ? "hex8" : "tet4"));
  std::vector<std::int32_t> region(mesh.region.begin(), mesh.region.end());
  file_.write<std::int32_t>("/mesh/region_id", region, {he});
  file_.set_attr("/mesh/region_id", "units", std::string_view("1"));

  std::vector<std::string> names, kinds, sides;
  std::vector<std::int32_t> ids;
  for (int r = 0; r < mesh.regions.size(); ++r) {
    names.push_back(mesh.regions[r].name);
    kinds.emplace_back(to_string(mesh.regions[r].kind));
    sides.emplace_back(to_string(mesh.regions[r].side));
    ids.push_back(r);
  }
  file_.write_strings("/mesh/regions/name", names);
  file_.write<std::int32_t>("/mesh/regions/id", ids, {ids.size()});
  file_.write_strings("/mesh/regions/kind", kinds);
  file_.write_strings("/mesh/regions/side", sides);
  if (mesh.fibres.rows() == e) {
    file_.write<double>("/mesh/fibres", std::span<const double>(mesh.fibres.data(), 3 * he), {he, 3});
    file_.set_attr("/mesh/fibres", "units", std::string_view("1"));
  }
  for (const auto& s : mesh.node_sets) {
    std::vector<std::int64_t> ids64(s.nodes.begin(), s.nodes.end());
    file_.write<std::int64_t>("/mesh/node_sets/" + s.name, ids64, {ids64.size()});
  }
  for (const auto& s : mesh.facet_sets) {
    const std::string g = "/mesh/facet_sets/" + s.name;
    file_.create_groups(g);
    std::vector<std::int64_t> nodes;
    for (const auto& f : s.nodes) nodes.insert(nodes.end(), f.begin(), f.end());
    file_.write<std::int64_t>(g + "/nodes", nodes, {s.nodes.size(), 4});
    std::vector<std::int64_t> owner(s.cell.begin(), s.cell.end());
    file_.write<std::int64_t>(g + "/cell", owner, {owner.size()});
  }
  has_mesh_ = true;
  cell_type_ = mesh.cell_type;
  n_nodes_ = n;
  n_cells_ = e;
  fields_.set_sizes(n, e);
  file_.flush();
  write_xdmf();
}

void ResultsWriter::write_field(std::string_view name, double time, FieldCenter center,
                                const Eigen::Ref<const Eigen::MatrixXd>& values, std::string_view units) {
  require_open();
  if (!has_mesh_)
    throw std::logic_error("ResultsWriter: write_mesh must be called before write_field ('" +
                           std::string(name) + "')");
  bool fresh = false;
  const int step = fields_.add(name, time, center, values.rows(), values.cols(), units, fresh);
  const std::string group = "/fields/" + std::string(name);
  if (!file_.exists(group)) {
    file_.create_groups(group);
    file_.set_attr(group, "units", units);
    file_.set_attr(group, "center", to_string(center));
    file_.set_attr(group, "components", static_cast<std::int64_t>(values.cols()));
  }
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rm = values;
  const hsize_t rows = static_cast<hsize_t>(rm.rows()), cols = static_cast<hsize_t>(rm.cols());
  const H5Dims dims = cols == 1 ? H5Dims{rows} : H5Dims{rows, cols};
  const std::string path = field_path(name, step);
  file_.write<double>(path, std::span<const double>(rm.data(), static_cast<size_t>(rm.size())), dims);
  file_.set_attr(path, "units", units);
  file_.set_attr(path, "center", to_string(center));
  file_.set_attr(path, "time", time);
  file_.set_attr(path, "step", static_cast<std::int64_t>(step));
  if (fresh) {
    field_time_.append(std::span<const double>(&time, 1));
    snapshot_fields_.emplace_back();
  }
  snapshot_fields_[static_cast<size_t>(step)].emplace_back(name);
  file_.flush();
  write_xdmf();
}

void ResultsWriter::append_series(double time, std::span<const SeriesValue> values) {
  require_open();
  const size_t before = table_.columns().size();
  const hsize_t rows_before = series_time_.rows();
  const std::vector<double> row = table_.add_row(time, values);
  for (size_t i = before; i < row.size(); ++i) {
    const auto& c = table_.columns()[i];
    const std::string group = "/series/" + c.group;
    if (!file_.exists(group)) file_.create_groups(group);
    const std::string path = group + "/" + c.name;
    series_.push_back(H5Extendible::create(file_, path, H5Elem::f64));
    file_.set_attr(path, "units", c.units);
    const std::vector<double> pad(rows_before, std::numeric_limits<double>::quiet_NaN());
    series_.back().append(pad);
  }
  series_time_.append(std::span<const double>(&time, 1));
  for (size_t i = 0; i < row.size(); ++i) series_[i].append(std::span<const double>(&row[i], 1));
  file_.flush();
}

void ResultsWriter::append_events(std::span<const EventRecord> events) {
  require_open();
  std::vector<std::string> names, regions, sides;
  std::vector<double> t0, t1;
  for (const auto& e : events) {
    names.push_back(e.name);
    regions.push_back(e.region);
    sides.emplace_back(to_string(e.side));
    t0.push_back(e.t0);
    t1.push_back(e.t1);
  }
  ev_name_.append(std::span<const std::string>(names));
  ev_region_.append(std::span<const std::string>(regions));
  ev_side_.append(std::span<const std::string>(sides));
  ev_t0_.append(std::span<const double>(t0));
  ev_t1_.append(std::span<const double>(t1));
  file_.flush();
}

void ResultsWriter::append_flags(std::span<const SafetyFlag> flags) {
  require_open();
  std::vector<std::string> kinds, regions, units;
  std::vector<double> time, value, threshold;
  for (const auto& f : flags) {
    kinds.push_back(f.kind);
    regions.push_back(f.region);
    units.push_back(f.units);
    time.push_back(f.time);
    value.push_back(f.value);
    threshold.push_back(f.threshold);
  }
  fl_kind_.append(std::span<const std::string>(kinds));
  fl_region_.append(std::span<const std::string>(regions));
  fl_units_.append(std::span<const std::string>(units));
  fl_time_.append(std::span<const double>(time));
  fl_value_.append(std::span<const double>(value));
  fl_threshold_.append(std::span<const double>(threshold));
  file_.flush();
}

void ResultsWriter::write_xdmf() const {
  const std::string h5 = xml_escape(path_.filename().string());
  const bool hex = cell_type_ == CellType::hex8;
  std::ostringstream mesh;
  mesh << "        <Topology TopologyType=\"" << (hex ? "Hexahedron" : "Tetrahedron")
       << "\" NumberOfElements=\"" << n_cells_ << "\" NodesPerElement=\"" << (hex ? 8 : 4) << "\">\n"
       << "          <DataItem Dimensions=\"" << n_cells_ << " " << (hex ? 8 : 4)
       << "\" DataType=\"Int\" Precision=\"8\" Format=\"HDF\">" << h5 << ":/mesh/cells</DataItem>\n"
       << "        </Topology>\n"
       << "        <Geometry GeometryType=\"XYZ\">\n"
       << "          <DataItem Dimensions=\"" << n_nodes_ << " 3\" DataType=\"Float\" Precision=\"8\" "
       << "Format=\"HDF\">" << h5 << ":/mesh/nodes</DataItem>\n"
       << "        </Geometry>\n"
       << "        <Attribute Name=\"region_id\" AttributeType=\"Scalar\" Center=\"Cell\">\n"
       << "          <DataItem Dimensions=\"" << n_cells_ << "\" DataType=\"Int\" Precision=\"4\" "
       << "Format=\"HDF\">" << h5 << ":/mesh/region_id</DataItem>\n"
       << "        </Attribute>\n";

  std::ostringstream x;
  x << "<?xml version=\"1.0\" ?>\n"
    << "<!-- Written by libtissue " << TISSUE_VERSION << ": companion of " << h5 << " for ParaView. -->\n"
    << "<Xdmf Version=\"3.0\">\n  <Domain>\n";
  const auto& times = fields_.times();
  if (times.empty()) {
    x << "    <Grid Name=\"mesh\" GridType=\"Uniform\">\n" << mesh.str() << "    </Grid>\n";
  } else {
    x << "    <Grid Name=\"fields\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
    for (size_t s = 0; s < times.size(); ++s) {
      x << "      <Grid Name=\"step_" << step_name(static_cast<int>(s)) << "\" GridType=\"Uniform\">\n"
        << "        <Time Value=\"" << num(times[s]) << "\" />\n"
        << mesh.str();
      for (const auto& name : snapshot_fields_[s]) {
        const auto& info = fields_.info(name);
        const Eigen::Index rows = info.center == FieldCenter::node ? n_nodes_ : n_cells_;
        x << "        <Attribute Name=\"" << xml_escape(name) << "\" AttributeType=\""
          << xdmf_attribute_type(info.cols) << "\" Center=\""
          << (info.center == FieldCenter::node ? "Node" : "Cell") << "\">\n"
          << "          <DataItem Dimensions=\"" << rows;
        if (info.cols != 1) x << " " << info.cols;
        x << "\" DataType=\"Float\" Precision=\"8\" Format=\"HDF\">" << h5 << ":"
          << xml_escape(field_path(name, static_cast<int>(s))) << "</DataItem>\n"
          << "        </Attribute>\n";
      }
      x << "      </Grid>\n";
    }
    x << "    </Grid>\n";
  }
  x << "  </Domain>\n</Xdmf>\n";

  // Atomic replace: write a temporary file next to the target, then rename over it.
  std::filesystem::path tmp = xdmf_path_;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << x.str();
    out.flush();
    if (!out) throw std::runtime_error("cannot write XDMF companion '" + tmp.string() + "'");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, xdmf_path_, ec);
  if (ec)
    throw std::runtime_error("cannot rename '" + tmp.string() + "' to '" + xdmf_path_.string() +
                             "': " + ec.message());
}

}  // namespace tissue
