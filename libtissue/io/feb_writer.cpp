#include "libtissue/io/feb_writer.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <ostream>

#include "libtissue/core/error.hpp"

namespace tissue {
namespace {

/// A number with 12 significant digits (shortest form for round values: 0.01, 0.45, -5).
std::string num(Real v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.12g", v);
  return buf;
}

/// Text safe inside an attribute or element.
std::string esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

/// Text safe inside an XML comment (no "--").
std::string comment_text(std::string s) {
  for (std::size_t p = s.find("--"); p != std::string::npos; p = s.find("--", p)) s.replace(p, 2, "- -");
  return s;
}

/// 1-based ids separated by commas, `per_line` to a line, each line indented by `indent`.
void write_id_list(std::ostream& o, const std::vector<Index>& ids, const std::string& indent) {
  constexpr std::size_t per_line = 16;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i % per_line == 0) o << '\n' << indent;
    o << ids[i] + 1 << (i + 1 < ids.size() ? "," : "");
  }
  o << '\n';
}

const char* feb_element_type(CellType t) {
  return t == CellType::hex8 ? "hex8" : "tet4";
}

void write_material(std::ostream& o, const FebMaterial& m, const std::string& indent, int id) {
  if (!m.comment.empty()) o << indent << "<!-- " << comment_text(m.comment) << " -->\n";
  o << indent << '<' << m.tag;
  if (id > 0) o << " id=\"" << id << '"';
  if (!m.name.empty()) o << " name=\"" << esc(m.name) << '"';
  o << " type=\"" << esc(m.type) << "\">\n";
  for (const auto& [k, v] : m.params) o << indent << "  <" << k << '>' << num(v) << "</" << k << ">\n";
  for (const auto& c : m.children) write_material(o, c, indent + "  ", 0);
  o << indent << "</" << m.tag << ">\n";
}

/// A unit vector orthogonal to a (the second axis `d` of an FEBio mat_axis).
Vec3 orthogonal(const Vec3& a) {
  Index k = 0;
  a.cwiseAbs().minCoeff(&k);
  Vec3 d = Vec3::Unit(k);
  d -= a.dot(d) * a;
  return d.normalized();
}

std::string vec(const Vec3& v) {
  return num(v.x()) + "," + num(v.y()) + "," + num(v.z());
}

}  // namespace

FebMaterial& FebMaterial::param(std::string key, Real value) {
  params.emplace_back(std::move(key), value);
  return *this;
}

Real FebMaterial::get(const std::string& key) const {
  for (const auto& [k, v] : params)
    if (k == key) return v;
  throw InputError("feb.material", "material '" + name + "' (" + type + ") has no parameter '" + key + "'");
}

Index FebModel::n_elements() const {
  Index n = 0;
  for (const auto& p : parts) n += p.size();
  return n;
}

const FebNodeSet& FebModel::node_set(const std::string& name) const {
  for (const auto& s : node_sets)
    if (s.name == name) return s;
  throw InputError("feb.node_set", "no node set named '" + name + "'");
}

void FebModel::validate() const {
  const Index n = static_cast<Index>(nodes.rows());
  require(n > 0 && nodes.allFinite(), "feb.nodes", "needs at least one node and finite coordinates");
  require(time_steps >= 1 && std::isfinite(step_size) && step_size > 0, "feb.control",
          "needs time_steps >= 1 and a positive step_size");
  const auto check_node = [n](Index id, const std::string& where) {
    require(id >= 0 && id < n, where,
            "node id " + std::to_string(id) + " outside 0.." + std::to_string(n - 1));
  };
  for (const auto& p : parts) {
    require(p.material >= 0 && p.material < static_cast<int>(materials.size()), "feb.part." + p.name,
            "refers to material " + std::to_string(p.material) + " of " + std::to_string(materials.size()));
    require(p.cells.size() % static_cast<std::size_t>(nodes_per_cell(p.cell_type)) == 0, "feb.part." + p.name,
            "connectivity is not a whole number of elements");
    require(p.fibres.empty() || static_cast<Index>(p.fibres.size()) == p.size(), "feb.part." + p.name,
            "needs one fibre per element or none");
    for (Index id : p.cells) check_node(id, "feb.part." + p.name);
  }
  for (const auto& s : node_sets)
    for (Index id : s.nodes) check_node(id, "feb.node_set." + s.name);
  for (const auto& s : surfaces)
    for (const auto& f : s.facets)
      for (int k = 0; k < 4; ++k)
        if (k < 3 || f[3] >= 0) check_node(f[static_cast<std::size_t>(k)], "feb.surface." + s.name);
  const auto check_curve = [this](int lc, const std::string& where) {
    require(lc >= 0 && lc < static_cast<int>(load_curves.size()), where, "refers to a missing load curve");
  };
  for (const auto& b : boundary) {
    node_set(b.node_set);
    if (b.kind == FebBoundary::Kind::prescribed_displacement) {
      check_curve(b.load_curve, "feb.boundary." + b.name);
      require(b.dof >= 0 && b.dof < 3 && std::isfinite(b.scale), "feb.boundary." + b.name,
              "needs dof 0, 1 or 2 and a finite value");
    }
  }
  for (const auto& p : pressures) {
    check_curve(p.load_curve, "feb.pressure." + p.name);
    bool found = false;
    for (const auto& s : surfaces) found = found || s.name == p.surface;
    require(found, "feb.pressure." + p.name, "refers to a missing surface '" + p.surface + "'");
  }
  for (const auto& c : load_curves) require(!c.points.empty(), "feb.load_curve", "needs at least one point");
  for (const auto& l : node_logs)
    for (Index id : l.nodes) check_node(id, "feb.logfile." + l.file);
}

