// FEBio export: a small description of an FEBio model (FebModel: nodes, element parts, materials, node
// sets, surfaces, boundary conditions, load curves, output requests) and one writer of the FEBio 4 input
// format (`<febio_spec version="4.0">`, a `.feb` XML file). Builders that fill a FebModel from a libtissue
// model live in libtissue/session/feb_export.hpp. The writer converts nothing: values are written in the
// units the builder chose (the builders use mm, N, s, MPa, as FEBio users and peer-block.md do).
#pragma once

#include <array>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "libtissue/core/types.hpp"
#include "libtissue/mesh/mesh.hpp"

namespace tissue {

/// One FEBio material or material property (`<material type=...>`, `<elastic type=...>`, `<solid ...>`).
struct FebMaterial {
  std::string tag = "material";  ///< XML element: "material" at the top, else a property ("elastic", "solid")
  std::string type;              ///< FEBio type string, e.g. "viscoelastic", "neo-Hookean"
  std::string name;              ///< name (top level only; parts refer to it)
  std::vector<std::pair<std::string, Real>> params;  ///< scalar parameters in writing order, e.g. {"E", 0.01}
  std::vector<FebMaterial> children;                 ///< nested properties in writing order
  std::string comment;                               ///< written as an XML comment above it (optional)
  /// Adds a scalar parameter and returns *this.
  FebMaterial& param(std::string key, Real value);
  /// The value of a scalar parameter; throws InputError naming it when absent.
  Real get(const std::string& key) const;
};

/// A set of elements of one type and one material (an FEBio `<Elements>` block and `<SolidDomain>`).
struct FebPart {
  std::string name;                     ///< part (domain) name
  int material = 0;                     ///< 0-based index into FebModel::materials
  CellType cell_type = CellType::hex8;  ///< element type (FEBio "hex8" or "tet4"; same node order as VTK)
  std::vector<Index> cells;  ///< element connectivity, nodes_per_cell(cell_type) 0-based node ids each
  std::vector<Vec3> fibres;  ///< per-element unit fibre (written as mat_axis element data); empty = none
  /// Number of elements.
  Index size() const { return static_cast<Index>(cells.size()) / nodes_per_cell(cell_type); }
};

/// A named node set (`<NodeSet>`), 0-based node ids.
struct FebNodeSet {
  std::string name;          ///< set name
  std::vector<Index> nodes;  ///< 0-based node ids
};

/// A named surface (`<Surface>`) of quad4 facets (or tri3 when the last id is -1), 0-based node ids.
struct FebSurface {
  std::string name;                          ///< surface name
  std::vector<std::array<Index, 4>> facets;  ///< corner nodes, outward by the right-hand rule
};

/// A piecewise-linear load curve (`<load_controller type="loadcurve">`), (time, value) points.
struct FebLoadCurve {
  std::vector<std::pair<Real, Real>> points;  ///< (t, value), increasing t
};

/// A boundary condition on a node set: zero displacement of some dofs, or a prescribed displacement.
struct FebBoundary {
  enum class Kind { zero_displacement, prescribed_displacement };
  Kind kind = Kind::zero_displacement;             ///< which condition
  std::string name;                                ///< condition name
  std::string node_set;                            ///< name of a FebNodeSet
  std::array<bool, 3> fixed = {true, true, true};  ///< zero_displacement: x, y, z held
  int dof = 2;                                     ///< prescribed_displacement: 0 x, 1 y, 2 z
  Real scale = 0;                                  ///< prescribed_displacement: value = scale * curve(t)
  int load_curve = -1;  ///< prescribed_displacement: 0-based index into load_curves
};

/// A pressure on a surface (`<surface_load type="pressure">`), positive pressing into the body.
struct FebPressure {
  std::string name;     ///< load name
  std::string surface;  ///< name of a FebSurface
  Real pressure = 0;    ///< value = pressure * curve(t)
  int load_curve = -1;  ///< 0-based index into load_curves
};

/// Nodal values logged to a text file by FEBio (`<logfile><node_data>`).
struct FebNodeLog {
  std::string data;          ///< FEBio variables separated by ';', e.g. "ux" or "Rx;Ry;Rz"
  std::string file;          ///< log file name
  std::vector<Index> nodes;  ///< 0-based node ids
};

/// Everything written to one .feb file.
struct FebModel {
  std::vector<std::string> comments;      ///< lines of the header comment (what, units, what is left out)
  int time_steps = 1;                     ///< Control: number of steps
  Real step_size = 1.0;                   ///< Control: step size
  bool dynamic = false;                   ///< Control: analysis DYNAMIC instead of STATIC
  MatrixX3 nodes;                         ///< node coordinates (in the file's length unit)
  std::vector<FebMaterial> materials;     ///< top-level materials, ids 1, 2, ... in order
  std::vector<FebPart> parts;             ///< element parts; element ids run on over the parts
  std::vector<FebNodeSet> node_sets;      ///< node sets
  std::vector<FebSurface> surfaces;       ///< surfaces
  std::vector<FebBoundary> boundary;      ///< boundary conditions
  std::vector<FebPressure> pressures;     ///< surface pressures
  std::vector<FebLoadCurve> load_curves;  ///< load curves, ids 1, 2, ...
  std::vector<std::string> plot_vars = {"displacement", "stress"};  ///< plotfile variables
  std::vector<FebNodeLog> node_logs;                                ///< logfile node data

  /// Total number of elements over the parts.
  Index n_elements() const;
  /// The named node set, or throws InputError naming it.
  const FebNodeSet& node_set(const std::string& name) const;
  /// Checks references (materials, sets, surfaces, curves), node ids and finite values; throws InputError
  /// naming the first problem.
  void validate() const;
};

/// Writes the model as an FEBio 4 input file (validates it first).
void write_feb(const FebModel& model, std::ostream& out);
/// Writes the model to a file; throws InputError when the file cannot be written.
void write_feb_file(const FebModel& model, const std::string& path);

}  // namespace tissue
