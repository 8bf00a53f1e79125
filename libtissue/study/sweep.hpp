// Parameter studies: a sweep file (TOML) names a base session, the parameters to vary (dotted keys into the
// session file, values with units) and the outcomes to collect; its cases are the base session with the
// parameters' values written in. Format and resume rules: docs/studies.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "libtissue/core/error.hpp"
#include "libtissue/core/types.hpp"
#include "libtissue/session/session_spec.hpp"

namespace tissue {

/// One value of a swept parameter as it is written into the session file, with its SI value for the table.
struct SweepValue {
  /// How the value is written into the session's TOML document.
  enum class Kind { string, number, integer, boolean };
  Kind kind = Kind::string;                          ///< TOML type written into the session
  std::string text;                                  ///< as written: "20 N", "oil", "0.1", "3", "true"
  Real si = std::numeric_limits<Real>::quiet_NaN();  ///< SI value; NaN for names such as "oil"
};

/// How the cases of a sweep are drawn: every combination, or a Latin hypercube.
enum class SweepSampling { grid, latin_hypercube };

/// A parameter of a sweep ([[parameter]]): a dotted key into the session file and its values.
struct SweepParameter {
  std::string key;                 ///< dotted path, e.g. "technique.0.force", "run.air_temperature"
  std::vector<SweepValue> values;  ///< listed values (`values`) or grid points (`range` with `steps`)
  bool continuous = false;         ///< a `range` sampled by the Latin hypercube (no `steps`)
  Real lo = 0, hi = 0;             ///< bounds of a continuous range [SI]
  std::string unit;  ///< unit sampled values are written in (the lower bound's; "" = plain number)
  Real unit_scale = 1, unit_offset = 0;  ///< SI value = unit_offset + unit_scale x value in `unit`
  std::string dimension;  ///< the values' dimension for the table, e.g. "force (N)" ("" for names)
  SourceLocation where;   ///< its [[parameter]] table (for error messages)
};

/// One case of a sweep: the value of every parameter (in parameter order).
struct SweepCase {
  int index = 0;                   ///< case number (0-based; file cases/case_NNNN.h5)
  std::vector<SweepValue> values;  ///< one per parameter
};

/// A parsed sweep file with its cases.
struct Sweep {
  std::string source;          ///< the sweep file (or label)
  std::filesystem::path base;  ///< base session file (relative to the sweep file's folder)
  std::string base_text;       ///< the base session's text
  std::string resolution;      ///< model resolution for every case ("" = the base session's)
  SweepSampling sampling = SweepSampling::grid;  ///< how the cases are drawn
  int samples = 0;                               ///< Latin hypercube: number of cases
  std::uint64_t seed = 0;                        ///< Latin hypercube: random seed
  std::vector<SweepParameter> parameters;        ///< the swept parameters, in file order
  std::vector<std::string> collect;              ///< outcome kinds of the table ([outputs] collect)
  std::vector<std::string> muscles;  ///< muscles of the per-muscle outcomes ([outputs] muscles; empty: all)
  std::vector<SweepCase> cases;      ///< the cases, in order
};

/// Reads a sweep file and its base session; errors are InputError "file:line:col: field: message". Every case
/// is checked by the session parser (a bad value names the [[parameter]] and the parser's field).
Sweep read_sweep_file(const std::filesystem::path& path);
/// Parses sweep text; `label` names it in errors, a relative `base` is taken from `folder`.
Sweep parse_sweep(std::string_view text, const std::string& label, const std::filesystem::path& folder);
/// The session file text of one case: the base session with the case's values written in.
std::string case_session_text(const Sweep& sweep, int index);
/// The session of one case, parsed by the session parser (a relative mesh path is taken from the base's
/// folder).
SessionSpec case_session(const Sweep& sweep, int index);
/// `samples` points of a Latin hypercube in [0, 1)^dims (row i = point i): along every axis, one point in
/// each of the `samples` equal strata. Deterministic for a seed (own generator, the same on every platform).
std::vector<std::vector<Real>> latin_hypercube(int samples, int dims, std::uint64_t seed);

}  // namespace tissue
