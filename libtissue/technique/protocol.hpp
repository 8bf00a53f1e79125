// A massage session in time: technique blocks, rests and a follow-up (recovery) period.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libtissue/technique/technique.hpp"

namespace tissue {

/// What a protocol item is.
enum class ProtocolPhase {
  technique,  ///< a technique is applied
  rest,       ///< no tool on the skin between techniques
  follow_up,  ///< recovery period after the last item (no tool)
  finished    ///< after the end of the protocol
};

/// Returns "technique", "rest", "follow_up" or "finished".
std::string_view to_string(ProtocolPhase p);

/// One entry of the protocol's timeline.
struct ProtocolEvent {
  ProtocolPhase phase = ProtocolPhase::rest;  ///< kind of item
  std::string name;                           ///< technique name, "rest" or "follow_up"
  std::string region;                         ///< target region ("" for rests)
  Real t0 = 0;                                ///< start time [s]
  Real t1 = 0;                                ///< end time [s]
};

/// What the protocol does at one instant.
struct ProtocolState {
  ProtocolPhase phase = ProtocolPhase::finished;  ///< current kind of item
  int item = -1;                                  ///< index into events() (-1 when finished)
  int block = -1;                                 ///< index of the technique block (-1 outside techniques)
  Real local_time = 0;                            ///< time since the item started [s]
  const Technique* technique = nullptr;           ///< the active technique, or nullptr
  std::optional<ToolCommand> command;             ///< the tool command, nullopt when no technique is active
};

/// An ordered list of technique blocks and rests, then an optional follow-up period. Items occupy
/// half-open intervals [t0, t1) laid end to end from t = 0; a technique block lasts its technique's
/// duration(). Techniques are shared (immutable) so a protocol is cheap to copy.
class Protocol {
 public:
  /// Appends a technique block; `region` labels it (default: technique->target()). Throws
  /// InputError("protocol.technique") for a null technique or after follow_up() was set.
  Protocol& add(std::shared_ptr<const Technique> technique, std::string region = {});
  /// Appends a rest of `duration` [s] (> 0; InputError("protocol.rest")).
  Protocol& rest(Real duration);
  /// Sets the follow-up (recovery) period after the last item [s] (>= 0; replaces a previous one).
  Protocol& follow_up(Real duration);

  /// Total duration including rests and follow-up [s].
  Real duration() const;
  /// Number of technique blocks.
  int n_blocks() const { return n_blocks_; }
  /// The timeline: one event per block and rest, then the follow-up (if longer than zero).
  std::vector<ProtocolEvent> events() const;
  /// What is active at t [s] (t < 0 is an InputError("protocol.time")).
  ProtocolState at(Real t) const;
  /// The tool command at t (ToolCommand::inactive() outside technique blocks).
  ToolCommand command(Real t) const;
  /// Mechanical step limit at t [s]: the active technique's max_dt, never past the end of the
  /// current item; in rests and the follow-up the time left in the item (infinity when finished).
  Real max_dt(Real t) const;
  /// Start of the next item after t [s], or nullopt if none (lets a stepper land on boundaries).
  std::optional<Real> next_event(Real t) const;

 private:
  struct Item {
    ProtocolPhase phase;
    std::shared_ptr<const Technique> technique;
    std::string region;
    Real t0, t1;
    int block;
  };
  const Item* find(Real t, size_t& index) const;
  std::vector<Item> items_;
  Real follow_up_ = 0;
  int n_blocks_ = 0;
};

}  // namespace tissue
