// Tests of model/xu2025tmlr.hpp (P4's Table 2 constants and Theorem 3.1's K_t), one body per scalar type.
// Oracles: closed forms on a diagonal problem (X = diag(2, 1), W1, W2, Y diagonal: W*, beta1, beta2, the Delta's and
// alpha1, alpha2 by hand); the Table 2 formulas evaluated on the dense h x h imbalance D and a known W* for n != m and
// h > n + m (where a swapped sign of D or swapped lambda_n / lambda_m would show); the least-squares minimiser of a
// tall X whose residual is known. Tolerances: 4096 eps, a few hundred times the accuracy of the Jacobi SVD and
// eigensolver (linalg.hpp) on these 2 x 2 to 7 x 7 problems, far below any formula slip (O(1) relative).
#include <loraflow/linalg.hpp>
#include <loraflow/model/xu2025tmlr.hpp>
#include <loraflow/random.hpp>

#include "checks.hpp"

#include <cmath>
#include <stdexcept>

using namespace loraflow;

namespace {

/// The by-hand problem: X = diag(2, 1), Y = diag(6, 5/2), W1 = diag(sqrt(5/2), 1), W2 = diag(sqrt(5/2), 2).
template <class Real> struct by_hand {
  factorization_problem<Real> p;
  matrix<Real> W1, W2;
  by_hand() {
    using std::sqrt;
    p.X = matrix<Real>::Zero(2, 2);
    p.X(0, 0) = 2;
    p.X(1, 1) = 1;
    p.Y = matrix<Real>::Zero(2, 2);
    p.Y(0, 0) = 6;
    p.Y(1, 1) = Real(5) / 2;
    p.width = 2;
    W1 = matrix<Real>::Zero(2, 2);
    W2 = matrix<Real>::Zero(2, 2);
    W1(0, 0) = sqrt(Real(5) / 2);
    W1(1, 1) = 1;
    W2(0, 0) = sqrt(Real(5) / 2);
    W2(1, 1) = 2;
  }
};

}  // namespace

TEST_CASE_TEMPLATE_DEFINE("P4 constants by hand (X = diag(2, 1), W* = diag(3, 5/2))", Real, xu2025tmlr_by_hand) {
  test::precision_for_test<Real> prec;
  using std::sqrt;
  // X = diag(2, 1) (K = 4, mu = 1), Y = X W* with W* = diag(3, 5/2), so Y = diag(6, 5/2) and min l = 0.
  // W1 = diag(sqrt(5/2), 1), W2 = diag(sqrt(5/2), 2): W(0) = diag(5/2, 2), ||W(0) - W*||_F = sqrt(1/2),
  // sqrt(K/mu) = 2, so beta1 = 5/2 - sqrt(2), beta2 = 3 + sqrt(2). D = W1^T W1 - W2 W2^T = diag(0, -3):
  // Delta+ = 0, Delta- = 3, Delta = 0, lambda+ = 0, lambda- = 3.
  const by_hand<Real> bh;
  const factorization_problem<Real>& p = bh.p;
  const matrix<Real>& W1 = bh.W1;
  const matrix<Real>& W2 = bh.W2;
  const xu2025tmlr_constants<Real> k = xu2025tmlr_constants_of<Real>(p, W1, W2);
  const Real tol = 4096 * eps<Real>();
  LORAFLOW_CHECK_REL(k.K, Real(4), tol);
  LORAFLOW_CHECK_REL(k.mu, Real(1), tol);
  CHECK(k.residual <= tol * 6);
  LORAFLOW_CHECK_REL(k.init_distance, sqrt(Real(1) / 2), tol);
  const Real b1 = Real(5) / 2 - sqrt(Real(2)), b2 = 3 + sqrt(Real(2));
  LORAFLOW_CHECK_REL(k.beta1, b1, tol);
  LORAFLOW_CHECK_REL(k.beta2, b2, tol);
  LORAFLOW_CHECK_REL(k.alpha1, Real((-3 + 2 * b1 + sqrt(Real(9 + 4 * b1 * b1))) / 2), tol);
  LORAFLOW_CHECK_REL(k.alpha2, Real(b2 + (3 + sqrt(Real(9 + 4 * b2 * b2))) / 2), tol);
  // K_t = K tau_max + sqrt(2 K L) + 6 K^2 sigma_max(W) L eta^2 + 3 K tau_max sqrt(2 K L) eta, every term written out:
  // K = 4, L = 1/2 (sqrt(2 K L) = 2), tau_max = 3, sigma_max(W) = 5, eta = 1/10.
  LORAFLOW_CHECK_REL(k.K_t(Real(1) / 2, Real(3), Real(5), Real(1) / 10), Real(12 + 2 + Real(6 * 16 * 5) / 2 / 100 + Real(3 * 4 * 3 * 2) / 10), tol);
}
TEST_CASE_TEMPLATE_APPLY(xu2025tmlr_by_hand, scalar_types);

