// Tests of integrate/step_rule.hpp (GD's step-size rules) and of GD by iterations (integrate.hpp, gd_loop with
// gd_steps, gd_step and gd_trace), one body per scalar type.
// Oracles: each rule's formula evaluated independently (B, A and the residual formed here, not by lora_model);
// (the objectives' smoothness constants are tested in model/objective.test.cpp);
// exact identities of the GD map on one-matrix LoRA (catalogue lora-weight-decay-gd-scaling.md 2.4 and 5, O10, O14),
// which hold to the working precision: the norm identity ||V_(k+1)||^2 - ||V_k||^2 = -4 eta <G, X> + eta^2 ||grad J||^2,
// the first step from B0 = 0, X_1 = -eta s^2 G_0 A_0^T A_0, and the scale identity (scale s, step eta, decay lambda
// from (A0, B0) equals scale 1, step s eta, decay lambda/s from sqrt(s) (A0, B0)).
#include <loraflow/integrate/integrate.hpp>
#include <loraflow/integrate/step_rule.hpp>
#include <loraflow/model/lora.hpp>
#include <loraflow/model/one_matrix.hpp>
#include <loraflow/random.hpp>

#include "checks.hpp"

#include <functional>
#include <limits>

using namespace loraflow;

namespace {

/// One-matrix LoRA 5 x 4, sigma(S) = 2, 1, 1/2, rank 2, scale s, decay lambda.
template <class Real> lora_model<Real> small_model(const Real& s, const Real& lambda = Real(0),
                                                   objective_kind k = objective_kind::frobenius) {
  one_matrix_spec<Real> spec;
  spec.m = 5;
  spec.n = 4;
  spec.sigma = {Real(2), Real(1), Real(1) / 2};
  spec.seed = 3;
  matrix<Real> W0, S;
  generate_one_matrix(spec, W0, S);
  lora_problem<Real> p = one_matrix_problem<Real>(W0, S, 2, s, lambda);
  p.objective.kind = k;
  if (k == objective_kind::sensing) gaussian_sensing<Real>(30, 5, 4, Real(0), 7, p.objective);
  if (k == objective_kind::weighted) p.objective.weights = weights_with_ratio<Real>(5, 4, Real(10), 2);
  return lora_model<Real>(p);
}

template <class Real> vector<Real> random_state(const lora_model<Real>& model, std::uint64_t seed, const Real& scale) {
  gaussian_stream g(seed, 99);
  vector<Real> x(model.dimension());
  for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = Real(g.next()) * scale;
  return x;
}

/// The residual S - s B A formed here (frobenius: E = -grad f).
template <class Real> matrix<Real> residual_here(const lora_model<Real>& model, const vector<Real>& x) {
  const Real s = model.problem().scale;
  return model.problem().dY - s * (matrix<Real>(model.B1(x)) * matrix<Real>(model.A1(x)));
}

}  // namespace

TEST_CASE_TEMPLATE_DEFINE("each step rule gives its formula", Real, rule_formulas) {
  test::precision_for_test<Real> prec;
  using std::sqrt;
  const Real s = Real(3) / 2, c = Real(1) / 10;
  const lora_model<Real> model = small_model<Real>(s);
  const vector<Real> x = random_state(model, 1, Real(1) / 2);
  vector<Real> f(x.size());
  model.field(x, f);
  const matrix<Real> E = residual_here(model, x);
  const matrix<Real> A = model.A1(x), B = model.B1(x);
  const Real V2 = x.squaredNorm();
  const Real gX = s * E.norm();  // ||grad_X loss(W0 + s X)|| = s ||E||
  const Real gJ = sqrt(Real((s * B.transpose() * E).squaredNorm() + (s * E * A.transpose()).squaredNorm()));
  const Real tol = 256 * eps<Real>();
  LORAFLOW_CHECK_REL(Real(f.norm()), gJ, tol);  // the field is -grad J
  {
    const gd_step_size<Real> r(step_rule::mu_klabjan, model, Real(0), Real(0), Real(0));
    CHECK(r.smoothness_exact());
    LORAFLOW_CHECK_REL(r.smoothness(), Real(s * s), tol);  // frobenius: L_f = 1, L = s^2 L_f
    const Real want = Real(1) / (4 * sqrt(Real(2)) * s * s * (V2 + gX));
    REQUIRE(want < 1);
    LORAFLOW_CHECK_REL(r(x, f), want, tol);
  }
  LORAFLOW_CHECK_REL(gd_step_size<Real>(step_rule::adapt, model, Real(0), c, Real(0))(x, f), Real(c / (V2 + gX)), tol);
  LORAFLOW_CHECK_REL(gd_step_size<Real>(step_rule::adapt2, model, Real(0), c, Real(0))(x, f),
                     Real(c / (V2 + sqrt(Real(E.squaredNorm() / 2)))), tol);
  LORAFLOW_CHECK_REL(gd_step_size<Real>(step_rule::norm, model, Real(0), c, Real(0))(x, f), Real(c / sqrt(gJ)), tol);
  CHECK(gd_step_size<Real>(step_rule::constant, model, Real(1) / 8, Real(0), Real(0))(x, f) == Real(1) / 8);
  // A given smoothness replaces the objective's: L = s^2 * given.
  const gd_step_size<Real> given(step_rule::mu_klabjan, model, Real(0), Real(0), Real(7));
  CHECK_FALSE(given.smoothness_exact());
  LORAFLOW_CHECK_REL(given.smoothness(), Real(7 * s * s), tol);
  // The cap at 1: a tiny state near a tiny target.
  one_matrix_spec<Real> spec;
  spec.m = 3;
  spec.n = 3;
  spec.sigma = {Real(1) / 1000};
  matrix<Real> W0, S;
  generate_one_matrix(spec, W0, S);
  const lora_model<Real> tiny(one_matrix_problem<Real>(W0, S, 1));
  const vector<Real> xt = random_state(tiny, 2, Real(1) / 1000);
  vector<Real> ft(xt.size());
  tiny.field(xt, ft);
  CHECK(gd_step_size<Real>(step_rule::mu_klabjan, tiny, Real(0), Real(0), Real(0))(xt, ft) == Real(1));
}
TEST_CASE_TEMPLATE_APPLY(rule_formulas, scalar_types);

