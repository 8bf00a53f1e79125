#include "libtissue/core/progress.hpp"

#include <string>

#include "libtissue/core/error.hpp"

namespace tissue {

void RunContext::validate() const {
  if (threads < 0)
    throw InputError("threads", "must be 0 (the callee chooses) or positive, got " + std::to_string(threads));
}

}  // namespace tissue
