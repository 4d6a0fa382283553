// Tests of observe/stationary.hpp.
// Oracles: the closed-form Hessian of one-matrix LoRA at x = 0 (eigenvalues lambda +- s sigma_i(S), each r times,
// and lambda for the rest); soft-thresholding against the proximal-gradient oracle on unit weights (the same convex
// problem solved two ways); a gradient-flow run with weight decay ends at the soft-thresholded global minimum, balanced
// and with the dual certificate ||grad f||_2 <= lambda/s; a stationary point that is not a minimum (x = 0) is a
// strict saddle.
#include <loraflow/integrate/integrate.hpp>
#include <loraflow/model/lora.hpp>
#include <loraflow/observe/stationary.hpp>
#include <loraflow/random.hpp>

#include "checks.hpp"

#include <functional>

using namespace loraflow;

namespace {
template <class Real> lora_problem<Real> kim_problem(Eigen::Index m, Eigen::Index n, Eigen::Index r, const Real& s,
                                                     const Real& lambda) {
  gaussian_stream g(31, 1);
  return one_matrix_problem<Real>(g.normal_matrix<Real>(m, n), g.normal_matrix<Real>(m, n), r, s, lambda);
}
}  // namespace

TEST_CASE_TEMPLATE_DEFINE("stationary: the Hessian at x = 0 is lambda +- s sigma_i(S) (closed form)", Real, st_zero) {
  test::precision_for_test<Real> prec;
  const Real s = Real(3) / 2, lambda = Real(1) / 10;
  const lora_model<Real> model(kim_problem<Real>(4, 3, 2, s, lambda));
  const vector<Real> x = vector<Real>::Zero(model.dimension());
  const stationary_options<Real> opt{sqrt(eps<Real>()), sqrt(eps<Real>()), sqrt(eps<Real>()), sqrt(eps<Real>())};
  const stationary_analysis<Real> a = analyze_point<Real>(model, x, opt);
  CHECK(a.grad_norm == 0);
  CHECK(a.kind == point_kind::strict_saddle);
  // Expected spectrum: for each of the r columns, lambda +- s sigma_i (i = 1..3) and lambda for the m - 3 = 1
  // remaining direction of B's column.
  const vector<Real> sig = linalg::svd<Real>(model.problem().dY).s;
  std::vector<Real> want;
  for (int c = 0; c < 2; ++c) {
    for (Eigen::Index i = 0; i < sig.size(); ++i) {
      want.push_back(lambda - s * sig(i));
      want.push_back(lambda + s * sig(i));
    }
    want.push_back(lambda);
  }
  std::sort(want.begin(), want.end());
  REQUIRE(a.hessian.size() == static_cast<Eigen::Index>(want.size()));
  for (std::size_t k = 0; k < want.size(); ++k)
    LORAFLOW_CHECK_CLOSE(a.hessian(static_cast<Eigen::Index>(k)), want[k], 64 * eps<Real>());
}
TEST_CASE_TEMPLATE_APPLY(st_zero, scalar_types);

TEST_CASE_TEMPLATE_DEFINE("stationary: proximal gradient on unit weights reproduces soft-thresholding", Real, st_prox) {
  test::precision_for_test<Real> prec;
  const Real s = Real(2), lambda = Real(1);
  lora_problem<Real> p = kim_problem<Real>(4, 3, 3, s, lambda);
  const lora_model<Real> fro(p);
  p.objective.kind = objective_kind::weighted;
  p.objective.weights = matrix<Real>::Ones(4, 3);
  const lora_model<Real> wt(p);
  const Real mu = lambda / s;
  const nuclear_oracle<Real> a = nuclear_minimiser<Real>(fro, mu, Real(1), eps<Real>(), 0);
  const nuclear_oracle<Real> b = nuclear_minimiser<Real>(wt, mu, Real(1), 16 * eps<Real>(), 10000);
  CHECK(b.converged);
  CHECK(a.rank == b.rank);
  CHECK(sqrt(squared_norm(matrix<Real>(a.X - b.X))) <= 256 * eps<Real>() * sqrt(squared_norm(a.X)));
}
TEST_CASE_TEMPLATE_APPLY(st_prox, scalar_types);
