#include "libtissue/session/session_file.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "libtissue/core/units.hpp"

namespace tissue {
namespace {

/// Contact conductance W/(m^2 K).
constexpr units::Dimension kConductance{{1, 0, -3, -1}};

/// The unit to suggest for a bare number of dimension `dim` ("N", "s", ...; SI form otherwise).
std::string unit_symbol(const units::Dimension& dim) {
  static const std::pair<units::Dimension, const char*> known[] = {
      {units::force, "N"},          {units::length, "mm"},      {units::time, "s"},
      {units::temperature, "degC"}, {units::velocity, "cm/s"},  {units::frequency, "Hz"},
      {units::pressure, "kPa"},     {kConductance, "W/(m^2 K)"}};
  for (const auto& [d, u] : known)
    if (d == dim) return u;
  return dim.str();
}

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

  void check_keys(const toml::table& t, const std::string& prefix, const std::set<std::string>& allowed,
                  const std::string& hint = "") const {
    for (const auto& [k, v] : t) {
      if (!allowed.count(std::string(k.str()))) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        (void)v;
        throw InputError(SourceLocation{label, static_cast<int>(k.source().begin.line),
                                        static_cast<int>(k.source().begin.column)},
                         prefix + std::string(k.str()), "unknown field; expected one of: " + list + hint);
      }
    }
  }

  std::string string(const toml::table& t, const std::string& key, const std::string& field,
                     std::string fallback, bool required = false) const {
    const toml::node* n = t.get(key);
    if (!n) {
      if (required) fail(&t, field, "missing required field");
      return fallback;
    }
    if (auto s = n->value<std::string>()) return *s;
    fail(n, field, "must be a string");
  }

  Real quantity(const toml::table& t, const std::string& key, const units::Dimension& dim,
                const std::string& field, std::optional<Real> fallback) const {
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
      if (!std::isfinite(*n->value<double>())) fail(n, field, "not a finite number");
      if (dim == units::dimensionless) return *n->value<double>();
      std::ostringstream example;
      example << *n->value<double>() << ' ' << unit_symbol(dim);
      fail(n, field,
           "needs a unit: write it as a string such as \"" + example.str() + "\" (a " + units::describe(dim) +
               ")");
    }
    fail(n, field, "must be a quantity string such as \"30 N\"");
  }

  int integer(const toml::table& t, const std::string& key, const std::string& field, int fallback) const {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    if (auto v = n->value_exact<int64_t>()) {
      if (*v < -1'000'000'000 || *v > 1'000'000'000)
        fail(n, field, "must be an integer between -1e9 and 1e9, got " + std::to_string(*v));
      return static_cast<int>(*v);
    }
    fail(n, field, "must be an integer");
  }

  bool boolean(const toml::table& t, const std::string& key, const std::string& field, bool fallback) const {
    const toml::node* n = t.get(key);
    if (!n) return fallback;
    if (auto v = n->value_exact<bool>()) return *v;  // not 1 or "yes"
    fail(n, field, "must be true or false");
  }

  /// The table `key` of `root`, or null when absent; anything else than a table is an error.
  const toml::table* table(const toml::table& root, const std::string& key) const {
    const toml::node* n = root.get(key);
    if (n && !n->is_table()) fail(n, key, "must be a table ([" + key + "])");
    return n ? n->as_table() : nullptr;
  }
};

/// How a default is shown in listings: value_shown = (SI value - offset) / scale, then the unit.
struct Shown {
  const char* unit;   ///< unit as written in files
  Real scale = 1.0;   ///< SI value of one shown unit
  Real offset = 0.0;  ///< SI value of the shown zero (degC)
};

/// How the keys' quantities are shown.
constexpr Shown N{"N"}, S{"s"}, Hz{"Hz"}, cm_s{"cm/s", 0.01}, mm{"mm", 1e-3}, cm{"cm", 0.01},
    degC{"degC", 1.0, kCelsius}, W_m2K{"W/(m^2 K)"};

std::string show(Real v, const Shown& s) {
  std::ostringstream o;
  o << (v - s.offset) / s.scale;
  if (*s.unit) o << ' ' << s.unit;
  return o.str();
}

/// Plausible range of one kind of technique quantity (SI): the parser rejects a value outside it, naming the
/// range, and `tissue techniques` lists it. Wide on purpose: it catches typos and unit slips ("1e9 N",
/// "30 m/s"), not unusual but possible sessions.
struct Plausible {
  const char* kind;  ///< the Keys kind it applies to
  Real lo, hi;       ///< bounds [SI]
  Shown shown;       ///< how the bounds are written
  const char* what;  ///< what the bound stands for
  /// The range as listed and in messages, e.g. "0 N .. 300 N".
  std::string text() const { return show(lo, shown) + " .. " + show(hi, shown); }
};
constexpr Plausible kPlausible[] = {
    {"force", 0, 300, {"N"}, "a therapist's push or a massage gun's stall force"},
    {"speed", 0, 0.5, {"cm/s", 0.01}, "a hand or tool gliding over the skin"},
    {"frequency", 0, 200, {"Hz"}, "manual and device techniques"},
    {"time", 0, 4 * 3600, {"s"}, "one session item"},
    {"length", -0.5, 0.5, {"cm", 0.01}, "a distance on the back and hips"},
    {"temperature", kCelsius, kCelsius + 70, {"degC", 1.0, kCelsius}, "ice packs to hot stones"},
    {"conductance", 0, 1e5, {"W/(m^2 K)"}, "tool-skin thermal contact"},
    {"friction coefficient", 0, 2, {""}, "oiled skin 0.08 to dry skin 0.36, rubber on skin about 1"},
};
const Plausible* plausible(std::string_view kind) {
  for (const Plausible& p : kPlausible)
    if (kind == p.kind) return &p;
  return nullptr;
}

