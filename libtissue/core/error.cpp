#include "libtissue/core/error.hpp"

#include <cstdio>

namespace tissue {
namespace {
std::string format_error(const SourceLocation& w, const std::string& field, const std::string& msg) {
  std::string out;
  if (!w.file.empty()) {
    out += w.file;
    if (w.line > 0) {
      out += ':';
      out += std::to_string(w.line);
    }
    if (w.line > 0 && w.column > 0) {
      out += ':';
      out += std::to_string(w.column);
    }
    out += ": ";
  }
  if (!field.empty()) {
    out += field;
    out += ": ";
  }
  out += msg;
  return out;
}
}  // namespace

InputError::InputError(std::string field, std::string message)
    : InputError(SourceLocation{}, std::move(field), std::move(message)) {}

InputError::InputError(SourceLocation where, std::string field, std::string message)
    : std::runtime_error(format_error(where, field, message)),
      where_(std::move(where)),
      field_(std::move(field)),
      message_(std::move(message)) {}

std::string sci(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3e", v);
  return buf;
}

}  // namespace tissue
