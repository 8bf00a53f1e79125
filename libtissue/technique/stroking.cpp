#include "libtissue/technique/stroking.hpp"

#include <algorithm>

#include "libtissue/core/error.hpp"

namespace tissue {

namespace {

template <class O>
void validate_glide(const O& o, std::string_view prefix) {
  o.tool.validate();
  require_positive(o.force, prefix, "force");
  require_positive(o.speed, prefix, "speed");
  require_non_negative(o.mu, prefix, "mu");
  require_range(o.eta, 0, 1, prefix, "eta", "");
  require_hand(o.hand_temperature, o.hand_conductance, prefix);
  require_positive(o.duration, prefix, "duration");
  require_non_negative(o.ramp, prefix, "ramp");
  require_non_negative(o.inset, prefix, "inset");
  if (o.lanes < 1) throw InputError(std::string(prefix) + ".lanes", "must be at least 1");
  if (2 * o.ramp > o.duration)
    throw InputError(std::string(prefix) + ".ramp", "ramp-in plus ramp-out must not exceed the duration");
}

template <class O>
GlideMotion make_glide(Path path, const O& o) {
  return GlideMotion{std::move(path),    o.tool, o.force,   o.speed, o.mu, o.eta, o.hand_temperature,
                     o.hand_conductance, o.ramp, o.duration};
}

}  // namespace

ToolCommand GlideMotion::command(Real t) const {
  if (t < 0 || t > duration) return ToolCommand::inactive();
  ToolCommand c = tool_on_path(path, reciprocate(path, speed, t), tool,
                               force * ramp_envelope(t, ramp, duration), mu, eta);
  warm_hand(c, hand_temperature, hand_conductance);
  return c;
}

Real GlideMotion::max_dt(Real t) const {
  return std::min(glide_max_dt(tool, speed), ramp_max_dt(t, ramp, duration));
}

std::optional<Real> GlideMotion::period() const {
  if (!(speed > 0) || !(path.length() > 0)) return std::nullopt;
  return 2 * path.length() / speed;
}

void StrokingOptions::validate(std::string_view prefix) const {
  validate_glide(*this, prefix);
}
void DeepStrokingOptions::validate(std::string_view prefix) const {
  validate_glide(*this, prefix);
}

Stroking::Stroking(const SkinPatch& patch, Options options)
    : Stroking(
          (options.validate(), PathGenerator(patch).lanes(options.lanes, options.inset, "stroking.inset")),
          options) {}

Stroking::Stroking(Path path, Options options)
    : options_((options.validate(), options)), motion_(make_glide(std::move(path), options_)) {}

DeepStroking::DeepStroking(const SkinPatch& patch, Options options)
    : DeepStroking((options.validate(),
                    PathGenerator(patch).lanes(options.lanes, options.inset, "deep_stroking.inset")),
                   options) {}

DeepStroking::DeepStroking(Path path, Options options)
    : options_((options.validate(), options)), motion_(make_glide(std::move(path), options_)) {}

}  // namespace tissue