/// Fails at `t[key]` unless `v` lies in the plausible range of `kind` (when the key is given).
void check_plausible(const Ctx& c, const toml::table& t, const std::string& key, const std::string& field,
                     Real v, const char* kind) {
  const Plausible* range = plausible(kind);
  if (range && t.contains(key) && !(v >= range->lo && v <= range->hi))
    c.fail(t.get(key), field,
           show(v, range->shown) + " is outside the plausible range " + range->text() + " of a " + kind +
               " (" + range->what + ")");
}

/// The keys of one Options type: how to read each and how to list it.
template <class O>
struct Keys {
  /// Reads one key into the options.
  using Reader = std::function<void(const Ctx&, const toml::table&, O&, const std::string& prefix)>;
  std::vector<TechniqueKeyInfo> info;  ///< listing (defaults of O{})
  std::vector<Reader> readers;         ///< readers in order
  std::vector<Reader> checks;          ///< plausibility checks, run after the options' validation
  std::set<std::string> names;         ///< allowed keys

  Keys& quantity(const char* key, Real O::* m, const units::Dimension& dim, const char* kind, Shown sh,
                 const char* doc, bool required = false) {
    const Plausible* range = plausible(kind);
    info.push_back({key, kind, required ? "(needed)" : show(O{}.*m, sh), doc, range ? range->text() : ""});
    names.insert(key);
    readers.push_back([=](const Ctx& c, const toml::table& t, O& o, const std::string& p) {
      o.*m = c.quantity(t, key, dim, p + "." + key, required ? std::nullopt : std::optional<Real>(o.*m));
    });
    if (range)  // after the options' own validation, so that "must be positive" keeps its message
      checks.push_back([=](const Ctx& c, const toml::table& t, O& o, const std::string& p) {
        check_plausible(c, t, key, p + "." + key, o.*m, kind);
      });
    return *this;
  }
  Keys& number(const char* key, Real O::* m, const char* doc) {
    info.push_back({key, "number", show(O{}.*m, {""}), doc, ""});
    names.insert(key);
    readers.push_back([=](const Ctx& c, const toml::table& t, O& o, const std::string& p) {
      o.*m = c.quantity(t, key, units::dimensionless, p + "." + key, o.*m);
    });
    return *this;
  }
  Keys& integer(const char* key, int O::* m, const char* doc, int lo, int hi) {
    const std::string range = std::to_string(lo) + " .. " + std::to_string(hi);
    info.push_back({key, "integer", std::to_string(O{}.*m), doc, range});
    names.insert(key);
    readers.push_back([=](const Ctx& c, const toml::table& t, O& o, const std::string& p) {
      o.*m = c.integer(t, key, p + "." + key, o.*m);
      if (o.*m < lo || o.*m > hi)
        c.fail(t.get(key), p + "." + key, "must lie in " + range + ", got " + std::to_string(o.*m));
    });
    return *this;
  }
  /// A tool by name; `allowed` (if not empty) lists the names this key accepts.
  Keys& tool(const char* key, Footprint O::* m, const char* doc, std::vector<std::string> allowed = {}) {
    std::string range;
    for (const auto& a : allowed) range += (range.empty() ? "" : ", ") + a;
    info.push_back({key, "tool", std::string(Footprint(O{}.*m).name), doc, range});
    names.insert(key);
    readers.push_back([=](const Ctx& c, const toml::table& t, O& o, const std::string& p) {
      if (const toml::node* n = t.get(key)) {
        const std::string name = c.string(t, key, p + "." + key, "");
        if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), name) == allowed.end())
          c.fail(n, p + "." + key, "must be one of " + range + ", got '" + name + "'");
        try {
          o.*m = footprint_by_name(name, p + "." + key);
        } catch (const InputError& e) {
          c.fail(n, p + "." + key, e.message());
        }
      }
    });
    return *this;
  }
  /// `mu` (a number) or `lubrication` ("oil" or "dry"), not both.
  Keys& friction(Real O::* m) {
    info.push_back({"mu", "number", show(O{}.*m, {""}), "friction coefficient tool/skin (or use lubrication)",
                    plausible("friction coefficient")->text()});
    info.push_back(
        {"lubrication", "string", "-", "\"oil\" (mu = 0.08) or \"dry\" (mu = 0.36), instead of mu", ""});
    names.insert("mu");
    names.insert("lubrication");
    readers.push_back([=](const Ctx& c, const toml::table& t, O& o, const std::string& p) {
      o.*m = c.quantity(t, "mu", units::dimensionless, p + ".mu", o.*m);
      if (const toml::node* n = t.get("lubrication")) {
        if (t.contains("mu")) c.fail(n, p + ".lubrication", "give either mu or lubrication, not both");
        const std::string l = c.string(t, "lubrication", p + ".lubrication", "");
        if (l == "oil")
          o.*m = friction::oiled_skin;
        else if (l == "dry")
          o.*m = friction::dry_skin;
        else
          c.fail(n, p + ".lubrication", "unknown lubrication '" + l + "'; expected oil or dry");
      }
    });
    checks.push_back([=](const Ctx& c, const toml::table& t, O& o, const std::string& p) {
      check_plausible(c, t, "mu", p + ".mu", o.*m, "friction coefficient");
    });
    return *this;
  }
  Keys& eta(Real O::* m) { return number("eta", m, "fraction of the friction heat entering the skin, 0..1"); }
  /// The warm hand: its skin temperature and the hand/skin contact conductance.
  Keys& hand() {
    return quantity("hand_temperature", &O::hand_temperature, units::temperature, "temperature", degC,
                    "the hand's skin temperature (15-45 degC)")
        .quantity("hand_conductance", &O::hand_conductance, kConductance, "conductance", W_m2K,
                  "hand/skin contact conductance; 0: no conduction");
  }
};