void write_feb(const FebModel& m, std::ostream& o) {
  m.validate();
  o << "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n";
  if (!m.comments.empty()) {
    o << "<!--\n";
    for (const auto& line : m.comments) o << "  " << comment_text(line) << '\n';
    o << "-->\n";
  }
  o << "<febio_spec version=\"4.0\">\n";
  o << "  <Module type=\"solid\"/>\n";
  o << "  <Control>\n"
    << "    <analysis>" << (m.dynamic ? "DYNAMIC" : "STATIC") << "</analysis>\n"
    << "    <time_steps>" << m.time_steps << "</time_steps>\n"
    << "    <step_size>" << num(m.step_size) << "</step_size>\n"
    << "    <solver type=\"solid\">\n"
    << "      <qn_method type=\"BFGS\"/>\n"
    << "    </solver>\n"
    << "  </Control>\n";
  o << "  <Globals>\n    <Constants>\n      <T>0</T>\n      <R>0</R>\n      <Fc>0</Fc>\n    </Constants>\n"
    << "  </Globals>\n";

  o << "  <Material>\n";
  for (std::size_t i = 0; i < m.materials.size(); ++i)
    write_material(o, m.materials[i], "    ", static_cast<int>(i + 1));
  o << "  </Material>\n";

  o << "  <Mesh>\n    <Nodes name=\"all_nodes\">\n";
  for (Index i = 0; i < m.nodes.rows(); ++i)
    o << "      <node id=\"" << i + 1 << "\">" << num(m.nodes(i, 0)) << ',' << num(m.nodes(i, 1)) << ','
      << num(m.nodes(i, 2)) << "</node>\n";
  o << "    </Nodes>\n";
  Index eid = 1;
  for (const auto& p : m.parts) {
    const int k = nodes_per_cell(p.cell_type);
    o << "    <Elements type=\"" << feb_element_type(p.cell_type) << "\" name=\"" << esc(p.name) << "\">\n";
    for (Index e = 0; e < p.size(); ++e, ++eid) {
      o << "      <elem id=\"" << eid << "\">";
      for (int j = 0; j < k; ++j) o << (j ? "," : "") << p.cells[static_cast<std::size_t>(e * k + j)] + 1;
      o << "</elem>\n";
    }
    o << "    </Elements>\n";
  }
  for (const auto& s : m.node_sets) {
    o << "    <NodeSet name=\"" << esc(s.name) << "\">";
    write_id_list(o, s.nodes, "      ");
    o << "    </NodeSet>\n";
  }
  for (const auto& s : m.surfaces) {
    o << "    <Surface name=\"" << esc(s.name) << "\">\n";
    for (std::size_t f = 0; f < s.facets.size(); ++f) {
      const auto& c = s.facets[f];
      const bool quad = c[3] >= 0;
      o << "      <" << (quad ? "quad4" : "tri3") << " id=\"" << f + 1 << "\">" << c[0] + 1 << ',' << c[1] + 1
        << ',' << c[2] + 1;
      if (quad) o << ',' << c[3] + 1;
      o << "</" << (quad ? "quad4" : "tri3") << ">\n";
    }
    o << "    </Surface>\n";
  }
  o << "  </Mesh>\n";

  o << "  <MeshDomains>\n";
  for (const auto& p : m.parts)
    o << "    <SolidDomain name=\"" << esc(p.name) << "\" mat=\""
      << esc(m.materials[static_cast<std::size_t>(p.material)].name) << "\"/>\n";
  o << "  </MeshDomains>\n";

  bool fibres = false;
  for (const auto& p : m.parts) fibres = fibres || !p.fibres.empty();
  if (fibres) {
    o << "  <MeshData>\n";
    for (const auto& p : m.parts) {
      if (p.fibres.empty()) continue;
      o << "    <ElementData type=\"mat_axis\" elem_set=\"" << esc(p.name) << "\">\n";
      for (std::size_t e = 0; e < p.fibres.size(); ++e) {
        const Vec3 a = p.fibres[e].norm() > 0 ? Vec3(p.fibres[e].normalized()) : Vec3(Vec3::UnitX());
        o << "      <elem lid=\"" << e + 1 << "\"><a>" << vec(a) << "</a><d>" << vec(orthogonal(a))
          << "</d></elem>\n";
      }
      o << "    </ElementData>\n";
    }
    o << "  </MeshData>\n";
  }

  o << "  <Boundary>\n";
  for (const auto& b : m.boundary) {
    if (b.kind == FebBoundary::Kind::zero_displacement) {
      o << "    <bc name=\"" << esc(b.name) << "\" node_set=\"" << esc(b.node_set)
        << "\" type=\"zero displacement\">\n";
      static const char* const dofs[3] = {"x_dof", "y_dof", "z_dof"};
      for (std::size_t d = 0; d < 3; ++d)
        o << "      <" << dofs[d] << '>' << (b.fixed[d] ? 1 : 0) << "</" << dofs[d] << ">\n";
    } else {
      o << "    <bc name=\"" << esc(b.name) << "\" node_set=\"" << esc(b.node_set)
        << "\" type=\"prescribed displacement\">\n"
        << "      <dof>" << "xyz"[b.dof] << "</dof>\n"
        << "      <value lc=\"" << b.load_curve + 1 << "\">" << num(b.scale) << "</value>\n"
        << "      <relative>0</relative>\n";
    }
    o << "    </bc>\n";
  }
  o << "  </Boundary>\n";

  if (!m.pressures.empty()) {
    o << "  <Loads>\n";
    for (const auto& p : m.pressures)
      o << "    <surface_load name=\"" << esc(p.name) << "\" surface=\"" << esc(p.surface)
        << "\" type=\"pressure\">\n"
        << "      <pressure lc=\"" << p.load_curve + 1 << "\">" << num(p.pressure) << "</pressure>\n"
        << "      <symmetric_stiffness>1</symmetric_stiffness>\n"
        << "    </surface_load>\n";
    o << "  </Loads>\n";
  }

  if (!m.load_curves.empty()) {
    o << "  <LoadData>\n";
    for (std::size_t i = 0; i < m.load_curves.size(); ++i) {
      o << "    <load_controller id=\"" << i + 1 << "\" name=\"lc" << i + 1 << "\" type=\"loadcurve\">\n"
        << "      <interpolate>LINEAR</interpolate>\n"
        << "      <extend>CONSTANT</extend>\n"
        << "      <points>\n";
      for (const auto& [t, v] : m.load_curves[i].points)
        o << "        <pt>" << num(t) << ',' << num(v) << "</pt>\n";
      o << "      </points>\n    </load_controller>\n";
    }
    o << "  </LoadData>\n";
  }

  o << "  <Output>\n    <plotfile type=\"febio\">\n";
  for (const auto& v : m.plot_vars) o << "      <var type=\"" << esc(v) << "\"/>\n";
  o << "    </plotfile>\n";
  if (!m.node_logs.empty()) {
    o << "    <logfile>\n";
    for (const auto& l : m.node_logs) {
      o << "      <node_data data=\"" << esc(l.data) << "\" file=\"" << esc(l.file) << "\" delim=\",\">";
      write_id_list(o, l.nodes, "        ");
      o << "      </node_data>\n";
    }
    o << "    </logfile>\n";
  }
  o << "  </Output>\n</febio_spec>\n";
}

void write_feb_file(const FebModel& model, const std::string& path) {
  std::ofstream f(path);
  if (!f) throw InputError(SourceLocation{path, 0, 0}, "-o", "cannot open the file for writing");
  write_feb(model, f);
  f.close();
  if (!f) throw InputError(SourceLocation{path, 0, 0}, "-o", "writing the file failed");
}

}  // namespace tissue
