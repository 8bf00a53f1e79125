// libFuzzer target: session-file text -> tissue::parse_session (TOML, units, techniques, ranges).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "libtissue/core/error.hpp"
#include "libtissue/session/session_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)tissue::parse_session(text, "<fuzz>");
  } catch (const tissue::InputError&) {
    // The documented rejection of bad input; any other exception escapes and is reported as a crash.
  }
  return 0;
}
