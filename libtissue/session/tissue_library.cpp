#include "libtissue/session/tissue_library.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <sstream>

#include "libtissue/core/error.hpp"
#include "libtissue/core/units.hpp"
#include "tissue_tables.hpp"

namespace tissue {
namespace {

struct TableReader {
  std::string label;
  std::string tissue;

  [[noreturn]] void fail(const toml::node* n, const std::string& field, const std::string& msg) const {
    SourceLocation w{label, 0, 0};
    if (n) w = {label, static_cast<int>(n->source().begin.line), static_cast<int>(n->source().begin.column)};
    throw InputError(w, field, msg);
  }

  /// Reads `key = { value = ..., unit = "..." }` from t, converted to SI.
  Real entry(const toml::table& t, const std::string& key, const units::Dimension& dim,
             const std::string& field) const {
    const toml::node* n = t.get(key);
    if (!n) fail(&t, field, "missing entry");
    const auto* e = n->as_table();
    if (!e) fail(n, field, "must be an inline table { value = ..., unit = \"...\", source = \"...\" }");
    const auto v = e->get("value") ? e->get("value")->value<double>() : std::nullopt;
    if (!v) fail(n, field + ".value", "missing or not a number");
    const std::string unit = e->get("unit") ? e->get("unit")->value_or(std::string("1")) : std::string("1");
    try {
      return units::convert(*v, unit, dim, field);
    } catch (const InputError& err) {
      fail(n, field, err.message());
    }
  }

