#include "libtissue/core/progress.hpp"

#include <string>

#include "libtissue/core/error.hpp"

namespace tissue {

void RunContext::validate() const {
  if (threads < 1) throw InputError("threads", "must be at least 1, got " + std::to_string(threads));
}

}  // namespace tissue