/// One row of the name -> parser table.
struct Entry {
  std::string summary;                                  ///< one-line description
  bool has_target = true;                               ///< needs `target`
  std::function<std::vector<TechniqueKeyInfo>()> keys;  ///< listing
  std::function<TechniqueOptions(const Ctx&, const toml::table&, const std::string&)> parse;  ///< reader
};

/// Reads an Options type with its key list; validates with the block's prefix and locates errors.
template <class O>
Entry entry(std::string summary, Keys<O> k, bool has_target = true) {
  Entry e;
  e.summary = std::move(summary);
  e.has_target = has_target;
  e.keys = [k, has_target] {
    std::vector<TechniqueKeyInfo> out;
    if (has_target)
      out.push_back({"target", "region", "(needed)", "target region, e.g. erector_spinae_right", ""});
    out.insert(out.end(), k.info.begin(), k.info.end());
    return out;
  };
  e.parse = [k, has_target](const Ctx& c, const toml::table& t, const std::string& p) -> TechniqueOptions {
    std::set<std::string> allowed = k.names;
    allowed.insert("type");
    if (has_target) allowed.insert("target");
    c.check_keys(t, p + ".", allowed);
    O o;
    for (const auto& r : k.readers) r(c, t, o, p);
    try {
      o.validate(p);
    } catch (const InputError& err) {
      // Locate the offending key (the field is "<prefix>.<key>[.<sub>]").
      std::string key = err.field().size() > p.size() + 1 ? err.field().substr(p.size() + 1) : "";
      key = key.substr(0, key.find('.'));
      const toml::node* n = key.empty() ? nullptr : t.get(key);
      throw InputError(c.at(n ? n : &t), err.field(), err.message());
    }
    for (const auto& check : k.checks) check(c, t, o, p);
    return o;
  };
  return e;
}

