// Tests of model/one_matrix.hpp. Oracles: the construction (S has exactly the singular values asked for, W2 = I so
// the two-layer product F is s B A), and the draws shared by every scalar type.
#include <loraflow/model/one_matrix.hpp>

#include "checks.hpp"

using namespace loraflow;

TEST_CASE_TEMPLATE_DEFINE("the one-matrix generator: S has the given singular values, F = s B A", Real, one_matrix) {
  test::precision_for_test<Real> prec;
  one_matrix_spec<Real> spec;
  spec.m = 5;
  spec.n = 4;
  spec.sigma = {Real(3), Real(2), Real(1) / 2};
  spec.seed = 11;
  matrix<Real> W0, S;
  generate_one_matrix(spec, W0, S);
  const linalg::svd_result<Real> f = linalg::svd<Real>(S);
  const Real tol = 100 * eps<Real>();
  for (Eigen::Index i = 0; i < 3; ++i) LORAFLOW_CHECK_CLOSE(Real(f.s(i)), spec.sigma[static_cast<std::size_t>(i)], tol * 3);
  CHECK(to_double(f.s(3)) <= to_double(tol * 3));
  // Same draws in every precision: W0(0,0) is the double draw / sqrt(n), converted exactly.
  gaussian_stream ws(spec.seed, streams::pretrained);
  CHECK(W0(0, 0) == Real(Real(ws.next()) / 2));  // n = 4: the division by sqrt(n) = 2 is exact

  lora_problem<Real> p = one_matrix_problem<Real>(W0, S, 2, Real(3) / 2);
  CHECK(is_one_matrix(p));
  const lora_model<Real> model(p);
  CHECK(model.h() == 5);
  gaussian_stream as(1, streams::adapters);
  const matrix<Real> A = as.normal_matrix<Real>(2, 4), B = as.normal_matrix<Real>(5, 2);
  const vector<Real> x = model.pack(A, B, matrix<Real>(), matrix<Real>());
  const matrix<Real> X = p.scale * B * A;
  CHECK(to_double((model.product(x) - X).cwiseAbs().maxCoeff()) <= to_double(tol * X.cwiseAbs().maxCoeff()));
  p.adapt_W2 = true;
  CHECK_FALSE(is_one_matrix(p));

  spec.sigma = {Real(1), Real(1), Real(1), Real(1), Real(1)};
  CHECK_THROWS_AS(generate_one_matrix(spec, W0, S), std::invalid_argument);
}
TEST_CASE_TEMPLATE_APPLY(one_matrix, scalar_types);
