#include "libtissue/core/units.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>

#include "libtissue/core/error.hpp"

namespace tissue::units {

Dimension Dimension::operator*(const Dimension& o) const {
  Dimension d;
  for (int i = 0; i < 4; ++i)
    d.e[static_cast<size_t>(i)] = e[static_cast<size_t>(i)] + o.e[static_cast<size_t>(i)];
  return d;
}

Dimension Dimension::operator/(const Dimension& o) const {
  Dimension d;
  for (int i = 0; i < 4; ++i)
    d.e[static_cast<size_t>(i)] = e[static_cast<size_t>(i)] - o.e[static_cast<size_t>(i)];
  return d;
}

std::string Dimension::str() const {
  static const char* names[4] = {"kg", "m", "s", "K"};
  std::string out;
  for (int i = 0; i < 4; ++i) {
    const int p = e[static_cast<size_t>(i)];
    if (p == 0) continue;
    if (!out.empty()) out += ' ';
    out += names[i];
    if (p != 1) {
      out += '^';
      out += std::to_string(p);
    }
  }
  return out.empty() ? "1" : out;
}

std::string describe(const Dimension& d) {
  struct Named {
    Dimension d;
    const char* name;
  };
  static const Named known[] = {{dimensionless, "dimensionless"},
                                {length, "length (m)"},
                                {time, "time (s)"},
                                {mass, "mass (kg)"},
                                {temperature, "temperature (K or degC)"},
                                {force, "force (N)"},
                                {pressure, "pressure (Pa)"},
                                {velocity, "velocity (m/s)"},
                                {frequency, "frequency (Hz)"},
                                {energy, "energy (J)"},
                                {power, "power (W)"},
                                {heat_flux, "heat flux (W/m^2)"},
                                {density, "density (kg/m^3)"},
                                {force / length, "stiffness (N/m)"},
                                {pressure / length, "contact stiffness (Pa/m)"},
                                {heat_flux / temperature, "heat transfer coefficient (W/(m^2 K))"}};
  for (const auto& k : known)
    if (k.d == d) return k.name;
  return "quantity in " + d.str();
}

namespace {
struct UnitDef {
  Real scale;
  Dimension dim;
};

const std::map<std::string, UnitDef, std::less<>>& base_units() {
  static const std::map<std::string, UnitDef, std::less<>> u = {{"m", {1, length}},
                                                                {"g", {1e-3, mass}},
                                                                {"s", {1, time}},
                                                                {"K", {1, temperature}},
                                                                {"N", {1, force}},
                                                                {"Pa", {1, pressure}},
                                                                {"J", {1, energy}},
                                                                {"W", {1, power}},
                                                                {"Hz", {1, frequency}},
                                                                {"min", {60, time}},
                                                                {"h", {3600, time}},
                                                                {"L", {1e-3, Dimension{{0, 3, 0, 0}}}},
                                                                {"bpm", {1.0 / 60, frequency}},
                                                                {"mmHg", {133.322387415, pressure}},
                                                                {"1", {1, dimensionless}},
                                                                {"%", {0.01, dimensionless}},
                                                                {"mol", {1, dimensionless}}};
  return u;
}

const std::map<std::string, Real, std::less<>>& prefixes() {
  static const std::map<std::string, Real, std::less<>> p = {{"n", 1e-9}, {"u", 1e-6}, {"mu", 1e-6},
                                                             {"m", 1e-3}, {"c", 1e-2}, {"d", 1e-1},
                                                             {"k", 1e3},  {"M", 1e6},  {"G", 1e9}};
  return p;
}

std::optional<UnitDef> lookup(std::string_view sym) {
  const auto& b = base_units();
  if (auto it = b.find(sym); it != b.end()) return it->second;
  for (const auto& [pre, f] : prefixes()) {
    if (sym.size() > pre.size() && sym.substr(0, pre.size()) == pre) {
      const std::string_view rest = sym.substr(pre.size());
      if (rest == "min" || rest == "h" || rest == "bpm" || rest == "mmHg" || rest == "%") continue;
      if (auto it = b.find(rest); it != b.end()) return UnitDef{f * it->second.scale, it->second.dim};
    }
  }
  return std::nullopt;
}

/// Recursive-descent parser of unit expressions: "cm/s", "W/m^2", "kg*m/s^2", "J/(kg K)", "mL/min/kg".
/// A '/' divides by the next factor only; a space or '*' multiplies.
class UnitParser {
 public:
  UnitParser(std::string_view expr, std::string_view field, std::string_view whole)
      : s_(expr), field_(field), whole_(whole) {}

  UnitDef parse() {
    UnitDef u = product();
    skip();
    if (i_ != s_.size())
      fail("unexpected '" + std::string(1, s_[i_]) + "' in unit of '" + std::string(whole_) + "'");
    return u;
  }

 private:
  // Bounds that keep absurd input (found by tests/fuzz/fuzz_units) from looping for minutes, overflowing the
  // exponents or the stack: no unit of a physical quantity comes near them.
  static constexpr int kMaxPower = 12;     // |n| in "^n"
  static constexpr int kMaxExponent = 24;  // |exponent| of kg, m, s, K in the whole unit
  static constexpr int kMaxDepth = 16;     // nested parentheses

