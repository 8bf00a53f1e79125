#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <memory>

#include "libtissue/core/error.hpp"
#include "technique_fixtures.hpp"

using namespace tissue;
using tissue::test::dominant_frequency;
using tissue::test::patch;

namespace {

// One instance of every named technique over `p`, with default options (durations shortened).
std::vector<std::unique_ptr<Technique>> all_techniques(const SkinPatch& p) {
  std::vector<std::unique_ptr<Technique>> t;
  t.push_back(std::make_unique<Stroking>(p));
  t.push_back(std::make_unique<DeepStroking>(p));
  t.push_back(std::make_unique<Kneading>(p));
  t.push_back(std::make_unique<Percussion>(p));
  t.push_back(std::make_unique<MassageGun>(p));
  t.push_back(std::make_unique<TransverseFriction>(p));
  t.push_back(std::make_unique<StaticCompression>(p));
  Vibration::Options vib;
  vib.glide_speed = 0.01;
  t.push_back(std::make_unique<Vibration>(p, vib));
  t.push_back(std::make_unique<HeatPack>(p));
  t.push_back(std::make_unique<HotStone>(p));
  return t;
}

/// A technique T over `p` with the data's hand conductance: mid-way, its command carries the hand's
/// temperature and that conductance.
template <class T>
void check_warm_hand(const SkinPatch& p) {
  typename T::Options o;
  o.hand_conductance = kHandConductance;
  const T tech(p, o);
  INFO(tech.name());
  const ToolCommand c = tech.command(0.5 * tech.duration());
  CHECK(c.tool_temperature.value() == Approx(kHandTemperature));
  CHECK(c.heat_transfer == Approx(kHandConductance));
}

}  // namespace

TEST_CASE("Every technique keeps the tool centre over the target muscle for its whole duration",
          "[technique]") {
  for (const char* region : {"erector_spinae_right", "gluteus_medius_left", "quadratus_lumborum_left"}) {
    const SkinPatch p = patch(region);
    for (const auto& tech : all_techniques(p)) {
      INFO(region << " / " << tech->name());
      CHECK(tech->target() == region);
      const int n = 4000;
      int outside = 0;
      for (int i = 0; i <= n; ++i) {
        const Real t = tech->duration() * i / n;
        const ToolCommand c = tech->command(t);
        REQUIRE(c.active);
        if (!p.contains(c.pose.centre)) ++outside;
        CHECK(c.pose.push.isApprox(Vec3(0, 0, -1)));
      }
      CHECK(outside == 0);
      CHECK_FALSE(tech->command(tech->duration() + 1e-6).active);
      CHECK_FALSE(tech->command(-1e-6).active);
    }
  }
}

TEST_CASE("Static compression ramps, holds for the set time and releases", "[technique]") {
  StaticCompression::Options o;
  o.force = 35;
  o.ramp = 4;
  o.hold = 60;
  o.release = 6;
  const StaticCompression sc(patch("gluteus_medius_right"), o);
  CHECK(sc.duration() == Approx(70));
  CHECK(sc.command(0).force == 0.0);
  CHECK(sc.command(2).force == Approx(17.5));
  for (Real t : {4.0, 20.0, 63.9}) CHECK(sc.command(t).force == Approx(35));
  CHECK(sc.command(67).force == Approx(17.5));
  CHECK(sc.command(70).force == Approx(0).margin(1e-12));
  CHECK(sc.command(30).velocity.norm() == 0.0);  // stationary: no friction
  // Stepping with max_dt lands exactly on the corners of the history and resolves the ramps.
  std::vector<Real> times{0};
  while (times.back() < sc.duration() - 1e-9) times.push_back(times.back() + sc.max_dt(times.back()));
  for (Real corner : {4.0, 64.0, 70.0})
    CHECK(std::any_of(times.begin(), times.end(), [&](Real t) { return std::abs(t - corner) < 1e-9; }));
  for (size_t i = 1; i < times.size(); ++i)
    if (times[i] <= 4.0 + 1e-9) CHECK(times[i] - times[i - 1] <= o.ramp / 8 + 1e-12);
}

