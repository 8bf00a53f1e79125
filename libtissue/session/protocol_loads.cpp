#include "libtissue/session/protocol_loads.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "libtissue/core/error.hpp"

namespace tissue {
namespace {

/// Most tool samples per substep for the heat and pressure sources of footprints (midpoint rule; one per
/// quarter of the footprint's smaller semi-axis travelled).
constexpr int kLoadSamples = 8;

/// Rounding radius of the flat gun head's edge [m]: geometry choice (a few millimetres on consumer heads).
constexpr Real kFlatHeadEdge = 0.004;

/// Friction heat flux eta mu p |v_t| at a skin point with reference normal n for tool velocity v [W/m^2]
/// (regularised like the friction force).
Real friction_flux(const ToolCommand& c, Real p, const Vec3& n, Real reg) {
  const Vec3 vt = c.velocity - c.velocity.dot(n) * n;
  const Real v2 = vt.squaredNorm();
  return c.eta * c.mu * p * v2 / std::sqrt(v2 + reg * reg);
}

}  // namespace

RigidHead rigid_head_of(const Footprint& fp) {
  const Real r = std::min(fp.a, fp.b);
  if (fp.name == "gun_flat") return RigidHead{std::max(r - kFlatHeadEdge, 0.0), kFlatHeadEdge};
  return RigidHead{0.0, r};  // ball and bullet heads (and any other position-driven tool): a ball
}

ProtocolLoads::ProtocolLoads(const SessionProblems& problems, const Protocol& protocol, Real depth_stiffness,
                             RigidContactOptions contact, Real substep_scale)
    : problems_(problems),
      protocol_(protocol),
      depth_stiffness_(depth_stiffness),
      substep_scale_(substep_scale),
      rigid_(problems.mesh(), problems.solid().dofs(), problems.solid().assembly_map(), problems.skin(),
             contact) {
  require(std::isfinite(depth_stiffness) && depth_stiffness > 0, "run.depth_stiffness", "must be positive");
  require(substep_scale > 0 && substep_scale <= 1, "run.substep_scale", "must lie in (0, 1]");
}

Real ProtocolLoads::max_substep(Real t) const {
  if (substep_scale_ == 1) return protocol_.max_dt(t);
  // A refined run splits each production step (to its end: a plain step or a breakpoint such as a ramp's
  // end) into n = ceil(1 / substep_scale) equal substeps. Scaling each remaining distance instead would
  // approach a breakpoint geometrically and never reach it.
  const Real tol = 1e-9 * std::max(Real(1), std::abs(t));
  if (!(t >= stretch_start_ - tol && t < stretch_end_ - tol)) {
    const Real h = protocol_.max_dt(t);
    const Real n = std::ceil(1 / substep_scale_ - 1e-12);
    stretch_start_ = t;
    stretch_end_ = t + h;
    stretch_step_ = h / n;
  }
  return std::min(stretch_step_, stretch_end_ - t);
}

void ProtocolLoads::loads(Real t0, Real t1, const VectorX& /*u0*/, SubstepLoads& out) {
  // The item active at the substep's start commands its end (the tool stays on up to the end of its block,
  // even where the next item starts at t1).
  state_ = protocol_.at(t0);
  command_ =
      state_.technique ? state_.technique->command(t1 - (t0 - state_.local_time)) : ToolCommand::inactive();
  out.forms.clear();
  out.load.u_prescribed.resize(0);
  rigid_active_ = command_.active && command_.control == ToolControl::depth;
  if (rigid_active_) {
    RigidTool tool;
    tool.head = rigid_head_of(command_.footprint);
    tool.drive.mode = RigidDriveMode::depth;
    tool.drive.depth = command_.depth;
    tool.drive.stiffness = depth_stiffness_;
    tool.drive.force_limit = command_.force_limit;
    tool.origin = command_.pose.centre;
    tool.axis = command_.pose.push.normalized();
    tool.velocity = command_.velocity;
    tool.mu = command_.mu;
    rigid_.set_tool(tool);
    out.forms.push_back(&rigid_);
    out.load.f_ext.resize(0);
    out.loaded = true;
    return;
  }
  interrupt();  // no rigid head now: a later one starts without this one's friction
  f_ext_.setZero(problems_.solid().dofs().n_dofs());
  end_pressure_.clear();
  if (command_.active) {
    FacetLoads L = problems_.contact().evaluate(command_, command_.force);
    problems_.contact().add_forces(L, f_ext_);
    end_pressure_ = std::move(L.pressure);
  }
  out.loaded = !f_ext_.isZero(0);
  out.load.f_ext = f_ext_;
}

template <class ForceAt>
void ProtocolLoads::sample_footprint(const ProtocolState& st, Real tau, Real h, const ForceAt& force_at,
                                     Real friction_scale, StepSources& src) const {
  if (!st.technique) return;
  const Real shift = tau - st.local_time;  // local time of the item = t - shift
  const ToolCommand end = st.technique->command(tau + h - shift);
  const Real travel = end.velocity.norm() * h / std::max(std::min(end.footprint.a, end.footprint.b), 1e-6);
  const int n = std::clamp(static_cast<int>(std::ceil(4 * travel - 1e-9)), 1, kLoadSamples);
  const Real hs = h / n;
  const ContactLoad& contact = problems_.contact();
  const FacetQuadrature& quad = problems_.skin();
  const Index np = quad.size();
  for (int k = 0; k < n; ++k) {
    const Real t = tau + (k + 0.5) / n * h;
    const ToolCommand cs = st.technique->command(t - shift);
    if (!cs.active) continue;
    const Real F = cs.control == ToolControl::depth ? force_at(t) : cs.force;
    const FacetLoads L = contact.evaluate(cs, F);
    for (Index p = 0; p < np; ++p) {
      const auto i = static_cast<size_t>(p);
      if (!L.heat_flux.empty()) src.friction[i] += friction_scale * hs * L.heat_flux[i];
      if (!L.contact_h.empty() && L.contact_h[i] > 0) {
        src.h_dt[i] += hs * L.contact_h[i];
        src.hT_dt[i] += hs * L.contact_h[i] * L.contact_temperature[i];
      }
      if (!L.pressure.empty()) src.peak_pressure[i] = std::max(src.peak_pressure[i], L.pressure[i]);
    }
    if (!L.heat_flux.empty()) src.friction_heat += friction_scale * hs * total_friction_heat(quad, L);
    src.force_max = std::max(src.force_max, F);
  }
}

void ProtocolLoads::accepted(Real t0, Real t1, const VectorX& /*u1*/, StepSources& src) {
  const Real h = t1 - t0;
  if (!command_.active) {
    rigid_prev_valid_ = false;
    src.force_last = 0;
    if (logging_) force_log_.push_back({t1, 0.0});
    return;
  }
  if (!rigid_active_) {
    sample_footprint(state_, t0, h, [](Real) { return 0.0; }, 1.0, src);
    for (size_t i = 0; i < end_pressure_.size(); ++i)  // the substep's end, where the solve put the tool
      src.peak_pressure[i] = std::max(src.peak_pressure[i], end_pressure_[i]);
    src.force_last = command_.force;
    src.force_max = std::max(src.force_max, command_.force);
    if (logging_) force_log_.push_back({t1, command_.force});
    return;
  }
  // Rigid head: the contact pressure of the accepted state, trapezoid in time with the last substep's.
  const FacetQuadrature& quad = problems_.skin();
  const std::vector<Real>& p1 = rigid_.pressure();
  const Real reg = rigid_.options().regularisation_speed;
  const bool hot = command_.tool_temperature.has_value() && command_.heat_transfer > 0;
  const bool had_prev = rigid_prev_valid_;
  if (!had_prev) rigid_pressure_prev_.assign(p1.size(), 0.0);
  const Real friction_before = src.friction_heat;
  for (Index p = 0; p < quad.size(); ++p) {
    const auto i = static_cast<size_t>(p);
    const Real pa = had_prev ? rigid_pressure_prev_[i] : p1[i];
    if (!(p1[i] > 0 || pa > 0)) continue;
    const Vec3& n = quad.normal(p);
    const Real q = 0.5 * h * (friction_flux(command_, pa, n, reg) + friction_flux(command_, p1[i], n, reg));
    src.friction[i] += q;
    src.friction_heat += q * quad.area(p);
    src.peak_pressure[i] = std::max(src.peak_pressure[i], p1[i]);
    if (hot && p1[i] > 0) {
      src.h_dt[i] += h * command_.heat_transfer;
      src.hT_dt[i] += h * command_.heat_transfer * *command_.tool_temperature;
    }
  }
  rigid_pressure_prev_ = p1;
  rigid_prev_valid_ = true;
  rigid_.commit();  // its normal forces set the friction of the next substep
  const RigidContactState& cs = rigid_.state();
  if (logging_) {  // what a footprint at the same forces would have put in (cycle jumping)
    const Real F0 = had_prev ? rigid_force_prev_ : cs.force;
    const Vec3 vt = command_.velocity - command_.velocity.dot(command_.pose.push) * command_.pose.push;
    logged_rigid_friction_ += src.friction_heat - friction_before;
    logged_footprint_friction_ += command_.eta * command_.mu * vt.norm() * 0.5 * (F0 + cs.force) * h;
  }
  rigid_force_prev_ = cs.force;
  src.force_last = cs.force;
  src.force_max = std::max(src.force_max, cs.force);
  ++stats_.rigid_substeps;
  if (cs.stalled) ++stats_.stalled_substeps;
  if (logging_) force_log_.push_back({t1, cs.force});
}

void ProtocolLoads::interrupt() {
  if (rigid_prev_valid_) rigid_.release();
  rigid_prev_valid_ = false;
}

void ProtocolLoads::save(StateArchive& a) const {
  rigid_.save(a, "tools.rigid");
  a.put("tools.rigid_pressure_prev", std::span<const Real>(rigid_pressure_prev_));
  a.put("tools.rigid_force_prev", rigid_force_prev_);
  a.put("tools.rigid_prev_valid", rigid_prev_valid_ ? 1.0 : 0.0);
  a.put("tools.stretch", {stretch_start_, stretch_end_, stretch_step_});
  a.put("tools.stats", {Real(stats_.rigid_substeps), Real(stats_.stalled_substeps)});
}

void ProtocolLoads::load(const StateArchive& a) {
  rigid_.load(a, "tools.rigid");
  rigid_pressure_prev_ = a.get("tools.rigid_pressure_prev");
  rigid_force_prev_ = a.scalar("tools.rigid_force_prev");
  rigid_prev_valid_ = a.scalar("tools.rigid_prev_valid") != 0;
  const auto& st = a.get("tools.stretch");
  const auto& n = a.get("tools.stats");
  if (st.size() != 3 || n.size() != 2) throw InputError("tools", "the checkpoint's tool state is malformed");
  stretch_start_ = st[0], stretch_end_ = st[1], stretch_step_ = st[2];
  stats_.rigid_substeps = static_cast<int>(n[0]);
  stats_.stalled_substeps = static_cast<int>(n[1]);
}

void ProtocolLoads::start_force_log() {
  force_log_.clear();
  logged_rigid_friction_ = logged_footprint_friction_ = 0;
  logging_ = true;
}

void ProtocolLoads::sample_window(Real ta, Real tb, Real cycle_start, Real period, StepSources& src) const {
  // Force of the logged cycle at the phase of time t (linear between logged substep ends).
  auto force_at = [&](Real t) {
    if (force_log_.empty()) return 0.0;
    const Real ph = cycle_start + (t - cycle_start) - period * std::floor((t - cycle_start) / period);
    auto it = std::lower_bound(force_log_.begin(), force_log_.end(), ph,
                               [](const auto& a, Real x) { return a.first < x; });
    if (it == force_log_.begin()) return it->second;
    if (it == force_log_.end()) return force_log_.back().second;
    const auto& a = *(it - 1);
    const Real f = (ph - a.first) / std::max(it->first - a.first, 1e-300);
    return a.second + f * (it->second - a.second);
  };
  const Real scale =
      logged_footprint_friction_ > 0 ? logged_rigid_friction_ / logged_footprint_friction_ : 1.0;
  Real tau = ta;
  while (tau < tb - 1e-12) {
    Real h = std::min(protocol_.max_dt(tau), tb - tau);
    if (tb - tau - h < 1e-9 * std::max(tb - ta, 1e-6)) h = tb - tau;
    const ProtocolState st = protocol_.at(tau);
    const bool rigid = st.command && st.command->control == ToolControl::depth;
    sample_footprint(st, tau, h, force_at, rigid ? scale : 1.0, src);
    tau += h;
  }
}

}  // namespace tissue