TEST_CASE("step rules refuse problems and constants they are not stated for") {
  lora_problem<double> p2;
  p2.W1 = matrix<double>::Identity(3, 3);
  p2.W2 = matrix<double>::Identity(3, 3);
  p2.dY = matrix<double>::Identity(3, 3);  // both adapters: not the one-matrix form
  const lora_model<double> two_adapters(p2);
  CHECK_FALSE(step_rule_unavailable(step_rule::mu_klabjan, two_adapters.problem()).empty());
  CHECK(step_rule_unavailable(step_rule::adapt, two_adapters.problem()).empty());
  CHECK_THROWS_AS(gd_step_size<double>(step_rule::mu_klabjan, two_adapters, 0, 0, 0), std::invalid_argument);
  const lora_model<double> decayed = small_model<double>(1.0, 0.1);
  CHECK_THROWS_AS(gd_step_size<double>(step_rule::mu_klabjan, decayed, 0, 0, 0), std::invalid_argument);
  CHECK_THROWS_AS(gd_step_size<double>(step_rule::adapt, decayed, 0, 0, 0), std::invalid_argument);  // c missing
  CHECK_THROWS_AS(gd_step_size<double>(step_rule::constant, decayed, 0, 0, 0), std::invalid_argument);  // dt missing
  CHECK(find_step_rule("mu-klabjan")->id == step_rule::mu_klabjan);
  CHECK(find_step_rule("Mu-Klabjan") == nullptr);
  CHECK(step_rule_list() == "constant, mu-klabjan, adapt, adapt2, norm, xu2023-max, xu2023-adaptive or xu2025-growing");
  // Each rule belongs to the LoRA model, the network, or both (constant); the other class is refused by name.
  CHECK(step_rules_for(rule_problems::network) == "constant, xu2023-max, xu2023-adaptive or xu2025-growing");
  CHECK(step_rules_for(rule_problems::lora) == "constant, mu-klabjan, adapt, adapt2 or norm");
  CHECK(step_rule_class_mismatch(step_rule::constant, true).empty());
  CHECK(step_rule_class_mismatch(step_rule::constant, false).empty());
  CHECK(step_rule_class_mismatch(step_rule::xu2023_max, true).empty());
  CHECK(step_rule_class_mismatch(step_rule::norm, false).empty());
  CHECK(step_rule_class_mismatch(step_rule::norm, true).find("network\" has constant, xu2023-max") != std::string::npos);
  CHECK(step_rule_class_mismatch(step_rule::xu2023_adaptive, false).find("the two-layer linear network") != std::string::npos);
  CHECK_FALSE(step_rule_unavailable(step_rule::xu2023_max, two_adapters.problem()).empty());
}

