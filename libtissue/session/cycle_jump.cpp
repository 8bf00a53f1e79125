#include "libtissue/session/cycle_jump.hpp"

#include <algorithm>
#include <cmath>

namespace tissue {
namespace {

/// MacroPlan::creep_cycles of a window whose resolved cycles start at the item's local time `local_time`. The
/// drift of the tool's centre over one period is the glide speed (zero for kneading circles and for round
/// trips). A point under a gliding tool is loaded only while the footprint (diameter 2 sqrt(a b)) passes over
/// it; creeping its history over the whole window would press it for up to 10x longer than it is pressed.
Real creep_cycles(const Technique& technique, Real local_time, Real period, int jumped) {
  const ToolCommand a = technique.command(local_time), b = technique.command(local_time + period);
  const Real drift = (b.pose.centre - a.pose.centre).norm();  // per period [m]
  if (!a.active || !(drift > 0)) return jumped;
  const Real diameter = 2 * std::sqrt(a.footprint.a * a.footprint.b);
  return std::min(static_cast<Real>(jumped), diameter / drift);
}

}  // namespace

CycleJumper::CycleJumper(const Protocol& protocol, const RunSpec& run) : protocol_(protocol), run_(run) {}

MacroPlan CycleJumper::plan(Real t, Real t_end) const {
  MacroPlan p;
  p.t0 = t;
  const ProtocolState st = protocol_.at(t);
  Real boundary = std::min(protocol_.next_event(t).value_or(t_end), t_end);
  const std::optional<Real> period = st.technique ? st.technique->period() : std::nullopt;
  // Fast cycles (gun, kneading, vibration) and slow round trips (strokes, gliding stones) have their own
  // windows; a glide window of 0 resolves every round trip.
  const bool glide = period && st.technique->reciprocating();
  // A glide window's resolved round trip stands for the jumped ones, so it must be a settled one: the item's
  // first round trip after the force ramp-in (the tissue loading from rest) and the ramps themselves (a round
  // trip is not much longer than a ramp) are solved in plain macro steps, and the windows end where the
  // ramp-out starts. (With the first round trip resolved and repeated, the tone changes of the closing
  // strokes at x 0.25 were 5-8 % off, more or less inhibited as the ramp-in was in it or not.) Fast cycles
  // resolve theirs in the middle of the window, away from the ramps and the first cycles.
  Real window_end = boundary;
  bool settling = false;
  if (glide && run_.cycle_averaging && run_.glide_window > 0) {  // only glide windows need settled trips
    const Real start = t - st.local_time, ramp = st.technique->ramp(), settled = ramp + *period;
    settling = st.local_time < settled - 1e-9;
    if (settling) boundary = std::min(boundary, start + settled);
    window_end = std::min(boundary, start + st.technique->duration() - ramp);
  }
  if (run_.cycle_averaging && period && !settling) {
    const int K = glide ? run_.glide_resolved_cycles : run_.resolved_cycles;
    const Real window =
        glide ? run_.glide_window : (run_.cycle_window > 0 ? run_.cycle_window : run_.dt_thermal);
    int M = run_.jumped_cycles > 0 && !glide ? run_.jumped_cycles
                                             : static_cast<int>(std::floor(window / *period + 1e-9)) - K;
    // The item's last window: the whole cycles that are left (at least one jumped), so that its remainder is
    // not resolved cycle by cycle; only the last fraction of a cycle is.
    if (M > 0 && t + (K + M) * *period > window_end + 1e-9)
      M = static_cast<int>(std::floor((window_end - t) / *period + 1e-9)) - K;
    if (M > 0) {
      p.jump = true;
      p.resolved = K;
      p.jumped = M;
      p.period = *period;
      const Real offset = ((M - 1) / 2) * *period;
      p.resolved_start = t + offset;
      p.creep_cycles = creep_cycles(*st.technique, st.local_time + offset, *period, M);
      p.t1 = t + (K + M) * *period;
      if (std::abs(boundary - p.t1) < 1e-9) p.t1 = boundary;
      return p;
    }
  }
  // Quiet periods (rests, the follow-up, holds, placed stones: the step limit is at least dt_quiet) take
  // macro steps of dt_quiet; the heat still steps at most dt_thermal inside them.
  const Real step = run_.dt_quiet > run_.dt_thermal && protocol_.max_dt(t) >= run_.dt_quiet ? run_.dt_quiet
                                                                                            : run_.dt_thermal;
  Real dt = std::min(step, boundary - t);
  if (boundary - (t + dt) < 0.05 * run_.dt_thermal) dt = boundary - t;  // no sliver before a boundary
  p.t1 = (boundary - (t + dt) < 1e-9) ? boundary : t + dt;
  return p;
}

bool CycleJumper::run(const MacroPlan& plan, CoupledStepper& stepper, CoupledState& s, ProtocolLoads& loads,
                      StepSources& sources, MechanicsStats& stats, StepFailure& failure) const {
  const Real P = plan.period;
  const int K = plan.resolved, M = plan.jumped;
  const Real tr = plan.resolved_start;
  s.time = tr;                 // the mechanics skip the jumped cycles before it; the last substep's motion
  stepper.interrupt_motion();  // and the tool's contact memory belong to another time and place
  loads.interrupt();
  StepSources before = sources;
  Real stored_before = s.stored_energy;
  SolidHistory cycle_start;
  auto resolve = [&](Real t_end) { return stepper.mechanics(s, loads, t_end, sources, stats, failure); };
  if (K == 1) {
    cycle_start = s.history;
    loads.start_force_log();
  }
  if (!resolve(tr + P)) return false;
  if (K > 1) {
    before = sources;
    stored_before = s.stored_energy;
  }
  if (K > 2 && !resolve(tr + (K - 1) * P)) return false;
  if (K > 1) {
    cycle_start = s.history;
    loads.start_force_log();
    if (!resolve(tr + K * P)) return false;
  }
  loads.stop_force_log();
  // The settled cycles repeated: viscous heat and work of the jumped cycles.
  sources.extrapolate(before, static_cast<Real>(M) / std::max(K - 1, 1), s.stored_energy - stored_before);
  // The slow viscous branches (tau >> P) keep creeping over the jumped cycles (under a gliding tool, only
  // over the cycles it dwells on a point).
  const VectorX creep =
      stepper.solid().jump_history(s.history, cycle_start, P, plan.creep_cycles, &s.temperature);
  // The creep's stored energy came from the tools where the branches charged, and is heat where they relaxed.
  for (Index e = 0; e < creep.size(); ++e) {
    if (creep[e] > 0)
      sources.work += creep[e];
    else
      sources.dissipation[e] -= creep[e];
  }
  s.stored_energy += creep.sum();
  // Tool loads of the jumped cycles along the tool's own path (position-driven tools: the logged force).
  const Real c0 = tr + (K - 1) * P;
  loads.sample_window(plan.t0, tr, c0, P, sources);
  loads.sample_window(tr + K * P, plan.t1, c0, P, sources);
  s.time = plan.t1;
  return true;
}

}  // namespace tissue
