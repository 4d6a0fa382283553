// gradient_check.hpp: a model's field is minus the gradient of its loss, checked by central differences.
#pragma once

#include <loraflow/scalar.hpp>

#include "checks.hpp"

namespace loraflow::test {

// Central differences with step eps^(1/3) have error O(eps^(2/3)); compare to 100 eps^(2/3) relative.
template <class Real, class Model> void check_gradient(const Model& model, const vector<Real>& x) {
  using std::cbrt;
  vector<Real> grad;
  model.gradient(x, grad);
  const Real hstep = cbrt(eps<Real>());
  const Real tol = 100 * hstep * hstep;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    vector<Real> xp = x, xm = x;
    xp(i) += hstep;
    xm(i) -= hstep;
    const Real fd = (model.loss(xp) - model.loss(xm)) / (2 * hstep);
    LORAFLOW_CHECK_CLOSE(grad(i), fd, tol);
  }
}

}  // namespace loraflow::test
