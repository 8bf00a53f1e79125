// The default lumbar-hip model: a layered, structured hex mesh of the lower back and hip.
#pragma once

#include <string>
#include <string_view>

#include "libtissue/core/types.hpp"
#include "libtissue/mesh/mesh.hpp"

namespace tissue {

/// Mesh resolution of the default model. User-facing names: "coarse", "default", "fine".
enum class Resolution {
  coarse,    ///< ~1.5 cm in-plane, < 5,000 cells (quick tests)
  standard,  ///< ~0.5 cm in-plane, 30,000-60,000 cells ("default")
  fine       ///< ~0.25 cm in-plane, > 200,000 cells
};

/// Parses "coarse", "default" (or "standard") or "fine"; throws InputError("resolution", ...)
/// listing the valid names otherwise.
Resolution parse_resolution(std::string_view name);
/// Returns "coarse", "default" or "fine".
std::string_view to_string(Resolution r);

/// Geometry of the lumbar-hip block, in metres and radians (right side; the left is mirrored).
/// The values and their sources live in data/model/lumbar_hip.toml (embedded at build time).
struct LumbarHipDimensions {
  Real skin_thickness = 0;              ///< skin layer [m]
  Real fat_thickness = 0;               ///< subcutaneous fat layer [m]
  Real fascia_thickness = 0;            ///< deep fascia layer [m]
  Real muscle_thickness = 0;            ///< muscle layer [m]
  Real half_width = 0;                  ///< block spans x in [-half_width, half_width] [m]
  Real height = 0;                      ///< block spans y in [0, height] [m]
  Real crest_y_low = 0;                 ///< lower edge of the iliac crest band (top of hip zone) [m]
  Real crest_y_high = 0;                ///< upper edge of the crest band (bottom of lumbar zone) [m]
  Real spinous_half_width = 0;          ///< |x| below which the lumbar muscle layer is void [m]
  Real multifidus_lateral = 0;          ///< lateral edge |x| of multifidus [m]
  Real erector_spinae_lateral = 0;      ///< lateral edge |x| of erector spinae [m]
  Real erector_spinae_csa = 0;          ///< reference cross-section of erector spinae [m^2] (checks only)
  Real quadratus_lumborum_lateral = 0;  ///< lateral edge |x| of quadratus lumborum [m]
  Real quadratus_lumborum_top = 0;      ///< upper end y of quadratus lumborum [m]
  Real sacrum_half_width = 0;           ///< |x| below which the hip muscle layer is void [m]
  Vec3 trochanter = Vec3::Zero();       ///< right greater trochanter (x > 0) [m]; left is mirrored
  Real erector_spinae_tilt = 0;         ///< fibre angle from +y, > 0 = caudolateral [rad]
  Real multifidus_tilt = 0;             ///< fibre angle from +y, > 0 = caudolateral [rad]
  Real quadratus_lumborum_angle = 0;    ///< fibre angle from +y, > 0 = craniomedial [rad]

  /// The built-in values (data/model/lumbar_hip.toml as embedded at build time).
  static LumbarHipDimensions defaults();
  /// Reads a dimensions file in the format of data/model/lumbar_hip.toml; throws InputError
  /// with file:line: field on missing, malformed or inconsistent values.
  static LumbarHipDimensions from_file(const std::string& path);
  /// Parses dimensions from TOML text; `label` names the source in error messages.
  static LumbarHipDimensions from_string(std::string_view toml_text, const std::string& label);
  /// The embedded TOML text of data/model/lumbar_hip.toml.
  static std::string_view default_toml();
  /// Checks positivity and ordering of the values; throws InputError naming the field.
  void validate() const;
};

/// Generates the default lumbar-hip model: a tensor-product hex grid whose lines contain every
/// layer and region boundary; bone/void cells are omitted. Regions: skin, fat, fascia,
/// erector_spinae_*, multifidus_*, quadratus_lumborum_*, gluteus_medius_* (* = left, right).
/// Node sets bone_vertebrae, bone_sacrum, bone_iliac_crest, bone_all (deep boundary); facet set
/// skin (z = 0, outward +z). Unit fibres per muscle cell, zero rows in skin, fat and fascia.
Mesh generate_lumbar_hip(Resolution resolution,
                         const LumbarHipDimensions& dims = LumbarHipDimensions::defaults());

}  // namespace tissue