  [[noreturn]] void fail(const std::string& m) const { throw InputError(std::string(field_), m); }
  void skip() {
    while (i_ < s_.size() && s_[i_] == ' ') ++i_;
  }
  void combine(UnitDef& a, const UnitDef& b, int sign) const {
    a.scale *= sign > 0 ? b.scale : 1.0 / b.scale;
    a.dim = sign > 0 ? a.dim * b.dim : a.dim / b.dim;
    for (int e : a.dim.e)
      if (std::abs(e) > kMaxExponent)
        fail("unit of '" + std::string(whole_) + "' has a power beyond " + std::to_string(kMaxExponent));
  }
  UnitDef product() {
    UnitDef u = factor();
    for (;;) {
      skip();
      if (i_ >= s_.size() || s_[i_] == ')') return u;
      int sign = 1;
      if (s_[i_] == '/') {
        sign = -1;
        ++i_;
      } else if (s_[i_] == '*') {
        ++i_;
      }
      skip();
      combine(u, factor(), sign);
    }
  }
  UnitDef factor() {
    UnitDef base;
    if (i_ < s_.size() && s_[i_] == '(') {
      if (++depth_ > kMaxDepth)
        fail("unit of '" + std::string(whole_) + "' nests more than " + std::to_string(kMaxDepth) +
             " parentheses");
      ++i_;
      base = product();
      --depth_;
      if (i_ >= s_.size() || s_[i_] != ')') fail("missing ')' in unit of '" + std::string(whole_) + "'");
      ++i_;
    } else {
      const size_t j0 = i_;
      while (i_ < s_.size() && std::string_view("*/^() ").find(s_[i_]) == std::string_view::npos) ++i_;
      const std::string_view sym = s_.substr(j0, i_ - j0);
      const auto def = lookup(sym);
      if (sym.empty() || !def)
        fail("unknown unit '" + std::string(sym) + "' in '" + std::string(whole_) +
             "' (known: m, g, s, K, N, Pa, J, W, Hz, mol, L, min, h, degC, mmHg, % with prefixes n u m c d k "
             "M G)");
      base = *def;
    }
    if (i_ < s_.size() && s_[i_] == '^') {
      size_t k = ++i_;
      while (k < s_.size() && (s_[k] == '-' || std::isdigit(static_cast<unsigned char>(s_[k])))) ++k;
      int power = 0;
      const std::string_view p = s_.substr(i_, k - i_);
      if (p.empty() || std::from_chars(p.data(), p.data() + p.size(), power).ec != std::errc{})
        fail("malformed exponent in unit of '" + std::string(whole_) + "'");
      if (power > kMaxPower || power < -kMaxPower)
        fail("exponent " + std::string(p) + " in unit of '" + std::string(whole_) + "' is beyond +-" +
             std::to_string(kMaxPower));
      i_ = k;
      UnitDef out{1, dimensionless};
      for (int r = 0; r < std::abs(power); ++r) combine(out, base, power > 0 ? 1 : -1);
      return out;
    }
    return base;
  }
  std::string_view s_, field_, whole_;
  size_t i_ = 0;
  int depth_ = 0;
};

UnitDef parse_unit(std::string_view expr, std::string_view field, std::string_view whole) {
  return UnitParser(expr, field, whole).parse();
}
}  // namespace

Quantity parse(std::string_view text, std::string_view field) {
  const std::string whole(text);
  size_t b = 0, e = text.size();
  while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
  text = text.substr(b, e - b);
  if (text.empty())
    throw InputError(std::string(field), "empty value; expected a number with a unit, e.g. \"30 N\"");
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{})
    throw InputError(std::string(field), "malformed number in '" + whole + "'; expected e.g. \"30 N\"");
  if (!std::isfinite(value)) throw InputError(std::string(field), "not a finite number: '" + whole + "'");
  std::string_view rest = text.substr(static_cast<size_t>(ptr - text.data()));
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (rest.empty()) return {value, dimensionless};
  if (rest == "degC" || rest == "°C" || rest == "C") return {value + kCelsius, temperature};
  const UnitDef u = parse_unit(rest, field, whole);
  if (!std::isfinite(value * u.scale))
    throw InputError(std::string(field), "not a finite number in SI units: '" + whole + "'");
  return {value * u.scale, u.dim};
}

Real convert(Real value, std::string_view unit, const Dimension& expected, std::string_view field) {
  if (unit == "degC") {
    if (!(expected == temperature))
      throw InputError(std::string(field), "expected a " + describe(expected) + " but the unit is degC");
    return value + kCelsius;
  }
  const UnitDef u = unit.empty() || unit == "1" ? UnitDef{1, dimensionless} : parse_unit(unit, field, unit);
  if (!(u.dim == expected))
    throw InputError(std::string(field), "expected a " + describe(expected) + " but the unit '" +
                                             std::string(unit) + "' is a " + describe(u.dim));
  if (!std::isfinite(value * u.scale))
    throw InputError(std::string(field),
                     "the value in " + std::string(unit) + " is not a finite number in SI units");
  return value * u.scale;
}

Real parse_as(std::string_view text, const Dimension& expected, std::string_view field) {
  const Quantity q = parse(text, field);
  if (!(q.dim == expected))
    throw InputError(std::string(field), "expected a " + describe(expected) + " but '" + std::string(text) +
                                             "' is a " + describe(q.dim));
  return q.value;
}

}  // namespace tissue::units
