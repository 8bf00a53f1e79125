#include "libtissue/tone/tone_law.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "libtissue/core/error.hpp"
#include "libtissue/core/units.hpp"
#include "tone_toml.hpp"

namespace tissue {

// ---------------------------------------------------------------- stimulus accumulator

ToneStimulusAccumulator::ToneStimulusAccumulator(Index n_points)
    : p_(static_cast<size_t>(n_points), 0.0), T_(static_cast<size_t>(n_points), 0.0) {}

void ToneStimulusAccumulator::add(std::span<const Real> pressure, std::span<const Real> temperature,
                                  Real dt) {
  require(pressure.size() == p_.size(), "tone_stimulus.pressure",
          "expected " + std::to_string(p_.size()) + " values, got " + std::to_string(pressure.size()));
  require(temperature.size() == T_.size(), "tone_stimulus.temperature",
          "expected " + std::to_string(T_.size()) + " values, got " + std::to_string(temperature.size()));
  require(std::isfinite(dt) && dt >= 0, "tone_stimulus.dt", "must be finite and >= 0");
  for (size_t i = 0; i < p_.size(); ++i) {
    p_[i] += pressure[i] * dt;
    T_[i] += temperature[i] * dt;
  }
  time_ += dt;
}

std::vector<ToneStimulus> ToneStimulusAccumulator::average() const {
  require(time_ > 0, "tone_stimulus.time", "no time accumulated");
  std::vector<ToneStimulus> out(p_.size());
  for (size_t i = 0; i < p_.size(); ++i) out[i] = ToneStimulus{p_[i] / time_, T_[i] / time_};
  return out;
}

void ToneStimulusAccumulator::reset() {
  std::fill(p_.begin(), p_.end(), 0.0);
  std::fill(T_.begin(), T_.end(), 0.0);
  time_ = 0;
}

// ---------------------------------------------------------------- ToneLaw

void ToneLaw::integrate(VectorX& tone, const VectorX& rest, std::span<const ToneStimulus> stimulus,
                        Real dt) const {
  require(rest.size() == tone.size() && static_cast<Index>(stimulus.size()) == tone.size(), "tone.size",
          "tone (" + std::to_string(tone.size()) + "), resting tone (" + std::to_string(rest.size()) +
              ") and stimulus (" + std::to_string(stimulus.size()) +
              ") must have one value per quadrature point");
  require(std::isfinite(dt) && dt >= 0, "tone.dt", "must be finite and >= 0");
  for (Index i = 0; i < tone.size(); ++i)
    tone[i] = advance(tone[i], rest[i], stimulus[static_cast<size_t>(i)], dt);
}

// ---------------------------------------------------------------- parameters

void ToneParameters::validate() const {
  auto pos = [](Real v, const char* f) {
    require(std::isfinite(v) && v > 0, std::string("tone.") + f, "must be > 0");
  };
  auto nonneg = [](Real v, const char* f) {
    require(std::isfinite(v) && v >= 0, std::string("tone.") + f, "must be finite and >= 0");
  };
  pos(tau_recovery, "tau_recovery");
  nonneg(pressure_rate, "pressure_rate");
  pos(pressure_half, "pressure_half");
  pos(pressure_exponent, "pressure_exponent");
  nonneg(temperature_rate, "temperature_rate");
  pos(temperature_base, "temperature_base");
}

void RestingTone::validate() const {
  auto unit = [](Real v, const std::string& f) {
    require(std::isfinite(v) && v >= 0 && v <= 1, "tone.resting." + f, "must be in [0, 1]");
  };
  unit(normal, "normal");
  unit(hypertonic, "hypertonic");
  for (const auto& [k, v] : overrides) unit(v, k);
}

Real RestingTone::for_region(std::string_view region) const {
  auto stem = [](std::string_view n) {
    for (std::string_view suffix : {"_left", "_right"})
      if (n.size() > suffix.size() && n.substr(n.size() - suffix.size()) == suffix)
        return n.substr(0, n.size() - suffix.size());
    return n;
  };
  if (auto it = overrides.find(region); it != overrides.end()) return it->second;
  if (auto it = overrides.find(stem(region)); it != overrides.end()) return it->second;
  for (const auto& h : hypertonic_regions)
    if (h == region || h == stem(region)) return hypertonic;
  return normal;
}

RestingTone& RestingTone::make_hypertonic(std::string region) {
  hypertonic_regions.push_back(std::move(region));
  return *this;
}

// ---------------------------------------------------------------- TOML

namespace {

SourceLocation loc(const std::string& label, const toml::source_region& s) {
  return SourceLocation{label, static_cast<int>(s.begin.line), static_cast<int>(s.begin.column)};
}

struct Field {
  const char* path;
  units::Dimension dim;
  Real* target;
};

}  // namespace

void parse_tone_toml(std::string_view text, const std::string& label, ToneParameters& law,
                     RestingTone& resting) {
  toml::table root;
  try {
    root = toml::parse(text, label);
  } catch (const toml::parse_error& e) {
    throw InputError(loc(label, e.source()), "toml", std::string(e.description()));
  }
  const units::Dimension per_second{{0, 0, -1, 0}}, per_second_kelvin{{0, 0, -1, -1}};
  const Field fields[] = {
      {"law.tau_recovery", units::time, &law.tau_recovery},
      {"law.pressure_rate", per_second, &law.pressure_rate},
      {"law.pressure_half", units::pressure, &law.pressure_half},
      {"law.pressure_exponent", units::dimensionless, &law.pressure_exponent},
      {"law.temperature_rate", per_second_kelvin, &law.temperature_rate},
      {"law.temperature_base", units::temperature, &law.temperature_base},
      {"resting.normal", units::dimensionless, &resting.normal},
      {"resting.hypertonic", units::dimensionless, &resting.hypertonic},
  };
  std::set<std::string> known{"schema"};
  for (const auto& f : fields) {
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
      throw InputError(loc(label, (u ? u : node.node())->source()), path + ".unit", "expected a unit string");
    for (const auto& [k, _] : *tbl)
      if (k.str() != "value" && k.str() != "unit" && k.str() != "source" && k.str() != "status" &&
          k.str() != "note")
        throw InputError(loc(label, k.source()), path + "." + std::string(k.str()),
                         "unknown key; expected value, unit, source, status, note");
    const Real value = v->is_integer() ? static_cast<Real>(v->value<int64_t>().value_or(0))
                                       : v->value<double>().value_or(0.0);
    const std::string unit = u->value<std::string>().value_or("");
    try {
      *f.target = unit == "1" ? value : units::convert(value, unit, f.dim, path + ".unit");
    } catch (const InputError& e) {
      throw InputError(loc(label, u->source()), e.field(), e.message());
    }
  }
  for (const auto& [tk, tv] : root) {
    const auto* sub = tv.as_table();
    if (!sub) {
      if (!known.count(std::string(tk.str())))
        throw InputError(loc(label, tk.source()), std::string(tk.str()), "unknown key");
      continue;
    }
    for (const auto& [k, _] : *sub) {
      const std::string path = std::string(tk.str()) + "." + std::string(k.str());
      if (!known.count(path)) throw InputError(loc(label, k.source()), path, "unknown key");
    }
  }
  auto relabel = [&](const InputError& e) {
    // "tone.tau_recovery" -> "law.tau_recovery"; "tone.resting.normal" -> "resting.normal"
    std::string f = e.field();
    if (f.rfind("tone.resting.", 0) == 0)
      f = f.substr(5);
    else if (f.rfind("tone.", 0) == 0)
      f = "law." + f.substr(5);
    const auto node = root.at_path(f);
    return InputError(node ? loc(label, node.node()->source()) : SourceLocation{label, 0, 0}, f, e.message());
  };
  try {
    law.validate();
    resting.validate();
  } catch (const InputError& e) {
    throw relabel(e);
  }
}

std::string_view default_tone_toml() {
  return detail::kToneToml;
}

namespace {
struct DefaultTables {
  ToneParameters law;
  RestingTone resting;
  DefaultTables() { parse_tone_toml(default_tone_toml(), "<builtin tone.toml>", law, resting); }
};
const DefaultTables& default_tables() {
  static const DefaultTables t;
  return t;
}
}  // namespace

ToneParameters ToneParameters::defaults() {
  return default_tables().law;
}
RestingTone RestingTone::defaults() {
  return default_tables().resting;
}

// ---------------------------------------------------------------- InhibitionRecoveryLaw

InhibitionRecoveryLaw::InhibitionRecoveryLaw(ToneParameters p) : p_(p) {
  p_.validate();
}

Real InhibitionRecoveryLaw::pressure_response(Real p) const {
  if (!(p > 0)) return 0.0;
  const Real x = std::pow(p / p_.pressure_half, p_.pressure_exponent);
  return x / (1.0 + x);
}

Real InhibitionRecoveryLaw::pressure_of_drive(Real d) const {
  if (!(d > 0)) return 0.0;
  const Real P = std::min(d, 1.0 - 1e-15);
  return p_.pressure_half * std::pow(P / (1.0 - P), 1.0 / p_.pressure_exponent);
}

Real InhibitionRecoveryLaw::decay_rate(const ToneStimulus& s) const {
  const Real dT = std::max(s.temperature - p_.temperature_base, 0.0);
  return 1.0 / p_.tau_recovery + p_.pressure_rate * pressure_response(s.pressure) + p_.temperature_rate * dT;
}

Real InhibitionRecoveryLaw::rate(Real a, Real a_rest, const ToneStimulus& s) const {
  return a_rest / p_.tau_recovery - decay_rate(s) * a;
}

Real InhibitionRecoveryLaw::equilibrium(Real a_rest, const ToneStimulus& s) const {
  return a_rest / (p_.tau_recovery * decay_rate(s));
}

Real InhibitionRecoveryLaw::advance(Real a, Real a_rest, const ToneStimulus& s, Real dt) const {
  const Real lambda = decay_rate(s);
  const Real a_eq = a_rest / (p_.tau_recovery * lambda);
  const Real next = a_eq + (a - a_eq) * std::exp(-lambda * dt);
  return std::clamp(next, 0.0, 1.0);
}

std::unique_ptr<ToneLaw> make_default_tone_law() {
  return std::make_unique<InhibitionRecoveryLaw>();
}

}  // namespace tissue
