// The perfusion law: Q10 temperature response and first-order stimulus response (exact exponentials).
#include <catch2/catch.hpp>
#include <cmath>

#include "libtissue/core/error.hpp"
#include "thermal_fixtures.hpp"

using namespace tissue;

TEST_CASE("Perfusion rises by Q10 per 10 K", "[thermal][perfusion]") {
  PerfusionLaw law;
  law.q10 = 3.0;
  law.max_factor = 100.0;
  const Real Tr = law.reference_temperature;
  CHECK(law.factor(Tr, 0) == Approx(1.0).epsilon(1e-14));
  CHECK(law.factor(Tr + 10, 0) == Approx(3.0).epsilon(1e-14));
  CHECK(law.factor(Tr + 20, 0) == Approx(9.0).epsilon(1e-14));
  CHECK(law.factor(Tr - 10, 0) == Approx(1.0 / 3.0).epsilon(1e-14));
  CHECK(law.perfusion(6e-4, Tr + 5, 0) == Approx(6e-4 * std::sqrt(3.0)).epsilon(1e-14));
  // Stimulus multiplies: (1 + gain s).
  law.stimulus_gain = 1.5;
  CHECK(law.factor(Tr + 10, 0.4) == Approx(3.0 * 1.6).epsilon(1e-14));
  // Default Q10 = 4 reproduces the lower half of the 1.4-2x flow rise at +2.5..3 K (Koch Esteves 2021).
  const PerfusionLaw def;
  CHECK(def.factor(def.reference_temperature + 2.5, 0) == Approx(1.41).epsilon(0.01));
  CHECK(def.factor(def.reference_temperature + 3.0, 0) == Approx(1.52).epsilon(0.01));
  // Clamp.
  CHECK(def.factor(def.reference_temperature + 40, 1) == def.max_factor);
}

TEST_CASE("Stimulus state rises with tau_rise and decays with tau_decay (exact exponentials)",
          "[thermal][perfusion]") {
  PerfusionLaw law;
  law.tau_rise = 45.0;
  law.tau_decay = 420.0;
  for (Real dt : {0.5, 7.0, 30.0}) {
    Real s = 0, t = 0;
    while (t < 180 - 1e-9) {
      s = law.advance(s, 1.0, dt);
      t += dt;
    }
    CHECK(s == Approx(1 - std::exp(-t / law.tau_rise)).epsilon(1e-12));
    const Real s_end = s;
    Real td = 0;
    while (td < 900 - 1e-9) {
      s = law.advance(s, 0.0, dt);
      td += dt;
    }
    CHECK(s == Approx(s_end * std::exp(-td / law.tau_decay)).epsilon(1e-12));
  }
  // Vector form and partial stimulus: rises toward u = 0.5.
  VectorX s = VectorX::Zero(3), u = VectorX::Constant(3, 0.5);
  law.advance(s, u, law.tau_rise);
  CHECK((s.array() - 0.5 * (1 - std::exp(-1.0))).abs().maxCoeff() < 1e-14);
  VectorX bad(2);
  CHECK_THROWS_AS(law.advance(s, bad, 1.0), InputError);
}

TEST_CASE("Bioheat perfusion follows the law at the quadrature points", "[thermal][perfusion]") {
  const Mesh m = test::slab(3, 0.01, 0.002);
  const Real w0 = 5e-4;
  BioheatProblem p(m, {test::props(1000, 4000, 0.5, w0)}, BloodProperties{});
  PerfusionLaw law;
  const VectorX T = VectorX::Constant(m.n_nodes(), law.reference_temperature + 10);
  const VectorX s = VectorX::Constant(m.n_nodes(), 0.5);
  p.set_perfusion(law, T, s);
  const VectorX w = p.cell_perfusion();
  CHECK((w.array() - w0 * law.q10 * 1.5).abs().maxCoeff() < 1e-15);
  p.reset_perfusion();
  CHECK((p.cell_perfusion().array() - w0).abs().maxCoeff() < 1e-18);
}

TEST_CASE("Bad perfusion-law parameters name the field", "[thermal][perfusion]") {
  PerfusionLaw law;
  law.tau_decay = -1;
  CHECK_THROWS_WITH(law.validate(), Catch::Contains("perfusion_law.tau_decay"));
  law = PerfusionLaw{};
  law.q10 = 0;
  CHECK_THROWS_WITH(law.validate(), Catch::Contains("perfusion_law.q10"));
}
