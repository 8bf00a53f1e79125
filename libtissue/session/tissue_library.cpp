#include "libtissue/session/tissue_library.hpp"

#include <toml++/toml.h>

#include <fstream>
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

}  // namespace

void TissueLibrary::add_toml(std::string_view text, const std::string& label) {
  toml::table root;
  try {
    root = toml::parse(text, label);
  } catch (const toml::parse_error& e) {
    throw InputError(SourceLocation{label, static_cast<int>(e.source().begin.line),
                                    static_cast<int>(e.source().begin.column)},
                     "", std::string(e.description()));
  }
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
  if (const auto* ov = root.get_as<toml::table>("overrides")) {
    for (const auto& [name, node] : *ov) {
      const auto* o = node.as_table();
      if (!o) continue;
      TissueParameters q = p;
      q.name = std::string(name.str());
      if (const auto* oh = o->get_as<toml::table>("hyperelastic"))
        q.material.elastic = r.hyperelastic(*oh, q.name + ".");
      q.material.validate(q.name);
      tissues_[q.name] = q;
    }
  }
  tissues_[t] = std::move(p);
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
  std::string_view base = region.name;
  for (std::string_view suffix : {"_left", "_right"})
    if (base.size() > suffix.size() && base.substr(base.size() - suffix.size()) == suffix)
      base = base.substr(0, base.size() - suffix.size());
  if (auto it = tissues_.find(base); it != tissues_.end()) return it->second;
  const std::string_view kind = region.kind == TissueKind::other ? "muscle" : to_string(region.kind);
  return tissue(kind);
}

std::vector<std::string> TissueLibrary::names() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : tissues_) out.push_back(k);
  return out;
}

}  // namespace tissue
