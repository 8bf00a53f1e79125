#include "libtissue/session/session_file.hpp"

#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "libtissue/core/units.hpp"

namespace tissue {
namespace {

/// Parsing context: source label plus helpers that raise located errors.
struct Ctx {
  std::string label;

  SourceLocation at(const toml::node* n) const {
    if (!n) return {label, 0, 0};
    const auto& s = n->source();
    return {label, static_cast<int>(s.begin.line), static_cast<int>(s.begin.column)};
  }
  [[noreturn]] void fail(const toml::node* n, const std::string& field, const std::string& msg) const {
    throw InputError(at(n), field, msg);
  }

  void check_keys(const toml::table& t, const std::string& prefix, const std::set<std::string>& allowed) const {
    for (const auto& [k, v] : t) {
      if (!allowed.count(std::string(k.str()))) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        (void)v;
        throw InputError(SourceLocation{label, static_cast<int>(k.source().begin.line),
                                        static_cast<int>(k.source().begin.column)},
                         prefix + std::string(k.str()), "unknown field; expected one of: " + list);
      }
    }
  }

  std::string string(const toml::table& t, const std::string& key, const std::string& field, std::string fallback,
                     bool required = false) const {
    const toml::node* n = t.get(key);
    if (!n) {
      if (required) fail(&t, field, "missing required field");
      return fallback;
    }
    if (auto s = n->value<std::string>()) return *s;
    fail(n, field, "must be a string");
  }

  Real quantity(const toml::table& t, const std::string& key, const units::Dimension& dim, const std::string& field,
                std::optional<Real> fallback) const {
    const toml::node* n = t.get(key);
    if (!n) {
      if (!fallback) fail(&t, field, "missing required field (a " + units::describe(dim) + ")");
      return *fallback;
    }
    if (auto s = n->value<std::string>()) {
      try {
        return units::parse_as(*s, dim, field);
      } catch (const InputError& e) {
        fail(n, field, e.message());
      }
    }
    if (n->is_number()) {
      if (dim == units::dimensionless) return *n->value<double>();
      fail(n, field, "needs a unit: write it as a string such as \"" + std::to_string(*n->value<double>()) + " " +
                         (dim == units::force ? "N" : dim == units::length ? "mm" : dim == units::time ? "s" : "unit") +
                         "\"");
    }
    fail(n, field, "must be a quantity string such as \"30 N\"");
  }

  int integer(const toml::table& t, const std::string& key, const std::string& field, int fallback) const {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    if (auto v = n->value<int64_t>()) return static_cast<int>(*v);
    fail(n, field, "must be an integer");
  }
};

using TechniqueParser = std::function<StaticCompressionSpec(const Ctx&, const toml::table&, const std::string&)>;

StaticCompressionSpec parse_static_compression(const Ctx& c, const toml::table& t, const std::string& f) {
  c.check_keys(t, f + ".", {"type", "tool", "target", "force", "ramp", "hold", "steps", "hold_steps", "offset_x", "offset_y"});
  StaticCompressionSpec s;
  s.where = c.at(&t);
  s.tool = footprint_by_name(c.string(t, "tool", f + ".tool", "palm"), f + ".tool");
  s.target = c.string(t, "target", f + ".target", "", true);
  s.force = c.quantity(t, "force", units::force, f + ".force", std::nullopt);
  if (!(s.force > 0)) c.fail(t.get("force"), f + ".force", "must be positive, got " + std::to_string(s.force) + " N");
  s.ramp = c.quantity(t, "ramp", units::time, f + ".ramp", 2.0);
  s.hold = c.quantity(t, "hold", units::time, f + ".hold", 0.0);
  if (!(s.ramp > 0)) c.fail(t.get("ramp"), f + ".ramp", "must be positive");
  if (s.hold < 0) c.fail(t.get("hold"), f + ".hold", "must not be negative");
  s.steps = c.integer(t, "steps", f + ".steps", 4);
  if (s.steps < 1) c.fail(t.get("steps"), f + ".steps", "must be at least 1");
  s.hold_steps = c.integer(t, "hold_steps", f + ".hold_steps", 4);
  if (s.hold_steps < 1) c.fail(t.get("hold_steps"), f + ".hold_steps", "must be at least 1");
  s.offset[0] = c.quantity(t, "offset_x", units::length, f + ".offset_x", 0.0);
  s.offset[1] = c.quantity(t, "offset_y", units::length, f + ".offset_y", 0.0);
  return s;
}

/// The one name -> parser table of techniques.
const std::map<std::string, TechniqueParser, std::less<>>& technique_table() {
  static const std::map<std::string, TechniqueParser, std::less<>> t = {
      {"static_compression", parse_static_compression},
  };
  return t;
}

}  // namespace

