// libFuzzer target: quantity text -> tissue::units::parse, and the same text as a unit -> units::convert.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "libtissue/core/error.hpp"
#include "libtissue/core/units.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // InputError is the documented rejection of bad input; any other exception escapes and is a crash.
  try {
    (void)tissue::units::parse(text, "fuzz");
  } catch (const tissue::InputError&) {
  }
  try {
    (void)tissue::units::convert(1.5, text, tissue::units::force, "fuzz");
  } catch (const tissue::InputError&) {
  }
  return 0;
}
