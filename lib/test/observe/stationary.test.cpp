// Tests of observe/stationary.hpp.
// Oracles: the closed-form Hessian of one-matrix LoRA at x = 0 (eigenvalues lambda +- s sigma_i(S), each r times,
// and lambda for the rest); soft-thresholding against the proximal-gradient oracle on unit weights (the same convex
// problem solved two ways); a gradient-flow run with weight decay ends at the soft-thresholded global minimum, balanced
// and with the dual certificate ||grad f||_2 <= lambda/s; a stationary point that is not a minimum (x = 0) is a
// strict saddle. Lanczos (lanczos_ritz) run to dim steps reproduces every eigenvalue of the dense Hessian (full
// reorthogonalisation is backward stable: the Ritz values are eigenvalues of H + E with ||E|| = O(dim eps ||H||)),
// and analyze_state on the Lanczos path (dense_limit 0) classifies as the dense path does.
#include <loraflow/integrate/integrate.hpp>
#include <loraflow/model/lora.hpp>
#include <loraflow/model/init.hpp>
#include <loraflow/model/one_matrix.hpp>
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

TEST_CASE_TEMPLATE_DEFINE("stationary: Lanczos with dim steps gives every eigenvalue of the dense Hessian", Real, st_lanczos) {
  test::precision_for_test<Real> prec;
  using std::abs;
  const lora_model<Real> model(kim_problem<Real>(6, 5, 2, Real(2), Real(1) / 4));
  gaussian_stream g(5, 2);
  const vector<Real> x = g.normal_matrix<Real>(model.dimension(), 1).col(0);
  const vector<Real> dense = linalg::sym_eig<Real>(dense_hessian(model, x)).values.reverse();
  const Eigen::Index dim = model.dimension();
  const lanczos_result<Real> l = lanczos_ritz<Real>(
      [&](const vector<Real>& v, vector<Real>& out) { model.hessian_product(x, v, out); }, dim, dim, Real(0), 1);
  REQUIRE(l.ritz.size() == dim);
  const Real Hn = std::max(Real(abs(dense(0))), Real(abs(dense(dim - 1))));
  for (Eigen::Index k = 0; k < dim; ++k) LORAFLOW_CHECK_CLOSE(Real(l.ritz(k) / Hn), Real(dense(k) / Hn), Real(4 * dim * eps<Real>()));
  // Stopped early (12 of 22 steps): every Ritz value lies inside the spectrum, and an eigenvalue lies within the
  // residual bound of the smallest one (both up to the rounding of dim Hessian-vector products).
  const lanczos_result<Real> e = lanczos_ritz<Real>(
      [&](const vector<Real>& v, vector<Real>& out) { model.hessian_product(x, v, out); }, dim, 12, Real(0), 1);
  REQUIRE(e.ritz.size() == 12);
  const Real round = 4 * dim * eps<Real>() * Hn;
  CHECK(e.ritz(0) >= dense(0) - round);
  CHECK(e.ritz(11) <= dense(dim - 1) + round);
  Real nearest = abs(e.ritz(0) - dense(0));
  for (Eigen::Index k = 1; k < dim; ++k) nearest = std::min(nearest, Real(abs(e.ritz(0) - dense(k))));
  CHECK(nearest <= e.residual_min + round);
  // analyze_state on the Lanczos path (dense_limit 0) at x = 0, a strict saddle (eigenvalues lambda - s sigma_i < 0).
  const vector<Real> zero = vector<Real>::Zero(dim);
  CHECK(analyze_state<Real>(model, zero, Real(64 * eps<Real>()), 0).verdict == "strict saddle");
  CHECK(analyze_state<Real>(model, zero, Real(64 * eps<Real>())).verdict == "strict saddle");
}
TEST_CASE_TEMPLATE_APPLY(st_lanczos, scalar_types);

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

