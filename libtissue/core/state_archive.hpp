// StateArchive: a run's state as named arrays of numbers and of strings (the content of a checkpoint).
// Each stateful part of the engine writes and reads its own keys ("stepper.du_last"); the archive knows
// nothing of their meaning. io/checkpoint_file stores it on disk.
#pragma once

#include <Eigen/Core>
#include <initializer_list>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "libtissue/core/types.hpp"

namespace tissue {

/// Named arrays of doubles and of strings; missing keys are an InputError naming the key.
class StateArchive {
 public:
  /// Stores an array under `key` (replacing an older one).
  void put(std::string_view key, std::span<const double> values);
  /// Stores a vector under `key`.
  void put(std::string_view key, const VectorX& values) {
    put(key, std::span<const double>(values.data(), static_cast<size_t>(values.size())));
  }
  /// Stores a few numbers under `key`, e.g. put("tools.stats", {a, b}).
  void put(std::string_view key, std::initializer_list<double> values) {
    put(key, std::span<const double>(values.begin(), values.size()));
  }
  /// Stores one number under `key`.
  void put(std::string_view key, double value) { put(key, std::span<const double>(&value, 1)); }
  /// Stores a list of strings under `key`.
  void put_strings(std::string_view key, std::vector<std::string> values);

  /// Whether an array of numbers is stored under `key`.
  bool has(std::string_view key) const { return numbers_.find(key) != numbers_.end(); }
  /// The array under `key`.
  const std::vector<double>& get(std::string_view key) const;
  /// The array under `key` as a vector.
  VectorX vector(std::string_view key) const;
  /// The one number under `key` (InputError if the array does not hold exactly one).
  double scalar(std::string_view key) const;
  /// The strings under `key`.
  const std::vector<std::string>& strings(std::string_view key) const;

  /// All arrays of numbers by key.
  const std::map<std::string, std::vector<double>, std::less<>>& numbers() const { return numbers_; }
  /// All lists of strings by key.
  const std::map<std::string, std::vector<std::string>, std::less<>>& string_lists() const {
    return strings_;
  }

 private:
  std::map<std::string, std::vector<double>, std::less<>> numbers_;
  std::map<std::string, std::vector<std::string>, std::less<>> strings_;
};

}  // namespace tissue
