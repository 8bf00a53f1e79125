#include "libtissue/technique/thermal_techniques.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tissue {

namespace {
constexpr Real kBody = kCelsius + 37.0;  // temperature a cooling stone tends to [K]
}

void HeatPackOptions::validate(std::string_view prefix) const {
  pack.validate();
  require_range(temperature, kCelsius, kCelsius + 70, prefix, "temperature", "K");
  require_non_negative(heat_transfer, prefix, "heat_transfer");
  require_non_negative(force, prefix, "force");
  require_positive(duration, prefix, "duration");
}

HeatPack::HeatPack(const SkinPatch& patch, Options options)
    : HeatPack((options.validate(),
                PathGenerator(patch).point(options.offset_along, options.offset_across, "heat_pack.offset")),
               options) {}

HeatPack::HeatPack(Path path, Options options)
    : options_((options.validate(), options)),
      path_(Path({path.point(0)}, path.normal(), path.heading(), path.region())) {}

ToolCommand HeatPack::command(Real t) const {
  if (t < 0 || t > options_.duration) return ToolCommand::inactive();
  PathState st;
  st.position = path_.point(0);
  st.heading = path_.heading();
  ToolCommand c = tool_on_path(path_, st, options_.pack, options_.force, 0.0, kDefaultFrictionHeatFraction);
  c.tool_temperature = options_.temperature;
  c.heat_transfer = options_.heat_transfer;
  return c;
}

Real HeatPack::max_dt(Real t) const {
  return t < options_.duration ? options_.duration - t : std::numeric_limits<Real>::infinity();
}

void HotStoneOptions::validate(std::string_view prefix) const {
  stone.validate();
  require_range(temperature, kCelsius, kCelsius + 70, prefix, "temperature", "K");
  require_non_negative(heat_transfer, prefix, "heat_transfer");
  require_non_negative(cooling_time, prefix, "cooling_time");
  require_non_negative(force, prefix, "force");
  require_non_negative(speed, prefix, "speed");
  require_non_negative(mu, prefix, "mu");
  require_range(eta, 0, 1, prefix, "eta", "");
  require_positive(duration, prefix, "duration");
  require_non_negative(ramp, prefix, "ramp");
  require_range(2 * ramp, 0, duration, prefix, "ramp", "s (twice the ramp within the duration)");
  require_non_negative(inset, prefix, "inset");
}

HotStone::HotStone(const SkinPatch& patch, Options options)
    : HotStone((options.validate(),
                options.speed > 0 ? PathGenerator(patch).along_fibres(options.inset, 0, "hot_stone.inset")
                                  : PathGenerator(patch).point(0, 0, "hot_stone.inset")),
               options) {}

HotStone::HotStone(Path path, Options options)
    : options_((options.validate(), options)), path_(std::move(path)) {}

Real HotStone::temperature(Real t) const {
  const Options& o = options_;
  if (!(o.cooling_time > 0)) return o.temperature;
  return kBody + (o.temperature - kBody) * std::exp(-std::max(t, Real(0)) / o.cooling_time);
}

ToolCommand HotStone::command(Real t) const {
  const Options& o = options_;
  if (t < 0 || t > o.duration) return ToolCommand::inactive();
  ToolCommand c = tool_on_path(path_, reciprocate(path_, o.speed, t), o.stone,
                               o.force * ramp_envelope(t, o.ramp, o.duration), o.mu, o.eta);
  c.tool_temperature = temperature(t);
  c.heat_transfer = o.heat_transfer;
  return c;
}

std::optional<Real> HotStone::period() const {
  if (!(options_.speed > 0) || !(path_.length() > 0)) return std::nullopt;
  return 2 * path_.length() / options_.speed;
}

Real HotStone::max_dt(Real t) const {
  const Options& o = options_;
  Real dt = std::min(glide_max_dt(o.stone, o.speed), ramp_max_dt(t, o.ramp, o.duration));
  if (o.cooling_time > 0) dt = std::min(dt, 0.1 * o.cooling_time);
  return dt;
}

}  // namespace tissue
