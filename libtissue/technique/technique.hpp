// The Technique interface: where the tool is and what it does at time t. Pure kinematics: no mesh
// dofs, no solver. Named techniques live in the other headers of this folder.
#pragma once

#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "libtissue/core/types.hpp"
#include "libtissue/loading/tool_command.hpp"
#include "libtissue/technique/path.hpp"

namespace tissue {

/// A massage technique: tool kinematics and contact settings as a function of local time t [s],
/// t = 0 at the start of the technique. command(t) is inactive outside [0, duration()].
class Technique {
 public:
  virtual ~Technique() = default;
  /// Technique key, e.g. "stroking" (the name a session file uses).
  virtual std::string_view name() const = 0;
  /// Pose, velocity, force or depth target, mu, tool temperature at time t [s].
  virtual ToolCommand command(Real t) const = 0;
  /// Largest mechanical time step that resolves the load near t [s] (infinity if the load is
  /// constant; never beyond the next kink of the load history when it is piecewise linear).
  virtual Real max_dt(Real t) const = 0;
  /// Period of a cyclic load [s] (enables cycle averaging), or nullopt.
  virtual std::optional<Real> period() const { return std::nullopt; }
  /// Whether the period is a slow back-and-forth glide (strokes, gliding stones: one round trip) rather
  /// than a fast cycle (gun, kneading, vibration); the two get their own cycle-averaging windows.
  virtual bool reciprocating() const { return false; }
  /// Length of the force ramp-in and of the ramp-out [s]: the load repeats with its period only between them
  /// (0: no ramps).
  virtual Real ramp() const { return 0; }
  /// Duration of the technique [s].
  virtual Real duration() const = 0;
  /// Target region name the path was generated over ("" for explicit paths).
  virtual std::string_view target() const { return {}; }
};

/// Fraction of the footprint's smaller semi-axis a gliding tool may travel per mechanical step
/// (numerical choice: two semi-axes, one footprint width, about the time a skin point spends under the
/// tool; the session engine samples the tool 8 times per step for the heat and pressure sources, so those
/// move a quarter semi-axis per sample).
inline constexpr Real kGlideFractionPerStep = 2.0;
/// Mechanical steps per period of a cyclic force (numerical choice: 20 resolves the fundamental with < 2%
/// amplitude error for second-order integrators).
inline constexpr Real kStepsPerPeriod = 20;
/// Mechanical steps per stroke cycle of the massage gun's rigid head (numerical choice, measured against 40
/// steps per cycle on 60 s of the gun over the coarse model's gluteus medius, benchmarks/RESULTS.md: 20 steps
/// move the tool work by +7 %, 12 steps by +88 %, because the window where the ball presses 80 N near the
/// bone is resolved too coarsely and its cycle is repeated 298 times).
inline constexpr int kGunStepsPerCycle = 20;
/// Mechanical steps per period of a slow hand cycle (kneading, about 1 Hz: a smooth force and a circling
/// hand; numerical choice, the heat sources are sampled finer along the circle).
inline constexpr Real kStepsPerSlowPeriod = 8;
/// Mechanical steps per linear force ramp (numerical choice).
inline constexpr Real kStepsPerRamp = 8;

/// Linear ramp-in over `ramp` [s] from t = 0 and ramp-out over `ramp` before `duration` [s]: a
/// factor in [0, 1] (1 throughout when ramp = 0; 0 outside [0, duration]).
Real ramp_envelope(Real t, Real ramp, Real duration);
/// max_dt contribution of the envelope: ramp / kStepsPerRamp inside a ramp, but never past the
/// ramp's end; infinity on the plateau (before the ramp-out, the time left to it).
Real ramp_max_dt(Real t, Real ramp, Real duration);
/// max_dt of a tool gliding at `speed` [m/s] with footprint `fp`: kGlideFractionPerStep * min(a, b) / speed.
Real glide_max_dt(const Footprint& fp, Real speed);

/// A command with the tool at `state` on `path`: centre, footprint u axis along the heading, push
/// along -path.normal(), velocity; force control with `force` [N], friction mu and heat fraction eta.
ToolCommand tool_on_path(const Path& path, const PathState& state, const Footprint& fp, Real force, Real mu,
                         Real eta);

/// Throws InputError(prefix.field) unless v > 0 and finite.
void require_positive(Real v, std::string_view prefix, std::string_view field);
/// Throws InputError(prefix.field) unless v >= 0 and finite.
void require_non_negative(Real v, std::string_view prefix, std::string_view field);
/// Throws InputError(prefix.field) unless lo <= v <= hi.
void require_range(Real v, Real lo, Real hi, std::string_view prefix, std::string_view field,
                   std::string_view unit);

/// The therapist's hand skin temperature [K]: 33 degC, a working palm (data/physiology/hand_contact.toml,
/// [model.hand_temperature]: resting hands 31.6 +- 2.1 degC, Kozlowski et al.; calibration choice).
inline constexpr Real kHandTemperature = kCelsius + 33.0;
/// Hand/skin contact conductance [W/m^2/K] through a thin oil film (hand_contact.toml,
/// [model.contact_conductance_hand_skin]: 1,000-5,000, a derived bound; calibration choice). Not the options'
/// default (0, no conduction): the built-in model's skin (35 degC mean under 5 W/(m^2 K) to 22 degC air) is
/// warmer than a 33 degC hand, which would cool it; docs/techniques.md.
inline constexpr Real kHandConductance = 2000.0;
/// Makes a hand tool a heat source: tool temperature `temperature` [K] and contact conductance
/// `conductance` [W/m^2/K] over the footprint (nothing when the conductance is 0).
void warm_hand(ToolCommand& c, Real temperature, Real conductance);
/// Throws InputError "<prefix>.hand_temperature" outside 15-45 degC or "<prefix>.hand_conductance" if
/// negative.
void require_hand(Real temperature, Real conductance, std::string_view prefix);

}  // namespace tissue
