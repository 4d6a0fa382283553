// Tests of model/xu2023.hpp (P3's constants), one body per scalar type where the arithmetic is generic.
// Oracles: closed forms on a diagonal problem (X = I, W1, W2 diagonal: every Table 2 quantity by hand); the
// structured spectra against dense eigenvalues of the same operators (D as an h x h matrix, tau as its
// (n m) x (n m) Kronecker-sum matrix); the roots against their defining equations.
#include <loraflow/linalg.hpp>
#include <loraflow/model/xu2023.hpp>

#include "checks.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

using namespace loraflow;

namespace {
/// The 2 x 2 diagonal matrix diag(a, b).
template <class Real> matrix<Real> diag2(const Real& a, const Real& b) {
  matrix<Real> d = matrix<Real>::Zero(2, 2);
  d(0, 0) = a;
  d(1, 1) = b;
  return d;
}
/// The problem X = diag(2, 1) (K = 4, mu = 1, kappa = 4), Y = diag(y1, y2), width 2.
template <class Real> factorization_problem<Real> diag_problem(const Real& y1, const Real& y2) {
  factorization_problem<Real> p;
  p.X = diag2<Real>(Real(2), Real(1));
  p.Y = diag2<Real>(y1, y2);
  p.width = 2;
  return p;
}
}  // namespace

TEST_CASE_TEMPLATE_DEFINE("P3 constants refuse an init with alpha0 = 0 (Theorem 3.1 assumes alpha0 > 0)", Real, xu2023_alpha0_zero) {
  test::precision_for_test<Real> prec;
  // X = diag(2, 1), Y = diag(6, 2), W1 = diag(2, 1), W2 = I: E(0) = diag(2, 1), ||E0|| = sqrt(5) > sigma_min(Y) = 2, so
  // p1 = 0; D = diag(3, 0) gives Delta+ = 3, Delta = Delta- = 0, and alpha0 = (-3 + sqrt(9)) / 2 + 0 = 0.
  const factorization_problem<Real> p = diag_problem<Real>(Real(6), Real(2));
  CHECK_THROWS_AS(xu2023_constants_of<Real>(p, diag2<Real>(Real(2), Real(1)), matrix<Real>::Identity(2, 2), Real(1) / 2,
                                            Real(3) / 2),
                  std::invalid_argument);
}
TEST_CASE_TEMPLATE_APPLY(xu2023_alpha0_zero, scalar_types);

