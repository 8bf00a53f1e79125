// Default lumbar-hip model: dimensions (embedded TOML) and the structured layered generator.
#include "libtissue/mesh/lumbar_hip.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <numbers>
#include <set>
#include <sstream>

#include "libtissue/core/error.hpp"
#include "libtissue/mesh/geometry.hpp"
#include "lumbar_hip_toml.hpp"

namespace tissue {

Resolution parse_resolution(std::string_view name) {
  if (name == "coarse") return Resolution::coarse;
  if (name == "default" || name == "standard") return Resolution::standard;
  if (name == "fine") return Resolution::fine;
  throw InputError("resolution",
                   "unknown resolution '" + std::string(name) + "'; valid names: coarse, default, fine");
}

std::string_view to_string(Resolution r) {
  switch (r) {
    case Resolution::coarse:
      return "coarse";
    case Resolution::standard:
      return "default";
    case Resolution::fine:
      return "fine";
  }
  return "default";
}

// ---------------------------------------------------------------------------------------------
// Dimensions from TOML
// ---------------------------------------------------------------------------------------------

namespace {

enum class Dim { length, angle, area };

struct Field {
  const char* path;  // "table.key"
  Dim dim;
  Real LumbarHipDimensions::* member;  // nullptr: trochanter component
  int trochanter_axis = -1;
};

const Field kFields[] = {
    {"layers.skin_thickness", Dim::length, &LumbarHipDimensions::skin_thickness},
    {"layers.fat_thickness", Dim::length, &LumbarHipDimensions::fat_thickness},
    {"layers.fascia_thickness", Dim::length, &LumbarHipDimensions::fascia_thickness},
    {"layers.muscle_thickness", Dim::length, &LumbarHipDimensions::muscle_thickness},
    {"extent.half_width", Dim::length, &LumbarHipDimensions::half_width},
    {"extent.height", Dim::length, &LumbarHipDimensions::height},
    {"iliac_crest.y_low", Dim::length, &LumbarHipDimensions::crest_y_low},
    {"iliac_crest.y_high", Dim::length, &LumbarHipDimensions::crest_y_high},
    {"lumbar.spinous_half_width", Dim::length, &LumbarHipDimensions::spinous_half_width},
    {"lumbar.multifidus_lateral", Dim::length, &LumbarHipDimensions::multifidus_lateral},
    {"lumbar.erector_spinae_lateral", Dim::length, &LumbarHipDimensions::erector_spinae_lateral},
    {"lumbar.erector_spinae_csa", Dim::area, &LumbarHipDimensions::erector_spinae_csa},
    {"lumbar.quadratus_lumborum_lateral", Dim::length, &LumbarHipDimensions::quadratus_lumborum_lateral},
    {"lumbar.quadratus_lumborum_top", Dim::length, &LumbarHipDimensions::quadratus_lumborum_top},
    {"hip.sacrum_half_width", Dim::length, &LumbarHipDimensions::sacrum_half_width},
    {"hip.trochanter_x", Dim::length, nullptr, 0},
    {"hip.trochanter_y", Dim::length, nullptr, 1},
    {"hip.trochanter_z", Dim::length, nullptr, 2},
    {"fibres.erector_spinae_tilt", Dim::angle, &LumbarHipDimensions::erector_spinae_tilt},
    {"fibres.multifidus_tilt", Dim::angle, &LumbarHipDimensions::multifidus_tilt},
    {"fibres.quadratus_lumborum_angle", Dim::angle, &LumbarHipDimensions::quadratus_lumborum_angle},
};

SourceLocation loc(const std::string& label, const toml::source_region& s) {
  return SourceLocation{label, static_cast<int>(s.begin.line), static_cast<int>(s.begin.column)};
}

Real unit_scale(Dim dim, std::string_view unit, bool& ok) {
  ok = true;
  switch (dim) {
    case Dim::length:
      if (unit == "m") return 1.0;
      if (unit == "cm") return 1e-2;
      if (unit == "mm") return 1e-3;
      break;
    case Dim::angle:
      if (unit == "deg") return std::numbers::pi / 180.0;
      if (unit == "rad") return 1.0;
      break;
    case Dim::area:
      if (unit == "m2") return 1.0;
      if (unit == "cm2") return 1e-4;
      if (unit == "mm2") return 1e-6;
      break;
  }
  ok = false;
  return 0;
}

const char* unit_list(Dim dim) {
  switch (dim) {
    case Dim::length:
      return "\"m\", \"cm\", \"mm\"";
    case Dim::angle:
      return "\"deg\", \"rad\"";
    case Dim::area:
      return "\"m2\", \"cm2\", \"mm2\"";
  }
  return "";
}

LumbarHipDimensions parse_dimensions(std::string_view text, const std::string& label) {
  toml::table root;
  try {
    root = toml::parse(text, label);
  } catch (const toml::parse_error& e) {
    throw InputError(loc(label, e.source()), "toml", std::string(e.description()));
  }
  LumbarHipDimensions d;
  std::set<std::string> known;
  for (const auto& f : kFields) {
    const std::string path = f.path;
    known.insert(path);
    const auto node = root.at_path(path);
    if (!node) throw InputError(SourceLocation{label, 0, 0}, path, "missing value");
    const auto* tbl = node.as_table();
    if (!tbl)
      throw InputError(loc(label, node.node()->source()), path,
                       "expected an inline table { value = ..., unit = \"...\", source = \"...\" }");
    const auto* v = tbl->get("value");
    const auto* u = tbl->get("unit");
    if (!v || !(v->is_floating_point() || v->is_integer()))
      throw InputError(loc(label, (v ? v : node.node())->source()), path + ".value", "expected a number");
    if (!u || !u->is_string())
      throw InputError(loc(label, (u ? u : node.node())->source()), path + ".unit",
                       std::string("expected a unit string, one of ") + unit_list(f.dim));
    for (const auto& [k, _] : *tbl)
      if (k.str() != "value" && k.str() != "unit" && k.str() != "source")
        throw InputError(loc(label, k.source()), path + "." + std::string(k.str()),
                         "unknown key; expected value, unit and source");
    const Real value = v->is_integer() ? static_cast<Real>(v->value<int64_t>().value_or(0))
                                       : v->value<double>().value_or(0.0);
    bool ok = false;
    const std::string unit = u->value<std::string>().value_or("");
    const Real scale = unit_scale(f.dim, unit, ok);
    if (!ok)
      throw InputError(loc(label, u->source()), path + ".unit",
                       "unknown unit \"" + unit + "\"; expected one of " + unit_list(f.dim));
    if (!std::isfinite(value)) throw InputError(loc(label, v->source()), path + ".value", "must be finite");
    if (f.member)
      d.*(f.member) = value * scale;
    else
      d.trochanter[f.trochanter_axis] = value * scale;
  }
  // Unknown keys (typos) are errors.
  for (const auto& [tk, tv] : root) {
    const auto* sub = tv.as_table();
    if (!sub) throw InputError(loc(label, tk.source()), std::string(tk.str()), "unknown key");
    for (const auto& [k, _] : *sub) {
      const std::string path = std::string(tk.str()) + "." + std::string(k.str());
      if (!known.count(path)) throw InputError(loc(label, k.source()), path, "unknown key");
    }
  }
  try {
    d.validate();
  } catch (const InputError& e) {
    const auto node = root.at_path(e.field());
    throw InputError(node ? loc(label, node.node()->source()) : SourceLocation{label, 0, 0}, e.field(),
                     e.message());
  }
  return d;
}

}  // namespace

std::string_view LumbarHipDimensions::default_toml() {
  return detail::kLumbarHipToml;
}

LumbarHipDimensions LumbarHipDimensions::defaults() {
  static const LumbarHipDimensions d = parse_dimensions(default_toml(), "<builtin lumbar_hip.toml>");
  return d;
}

LumbarHipDimensions LumbarHipDimensions::from_string(std::string_view toml_text, const std::string& label) {
  return parse_dimensions(toml_text, label);
}

LumbarHipDimensions LumbarHipDimensions::from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourceLocation{path, 0, 0}, "file", "cannot open file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_dimensions(ss.str(), path);
}

