#include "libtissue/study/outcomes.hpp"

#include <algorithm>
#include <cmath>

namespace tissue {
namespace {

/// One outcome kind: its name, unit and whether it is measured per muscle.
struct Kind {
  const char* name;   ///< kind name as in [outputs] collect
  const char* units;  ///< SI unit of the values
  bool muscle;        ///< per muscle ("<kind>.<muscle>") or per session
};

/// Every outcome kind, per muscle first.
constexpr Kind kKinds[] = {{"tone_change", "1", true},
                           {"modulus_change", "Pa", true},
                           {"peak_temperature", "K", true},
                           {"safety_flags", "1", true},
                           {"work", "J", false},
                           {"friction_heat", "J", false},
                           {"dissipated_heat", "J", false},
                           {"contact_heat", "J", false},
                           {"peak_contact_pressure", "Pa", false},
                           {"applied_force", "N", false},
                           {"max_temperature", "K", false},
                           {"flags_total", "1", false},
                           {"wall_seconds", "s", false}};

const Kind* find_kind(std::string_view name) {
  for (const Kind& k : kKinds)
    if (name == k.name) return &k;
  return nullptr;
}

/// The per-muscle outcomes of one muscle report.
void muscle_outcomes(const MuscleReport& m, const std::vector<SafetyFlag>& flags, std::vector<Outcome>& out) {
  const auto flagged =
      std::count_if(flags.begin(), flags.end(), [&](const SafetyFlag& f) { return f.region == m.region; });
  out.push_back({"tone_change." + m.region, m.end.tone - m.before.tone});
  out.push_back({"modulus_change." + m.region, m.end.shear_modulus - m.before.shear_modulus});
  out.push_back({"peak_temperature." + m.region, m.peak_temperature});
  out.push_back({"safety_flags." + m.region, static_cast<Real>(flagged)});
}

}  // namespace

std::vector<std::string> outcome_kinds() {
  std::vector<std::string> out;
  for (const Kind& k : kKinds) out.emplace_back(k.name);
  return out;
}

std::vector<std::string> default_outcome_kinds() {
  return {"tone_change", "modulus_change", "peak_temperature", "safety_flags"};
}

bool is_muscle_outcome(std::string_view kind) {
  const Kind* k = find_kind(kind);
  return k && k->muscle;
}

std::string outcome_units(std::string_view kind) {
  const Kind* k = find_kind(kind);
  return k ? k->units : "";
}

std::vector<Outcome> run_outcomes(const RunSummary& s) {
  std::vector<Outcome> out;
  std::vector<Outcome> per_muscle;
  for (const auto& m : s.muscles) muscle_outcomes(m, s.safety_flags, per_muscle);
  for (const char* kind : {"tone_change.", "modulus_change.", "peak_temperature.", "safety_flags."})
    for (const auto& o : per_muscle)
      if (o.name.rfind(kind, 0) == 0) out.push_back(o);
  Real max_t = 0;
  for (const auto& r : s.regions) max_t = std::max(max_t, r.peak_temperature);
  out.push_back({"work", s.work});
  out.push_back({"friction_heat", s.friction_heat});
  out.push_back({"dissipated_heat", s.dissipated_heat});
  out.push_back({"contact_heat", s.contact_heat});
  out.push_back({"peak_contact_pressure", s.peak_contact_pressure});
  out.push_back({"applied_force", s.applied_force});
  out.push_back({"max_temperature", max_t});
  out.push_back({"flags_total", static_cast<Real>(s.safety_flags.size())});
  out.push_back({"wall_seconds", s.wall_seconds});
  return out;
}

bool outcome_selected(std::string_view name, const std::vector<std::string>& kinds,
                      const std::vector<std::string>& muscles) {
  const auto dot = name.find('.');
  const std::string_view kind = name.substr(0, dot);
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) return false;
  if (dot == std::string_view::npos || muscles.empty()) return true;
  const std::string_view muscle = name.substr(dot + 1);
  return std::any_of(muscles.begin(), muscles.end(), [&](const std::string& m) {
    const std::string_view side = muscle.rfind(m, 0) == 0 ? muscle.substr(m.size()) : std::string_view{};
    return muscle == m || side == "_left" || side == "_right";
  });
}

}  // namespace tissue
