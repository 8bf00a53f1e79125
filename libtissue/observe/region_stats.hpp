// Per-region statistics of tone, temperature, perfusion and pressure (DESIGN 4 "Outputs").
#pragma once

#include <string>
#include <vector>

#include "libtissue/observe/step_view.hpp"

namespace tissue {

/// Statistics of one region at one instant.
struct RegionSummary {
  std::string region;         ///< region name
  Real tone_mean = 0;         ///< volume-weighted mean tone over the quadrature points [-]
  Real tone_p10 = 0;          ///< 10th percentile of tone over the quadrature points [-]
  Real tone_p90 = 0;          ///< 90th percentile of tone over the quadrature points [-]
  Real temperature_mean = 0;  ///< volume-weighted mean temperature [K]
  Real temperature_max = 0;   ///< maximum nodal temperature over the region's nodes [K]
  Real perfusion_mean =
      0;  ///< mean perfusion (as given: nodal mean or volume-weighted cell mean); NaN if none
  Real peak_pressure = 0;  ///< max cell hydrostatic pressure -tr(sigma)/3 [Pa] (0 without displacement)
};

/// Percentile (0..100) by linear interpolation between closest ranks of `values` (copied, sorted) [-].
Real percentile(std::vector<Real> values, Real pct);

/// RegionStats: tone mean/p10/p90, temperature mean/max, perfusion mean, peak pressure per region.
/// Series (group = region): tone, tone_p10, tone_p90 ("1"), temperature_mean, temperature_max ("K"),
/// perfusion_mean (units of the given field, "1/s" assumed), peak_pressure ("Pa").
class RegionStats final : public Observer {
 public:
  /// "region_stats".
  std::string_view name() const override { return "region_stats"; }
  /// Statistics of every region (id order).
  std::vector<RegionSummary> compute(const StepView& view) const;
  /// Appends the series of every region.
  void on_step(const StepView& view, Observations& out) override;
};

}  // namespace tissue