  HyperelasticLaw hyperelastic(const toml::table& h, const std::string& prefix) const {
    const std::string law = h.get("law") ? h.get("law")->value_or(std::string()) : std::string();
    const Real mu = entry(h, "mu", units::pressure, prefix + "mu");
    const Real kappa = entry(h, "kappa", units::pressure, prefix + "kappa");
    HyperelasticLaw out;
    out.vol = VolumetricLogJ{kappa};
    if (law == "neo_hookean") {
      out.iso = NeoHookean{mu};
    } else if (law == "muscle_ti") {
      out.iso = MuscleTI{mu, entry(h, "k1", units::pressure, prefix + "k1"),
                         entry(h, "k2", units::dimensionless, prefix + "k2")};
    } else {
      fail(h.get("law") ? h.get("law") : &h, prefix + "law",
           "unknown law '" + law + "'; expected neo_hookean or muscle_ti");
    }
    return out;
  }
};

/// The name without its "_left"/"_right" suffix ("" when it has none).
std::string_view side_stem(std::string_view name) {
  for (std::string_view suffix : {"_left", "_right"})
    if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix)
      return name.substr(0, name.size() - suffix.size());
  return {};
}

/// A block number ("0", "12") as an index.
std::optional<std::size_t> index_of(std::string_view seg) {
  if (seg.empty() || seg.size() > 6 ||
      !std::all_of(seg.begin(), seg.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return static_cast<std::size_t>(std::stoul(std::string(seg)));
}

SourceLocation at(const std::string& label, const toml::node& n) {
  return {label, static_cast<int>(n.source().begin.line), static_cast<int>(n.source().begin.column)};
}

/// Writes the entries of an [overrides.<region>] table over a tissue document: an entry replaces the same
/// entry of its section, `prony.<i>` entries those of the i-th term, anything else replaces the whole key.
void merge(toml::table& doc, const toml::table& ov, const std::string& label, const std::string& prefix) {
  for (const auto& [k, v] : ov) {
    toml::node* base = doc.get(k.str());
    const auto* vt = v.as_table();
    if (base && vt && base->is_table()) {
      for (const auto& [f, e] : *vt) base->as_table()->insert_or_assign(f.str(), e);
    } else if (base && vt && base->is_array()) {
      auto* terms = base->as_array();
      for (const auto& [i, t] : *vt) {
        const auto idx = index_of(i.str());
        if (!idx || *idx >= terms->size() || !t.is_table() || !terms->get(*idx)->is_table())
          throw InputError(at(label, t), prefix + std::string(k.str()) + "." + std::string(i.str()),
                           "names no term of the " + std::to_string(terms->size()) + " [[" +
                               std::string(k.str()) + "]] terms (numbered from 0)");
        for (const auto& [f, e] : *t.as_table()) terms->get(*idx)->as_table()->insert_or_assign(f.str(), e);
      }
    } else {
      doc.insert_or_assign(k.str(), v);
    }
  }
}

/// The document of a region override: the tissue's table without [overrides], then [overrides.<stem>] for a
/// sided name, then [overrides.<region>]; `change` edits it after each layer of the region's own name.
toml::table region_doc(const toml::table& root, std::string_view region, const std::string& label,
                       const std::function<void(toml::table&, std::string_view)>& change) {
  toml::table doc = root;
  doc.erase("overrides");
  const auto* ov = root.get_as<toml::table>("overrides");
  const std::string_view stem = side_stem(region);
  for (std::string_view layer : {stem, region}) {
    if (layer.empty()) continue;
    if (const auto* t = ov ? ov->get_as<toml::table>(layer) : nullptr)
      merge(doc, *t, label, "overrides." + std::string(layer) + ".");
    if (change) change(doc, layer);
  }
  doc.insert_or_assign("tissue", std::string(region));
  return doc;
}

/// The parameters of one tissue document (its [overrides] are read by read_table).
TissueParameters read_tissue(const toml::table& root, const std::string& label) {
  TableReader r{label, root["tissue"].value_or(std::string())};
  if (r.tissue.empty()) r.fail(&root, "tissue", "missing tissue name");
  const std::string t = r.tissue;
  auto table = [&](const char* key) -> const toml::table& {
    const auto* tb = root.get_as<toml::table>(key);
    if (!tb) r.fail(&root, t + "." + key, std::string("missing [") + key + "] table");
    return *tb;
  };
  TissueParameters p;
  p.name = t;
  p.material.elastic = r.hyperelastic(table("hyperelastic"), t + ".");
  p.material.elastic.validate(t);
  if (const auto* pr = root.get_as<toml::array>("prony")) {
    int i = 0;
    for (const auto& node : *pr) {
      const auto* term = node.as_table();
      const std::string f = t + ".prony[" + std::to_string(i++) + "]";
      if (!term) r.fail(&node, f, "must be a table ([[prony]])");
      p.material.prony.terms.push_back({r.entry(*term, "g", units::dimensionless, f + ".g"),
                                        r.entry(*term, "tau", units::time, f + ".tau")});
    }
  }
  const auto& ts = table("thermal_shift");
  auto& th = p.material.thermal;
  const std::string model = ts["model"].value_or(std::string("arrhenius"));
  th.T_ref = r.entry(ts, "T_ref", units::temperature, t + ".thermal.T_ref");
  if (model == "arrhenius") {
    th.model = ShiftModel::arrhenius;
    th.activation_energy = r.entry(ts, "activation_energy", units::energy,
                                   t + ".thermal.activation_energy");  // J/mol (mol: count)
  } else if (model == "wlf") {
    th.model = ShiftModel::wlf;
    th.C1 = r.entry(ts, "C1", units::dimensionless, t + ".thermal.C1");
    th.C2 = r.entry(ts, "C2", units::temperature, t + ".thermal.C2");
  } else {
    r.fail(ts.get("model"), t + ".thermal.model", "unknown model '" + model + "'; expected arrhenius or wlf");
  }
  th.modulus_coefficient = r.entry(ts, "modulus_coefficient", units::dimensionless / units::temperature,
                                   t + ".thermal.modulus_coefficient");
  th.T_min = r.entry(ts, "T_min", units::temperature, t + ".thermal.T_min");
  th.T_max = r.entry(ts, "T_max", units::temperature, t + ".thermal.T_max");
  if (const auto* ac = root.get_as<toml::table>("active")) {
    ActiveFibre a;
    a.sigma_max = r.entry(*ac, "sigma_max", units::pressure, t + ".active.sigma_max");
    a.lambda_opt = r.entry(*ac, "lambda_opt", units::dimensionless, t + ".active.lambda_opt");
    a.width = r.entry(*ac, "width", units::dimensionless, t + ".active.width");
    p.material.active = a;
  }
  const auto& b = table("bioheat");
  auto& tp = p.thermal;
  tp.density = r.entry(b, "density", units::density, t + ".density");
  tp.heat_capacity =
      r.entry(b, "specific_heat", units::energy / units::mass / units::temperature, t + ".specific_heat");
  tp.conductivity =
      r.entry(b, "conductivity", units::power / units::length / units::temperature, t + ".conductivity");
  // mL/min/kg (volume flow per tissue mass) times density gives the volumetric perfusion [1/s].
  tp.perfusion = tp.density * r.entry(b, "perfusion", units::Dimension{{-1, 3, -1, 0}}, t + ".perfusion");
  tp.metabolic_heat =
      tp.density * r.entry(b, "metabolic_heat", units::power / units::mass, t + ".metabolic_heat");
  if (b.contains("perfusion_gain"))
    tp.perfusion_gain = r.entry(b, "perfusion_gain", units::dimensionless, t + ".perfusion_gain");
  p.material.validate(t);
  tp.validate(t);
  return p;
}

/// The tissue of a table and one tissue per [overrides.<region>] (the table with the region's entries).
std::vector<TissueParameters> read_table(const toml::table& root, const std::string& label) {
  std::vector<TissueParameters> out{read_tissue(root, label)};
  if (const auto* ov = root.get_as<toml::table>("overrides"))
    for (const auto& [name, node] : *ov)
      if (node.is_table()) out.push_back(read_tissue(region_doc(root, name.str(), label, {}), label));
  return out;
}

toml::table parse_table(std::string_view text, const std::string& label) {
  try {
    return toml::parse(text, label);
  } catch (const toml::parse_error& e) {
    throw InputError(SourceLocation{label, static_cast<int>(e.source().begin.line),
                                    static_cast<int>(e.source().begin.column)},
                     "", std::string(e.description()));
  }
}

/// A value written in a table's unit, e.g. "1953 Pa".
std::string shown(Real si, Real offset, Real scale, const std::string& unit) {
  std::ostringstream o;
  o << (si - offset) / scale;
  if (unit != "1") o << ' ' << unit;
  return o.str();
}

/// The segments of a dotted entry ("prony.0.tau" -> prony, 0, tau).
std::vector<std::string> split_entry(std::string_view entry) {
  std::vector<std::string> segs;
  std::stringstream ss{std::string(entry)};
  for (std::string seg; std::getline(ss, seg, '.');) segs.push_back(seg);
  return segs;
}

/// Looks up an entry ("hyperelastic.mu", "prony.0.tau") of a tissue document (const or not); null if it has
/// none.
template <class Table>
Table* find_entry(Table& doc, const std::vector<std::string>& segs) {
  if (segs.size() < 2) return nullptr;
  auto* section = doc.get(segs[0]);
  Table* holder = section ? section->as_table() : nullptr;
  std::size_t k = 1;
  if (auto* terms = section ? section->as_array() : nullptr) {
    const auto idx = index_of(segs[1]);
    holder = idx && *idx < terms->size() ? terms->get(*idx)->as_table() : nullptr;
    k = 2;
  }
  if (!holder || segs.size() != k + 1) return nullptr;
  Table* e = holder->template get_as<toml::table>(segs[k]);
  return e && e->contains("value") ? e : nullptr;
}

/// Why `entry` names no numeric entry of `doc`, with the entries there are at the deepest level that exists.
std::string what_is_there(const toml::table& doc, const std::vector<std::string>& segs,
                          const std::string& entry, const std::string& label) {
  std::string known;
  auto add = [&known](const std::string& name) { known += (known.empty() ? "" : ", ") + name; };
  auto entries = [&](const toml::table& t, const std::string& prefix) {
    for (const auto& [k, v] : t)
      if (const auto* e = v.as_table(); e && e->contains("value")) add(prefix + std::string(k.str()));
  };
  const toml::node* section = segs.empty() ? nullptr : doc.get(segs[0]);
  if (const auto* terms = section ? section->as_array() : nullptr) {
    for (std::size_t i = 0; i < terms->size(); ++i)
      if (const auto* t = terms->get(i)->as_table()) entries(*t, segs[0] + "." + std::to_string(i) + ".");
  } else if (const auto* t = section ? section->as_table() : nullptr) {
    if (segs.size() == 1) {
      entries(*t, segs[0] + ".");
      return "'" + segs[0] + "' is a section of " + label + "; name one of its entries: " + known;
    }
    if (segs.size() == 2 && t->contains(segs[1]))
      return "'" + entry + "' is not a numeric entry of " + label +
             "; only entries with a value and a unit can be set";
    entries(*t, segs[0] + ".");
  } else {
    for (const auto& [k, v] : doc)
      if ((v.is_table() || v.is_array()) && k.str() != "overrides") add(std::string(k.str()) + ".*");
  }
  return "unknown field; " + label + " has: " + known;
}

/// Changes one entry of a tissue document to the override's value. The override's value must have the
/// dimension of the entry's unit and lie in a plausible range: a temperature 0 .. 100 degC, anything else
/// 0 .. 1000 x the table's value (the largest of the field over `tables` where this one is 0).
void change_entry(toml::table& doc, const TissueOverride& o, const std::string& label,
                  const std::vector<toml::table>& tables) {
  const std::string field = o.field();
  auto fail = [&](const std::string& msg) { throw InputError(o.where, field, msg); };
  const std::vector<std::string> segs = split_entry(o.entry);
  toml::table* entry = find_entry(doc, segs);
  if (!entry) fail(what_is_there(doc, segs, o.entry, label));
  const std::string unit =
      entry->get("unit") ? entry->get("unit")->value_or(std::string("1")) : std::string("1");
  const Real table_value = entry->get("value")->value<double>().value_or(0.0);
  units::Quantity q, one;
  Real offset = 0;
  try {
    q = units::parse(o.value, field);
    offset = units::parse("0 " + unit, field).value;
    one = units::parse("1 " + unit, field);
  } catch (const InputError& e) {
    fail(e.message());
  }
  const Real scale = one.value - offset;
  if (!(q.dim == one.dim)) {
    if (q.dim == units::dimensionless && o.value.find_first_not_of("0123456789.eE+- ") == std::string::npos)
      fail("needs a unit: write it as a string such as \"" + o.value + " " + unit + "\" (a " +
           units::describe(one.dim) + ")");
    fail("expected a " + units::describe(one.dim) + " (the unit of " + o.entry + " in " + label + " is " +
         unit + ") but '" + o.value + "' is a " + units::describe(q.dim));
  }
  Real lo = 0, hi = std::numeric_limits<Real>::infinity();
  std::string why;
  if (one.dim == units::temperature) {
    lo = kCelsius, hi = kCelsius + 100, why = "a tissue temperature";
  } else {
    Real ref = std::abs(offset + scale * table_value);
    why = "0 to 1000 x the table's value " + shown(offset + scale * table_value, offset, scale, unit);
    if (ref == 0) {
      why = "0 to 1000 x the largest " + o.entry + " of the tissue tables";
      for (const auto& t : tables) {
        if (const toml::table* e = find_entry(t, segs))
          ref = std::max(ref,
                         std::abs(units::convert(e->get("value")->value<double>().value_or(0.0),
                                                 (*e)["unit"].value_or(std::string("1")), one.dim, field)));
      }
    }
    if (ref > 0) hi = 1000 * ref;
  }
  if (!(q.value >= lo && q.value <= hi))
    fail(shown(q.value, offset, scale, unit) + " is outside the plausible range " +
         shown(lo, offset, scale, unit) + " .. " + shown(hi, offset, scale, unit) + " (" + why + ")");
  // Written in the table's own unit, so that a later change of the same entry (a region's change after its
  // muscle's) is checked and reported in that unit too.
  entry->insert_or_assign("value", (q.value - offset) / scale);
}

}  // namespace

std::string TissueOverride::field() const {
  std::string out = "tissue." + tissue;
  for (const std::string& seg : split_entry(entry)) out += index_of(seg) ? "[" + seg + "]" : "." + seg;
  return out;
}

void TissueLibrary::add_toml(std::string_view text, const std::string& label) {
  const toml::table root = parse_table(text, label);
  const std::vector<TissueParameters> ps = read_table(root, label);
  for (const auto& p : ps) tissues_[p.name] = p;
  sources_[ps.front().name] = Source{std::string(text), label};
}

void TissueLibrary::add_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(SourceLocation{path, 0, 0}, "", "cannot open tissue table");
  std::ostringstream ss;
  ss << in.rdbuf();
  add_toml(ss.str(), path);
}

TissueLibrary TissueLibrary::defaults() {
  TissueLibrary lib;
  for (const auto& [name, text] : detail::kTissueTables)
    lib.add_toml(text, std::string("data/materials/").append(name).append(".toml"));
  return lib;
}

const TissueParameters& TissueLibrary::tissue(std::string_view name) const {
  if (auto it = tissues_.find(name); it != tissues_.end()) return it->second;
  std::string known;
  for (const auto& [k, v] : tissues_) known += (known.empty() ? "" : ", ") + k;
  throw InputError("tissue", "unknown tissue '" + std::string(name) + "'; known: " + known);
}

const TissueParameters& TissueLibrary::for_region(const Region& region) const {
  if (auto it = tissues_.find(region.name); it != tissues_.end()) return it->second;
  if (auto it = tissues_.find(side_stem(region.name)); it != tissues_.end()) return it->second;
  const std::string_view kind = region.kind == TissueKind::other ? "muscle" : to_string(region.kind);
  return tissue(kind);
}

std::vector<std::string> TissueLibrary::names() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : tissues_) out.push_back(k);
  return out;
}