TEST_CASE_TEMPLATE_DEFINE("P4 constants: the least-squares minimiser of a tall X, and a wide X refused", Real, xu2025tmlr_shapes) {
  test::precision_for_test<Real> prec;
  // X = [1; 0] (2 x 1), Y = [1; 1]: W* = 1, residual ||Y - X W*|| = 1 (Y is not in the range of X: Assumption 2.2
  // fails, which the residual shows).
  factorization_problem<Real> p;
  p.X = matrix<Real>::Zero(2, 1);
  p.X(0, 0) = 1;
  p.Y = matrix<Real>::Ones(2, 1);
  p.width = 1;
  const matrix<Real> W1 = matrix<Real>::Ones(1, 1), W2 = matrix<Real>::Ones(1, 1);
  const xu2025tmlr_constants<Real> k = xu2025tmlr_constants_of<Real>(p, W1, W2);
  const Real tol = 64 * eps<Real>();
  LORAFLOW_CHECK_REL(k.residual, Real(1), tol);
  CHECK(k.init_distance <= tol);
  factorization_problem<Real> wide;
  wide.X = matrix<Real>::Ones(1, 2);
  wide.Y = matrix<Real>::Ones(1, 1);
  wide.width = 1;
  CHECK_THROWS_AS(xu2025tmlr_constants_of<Real>(wide, matrix<Real>::Ones(2, 1), matrix<Real>::Ones(1, 1)), std::invalid_argument);
}
TEST_CASE_TEMPLATE_APPLY(xu2025tmlr_shapes, scalar_types);

