// loraflow/model/series_source.hpp: the interface of a field whose trajectories have a Taylor series.
//
// It belongs to model/ (what is integrated); integrate/integrate.hpp's method::taylor consumes it. Kept apart so
// that a model header declares its series without pulling in odeint.
#pragma once

#include <loraflow/scalar.hpp>

#include <vector>

namespace loraflow {

/// A field whose trajectories can be expanded in a Taylor series at any state (method::taylor needs one; for LoRA
/// it is lora_series, model/lora_series.hpp). The field must be autonomous.
template <class Real> class series_source {
 public:
  virtual ~series_source() = default;
  /// c[k], k = 0..K: the Taylor coefficients of the solution through x0, x(t0 + tau) = sum_k c[k] tau^k.
  virtual void expand(const vector<Real>& x0, int K, std::vector<vector<Real>>& c) const = 0;
  /// The relative cost of one expansion of order K (any unit), used to choose the order. Default: K^2, the Cauchy
  /// products' share.
  virtual double expansion_work(int K) const { return static_cast<double>(K) * K; }
};


}  // namespace loraflow
