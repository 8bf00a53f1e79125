// Gmsh .msh 4.1 reader: $MeshFormat, $PhysicalNames, $Entities, $Nodes, $Elements.
#include "libtissue/mesh/msh_reader.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_map>

#include "libtissue/core/error.hpp"
#include "libtissue/mesh/geometry.hpp"

namespace tissue {

namespace {

struct ElementTypeInfo {
  int type;
  const char* name;
  int nodes;
  int dim;
  bool supported;
};

constexpr ElementTypeInfo kElementTypes[] = {
    {1, "line2", 2, 1, true},        {2, "tri3", 3, 2, true},         {3, "quad4", 4, 2, true},
    {4, "tet4", 4, 3, true},         {5, "hex8", 8, 3, true},         {6, "prism6", 6, 3, false},
    {7, "pyramid5", 5, 3, false},    {8, "line3", 3, 1, false},       {9, "tri6", 6, 2, false},
    {10, "quad9", 9, 2, false},      {11, "tet10", 10, 3, false},     {12, "hex27", 27, 3, false},
    {13, "prism18", 18, 3, false},   {14, "pyramid14", 14, 3, false}, {15, "point", 1, 0, true},
    {16, "quad8", 8, 2, false},      {17, "hex20", 20, 3, false},     {18, "prism15", 15, 3, false},
    {19, "pyramid13", 13, 3, false},
};

const ElementTypeInfo* element_type(int t) {
  for (const auto& e : kElementTypes)
    if (e.type == t) return &e;
  return nullptr;
}

struct Block {
  int dim = 0;
  int entity = 0;
  int type = 0;
  int line = 0;                    // line of the block header (ASCII)
  std::vector<Index> nodes;        // flattened node indices (into the file's node list)
  std::vector<std::int64_t> tags;  // element tags
};

class MshParser {
 public:
  MshParser(std::string_view buf, std::string label, const MshReadOptions& opt)
      : buf_(buf), label_(std::move(label)), opt_(opt) {}

  Mesh parse();

 private:
  std::string_view buf_;
  std::string label_;
  MshReadOptions opt_;
  size_t pos_ = 0;
  int line_ = 1;
  bool binary_ = false;
  bool have_format_ = false;
  std::string section_ = "file";

  std::map<std::pair<int, int>, std::string> phys_names_;
  std::map<std::pair<int, int>, std::vector<int>> entity_phys_;
  std::vector<Vec3> coords_;
  std::unordered_map<std::int64_t, Index> node_of_tag_;
  std::vector<Block> blocks_;

  // --- errors -------------------------------------------------------------------------------
  SourceLocation here(int line = -1) const {
    return SourceLocation{label_, binary_ ? 0 : (line < 0 ? line_ : line), 0};
  }
  std::string offset_note() const { return binary_ ? " (byte offset " + std::to_string(pos_) + ")" : ""; }
  [[noreturn]] void fail(const std::string& msg, int line = -1) const {
    throw InputError(here(line), "$" + section_, msg + offset_note());
  }
  [[noreturn]] void truncated() const { fail("truncated $" + section_ + " section (file ends early)"); }

