#include "libtissue/technique/static_compression.hpp"

#include <algorithm>
#include <limits>

namespace tissue {

void StaticCompressionOptions::validate(std::string_view prefix) const {
  tool.validate();
  require_positive(force, prefix, "force");
  require_positive(ramp, prefix, "ramp");
  require_non_negative(hold, prefix, "hold");
  require_positive(release, prefix, "release");
  require_hand(hand_temperature, hand_conductance, prefix);
}

StaticCompression::StaticCompression(const SkinPatch& patch, Options options)
    : StaticCompression(
          (options.validate(), PathGenerator(patch).point(options.offset_along, options.offset_across,
                                                          "static_compression.offset")),
          options) {}

StaticCompression::StaticCompression(Path path, Options options)
    : options_((options.validate(), options)),
      path_(Path({path.point(0)}, path.normal(), path.heading(), path.region())) {}

Real StaticCompression::force(Real t) const {
  const Options& o = options_;
  if (t < 0 || t > duration()) return 0;
  if (t < o.ramp) return o.force * t / o.ramp;
  if (t <= o.ramp + o.hold) return o.force;
  return o.force * std::max(Real(0), (duration() - t) / o.release);
}

ToolCommand StaticCompression::command(Real t) const {
  if (t < 0 || t > duration()) return ToolCommand::inactive();
  PathState st;
  st.position = path_.point(0);
  st.heading = path_.heading();
  ToolCommand c =
      tool_on_path(path_, st, options_.tool, force(t), friction::dry_skin, kDefaultFrictionHeatFraction);
  warm_hand(c, options_.hand_temperature, options_.hand_conductance);
  return c;
}

Real StaticCompression::max_dt(Real t) const {
  const Options& o = options_;
  const Real t1 = o.ramp, t2 = o.ramp + o.hold, t3 = duration();
  const Real tiny = 1e-9 * t3;
  if (t < t1 - tiny) return std::min(o.ramp / kStepsPerRamp, t1 - t);
  if (t < t2 - tiny) return t2 - t;
  if (t < t3 - tiny) return std::min(o.release / kStepsPerRamp, t3 - t);
  return std::numeric_limits<Real>::infinity();
}

}  // namespace tissue
