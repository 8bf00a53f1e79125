// Typed description of a simulation session (what a session file or the C++/Python API builds).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "libtissue/core/error.hpp"
#include "libtissue/core/types.hpp"
#include "libtissue/linalg/linear_solver_options.hpp"
#include "libtissue/loading/footprint.hpp"

namespace tissue {

/// Which model to build: the generated lumbar-hip model at a resolution, or a Gmsh mesh.
struct ModelSpec {
  std::string resolution = "default";  ///< "coarse", "default" or "fine" (generated model)
  std::string mesh_file;               ///< optional Gmsh .msh path; empty = generated model
  Real mesh_length_scale = 1.0;        ///< factor from mesh units to metres (1e-3 for mm)
  std::vector<std::string> fixed_sets = {"bone_all"};  ///< node sets fixed to bone
};

/// Numerical settings of a run.
struct RunSpec {
  int threads = 0;                      ///< element-loop threads (0 = all hardware threads)
  LinearSolverKind linear_solver = LinearSolverKind::automatic;  ///< linear solver
};

/// Static compression / trigger-point pressure: the tool presses with a force ramped from 0 to
/// `force` in `steps` quasi-static steps, then holds for `hold`.
struct StaticCompressionSpec {
  Footprint tool = Footprint::palm();  ///< contact footprint
  std::string target;                  ///< target region name (the tool is centred over it)
  Real force = 40.0;                   ///< total normal force [N]
  Real ramp = 2.0;                     ///< ramp duration [s]
  Real hold = 0.0;                     ///< hold duration [s]
  int steps = 4;                       ///< quasi-static load steps over the ramp
  int hold_steps = 4;                  ///< steps over the hold (creep of the viscoelastic tissue)
  Vec3 offset = Vec3::Zero();          ///< shift of the contact centre from the target's centre [m]
  SourceLocation where;                ///< where it was defined (for error messages)
};

/// A whole session: model, run settings and the ordered techniques.
struct SessionSpec {
  std::string source = "<api>";                 ///< file path or "<api>"
  std::string text;                             ///< the session file's text (stored in results)
  ModelSpec model;                              ///< model to build
  RunSpec run;                                  ///< numerical settings
  std::vector<StaticCompressionSpec> techniques;  ///< techniques in order
};

}  // namespace tissue
