#include "libtissue/technique/percussion.hpp"

#include <algorithm>
#include <cmath>

namespace tissue {

namespace {
// Fractional part of t * f in [0, 1).
Real phase(Real t, Real f) {
  const Real x = t * f;
  return x - std::floor(x);
}
}  // namespace

void PercussionOptions::validate(std::string_view prefix) const {
  tool.validate();
  require_positive(peak_force, prefix, "peak_force");
  require_range(frequency, 1, 20, prefix, "frequency", "Hz");
  require_positive(contact_fraction, prefix, "contact_fraction");
  require_range(contact_fraction, 0, 1, prefix, "contact_fraction", "");
  require_non_negative(glide_speed, prefix, "glide_speed");
  require_non_negative(mu, prefix, "mu");
  require_range(eta, 0, 1, prefix, "eta", "");
  require_hand(hand_temperature, hand_conductance, prefix);
  require_positive(duration, prefix, "duration");
  require_non_negative(inset, prefix, "inset");
}

Percussion::Percussion(const SkinPatch& patch, Options options)
    : Percussion(
          (options.validate(), PathGenerator(patch).along_fibres(options.inset, 0, "percussion.inset")),
          options) {}

Percussion::Percussion(Path path, Options options)
    : options_((options.validate(), options)), path_(std::move(path)) {}

ToolCommand Percussion::command(Real t) const {
  const Options& o = options_;
  if (t < 0 || t > o.duration) return ToolCommand::inactive();
  const Real ph = phase(t, o.frequency);
  const Real force = ph < o.contact_fraction ? o.peak_force * std::sin(M_PI * ph / o.contact_fraction) : 0.0;
  ToolCommand c = tool_on_path(path_, reciprocate(path_, o.glide_speed, t), o.tool, force, o.mu, o.eta);
  if (force > 0) warm_hand(c, o.hand_temperature, o.hand_conductance);  // lifted between taps
  return c;
}

Real Percussion::max_dt(Real) const {
  const Options& o = options_;
  return std::min({1.0 / (kStepsPerPeriod * o.frequency), o.contact_fraction / (10 * o.frequency),
                   glide_max_dt(o.tool, o.glide_speed)});
}

void MassageGunOptions::validate(std::string_view prefix) const {
  head.validate();
  require_range(frequency, 20, 53, prefix, "frequency", "Hz (massage-gun range, Sams et al. 2023)");
  require_positive(stroke, prefix, "stroke");
  require_range(stroke, 0, 0.03, prefix, "stroke", "m");
  require_non_negative(preload_depth, prefix, "preload_depth");
  require_positive(stall_force, prefix, "stall_force");
  require_non_negative(glide_speed, prefix, "glide_speed");
  require_non_negative(mu, prefix, "mu");
  require_range(eta, 0, 1, prefix, "eta", "");
  require_positive(duration, prefix, "duration");
  require_non_negative(inset, prefix, "inset");
  require_range(steps_per_cycle, min_steps_per_cycle, max_steps_per_cycle, prefix, "steps_per_cycle", "");
}

MassageGun::MassageGun(const SkinPatch& patch, Options options)
    : MassageGun(
          (options.validate(), PathGenerator(patch).along_fibres(options.inset, 0, "massage_gun.inset")),
          options) {}

MassageGun::MassageGun(Path path, Options options)
    : options_((options.validate(), options)), path_(std::move(path)) {}

ToolCommand MassageGun::command(Real t) const {
  const Options& o = options_;
  if (t < 0 || t > o.duration) return ToolCommand::inactive();
  ToolCommand c = tool_on_path(path_, reciprocate(path_, o.glide_speed, t), o.head, 0.0, o.mu, o.eta);
  c.control = ToolControl::depth;
  c.depth = o.preload_depth + 0.5 * o.stroke * (1 - std::cos(2 * M_PI * o.frequency * t));
  c.force_limit = o.stall_force;
  return c;
}

Real MassageGun::max_dt(Real) const {
  const Options& o = options_;
  return std::min(1.0 / (o.steps_per_cycle * o.frequency), glide_max_dt(o.head, o.glide_speed));
}

void VibrationOptions::validate(std::string_view prefix) const {
  tool.validate();
  require_positive(mean_force, prefix, "mean_force");
  require_range(amplitude, 0, mean_force, prefix, "amplitude",
                "N (at most mean_force, so the palm stays on)");
  require_range(frequency, 1, 100, prefix, "frequency", "Hz");
  require_non_negative(glide_speed, prefix, "glide_speed");
  require_non_negative(mu, prefix, "mu");
  require_range(eta, 0, 1, prefix, "eta", "");
  require_hand(hand_temperature, hand_conductance, prefix);
  require_positive(duration, prefix, "duration");
  require_non_negative(ramp, prefix, "ramp");
  require_range(2 * ramp, 0, duration, prefix, "ramp", "s (twice the ramp within the duration)");
  require_non_negative(inset, prefix, "inset");
}

Vibration::Vibration(const SkinPatch& patch, Options options)
    : Vibration(
          (options.validate(), options.glide_speed > 0
                                   ? PathGenerator(patch).along_fibres(options.inset, 0, "vibration.inset")
                                   : PathGenerator(patch).point(0, 0, "vibration.inset")),
          options) {}

Vibration::Vibration(Path path, Options options)
    : options_((options.validate(), options)), path_(std::move(path)) {}

ToolCommand Vibration::command(Real t) const {
  const Options& o = options_;
  if (t < 0 || t > o.duration) return ToolCommand::inactive();
  const Real force = ramp_envelope(t, o.ramp, o.duration) *
                     (o.mean_force + o.amplitude * std::sin(2 * M_PI * o.frequency * t));
  ToolCommand c = tool_on_path(path_, reciprocate(path_, o.glide_speed, t), o.tool, force, o.mu, o.eta);
  warm_hand(c, o.hand_temperature, o.hand_conductance);
  return c;
}

Real Vibration::max_dt(Real t) const {
  const Options& o = options_;
  return std::min({1.0 / (kStepsPerPeriod * o.frequency), glide_max_dt(o.tool, o.glide_speed),
                   ramp_max_dt(t, o.ramp, o.duration)});
}

}  // namespace tissue
