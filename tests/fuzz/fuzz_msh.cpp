// libFuzzer target: .msh 4.1 content (ASCII or binary) -> tissue::parse_msh.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "libtissue/core/error.hpp"
#include "libtissue/mesh/msh_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view content(reinterpret_cast<const char*>(data), size);
  try {
    (void)tissue::parse_msh(content, "<fuzz>");
  } catch (const tissue::InputError&) {
    // The documented rejection of bad input; any other exception escapes and is reported as a crash.
  }
  return 0;
}
