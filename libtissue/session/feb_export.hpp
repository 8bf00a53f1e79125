// Builders of FEBio models (FebModel, libtissue/io/feb_writer.hpp) from libtissue problems: the peer block
// of peer-block.md with its load case, and a session's model (mesh, one part and material per region,
// the fixed bone sets). Units of the result: mm, N, s, MPa (density tonne/mm^3). docs/febio-export.md
// lists how each tissue law maps onto FEBio's materials and what is not exported.
#pragma once

#include <string>
#include <vector>

#include "libtissue/io/feb_writer.hpp"
#include "libtissue/mechanics/peer_block.hpp"
#include "libtissue/session/model.hpp"
#include "libtissue/session/tissue_library.hpp"

namespace tissue {

/// The peer block with its load case: FEBio `viscoelastic` on `neo-Hookean`, bottom node set "bottom"
/// fixed, top node set "top" with ux = uy = 0 and uz = -depth * curve(t) (load curve 1: (0, 0), (1, 1)),
/// `steps` steps of dt; logs ux at the bulge node and the reactions of the top nodes.
FebModel peer_block_feb(const PeerBlock& block);

/// The FEBio material nearest to a tissue law, in MPa and s; appends to `notes` one line saying what maps
/// exactly, what approximately and what is dropped.
FebMaterial feb_material(const std::string& name, const TissueParameters& tissue,
                         std::vector<std::string>& notes);

/// A model without its load case: the mesh, one part and one material per region (named after the
/// region), fibres as mat_axis element data, every fixed set held in x, y, z, the "skin" facet set as a
/// surface (for loads added in FEBio), and one static step of 1 s.
FebModel model_feb(const Model& model);

}  // namespace tissue