void LumbarHipDimensions::validate() const {
  const auto positive = [](Real v, const char* field) {
    require(v > 0, field, "must be positive, got " + std::to_string(v));
  };
  positive(skin_thickness, "layers.skin_thickness");
  positive(fat_thickness, "layers.fat_thickness");
  positive(fascia_thickness, "layers.fascia_thickness");
  positive(muscle_thickness, "layers.muscle_thickness");
  positive(half_width, "extent.half_width");
  positive(height, "extent.height");
  positive(crest_y_low, "iliac_crest.y_low");
  positive(spinous_half_width, "lumbar.spinous_half_width");
  positive(sacrum_half_width, "hip.sacrum_half_width");
  require(crest_y_high > crest_y_low, "iliac_crest.y_high", "must exceed iliac_crest.y_low");
  require(quadratus_lumborum_top > crest_y_high, "lumbar.quadratus_lumborum_top",
          "must exceed iliac_crest.y_high");
  require(height >= quadratus_lumborum_top, "extent.height",
          "must be at least lumbar.quadratus_lumborum_top");
  require(multifidus_lateral > spinous_half_width, "lumbar.multifidus_lateral",
          "must exceed lumbar.spinous_half_width");
  require(erector_spinae_lateral > multifidus_lateral, "lumbar.erector_spinae_lateral",
          "must exceed lumbar.multifidus_lateral");
  require(quadratus_lumborum_lateral > erector_spinae_lateral, "lumbar.quadratus_lumborum_lateral",
          "must exceed lumbar.erector_spinae_lateral");
  require(half_width >= quadratus_lumborum_lateral, "extent.half_width",
          "must be at least lumbar.quadratus_lumborum_lateral");
  require(half_width > sacrum_half_width, "hip.sacrum_half_width", "must be less than extent.half_width");
  for (auto [a, f] : {std::pair{erector_spinae_tilt, "fibres.erector_spinae_tilt"},
                      std::pair{multifidus_tilt, "fibres.multifidus_tilt"},
                      std::pair{quadratus_lumborum_angle, "fibres.quadratus_lumborum_angle"}})
    require(std::abs(a) < std::numbers::pi / 2, f, "must lie within (-90, 90) degrees");
  require(trochanter.allFinite(), "hip.trochanter_x", "must be finite");
  require(trochanter.x() > half_width || trochanter.y() < 0 ||
              trochanter.z() < -(skin_thickness + fat_thickness + fascia_thickness + muscle_thickness),
          "hip.trochanter_x", "the trochanter must lie outside the gluteus medius block");
}