std::vector<std::string> technique_names() {
  std::vector<std::string> out;
  for (const auto& [k, v] : technique_table()) out.push_back(k);
  return out;
}

Footprint footprint_by_name(std::string_view name, std::string_view field) {
  static const std::map<std::string, Footprint (*)(), std::less<>> tools = {
      {"thumb", Footprint::thumb},       {"palm", Footprint::palm},         {"forearm", Footprint::forearm},
      {"fist", Footprint::fist},         {"gun_ball", Footprint::gun_ball}, {"gun_flat", Footprint::gun_flat},
      {"gun_bullet", Footprint::gun_bullet}, {"stone", Footprint::stone}};
  if (auto it = tools.find(name); it != tools.end()) return it->second();
  std::string list;
  for (const auto& [k, v] : tools) list += (list.empty() ? "" : ", ") + k;
  throw InputError(std::string(field), "unknown tool '" + std::string(name) + "'; known tools: " + list);
}

SessionSpec parse_session(std::string_view text, const std::string& label) {
  toml::table root;
  try {
    root = toml::parse(text, label);
  } catch (const toml::parse_error& e) {
    const auto& s = e.source();
    throw InputError(SourceLocation{label, static_cast<int>(s.begin.line), static_cast<int>(s.begin.column)}, "",
                     std::string(e.description()));
  }
  const Ctx c{label};
  c.check_keys(root, "", {"model", "run", "technique"});
  SessionSpec spec;
  spec.source = label;
  spec.text = std::string(text);
  if (const auto* m = root.get_as<toml::table>("model")) {
    c.check_keys(*m, "model.", {"resolution", "mesh", "mesh_units", "fixed"});
    spec.model.resolution = c.string(*m, "resolution", "model.resolution", "default");
    if (spec.model.resolution != "coarse" && spec.model.resolution != "default" && spec.model.resolution != "fine")
      c.fail(m->get("resolution"), "model.resolution",
             "unknown resolution '" + spec.model.resolution + "'; expected coarse, default or fine");
    spec.model.mesh_file = c.string(*m, "mesh", "model.mesh", "");
    const std::string mu = c.string(*m, "mesh_units", "model.mesh_units", "m");
    try {
      spec.model.mesh_length_scale = units::parse_as("1 " + mu, units::length, "model.mesh_units");
    } catch (const InputError& e) {
      c.fail(m->get("mesh_units"), "model.mesh_units", e.message());
    }
    if (const auto* fx = m->get_as<toml::array>("fixed")) {
      spec.model.fixed_sets.clear();
      for (const auto& v : *fx) {
        if (auto s = v.value<std::string>()) spec.model.fixed_sets.push_back(*s);
        else c.fail(&v, "model.fixed", "must be a list of node-set names");
      }
    }
  }
  if (const auto* r = root.get_as<toml::table>("run")) {
    c.check_keys(*r, "run.", {"threads", "linear_solver"});
    spec.run.threads = c.integer(*r, "threads", "run.threads", 0);
    if (spec.run.threads < 0) c.fail(r->get("threads"), "run.threads", "must be 0 (all cores) or positive");
    const std::string ls = c.string(*r, "linear_solver", "run.linear_solver", "automatic");
    try {
      spec.run.linear_solver = parse_linear_solver_kind(ls);
    } catch (const InputError& e) {
      c.fail(r->get("linear_solver"), "run.linear_solver", e.message());
    }
  }
  if (const auto* arr = root.get_as<toml::array>("technique")) {
    int i = 0;
    for (const auto& node : *arr) {
      const std::string f = "technique[" + std::to_string(i++) + "]";
      const auto* t = node.as_table();
      if (!t) c.fail(&node, f, "must be a table ([[technique]])");
      const std::string type = c.string(*t, "type", f + ".type", "", true);
      const auto& table = technique_table();
      auto it = table.find(type);
      if (it == table.end()) {
        std::string list;
        for (const auto& [k, v] : table) list += (list.empty() ? "" : ", ") + k;
        c.fail(t->get("type"), f + ".type", "unknown technique '" + type + "'; known techniques: " + list);
      }
      spec.techniques.push_back(it->second(c, *t, f));
    }
  } else if (root.contains("technique")) {
    c.fail(root.get("technique"), "technique", "must be an array of tables ([[technique]])");
  }
  return spec;
}

SessionSpec read_session_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(SourceLocation{path, 0, 0}, "", "cannot open session file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_session(ss.str(), path);
}

}  // namespace tissue