TEST_CASE_TEMPLATE_DEFINE("GD by iterations: observed iterates, times, trace", Real, gd_by_iterations) {
  test::precision_for_test<Real> prec;
  // x' = -k .* x; the rule eta = 1/(4 (1 + ||x||^2)) depends on the state.
  vector<Real> k(3);
  k << Real(1), Real(2), Real(1) / 2;
  system_fn<Real> sys = [&](const vector<Real>& x, vector<Real>& d, const Real&) { d = -k.cwiseProduct(x); };
  auto rule = [](const vector<Real>& x, const vector<Real>&) { return Real(Real(1) / (4 * (1 + x.squaredNorm()))); };
  // The iterates by hand.
  std::vector<vector<Real>> it{vector<Real>::Ones(3)};
  std::vector<Real> t{Real(0)};
  Real min_g2 = std::numeric_limits<Real>::infinity();
  for (int j = 0; j < 10; ++j) {
    const vector<Real>& x = it.back();
    const Real eta = rule(x, x);
    const vector<Real> f = -k.cwiseProduct(x);
    min_g2 = std::min(min_g2, Real(f.squaredNorm()));
    it.push_back(x + eta * f);
    t.push_back(t.back() + eta);
  }
  solve_options<Real> opt;
  opt.stepper = method::gd;
  opt.gd_steps = 10;
  opt.gd_step = rule;
  opt.gd_observe_steps = {0, 3, 10};
  gd_trace<Real> tr;
  opt.trace = &tr;
  vector<Real> x = vector<Real>::Ones(3);
  std::vector<Real> seen_t;
  std::vector<vector<Real>> seen_x;
  const run_stats<Real> st = integrate<Real>(
      sys, x, Real(0), std::numeric_limits<Real>::max(), {},
      [&](const Real& tt, const vector<Real>& xx) { seen_t.push_back(tt), seen_x.push_back(xx); }, opt);
  CHECK(st.status == run_status::ok);
  CHECK(st.steps == 10);
  REQUIRE(seen_t.size() == 3);
  const Real tol = 64 * eps<Real>();
  int j = 0;
  for (std::size_t step : {0, 3, 10}) {
    CAPTURE(step);
    LORAFLOW_CHECK_REL(seen_t[static_cast<std::size_t>(j)], t[step], tol);
    CHECK((seen_x[static_cast<std::size_t>(j)] - it[step]).norm() <= tol * it[step].norm());
    ++j;
  }
  LORAFLOW_CHECK_REL(st.t_final, t[10], tol);
  CHECK(tr.iteration == 10);
  LORAFLOW_CHECK_REL(tr.sum_eta, t[10], tol);
  LORAFLOW_CHECK_REL(tr.min_grad_norm2, min_g2, tol);
}
TEST_CASE_TEMPLATE_APPLY(gd_by_iterations, scalar_types);

TEST_CASE_TEMPLATE_DEFINE("GD that diverges ends with status diverged at its last finite iterate", Real, gd_diverges) {
  test::precision_for_test<Real> prec;
  // x' = x^2 with eta = 10: x_(k+1) = x_k + 10 x_k^2 grows doubly exponentially and overflows any exponent range
  // within a few dozen steps (mpfr's default range ~2^(2^30) after about 32 doublings of the exponent).
  system_fn<Real> sys = [](const vector<Real>& x, vector<Real>& d, const Real&) { d = x.cwiseProduct(x); };
  solve_options<Real> opt;
  opt.stepper = method::gd;
  opt.dt = Real(10);
  opt.gd_steps = 200;
  opt.gd_observe_steps = {0, 1, 2, 200};
  vector<Real> x = vector<Real>::Ones(1);
  std::vector<Real> seen;
  const run_stats<Real> st = integrate<Real>(sys, x, Real(0), std::numeric_limits<Real>::max(), {},
                                             [&](const Real&, const vector<Real>& xx) { seen.push_back(xx(0)); }, opt);
  CHECK(st.status == run_status::diverged);
  CHECK(std::string(status_name(st.status)) == "diverged");
  CHECK(st.steps < 200);
  CHECK(all_finite(x));
  CHECK(x(0) > 1);
  CHECK(seen.size() == 3);  // iterates 0, 1, 2; never a row for the non-finite one
  for (const Real& v : seen) CHECK(is_finite(v));
}
TEST_CASE_TEMPLATE_APPLY(gd_diverges, scalar_types);

namespace {
/// K GD steps of a LoRA model from x with the step rule (empty: eta), by integrate (gd by iterations); the iterates.
template <class Real>
std::vector<vector<Real>> gd_iterates(const lora_model<Real>& model, vector<Real> x, std::size_t K, const Real& eta) {
  solve_options<Real> opt;
  opt.stepper = method::gd;
  opt.dt = eta;
  opt.gd_steps = K;
  for (std::size_t k = 0; k <= K; ++k) opt.gd_observe_steps.push_back(k);
  std::vector<vector<Real>> xs;
  const run_stats<Real> st = integrate<Real>(std::cref(model), x, Real(0), std::numeric_limits<Real>::max(), {},
                                             [&](const Real&, const vector<Real>& xx) { xs.push_back(xx); }, opt);
  REQUIRE(st.status == run_status::ok);
  return xs;
}
}  // namespace