/// The one name -> parser table of session items (techniques and rests).
const std::map<std::string, Entry, std::less<>>& technique_table() {
  using units::force, units::time, units::velocity, units::frequency, units::length, units::temperature;
  static const std::map<std::string, Entry, std::less<>> table = [] {
    std::map<std::string, Entry, std::less<>> t;
    using SO = StrokingOptions;
    t["stroking"] = entry<SO>(
        "effleurage: long gliding strokes along the fibres, light to moderate force",
        Keys<SO>{}
            .tool("tool", &SO::tool, "contact shape")
            .quantity("force", &SO::force, force, "force", N, "normal force")
            .quantity("speed", &SO::speed, velocity, "speed", cm_s, "gliding speed")
            .friction(&SO::mu)
            .eta(&SO::eta)
            .hand()
            .quantity("ramp", &SO::ramp, time, "time", S, "force ramp-in and ramp-out")
            .quantity("duration", &SO::duration, time, "time", S, "total time")
            .integer("lanes", &SO::lanes, "parallel strokes across the muscle", 1, 12)
            .quantity("inset", &SO::inset, length, "length", cm, "margin of the path inside the region"));
    using DO = DeepStrokingOptions;
    t["deep_stroking"] = entry<DO>(
        "deep tissue stroking: slow, strong strokes along the fibres",
        Keys<DO>{}
            .tool("tool", &DO::tool, "contact shape")
            .quantity("force", &DO::force, force, "force", N, "normal force")
            .quantity("speed", &DO::speed, velocity, "speed", cm_s, "gliding speed")
            .friction(&DO::mu)
            .eta(&DO::eta)
            .hand()
            .quantity("ramp", &DO::ramp, time, "time", S, "force ramp-in and ramp-out")
            .quantity("duration", &DO::duration, time, "time", S, "total time")
            .integer("lanes", &DO::lanes, "parallel strokes across the muscle", 1, 12)
            .quantity("inset", &DO::inset, length, "length", cm, "margin of the path inside the region"));
    using KO = KneadingOptions;
    t["kneading"] = entry<KO>(
        "petrissage: the tool circles with a swinging force while gliding along the fibres",
        Keys<KO>{}
            .tool("tool", &KO::tool, "contact shape")
            .quantity("force", &KO::force, force, "force", N, "mean normal force")
            .number("modulation", &KO::modulation, "force swing F (1 + m sin(2 pi f t)), 0..1")
            .quantity("frequency", &KO::frequency, frequency, "frequency", Hz, "circles per second")
            .quantity("radius", &KO::radius, length, "length", cm, "radius of the circles")
            .quantity("glide_speed", &KO::glide_speed, velocity, "speed", cm_s, "travel of the circle centre")
            .friction(&KO::mu)
            .eta(&KO::eta)
            .hand()
            .quantity("ramp", &KO::ramp, time, "time", S, "force ramp-in and ramp-out")
            .quantity("duration", &KO::duration, time, "time", S, "total time")
            .quantity("inset", &KO::inset, length, "length", cm, "margin of the circles inside the region"));
    using PO = PercussionOptions;
    t["percussion"] = entry<PO>(
        "tapotement: half-sine force pulses at a tapping rate",
        Keys<PO>{}
            .tool("tool", &PO::tool, "contact shape")
            .quantity("peak_force", &PO::peak_force, force, "force", N, "peak force of a tap")
            .quantity("frequency", &PO::frequency, frequency, "frequency", Hz, "taps per second (1-20 Hz)")
            .number("contact_fraction", &PO::contact_fraction, "fraction of each period in contact, (0, 1]")
            .quantity("glide_speed", &PO::glide_speed, velocity, "speed", cm_s, "travel along the fibres")
            .friction(&PO::mu)
            .eta(&PO::eta)
            .hand()
            .quantity("duration", &PO::duration, time, "time", S, "total time")
            .quantity("inset", &PO::inset, length, "length", cm, "margin of the path inside the region"));
    using MO = MassageGunOptions;
    t["massage_gun"] = entry<MO>(
        "percussion massage gun: depth-controlled strokes at 20-53 Hz, gliding along the fibres",
        Keys<MO>{}
            .tool("head", &MO::head, "attachment of the gun", {"gun_ball", "gun_flat", "gun_bullet"})
            .quantity("frequency", &MO::frequency, frequency, "frequency", Hz, "stroke rate (20-53 Hz)")
            .quantity("stroke", &MO::stroke, length, "length", mm, "peak-to-peak head travel")
            .quantity("preload_depth", &MO::preload_depth, length, "length", mm,
                      "indentation at the retracted end")
            .quantity("stall_force", &MO::stall_force, force, "force", N,
                      "largest force before the motor stalls")
            .quantity("glide_speed", &MO::glide_speed, velocity, "speed", cm_s, "travel along the fibres")
            .friction(&MO::mu)
            .eta(&MO::eta)
            .quantity("duration", &MO::duration, time, "time", S, "total time")
            .quantity("inset", &MO::inset, length, "length", cm, "margin of the path inside the region")
            .integer("steps_per_cycle", &MO::steps_per_cycle, "mechanical substeps per stroke cycle",
                     MO::min_steps_per_cycle, MO::max_steps_per_cycle));
    using TO = TransverseFrictionOptions;
    t["transverse_friction"] = entry<TO>(
        "cross-fibre friction (Cyriax): the thumb oscillates across the fibres",
        Keys<TO>{}
            .tool("tool", &TO::tool, "contact shape")
            .quantity("force", &TO::force, force, "force", N, "normal force")
            .quantity("frequency", &TO::frequency, frequency, "frequency", Hz,
                      "back-and-forth cycles per second")
            .quantity("amplitude", &TO::amplitude, length, "length", mm, "half the cross-fibre excursion")
            .quantity("offset_along", &TO::offset_along, length, "length", cm, "position along the fibres")
            .friction(&TO::mu)
            .eta(&TO::eta)
            .hand()
            .quantity("ramp", &TO::ramp, time, "time", S, "force ramp-in and ramp-out")
            .quantity("duration", &TO::duration, time, "time", S, "total time")
            .quantity("inset", &TO::inset, length, "length", cm, "margin of the stroke inside the region"));
    using CO = StaticCompressionOptions;
    t["static_compression"] =
        entry<CO>("trigger-point pressure: ramp to a force, hold, release (tool at rest)",
                  Keys<CO>{}
                      .tool("tool", &CO::tool, "contact shape")
                      .quantity("force", &CO::force, force, "force", N, "hold force")
                      .quantity("ramp", &CO::ramp, time, "time", S, "ramp from 0 to the force")
                      .quantity("hold", &CO::hold, time, "time", S, "hold time")
                      .quantity("release", &CO::release, time, "time", S, "release from the force to 0")
                      .quantity("offset_along", &CO::offset_along, length, "length", cm,
                                "contact point along the fibres")
                      .quantity("offset_across", &CO::offset_across, length, "length", cm,
                                "contact point across the fibres")
                      .hand());
    using VO = VibrationOptions;
    t["vibration"] = entry<VO>(
        "vibration: small oscillating force with the palm",
        Keys<VO>{}
            .tool("tool", &VO::tool, "contact shape")
            .quantity("mean_force", &VO::mean_force, force, "force", N, "mean normal force")
            .quantity("amplitude", &VO::amplitude, force, "force", N, "force amplitude (<= mean_force)")
            .quantity("frequency", &VO::frequency, frequency, "frequency", Hz,
                      "vibration frequency (1-100 Hz)")
            .quantity("glide_speed", &VO::glide_speed, velocity, "speed", cm_s, "travel along the fibres")
            .friction(&VO::mu)
            .eta(&VO::eta)
            .hand()
            .quantity("ramp", &VO::ramp, time, "time", S, "ramp-in and ramp-out of the mean force")
            .quantity("duration", &VO::duration, time, "time", S, "total time")
            .quantity("inset", &VO::inset, length, "length", cm, "margin of the path inside the region"));
    using HO = HeatPackOptions;
    t["heat_pack"] = entry<HO>(
        "heat pack: a resting warm pad (thermal only unless force > 0)",
        Keys<HO>{}
            .tool("pack", &HO::pack, "contact shape")
            .quantity("temperature", &HO::temperature, temperature, "temperature", degC, "pad temperature")
            .quantity("heat_transfer", &HO::heat_transfer, kConductance, "conductance", W_m2K,
                      "contact conductance pad/skin")
            .quantity("force", &HO::force, force, "force", N, "pad weight or light pressure")
            .quantity("duration", &HO::duration, time, "time", S, "application time")
            .quantity("offset_along", &HO::offset_along, length, "length", cm, "pad centre along the fibres")
            .quantity("offset_across", &HO::offset_across, length, "length", cm,
                      "pad centre across the fibres"));
    using SO2 = HotStoneOptions;
    t["hot_stone"] = entry<SO2>(
        "hot stone: a heated stone glides along the fibres (placed when speed = 0)",
        Keys<SO2>{}
            .tool("stone", &SO2::stone, "contact shape")
            .quantity("temperature", &SO2::temperature, temperature, "temperature", degC, "stone temperature")
            .quantity("heat_transfer", &SO2::heat_transfer, kConductance, "conductance", W_m2K,
                      "contact conductance stone/skin")
            .quantity("cooling_time", &SO2::cooling_time, time, "time", S,
                      "cooling time constant (0: constant)")
            .quantity("force", &SO2::force, force, "force", N, "normal force")
            .quantity("speed", &SO2::speed, velocity, "speed", cm_s, "gliding speed (0: placed stone)")
            .friction(&SO2::mu)
            .eta(&SO2::eta)
            .quantity("ramp", &SO2::ramp, time, "time", S, "force ramp-in and ramp-out")
            .quantity("duration", &SO2::duration, time, "time", S, "total time")
            .quantity("inset", &SO2::inset, length, "length", cm, "margin of the path inside the region"));
    t["rest"] = entry<RestOptions>(
        "rest: no tool on the skin",
        Keys<RestOptions>{}.quantity("duration", &RestOptions::duration, time, "time", S, "rest time", true),
        false);
    return t;
  }();
  return table;
}

