#include "libtissue/technique/technique.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "libtissue/core/error.hpp"

namespace tissue {

namespace {
std::string num(Real v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}
std::string field_name(std::string_view prefix, std::string_view field) {
  return std::string(prefix) + "." + std::string(field);
}
}  // namespace

Real ramp_envelope(Real t, Real ramp, Real duration) {
  if (t < 0 || t > duration) return 0;
  if (!(ramp > 0)) return 1;
  return std::clamp(std::min(t, duration - t) / ramp, Real(0), Real(1));
}

Real ramp_max_dt(Real t, Real ramp, Real duration) {
  constexpr Real inf = std::numeric_limits<Real>::infinity();
  if (t < 0) return inf;
  if (!(ramp > 0)) return duration - t > 0 ? duration - t : inf;
  const Real dt = ramp / kStepsPerRamp;
  const Real tiny = 1e-9 * ramp;
  if (t < ramp - tiny) return std::min(dt, ramp - t);          // ramp-in
  if (t < duration - ramp - tiny) return duration - ramp - t;  // plateau: up to the ramp-out
  if (t < duration - tiny) return std::min(dt, duration - t);  // ramp-out
  return inf;
}

Real glide_max_dt(const Footprint& fp, Real speed) {
  if (!(speed > 0)) return std::numeric_limits<Real>::infinity();
  return kGlideFractionPerStep * std::min(fp.a, fp.b) / speed;
}

ToolCommand tool_on_path(const Path& path, const PathState& state, const Footprint& fp, Real force, Real mu,
                         Real eta) {
  ToolCommand c;
  c.pose.centre = state.position;
  c.pose.u_axis = state.heading;
  c.pose.push = -path.normal();
  c.footprint = fp;
  c.control = ToolControl::force;
  c.force = force;
  c.velocity = state.velocity;
  c.mu = mu;
  c.eta = eta;
  return c;
}

void warm_hand(ToolCommand& c, Real temperature, Real conductance) {
  if (!(conductance > 0)) return;
  c.tool_temperature = temperature;
  c.heat_transfer = conductance;
}

void require_hand(Real temperature, Real conductance, std::string_view prefix) {
  require_range(temperature, kCelsius + 15.0, kCelsius + 45.0, prefix, "hand_temperature", "K");
  require_non_negative(conductance, prefix, "hand_conductance");
}

void require_positive(Real v, std::string_view prefix, std::string_view field) {
  if (!(v > 0) || !std::isfinite(v))
    throw InputError(field_name(prefix, field), "must be positive, got " + num(v));
}

void require_non_negative(Real v, std::string_view prefix, std::string_view field) {
  if (!(v >= 0) || !std::isfinite(v))
    throw InputError(field_name(prefix, field), "must not be negative, got " + num(v));
}

void require_range(Real v, Real lo, Real hi, std::string_view prefix, std::string_view field,
                   std::string_view unit) {
  if (v >= lo && v <= hi) return;
  // `unit` is a symbol, optionally followed by a note in parentheses: "Hz (massage-gun range)".
  std::string symbol(unit.substr(0, unit.find(" (")));
  const std::string note(unit.size() > symbol.size() ? unit.substr(symbol.size()) : std::string_view());
  if (symbol == "K") {  // temperatures as written in session files
    lo -= kCelsius, hi -= kCelsius, v -= kCelsius;
    symbol = "degC";
  }
  const std::string u = symbol.empty() ? "" : " " + symbol;
  throw InputError(field_name(prefix, field),
                   "must lie in [" + num(lo) + ", " + num(hi) + "]" + u + ", got " + num(v) + u + note);
}

}  // namespace tissue
