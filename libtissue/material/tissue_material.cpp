#include "libtissue/material/tissue_material.hpp"

#include <variant>

namespace tissue {

void TissueMaterial::validate(std::string_view tissue) const {
  elastic.validate(tissue);
  prony.validate(tissue);
  thermal.validate(tissue);
  if (active) active->validate(tissue);
}

Real small_strain_shear_modulus(const IsochoricLaw& law) {
  return std::visit([](const auto& iso) { return iso.mu; }, law);
}

TissueResponse tissue_response(const TissueMaterial& material, const Mat3& C, const Vec3& f0, Real T,
                               Real tone, Real dt, const PronyState& previous, PronyState& current,
                               bool want_D) {
  const IsoResponse el =
      std::visit([&](const auto& iso) { return iso.isochoric(C, f0, want_D); }, material.elastic.iso);
  const Voigt6 C_prev = previous.C;  // `current` may alias `previous`
  const ViscoResponse v = prony_update(material.prony, previous, C, el, dt, material.thermal.a_T(T),
                                       small_strain_shear_modulus(material.elastic.iso), current, want_D);
  const Real m = material.thermal.modulus_factor(T);
  TissueResponse r;
  r.S = m * v.S;
  r.D = m * v.D;
  r.energy = m * v.incremental_energy;
  r.stored_energy = m * v.stored_energy;
  r.dissipation = m * v.dissipation;
  r.work = m * v.work;
  r.active_energy = 0;
  if (material.active && tone > 0.0) {
    const IsoResponse a = material.active->response(C, f0, tone, want_D);
    r.S += a.S;
    r.D += a.D;
    r.energy += a.energy;
    r.active_energy = a.energy;
    r.work += a.energy - material.active->energy(from_voigt(C_prev), f0, tone);
  }
  return r;
}

}  // namespace tissue
