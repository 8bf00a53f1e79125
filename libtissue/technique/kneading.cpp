#include "libtissue/technique/kneading.hpp"

#include <algorithm>
#include <cmath>

namespace tissue {

void KneadingOptions::validate(std::string_view prefix) const {
  tool.validate();
  require_positive(force, prefix, "force");
  require_range(modulation, 0, 1, prefix, "modulation", "");
  require_positive(frequency, prefix, "frequency");
  require_range(frequency, 0, 5, prefix, "frequency", "Hz");
  require_positive(radius, prefix, "radius");
  require_non_negative(glide_speed, prefix, "glide_speed");
  require_non_negative(mu, prefix, "mu");
  require_range(eta, 0, 1, prefix, "eta", "");
  require_hand(hand_temperature, hand_conductance, prefix);
  require_positive(duration, prefix, "duration");
  require_non_negative(ramp, prefix, "ramp");
  require_range(2 * ramp, 0, duration, prefix, "ramp", "s (twice the ramp within the duration)");
  require_non_negative(inset, prefix, "inset");
}

Kneading::Kneading(const SkinPatch& patch, Options options)
    : Kneading((options.validate(),
                PathGenerator(patch).along_fibres(options.inset + options.radius, 0, "kneading.radius")),
               options) {}

Kneading::Kneading(Path centre_path, Options options)
    : options_((options.validate(), options)), path_(std::move(centre_path)) {}

ToolCommand Kneading::command(Real t) const {
  const Options& o = options_;
  if (t < 0 || t > o.duration) return ToolCommand::inactive();
  const PathState centre = reciprocate(path_, o.glide_speed, t);
  // Circle in the skin plane spanned by the path heading e1 and e2 = normal x e1.
  const Vec3 e1 = path_.tangent(0);
  const Vec3 e2 = path_.normal().cross(e1).normalized();
  const Real w = 2 * M_PI * o.frequency, c = std::cos(w * t), s = std::sin(w * t);
  PathState st;
  st.position = centre.position + o.radius * (c * e1 + s * e2);
  st.velocity = centre.velocity + o.radius * w * (-s * e1 + c * e2);
  st.heading = path_.tangent(0);  // the hand keeps its orientation while circling
  const Real force = o.force * (1 + o.modulation * std::sin(w * t)) * ramp_envelope(t, o.ramp, o.duration);
  ToolCommand cmd = tool_on_path(path_, st, o.tool, force, o.mu, o.eta);
  warm_hand(cmd, o.hand_temperature, o.hand_conductance);
  return cmd;
}

Real Kneading::max_dt(Real t) const {
  const Options& o = options_;
  const Real speed = o.glide_speed + 2 * M_PI * o.frequency * o.radius;
  return std::min({1.0 / (kStepsPerSlowPeriod * o.frequency), glide_max_dt(o.tool, speed),
                   ramp_max_dt(t, o.ramp, o.duration)});
}

}  // namespace tissue