// Kim, Kim, Ryu Theorem 1 (special regime, frobenius: alpha = beta = 1) as an oracle: gradient flow with weight decay
// from a small init ends at the soft-thresholded global minimum; analyze_state, with tolerances derived from the run's
// rtol alone, calls it a global minimum, balanced, with the dual certificate ||grad f||_2 <= lambda/s. The same state
// pushed off the minimum is not stationary, and the two-adapter problem has no oracle.
TEST_CASE_TEMPLATE_DEFINE("stationary: gradient flow with weight decay ends at the global minimum (analyze_state)", Real,
                          st_flow) {
  test::precision_for_test<Real> prec;
  // sigma(S) = 3, 2, 0.25 and rank r = 2 with lambda/s = 0.5: the minimiser keeps 2.5, 1.5 and thresholds 0.25 away,
  // so its rank r* = 2 <= r (Kim et al.'s assumption A1) and the dual certificate ||grad f||_2 <= lambda/s holds.
  one_matrix_spec<Real> spec;
  spec.m = 4;
  spec.n = 3;
  spec.sigma = {Real(3), Real(2), Real(1) / 4};
  spec.seed = 3;
  matrix<Real> W0, S;
  generate_one_matrix(spec, W0, S);
  const Real s = Real(2), lambda = Real(1);
  const lora_model<Real> model(one_matrix_problem<Real>(W0, S, 2, s, lambda));
  vector<Real> x = small_init(model, Real(1) / 100, 1);
  solve_options<Real> opt;
  opt.stepper = method::dopri5;
  opt.rtol = std::max(Real(1000 * eps<Real>()), parse<Real>("1e-13"));
  opt.atol = opt.rtol * parse<Real>("1e-4");
  const run_stats<Real> st =
      integrate<Real>(std::cref(model), x, Real(0), Real(60), {}, [](const Real&, const vector<Real>&) {}, opt);
  REQUIRE(st.status == run_status::ok);
  const state_analysis<Real> a = analyze_state<Real>(model, x, opt.rtol);
  CAPTURE(a.verdict);
  CAPTURE(to_double(a.point.grad_norm));
  CAPTURE(to_double(a.tolerances.grad_tol));
  REQUIRE(a.oracle.has_value());
  CHECK(a.oracle->rank == 2);
  LORAFLOW_CHECK_CLOSE(Real(a.oracle->sigma(0)), Real(Real(5) / 2), 64 * eps<Real>());
  LORAFLOW_CHECK_CLOSE(Real(a.oracle->sigma(1)), Real(Real(3) / 2), 64 * eps<Real>());
  CHECK(a.point.kind == point_kind::second_order_stationary);
  CHECK(a.verdict == "global minimum");
  CHECK(a.point.rank == 2);
  CHECK(to_double(a.point.balance1) <= to_double(Real(1000 * opt.rtol)));
  CHECK(a.point.dual_norm <= a.point.mu * (1 + Real(1000 * opt.rtol)));
  CHECK(a.hessian_method == "dense");
  // The Lanczos path (as for dim > dense_hessian_max_dim): the same verdict, and its smallest Ritz value within the
  // convergence criterion sqrt(eps) ||H|| of the smallest eigenvalue.
  using std::abs;
  using std::sqrt;
  const state_analysis<Real> al = analyze_state<Real>(model, x, opt.rtol, 0);
  CAPTURE(al.hessian_method);
  CHECK(al.hessian_method.rfind("lanczos", 0) == 0);
  CHECK(al.verdict == a.verdict);
  const Real Hn = std::max(Real(abs(a.point.hessian(0))), Real(abs(a.point.hessian(a.point.hessian.size() - 1))));
  LORAFLOW_CHECK_CLOSE(Real(al.point.hessian(0) / Hn), Real(a.point.hessian(0) / Hn), Real(sqrt(eps<Real>())));

  // Off the minimum by 1e-3 in every entry of A: not stationary.
  vector<Real> y = x;
  model.A1(y).array() += parse<Real>("1e-3");
  CHECK(analyze_state<Real>(model, y, opt.rtol).verdict == "not stationary");

  // Two adapters: no oracle, and the reason says so.
  lora_problem<Real> two = one_matrix_problem<Real>(W0, S, 2, s, lambda);
  two.adapt_W2 = true;
  const lora_model<Real> m2(two);
  const state_analysis<Real> b = analyze_state<Real>(m2, vector<Real>(vector<Real>::Zero(m2.dimension())), opt.rtol);
  CHECK_FALSE(b.oracle.has_value());
  CHECK(b.oracle_absent.find("one-matrix form") != std::string::npos);
  CHECK(b.verdict == "strict saddle");
}
TEST_CASE_TEMPLATE_APPLY(st_flow, fixed_digit_scalar_types);

