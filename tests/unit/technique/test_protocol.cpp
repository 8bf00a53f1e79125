#include <catch2/catch.hpp>
#include <memory>

#include "libtissue/core/error.hpp"
#include "technique_fixtures.hpp"

using namespace tissue;
using tissue::test::patch;

namespace {
Protocol example_protocol() {
  Stroking::Options s;
  s.duration = 60;
  StaticCompression::Options sc;  // 5 + 60 + 5 s
  MassageGun::Options g;
  g.duration = 30;
  Protocol p;
  p.add(std::make_shared<Stroking>(patch("erector_spinae_right"), s))
      .rest(30)
      .add(std::make_shared<StaticCompression>(patch("gluteus_medius_right"), sc))
      .add(std::make_shared<MassageGun>(patch("gluteus_medius_left"), g), "left glute")
      .follow_up(600);
  return p;
}
}  // namespace

TEST_CASE("A protocol lays blocks, rests and follow-up end to end", "[technique][protocol]") {
  const Protocol p = example_protocol();
  CHECK(p.n_blocks() == 3);
  CHECK(p.duration() == Approx(60 + 30 + 70 + 30 + 600));
  const auto ev = p.events();
  REQUIRE(ev.size() == 5);
  CHECK(ev[0].name == "stroking");
  CHECK(ev[0].region == "erector_spinae_right");
  CHECK(ev[0].t0 == 0);
  CHECK(ev[0].t1 == Approx(60));
  CHECK(ev[1].phase == ProtocolPhase::rest);
  CHECK(ev[1].t1 == Approx(90));
  CHECK(ev[2].name == "static_compression");
  CHECK(ev[2].t0 == Approx(90));
  CHECK(ev[2].t1 == Approx(160));
  CHECK(ev[3].region == "left glute");
  CHECK(ev[4].phase == ProtocolPhase::follow_up);
  CHECK(ev[4].t0 == Approx(190));
  CHECK(ev[4].t1 == Approx(790));
}

TEST_CASE("The protocol answers what is active at t", "[technique][protocol]") {
  const Protocol p = example_protocol();
  auto s = p.at(10);
  CHECK(s.phase == ProtocolPhase::technique);
  CHECK(s.block == 0);
  CHECK(s.command.has_value());
  CHECK(s.command->active);
  s = p.at(75);
  CHECK(s.phase == ProtocolPhase::rest);
  CHECK(s.local_time == Approx(15));
  CHECK_FALSE(s.command.has_value());
  CHECK_FALSE(p.command(75).active);
  s = p.at(90 + 30);  // static compression hold, local time 30 s
  CHECK(s.block == 1);
  CHECK(s.local_time == Approx(30));
  CHECK(s.command->force == Approx(30));
  CHECK(p.at(90).block == 1);  // a boundary belongs to the next item
  s = p.at(170);
  CHECK(s.block == 2);
  CHECK(s.command->control == ToolControl::depth);
  CHECK(s.technique->period().has_value());
  s = p.at(500);
  CHECK(s.phase == ProtocolPhase::follow_up);
  CHECK(s.local_time == Approx(310));
  CHECK(p.at(790).phase == ProtocolPhase::finished);
  CHECK_THROWS_WITH(p.at(-1), Catch::Contains("protocol.time"));
}

TEST_CASE("Protocol max_dt never steps over an item boundary", "[technique][protocol]") {
  const Protocol p = example_protocol();
  Real t = 0;
  std::vector<Real> times;
  int guard = 0;
  while (t < p.duration() - 1e-9 && ++guard < 200000) {
    t += p.max_dt(t);
    times.push_back(t);
  }
  CHECK(t == Approx(p.duration()));
  for (const auto& e : p.events())
    CHECK(std::any_of(times.begin(), times.end(), [&](Real x) { return std::abs(x - e.t1) < 1e-6; }));
  CHECK(p.max_dt(92) <= 5.0 / 8 + 1e-12);                          // inside the compression ramp (local 2 s)
  CHECK(p.max_dt(100) == Approx(55));                              // compression hold: up to the release
  CHECK(p.max_dt(170) <= 1.0 / (kGunStepsPerCycle * 30) + 1e-15);  // massage gun
  CHECK(p.next_event(100).value() == Approx(160));
  CHECK_FALSE(p.next_event(800).has_value());
}

TEST_CASE("Bad protocol entries are rejected with the field", "[technique][protocol]") {
  Protocol p;
  CHECK_THROWS_WITH(p.rest(-1), Catch::Contains("protocol.rest"));
  CHECK_THROWS_WITH(p.add(nullptr), Catch::Contains("protocol.technique"));
  CHECK_THROWS_WITH(p.follow_up(-5), Catch::Contains("protocol.follow_up"));
  CHECK(p.duration() == 0);
  CHECK(p.at(0).phase == ProtocolPhase::finished);
}
