#include "libtissue/thermal/perfusion_law.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "libtissue/core/error.hpp"

namespace tissue {
namespace {
std::string fmt(Real v) {
  std::ostringstream s;
  s << v;
  return s.str();
}
}  // namespace

void PerfusionLaw::validate() const {
  if (!(q10 > 0) || !std::isfinite(q10))
    throw InputError("perfusion_law.q10", "must be positive, got " + fmt(q10));
  if (!(reference_temperature > 0) || !std::isfinite(reference_temperature))
    throw InputError("perfusion_law.reference_temperature",
                     "must be positive, got " + fmt(reference_temperature) + " K");
  if (!(stimulus_gain >= 0) || !std::isfinite(stimulus_gain))
    throw InputError("perfusion_law.stimulus_gain", "must be non-negative, got " + fmt(stimulus_gain));
  if (!(tau_rise > 0) || !std::isfinite(tau_rise))
    throw InputError("perfusion_law.tau_rise", "must be positive, got " + fmt(tau_rise) + " s");
  if (!(tau_decay > 0) || !std::isfinite(tau_decay))
    throw InputError("perfusion_law.tau_decay", "must be positive, got " + fmt(tau_decay) + " s");
  if (!(max_factor > 0))
    throw InputError("perfusion_law.max_factor", "must be positive, got " + fmt(max_factor));
  if (!(half_rate > 0) || !std::isfinite(half_rate))
    throw InputError("perfusion_law.half_rate", "must be positive, got " + fmt(half_rate) + " 1/s");
  if (!(exponent > 0) || !std::isfinite(exponent))
    throw InputError("perfusion_law.exponent", "must be positive, got " + fmt(exponent));
}

Real PerfusionLaw::stimulus(Real rate) const {
  if (!(rate > 0)) return 0.0;
  const Real x = std::pow(rate / half_rate, exponent);
  return x / (1.0 + x);
}

Real PerfusionLaw::temperature_factor(Real T) const {
  return std::pow(q10, (T - reference_temperature) / 10.0);
}

Real PerfusionLaw::factor(Real T, Real s, Real gain) const {
  return std::clamp(temperature_factor(T) * (1.0 + gain * s), 0.0, max_factor);
}

Real PerfusionLaw::advance(Real s, Real u, Real dt) const {
  const Real tau = u >= s ? tau_rise : tau_decay;
  return u + (s - u) * std::exp(-dt / tau);
}

void PerfusionLaw::advance(VectorX& s, const VectorX& u, Real dt) const {
  if (s.size() != u.size())
    throw InputError("stimulus",
                     "has " + std::to_string(u.size()) + " entries, the state " + std::to_string(s.size()));
  for (Index i = 0; i < s.size(); ++i) s[i] = advance(s[i], u[i], dt);
}

}  // namespace tissue