/// Version-1 static compression (files without a [session] table).
StaticCompressionSpec parse_static_compression_v1(const Ctx& c, const toml::table& t, const std::string& f) {
  c.check_keys(
      t, f + ".",
      {"type", "tool", "target", "force", "ramp", "hold", "steps", "hold_steps", "offset_x", "offset_y"},
      " (a version-1 file; add a [session] table for the version-2 keys)");
  StaticCompressionSpec s;
  s.where = c.at(&t);
  if (const toml::node* n = t.get("tool")) {
    try {
      s.tool = footprint_by_name(c.string(t, "tool", f + ".tool", "palm"), f + ".tool");
    } catch (const InputError& e) {
      c.fail(n, f + ".tool", e.message());
    }
  }
  s.target = c.string(t, "target", f + ".target", "", true);
  s.force = c.quantity(t, "force", units::force, f + ".force", std::nullopt);
  if (!(s.force > 0)) c.fail(t.get("force"), f + ".force", "must be positive, got " + show(s.force, {"N"}));
  check_plausible(c, t, "force", f + ".force", s.force, "force");
  s.ramp = c.quantity(t, "ramp", units::time, f + ".ramp", 2.0);
  s.hold = c.quantity(t, "hold", units::time, f + ".hold", 0.0);
  if (!(s.ramp > 0)) c.fail(t.get("ramp"), f + ".ramp", "must be positive");
  if (s.hold < 0) c.fail(t.get("hold"), f + ".hold", "must not be negative");
  check_plausible(c, t, "ramp", f + ".ramp", s.ramp, "time");
  check_plausible(c, t, "hold", f + ".hold", s.hold, "time");
  constexpr int kMaxSteps = 10'000;  // quasi-static steps of one ramp or hold; more is a typo, not accuracy
  s.steps = c.integer(t, "steps", f + ".steps", 4);
  if (s.steps < 1 || s.steps > kMaxSteps) c.fail(t.get("steps"), f + ".steps", "must lie in [1, 10000]");
  s.hold_steps = c.integer(t, "hold_steps", f + ".hold_steps", 4);
  if (s.hold_steps < 1 || s.hold_steps > kMaxSteps)
    c.fail(t.get("hold_steps"), f + ".hold_steps", "must lie in [1, 10000]");
  s.offset[0] = c.quantity(t, "offset_x", units::length, f + ".offset_x", 0.0);
  s.offset[1] = c.quantity(t, "offset_y", units::length, f + ".offset_y", 0.0);
  check_plausible(c, t, "offset_x", f + ".offset_x", s.offset[0], "length");
  check_plausible(c, t, "offset_y", f + ".offset_y", s.offset[1], "length");
  return s;
}

/// A string or a list of strings ("a" or ["a", "b"]).
std::vector<std::string> string_list(const Ctx& c, const toml::table& t, const std::string& key,
                                     const std::string& field) {
  std::vector<std::string> out;
  const toml::node* n = t.get(key);
  if (!n) return out;
  if (auto v = n->value<std::string>()) return {*v};
  const auto* arr = n->as_array();
  if (!arr) c.fail(n, field, "must be a name or a list of names");
  for (const auto& v : *arr) {
    if (auto s = v.value<std::string>())
      out.push_back(*s);
    else
      c.fail(&v, field, "must be a list of names");
  }
  return out;
}