TEST_CASE("Gliding techniques hold the set force and speed after the ramp", "[technique]") {
  Stroking::Options o;
  o.force = 25;
  o.speed = 0.06;
  o.ramp = 1;
  o.duration = 20;
  const Stroking s(patch("erector_spinae_right"), o);
  CHECK(s.command(0.5).force == Approx(12.5));
  CHECK(s.command(10).force == Approx(25));
  CHECK(s.command(19.5).force == Approx(12.5));
  CHECK(s.command(10).velocity.norm() == Approx(0.06));
  CHECK(s.command(10).mu == friction::oiled_skin);
  const DeepStroking d(patch("erector_spinae_right"));
  CHECK(d.command(30).velocity.norm() < 0.021);
  CHECK(d.command(30).force > s.command(10).force);
}

TEST_CASE("Stroking runs along the fibres, transverse friction across them", "[technique]") {
  for (const char* region : {"erector_spinae_right", "quadratus_lumborum_left", "gluteus_medius_right"}) {
    INFO(region);
    const SkinPatch p = patch(region);
    const Stroking s(p);
    const DeepStroking d(p);
    const TransverseFriction tf(p);
    int moving = 0;
    for (int i = 1; i < 500; ++i) {
      const Real t = 0.37 * i;
      if (t > s.duration()) break;
      const Vec3 v = s.command(t).velocity;
      CHECK(std::abs(v.normalized().dot(p.fibre)) == Approx(1.0).epsilon(1e-9));
      CHECK(std::abs(d.command(t).velocity.normalized().dot(p.fibre)) == Approx(1.0).epsilon(1e-9));
      const Vec3 w = tf.command(t).velocity;
      if (w.norm() > 1e-6) {
        ++moving;
        CHECK(w.normalized().dot(p.fibre) == Approx(0.0).margin(1e-9));
      }
    }
    CHECK(moving > 100);
    // The cross-fibre stroke sweeps 2 x amplitude at the set frequency.
    CHECK(dominant_frequency([&](Real t) { return tf.command(t).pose.centre.dot(p.across); }, 10.0) == 2);
  }
}

TEST_CASE("Percussion, massage gun and vibration load at the set frequency", "[technique]") {
  const SkinPatch p = patch("gluteus_medius_right");
  for (Real f : {5.0, 6.0, 9.0}) {
    Percussion::Options o;
    o.frequency = f;
    const Percussion perc(p, o);
    CHECK(dominant_frequency([&](Real t) { return perc.command(t).force; }, 3.0) == static_cast<int>(f));
    CHECK(perc.max_dt(3.0) <= 1.0 / (20 * f));
    CHECK(perc.period().value() == Approx(1 / f));
  }
  for (Real f : {20.0, 30.0, 47.0, 53.0}) {
    MassageGun::Options o;
    o.frequency = f;
    const MassageGun gun(p, o);
    CHECK(dominant_frequency([&](Real t) { return gun.command(t).depth; }, 2.0) == static_cast<int>(f));
    CHECK(gun.max_dt(2.0) <= 1.0 / (o.steps_per_cycle * f) + 1e-15);
    o.steps_per_cycle = 40;
    CHECK(MassageGun(p, o).max_dt(2.0) <= 1.0 / (40 * f) + 1e-15);
    o.steps_per_cycle = 7;
    CHECK_THROWS_WITH(MassageGun(p, o), Catch::Contains("steps_per_cycle"));
  }
  for (Real f : {10.0, 35.0, 50.0}) {
    Vibration::Options o;
    o.frequency = f;
    const Vibration vib(p, o);
    CHECK(dominant_frequency([&](Real t) { return vib.command(t).force; }, 5.0) == static_cast<int>(f));
    CHECK(vib.max_dt(5.0) <= 1.0 / (20 * f));
  }
  Kneading::Options ko;
  ko.frequency = 1.0;
  const Kneading kn(p, ko);
  CHECK(dominant_frequency([&](Real t) { return kn.command(t).force; }, 5.0) == 1);
  CHECK(kn.max_dt(5.0) <= 1.0 / kStepsPerSlowPeriod);
}

