// Scalar outcomes of one run for a study's table: per muscle (tone change, shear-modulus change, peak
// temperature, safety flags) and per session (work, heat, peak pressure, ...). Names: docs/studies.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "libtissue/core/types.hpp"
#include "libtissue/session/simulation.hpp"

namespace tissue {

/// One named scalar outcome of a run, e.g. {"tone_change.erector_spinae_right", -0.01}.
struct Outcome {
  std::string name;  ///< "<kind>.<muscle>" for per-muscle kinds, "<kind>" for session kinds
  Real value = 0;    ///< SI value (NaN where the run did not measure it)
};

/// The outcome kinds a sweep can collect ([outputs] collect), per muscle first, then per session.
std::vector<std::string> outcome_kinds();
/// The default [outputs] collect: tone change, modulus change, peak temperature, safety flags.
std::vector<std::string> default_outcome_kinds();
/// Whether `kind` is measured per muscle ("tone_change") rather than once per session ("work").
bool is_muscle_outcome(std::string_view kind);
/// SI unit of an outcome kind ("K", "Pa", "J", "1" for counts and tone).
std::string outcome_units(std::string_view kind);
/// Every outcome of a run: each per-muscle kind for each muscle of the report, then the session kinds.
std::vector<Outcome> run_outcomes(const RunSummary& summary);
/// Whether the outcome `name` belongs to a table of `kinds` over `muscles` (empty: all muscles).
bool outcome_selected(std::string_view name, const std::vector<std::string>& kinds,
                      const std::vector<std::string>& muscles);

}  // namespace tissue
