// Second-order forward-mode dual numbers: value, gradient and Hessian in N variables.
// Used to differentiate strain-energy functions written once, as templates on the scalar.
#pragma once

#include <array>
#include <cmath>

#include "libtissue/core/types.hpp"

namespace tissue {

/// A scalar carrying its gradient and (symmetric, full N x N) Hessian with respect to N seed variables.
/// Fixed size, no heap; chain rule f(a): g = f'(a) ga, H = f'(a) Ha + f''(a) ga ga^T (Griewank & Walther
/// 2008).
template <int N>
struct Dual2 {
  Real v = 0;                   ///< value
  std::array<Real, N> g{};      ///< gradient d v / d x_i
  std::array<Real, N * N> h{};  ///< Hessian d2 v / d x_i d x_j, row-major

  /// A constant (zero gradient and Hessian).
  constexpr Dual2() = default;
  /// A constant of the given value (implicit so that laws can mix Real and Dual2 literals).
  constexpr Dual2(Real value) : v(value) {}  // NOLINT(google-explicit-constructor)
  /// The seed variable x_i with value `value` (gradient e_i, Hessian 0).
  static constexpr Dual2 variable(Real value, int i) {
    Dual2 d(value);
    d.g[static_cast<std::size_t>(i)] = 1;
    return d;
  }
  /// Hessian entry d2 v / d x_i d x_j.
  constexpr Real hess(int i, int j) const { return h[static_cast<std::size_t>(i * N + j)]; }
};

/// Value of a plain scalar (lets energy templates branch on values).
inline constexpr Real value(Real x) {
  return x;
}
/// Value part of a dual number.
template <int N>
constexpr Real value(const Dual2<N>& x) {
  return x.v;
}

/// Applies a scalar function with value f, first derivative df and second derivative d2f at a.v.
template <int N>
constexpr Dual2<N> chain(const Dual2<N>& a, Real f, Real df, Real d2f) {
  Dual2<N> r(f);
  for (int i = 0; i < N; ++i) r.g[i] = df * a.g[i];
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) r.h[i * N + j] = df * a.h[i * N + j] + d2f * a.g[i] * a.g[j];
  return r;
}

/// Sum of two dual numbers.
template <int N>
constexpr Dual2<N> operator+(const Dual2<N>& a, const Dual2<N>& b) {
  Dual2<N> r(a.v + b.v);
  for (int i = 0; i < N; ++i) r.g[i] = a.g[i] + b.g[i];
  for (int k = 0; k < N * N; ++k) r.h[k] = a.h[k] + b.h[k];
  return r;
}
/// Difference of two dual numbers.
template <int N>
constexpr Dual2<N> operator-(const Dual2<N>& a, const Dual2<N>& b) {
  Dual2<N> r(a.v - b.v);
  for (int i = 0; i < N; ++i) r.g[i] = a.g[i] - b.g[i];
  for (int k = 0; k < N * N; ++k) r.h[k] = a.h[k] - b.h[k];
  return r;
}
/// Negation.
template <int N>
constexpr Dual2<N> operator-(const Dual2<N>& a) {
  return chain(a, -a.v, -1.0, 0.0);
}
/// Product rule: H(ab) = a Hb + b Ha + ga gb^T + gb ga^T.
template <int N>
constexpr Dual2<N> operator*(const Dual2<N>& a, const Dual2<N>& b) {
  Dual2<N> r(a.v * b.v);
  for (int i = 0; i < N; ++i) r.g[i] = a.v * b.g[i] + b.v * a.g[i];
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j)
      r.h[i * N + j] = a.v * b.h[i * N + j] + b.v * a.h[i * N + j] + a.g[i] * b.g[j] + b.g[i] * a.g[j];
  return r;
}
/// Quotient a / b = a * (1/b).
template <int N>
constexpr Dual2<N> operator/(const Dual2<N>& a, const Dual2<N>& b) {
  const Real ib = 1.0 / b.v;
  return a * chain(b, ib, -ib * ib, 2.0 * ib * ib * ib);
}
/// Dual plus scalar.
template <int N>
constexpr Dual2<N> operator+(const Dual2<N>& a, Real s) {
  Dual2<N> r = a;
  r.v += s;
  return r;
}
/// Scalar plus dual.
template <int N>
constexpr Dual2<N> operator+(Real s, const Dual2<N>& a) {
  return a + s;
}
/// Dual minus scalar.
template <int N>
constexpr Dual2<N> operator-(const Dual2<N>& a, Real s) {
  return a + (-s);
}
/// Scalar minus dual.
template <int N>
constexpr Dual2<N> operator-(Real s, const Dual2<N>& a) {
  return chain(a, s - a.v, -1.0, 0.0);
}
/// Dual times scalar.
template <int N>
constexpr Dual2<N> operator*(const Dual2<N>& a, Real s) {
  Dual2<N> r(a.v * s);
  for (int i = 0; i < N; ++i) r.g[i] = a.g[i] * s;
  for (int k = 0; k < N * N; ++k) r.h[k] = a.h[k] * s;
  return r;
}
/// Scalar times dual.
template <int N>
constexpr Dual2<N> operator*(Real s, const Dual2<N>& a) {
  return a * s;
}
/// Dual divided by scalar.
template <int N>
constexpr Dual2<N> operator/(const Dual2<N>& a, Real s) {
  return a * (1.0 / s);
}
/// Scalar divided by dual.
template <int N>
constexpr Dual2<N> operator/(Real s, const Dual2<N>& a) {
  const Real ia = 1.0 / a.v;
  return chain(a, s * ia, -s * ia * ia, 2.0 * s * ia * ia * ia);
}

/// exp(a).
template <int N>
Dual2<N> exp(const Dual2<N>& a) {
  const Real e = std::exp(a.v);
  return chain(a, e, e, e);
}
/// Natural logarithm ln(a), a > 0.
template <int N>
Dual2<N> log(const Dual2<N>& a) {
  const Real ia = 1.0 / a.v;
  return chain(a, std::log(a.v), ia, -ia * ia);
}
/// a^p for a real exponent p, a > 0.
template <int N>
Dual2<N> pow(const Dual2<N>& a, Real p) {
  const Real f = std::pow(a.v, p);
  const Real ia = 1.0 / a.v;
  return chain(a, f, p * f * ia, p * (p - 1.0) * f * ia * ia);
}
/// Square root, a > 0.
template <int N>
Dual2<N> sqrt(const Dual2<N>& a) {
  const Real s = std::sqrt(a.v);
  return chain(a, s, 0.5 / s, -0.25 / (s * a.v));
}

}  // namespace tissue
