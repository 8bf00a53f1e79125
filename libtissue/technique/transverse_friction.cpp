#include "libtissue/technique/transverse_friction.hpp"

#include <algorithm>
#include <cmath>

namespace tissue {

void TransverseFrictionOptions::validate(std::string_view prefix) const {
  tool.validate();
  require_positive(force, prefix, "force");
  require_positive(frequency, prefix, "frequency");
  require_range(frequency, 0, 5, prefix, "frequency", "Hz");
  require_positive(amplitude, prefix, "amplitude");
  require_non_negative(mu, prefix, "mu");
  require_range(eta, 0, 1, prefix, "eta", "");
  require_hand(hand_temperature, hand_conductance, prefix);
  require_positive(duration, prefix, "duration");
  require_non_negative(ramp, prefix, "ramp");
  require_range(2 * ramp, 0, duration, prefix, "ramp", "s (twice the ramp within the duration)");
  require_non_negative(inset, prefix, "inset");
}

TransverseFriction::TransverseFriction(const SkinPatch& patch, Options options)
    : TransverseFriction((options.validate(),
                          PathGenerator(patch).across_fibres(options.amplitude, options.offset_along,
                                                             options.inset, "transverse_friction.amplitude")),
                         options) {}

TransverseFriction::TransverseFriction(Path path, Options options)
    : options_((options.validate(), options)), path_(std::move(path)) {}

ToolCommand TransverseFriction::command(Real t) const {
  const Options& o = options_;
  if (t < 0 || t > o.duration) return ToolCommand::inactive();
  PathState st = oscillate(path_, o.frequency, t);
  st.heading = path_.heading();  // the thumb keeps its orientation along the fibres
  ToolCommand c =
      tool_on_path(path_, st, o.tool, o.force * ramp_envelope(t, o.ramp, o.duration), o.mu, o.eta);
  warm_hand(c, o.hand_temperature, o.hand_conductance);
  return c;
}

Real TransverseFriction::max_dt(Real t) const {
  const Options& o = options_;
  const Real peak_speed = M_PI * o.frequency * path_.length();  // (L/2) * 2 pi f
  return std::min({1.0 / (kStepsPerPeriod * o.frequency), glide_max_dt(o.tool, peak_speed),
                   ramp_max_dt(t, o.ramp, o.duration)});
}

}  // namespace tissue
