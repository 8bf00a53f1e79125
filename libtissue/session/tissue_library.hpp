// Tissue parameter tables (data/materials/*.toml, embedded at build time) -> typed parameters.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "libtissue/core/error.hpp"
#include "libtissue/material/hyperelastic.hpp"
#include "libtissue/material/tissue_material.hpp"
#include "libtissue/mesh/mesh.hpp"
#include "libtissue/thermal/thermal_properties.hpp"

namespace tissue {

/// Everything libtissue needs to know about one tissue (SI units).
struct TissueParameters {
  std::string name;           ///< tissue name ("skin", "fat", "fascia", "muscle") or override name
  TissueMaterial material;    ///< hyperelastic base, Prony series, thermal shift, active fibre
  ThermalProperties thermal;  ///< Pennes properties (density, heat capacity, conductivity, perfusion, q_met)
  /// Mass density [kg/m^3] (the bioheat density).
  Real density() const { return thermal.density; }
};

/// One changed entry of a tissue table, as a session file's [tissue.<name>] table writes it.
struct TissueOverride {
  std::string tissue;    ///< a tissue ("muscle") or a muscle region ("erector_spinae", "gluteus_medius_left")
  std::string entry;     ///< dotted entry of the table: "hyperelastic.mu", "prony.0.tau", "bioheat.perfusion"
  std::string value;     ///< the value as written: "2.5 kPa" (a plain number for dimensionless entries)
  SourceLocation where;  ///< where it was written (for error messages)
  /// The field named in messages: "tissue.muscle.hyperelastic.mu", "tissue.skin.prony[0].tau".
  std::string field() const;
  /// Same tissue, entry and value (the place it was written is not compared).
  bool operator==(const TissueOverride& o) const {
    return tissue == o.tissue && entry == o.entry && value == o.value;
  }
};

/// One numeric entry of a tissue table as the table writes it (what a [tissue.<name>] table can change).
struct TissueEntry {
  std::string key;     ///< dotted entry: "hyperelastic.mu", "prony.0.tau"
  std::string value;   ///< the table's value in the table's unit: "1953"
  std::string unit;    ///< the table's unit: "Pa" ("1" for dimensionless)
  std::string status;  ///< the table's status: "published", "derived", "calibration choice", ...
  std::string source;  ///< the table's source
};

/// Parameters of the tissues by name, with per-region overrides (e.g. "erector_spinae").
class TissueLibrary {
 public:
  /// The library built from the tables shipped in data/materials/ (embedded at build time).
  static TissueLibrary defaults();
  /// Adds (or replaces) the tissue described by a table's text; `label` names it in errors.
  void add_toml(std::string_view text, const std::string& label);
  /// Adds a tissue table from a file.
  void add_file(const std::string& path);
  /// Parameters of a named tissue; throws InputError listing the known tissues.
  const TissueParameters& tissue(std::string_view name) const;
  /// Parameters for a mesh region: an override named after the region (with or without its
  /// "_left"/"_right" suffix), else the tissue of the region's kind ("other" -> "muscle").
  const TissueParameters& for_region(const Region& region) const;
  /// Names of the tissues and overrides.
  std::vector<std::string> names() const;
  /// Whether `name` is a tissue with a table of its own (not a per-region override).
  bool has_table(std::string_view name) const;
  /// The numeric entries of a tissue's table, by section and key (InputError naming the tissues with tables).
  std::vector<TissueEntry> entries(std::string_view tissue) const;
  /// A copy with table entries changed (units checked against the table's, values against a plausible
  /// range, then the tissue's own validation). A name that is no tissue is a muscle region: its parameters
  /// are the muscle's with the table's [overrides.<region>] and the changes. Throws InputError at the
  /// override's place naming its field.
  TissueLibrary with_overrides(const std::vector<TissueOverride>& overrides) const;

 private:
  /// The text of a tissue's table and the label it was read under.
  struct Source {
    std::string text;   ///< TOML text of the table
    std::string label;  ///< file or label for messages
  };
  std::map<std::string, TissueParameters, std::less<>> tissues_;
  std::map<std::string, Source, std::less<>> sources_;  ///< by tissue name (tables only)
};

}  // namespace tissue
