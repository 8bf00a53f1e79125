// The peer benchmark of /work/shared/benchmarks/peer-block.md as one description: a 40 x 40 x 20 mm
// block of plain hex8 cells, compressible neo-Hookean (E = 10 kPa, nu = 0.45) inside FEBio's
// `viscoelastic` law (Prony series on the whole second Piola-Kirchhoff stress, g0 = 1,
// (g, tau) = (0.5, 0.1 s), (0.3, 1.0 s)); bottom face z = 0 fixed, top face z = 20 mm held at
// ux = uy = 0 and pressed to uz = -5 mm t over t in [0, 1] s in 20 quasi-static steps. The benchmarks
// (benchmarks/peer_block_case.hpp), the verification test and `tissue export-feb --peer-block` read it
// from here. SI units (m, Pa, s).
#pragma once

#include <vector>

#include "libtissue/core/types.hpp"
#include "libtissue/material/viscoelastic.hpp"
#include "libtissue/mechanics/solid_problem.hpp"
#include "libtissue/mesh/mesh.hpp"

namespace tissue {

/// The peer problem: geometry, law, boundary conditions and time stepping (SI units).
struct PeerBlock {
  int nx = 28, ny = 28, nz = 14;       ///< hex divisions (ny and nz even: the bulge node is a mesh node)
  Vec3 size = Vec3(0.04, 0.04, 0.02);  ///< the block is [0, size] [m]
  Real E = 10e3;                       ///< Young's modulus of the neo-Hookean law [Pa]
  Real nu = 0.45;                      ///< Poisson ratio of the neo-Hookean law [-]
  Real density = 1000.0;               ///< mass density [kg/m^3] (unused by the quasi-static solution)
  Real g0 = 1.0;                       ///< Prony weight of the elastic stress [-]
  std::vector<PronyTerm> prony = {PronyTerm{0.5, 0.1}, PronyTerm{0.3, 1.0}};  ///< (g_i [-], tau_i [s])
  Real depth = 5e-3;    ///< the top face moves by uz = -depth t / duration [m]
  Real duration = 1.0;  ///< end of the ramp and of the run [s]
  int steps = 20;       ///< fixed quasi-static steps over [0, duration]

  /// Name of the bottom node and facet set (fixed in x, y, z).
  static constexpr const char* kFixedSet = "zmin";
  /// Name of the top node and facet set (ux = uy = 0, uz prescribed).
  static constexpr const char* kPressedSet = "zmax";

  /// Throws InputError("peer_block.size" / ".steps" / ...) on divisions < 1, odd ny or nz, or a bad ramp.
  void validate() const;
  /// The hex8 mesh: region "block", node and facet sets "xmin" ... "zmax" (make_box_mesh); validates first.
  Mesh mesh() const;
  /// The compressible neo-Hookean law alone (from E and nu).
  CompressibleNeoHookean neo_hookean() const;
  /// The elastic region law (neo-Hookean, no history).
  RegionMechanics elastic() const;
  /// The peer's default region law: FEBio's `viscoelastic` (PeerViscoelastic) on the neo-Hookean law.
  RegionMechanics viscoelastic() const;
  /// Time step [s].
  Real dt() const { return duration / steps; }
  /// Number of nodes (nx+1)(ny+1)(nz+1).
  Index n_nodes() const { return static_cast<Index>(nx + 1) * (ny + 1) * (nz + 1); }
  /// Number of cells nx ny nz.
  Index n_cells() const { return static_cast<Index>(nx) * ny * nz; }
  /// The node where the bulge is read: x = size.x, y = size.y / 2, z = size.z / 2 (0-based id).
  Index bulge_node() const { return nx + (nx + 1) * (ny / 2 + (ny + 1) * (nz / 2)); }
};

}  // namespace tissue