bool TissueLibrary::has_table(std::string_view name) const {
  return sources_.find(name) != sources_.end();
}

std::vector<TissueEntry> TissueLibrary::entries(std::string_view tissue) const {
  const auto it = sources_.find(tissue);
  if (it == sources_.end()) {
    std::string known;
    for (const auto& [k, v] : sources_) known += (known.empty() ? "" : ", ") + k;
    throw InputError("tissue", "no table for '" + std::string(tissue) + "'; tissues with tables: " + known);
  }
  const toml::table doc = parse_table(it->second.text, it->second.label);
  std::vector<TissueEntry> out;
  auto add = [&out](const toml::table& section, const std::string& prefix) {
    for (const auto& [k, v] : section) {
      const toml::table* e = v.as_table();
      if (!e || !e->contains("value")) continue;
      std::ostringstream value;
      value << (*e)["value"].value<double>().value_or(0.0);
      out.push_back({prefix + std::string(k.str()), value.str(), (*e)["unit"].value_or(std::string("1")),
                     (*e)["status"].value_or(std::string()), (*e)["source"].value_or(std::string())});
    }
  };
  for (const auto& [k, v] : doc) {
    const std::string name(k.str());
    if (name == "overrides") continue;
    if (const toml::table* t = v.as_table()) add(*t, name + ".");
    if (const toml::array* terms = v.as_array())
      for (std::size_t i = 0; i < terms->size(); ++i)
        if (const toml::table* t = terms->get(i)->as_table()) add(*t, name + "." + std::to_string(i) + ".");
  }
  return out;
}

