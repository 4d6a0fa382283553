// closed_forms.hpp: analytic references shared by the tests (shared/theory/xu2025-and-linear-nets.md 1.4).
#pragma once

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

}  // namespace loraflow::test