TEST_CASE("Percussion taps are half-sine pulses with the tool lifted between taps", "[technique]") {
  Percussion::Options o;
  o.frequency = 5;
  o.contact_fraction = 0.25;
  o.peak_force = 40;
  const Percussion perc(patch("gluteus_medius_left"), o);
  CHECK(perc.command(2.0 + 0.025).force == Approx(40));  // middle of the contact
  CHECK(perc.command(2.0 + 0.1).force == 0.0);           // between taps
  CHECK(perc.command(2.0 + 0.1).active);                 // still positioned, zero force
  CHECK(perc.max_dt(0) <= 0.05 / 10 + 1e-15);            // resolves the 50 ms contact
}

TEST_CASE("The massage gun prescribes depth within its stroke and stalls at the set force", "[technique]") {
  MassageGun::Options o;
  o.stroke = 0.014;
  o.preload_depth = 0.002;
  o.stall_force = 80;
  const MassageGun gun(patch("gluteus_medius_right"), o);
  Real lo = 1, hi = -1;
  for (int i = 0; i < 200; ++i) {
    const ToolCommand c = gun.command(10 + i * 1e-3);
    CHECK(c.control == ToolControl::depth);
    CHECK(c.force_limit == 80);
    lo = std::min(lo, c.depth);
    hi = std::max(hi, c.depth);
    CHECK(c.velocity.norm() == Approx(0.025));  // glides at 2.5 cm/s
  }
  CHECK(lo == Approx(0.002).margin(1e-5));
  CHECK(hi == Approx(0.016).margin(1e-5));
  CHECK(gun.command(0).footprint.name == "gun_ball");
}

TEST_CASE("Kneading circles with the set radius and modulates the force once per circle", "[technique]") {
  Kneading::Options o;
  o.glide_speed = 0;
  o.radius = 0.015;
  const Kneading kn(patch("gluteus_medius_right"), o);
  const Vec3 c0 = kn.centre_path().point(0);
  const Real T = kn.period().value();
  for (int i = 0; i < 16; ++i) {
    const Real t = 10 + T * i / 16;
    const ToolCommand c = kn.command(t);
    CHECK((c.pose.centre - c0).norm() == Approx(0.015));
    CHECK(c.velocity.norm() == Approx(2 * M_PI * o.frequency * 0.015));
    CHECK(c.force >= o.force * (1 - o.modulation) - 1e-12);
    CHECK(c.force <= o.force * (1 + o.modulation) + 1e-12);
  }
  CHECK(kn.command(10).pose.centre.isApprox(kn.command(10 + T).pose.centre));  // periodic
}

TEST_CASE("Gliding max_dt moves the tool at most one footprint width per step", "[technique]") {
  const SkinPatch p = patch("erector_spinae_right");
  const Stroking s(p);
  const Real width = 2 * std::min(s.options().tool.a, s.options().tool.b);
  CHECK(s.max_dt(10) * s.options().speed <= width + 1e-15);
  CHECK(s.max_dt(10) * s.options().speed > 0.99 * width);  // not finer than the rule
  const TransverseFriction tf(p);
  const Real peak = 2 * M_PI * tf.options().frequency * tf.options().amplitude;
  CHECK(tf.max_dt(10) * peak <= 2 * tf.options().tool.b + 1e-12);
  CHECK(tf.max_dt(10) <= 1.0 / (20 * tf.options().frequency));
}

TEST_CASE("Thermal techniques carry the tool temperature and contact conductance", "[technique]") {
  const HeatPack pack(patch("erector_spinae_right"));
  const ToolCommand c = pack.command(100);
  CHECK(c.force == 0.0);
  CHECK(c.tool_temperature.value() == Approx(kCelsius + 42));
  CHECK(c.heat_transfer == Approx(100));
  CHECK(c.velocity.norm() == 0.0);
  CHECK(pack.max_dt(100) == Approx(pack.duration() - 100));
  HotStone::Options o;
  o.cooling_time = 300;
  const HotStone stone(patch("gluteus_medius_left"), o);
  CHECK(stone.command(0.5).tool_temperature.value() < kCelsius + 50);
  CHECK(stone.temperature(300) == Approx(kCelsius + 37 + 13 * std::exp(-1.0)));
  CHECK(stone.command(30).velocity.norm() == Approx(0.05));
  HotStone::Options placed;
  placed.speed = 0;
  const HotStone resting(patch("gluteus_medius_left"), placed);
  CHECK(resting.command(30).pose.centre.isApprox(patch("gluteus_medius_left").centre));
}