/// [outputs]: which standard outputs a run attaches (docs/sessions.md).
void parse_outputs(const Ctx& c, const toml::table& root, OutputSpec& o) {
  const toml::node* node = root.get("outputs");
  if (!node) return;
  const auto* t = node->as_table();
  if (!t) c.fail(node, "outputs", "must be a table ([outputs])");
  c.check_keys(*t, "outputs.",
               {"standard", "tone", "elastography", "safety", "fields", "myotonometer", "myoton_every",
                "myoton_sites", "bone_pressure", "temperature_limit", "strain_limit"});
  o.where = c.at(t);
  o.standard = c.boolean(*t, "standard", "outputs.standard", o.standard);
  o.tone = c.boolean(*t, "tone", "outputs.tone", o.tone);
  o.elastography = c.boolean(*t, "elastography", "outputs.elastography", o.elastography);
  o.safety = c.boolean(*t, "safety", "outputs.safety", o.safety);
  o.tone_field = c.boolean(*t, "fields", "outputs.fields", o.tone_field);
  o.myotonometer = c.boolean(*t, "myotonometer", "outputs.myotonometer", o.myotonometer);
  o.myoton_every = c.quantity(*t, "myoton_every", units::time, "outputs.myoton_every", o.myoton_every);
  if (!(o.myoton_every >= 0) || !std::isfinite(o.myoton_every))
    c.fail(t->get("myoton_every"), "outputs.myoton_every", "must not be negative");
  o.myoton_sites = string_list(c, *t, "myoton_sites", "outputs.myoton_sites");
  auto positive = [&](const char* key, const units::Dimension& dim, Real& v) {
    v = c.quantity(*t, key, dim, std::string("outputs.") + key, v);
    if (!(v > 0) || !std::isfinite(v)) c.fail(t->get(key), std::string("outputs.") + key, "must be positive");
  };
  positive("bone_pressure", units::pressure, o.bone_pressure);
  positive("temperature_limit", units::temperature, o.temperature_limit);
  positive("strain_limit", units::dimensionless, o.strain_limit);
}

/// [patient]: hypertonic muscles and resting tones (docs/sessions.md).
void parse_patient(const Ctx& c, const toml::table& root, PatientSpec& p) {
  const toml::node* node = root.get("patient");
  if (!node) return;
  const auto* t = node->as_table();
  if (!t) c.fail(node, "patient", "must be a table ([patient])");
  c.check_keys(*t, "patient.", {"hypertonic", "resting_tone", "hypertonic_tone"});
  p.where = c.at(t);
  p.hypertonic = string_list(c, *t, "hypertonic", "patient.hypertonic");
  for (const char* key : {"resting_tone", "hypertonic_tone"}) {
    if (!t->get(key)) continue;
    const Real v = c.quantity(*t, key, units::dimensionless, std::string("patient.") + key, 0.0);
    if (!(v >= 0 && v <= 1)) c.fail(t->get(key), std::string("patient.") + key, "must lie in [0, 1]");
    (std::string(key) == "resting_tone" ? p.resting_tone : p.hypertonic_tone) = v;
  }
}

/// The leaves of one [tissue.<name>] table as overrides: `hyperelastic.mu = "2 kPa"` is entry
/// "hyperelastic.mu", `prony.0.tau = "3 s"` entry "prony.0.tau" (docs/sessions.md).
void tissue_entries(const Ctx& c, const toml::table& t, const std::string& tissue, const std::string& path,
                    std::vector<TissueOverride>& out) {
  for (const auto& [k, v] : t) {
    const std::string entry = path.empty() ? std::string(k.str()) : path + "." + std::string(k.str());
    if (const auto* sub = v.as_table()) {
      tissue_entries(c, *sub, tissue, entry, out);
      continue;
    }
    TissueOverride o{tissue, entry, "", c.at(&v)};
    if (auto s = v.value_exact<std::string>()) {
      o.value = *s;
    } else if (auto i = v.value_exact<int64_t>()) {
      o.value = std::to_string(*i);
    } else if (auto d = v.value_exact<double>()) {
      if (!std::isfinite(*d)) c.fail(&v, o.field(), "not a finite number");
      char text[32];
      const auto r = std::to_chars(text, text + sizeof text, *d);  // shortest form that reads back exactly
      o.value.assign(text, r.ptr);
    } else {
      c.fail(&v, o.field(), "must be a quantity string such as \"2.5 kPa\" (or a number if dimensionless)");
    }
    out.push_back(std::move(o));
  }
}

/// [tissue.<name>]: changed entries of the tissue tables (data/materials/), checked against the shipped
/// tables.
void parse_tissue(const Ctx& c, const toml::table& root, ModelSpec& m) {
  const auto* t = c.table(root, "tissue");
  if (!t) return;
  for (const auto& [name, node] : *t) {
    const auto* sub = node.as_table();
    if (!sub)
      c.fail(&node, "tissue." + std::string(name.str()),
             "must be a table of entries, e.g. [tissue." + std::string(name.str()) +
                 "] hyperelastic.mu = \"2 kPa\"");
    tissue_entries(c, *sub, std::string(name.str()), "", m.tissue);
  }
  std::stable_sort(m.tissue.begin(), m.tissue.end(), [](const TissueOverride& a, const TissueOverride& b) {
    return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);  // file order
  });
  if (!m.tissue.empty()) (void)TissueLibrary::defaults().with_overrides(m.tissue);  // errors at their lines
}

}  // namespace

std::vector<std::string> technique_names() {
  std::vector<std::string> out;
  for (const auto& [k, v] : technique_table()) out.push_back(k);
  return out;
}

std::vector<TechniqueInfo> technique_catalogue() {
  std::vector<TechniqueInfo> out;
  for (const auto& [k, v] : technique_table()) out.push_back({k, v.summary, v.keys()});
  return out;
}

