#include "libtissue/session/session_spec.hpp"

#include <cmath>
#include <type_traits>

namespace tissue {

void RestOptions::validate(std::string_view prefix) const {
  require_positive(duration, prefix, "duration");
}

Real TechniqueSpec::duration() const {
  return std::visit(
      [](const auto& o) -> Real {
        using O = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<O, StaticCompressionOptions>)
          return o.ramp + o.hold + o.release;
        else if constexpr (std::is_same_v<O, StaticCompressionSpec>)
          return o.ramp + o.hold;
        else if constexpr (std::is_same_v<O, CustomTechnique>)
          return o.technique ? o.technique->duration() : 0.0;
        else
          return o.duration;
      },
      options);
}

void TechniqueSpec::validate(std::string_view prefix) const {
  std::visit(
      [&](const auto& o) {
        using O = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<O, StaticCompressionSpec>) {
          if (!(o.force > 0)) throw InputError(where, std::string(prefix) + ".force", "must be positive");
          if (!(o.ramp > 0)) throw InputError(where, std::string(prefix) + ".ramp", "must be positive");
          if (!(o.hold >= 0)) throw InputError(where, std::string(prefix) + ".hold", "must not be negative");
          if (o.steps < 1 || o.hold_steps < 1)
            throw InputError(where, std::string(prefix) + ".steps", "must be at least 1");
        } else {
          try {
            o.validate(prefix);
          } catch (const InputError& e) {
            throw InputError(where, e.field(), e.message());
          }
        }
      },
      options);
}

void CustomTechnique::validate(std::string_view prefix) const {
  if (!technique) throw InputError(std::string(prefix) + ".technique", "no technique given");
  require_positive(technique->duration(), prefix, "duration");
}

std::vector<TechniqueSpec> SessionSpec::items() const {
  std::vector<TechniqueSpec> out;
  for (const auto& s : techniques) out.push_back({"static_compression", s.target, s, s.where});
  out.insert(out.end(), protocol.begin(), protocol.end());
  return out;
}

Real SessionSpec::duration() const {
  Real d = follow_up;
  for (const auto& i : items()) d += i.duration();
  return d;
}

}  // namespace tissue
