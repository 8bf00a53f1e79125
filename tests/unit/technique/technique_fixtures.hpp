// Shared fixtures of the technique tests: the coarse lumbar-hip model, built once.
#pragma once

#include <cmath>
#include <complex>
#include <vector>

#include "libtissue/mesh/lumbar_hip.hpp"
#include "libtissue/technique/techniques.hpp"

namespace tissue::test {

/// The coarse default model (built on first use).
inline const Mesh& lumbar_hip_coarse() {
  static const Mesh m = generate_lumbar_hip(Resolution::coarse);
  return m;
}

/// Skin patch of a region of the coarse model.
inline SkinPatch patch(std::string_view region) {
  return SkinPatch::of_region(lumbar_hip_coarse(), region);
}

/// Frequency [Hz] of the largest non-DC DFT bin of n samples of g(t) over [t0, t0 + 1 s).
template <class G>
int dominant_frequency(G g, Real t0 = 0.0, int n = 1000) {
  std::vector<Real> x(static_cast<size_t>(n));
  Real mean = 0;
  for (int i = 0; i < n; ++i) mean += (x[static_cast<size_t>(i)] = g(t0 + static_cast<Real>(i) / n)) / n;
  int best = 0;
  Real best_mag = -1;
  for (int k = 1; k < n / 2; ++k) {
    std::complex<Real> s = 0;
    for (int i = 0; i < n; ++i)
      s += (x[static_cast<size_t>(i)] - mean) * std::polar(1.0, -2 * M_PI * k * i / static_cast<Real>(n));
    if (std::abs(s) > best_mag) {
      best_mag = std::abs(s);
      best = k;
    }
  }
  return best;
}

}  // namespace tissue::test