TEST_CASE_TEMPLATE_DEFINE("GD identities of one-matrix LoRA hold to the working precision", Real, gd_identities) {
  test::precision_for_test<Real> prec;
  using std::abs;
  using std::sqrt;
  const Real s = Real(3) / 2, eta = Real(1) / 20;
  SUBCASE("the norm identity ||V_(k+1)||^2 - ||V_k||^2 = -4 eta <G_k, X_k> + eta^2 ||grad J(V_k)||^2") {
    // J = f(X), X = s B A, G = grad f(X) = -E: <V, grad J> = <B, -s E A^T> + <A, -s B^T E> = -2 <E, X>, so
    // ||V - eta grad J||^2 - ||V||^2 = -2 eta <V, grad J> + eta^2 ||grad J||^2 = 4 eta <E, X> + eta^2 ||grad J||^2.
    for (objective_kind kind : {objective_kind::frobenius, objective_kind::sensing}) {
      CAPTURE(std::string(info_of(kind).name));
      const lora_model<Real> model = small_model<Real>(s, Real(0), kind);
      const std::vector<vector<Real>> xs = gd_iterates(model, random_state(model, 5, Real(1) / 2), 30, eta);
      Real worst(0);
      vector<Real> f(model.dimension());
      for (std::size_t k = 0; k + 1 < xs.size(); ++k) {
        model.field(xs[k], f);
        const matrix<Real> E = model.negative_gradient(xs[k]);
        const matrix<Real> X = s * (matrix<Real>(model.B1(xs[k])) * matrix<Real>(model.A1(xs[k])));
        const Real lhs = xs[k + 1].squaredNorm() - xs[k].squaredNorm();
        const Real rhs = 4 * eta * Real((E.cwiseProduct(X)).sum()) + eta * eta * f.squaredNorm();
        // Both sides are differences of O(||V||^2) numbers: resolved to a few eps of ||V||^2.
        worst = std::max(worst, Real(abs(lhs - rhs) / (xs[k + 1].squaredNorm() + xs[k].squaredNorm())));
      }
      CHECK_MESSAGE(worst <= 64 * eps<Real>(), "worst = " << to_string(worst));
    }
  }
  SUBCASE("the first step from B0 = 0 is X_1 = -eta s^2 G_0 A_0^T A_0") {
    const lora_model<Real> model = small_model<Real>(s);
    vector<Real> x0 = random_state(model, 6, Real(1) / 2);
    model.B1(x0).setZero();
    const std::vector<vector<Real>> xs = gd_iterates(model, x0, 1, eta);
    const matrix<Real> A0 = model.A1(x0);
    const matrix<Real> G0 = -model.negative_gradient(x0);
    const matrix<Real> X1 = s * (matrix<Real>(model.B1(xs[1])) * matrix<Real>(model.A1(xs[1])));
    const matrix<Real> want = -eta * s * s * G0 * A0.transpose() * A0;
    CHECK((X1 - want).norm() <= 64 * eps<Real>() * want.norm());
    CHECK((matrix<Real>(model.A1(xs[1])) - A0).norm() == 0);  // A_1 = A_0 exactly (its gradient s B0^T E vanishes)
  }
  SUBCASE("scale s, step eta, decay lambda from (A0, B0) = scale 1, step s eta, decay lambda/s from sqrt(s) (A0, B0)") {
    for (const Real& sc : {Real(4), Real(3)}) {
      CAPTURE(to_double(sc));
      const Real lambda = Real(3) / 10;
      const lora_model<Real> scaled = small_model<Real>(sc, lambda), unit = small_model<Real>(Real(1), Real(lambda / sc));
      const vector<Real> x0 = random_state(scaled, 7, Real(1) / 2);
      const std::vector<vector<Real>> a = gd_iterates(scaled, x0, 20, Real(eta / sc));
      const std::vector<vector<Real>> b = gd_iterates(unit, vector<Real>(sqrt(sc) * x0), 20, eta);
      Real worst(0);
      for (std::size_t k = 0; k < a.size(); ++k) {
        const matrix<Real> Xa = sc * (matrix<Real>(scaled.B1(a[k])) * matrix<Real>(scaled.A1(a[k])));
        const matrix<Real> Xb = matrix<Real>(unit.B1(b[k])) * matrix<Real>(unit.A1(b[k]));
        worst = std::max(worst, Real((Xa - Xb).norm() / Xb.norm()));
      }
      // 20 steps of a contracting map, each rounding a few eps: the identity is exact, so any slip (the decay or
      // the step not rescaled) shows at O(eta lambda) = O(1e-2) at the first step.
      CHECK_MESSAGE(worst <= 1024 * eps<Real>(), "worst = " << to_string(worst));
    }
  }
}
TEST_CASE_TEMPLATE_APPLY(gd_identities, scalar_types);