TEST_CASE_TEMPLATE_DEFINE("P3 coefficients and roots by hand (X = diag(2, 1), p1 > 0)", Real, xu2023_roots) {
  test::precision_for_test<Real> prec;
  using std::abs;
  using std::sqrt;
  // X = diag(2, 1), Y = diag(6, 4), W1 = diag(sqrt(2.5), 1) (n = h = 2), W2 = diag(sqrt(2.5), 2): X W1 W2 =
  // diag(5, 2), E(0) = diag(1, 2), ||E0|| = sqrt(5), L(0) = 5/2, sigma_min(Y) = 4, ||Y||_F = sqrt(52).
  // D = W1^T W1 - W2 W2^T = diag(0, -3).
  const factorization_problem<Real> p = diag_problem<Real>(Real(6), Real(4));
  const matrix<Real> W1 = diag2<Real>(sqrt(Real(5) / 2), Real(1)), W2 = diag2<Real>(sqrt(Real(5) / 2), Real(2));
  const Real c1 = Real(1) / 2, c2 = Real(3) / 2;
  const xu2023_constants<Real> k = xu2023_constants_of<Real>(p, W1, W2, c1, c2);
  const Real tol = 4096 * eps<Real>();
  const Real K(4), mu(1), kappa(4), L0 = Real(5) / 2;
  const Real p1 = (4 - sqrt(Real(5))) / 2, p2 = sqrt(Real(52)) + sqrt(Real(5));
  LORAFLOW_CHECK_REL(k.p1, p1, tol);
  LORAFLOW_CHECK_REL(k.p2, p2, tol);
  // D = diag(0, -3): lambda_max(D) = 0, lambda_2(D) = -3; -D = diag(3, 0): lambda_max = 3, lambda_2 = 0.
  // Delta+ = 0, Delta- = 3, Delta = 0, lambda+ = 0, lambda- = 3.
  const Real alpha0 = sqrt(Real(4 * p1 * p1)) / 2 + (-3 + sqrt(Real(9 + 4 * p1 * p1))) / 2;
  const Real beta0 = sqrt(Real(4 * p2 * p2)) / 2 + (3 + sqrt(Real(9 + 4 * p2 * p2))) / 2;
  LORAFLOW_CHECK_REL(k.alpha0, alpha0, tol);
  LORAFLOW_CHECK_REL(k.beta0, beta0, tol);
  // Theorem 3.1's coefficients, every power written out (sigma_min(X) = 1 would hide none here: kappa = 4).
  const Real a1 = 2 * c1 * alpha0 * mu;
  const Real a2 = 2 * sqrt(Real(2 * kappa * L0 * mu * mu * mu)) * p2 + kappa * mu * mu * (c2 * beta0) * (c2 * beta0);
  const Real a3 = 2 * sqrt(Real(2 * kappa * kappa * kappa * L0 * mu * mu * mu * mu * mu)) * c2 * beta0 * p2;
  const Real a4 = 2 * kappa * kappa * mu * mu * mu * p2 * p2 * L0;
  LORAFLOW_CHECK_REL(k.a1, a1, tol);
  LORAFLOW_CHECK_REL(k.a2(L0), a2, tol);
  LORAFLOW_CHECK_REL(k.a3(L0), a3, tol);
  LORAFLOW_CHECK_REL(k.a4(L0), a4, tol);
  // The roots satisfy the two equations of Theorem 3.1, with the coefficients written here.
  auto root_eq = [&](const Real& e, const Real& extra) { return a4 * e * e * e + a3 * e * e + (a2 + extra) * e; };
  LORAFLOW_CHECK_REL(root_eq(k.eta1, Real(4 * c2 * L0 * K / (c2 - 1))), a1, tol);
  LORAFLOW_CHECK_REL(root_eq(k.eta2, Real(8 * c2 * beta0 * L0 * K / ((1 - c1) * alpha0))), a1, tol);
  CHECK(k.eta_max == std::min(k.eta1, k.eta2));
  // Algorithm 1's root is the stationary point of f(., 0): f' = 0 there, f decreases before it.
  const Real r = k.adaptive_root(L0);
  const Real fp = -a1 + 2 * a2 * r + 3 * a3 * r * r + 4 * a4 * r * r * r;
  CHECK(abs(fp) <= tol * a1);
  CHECK(k.f(r, L0) < k.f(Real(r / 2), L0));
  CHECK(k.f(r, L0) <= k.f(Real(r * 3 / 2), L0));
  CHECK(k.adaptive_step(L0) == std::min(r, k.eta_max));
}
TEST_CASE_TEMPLATE_APPLY(xu2023_roots, scalar_types);

