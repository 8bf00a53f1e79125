#include "libtissue/session/tissue_library.hpp"

#include <fstream>
#include <sstream>
#include <toml++/toml.h>

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
  Real entry(const toml::table& t, const std::string& key, const units::Dimension& dim, const std::string& field) const {
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
  const auto* h = root.get_as<toml::table>("hyperelastic");
  if (!h) r.fail(&root, r.tissue + ".hyperelastic", "missing [hyperelastic] table");
  const auto* b = root.get_as<toml::table>("bioheat");
  if (!b) r.fail(&root, r.tissue + ".bioheat", "missing [bioheat] table");
  TissueParameters p;
  p.name = r.tissue;
  p.elastic = r.hyperelastic(*h, r.tissue + ".");
  p.density = r.entry(*b, "density", units::density, r.tissue + ".density");
  p.elastic.validate(p.name);
  if (!(p.density > 0)) r.fail(b->get("density"), r.tissue + ".density", "must be positive");
  if (const auto* ov = root.get_as<toml::table>("overrides")) {
    for (const auto& [name, node] : *ov) {
      const auto* t = node.as_table();
      if (!t) continue;
      TissueParameters q = p;
      q.name = std::string(name.str());
      if (const auto* oh = t->get_as<toml::table>("hyperelastic")) q.elastic = r.hyperelastic(*oh, q.name + ".");
      q.elastic.validate(q.name);
      tissues_[q.name] = q;
    }
  }
  tissues_[p.name] = std::move(p);
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
  for (const auto& [name, text] : detail::kTissueTables) lib.add_toml(text, std::string("data/materials/").append(name).append(".toml"));
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
