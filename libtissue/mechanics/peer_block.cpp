#include "libtissue/mechanics/peer_block.hpp"

#include <cmath>
#include <string>

#include "libtissue/core/error.hpp"
#include "libtissue/mesh/box_mesh.hpp"

namespace tissue {

void PeerBlock::validate() const {
  require(nx >= 1 && ny >= 2 && nz >= 2 && ny % 2 == 0 && nz % 2 == 0, "peer_block.size",
          "expected NXxNYxNZ with NX >= 1 and even NY, NZ >= 2, got " + std::to_string(nx) + "x" +
              std::to_string(ny) + "x" + std::to_string(nz));
  require(size.allFinite() && size.minCoeff() > 0, "peer_block.size", "block edges must be positive");
  require(steps >= 1, "peer_block.steps", "needs at least one step, got " + std::to_string(steps));
  require(std::isfinite(duration) && duration > 0, "peer_block.duration", "must be positive");
  require(std::isfinite(depth), "peer_block.depth", "must be finite");
  neo_hookean().validate("peer_block");
  PeerViscoelastic{neo_hookean(), PeerPronySeries{g0, prony}}.validate("peer_block");
}

Mesh PeerBlock::mesh() const {
  validate();
  BoxMeshOptions bo;
  bo.hi = size;
  bo.nx = nx;
  bo.ny = ny;
  bo.nz = nz;
  bo.region = "block";
  bo.fibre = Vec3::Zero();
  return make_box_mesh(bo);
}

CompressibleNeoHookean PeerBlock::neo_hookean() const {
  return CompressibleNeoHookean::from_E_nu(E, nu);
}

RegionMechanics PeerBlock::elastic() const {
  return RegionMechanics{neo_hookean(), density};
}

RegionMechanics PeerBlock::viscoelastic() const {
  return RegionMechanics{PeerViscoelastic{neo_hookean(), PeerPronySeries{g0, prony}}, density};
}

}  // namespace tissue