TEST_CASE("Hand techniques conduct heat at the hand's temperature and the gun and lifted hands do not",
          "[technique][hand]") {
  const SkinPatch p = patch("erector_spinae_right");
  // By default no hand conducts (the options' default conductance is 0).
  for (const auto& tech : all_techniques(p)) {
    INFO(tech->name());
    const std::string name(tech->name());
    if (name == "heat_pack" || name == "hot_stone") continue;  // tested above
    const ToolCommand c = tech->command(0.5 * tech->duration());
    CHECK_FALSE(c.tool_temperature.has_value());
    CHECK(c.heat_transfer == 0.0);
  }
  // Each hand technique with a conductance: the hand's temperature over the footprint.
  check_warm_hand<Stroking>(p);
  check_warm_hand<DeepStroking>(p);
  check_warm_hand<TransverseFriction>(p);
  check_warm_hand<StaticCompression>(p);
  check_warm_hand<Vibration>(p);
  // A tap: in contact at a quarter of the contact phase, lifted (no conduction) between taps.
  Percussion::Options po;
  po.hand_conductance = kHandConductance;
  const Percussion tap(p, po);
  const Real period = 1 / tap.options().frequency;
  CHECK(tap.command(0.25 * tap.options().contact_fraction * period).heat_transfer ==
        Approx(kHandConductance));
  CHECK(tap.command(0.9 * period).heat_transfer == 0.0);
  // Set values are carried; a zero conductance switches conduction off.
  Kneading::Options warm;
  warm.hand_temperature = kCelsius + 36;
  warm.hand_conductance = 800;
  const ToolCommand w = Kneading(p, warm).command(10);
  CHECK(w.tool_temperature.value() == Approx(kCelsius + 36));
  CHECK(w.heat_transfer == Approx(800));
  // Out of range: named fields.
  Stroking::Options cold;
  cold.hand_temperature = kCelsius + 5;
  CHECK_THROWS_WITH(cold.validate("stroking"), Catch::Contains("stroking.hand_temperature"));
  Vibration::Options neg;
  neg.hand_conductance = -1;
  CHECK_THROWS_WITH(neg.validate("vibration"), Catch::Contains("vibration.hand_conductance"));
}

TEST_CASE("Invalid technique options name the field", "[technique]") {
  const SkinPatch es = patch("erector_spinae_right");
  Stroking::Options s;
  s.force = -5;
  CHECK_THROWS_WITH(Stroking(es, s), Catch::Contains("stroking.force"));
  MassageGun::Options g;
  g.frequency = 60;
  CHECK_THROWS_WITH(MassageGun(es, g), Catch::Contains("massage_gun.frequency") && Catch::Contains("20, 53"));
  g.frequency = 15;
  CHECK_THROWS_WITH(MassageGun(es, g), Catch::Contains("massage_gun.frequency"));
  Vibration::Options v;
  v.amplitude = 30;
  CHECK_THROWS_WITH(Vibration(es, v), Catch::Contains("vibration.amplitude"));
  StaticCompression::Options sc;
  sc.hold = -1;
  CHECK_THROWS_WITH(StaticCompression(es, sc), Catch::Contains("static_compression.hold"));
  Kneading::Options k;
  k.radius = 0.02;  // a 4 cm circle does not fit over a 2.4 cm wide muscle
  CHECK_THROWS_WITH(Kneading(es, k), Catch::Contains("kneading.radius"));
  TransverseFriction::Options tf;
  tf.amplitude = 0.02;
  CHECK_THROWS_WITH(TransverseFriction(es, tf), Catch::Contains("transverse_friction.amplitude"));
  HotStone::Options hs;
  hs.temperature = kCelsius + 90;
  CHECK_THROWS_WITH(HotStone(es, hs), Catch::Contains("hot_stone.temperature"));
  Percussion::Options p;
  p.contact_fraction = 0;
  CHECK_THROWS_WITH(Percussion(es, p), Catch::Contains("percussion.contact_fraction"));
  // The session layer validates with its own prefix.
  CHECK_THROWS_WITH(s.validate("technique[2]"), Catch::Contains("technique[2].force"));
}