TEST_CASE_TEMPLATE_DEFINE("P4 constants against the dense imbalance (n = 3, m = 2, h = 7)", Real, xu2025tmlr_dense) {
  test::precision_for_test<Real> prec;
  using std::max;
  using std::sqrt;
  gaussian_stream g(11, 0);
  factorization_problem<Real> p;
  const matrix<Real> Wstar = g.normal_matrix<Real>(3, 2);
  p.X = g.normal_matrix<Real>(3, 3) + 3 * matrix<Real>::Identity(3, 3);
  p.Y = p.X * Wstar;
  p.width = 7;
  const matrix<Real> W1 = g.normal_matrix<Real>(3, 7), W2 = g.normal_matrix<Real>(7, 2);
  const xu2025tmlr_constants<Real> k = xu2025tmlr_constants_of<Real>(p, W1, W2);
  // The formulas of the header, on the dense 7 x 7 D = W1^T W1 - W2 W2^T (eigenvalues descending).
  const vector<Real> d = linalg::sym_eig<Real>(matrix<Real>(W1.transpose() * W1 - W2 * W2.transpose())).values;
  auto pos = [](const Real& x) { return x > 0 ? x : Real(0); };
  const Real lmax = d(0), l_n = d(2), lmax_neg = -d(6), l_m_neg = -d(5);  // lambda_3(D); lambda_2(-D) = -(6th of D)
  const Real Dp = pos(lmax) - pos(l_n), Dm = pos(lmax_neg) - pos(l_m_neg), D = pos(l_n) + pos(l_m_neg);
  const linalg::svd_result<Real> sx = linalg::svd<Real>(p.X), sw = linalg::svd<Real>(Wstar);
  const Real K = sx.s(0) * sx.s(0), mu = sx.s(2) * sx.s(2);
  const Real dist = matrix<Real>(W1 * W2 - Wstar).norm();
  const Real b1 = max(Real(sw.s(1) - sqrt(K / mu) * dist), Real(0)), b2 = sw.s(0) + sqrt(K / mu) * dist;
  const Real a1 = (-Dp - Dm + sqrt((Dp + D) * (Dp + D) + 4 * b1 * b1) + sqrt((Dm + D) * (Dm + D) + 4 * b1 * b1)) / 2;
  const Real a2 = (pos(lmax) + sqrt(pos(lmax) * pos(lmax) + 4 * b2 * b2)) / 2 + (pos(lmax_neg) + sqrt(pos(lmax_neg) * pos(lmax_neg) + 4 * b2 * b2)) / 2;
  const Real tol = 4096 * eps<Real>();
  LORAFLOW_CHECK_REL(k.K, K, tol);
  LORAFLOW_CHECK_REL(k.mu, mu, tol);
  LORAFLOW_CHECK_REL(k.init_distance, dist, tol);
  LORAFLOW_CHECK_REL(k.beta2, b2, tol);
  CHECK(test::close(k.beta1, b1, tol));
  CHECK(test::close(k.alpha1, a1, tol));
  LORAFLOW_CHECK_REL(k.alpha2, a2, tol);
  CHECK(k.residual <= tol * p.Y.norm());
  // A rank-deficient X is refused, as is a width below max(n, m).
  factorization_problem<Real> singular = p;
  singular.X.col(2) = singular.X.col(0);
  CHECK_THROWS_AS(xu2025tmlr_constants_of<Real>(singular, W1, W2), std::invalid_argument);
  CHECK_THROWS_AS(xu2025tmlr_constants_of<Real>(p, matrix<Real>(W1.leftCols(2)), matrix<Real>(W2.topRows(2))), std::invalid_argument);
}
TEST_CASE_TEMPLATE_APPLY(xu2025tmlr_dense, scalar_types);

