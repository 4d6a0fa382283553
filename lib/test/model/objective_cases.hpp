// objective_cases.hpp: objective data of every kind for the tests (model/objective.test.cpp, model/alloc.test.cpp).
#pragma once

#include <loraflow/model/objective.hpp>
#include <loraflow/random.hpp>

namespace loraflow::test {

/// Objective data of each kind for an m x n matrix, from a seeded stream (values O(1); weights 1/2 + |N(0, 1)|;
/// sensing: N = 2 m n Gaussian measurements with noise N(0, 1/100); logistic: 7 samples, labels cycling through the m classes).
template <class Real> objective_data<Real> data_of(objective_kind kind, Eigen::Index m, Eigen::Index n) {
  gaussian_stream g(21, 3);
  objective_data<Real> d;
  d.kind = kind;
  switch (kind) {
    case objective_kind::frobenius:
      break;
    case objective_kind::weighted:
      d.weights = g.normal_matrix<Real>(m, n).cwiseAbs().array() + Real(1) / 2;
      break;
    case objective_kind::sensing:
      d.sensing = g.normal_matrix<Real>(2 * m * n, m * n);
      d.noise = g.normal_matrix<Real>(2 * m * n, 1).col(0) / 10;
      break;
    case objective_kind::logistic:
      d.features = g.normal_matrix<Real>(n, 7);
      for (int i = 0; i < 7; ++i) d.labels.push_back(i % m);
      break;
  }
  return d;
}

}  // namespace loraflow::test
