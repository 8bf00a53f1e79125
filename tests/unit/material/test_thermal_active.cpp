// Tests of the thermal shift, bioheat properties, active fibre stress and the composed tissue law.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "libtissue/core/error.hpp"
#include "libtissue/material/tissue_material.hpp"

using namespace tissue;

namespace {

Real rel(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return (a - b).norm() / std::max(b.norm(), 1e-300);
}

const ActiveFibre kActive{5.0e3, 1.05, 0.4};

}  // namespace

TEST_CASE("Thermal shift: a_T and modulus factor", "[material][thermal]") {
  ThermalShift s;
  s.activation_energy = 16.1e3;
  s.modulus_coefficient = 0.02;
  CHECK(s.a_T(s.T_ref) == 1.0);
  CHECK(s.modulus_factor(s.T_ref) == 1.0);
  const Real T = kCelsius + 25.0;
  CHECK(s.a_T(T) == Approx(std::exp(16.1e3 / kGasConstant * (1.0 / T - 1.0 / s.T_ref))).epsilon(1e-14));
  CHECK(s.a_T(T) == Approx(0.890 / 0.692).epsilon(0.01));  // water viscosity ratio 25 vs 37 degC
  CHECK(s.modulus_factor(s.T_ref - 5.0) == Approx(std::exp(0.1)).epsilon(1e-14));
  s.model = ShiftModel::wlf;
  s.C1 = 8.86;
  s.C2 = 101.6;
  CHECK(s.a_T(s.T_ref + 10.0) == Approx(std::pow(10.0, -88.6 / 111.6)).epsilon(1e-14));
  CHECK_NOTHROW(s.validate("muscle"));
}

TEST_CASE("Thermal validation and range checks name the tissue, the field and degC", "[material][thermal]") {
  ThermalShift s;
  CHECK_NOTHROW(s.validate("skin"));
  CHECK_NOTHROW(s.check_range(kCelsius + 37.0, "skin"));
  CHECK_THROWS_WITH(
      s.check_range(kCelsius + 60.0, "skin"),
      "skin.temperature: T = 60.0 degC is outside the valid range [15.0 degC, 55.0 degC] of skin's data");
  CHECK_THROWS_WITH(s.check_range(kCelsius + 5.0, "fat"),
                    Catch::Contains("5.0 degC") && Catch::Contains("fat"));
  CHECK_THROWS_WITH(s.check_range(std::nan(""), "fat"), Catch::Contains("fat.temperature"));
  ThermalShift bad = s;
  bad.T_ref = kCelsius + 70.0;
  CHECK_THROWS_WITH(bad.validate("fascia"),
                    Catch::Contains("fascia.thermal.T_ref") && Catch::Contains("70.0 degC"));
  bad = s;
  bad.activation_energy = -1.0;
  CHECK_THROWS_WITH(bad.validate("fascia"), Catch::Contains("fascia.thermal.activation_energy"));
  bad = s;
  bad.T_max = bad.T_min;
  CHECK_THROWS_WITH(bad.validate("fascia"), Catch::Contains("fascia.thermal.T_max"));
  bad = s;
  bad.model = ShiftModel::wlf;
  bad.C1 = 10;
  bad.C2 = 20;  // pole at T_ref - 20 K, inside [15, 55] degC
  CHECK_THROWS_WITH(bad.validate("fascia"), Catch::Contains("fascia.thermal.C2"));
}

TEST_CASE("Active fibre stress: closed form, potential and tangent by finite differences",
          "[material][active]") {
  CHECK(kActive.force_length(1.05) == 1.0);
  CHECK(kActive.force_length(1.45) == Approx(std::exp(-1.0)).epsilon(1e-14));
  std::mt19937 rng(4);
  std::normal_distribution<Real> n(0.0, 1.0);
  std::uniform_real_distribution<Real> u(-0.25, 0.25);
  for (int trial = 0; trial < 20; ++trial) {
    const Vec3 f0 = Vec3(n(rng), n(rng), n(rng)).normalized();
    Mat3 F = Mat3::Identity();
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) F(i, j) += u(rng);
    if (F.determinant() < 0.5) continue;
    const Mat3 C = F.transpose() * F;
    const Real a = 0.7;
    const IsoResponse r = kActive.response(C, f0, a);
    // Fibre Cauchy stress a sigma_max f(lambda)/J along the current fibre.
    const Vec3 fc = F * f0;
    const Real lambda = fc.norm();
    const Mat3 sigma = F * r.S * F.transpose() / F.determinant();
    CHECK(fc.dot(sigma * fc) / (lambda * lambda) ==
          Approx(a * kActive.sigma_max * kActive.force_length(lambda) / F.determinant()).epsilon(1e-12));
    const Real h = 1e-6;
    Mat3 Sfd;
    Mat6 Dfd;
    for (int J = 0; J < 6; ++J) {
      const int k = kVoigtI[J], l = kVoigtJ[J];
      Mat3 dC = Mat3::Zero();
      dC(k, l) += 2.0 * h;
      if (k != l) dC(l, k) += 2.0 * h;
      const IsoResponse p = kActive.response(C + dC, f0, a), m = kActive.response(C - dC, f0, a);
      const Real de = (p.energy - m.energy) / (2.0 * h);
      Sfd(k, l) = Sfd(l, k) = (k == l) ? de : 0.5 * de;
      const Voigt6 d = (to_voigt(p.S) - to_voigt(m.S)) / (2.0 * h);
      Dfd.col(J) = (k == l) ? d : Voigt6(0.5 * d);
    }
    INFO("lambda = " << lambda);
    CHECK(rel(r.S, Sfd) < 1e-7);
    CHECK(rel(r.D, Dfd) < 1e-6);
    CHECK(rel(r.D, Mat6(r.D.transpose())) < 1e-15);
  }
  const IsoResponse zero = kActive.response(Mat3::Identity() * 1.1, Vec3::UnitX(), 0.0);
  CHECK(zero.S.norm() == 0.0);
  CHECK(kActive.response(Mat3::Identity(), Vec3::UnitX(), 1.0).energy == 0.0);
  CHECK_THROWS_WITH((ActiveFibre{-1.0, 1.0, 0.4}.validate("multifidus")),
                    Catch::Contains("multifidus.active.sigma_max"));
  CHECK_THROWS_WITH((ActiveFibre{1.0, 1.0, 0.0}.validate("multifidus")),
                    Catch::Contains("multifidus.active.width"));
}

