// closed_forms.hpp: analytic references shared by the tests (shared/theory/xu2025-and-linear-nets.md 1.4).
#pragma once

#include <loraflow/model/lora.hpp>
#include <loraflow/random.hpp>

#include <cmath>

namespace loraflow::test {

/// One-matrix LoRA from a spectral start (catalogue 1.4 (v)): the time at which p = u^T B A v reaches p,
/// t(p) = (1/K) [ln(N(p)/(sigma - p)) - ln(N(0)/sigma)], K = sqrt(c^2 + 4 sigma^2),
/// N(p) = K sqrt(c^2 + 4 p^2) + 4 sigma p + c^2, with c = a(0)^2 the conserved a^2 - b^2.
template <class Real> Real closed_form_time(const Real& p, const Real& sigma, const Real& c) {
  using std::log;
  using std::sqrt;
  const Real K = sqrt(c * c + 4 * sigma * sigma);
  auto N = [&](const Real& q) { return K * sqrt(c * c + 4 * q * q) + 4 * sigma * q + c * c; };
  return (log(N(p) / (sigma - p)) - log(N(Real(0)) / sigma)) / K;
}

/// The one-matrix case of the tests: W (3 x 2) random, dY = sigma u v^T with sigma = 2, rank 1, spectral start
/// A(0) = a0 v^T with a0 = 1/100, B(0) = 0, so c = a0^2.
template <class Real> struct one_matrix_case {
  Real sigma = Real(2), a0 = Real(1) / 100, c = a0 * a0;
  vector<Real> u, v;
  lora_model<Real> model;
  vector<Real> x0;

  one_matrix_case() : model(make()) {
    x0 = model.pack(a0 * v.transpose(), matrix<Real>::Zero(model.m(), 1), matrix<Real>(), matrix<Real>());
  }
  /// p = u^T B A v at state x.
  Real p(const vector<Real>& x) const { return u.dot(model.B1(x) * (model.A1(x) * v)); }

 private:
  lora_model<Real> make() {
    using std::sqrt;
    gaussian_stream g(4, 4);
    const matrix<Real> W = g.normal_matrix<Real>(3, 2);
    u = g.normal_matrix<Real>(3, 1).col(0);
    v = g.normal_matrix<Real>(2, 1).col(0);
    u /= sqrt(squared_norm(u));
    v /= sqrt(squared_norm(v));
    return lora_model<Real>(one_matrix_problem<Real>(W, sigma * u * v.transpose(), 1));
  }
};

}  // namespace loraflow::test
