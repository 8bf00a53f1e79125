// Exceptions of libtissue: bad input (with the place it came from) and numerical failure.
#pragma once

#include <stdexcept>
#include <string>

namespace tissue {

/// Where an input value came from: a file (or "<api>"), a 1-based line (0 = unknown) and a column.
struct SourceLocation {
  std::string file;  ///< file path, or a label such as "<api>"
  int line = 0;      ///< 1-based line, 0 when unknown
  int column = 0;    ///< 1-based column, 0 when unknown
};

/// Invalid user input: names the source, the field and what is wrong.
/// what() reads "file:line:col: field: message" (parts that are unknown are left out).
class InputError : public std::runtime_error {
 public:
  /// Error without a source location.
  InputError(std::string field, std::string message);
  /// Error at a place in an input file.
  InputError(SourceLocation where, std::string field, std::string message);

  /// The dotted field name, e.g. "technique[3].force".
  const std::string& field() const noexcept { return field_; }
  /// The bare message without location and field.
  const std::string& message() const noexcept { return message_; }
  /// Where the input came from.
  const SourceLocation& where() const noexcept { return where_; }

 private:
  SourceLocation where_;
  std::string field_;
  std::string message_;
};

/// A numerical failure the caller may handle (divergence, inverted element, singular matrix).
class NumericalError : public std::runtime_error {
 public:
  /// Creates the error with a message that names the failing quantity.
  explicit NumericalError(const std::string& message) : std::runtime_error(message) {}
};

/// A run stopped because its caller asked (RunContext::cancel, Ctrl-C in `tissue run`); what the run had
/// written stays readable.
class Cancelled : public std::runtime_error {
 public:
  /// Creates the error with a message naming where the run stopped.
  explicit Cancelled(const std::string& message) : std::runtime_error(message) {}
};

/// A number in error messages: "%.3e" (1.234e-05).
std::string sci(double v);

/// Throws InputError(field, message) when cond is false.
inline void require(bool cond, const std::string& field, const std::string& message) {
  if (!cond) throw InputError(field, message);
}

}  // namespace tissue