  // --- text ---------------------------------------------------------------------------------
  void skip_ws() {
    while (pos_ < buf_.size() && std::isspace(static_cast<unsigned char>(buf_[pos_]))) {
      if (buf_[pos_] == '\n') ++line_;
      ++pos_;
    }
  }
  std::string_view token() {
    skip_ws();
    if (pos_ >= buf_.size()) truncated();
    const size_t start = pos_;
    while (pos_ < buf_.size() && !std::isspace(static_cast<unsigned char>(buf_[pos_]))) ++pos_;
    return buf_.substr(start, pos_ - start);
  }
  template <class T>
  T number_from(std::string_view tok) {
    T v{};
    const auto [p, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), v);
    if (ec != std::errc() || p != tok.data() + tok.size())
      fail("malformed number '" + std::string(tok) + "'");
    return v;
  }
  template <class T>
  T bin() {
    if (pos_ + sizeof(T) > buf_.size()) truncated();
    T v;
    std::memcpy(&v, buf_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  // Primitive readers: binary int / size_t / double, or ASCII tokens.
  int get_int() { return binary_ ? bin<std::int32_t>() : number_from<int>(token()); }
  std::int64_t get_size() {
    const std::int64_t v =
        binary_ ? static_cast<std::int64_t>(bin<std::uint64_t>()) : number_from<std::int64_t>(token());
    if (v < 0 || static_cast<std::uint64_t>(v) > buf_.size())
      fail("implausible count or tag " + std::to_string(v));
    return v;
  }
  std::int64_t get_tag() {
    const std::int64_t v =
        binary_ ? static_cast<std::int64_t>(bin<std::uint64_t>()) : number_from<std::int64_t>(token());
    if (v < 0) fail("negative tag " + std::to_string(v));
    return v;
  }
  double get_double() { return binary_ ? bin<double>() : number_from<double>(token()); }

  void expect_end() {
    const std::string want = "$End" + section_;
    skip_ws();
    if (pos_ >= buf_.size()) truncated();
    const std::string_view tok = token();
    if (tok != want)
      fail("expected " + want + ", found '" + std::string(tok.substr(0, 40)) +
           "' (counts do not match the data?)");
  }

  void parse_format();
  void parse_physical_names();
  void parse_entities();
  void parse_nodes();
  void parse_elements();
  void skip_section();
  Mesh build();
};

void MshParser::parse_format() {
  const std::string_view version = token();
  if (version != "4.1")
    fail("unsupported .msh version " + std::string(version) +
         " (only 4.1 is supported; export with Mesh.MshFileVersion = 4.1)");
  const int file_type = number_from<int>(token());
  const int data_size = number_from<int>(token());
  if (file_type != 0 && file_type != 1)
    fail("file type must be 0 (ASCII) or 1 (binary), got " + std::to_string(file_type));
  if (data_size != 8) fail("unsupported data size " + std::to_string(data_size) + " (only 8 is supported)");
  if (file_type == 1) {
    // One newline, then the integer 1 in binary (endianness check).
    if (pos_ < buf_.size() && buf_[pos_] == '\r') ++pos_;
    if (pos_ < buf_.size() && buf_[pos_] == '\n') {
      ++pos_;
      ++line_;
    }
    std::int32_t one;
    if (pos_ + 4 > buf_.size()) truncated();
    std::memcpy(&one, buf_.data() + pos_, 4);
    pos_ += 4;
    if (one != 1)
      fail("binary file is not little-endian (or corrupt): check integer is " + std::to_string(one));
  }
  expect_end();
  binary_ = file_type == 1;
  have_format_ = true;
}

void MshParser::parse_physical_names() {
  const bool was_binary = binary_;
  binary_ = false;  // $PhysicalNames is always ASCII
  const std::int64_t n = get_size();
  for (std::int64_t i = 0; i < n; ++i) {
    const int dim = number_from<int>(token());
    const int tag = number_from<int>(token());
    skip_ws();
    if (pos_ >= buf_.size()) truncated();
    if (buf_[pos_] != '"') fail("expected a quoted physical name");
    const size_t end = buf_.find('"', pos_ + 1);
    if (end == std::string_view::npos) truncated();
    phys_names_[{dim, tag}] = std::string(buf_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
  }
  expect_end();
  binary_ = was_binary;
}

void MshParser::parse_entities() {
  std::int64_t counts[4];
  for (auto& c : counts) c = get_size();
  for (int dim = 0; dim < 4; ++dim) {
    for (std::int64_t i = 0; i < counts[dim]; ++i) {
      const int tag = get_int();
      for (int k = 0; k < (dim == 0 ? 3 : 6); ++k) get_double();
      const std::int64_t np = get_size();
      std::vector<int> phys;
      for (std::int64_t p = 0; p < np; ++p) phys.push_back(std::abs(get_int()));
      entity_phys_[{dim, tag}] = std::move(phys);
      if (dim > 0) {
        const std::int64_t nb = get_size();
        for (std::int64_t b = 0; b < nb; ++b) get_int();
      }
    }
  }
  expect_end();
}

void MshParser::parse_nodes() {
  const std::int64_t nblocks = get_size();
  const std::int64_t nnodes = get_size();
  get_size();
  get_size();
  coords_.reserve(static_cast<size_t>(nnodes));
  for (std::int64_t b = 0; b < nblocks; ++b) {
    const int dim = get_int();
    get_int();  // entity tag
    const int parametric = get_int();
    const std::int64_t n = get_size();
    std::vector<std::int64_t> tags(static_cast<size_t>(n));
    for (auto& t : tags) t = get_tag();
    for (std::int64_t i = 0; i < n; ++i) {
      Vec3 x;
      for (int k = 0; k < 3; ++k) x[k] = get_double();
      if (parametric) {
        for (int k = 0; k < dim; ++k) get_double();
      }
      const std::int64_t tag = tags[static_cast<size_t>(i)];
      if (!node_of_tag_.emplace(tag, static_cast<Index>(coords_.size())).second)
        fail("duplicate node tag " + std::to_string(tag));
      coords_.push_back(x * opt_.length_scale);
    }
  }
  if (static_cast<std::int64_t>(coords_.size()) != nnodes)
    fail("header announces " + std::to_string(nnodes) + " nodes but the blocks hold " +
         std::to_string(coords_.size()));
  expect_end();
}

void MshParser::parse_elements() {
  if (coords_.empty()) fail("$Elements before $Nodes (or no nodes)");
  const std::int64_t nblocks = get_size();
  get_size();
  get_size();
  get_size();
  for (std::int64_t b = 0; b < nblocks; ++b) {
    Block blk;
    blk.dim = get_int();
    blk.entity = get_int();
    blk.type = get_int();
    blk.line = line_;
    const ElementTypeInfo* info = element_type(blk.type);
    if (!info) fail("unknown element type " + std::to_string(blk.type));
    if (!info->supported)
      fail("unsupported element type " + std::to_string(blk.type) + " (" + info->name + ")" +
           "; supported: 15 point, 1 line2, 2 tri3, 3 quad4, 4 tet4, 5 hex8");
    const std::int64_t n = get_size();
    blk.tags.reserve(static_cast<size_t>(n));
    blk.nodes.reserve(static_cast<size_t>(n * info->nodes));
    for (std::int64_t e = 0; e < n; ++e) {
      blk.tags.push_back(get_tag());
      for (int a = 0; a < info->nodes; ++a) {
        const std::int64_t t = get_tag();
        const auto it = node_of_tag_.find(t);
        if (it == node_of_tag_.end())
          fail("element " + std::to_string(blk.tags.back()) + " refers to unknown node tag " +
               std::to_string(t) + "");
        blk.nodes.push_back(it->second);
      }
    }
    blocks_.push_back(std::move(blk));
  }
  expect_end();
}

void MshParser::skip_section() {
  const std::string end = "$End" + section_;
  const size_t at = buf_.find(end, pos_);
  if (at == std::string_view::npos) truncated();
  if (!binary_)
    line_ += static_cast<int>(std::count(buf_.begin() + static_cast<std::ptrdiff_t>(pos_),
                                         buf_.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  pos_ = at + end.size();
}

Mesh MshParser::parse() {
  while (true) {
    skip_ws();
    if (pos_ >= buf_.size()) break;
    section_ = "file";
    const std::string_view tok = token();
    if (tok.empty() || tok[0] != '$')
      fail("expected a section header such as $Nodes, found '" + std::string(tok.substr(0, 40)) + "'");
    section_ = std::string(tok.substr(1));
    if (!have_format_ && section_ != "MeshFormat") fail("file does not start with $MeshFormat");
    if (binary_ && (section_ == "Entities" || section_ == "Nodes" || section_ == "Elements")) {
      // Binary data starts right after the header's newline (it may begin with whitespace bytes).
      if (pos_ < buf_.size() && buf_[pos_] == '\r') ++pos_;
      if (pos_ >= buf_.size() || buf_[pos_] != '\n') truncated();
      ++pos_;
    }
    if (section_ == "MeshFormat")
      parse_format();
    else if (section_ == "PhysicalNames")
      parse_physical_names();
    else if (section_ == "Entities")
      parse_entities();
    else if (section_ == "Nodes")
      parse_nodes();
    else if (section_ == "Elements")
      parse_elements();
    else
      skip_section();
  }
  section_ = "Elements";
  if (!have_format_) fail("empty file or no $MeshFormat section");
  return build();
}

Mesh MshParser::build() {
  const auto at = [this](const Block& b) {
    return binary_ ? std::string() : " (element block on line " + std::to_string(b.line) + ")";
  };
  // Cell type and cells.
  const Block* first_hex = nullptr;
  const Block* first_tet = nullptr;
  for (const auto& b : blocks_) {
    if (b.type == 5 && !first_hex) first_hex = &b;
    if (b.type == 4 && !first_tet) first_tet = &b;
  }
  if (!first_hex && !first_tet) fail("no 3D cells (hex8 type 5 or tet4 type 4) in the file");
  if (first_hex && first_tet) {
    const Block* later = first_hex->line > first_tet->line ? first_hex : first_tet;
    fail("mixed hex8 and tet4 cells" + at(*later) + "; a mesh must have a single cell type", later->line);
  }
  const bool hex = first_hex != nullptr;

  const int cell_type_id = hex ? 5 : 4;
  const int npc = hex ? 8 : 4;

  Mesh m;
  m.cell_type = hex ? CellType::hex8 : CellType::tet4;

  // Regions: physical volumes in tag order.
  const auto group_name = [&](int dim, int tag) {
    const auto it = phys_names_.find({dim, tag});
    if (it != phys_names_.end()) return it->second;
    static const char* kinds[4] = {"point", "curve", "surface", "volume"};
    return std::string(kinds[dim]) + "_" + std::to_string(tag);
  };
  const auto phys_of = [&](const Block& b) -> const std::vector<int>& {
    static const std::vector<int> none;
    const auto it = entity_phys_.find({b.dim, b.entity});
    return it == entity_phys_.end() ? none : it->second;
  };
  std::map<int, int> region_of_phys;
  for (const auto& b : blocks_) {
    if (b.type != cell_type_id) continue;
    const auto& phys = phys_of(b);
    if (phys.empty())
      fail("cells of volume entity " + std::to_string(b.entity) + at(b) +
               " belong to no physical group; every cell needs a physical volume (its region)",
           b.line);
    if (phys.size() > 1)
      fail("volume entity " + std::to_string(b.entity) + " belongs to several physical groups ('" +
               group_name(3, phys[0]) + "', '" + group_name(3, phys[1]) +
               "'); a cell needs exactly one region",
           b.line);
    region_of_phys[phys[0]] = -1;
  }
  for (auto& [tag, id] : region_of_phys) {
    Region r;
    r.name = group_name(3, tag);
    const auto has = [&](const char* s) { return r.name.find(s) != std::string::npos; };
    const auto ends = [&](std::string_view s) {
      return r.name.size() >= s.size() && r.name.compare(r.name.size() - s.size(), s.size(), s) == 0;
    };
    r.kind = has("skin")     ? TissueKind::skin
             : has("fat")    ? TissueKind::fat
             : has("fascia") ? TissueKind::fascia
                             : TissueKind::muscle;
    r.side = ends("_left") ? Side::left : ends("_right") ? Side::right : Side::none;
    id = m.regions.add(std::move(r));
  }

  // Compact node numbering over nodes used by cells.
  std::vector<Index> compact(coords_.size(), -1);
  Index nnode = 0, ncell = 0;
  for (const auto& b : blocks_) {
    if (b.type != cell_type_id) continue;
    ncell += static_cast<Index>(b.tags.size());
    for (Index v : b.nodes)
      if (compact[static_cast<size_t>(v)] < 0) compact[static_cast<size_t>(v)] = nnode++;
  }
  m.nodes.resize(nnode, 3);
  for (size_t v = 0; v < coords_.size(); ++v)
    if (compact[v] >= 0) m.nodes.row(compact[v]) = coords_[v].transpose();
  m.cells.resize(ncell, npc);
  m.region.resize(static_cast<size_t>(ncell));
  m.fibres.setZero(ncell, 3);
  const Real flen = opt_.fibre.norm();
  const Vec3 fibre = flen > 0 ? Vec3(opt_.fibre / flen) : Vec3::Zero();
  Index e = 0;
  for (const auto& b : blocks_) {
    if (b.type != cell_type_id) continue;
    const int r = region_of_phys.at(phys_of(b)[0]);
    const bool muscle = m.regions[r].kind == TissueKind::muscle;
    for (size_t c = 0; c < b.tags.size(); ++c, ++e) {
      for (int a = 0; a < npc; ++a)
        m.cells(e, a) =
            compact[static_cast<size_t>(b.nodes[c * static_cast<size_t>(npc) + static_cast<size_t>(a)])];
      m.region[static_cast<size_t>(e)] = r;
      if (muscle) m.fibres.row(e) = fibre.transpose();
    }
  }

  // Face lookup for facets: sorted face keys -> (cell, local face).
  struct FaceEntry {
    std::array<Index, 4> key;
    Index cell;
    int local;
  };
  const auto faces = cell_faces(m.cell_type);
  const int nf = hex ? 4 : 3;
  std::vector<FaceEntry> face_index;
  const auto make_key = [nf](std::array<Index, 4> k) {
    detail::sort_face_key(k, nf);
    return k;
  };
  bool face_index_built = false;

  std::map<std::string, std::vector<Index>> node_sets;
  std::map<std::string, FacetSet> facet_sets;
  for (const auto& b : blocks_) {
    if (b.dim == 3) continue;
    const auto& phys = phys_of(b);
    if (phys.empty()) continue;
    const ElementTypeInfo* info = element_type(b.type);
    const int nper = info->nodes;
    std::vector<Index> nodes;
    for (Index v : b.nodes) {
      const Index c = compact[static_cast<size_t>(v)];
      if (c < 0)
        fail("physical group '" + group_name(b.dim, phys[0]) + "'" + at(b) +
                 " has a node that belongs to no 3D cell",
             b.line);
      nodes.push_back(c);
    }
    for (int p : phys) {
      auto& ns = node_sets[group_name(b.dim, p)];
      ns.insert(ns.end(), nodes.begin(), nodes.end());
    }
    if (b.dim != 2) continue;
    if (nper != nf)
      fail(std::string(info->name) + " surface elements" + at(b) + " cannot be faces of " +
               (hex ? "hex8" : "tet4") + " cells",
           b.line);
    if (!face_index_built) {
      face_index.reserve(static_cast<size_t>(ncell) * faces.size());
      for (Index c = 0; c < ncell; ++c)
        for (size_t lf = 0; lf < faces.size(); ++lf) {
          std::array<Index, 4> k{-1, -1, -1, -1};
          for (int a = 0; a < nf; ++a)
            k[static_cast<size_t>(a)] = m.cells(c, faces[lf][static_cast<size_t>(a)]);
          face_index.push_back({make_key(k), c, static_cast<int>(lf)});
        }
      std::sort(face_index.begin(), face_index.end(), [](const FaceEntry& x, const FaceEntry& y) {
        return x.key != y.key ? x.key < y.key : x.cell < y.cell;
      });
      face_index_built = true;
    }
    for (size_t f = 0; f < b.tags.size(); ++f) {
      std::array<Index, 4> k{-1, -1, -1, -1};
      for (int a = 0; a < nf; ++a)
        k[static_cast<size_t>(a)] = nodes[f * static_cast<size_t>(nf) + static_cast<size_t>(a)];
      const auto key = make_key(k);
      const auto it =
          std::lower_bound(face_index.begin(), face_index.end(), key,
                           [](const FaceEntry& x, const std::array<Index, 4>& y) { return x.key < y; });
      if (it == face_index.end() || it->key != key)
        fail("surface element " + std::to_string(b.tags[f]) + " of physical group '" +
                 group_name(2, phys[0]) + "'" + at(b) + " is not a face of any 3D cell",
             b.line);
      // Outward order of the owning cell's local face (the first owner for interior faces).
      std::array<Index, 4> out{-1, -1, -1, -1};
      for (int a = 0; a < nf; ++a)
        out[static_cast<size_t>(a)] =
            m.cells(it->cell, faces[static_cast<size_t>(it->local)][static_cast<size_t>(a)]);
      for (int p : phys) {
        auto& fs = facet_sets[group_name(2, p)];
        fs.nodes.push_back(out);
        fs.cell.push_back(it->cell);
      }
    }
  }
  for (auto& [name, nodes] : node_sets) {
    std::sort(nodes.begin(), nodes.end());
    nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
    m.node_sets.push_back(NodeSet{name, std::move(nodes)});
  }
  for (auto& [name, fs] : facet_sets) {
    fs.name = name;
    m.facet_sets.push_back(std::move(fs));
  }
  return m;
}

}  // namespace

Mesh parse_msh(std::string_view content, const std::string& label, const MshReadOptions& options) {
  if (!(options.length_scale > 0) || !std::isfinite(options.length_scale)) {
    char got[32];
    std::snprintf(got, sizeof got, "%g", options.length_scale);
    throw InputError("msh.length_scale",
                     std::string("must be a positive length in metres (1e-3 for a mesh in mm), got ") + got);
  }
  if (!options.fibre.allFinite()) throw InputError("msh.fibre", "must be a finite direction (or zero: none)");
  return MshParser(content, label, options).parse();
}

Mesh read_msh(const std::string& path, const MshReadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourceLocation{path, 0, 0}, "file", "cannot open .msh file");
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string content = ss.str();
  return parse_msh(content, path, options);
}

}  // namespace tissue
