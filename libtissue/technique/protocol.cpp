#include "libtissue/technique/protocol.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "libtissue/core/error.hpp"

namespace tissue {

std::string_view to_string(ProtocolPhase p) {
  switch (p) {
    case ProtocolPhase::technique:
      return "technique";
    case ProtocolPhase::rest:
      return "rest";
    case ProtocolPhase::follow_up:
      return "follow_up";
    case ProtocolPhase::finished:
      return "finished";
  }
  return "finished";
}

Protocol& Protocol::add(std::shared_ptr<const Technique> technique, std::string region) {
  if (!technique) throw InputError("protocol.technique", "must not be null");
  const Real d = technique->duration();
  if (!(d > 0) || !std::isfinite(d))
    throw InputError("protocol.technique",
                     "technique '" + std::string(technique->name()) + "' has no positive duration");
  if (region.empty()) region = std::string(technique->target());
  const Real t0 = items_.empty() ? 0 : items_.back().t1;
  items_.push_back(
      {ProtocolPhase::technique, std::move(technique), std::move(region), t0, t0 + d, n_blocks_++});
  return *this;
}

Protocol& Protocol::rest(Real duration) {
  if (!(duration > 0) || !std::isfinite(duration))
    throw InputError("protocol.rest", "must be a positive duration, got " + std::to_string(duration) + " s");
  const Real t0 = items_.empty() ? 0 : items_.back().t1;
  items_.push_back({ProtocolPhase::rest, nullptr, "", t0, t0 + duration, -1});
  return *this;
}

Protocol& Protocol::follow_up(Real duration) {
  if (!(duration >= 0) || !std::isfinite(duration))
    throw InputError("protocol.follow_up", "must not be negative, got " + std::to_string(duration) + " s");
  follow_up_ = duration;
  return *this;
}

Real Protocol::duration() const {
  return (items_.empty() ? 0 : items_.back().t1) + follow_up_;
}

std::vector<ProtocolEvent> Protocol::events() const {
  std::vector<ProtocolEvent> ev;
  for (const auto& it : items_)
    ev.push_back(
        {it.phase, it.technique ? std::string(it.technique->name()) : "rest", it.region, it.t0, it.t1});
  if (follow_up_ > 0) {
    const Real t0 = items_.empty() ? 0 : items_.back().t1;
    ev.push_back({ProtocolPhase::follow_up, "follow_up", "", t0, t0 + follow_up_});
  }
  return ev;
}

const Protocol::Item* Protocol::find(Real t, size_t& index) const {
  // First item whose end lies after t: items are [t0, t1).
  const auto it =
      std::upper_bound(items_.begin(), items_.end(), t, [](Real x, const Item& i) { return x < i.t1; });
  index = static_cast<size_t>(it - items_.begin());
  return it == items_.end() ? nullptr : &*it;
}

ProtocolState Protocol::at(Real t) const {
  if (!(t >= 0)) throw InputError("protocol.time", "must not be negative, got " + std::to_string(t) + " s");
  ProtocolState s;
  size_t index = 0;
  if (const Item* it = find(t, index)) {
    s.phase = it->phase;
    s.item = static_cast<int>(index);
    s.block = it->block;
    s.local_time = t - it->t0;
    if (it->technique) {
      s.technique = it->technique.get();
      s.command = it->technique->command(s.local_time);
    }
    return s;
  }
  const Real t_end = items_.empty() ? 0 : items_.back().t1;
  if (follow_up_ > 0 && t < t_end + follow_up_) {
    s.phase = ProtocolPhase::follow_up;
    s.item = static_cast<int>(items_.size());
    s.local_time = t - t_end;
  }
  return s;
}

ToolCommand Protocol::command(Real t) const {
  ProtocolState s = at(t);
  return s.command ? *s.command : ToolCommand::inactive();
}

Real Protocol::max_dt(Real t) const {
  const ProtocolState s = at(t);
  const std::optional<Real> next = next_event(t);
  const Real to_next = next ? *next - t : std::numeric_limits<Real>::infinity();
  if (s.technique) return std::min(s.technique->max_dt(s.local_time), to_next);
  return to_next;
}

std::optional<Real> Protocol::next_event(Real t) const {
  for (const auto& it : items_)
    if (it.t1 > t) return it.t1;
  const Real t_end = duration();
  if (t_end > t) return t_end;
  return std::nullopt;
}

}  // namespace tissue
