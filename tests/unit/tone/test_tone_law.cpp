// Tone law: exact exponential decay to the analytic equilibrium under a constant stimulus, recovery
// with the set time constant, monotone inhibition by pressure and warmth, bounds, validation, tables.
#include <catch2/catch.hpp>
#include <cmath>

#include "libtissue/core/error.hpp"
#include "libtissue/tone/tone_law.hpp"

using namespace tissue;

namespace {
ToneParameters params() {
  ToneParameters p;
  p.tau_recovery = 300;
  p.pressure_rate = 4e-3;
  p.pressure_half = 1e4;
  p.pressure_exponent = 2;
  p.temperature_rate = 1e-3;
  p.temperature_base = kCelsius + 37;
  return p;
}
}  // namespace

TEST_CASE("Tone under a constant stimulus decays at the set rate to the analytic equilibrium", "[tone]") {
  const ToneParameters p = params();
  const InhibitionRecoveryLaw law(p);
  const ToneStimulus s{2e4, kCelsius + 39};  // P = 0.8, dT = 2 K
  const Real P = 4.0 / 5.0;
  const Real lambda = 1 / p.tau_recovery + p.pressure_rate * P + p.temperature_rate * 2.0;
  const Real a_rest = 0.4, a_eq = a_rest / (p.tau_recovery * lambda);
  CHECK(law.pressure_response(2e4) == Approx(P).epsilon(1e-14));
  CHECK(law.decay_rate(s) == Approx(lambda).epsilon(1e-14));
  CHECK(law.equilibrium(a_rest, s) == Approx(a_eq).epsilon(1e-14));
  // Many small steps and one big step both give the exact solution a_eq + (a0 - a_eq) exp(-lambda t).
  Real a = a_rest, a_big = a_rest;
  const Real t = 240.0;
  for (int k = 0; k < 240; ++k) a = law.advance(a, a_rest, s, 1.0);
  a_big = law.advance(a_big, a_rest, s, t);
  const Real exact = a_eq + (a_rest - a_eq) * std::exp(-lambda * t);
  CHECK(a == Approx(exact).epsilon(1e-12));
  CHECK(a_big == Approx(exact).epsilon(1e-12));
  CHECK(law.advance(a_rest, a_rest, s, 1e7) == Approx(a_eq).epsilon(1e-12));
  // The rate is consistent with the ODE.
  CHECK(law.rate(a, a_rest, s) == Approx(-lambda * (a - a_eq)).epsilon(1e-12));
}

TEST_CASE("After the stimulus ends tone recovers toward resting tone with time constant tau_recovery",
          "[tone]") {
  const ToneParameters p = params();
  const InhibitionRecoveryLaw law(p);
  const ToneStimulus none{0.0, kCelsius + 36.5};  // below baseline: no thermal inhibition
  const Real a_rest = 0.3, a0 = 0.1;
  Real a = a0;
  for (int k = 0; k < 60; ++k) a = law.advance(a, a_rest, none, 10.0);  // 10 min in 10 s steps
  const Real exact = a_rest + (a0 - a_rest) * std::exp(-600.0 / p.tau_recovery);
  CHECK(a == Approx(exact).epsilon(1e-12));
  // One time constant recovers 1 - 1/e of the deficit.
  CHECK((law.advance(a0, a_rest, none, p.tau_recovery) - a0) / (a_rest - a0) == Approx(1 - std::exp(-1.0)));
  // Negative pressure (tension) does not inhibit.
  CHECK(law.decay_rate(ToneStimulus{-5e4, kCelsius + 30}) == Approx(1 / p.tau_recovery));
}

TEST_CASE("More pressure and higher temperature give lower tone", "[tone]") {
  const InhibitionRecoveryLaw law(params());
  const Real a_rest = 0.5;
  Real last = 2;
  for (Real pr : {0.0, 2e3, 5e3, 1e4, 3e4, 1e5}) {
    const Real a = law.advance(a_rest, a_rest, ToneStimulus{pr, kCelsius + 37}, 120);
    CHECK(a < last);
    last = a;
  }
  CHECK(law.advance(a_rest, a_rest, ToneStimulus{0, kCelsius + 37}, 120) == Approx(a_rest));
  last = 2;
  for (Real dT : {0.0, 0.5, 1.0, 2.0, 4.0}) {
    const Real a = law.equilibrium(a_rest, ToneStimulus{0, kCelsius + 37 + dT});
    CHECK(a < last);
    last = a;
  }
}

TEST_CASE("Tone stays in [0, 1] for large steps and out-of-range starts", "[tone]") {
  ToneParameters p = params();
  p.pressure_rate = 10;  // very strong inhibition: stiff
  const InhibitionRecoveryLaw law(p);
  for (Real dt : {1e-3, 1.0, 1e3, 1e9})
    for (Real a0 : {0.0, 0.5, 1.0, 1.5, -0.2})
      for (Real pr : {0.0, 1e6}) {
        const Real a = law.advance(a0, 1.0, ToneStimulus{pr, kCelsius + 45}, dt);
        CHECK(a >= 0.0);
        CHECK(a <= 1.0);
      }
  // A vector of points, with the integrate() convenience.
  VectorX tone(3), rest(3);
  tone << 0.9, 0.2, 0.0;
  rest << 1.0, 0.2, 0.0;
  const std::vector<ToneStimulus> s(3, ToneStimulus{1e5, kCelsius + 40});
  law.integrate(tone, rest, s, 1e6);
  CHECK(tone.minCoeff() >= 0);
  CHECK(tone.maxCoeff() <= 1);
  CHECK(tone[2] == 0.0);
}

