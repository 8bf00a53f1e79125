// Tissue parameter tables (data/materials/*.toml, embedded at build time) -> typed parameters.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

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

 private:
  std::map<std::string, TissueParameters, std::less<>> tissues_;
};

}  // namespace tissue
