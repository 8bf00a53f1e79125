// What a massage tool does at one instant: pose, footprint, force or depth target, sliding velocity,
// lubrication and temperature. Produced by a technique (technique/), consumed by ContactLoad.
#pragma once

#include <limits>
#include <optional>
#include <string_view>

#include "libtissue/core/types.hpp"
#include "libtissue/loading/footprint.hpp"

namespace tissue {

/// Friction coefficients of a tool sliding on skin (dynamic, dimensionless).
namespace friction {
/// Dry skin, in vivo, dynamic: median of 450 measurements (Veijgen et al. 2013, Tribol Lett 49:251).
inline constexpr Real dry_skin = 0.36;
/// Dry skin, in vivo, static (Veijgen et al. 2013, Tribol Lett 49:251); for reference only.
inline constexpr Real dry_skin_static = 0.52;
/// Skin lubricated with massage oil: calibration choice (0.05-0.1 range; oils lower skin friction
/// severalfold against the dry value, no single published in vivo figure adopted).
inline constexpr Real oiled_skin = 0.08;
}  // namespace friction

/// Fraction of the friction power that enters the skin (the rest heats the tool): calibration choice,
/// 0.5 = equal partition between two bodies of similar thermal effusivity (hand on skin).
inline constexpr Real kDefaultFrictionHeatFraction = 0.5;

/// How the normal load of a tool is prescribed.
enum class ToolControl {
  force,  ///< total normal force is prescribed (hands, stones, packs)
  depth   ///< indentation along the push direction is prescribed (massage gun), capped at force_limit
};

/// Returns "force" or "depth".
std::string_view to_string(ToolControl c);

/// The tool's state at one instant. All vectors in reference coordinates; SI units.
struct ToolCommand {
  bool active = true;                        ///< false: no tool on the skin (rest, lifted, finished)
  ToolPose pose;                             ///< contact centre, footprint orientation, push direction
  Footprint footprint = Footprint::palm();   ///< contact shape
  ToolControl control = ToolControl::force;  ///< what is prescribed: force or depth
  Real force = 0;                            ///< normal force [N] (control == force)
  Real depth = 0;                            ///< target indentation along pose.push [m] (control == depth)
  /// Largest normal force the tool can apply [N]: the stall force of a massage gun (depth control);
  /// infinite for hands.
  Real force_limit = std::numeric_limits<Real>::infinity();
  Vec3 velocity = Vec3::Zero();             ///< tool velocity relative to the skin [m/s]; only the
                                            ///< tangential part slides
  Real mu = friction::oiled_skin;           ///< dynamic friction coefficient tool/skin [-]
  Real eta = kDefaultFrictionHeatFraction;  ///< fraction of friction heat entering the skin [-]
  std::optional<Real> tool_temperature;     ///< tool surface temperature [K] (hot stone, heat pack)
  Real heat_transfer = 0;                   ///< contact conductance tool/skin [W/m^2/K]

  /// A command with no tool on the skin.
  static ToolCommand inactive();
  /// Throws InputError naming `prefix.<field>` for negative force/depth/mu/h, eta outside [0, 1],
  /// a non-unit push direction or a non-positive tool temperature.
  void validate(std::string_view prefix = "tool") const;
};

/// Normal force that drives a depth-controlled tool towards its target: a stiff spring between the
/// commanded head position and the skin, F = clamp(k (depth - indentation), 0, force_limit) [N].
/// `indentation` is the current skin displacement along pose.push at the contact centre [m] and
/// `stiffness` k [N/m] is the tool's drive stiffness (calibration choice; choose it well above the
/// tissue's contact stiffness, e.g. 1e5 N/m, so the target is met unless the tool stalls).
Real depth_control_force(const ToolCommand& cmd, Real indentation, Real stiffness);

}  // namespace tissue