TEST_CASE("Stimulus accumulator returns time averages", "[tone]") {
  ToneStimulusAccumulator acc(2);
  const std::vector<Real> p1{1e4, 0}, T1{310, 311}, p2{3e4, 0}, T2{312, 311};
  acc.add(p1, T1, 1.0);
  acc.add(p2, T2, 3.0);
  const auto avg = acc.average();
  CHECK(avg[0].pressure == Approx(2.5e4));
  CHECK(avg[0].temperature == Approx(311.5));
  CHECK(avg[1].temperature == Approx(311));
  CHECK(acc.time() == Approx(4.0));
  acc.reset();
  CHECK_THROWS_AS(acc.average(), InputError);
  const std::vector<Real> bad{1.0};
  try {
    acc.add(bad, T1, 1.0);
    FAIL("no throw");
  } catch (const InputError& e) {
    CHECK(e.field() == "tone_stimulus.pressure");
  }
}

TEST_CASE("Validation errors name the field", "[tone]") {
  auto field_of = [](ToneParameters p) -> std::string {
    try {
      p.validate();
    } catch (const InputError& e) {
      return e.field();
    }
    return "";
  };
  ToneParameters p = params();
  p.tau_recovery = 0;
  CHECK(field_of(p) == "tone.tau_recovery");
  p = params();
  p.pressure_rate = -1;
  CHECK(field_of(p) == "tone.pressure_rate");
  p = params();
  p.pressure_half = std::nan("");
  CHECK(field_of(p) == "tone.pressure_half");
  p = params();
  p.temperature_rate = -1e-3;
  CHECK(field_of(p) == "tone.temperature_rate");
  CHECK_THROWS_AS(InhibitionRecoveryLaw(p), InputError);
  RestingTone r;
  r.hypertonic = 1.5;
  try {
    r.validate();
    FAIL("no throw");
  } catch (const InputError& e) {
    CHECK(e.field() == "tone.resting.hypertonic");
  }
  const InhibitionRecoveryLaw law(params());
  VectorX tone(2), rest(3);
  tone.setZero();
  rest.setZero();
  try {
    law.integrate(tone, rest, std::vector<ToneStimulus>(2), 1.0);
    FAIL("no throw");
  } catch (const InputError& e) {
    CHECK(e.field() == "tone.size");
  }
}

TEST_CASE("Default tables: data/tone/tone.toml parses with units and sources, and hypertonic muscles",
          "[tone]") {
  const ToneParameters d = ToneParameters::defaults();
  CHECK(d.tau_recovery == Approx(300.0));  // 5 min
  CHECK(d.pressure_half == Approx(3e3));   // 3 kPa (calibrated, docs/validation.md)
  CHECK(d.temperature_base == Approx(kCelsius + 37));
  CHECK_NOTHROW(d.validate());
  RestingTone r = RestingTone::defaults();
  CHECK(r.normal == Approx(0.2));
  r.make_hypertonic("erector_spinae_right");
  r.overrides["multifidus"] = 0.1;
  CHECK(r.for_region("erector_spinae_right") == Approx(r.hypertonic));
  CHECK(r.for_region("erector_spinae_left") == Approx(r.normal));
  CHECK(r.for_region("multifidus_left") == Approx(0.1));
  r.make_hypertonic("gluteus_medius");
  CHECK(r.for_region("gluteus_medius_left") == Approx(r.hypertonic));
  // Bad tables name the field.
  ToneParameters law;
  RestingTone rest;
  std::string text(default_tone_toml());
  const std::string key = "value = 5.0, unit = \"min\"";
  const auto pos = text.find(key);
  REQUIRE(pos != std::string::npos);
  std::string bad = text;
  bad.replace(pos, key.size(), "value = 5.0, unit = \"kg\"");
  try {
    parse_tone_toml(bad, "bad.toml", law, rest);
    FAIL("no throw");
  } catch (const InputError& e) {
    CHECK(e.field() == "law.tau_recovery.unit");
    CHECK(e.where().line > 0);
  }
  bad = text;
  bad.replace(pos, key.size(), "value = -5.0, unit = \"min\"");
  try {
    parse_tone_toml(bad, "bad.toml", law, rest);
    FAIL("no throw");
  } catch (const InputError& e) {
    CHECK(e.field() == "law.tau_recovery");
  }
  CHECK(make_default_tone_law()->name() == "inhibition_recovery");
}

TEST_CASE("The inhibition law's pressure drive is its Hill response, and pressure_of_drive inverts it",
          "[tone]") {
  const ToneParameters p = params();
  const InhibitionRecoveryLaw law(p);
  for (Real pressure : {1.0, 500.0, 1e4, 2e4, 1e5}) {
    INFO("p = " << pressure << " Pa");
    CHECK(law.pressure_drive(pressure) == Approx(law.pressure_response(pressure)).epsilon(1e-15));
    CHECK(law.pressure_of_drive(law.pressure_drive(pressure)) == Approx(pressure).epsilon(1e-9));
  }
  CHECK(law.pressure_drive(-3e3) == 0.0);  // tension does not inhibit
  CHECK(law.pressure_of_drive(0.0) == 0.0);
  // A pressure alternating between 0 and 2 p_half: the mean drive P(2 p_half) / 2 = 0.4 (n = 2) stands for
  // p = p_half sqrt(2/3), not for the mean pressure p_half.
  const Real d = 0.5 * (law.pressure_drive(0.0) + law.pressure_drive(2 * p.pressure_half));
  CHECK(law.pressure_of_drive(d) == Approx(p.pressure_half * std::sqrt(2.0 / 3.0)).epsilon(1e-12));
}