// beta = smoothness_constant bounds the curvature <V, H[V]> <= beta ||V||^2 (and is attained for frobenius and
// weighted by the closed forms).
TEST_CASE_TEMPLATE_DEFINE("stationary: smoothness constants bound the objective's curvature", Real, st_beta) {
  test::precision_for_test<Real> prec;
  gaussian_stream g(5, 1);
  const matrix<Real> W = g.normal_matrix<Real>(3, 4), S = g.normal_matrix<Real>(3, 4);
  lora_problem<Real> p = one_matrix_problem<Real>(W, S, 2);
  for (objective_kind k : {objective_kind::frobenius, objective_kind::weighted, objective_kind::sensing,
                           objective_kind::logistic}) {
    CAPTURE(info_of(k).name);
    p.objective = objective_data<Real>{};
    p.objective.kind = k;
    if (k == objective_kind::weighted) p.objective.weights = weights_with_ratio<Real>(3, 4, Real(7), 2);
    if (k == objective_kind::sensing) gaussian_sensing<Real>(20, 3, 4, Real(0), 2, p.objective);
    if (k == objective_kind::logistic) teacher_logistic<Real>(30, matrix<Real>(W + S), false, 2, p.objective);
    const lora_model<Real> model(p);
    const Real beta = smoothness_constant(model.objective());
    if (k == objective_kind::frobenius) CHECK(beta == 1);
    if (k == objective_kind::weighted) LORAFLOW_CHECK_CLOSE(beta, Real(7), 16 * eps<Real>());
    matrix<Real> out(3, 4);
    for (int t = 0; t < 5; ++t) {
      const matrix<Real> V = g.normal_matrix<Real>(3, 4);
      model.objective().hessian_product(S, V, out);
      CHECK(V.cwiseProduct(out).sum() <= beta * squared_norm(V) * (1 + 64 * eps<Real>()));
    }
  }
}
TEST_CASE_TEMPLATE_APPLY(st_beta, scalar_types);

// Kim et al.'s restricted constants: exact for frobenius; for weighted the guarantees w_min <= alpha, beta <= w_max
// bracket the estimates, a ratio below 2 is certified special and a ratio of 20 certified generic (the estimates are
// an upper bound of alpha and a lower bound of beta, so 2 alpha_est < beta_est proves 2 alpha < beta); the
// adversarial estimates are never more optimistic than Monte-Carlo.
TEST_CASE_TEMPLATE_DEFINE("stationary: restricted constants and the regime (Kim et al. (A2)-(A3))", Real, st_rsc) {
  test::precision_for_test<Real> prec;
  objective_data<Real> d;
  const matrix<Real> W2 = matrix<Real>::Identity(6, 6), W1 = matrix<Real>::Zero(6, 5);
  const restricted_constants<Real> fro = restricted_constants_of(objective<Real>(d, W2, W1), 6, 5, 2);
  CHECK(fro.alpha == 1);
  CHECK(fro.beta == 1);
  CHECK(fro.regime == "special (2 alpha > beta)");
  CHECK(fro.certified);
  d.kind = objective_kind::weighted;
  for (const Real& ratio : {Real(3) / 2, Real(20)}) {
    CAPTURE(to_double(ratio));
    d.weights = weights_with_ratio<Real>(6, 5, ratio, 1);
    const restricted_constants<Real> c = restricted_constants_of(objective<Real>(d, W2, W1), 6, 5, 2);
    const Real slack = 64 * eps<Real>() * ratio;
    CHECK(c.alpha_lower == 1);
    CHECK(c.beta_upper == ratio);
    CHECK(c.alpha >= c.alpha_lower - slack);
    CHECK(c.beta <= c.beta_upper + slack);
    CHECK(c.alpha <= c.alpha_mc);
    CHECK(c.beta >= c.beta_mc);
    CHECK(c.certified);
    CHECK(c.regime == (ratio < 2 ? "special (2 alpha > beta)" : "generic (2 alpha < beta)"));
  }
  d.kind = objective_kind::logistic;
  d.weights.resize(0, 0);
  teacher_logistic<Real>(20, matrix<Real>(matrix<Real>::Ones(6, 5)), true, 1, d);
  CHECK_FALSE(restricted_constants_of(objective<Real>(d, W2, W1), 6, 5, 2).computed);
}
TEST_CASE_TEMPLATE_APPLY(st_rsc, fixed_digit_scalar_types);
