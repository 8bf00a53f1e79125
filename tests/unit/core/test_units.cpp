#include <catch2/catch.hpp>
#include <string>

#include "libtissue/core/error.hpp"
#include "libtissue/core/units.hpp"

using namespace tissue;
namespace u = tissue::units;

TEST_CASE("Quantities with units convert to SI", "[core][units]") {
  CHECK(u::parse_as("30 N", u::force) == Approx(30));
  CHECK(u::parse_as("5 cm/s", u::velocity) == Approx(0.05));
  CHECK(u::parse_as("42 degC", u::temperature) == Approx(315.15));
  CHECK(u::parse_as("310 K", u::temperature) == Approx(310));
  CHECK(u::parse_as("7 min", u::time) == Approx(420));
  CHECK(u::parse_as("2.5 kPa", u::pressure) == Approx(2500));
  CHECK(u::parse_as("8 mm", u::length) == Approx(0.008));
  CHECK(u::parse_as("30 Hz", u::frequency) == Approx(30));
  CHECK(u::parse_as("0.37 W/m/K", u::power / u::length / u::temperature) == Approx(0.37));
  CHECK(u::parse_as("10 W/m^2", u::heat_flux) == Approx(10));
  CHECK(u::parse_as("1090 kg/m^3", u::density) == Approx(1090));
  CHECK(u::parse_as("120 mmHg", u::pressure) == Approx(15998.7).epsilon(1e-4));
  CHECK(u::parse_as("0.36", u::dimensionless) == Approx(0.36));
  CHECK(u::parse_as("15 ms", u::time) == Approx(0.015));
  CHECK(u::parse_as("3421 J/(kg K)", u::energy / u::mass / u::temperature) == Approx(3421));
  CHECK(u::parse_as("0.49 W/(m K)", u::power / u::length / u::temperature) == Approx(0.49));
  CHECK(u::parse_as("37 mL/min/kg", u::Dimension{{-1, 3, -1, 0}}) == Approx(37e-6 / 60));
  CHECK(u::parse_as("0.02 1/K", u::dimensionless / u::temperature) == Approx(0.02));
  CHECK(u::parse_as("9.81 m/s^2", u::Dimension{{0, 1, -2, 0}}) == Approx(9.81));
}

TEST_CASE("Bad quantities name the field and the problem", "[core][units]") {
  CHECK_THROWS_WITH(u::parse_as("30 furlongs", u::force, "technique[1].force"),
                    Catch::Contains("technique[1].force") && Catch::Contains("unknown unit 'furlongs'"));
  CHECK_THROWS_WITH(u::parse_as("30 N", u::velocity, "speed"), Catch::Contains("speed") &&
                                                                   Catch::Contains("expected a velocity") &&
                                                                   Catch::Contains("force"));
  CHECK_THROWS_WITH(u::parse_as("abc N", u::force, "force"), Catch::Contains("malformed number"));
  CHECK_THROWS_WITH(u::parse_as("", u::force, "force"), Catch::Contains("empty value"));
  CHECK_THROWS_WITH(u::parse_as("nan N", u::force, "force"), Catch::Contains("not a finite number: 'nan N'"));
  CHECK_THROWS_WITH(u::parse_as("-inf N", u::force, "force"), Catch::Contains("not a finite number"));
  CHECK_THROWS_WITH(u::parse_as("1e999 N", u::force, "force"), Catch::Contains("force"));
  CHECK_THROWS_WITH(u::parse_as("3 J/(kg K", u::force, "c"), Catch::Contains("missing ')'"));
}

// Found by tests/fuzz/fuzz_units: "^2147483647" looped 2^31 times, nested powers overflowed the exponents,
// deep parentheses recursed without bound, and "1e300 GPa" came back as inf.
TEST_CASE("Absurd units are rejected as input errors", "[core][units][fuzz]") {
  CHECK_THROWS_AS(u::parse("1 m^2147483647", "f"), InputError);
  CHECK_THROWS_WITH(u::parse("1 m^13", "f"), Catch::Contains("exponent 13") && Catch::Contains("f"));
  CHECK_THROWS_AS(u::parse("1 (((m^12)^12)^12)^12", "f"), InputError);
  CHECK_THROWS_AS(u::parse("1 m^-2147483648", "f"), InputError);
  CHECK_THROWS_AS(u::convert(1, "m^99999", u::length, "f"), InputError);
  CHECK_THROWS_WITH(u::parse("1 " + std::string(40, '(') + "m" + std::string(40, ')'), "f"),
                    Catch::Contains("parentheses"));
  CHECK_THROWS_WITH(u::parse("1e300 GPa", "f"), Catch::Contains("not a finite number"));
  CHECK_THROWS_WITH(u::convert(1e300, "GPa", u::pressure, "f"), Catch::Contains("not a finite number"));
  // Units of real quantities stay well inside the bounds.
  CHECK(u::parse_as("1 kg*m^2/s^3/K", u::power / u::temperature) == Approx(1));
  CHECK(u::parse_as("2 ((m))^12/m^12", u::dimensionless) == Approx(2));
}