TissueLibrary TissueLibrary::with_overrides(const std::vector<TissueOverride>& overrides) const {
  TissueLibrary out = *this;
  if (overrides.empty()) return out;
  std::vector<toml::table> tables;  // the unchanged tables, for plausible ranges
  for (const auto& [name, src] : sources_) tables.push_back(parse_table(src.text, src.label));
  auto changes_of = [&](std::string_view name) {
    std::vector<const TissueOverride*> v;
    for (const auto& o : overrides)
      if (o.tissue == name) v.push_back(&o);
    return v;
  };
  // A changed table's tissue and its regions fail validation at the first change that made them.
  auto read = [](const toml::table& doc, const std::string& label,
                 const std::vector<const TissueOverride*>& by) {
    try {
      return read_table(doc, label);
    } catch (const InputError& e) {
      const TissueOverride& o = *by.front();
      throw InputError(o.where, o.field(),
                       e.field() + ": " + e.message() + " (after the changes of tissue." + o.tissue + ")");
    }
  };
  std::map<std::string, toml::table, std::less<>> changed;  // tissue tables after their changes
  for (const auto& [name, src] : sources_) {
    const auto mine = changes_of(name);
    if (mine.empty()) continue;
    toml::table doc = parse_table(src.text, src.label);
    for (const TissueOverride* o : mine) change_entry(doc, *o, src.label, tables);
    for (auto& p : read(doc, src.label, mine)) out.tissues_[p.name] = std::move(p);
    changed[name] = std::move(doc);
  }
  // Regions: every name that is no tissue, on the muscle table (changed or not).
  const auto muscle = sources_.find("muscle");
  std::vector<std::string> regions;
  for (const auto& o : overrides)
    if (!has_table(o.tissue) && std::find(regions.begin(), regions.end(), o.tissue) == regions.end())
      regions.push_back(o.tissue);
  if (regions.empty()) return out;
  if (muscle == sources_.end())
    throw InputError(overrides.front().where, overrides.front().field(),
                     "no muscle table to derive a region from");
  const std::string& label = muscle->second.label;
  const toml::table root =
      changed.count("muscle") ? changed.at("muscle") : parse_table(muscle->second.text, label);
  // Sided overrides of the table whose stem is changed inherit the change.
  if (const auto* ov = root.get_as<toml::table>("overrides"))
    for (const auto& [name, node] : *ov)
      if (const std::string_view stem = side_stem(name.str());
          !stem.empty() && !changes_of(stem).empty() &&
          std::find(regions.begin(), regions.end(), name.str()) == regions.end())
        regions.push_back(std::string(name.str()));
  for (const auto& region : regions) {
    std::vector<const TissueOverride*> by = changes_of(region);
    if (by.empty()) by = changes_of(side_stem(region));
    const toml::table doc = region_doc(root, region, label, [&](toml::table& d, std::string_view layer) {
      for (const TissueOverride* o : changes_of(layer))
        change_entry(d, *o, label + " (for region " + region + ")", tables);
    });
    for (auto& p : read(doc, label, by)) out.tissues_[p.name] = std::move(p);
  }
  return out;
}

}  // namespace tissue