TEST_CASE("Tissue response composes m(T) x viscoelastic isochoric stress and the active stress",
          "[material][tissue]") {
  TissueMaterial mat{HyperelasticLaw{MuscleTI{1.5e3, 4e3, 3.0}, VolumetricLogJ{1e5}},
                     PronySeries{{{0.5, 6.0}}}, ThermalShift{}, kActive};
  mat.thermal.activation_energy = 16.1e3;
  mat.thermal.modulus_coefficient = 0.02;
  CHECK_NOTHROW(mat.validate("erector_spinae"));
  const Vec3 f0 = Vec3(0, 0, 1);
  const Mat3 F = Vec3(0.95, 0.95, 1.1).asDiagonal();
  const Mat3 C = F.transpose() * F;
  const Real T = kCelsius + 39.0, dt = 0.3, a = 0.4;
  PronyState st, ref;
  const TissueResponse r = tissue_response(mat, C, f0, T, a, dt, st, st);
  const MuscleTI& law = std::get<MuscleTI>(mat.elastic.iso);
  CHECK(small_strain_shear_modulus(mat.elastic.iso) == law.mu);
  const ViscoResponse v =
      prony_update(mat.prony, ref, C, law.isochoric(C, f0), dt, mat.thermal.a_T(T), law.mu, ref);
  const IsoResponse act = kActive.response(C, f0, a);
  const Real m = mat.thermal.modulus_factor(T);
  CHECK(m < 1.0);
  CHECK(rel(r.S, m * v.S + act.S) < 1e-14);
  CHECK(rel(r.D, m * v.D + act.D) < 1e-14);
  CHECK(r.active_energy == Approx(act.energy));
  CHECK(r.dissipation == Approx(m * v.dissipation));
  // Invalid parts are reported with their field.
  TissueMaterial bad = mat;
  bad.prony.terms = {{0.6, 1.0}, {0.5, 2.0}};
  CHECK_THROWS_WITH(bad.validate("gluteus_medius"),
                    Catch::Contains("Prony weights of gluteus_medius sum to 1.1"));
  bad = mat;
  bad.active->lambda_opt = -1;
  CHECK_THROWS_WITH(bad.validate("gluteus_medius"), Catch::Contains("gluteus_medius.active.lambda_opt"));
}

TEST_CASE("Material data files: every value has a unit, a source and a status", "[material][data]") {
  for (const char* tissue : {"skin", "fat", "fascia", "muscle"}) {
    const std::string path = std::string(TISSUE_SOURCE_DIR) + "/data/materials/" + tissue + ".toml";
    std::ifstream in(path);
    INFO(path);
    REQUIRE(in.good());
    std::string line;
    int values = 0, lineno = 0;
    bool named = false;
    while (std::getline(in, line)) {
      ++lineno;
      if (line.rfind("tissue = \"" + std::string(tissue) + "\"", 0) == 0) named = true;
      if (line.find("value =") == std::string::npos || line.find('#') < line.find("value =")) continue;
      ++values;
      INFO("line " << lineno << ": " << line);
      CHECK(line.find("unit =") != std::string::npos);
      CHECK(line.find("source =") != std::string::npos);
      const bool status = line.find("status = \"published\"") != std::string::npos ||
                          line.find("status = \"derived\"") != std::string::npos ||
                          line.find("status = \"unverified\"") != std::string::npos ||
                          line.find("status = \"calibration choice\"") != std::string::npos ||
                          line.find("status = \"placeholder\"") != std::string::npos;
      CHECK(status);
    }
    CHECK(named);
    CHECK(values >= 10);
  }
}
