// Run context passed explicitly through long computations: threads, progress, log, cancel.
#pragma once

#include <atomic>
#include <functional>
#include <string_view>

namespace tissue {

/// Severity of a log message.
enum class LogLevel { debug, info, warning, error };

/// Everything a long computation needs from its caller; passed by reference, never global.
struct RunContext {
  /// Number of threads for element loops; 0 lets the callee choose (a Simulation: the session's [run]
  /// threads, else all cores).
  int threads = 0;
  /// Called with the fraction done in [0, 1] and a short status line; may be empty.
  std::function<void(double fraction, std::string_view status)> progress;
  /// Called with log messages; empty means silent.
  std::function<void(LogLevel, std::string_view)> log;
  /// When set and true, long loops stop at the next safe point and throw Cancelled (Simulation::run: at the
  /// next macro step, after flushing what it has written).
  const std::atomic<bool>* cancel = nullptr;

  /// Reports progress if a sink is set.
  void report(double fraction, std::string_view status) const {
    if (progress) progress(fraction, status);
  }
  /// Sends a log message if a sink is set.
  void message(LogLevel level, std::string_view text) const {
    if (log) log(level, text);
  }
  /// True when the caller asked to stop.
  bool cancelled() const { return cancel != nullptr && cancel->load(); }
  /// Throws InputError naming `threads` if it is negative.
  void validate() const;
};

}  // namespace tissue
