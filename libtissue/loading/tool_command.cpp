#include "libtissue/loading/tool_command.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "libtissue/core/error.hpp"

namespace tissue {

std::string_view to_string(ToolControl c) {
  return c == ToolControl::force ? "force" : "depth";
}

ToolCommand ToolCommand::inactive() {
  ToolCommand c;
  c.active = false;
  return c;
}

void ToolCommand::validate(std::string_view prefix) const {
  const std::string p(prefix);
  auto non_negative = [&](Real v, const char* field) {
    if (!(v >= 0) || std::isnan(v))
      throw InputError(p + "." + field, "must not be negative, got " + std::to_string(v));
  };
  footprint.validate();
  non_negative(force, "force");
  non_negative(depth, "depth");
  non_negative(force_limit, "force_limit");
  non_negative(mu, "mu");
  non_negative(heat_transfer, "heat_transfer");
  if (!(eta >= 0 && eta <= 1)) throw InputError(p + ".eta", "must lie in [0, 1], got " + std::to_string(eta));
  if (std::abs(pose.push.norm() - 1) > 1e-6)
    throw InputError(p + ".push", "must be a unit vector, got length " + std::to_string(pose.push.norm()));
  if (!velocity.allFinite()) throw InputError(p + ".velocity", "must be finite");
  if (tool_temperature && !(*tool_temperature > 0))
    throw InputError(p + ".tool_temperature",
                     "must be positive (kelvin), got " + std::to_string(*tool_temperature));
}

Real depth_control_force(const ToolCommand& cmd, Real indentation, Real stiffness) {
  if (!(stiffness > 0))
    throw InputError("tool.stiffness", "must be positive, got " + std::to_string(stiffness));
  if (!cmd.active) return 0;
  return std::clamp(stiffness * (cmd.depth - indentation), Real(0), cmd.force_limit);
}

}  // namespace tissue
