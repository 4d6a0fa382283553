// Tests of model/factorization.hpp. Oracle: central finite differences of the loss (the field is minus its gradient).
#include <loraflow/model/factorization.hpp>
#include <loraflow/random.hpp>

#include "checks.hpp"
#include "model/gradient_check.hpp"

using namespace loraflow;
using loraflow::test::check_gradient;

TEST_CASE_TEMPLATE_DEFINE("the factorization field is minus the gradient (finite differences)", Real, fact_gradient) {
  test::precision_for_test<Real> prec;
  gaussian_stream g(2, 2);
  factorization_problem<Real> p{g.normal_matrix<Real>(3, 5), g.normal_matrix<Real>(3, 2), 4, Real(1) / 20};
  factorization_model<Real> model(p);
  const vector<Real> x = g.normal_matrix<Real>(model.dimension(), 1).col(0) / 2;
  check_gradient<Real>(model, x);
}
TEST_CASE_TEMPLATE_APPLY(fact_gradient, scalar_types);
