#include "libtissue/study/sweep.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "libtissue/core/units.hpp"
#include "libtissue/session/session_file.hpp"
#include "libtissue/study/outcomes.hpp"

namespace tissue {
namespace {

/// Where a TOML node was written in the sweep file.
SourceLocation at(const std::string& label, const toml::node* n) {
  if (!n) return {label, 0, 0};
  return {label, static_cast<int>(n->source().begin.line), static_cast<int>(n->source().begin.column)};
}

/// Fails with InputError at `n` of the sweep file.
[[noreturn]] void fail(const std::string& label, const toml::node* n, const std::string& field,
                       const std::string& msg) {
  throw InputError(at(label, n), field, msg);
}

/// Fails on a key of `t` that is not in `allowed`, listing them.
void check_keys(const std::string& label, const toml::table& t, const std::string& prefix,
                const std::set<std::string>& allowed) {
  for (const auto& [k, v] : t) {
    if (allowed.count(std::string(k.str()))) continue;
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    throw InputError(SourceLocation{label, static_cast<int>(k.source().begin.line),
                                    static_cast<int>(k.source().begin.column)},
                     prefix + std::string(k.str()), "unknown field; expected one of: " + list);
  }
}

/// A number written compactly (12 significant digits, no trailing zeros).
std::string number_text(Real v) {
  std::ostringstream o;
  o.precision(12);
  o << v;
  return o.str();
}

/// The unit part of a quantity string ("10 N" -> "N", "7.5 cm/s" -> "cm/s", "0.3" -> "").
std::string unit_of(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  const auto gap = text.find_first_of(" \t", first);
  if (gap == std::string_view::npos) return "";
  const auto unit = text.find_first_not_of(" \t", gap);
  return unit == std::string_view::npos ? "" : std::string(text.substr(unit));
}

/// A TOML value of a `values` list as a SweepValue (quantities through the session's unit parser).
SweepValue value_of(const std::string& label, const toml::node& n, const std::string& field,
                    std::string* dimension) {
  SweepValue v;
  if (auto s = n.value_exact<std::string>()) {
    v.text = *s;
    try {
      const units::Quantity q = units::parse(*s, field);
      v.si = q.value;
      if (dimension) *dimension = units::describe(q.dim);
    } catch (const InputError&) {  // a name such as "oil" or "palm": written as is, no SI value
    }
  } else if (auto i = n.value_exact<int64_t>()) {
    v.kind = SweepValue::Kind::integer, v.text = std::to_string(*i), v.si = static_cast<Real>(*i);
  } else if (auto d = n.value_exact<double>()) {
    if (!std::isfinite(*d)) fail(label, &n, field, "not a finite number");
    v.kind = SweepValue::Kind::number, v.text = number_text(*d), v.si = *d;
  } else if (auto b = n.value_exact<bool>()) {
    v.kind = SweepValue::Kind::boolean, v.text = *b ? "true" : "false", v.si = *b ? 1 : 0;
  } else {
    fail(label, &n, field, "must be a quantity string such as \"20 N\", a name, a number or true/false");
  }
  return v;
}

/// Reads the bounds of `range = [lo, hi]` into p (SI, with the lower bound's unit for writing values).
void read_range(const std::string& label, const toml::node& n, const std::string& field, SweepParameter& p) {
  const auto* arr = n.as_array();
  if (!arr || arr->size() != 2) fail(label, &n, field, "must be two bounds, e.g. [\"10 N\", \"30 N\"]");
  const toml::node& lo = *arr->get(0);
  const toml::node& hi = *arr->get(1);
  if (lo.is_number() && hi.is_number()) {
    p.lo = *lo.value<double>(), p.hi = *hi.value<double>();
  } else if (lo.is_string() && hi.is_string()) {
    units::Quantity a, b;
    try {
      a = units::parse(*lo.value<std::string>(), field);
      b = units::parse(*hi.value<std::string>(), field);
    } catch (const InputError& e) {
      fail(label, &n, field, e.message());
    }
    if (!(a.dim == b.dim))
      fail(label, &n, field,
           "the bounds differ in dimension: " + units::describe(a.dim) + " and " + units::describe(b.dim));
    p.lo = a.value, p.hi = b.value;
    p.unit = unit_of(*lo.value<std::string>());
    if (!p.unit.empty()) {
      p.unit_offset = units::parse("0 " + p.unit, field).value;
      p.unit_scale = units::parse("1 " + p.unit, field).value - p.unit_offset;
    }
    p.dimension = units::describe(a.dim);
  } else {
    fail(label, &n, field, "the bounds must both be quantity strings (\"10 N\") or both numbers");
  }
  if (!std::isfinite(p.lo) || !std::isfinite(p.hi)) fail(label, &n, field, "not a finite number");
  if (!(p.lo <= p.hi)) fail(label, &n, field, "the lower bound is above the upper bound");
}

/// The value of p at SI value `si`, written in p's unit.
SweepValue range_value(const SweepParameter& p, Real si) {
  SweepValue v;
  v.si = si;
  if (p.unit.empty() && p.dimension.empty()) {
    v.kind = SweepValue::Kind::number, v.text = number_text(si);
  } else {
    v.text = number_text((si - p.unit_offset) / p.unit_scale) + (p.unit.empty() ? "" : " " + p.unit);
  }
  return v;
}

/// One [[parameter]] table.
SweepParameter read_parameter(const std::string& label, const toml::table& t, int i, SweepSampling sampling) {
  const std::string f = "parameter[" + std::to_string(i) + "]";
  check_keys(label, t, f + ".", {"key", "values", "range", "steps"});
  SweepParameter p;
  p.where = at(label, &t);
  const toml::node* key = t.get("key");
  if (!key || !key->is_string())
    fail(label, key ? key : &t, f + ".key", "needs a dotted session key, e.g. key = \"technique.0.force\"");
  p.key = *key->value<std::string>();
  if (p.key.empty() || p.key.front() == '.' || p.key.back() == '.' || p.key.find("..") != std::string::npos)
    fail(label, key, f + ".key", "'" + p.key + "' is not a dotted key such as \"technique.0.force\"");
  const toml::node* values = t.get("values");
  const toml::node* range = t.get("range");
  const toml::node* steps = t.get("steps");
  if ((values != nullptr) == (range != nullptr))
    fail(label, &t, f, "give either values = [...] or range = [lo, hi]");
  if (values) {
    if (steps) fail(label, steps, f + ".steps", "belongs to a range, not to a values list");
    const auto* arr = values->as_array();
    if (!arr || arr->empty()) fail(label, values, f + ".values", "must be a non-empty list");
    for (const auto& v : *arr) p.values.push_back(value_of(label, v, f + ".values", &p.dimension));
    return p;
  }
  read_range(label, *range, f + ".range", p);
  if (sampling == SweepSampling::latin_hypercube) {
    if (steps) fail(label, steps, f + ".steps", "a Latin hypercube samples the range; leave steps out");
    p.continuous = true;
    return p;
  }
  const auto n = steps ? steps->value_exact<int64_t>() : std::nullopt;
  if (!n || *n < 1 || *n > 10000)
    fail(label, steps ? steps : &t, f + ".steps",
         "a grid range needs steps = 1 .. 10000 (points, ends included)");
  for (int64_t k = 0; k < *n; ++k)
    p.values.push_back(range_value(p, *n == 1 ? p.lo : p.lo + (p.hi - p.lo) * Real(k) / Real(*n - 1)));
  return p;
}

/// A list of names (`key = ["a", "b"]`) of table t, or `fallback` when absent.
std::vector<std::string> names(const std::string& label, const toml::table& t, const std::string& key,
                               const std::string& field, std::vector<std::string> fallback) {
  const toml::node* n = t.get(key);
  if (!n) return fallback;
  const auto* arr = n->as_array();
  if (!arr) fail(label, n, field, "must be a list of names");
  std::vector<std::string> out;
  for (const auto& v : *arr) {
    if (!v.is_string()) fail(label, &v, field, "must be a list of names");
    out.push_back(*v.value<std::string>());
  }
  return out;
}

/// [outputs]: the outcome kinds and muscles of the table.
void read_outputs(const std::string& label, const toml::table& root, Sweep& s) {
  s.collect = default_outcome_kinds();
  const toml::node* n = root.get("outputs");
  if (!n) return;
  const auto* t = n->as_table();
  if (!t) fail(label, n, "outputs", "must be a table ([outputs])");
  check_keys(label, *t, "outputs.", {"collect", "muscles"});
  s.collect = names(label, *t, "collect", "outputs.collect", s.collect);
  const auto known = outcome_kinds();
  for (const auto& k : s.collect) {
    if (std::find(known.begin(), known.end(), k) != known.end()) continue;
    std::string list;
    for (const auto& a : known) list += (list.empty() ? "" : ", ") + a;
    fail(label, t->get("collect"), "outputs.collect", "unknown outcome '" + k + "'; known: " + list);
  }
  s.muscles = names(label, *t, "muscles", "outputs.muscles", {});
}

/// Top-level settings: base, resolution, sampling, samples, seed.
void read_settings(const std::string& label, const toml::table& root, const std::filesystem::path& folder,
                   Sweep& s) {
  const toml::node* base = root.get("base");
  if (!base || !base->is_string())
    fail(label, base ? base : &root, "base", "needs the base session file, e.g. base = \"session.toml\"");
  s.base = *base->value<std::string>();
  if (s.base.is_relative()) s.base = (folder / s.base).lexically_normal();
  std::ifstream in(s.base);
  if (!in || std::filesystem::is_directory(s.base))
    fail(label, base, "base", "cannot open the base session '" + s.base.string() + "'");
  std::ostringstream text;
  text << in.rdbuf();
  s.base_text = text.str();
  if (const toml::node* r = root.get("resolution")) {
    s.resolution = r->value<std::string>().value_or("");
    if (s.resolution != "coarse" && s.resolution != "default" && s.resolution != "fine")
      fail(label, r, "resolution", "must be coarse, default or fine");
  }
  if (const toml::node* m = root.get("sampling")) {
    const std::string v = m->value<std::string>().value_or("");
    if (v == "latin_hypercube")
      s.sampling = SweepSampling::latin_hypercube;
    else if (v != "grid")
      fail(label, m, "sampling", "must be \"grid\" (every combination) or \"latin_hypercube\"");
  }
  const toml::node* samples = root.get("samples");
  const toml::node* seed = root.get("seed");
  if (s.sampling == SweepSampling::grid) {
    if (samples || seed)
      fail(label, samples ? samples : seed, samples ? "samples" : "seed",
           "belongs to sampling = \"latin_hypercube\"");
    return;
  }
  const auto n = samples ? samples->value_exact<int64_t>() : std::nullopt;
  if (!n || *n < 1 || *n > 100000)
    fail(label, samples ? samples : &root, "samples", "a Latin hypercube needs samples = 1 .. 100000");
  s.samples = static_cast<int>(*n);
  const auto sd = seed ? seed->value_exact<int64_t>() : std::optional<int64_t>(0);
  if (!sd || *sd < 0) fail(label, seed, "seed", "must be a non-negative integer");
  s.seed = static_cast<std::uint64_t>(*sd);
}

/// The cartesian product of the parameters' values (the last parameter varies fastest).
std::vector<SweepCase> grid_cases(const std::vector<SweepParameter>& ps) {
  std::size_t n = 1;
  for (const auto& p : ps) n *= p.values.size();
  std::vector<SweepCase> out(n);
  for (std::size_t c = 0; c < n; ++c) {
    out[c].index = static_cast<int>(c);
    std::size_t rest = c;
    out[c].values.resize(ps.size());
    for (std::size_t j = ps.size(); j-- > 0;) {
      out[c].values[j] = ps[j].values[rest % ps[j].values.size()];
      rest /= ps[j].values.size();
    }
  }
  return out;
}

/// The Latin hypercube cases: a continuous range maps its stratum point linearly, a list picks by stratum.
std::vector<SweepCase> lhs_cases(const Sweep& s) {
  const auto points = latin_hypercube(s.samples, static_cast<int>(s.parameters.size()), s.seed);
  std::vector<SweepCase> out(points.size());
  for (std::size_t c = 0; c < points.size(); ++c) {
    out[c].index = static_cast<int>(c);
    for (std::size_t j = 0; j < s.parameters.size(); ++j) {
      const SweepParameter& p = s.parameters[j];
      const Real u = points[c][j];
      if (p.continuous) {
        out[c].values.push_back(range_value(p, p.lo + u * (p.hi - p.lo)));
      } else {
        const auto k = std::min(p.values.size() - 1, static_cast<std::size_t>(u * Real(p.values.size())));
        out[c].values.push_back(p.values[k]);
      }
    }
  }
  return out;
}

/// Whether a key segment is a block number ("0", "12").
bool is_index(std::string_view seg) {
  return !seg.empty() && std::all_of(seg.begin(), seg.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// The key in the session parser's field form: "technique.0.force" -> "technique[0].force".
std::string parser_field(std::string_view key) {
  std::string out;
  std::size_t start = 0;
  while (start <= key.size()) {
    const auto dot = std::min(key.find('.', start), key.size());
    const std::string_view seg = key.substr(start, dot - start);
    const bool index = is_index(seg);
    out += index ? "[" + std::string(seg) + "]" : (out.empty() ? "" : ".") + std::string(seg);
    start = dot + 1;
  }
  return out;
}

/// The TOML node a value is written as.
void assign(toml::table& t, const std::string& name, const SweepValue& v) {
  switch (v.kind) {
    case SweepValue::Kind::string:
      t.insert_or_assign(name, v.text);
      break;
    case SweepValue::Kind::number:
      t.insert_or_assign(name, v.si);
      break;
    case SweepValue::Kind::integer:
      t.insert_or_assign(name, static_cast<int64_t>(v.si));
      break;
    case SweepValue::Kind::boolean:
      t.insert_or_assign(name, v.si != 0);
      break;
  }
}

/// Writes `v` at the dotted key of p into the session document (missing tables are created; arrays of
/// tables are indexed by number and must have the element).
void apply(const std::string& label, toml::table& root, const SweepParameter& p, const SweepValue& v) {
  std::vector<std::string> segs;
  std::stringstream ss(p.key);
  for (std::string seg; std::getline(ss, seg, '.');) segs.push_back(seg);
  toml::table* t = &root;
  for (std::size_t i = 0; i + 1 < segs.size(); ++i) {
    toml::node* next = t->get(segs[i]);
    if (!next) next = &t->insert_or_assign(segs[i], toml::table{}).first->second;
    if (auto* arr = next->as_array()) {
      const std::string& idx = segs[++i];
      if (!is_index(idx) || std::stoul(idx) >= arr->size())
        throw InputError(p.where, "parameter.key",
                         "'" + p.key + "': the base session has " + std::to_string(arr->size()) + " [[" +
                             segs[i - 1] + "]] blocks, numbered from 0; '" + idx + "' is not one of them");
      next = arr->get(std::stoul(idx));
      if (i + 1 == segs.size())
        throw InputError(p.where, "parameter.key",
                         "'" + p.key + "' names a whole [[" + segs[i - 1] + "]] block, not a key in it");
    }
    t = next->as_table();
    if (!t)
      throw InputError(
          p.where, "parameter.key",
          "'" + p.key + "': '" + segs[i] + "' in the base session " + label + " is a value, not a table");
  }
  assign(*t, segs.back(), v);
}

/// The session document of one case.
toml::table case_document(const Sweep& s, int index) {
  toml::table root = toml::parse(s.base_text, s.base.string());
  const SweepCase& c = s.cases.at(static_cast<std::size_t>(index));
  for (std::size_t j = 0; j < s.parameters.size(); ++j)
    apply(s.base.string(), root, s.parameters[j], c.values[j]);
  if (!s.resolution.empty()) {
    toml::node* model = root.get("model");
    if (!model) model = &root.insert_or_assign("model", toml::table{}).first->second;
    if (auto* m = model->as_table(); m && !m->contains("mesh"))
      m->insert_or_assign("resolution", s.resolution);
  }
  return root;
}

/// Re-raises a parser error of case `index` at the [[parameter]] whose key it names (else at the sweep).
[[noreturn]] void relocate(const Sweep& s, int index, const InputError& e) {
  const SweepCase& c = s.cases.at(static_cast<std::size_t>(index));
  std::string values;
  for (std::size_t j = 0; j < s.parameters.size(); ++j)
    values += (values.empty() ? "" : ", ") + s.parameters[j].key + " = " + c.values[j].text;
  const std::string which = " (case " + std::to_string(index) + ": " + values;
  for (const auto& p : s.parameters) {
    const std::string field = parser_field(p.key);
    if (e.field() == field || e.field().rfind(field + ".", 0) == 0)
      throw InputError(p.where, e.field(), e.message() + which + ")");
  }
  throw InputError(SourceLocation{s.source, 0, 0}, e.field(),
                   e.message() + which + "; base " + s.base.string() + ")");
}

}  // namespace

std::vector<std::vector<Real>> latin_hypercube(int samples, int dims, std::uint64_t seed) {
  // splitmix64: small, fast, and the same sequence everywhere (std distributions are implementation-defined).
  std::uint64_t state = seed;
  auto next = [&state] {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  };
  auto uniform = [&next] { return static_cast<Real>(next() >> 11) * 0x1.0p-53; };
  std::vector<std::vector<Real>> points(static_cast<std::size_t>(samples),
                                        std::vector<Real>(static_cast<std::size_t>(dims)));
  std::vector<int> stratum(static_cast<std::size_t>(samples));
  for (int d = 0; d < dims; ++d) {
    for (int i = 0; i < samples; ++i) stratum[static_cast<std::size_t>(i)] = i;
    for (int i = samples - 1; i > 0; --i)  // Fisher-Yates
      std::swap(stratum[static_cast<std::size_t>(i)], stratum[next() % static_cast<std::uint64_t>(i + 1)]);
    for (int i = 0; i < samples; ++i)
      points[static_cast<std::size_t>(i)][static_cast<std::size_t>(d)] =
          (stratum[static_cast<std::size_t>(i)] + uniform()) / samples;
  }
  return points;
}

Sweep parse_sweep(std::string_view text, const std::string& label, const std::filesystem::path& folder) {
  toml::table root;
  try {
    root = toml::parse(text, label);
  } catch (const toml::parse_error& e) {
    const auto& src = e.source();
    const SourceLocation where{label, static_cast<int>(src.begin.line), static_cast<int>(src.begin.column)};
    throw InputError(where, "", std::string(e.description()));
  }
  check_keys(label, root, "", {"base", "resolution", "sampling", "samples", "seed", "parameter", "outputs"});
  Sweep s;
  s.source = label;
  read_settings(label, root, folder, s);
  const toml::node* params = root.get("parameter");
  const auto* arr = params ? params->as_array() : nullptr;
  if (!arr || arr->empty())
    fail(label, params ? params : &root, "parameter", "needs at least one [[parameter]] table with a key");
  int i = 0;
  for (const auto& node : *arr) {
    const auto* t = node.as_table();
    if (!t) fail(label, &node, "parameter", "must be an array of tables ([[parameter]])");
    s.parameters.push_back(read_parameter(label, *t, i++, s.sampling));
  }
  read_outputs(label, root, s);
  s.cases = s.sampling == SweepSampling::grid ? grid_cases(s.parameters) : lhs_cases(s);
  try {
    read_session_file(s.base.string());  // the base's own errors, at its own lines
  } catch (const InputError& e) {
    throw InputError(e.where(), e.field(), e.message() + " (base session of " + label + ")");
  }
  for (const auto& c : s.cases) case_session(s, c.index);
  return s;
}

Sweep read_sweep_file(const std::filesystem::path& path) {
  if (std::error_code ec; std::filesystem::is_directory(path, ec))
    throw InputError(SourceLocation{path.string(), 0, 0}, "", "is a folder, not a sweep file");
  std::ifstream in(path);
  if (!in) throw InputError(SourceLocation{path.string(), 0, 0}, "", "cannot open sweep file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_sweep(text.str(), path.string(), path.parent_path());
}

std::string case_session_text(const Sweep& sweep, int index) {
  std::ostringstream out;
  out << "# case " << index << " of the sweep " << sweep.source << " (base " << sweep.base.string() << ")\n"
      << case_document(sweep, index) << "\n";
  return out.str();
}

SessionSpec case_session(const Sweep& sweep, int index) {
  const std::string text = case_session_text(sweep, index);
  SessionSpec spec;
  try {
    spec = parse_session(text, sweep.base.string() + " (case " + std::to_string(index) + ")");
  } catch (const InputError& e) {
    relocate(sweep, index, e);
  }
  if (std::filesystem::path mesh = spec.model.mesh_file; !mesh.empty() && mesh.is_relative())
    spec.model.mesh_file = (sweep.base.parent_path() / mesh).lexically_normal().string();
  return spec;
}

}  // namespace tissue