// ---------------------------------------------------------------------------------------------
// Generator
// ---------------------------------------------------------------------------------------------

namespace {

struct ResolutionSpec {
  Real h;                         // target in-plane spacing [m]
  int skin, fat, fascia, muscle;  // cells through each layer
};

ResolutionSpec spec_of(Resolution r) {
  switch (r) {
    case Resolution::coarse:
      return {0.015, 1, 1, 1, 4};
    case Resolution::standard:
      return {0.005, 1, 3, 1, 10};
    case Resolution::fine:
      return {0.0025, 2, 4, 1, 16};
  }
  return {0.005, 1, 3, 1, 10};
}

// Grid coordinates through sorted breakpoints, each interval split into ceil(len / h) parts.
std::vector<Real> axis(std::vector<Real> breaks, Real h) {
  std::sort(breaks.begin(), breaks.end());
  std::vector<Real> b;
  for (Real v : breaks)
    if (b.empty() || v - b.back() > 1e-9) b.push_back(v);
  std::vector<Real> out{b.front()};
  for (size_t s = 0; s + 1 < b.size(); ++s) {
    const int n = std::max(1, static_cast<int>(std::ceil((b[s + 1] - b[s]) / h - 1e-6)));
    for (int i = 1; i < n; ++i) out.push_back(b[s] + (b[s + 1] - b[s]) * i / n);
    out.push_back(b[s + 1]);
  }
  return out;
}

enum RegionId { kSkin, kFat, kFascia, kEsL, kEsR, kMfL, kMfR, kQlL, kQlR, kGmL, kGmR };

}  // namespace