TEST_CASE_TEMPLATE_DEFINE("P4 Theorem 3.2: rho-bar, K-bar, eta_max and the step limit by their definitions", Real, xu2025tmlr_growing_defs) {
  test::precision_for_test<Real> prec;
  using std::exp;
  using std::log;
  using std::pow;
  using std::sqrt;
  // The by-hand problem above (K = 4, mu = 1, alpha1, alpha2, beta2 in closed form), L(0) = 1/2 ||Y - X W(0)||^2 = 1/2.
  const by_hand<Real> bh;
  const factorization_problem<Real>& p = bh.p;
  const matrix<Real>& W1 = bh.W1;
  const matrix<Real>& W2 = bh.W2;
  const xu2025tmlr_constants<Real> k = xu2025tmlr_constants_of<Real>(p, W1, W2);
  const Real L0 = Real(1) / 2 * (matrix<Real>(p.Y - p.X * W1 * W2).squaredNorm());
  const Real tol = 4096 * eps<Real>();
  const Real eta0 = Real(1) / 1000;
  const xu2025tmlr_growing<Real> g = xu2025tmlr_growing_of<Real>(k, L0, eta0);
  // Every constant by the catalogue's formula, written out here.
  const Real e = exp(sqrt(eta0)), r = sqrt(2 * k.K * L0);
  const Real mu_bar = k.mu * (k.alpha1 + 2 * k.alpha2 * (1 - e));
  const Real K0 = r + 6 * k.K * k.K * k.beta2 * L0 * eta0 * eta0 + k.K * e * k.alpha2 * (1 + 3 * r * eta0);
  const Real rho0 = 1 - 2 * mu_bar * eta0 + mu_bar * K0 * eta0 * eta0, Dp = (1 + eta0 * eta0) * rho0;
  LORAFLOW_CHECK_REL(g.mu_bar, mu_bar, tol);
  LORAFLOW_CHECK_REL(g.K_bar(Real(0)), K0, tol);
  LORAFLOW_CHECK_REL(g.rho0, rho0, tol);
  LORAFLOW_CHECK_REL(g.Delta_prime, Dp, tol);
  LORAFLOW_CHECK_REL(g.one_minus_Delta_prime, Real(1 - Dp), Real(tol / (1 - Dp)));
  const Real K3 = sqrt(2 * k.K * L0 * pow(rho0, Real(3))) + 6 * k.K * k.K * k.beta2 * L0 * eta0 * eta0 * pow(Dp, Real(3)) +
                  k.K * e * k.alpha2 * (1 + 3 * sqrt(2 * k.K * L0 * pow(Dp, Real(3))) * eta0);
  LORAFLOW_CHECK_REL(g.K_bar(Real(3)), K3, tol);
  LORAFLOW_CHECK_REL(g.rho_bar(Real(2) / 1000, Real(3)), Real(1 - 2 * mu_bar * Real(2) / 1000 + mu_bar * K3 * Real(4) / 1000000), tol);
  LORAFLOW_CHECK_REL(g.cap(Real(4)), Real(pow(1 + eta0 * eta0, Real(2)) * eta0), tol);
  LORAFLOW_CHECK_REL(g.tau_lower, Real(k.alpha1 + 2 * k.alpha2 * (1 - e)), tol);
  LORAFLOW_CHECK_REL(g.tau_upper, Real(k.alpha2 * e), tol);
  // eta_max: eta0^(1) solves eta K-bar_0(eta) = 1 (the next representable value up is on the other side of 1), the
  // alpha term is log(1 + alpha1 / (2 alpha2))^2, and eta_max is the least of the three.
  const xu2025tmlr_eta_max<Real> em = xu2025tmlr_eta_max_of<Real>(k, L0);
  auto g1 = [&](const Real& eta) { return eta * xu2025tmlr_growing_of<Real>(k, L0, eta).K_bar(Real(0)); };
  CHECK(g1(em.root1) < 1);
  CHECK(g1(Real(em.root1 * (1 + tol))) >= 1);
  const Real lg = log(1 + k.alpha1 / (2 * k.alpha2));
  LORAFLOW_CHECK_REL(em.alpha_term, Real(lg * lg), tol);
  CHECK(em.eta_max <= em.root1);
  CHECK(em.eta_max <= em.alpha_term);
  CHECK(em.eta_max <= em.root2);
  CHECK((em.eta_max == em.root1 || em.eta_max == em.root2 || em.eta_max == em.alpha_term));
  // eta0^(2): where finite, h(eta) = (1 - exp(-sqrt(eta))) (1 - Delta'(eta)) - 4 K L(0) eta^2 changes sign there.
  if (is_finite(em.root2) && em.root2 > 0) {
    auto h2 = [&](const Real& eta) {
      return (1 - exp(-sqrt(eta))) * xu2025tmlr_growing_of<Real>(k, L0, eta).one_minus_Delta_prime - 4 * k.K * L0 * eta * eta;
    };
    CHECK(h2(Real(em.root2 * (1 - tol))) > 0);
    CHECK(h2(Real(em.root2 * (1 + tol))) <= 0);
  }
  // The step limit: eta K_t(eta) = 1 at it, to the last bits.
  const Real lim = k.step_limit(L0, Real(3), Real(5));
  CHECK(lim * k.K_t(L0, Real(3), Real(5), lim) <= 1);
  CHECK(Real(lim * (1 + tol)) * k.K_t(L0, Real(3), Real(5), Real(lim * (1 + tol))) > 1);
}
TEST_CASE_TEMPLATE_APPLY(xu2025tmlr_growing_defs, scalar_types);