TEST_CASE("P3 structured spectra against dense eigenvalues") {
  // n = 3, m = 2, h = 7 from the Fig. 1 recipe at a small size.
  const xu2023_instance<double> in = xu2023_fig1<double>(2.0, 7, 5, 3);
  matrix<double> W2 = in.W2.leftCols(2);  // 7 x 2
  const matrix<double>& W1 = in.W1;       // 3 x 7
  // D: h x h dense.
  const matrix<double> D = W1.transpose() * W1 - W2 * W2.transpose();
  const vector<double> dense = linalg::sym_eig<double>(D).values;
  const vector<double> nz = xu2023_imbalance_spectrum<double>(W1, W2);
  for (Eigen::Index k = 1; k <= 7; ++k) {
    CAPTURE(k);
    CHECK(std::abs(kth_largest<double>(nz, 7, k) - dense(k - 1)) <= 1e-12 * dense.cwiseAbs().maxCoeff());
  }
  // tau on vec(G), G 3 x 2: (W2^T W2 (x) I_3) + (I_2 (x) W1 W1^T).
  const matrix<double> A = W1 * W1.transpose(), B = W2.transpose() * W2;
  matrix<double> T = matrix<double>::Zero(6, 6);
  for (int j = 0; j < 2; ++j)
    for (int l = 0; l < 2; ++l) T.block(3 * j, 3 * l, 3, 3) += B(l, j) * matrix<double>::Identity(3, 3);
  for (int j = 0; j < 2; ++j) T.block(3 * j, 3 * j, 3, 3) += A;
  const vector<double> te = linalg::sym_eig<double>(T).values;
  const xu2023_spectra<double> s = xu2023_spectra_of<double>(W1, W2);
  CHECK(std::abs(s.tau_max - te(0)) <= 1e-12 * te(0));
  CHECK(std::abs(s.tau_min - te(5)) <= 1e-12 * te(0));
  const vector<double> sw = linalg::svd<double>(matrix<double>(W1 * W2)).s;
  CHECK(s.W_max == sw(0));
  CHECK(s.W_min == sw(1));
}

TEST_CASE("P3 imbalance spectrum when the width is below n + m") {
  // n = 3, m = 3, h = 4 < n + m: D is 4 x 4, the 6 x 6 route has 2 structural zeros to drop.
  const xu2023_instance<double> in = xu2023_fig1<double>(1.5, 4, 7, 3);
  const matrix<double> D = in.W1.transpose() * in.W1 - in.W2 * in.W2.transpose();
  const vector<double> dense = linalg::sym_eig<double>(D).values;
  const vector<double> nz = xu2023_imbalance_spectrum<double>(in.W1, in.W2);
  for (Eigen::Index k = 1; k <= 4; ++k) {
    CAPTURE(k);
    CHECK(std::abs(kth_largest<double>(nz, 4, k) - dense(k - 1)) <= 1e-12 * dense.cwiseAbs().maxCoeff());
  }
}

TEST_CASE("P3 constants refuse c1, c2 outside 0 < c1 < 1 < c2") {
  const xu2023_instance<double> in = xu2023_fig1<double>(2.0, 50, 1, 4);
  CHECK_THROWS_AS(xu2023_constants_of<double>(in.problem, in.W1, in.W2, 1.0, 1.5), std::invalid_argument);
  CHECK_THROWS_AS(xu2023_constants_of<double>(in.problem, in.W1, in.W2, 0.5, 1.0), std::invalid_argument);
  const xu2023_constants<double> k = xu2023_constants_of<double>(in.problem, in.W1, in.W2, 0.5, 1.5);
  CHECK(k.alpha0 > 0);
  CHECK(k.eta_max > 0);
  // Proposition 3.1 as an identity of the coefficients: f(eta, 0) >= 1 - 1/kappa for every eta.
  for (double e : {k.eta_max, k.eta_max / 10, k.adaptive_root(k.L0)}) CHECK(k.f(e, k.L0) >= 1 - 1 / k.kappa);
}

TEST_CASE_TEMPLATE_DEFINE("P3 Fig. 2 recipe: a balanced init of W(0), so D = 0 and W1 W2 = W(0)", Real, xu2023_fig2_recipe) {
  test::precision_for_test<Real> prec;
  const xu2023_instance<Real> in = xu2023_fig2<Real>(Real(1) / 20, 9, 2, 5);
  gaussian_stream data(2, streams::data);
  const matrix<Real> W0 = data.normal_matrix<Real>(5, 1) / 2;  // the recipe's first draw
  const Real tol = 64 * eps<Real>();
  CHECK((in.W1 * in.W2 - W0).norm() <= tol * W0.norm());
  const matrix<Real> D = in.W1.transpose() * in.W1 - in.W2 * in.W2.transpose();
  CHECK(D.norm() <= tol * W0.norm());
  CHECK(in.problem.X == matrix<Real>::Identity(5, 5));
  CHECK(in.problem.width == 9);
}
TEST_CASE_TEMPLATE_APPLY(xu2023_fig2_recipe, scalar_types);