Footprint footprint_by_name(std::string_view name, std::string_view field) {
  static const std::map<std::string, Footprint (*)(), std::less<>> tools = {
      {"thumb", Footprint::thumb},           {"palm", Footprint::palm},
      {"forearm", Footprint::forearm},       {"fist", Footprint::fist},
      {"gun_ball", Footprint::gun_ball},     {"gun_flat", Footprint::gun_flat},
      {"gun_bullet", Footprint::gun_bullet}, {"stone", Footprint::stone},
      {"hand_edge", Footprint::hand_edge},   {"heat_pack", Footprint::heat_pack}};
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
    throw InputError(SourceLocation{label, static_cast<int>(s.begin.line), static_cast<int>(s.begin.column)},
                     "", std::string(e.description()));
  }
  const Ctx c{label};
  c.check_keys(root, "", {"model", "run", "session", "technique", "outputs", "patient", "tissue"});
  SessionSpec spec;
  spec.source = label;
  spec.text = std::string(text);
  if (const auto* m = c.table(root, "model")) {
    c.check_keys(*m, "model.", {"resolution", "mesh", "mesh_units", "fixed"});
    spec.model.resolution = c.string(*m, "resolution", "model.resolution", "default");
    if (spec.model.resolution != "coarse" && spec.model.resolution != "default" &&
        spec.model.resolution != "fine")
      c.fail(m->get("resolution"), "model.resolution",
             "unknown resolution '" + spec.model.resolution + "'; expected coarse, default or fine");
    spec.model.mesh_file = c.string(*m, "mesh", "model.mesh", "");
    const std::string mu = c.string(*m, "mesh_units", "model.mesh_units", "m");
    try {
      spec.model.mesh_length_scale = units::parse_as("1 " + mu, units::length, "model.mesh_units");
    } catch (const InputError& e) {
      c.fail(m->get("mesh_units"), "model.mesh_units", e.message());
    }
    if (m->contains("fixed") && !m->get("fixed")->is_array())
      c.fail(m->get("fixed"), "model.fixed", "must be a list of node-set names, e.g. [\"bone_all\"]");
    if (const auto* fx = m->get_as<toml::array>("fixed")) {
      spec.model.fixed_sets.clear();
      for (const auto& v : *fx) {
        if (auto s = v.value<std::string>())
          spec.model.fixed_sets.push_back(*s);
        else
          c.fail(&v, "model.fixed", "must be a list of node-set names");
      }
    }
  }
  if (const auto* r = c.table(root, "run")) {
    c.check_keys(*r, "run.",
                 {"threads",         "linear_solver",      "dt_thermal",         "series_every",
                  "fields_every",    "air_temperature",    "skin_heat_transfer", "core_temperature",
                  "cycle_averaging", "resolved_cycles",    "jumped_cycles",      "cycle_window",
                  "depth_stiffness", "newton_tolerance",   "force_tolerance",    "tangent_reuse",
                  "extrapolate",     "keep_factorization", "contact_penalty",    "prebalance_time",
                  "rest_motion",     "rest_tone",          "glide_window",       "glide_resolved_cycles",
                  "substep_scale",   "dt_quiet",           "checkpoint_every",   "max_cuts"});
    RunSpec& rs = spec.run;
    rs.threads = c.integer(*r, "threads", "run.threads", 0);
    if (rs.threads < 0) c.fail(r->get("threads"), "run.threads", "must be 0 (all cores) or positive");
    const std::string ls = c.string(*r, "linear_solver", "run.linear_solver", "automatic");
    try {
      rs.linear_solver = parse_linear_solver_kind(ls);
    } catch (const InputError& e) {
      c.fail(r->get("linear_solver"), "run.linear_solver", e.message());
    }
    auto positive = [&](const char* key, const units::Dimension& dim, Real& v, bool allow_zero) {
      v = c.quantity(*r, key, dim, std::string("run.") + key, v);
      if (!(allow_zero ? v >= 0 : v > 0) || !std::isfinite(v))
        c.fail(r->get(key), std::string("run.") + key,
               allow_zero ? "must not be negative" : "must be positive");
    };
    positive("dt_thermal", units::time, rs.dt_thermal, false);
    positive("dt_quiet", units::time, rs.dt_quiet, false);
    positive("series_every", units::time, rs.series_every, true);
    positive("fields_every", units::time, rs.fields_every, true);
    positive("checkpoint_every", units::time, rs.checkpoint_every, true);
    positive("air_temperature", units::temperature, rs.air_temperature, false);
    positive("skin_heat_transfer", kConductance, rs.skin_heat_transfer, true);
    positive("core_temperature", units::temperature, rs.core_temperature, false);
    check_plausible(c, *r, "air_temperature", "run.air_temperature", rs.air_temperature, "temperature");
    check_plausible(c, *r, "core_temperature", "run.core_temperature", rs.core_temperature, "temperature");
    positive("depth_stiffness", units::force / units::length, rs.depth_stiffness, false);
    positive("cycle_window", units::time, rs.cycle_window, true);
    positive("glide_window", units::time, rs.glide_window, true);
    rs.glide_resolved_cycles =
        c.integer(*r, "glide_resolved_cycles", "run.glide_resolved_cycles", rs.glide_resolved_cycles);
    if (rs.glide_resolved_cycles < 1)
      c.fail(r->get("glide_resolved_cycles"), "run.glide_resolved_cycles", "must be at least 1");
    rs.force_tolerance =
        c.quantity(*r, "force_tolerance", units::dimensionless, "run.force_tolerance", rs.force_tolerance);
    if (!(rs.force_tolerance >= 0 && rs.force_tolerance < 1))
      c.fail(r->get("force_tolerance"), "run.force_tolerance", "must lie in [0, 1)");
    rs.newton_tolerance =
        c.quantity(*r, "newton_tolerance", units::dimensionless, "run.newton_tolerance", rs.newton_tolerance);
    if (!(rs.newton_tolerance > 0 && rs.newton_tolerance < 1))
      c.fail(r->get("newton_tolerance"), "run.newton_tolerance", "must lie in (0, 1)");
    rs.max_cuts = c.integer(*r, "max_cuts", "run.max_cuts", rs.max_cuts);
    if (rs.max_cuts < 0 || rs.max_cuts > 30)
      c.fail(r->get("max_cuts"), "run.max_cuts", "must lie in 0 .. 30");
    rs.tangent_reuse = c.integer(*r, "tangent_reuse", "run.tangent_reuse", rs.tangent_reuse);
    if (rs.tangent_reuse < 0) c.fail(r->get("tangent_reuse"), "run.tangent_reuse", "must not be negative");
    rs.extrapolate = c.boolean(*r, "extrapolate", "run.extrapolate", rs.extrapolate);
    rs.keep_factorization =
        c.boolean(*r, "keep_factorization", "run.keep_factorization", rs.keep_factorization);
    positive("contact_penalty", units::pressure / units::length, rs.contact_penalty, false);
    positive("prebalance_time", units::time, rs.prebalance_time, true);
    positive("rest_motion", units::length, rs.rest_motion, true);
    rs.rest_tone = c.quantity(*r, "rest_tone", units::dimensionless, "run.rest_tone", rs.rest_tone);
    rs.substep_scale =
        c.quantity(*r, "substep_scale", units::dimensionless, "run.substep_scale", rs.substep_scale);
    if (!(rs.substep_scale > 0 && rs.substep_scale <= 1))
      c.fail(r->get("substep_scale"), "run.substep_scale", "must lie in (0, 1]");
    if (!(rs.rest_tone >= 0 && rs.rest_tone < 1))
      c.fail(r->get("rest_tone"), "run.rest_tone", "must lie in [0, 1)");
    rs.cycle_averaging = c.boolean(*r, "cycle_averaging", "run.cycle_averaging", rs.cycle_averaging);
    rs.resolved_cycles = c.integer(*r, "resolved_cycles", "run.resolved_cycles", rs.resolved_cycles);
    if (rs.resolved_cycles < 1)
      c.fail(r->get("resolved_cycles"), "run.resolved_cycles", "must be at least 1");
    rs.jumped_cycles = c.integer(*r, "jumped_cycles", "run.jumped_cycles", rs.jumped_cycles);
    if (rs.jumped_cycles < 0) c.fail(r->get("jumped_cycles"), "run.jumped_cycles", "must not be negative");
  }
  parse_tissue(c, root, spec.model);
  parse_outputs(c, root, spec.outputs);
  parse_patient(c, root, spec.patient);
  const auto* session = root.get_as<toml::table>("session");
  if (!session && root.contains("session"))
    c.fail(root.get("session"), "session", "must be a table ([session])");
  if (session) {
    c.check_keys(*session, "session.", {"follow_up", "version"});
    spec.follow_up = c.quantity(*session, "follow_up", units::time, "session.follow_up", 0.0);
    if (spec.follow_up < 0) c.fail(session->get("follow_up"), "session.follow_up", "must not be negative");
    check_plausible(c, *session, "follow_up", "session.follow_up", spec.follow_up, "time");
    if (const toml::node* v = session->get("version"); v && v->value<int64_t>().value_or(0) != 2)
      c.fail(v, "session.version", "only version 2 is known (version-1 files have no [session] table)");
  }
  const auto* arr = root.get_as<toml::array>("technique");
  if (!arr && root.contains("technique"))
    c.fail(root.get("technique"), "technique", "must be an array of tables ([[technique]])");
  if (!arr) return spec;
  const auto& table = technique_table();
  // Version 1: no [session] table and only static_compression blocks.
  bool v1 = !session;
  for (const auto& node : *arr)
    if (const auto* t = node.as_table(); t && t->get("type") && t->get("type")->value<std::string>() &&
                                         *t->get("type")->value<std::string>() != "static_compression")
      v1 = false;
  int i = 0;
  for (const auto& node : *arr) {
    const std::string f = "technique[" + std::to_string(i++) + "]";
    const auto* t = node.as_table();
    if (!t) c.fail(&node, f, "must be a table ([[technique]])");
    const std::string type = c.string(*t, "type", f + ".type", "", true);
    auto it = table.find(type);
    if (it == table.end()) {
      std::string list;
      for (const auto& [k, v] : table) list += (list.empty() ? "" : ", ") + k;
      c.fail(t->get("type"), f + ".type", "unknown technique '" + type + "'; known techniques: " + list);
    }
    if (v1) {
      spec.techniques.push_back(parse_static_compression_v1(c, *t, f));
      continue;
    }
    TechniqueSpec item;
    item.type = type;
    item.where = c.at(t);
    if (it->second.has_target) item.target = c.string(*t, "target", f + ".target", "", true);
    item.options = it->second.parse(c, *t, f);
    spec.protocol.push_back(std::move(item));
  }
  return spec;
}

SessionSpec read_session_file(const std::string& path) {
  if (std::error_code ec; std::filesystem::is_directory(path, ec))
    throw InputError(SourceLocation{path, 0, 0}, "", "is a folder, not a session file");
  std::ifstream in(path);
  if (!in) throw InputError(SourceLocation{path, 0, 0}, "", "cannot open session file");
  std::ostringstream ss;
  ss << in.rdbuf();
  SessionSpec spec = parse_session(ss.str(), path);
  // A mesh named relative to the session file lives beside it, wherever the program runs.
  if (std::filesystem::path mesh = spec.model.mesh_file; !mesh.empty() && mesh.is_relative())
    spec.model.mesh_file = (std::filesystem::path(path).parent_path() / mesh).lexically_normal().string();
  return spec;
}

}  // namespace tissue