Mesh generate_lumbar_hip(Resolution resolution, const LumbarHipDimensions& d) {
  d.validate();
  const ResolutionSpec rs = spec_of(resolution);

  // Grid lines.
  std::vector<Real> xb{0.0};
  for (Real v : {d.spinous_half_width, d.multifidus_lateral, d.erector_spinae_lateral,
                 d.quadratus_lumborum_lateral, d.sacrum_half_width, d.half_width}) {
    xb.push_back(v);
    xb.push_back(-v);
  }
  const std::vector<Real> xs = axis(xb, rs.h);
  const std::vector<Real> ys =
      axis({0.0, d.crest_y_low, d.crest_y_high, d.quadratus_lumborum_top, d.height}, rs.h);
  const Real z1 = -d.skin_thickness, z2 = z1 - d.fat_thickness, z3 = z2 - d.fascia_thickness,
             z4 = z3 - d.muscle_thickness;
  std::vector<Real> zs;
  const auto layer = [&zs](Real top, Real bottom, int n) {
    for (int i = 0; i < n; ++i) zs.push_back(bottom + (top - bottom) * i / n);
  };
  layer(z3, z4, rs.muscle);
  layer(z2, z3, rs.fascia);
  layer(z1, z2, rs.fat);
  layer(0.0, z1, rs.skin);
  zs.push_back(0.0);

  const Index NX = static_cast<Index>(xs.size()) - 1, NY = static_cast<Index>(ys.size()) - 1,
              NZ = static_cast<Index>(zs.size()) - 1;

  Mesh m;
  m.cell_type = CellType::hex8;
  const std::pair<const char*, TissueKind> layers[3] = {
      {"skin", TissueKind::skin}, {"fat", TissueKind::fat}, {"fascia", TissueKind::fascia}};
  for (const auto& [n, k] : layers) m.regions.add(Region{n, k, Side::none});
  for (const char* muscle : {"erector_spinae", "multifidus", "quadratus_lumborum", "gluteus_medius"}) {
    m.regions.add(Region{std::string(muscle) + "_left", TissueKind::muscle, Side::left});
    m.regions.add(Region{std::string(muscle) + "_right", TissueKind::muscle, Side::right});
  }

  // Region of each grid cell from its centre (exact: grid lines contain every boundary); -1 = void.
  const auto classify = [&](Real x, Real y, Real z) -> int {
    if (z > z1) return kSkin;
    if (z > z2) return kFat;
    if (z > z3) return kFascia;
    const Real ax = std::abs(x);
    const int right = x > 0 ? 1 : 0;
    if (y > d.crest_y_high) {
      if (ax < d.spinous_half_width) return -1;
      if (ax < d.multifidus_lateral) return kMfL + right;
      if (ax < d.erector_spinae_lateral) return kEsL + right;
      if (ax < d.quadratus_lumborum_lateral && y < d.quadratus_lumborum_top) return kQlL + right;
      return -1;
    }
    if (y > d.crest_y_low) return -1;
    if (ax < d.sacrum_half_width) return -1;
    return kGmL + right;
  };
  std::vector<int> grid_region(static_cast<size_t>(NX * NY * NZ));
  const auto gc = [&](Index i, Index j, Index k) { return static_cast<size_t>(i + NX * (j + NY * k)); };
  for (Index k = 0; k < NZ; ++k)
    for (Index j = 0; j < NY; ++j)
      for (Index i = 0; i < NX; ++i)
        grid_region[gc(i, j, k)] =
            classify(0.5 * (xs[static_cast<size_t>(i)] + xs[static_cast<size_t>(i) + 1]),
                     0.5 * (ys[static_cast<size_t>(j)] + ys[static_cast<size_t>(j) + 1]),
                     0.5 * (zs[static_cast<size_t>(k)] + zs[static_cast<size_t>(k) + 1]));
  const auto present = [&](Index i, Index j, Index k) {
    return i >= 0 && j >= 0 && k >= 0 && i < NX && j < NY && k < NZ && grid_region[gc(i, j, k)] >= 0;
  };

  // Used grid nodes -> compact ids.
  const Index SX = NX + 1, SY = NY + 1, SZ = NZ + 1;
  const auto gn = [&](Index i, Index j, Index k) { return static_cast<size_t>(i + SX * (j + SY * k)); };
  std::vector<Index> node_id(static_cast<size_t>(SX * SY * SZ), -1);
  Index ncell = 0;
  for (Index k = 0; k < NZ; ++k)
    for (Index j = 0; j < NY; ++j)
      for (Index i = 0; i < NX; ++i) {
        if (!present(i, j, k)) continue;
        ++ncell;
        for (int c = 0; c < 8; ++c) node_id[gn(i + (c & 1), j + ((c >> 1) & 1), k + (c >> 2))] = 0;
      }
  Index nnode = 0;
  for (auto& id : node_id)
    if (id == 0) id = nnode++;
  m.nodes.resize(nnode, 3);
  for (Index k = 0; k < SZ; ++k)
    for (Index j = 0; j < SY; ++j)
      for (Index i = 0; i < SX; ++i)
        if (const Index id = node_id[gn(i, j, k)]; id >= 0)
          m.nodes.row(id) << xs[static_cast<size_t>(i)], ys[static_cast<size_t>(j)],
              zs[static_cast<size_t>(k)];

  // Cells, regions, fibres.
  m.cells.resize(ncell, 8);
  m.region.resize(static_cast<size_t>(ncell));
  m.fibres.setZero(ncell, 3);
  std::vector<std::array<Index, 3>> cell_ijk(static_cast<size_t>(ncell));
  const Real s_es = std::sin(d.erector_spinae_tilt), c_es = std::cos(d.erector_spinae_tilt);
  const Real s_mf = std::sin(d.multifidus_tilt), c_mf = std::cos(d.multifidus_tilt);
  const Real s_ql = std::sin(d.quadratus_lumborum_angle), c_ql = std::cos(d.quadratus_lumborum_angle);
  Index e = 0;
  for (Index k = 0; k < NZ; ++k)
    for (Index j = 0; j < NY; ++j)
      for (Index i = 0; i < NX; ++i) {
        if (!present(i, j, k)) continue;
        const std::array<Index, 8> h = {node_id[gn(i, j, k)],
                                        node_id[gn(i + 1, j, k)],
                                        node_id[gn(i + 1, j + 1, k)],
                                        node_id[gn(i, j + 1, k)],
                                        node_id[gn(i, j, k + 1)],
                                        node_id[gn(i + 1, j, k + 1)],
                                        node_id[gn(i + 1, j + 1, k + 1)],
                                        node_id[gn(i, j + 1, k + 1)]};
        for (int a = 0; a < 8; ++a) m.cells(e, a) = h[static_cast<size_t>(a)];
        const int r = grid_region[gc(i, j, k)];
        m.region[static_cast<size_t>(e)] = r;
        cell_ijk[static_cast<size_t>(e)] = {i, j, k};
        const Vec3 centre(0.5 * (xs[static_cast<size_t>(i)] + xs[static_cast<size_t>(i) + 1]),
                          0.5 * (ys[static_cast<size_t>(j)] + ys[static_cast<size_t>(j) + 1]),
                          0.5 * (zs[static_cast<size_t>(k)] + zs[static_cast<size_t>(k) + 1]));
        const Real side = centre.x() > 0 ? 1.0 : -1.0;  // lateral = +side
        Vec3 f = Vec3::Zero();
        switch (r) {
          // Fibre lines written pointing cranially (+y). A caudolateral tilt means the fibre
          // moves medially (-side) going cranially.
          case kEsL:
          case kEsR:
            f = Vec3(-side * s_es, c_es, 0);
            break;
          case kMfL:
          case kMfR:
            f = Vec3(-side * s_mf, c_mf, 0);
            break;
          // Quadratus lumborum: from the iliac crest upward and medially.
          case kQlL:
          case kQlR:
            f = Vec3(-side * s_ql, c_ql, 0);
            break;
          // Gluteus medius: fan converging on the greater trochanter of its side.
          case kGmL:
          case kGmR: {
            const Vec3 t(side * d.trochanter.x(), d.trochanter.y(), d.trochanter.z());
            f = t - centre;
            break;
          }
          default:
            break;
        }
        const Real len = f.norm();
        if (len > 0) m.fibres.row(e) = (f / len).transpose();
        ++e;
      }

  // Boundary faces: skin (outer z = 0), cut sides (free), everything else is the deep boundary.
  static constexpr int dirs[6][3] = {{0, 0, -1}, {0, 0, 1}, {0, -1, 0}, {0, 1, 0}, {-1, 0, 0}, {1, 0, 0}};
  const auto faces = cell_faces(CellType::hex8);  // same direction order as dirs
  FacetSet skin{"skin", {}, {}};
  std::vector<char> is_skin_node(static_cast<size_t>(nnode), 0);
  std::array<std::vector<char>, 3> bone;  // vertebrae, sacrum, iliac crest
  for (auto& b : bone) b.assign(static_cast<size_t>(nnode), 0);
  const Real eps = 1e-9;
  for (Index c = 0; c < ncell; ++c) {
    const auto [i, j, k] = cell_ijk[static_cast<size_t>(c)];
    for (int f = 0; f < 6; ++f) {
      const Index ni = i + dirs[f][0], nj = j + dirs[f][1], nk = k + dirs[f][2];
      if (present(ni, nj, nk)) continue;
      std::array<Index, 4> fn;
      Vec3 centroid = Vec3::Zero();
      for (int a = 0; a < 4; ++a) {
        fn[static_cast<size_t>(a)] = m.cells(c, faces[static_cast<size_t>(f)][static_cast<size_t>(a)]);
        centroid += m.nodes.row(fn[static_cast<size_t>(a)]).transpose() / 4.0;
      }
      if (nk == NZ) {
        skin.nodes.push_back(fn);
        skin.cell.push_back(c);
        for (Index v : fn) is_skin_node[static_cast<size_t>(v)] = 1;
        continue;
      }
      if (ni < 0 || ni == NX || nj < 0 || nj == NY) continue;  // cut side of the block: free
      int b;
      if (centroid.y() > d.crest_y_high + eps)
        b = 0;
      else if (centroid.y() >= d.crest_y_low - eps)
        b = 2;
      else if (std::abs(centroid.x()) <= d.sacrum_half_width + eps)
        b = 1;
      else
        b = 2;
      for (Index v : fn) bone[static_cast<size_t>(b)][static_cast<size_t>(v)] = 1;
    }
  }
  const auto to_set = [&](const char* name, const auto& pred) {
    NodeSet s{name, {}};
    for (Index v = 0; v < nnode; ++v)
      if (pred(static_cast<size_t>(v))) s.nodes.push_back(v);
    m.node_sets.push_back(std::move(s));
  };
  to_set("bone_vertebrae", [&](size_t v) { return bone[0][v] != 0; });
  to_set("bone_sacrum", [&](size_t v) { return bone[1][v] != 0; });
  to_set("bone_iliac_crest", [&](size_t v) { return bone[2][v] != 0; });
  to_set("bone_all", [&](size_t v) { return bone[0][v] || bone[1][v] || bone[2][v]; });
  to_set("skin", [&](size_t v) { return is_skin_node[v] != 0; });
  m.facet_sets.push_back(std::move(skin));
  return m;
}

}  // namespace tissue
