// loraflow/model/xu2025tmlr.hpp: the constants of Xu, Min, Tarmoun, Mallada, Vidal, TMLR 2025 ("P4": local PL
// and descent lemma for GD on overparametrized factorizations), for the squared loss l(W) = 1/2 ||Y - X W||_F^2 of
// the two-layer linear network L(W1, W2) = l(W1 W2) (model/xu2023.hpp's convention: W1 n x h, W2 h x m; P4 writes
// W1 W2^T with its W2 m x h). Catalogue ../shared/theory/xu2025-and-linear-nets.md section 7; every formula below is
// the catalogue's transcription of the paper.
//
// l is K-smooth and mu-strongly convex with K = sigma_max(X)^2, mu = sigma_min(X)^2 when X (N x n) has full column
// rank (N >= n), and min l = 0 (Assumption 2.2) when Y lies in the range of X; its minimiser is W* = X^+ Y.
// The operator T(G) = [G W2^T; G^T W1] (P4's, in this convention) has squared singular values
// lambda_i(W1 W1^T) + lambda_j(W2^T W2): those of P3's tau, so sigma_min^2(T) = lambda_min(tau) (xu2023_spectra_of).
// Table 2:  beta1 = max(0, sigma_min(W*) - sqrt(K/mu) ||W(0) - W*||_F),  beta2 = sigma_max(W*) + sqrt(K/mu) ||W(0) - W*||_F,
//   alpha1 = [-Delta+ - Delta- + sqrt((Delta+ + Delta)^2 + 4 beta1^2) + sqrt((Delta- + Delta)^2 + 4 beta1^2)] / 2,
//   alpha2 = (lambda+ + sqrt(lambda+^2 + 4 beta2^2)) / 2 + (lambda- + sqrt(lambda-^2 + 4 beta2^2)) / 2,
//   with Delta+-, Delta, lambda+- of P3 (the same D = W1^T W1 - W2 W2^T; xu2023_constants_of): a lower bound on
//   sigma_min^2(T_t) and an upper bound on sigma_max^2(T_t) (Lemma 3.1 in its gradient-flow limit eta0 -> 0).
// Theorem 3.1 (along GD iterates, step eta_t):
//   K_t = K sigma_max^2(T_t) + sqrt(2 K L(t)) + 6 K^2 sigma_max(W(t)) L(t) eta_t^2 + 3 K sigma_max^2(T_t) sqrt(2 K L(t)) eta_t,
//   mu_t = mu sigma_min^2(T_t);  L(t+1) <= L(t) - (eta_t - K_t eta_t^2 / 2) ||grad L(t)||^2,  ||grad L(t)||^2 / 2 >= mu_t L(t).
// Theorem 3.2 (= Theorem E.1 with c = 1/2, d = 2; the growing step): if alpha1 > 0, 0 < eta0 < eta_max and
// eta0 <= eta_t <= min((1 + eta0^2)^(t/2) eta0, 1/K_t) at every t, then L(t+1) <= rho-bar(eta_t, t) L(t) <= rho-bar(eta0, 0) L(t), with
//   rho-bar(eta, t) = 1 - 2 mu-bar eta + mu-bar K-bar_t eta^2,   mu-bar = mu [alpha1 + 2 alpha2 (1 - exp(sqrt(eta0)))],
//   Delta' = (1 + eta0^2) rho-bar(eta0, 0),
//   K-bar_t = sqrt(2 K L(0) rho-bar(eta0, 0)^t) + 6 K^2 beta2 L(0) eta0^2 Delta'^t + K exp(sqrt(eta0)) alpha2 [1 + 3 sqrt(2 K L(0) Delta'^t) eta0]
// (K-bar_0 needs no rho-bar, so rho-bar(eta0, 0) and Delta' follow from eta0 alone), and eta_max = min(eta0^(1),
// eta0^(2), log(1 + alpha1 / (2 alpha2))^2) (E.1, eqs. (101)-(104), 1/c = 2): eta0^(1) the root of eta0 K-bar_0(eta0) = 1
// (increasing from -1: unique), eta0^(2) the smallest positive root of 4 K L(0) eta0^2 = (1 - exp(-sqrt(eta0))) (1 - Delta'),
// infinite if there is none. Lemma 3.1 along the same iterates: alpha1 + 2 alpha2 (1 - exp(sqrt(eta0))) <= sigma_min^2(T_t)
// <= sigma_max^2(T_t) <= alpha2 exp(sqrt(eta0)) and beta1 <= sigma_min(W_t) <= sigma_max(W_t) <= beta2.
// The step rule xu2025-growing (integrate/step_rule.hpp) takes eta_t = min((1 + eta0^2)^(t/2) eta0, eta-hat_t), eta-hat_t
// the largest step with eta K_t(eta) <= 1 (K_t depends on eta_t: a cubic increasing in eta, increasing_cubic_root).
#pragma once

#include <loraflow/linalg.hpp>
#include <loraflow/model/factorization.hpp>
#include <loraflow/model/xu2023.hpp>
#include <loraflow/scalar.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace loraflow {

template <class Real> struct xu2025tmlr_constants {
  Real K, mu;                    ///< sigma_max(X)^2, sigma_min(X)^2
  Real residual;                 ///< ||Y - X W*||_F (0 under Assumption 2.2, up to rounding)
  Real init_distance;            ///< ||W(0) - W*||_F
  Real beta1, beta2, alpha1, alpha2;

  /// Theorem 3.1's K_t at a GD iterate with loss L, sigma_max^2(T) = tau_max, sigma_max(W) = W_max and step eta.
  Real K_t(const Real& L, const Real& tau_max, const Real& W_max, const Real& eta) const {
    using std::sqrt;
    const Real r = sqrt(2 * K * L);
    return K * tau_max + r + 6 * K * K * W_max * L * eta * eta + 3 * K * tau_max * r * eta;
  }
  /// The largest step with eta K_t(eta) <= 1 at that iterate (Theorem 3.2's eta_t <= 1/K_t, K_t depending on eta_t):
  /// eta K_t(eta) = 6 K^2 W_max L eta^3 + 3 K tau_max sqrt(2 K L) eta^2 + (K tau_max + sqrt(2 K L)) eta, the same
  /// terms as K_t, increasing in eta; never above the root.
  Real step_limit(const Real& L, const Real& tau_max, const Real& W_max) const {
    using std::sqrt;
    const Real r = sqrt(2 * K * L);
    return detail::increasing_cubic_root<Real>(6 * K * K * W_max * L, 3 * K * tau_max * r, K * tau_max + r, Real(1));
  }
};

/// Table 2's constants for the problem p from (W1, W2). Throws std::invalid_argument when X has fewer rows than
/// columns (l is then not strongly convex: P4's Assumption 2.1) or is rank deficient to rounding.
template <class Real>
xu2025tmlr_constants<Real> xu2025tmlr_constants_of(const factorization_problem<Real>& p, const matrix<Real>& W1, const matrix<Real>& W2) {
  using std::max;
  using std::sqrt;
  const Eigen::Index N = p.X.rows(), n = p.X.cols(), h = W1.cols();
  if (const std::string why = table2_width_unavailable(n, W2.cols(), h); !why.empty()) throw std::invalid_argument("xu2025tmlr: " + why);
  if (N < n)
    throw std::invalid_argument("xu2025tmlr: X is " + std::to_string(N) + " x " + std::to_string(n) +
                                "; P4 assumes l strongly convex, X of full column rank (N >= n)");
  const linalg::svd_result<Real> sx = linalg::svd<Real>(p.X);
  const Real smin = sx.s(n - 1), smax = sx.s(0);
  if (!(smin > 64 * eps<Real>() * smax)) throw std::invalid_argument("xu2025tmlr: X is rank deficient to rounding");
  xu2025tmlr_constants<Real> k;
  k.K = smax * smax;
  k.mu = smin * smin;
  // W* = X^+ Y = V diag(1/s) U^T Y (thin SVD of X, N >= n).
  const matrix<Real> Wstar = sx.V * (vector<Real>(sx.s.cwiseInverse()).asDiagonal() * (sx.U.transpose() * p.Y));
  k.residual = matrix<Real>(p.Y - p.X * Wstar).norm();
  k.init_distance = matrix<Real>(W1 * W2 - Wstar).norm();
  const linalg::svd_result<Real> sw = linalg::svd<Real>(Wstar);
  const Real root = sqrt(k.K / k.mu) * k.init_distance;
  k.beta1 = max(Real(sw.s(sw.s.size() - 1) - root), Real(0));
  k.beta2 = sw.s(0) + root;
  const vector<Real> nz = xu2023_imbalance_spectrum<Real>(W1, W2);
  const vector<Real> neg = -nz;
  auto pos = [](const Real& x) { return x > 0 ? x : Real(0); };
  const Eigen::Index m = W2.cols();
  const Real lmax = kth_largest<Real>(nz, h, 1), ln = kth_largest<Real>(nz, h, n);
  const Real lmax_neg = kth_largest<Real>(neg, h, 1), lm_neg = kth_largest<Real>(neg, h, m);
  const Real lambda_plus = pos(lmax), lambda_minus = pos(lmax_neg);
  const Real Dp = pos(lmax) - pos(ln), Dm = pos(lmax_neg) - pos(lm_neg), D = pos(ln) + pos(lm_neg);
  const Real b1 = 4 * k.beta1 * k.beta1, b2 = 4 * k.beta2 * k.beta2;
  k.alpha1 = (-Dp - Dm + sqrt((Dp + D) * (Dp + D) + b1) + sqrt((Dm + D) * (Dm + D) + b1)) / 2;
  k.alpha2 = (lambda_plus + sqrt(lambda_plus * lambda_plus + b2)) / 2 + (lambda_minus + sqrt(lambda_minus * lambda_minus + b2)) / 2;
  return k;
}

/// Theorem 3.2's constants for one eta0 (see the header): mu-bar, rho-bar(eta0, 0), Delta', K-bar_t and Lemma 3.1's
/// bounds. rho-bar(eta0, 0) and Delta' are meaningful (below 1) only for eta0 < eta_max.
template <class Real> struct xu2025tmlr_growing {
  Real K, L0, alpha2, beta2;  ///< from Table 2 and the initial loss
  Real eta0, mu_bar, rho0, Delta_prime;
  /// 1 - rho-bar(eta0, 0) = mu-bar eta0 (2 - K-bar_0 eta0) and 1 - Delta' = (1 - rho-bar(eta0, 0)) - eta0^2 rho-bar(eta0, 0),
  /// from the small terms (as eta0 -> 0 both are O(eta0), which 1 - Delta' formed from Delta' would lose to rounding)
  Real one_minus_rho0, one_minus_Delta_prime;
  Real tau_lower, tau_upper;  ///< Lemma 3.1: alpha1 + 2 alpha2 (1 - exp(sqrt(eta0))) and alpha2 exp(sqrt(eta0))

  Real K_bar(const Real& t) const {
    using std::exp;
    using std::pow;
    using std::sqrt;
    const Real r = pow(rho0, t), d = pow(Delta_prime, t);
    return sqrt(2 * K * L0 * r) + 6 * K * K * beta2 * L0 * eta0 * eta0 * d + K * exp(sqrt(eta0)) * alpha2 * (1 + 3 * sqrt(2 * K * L0 * d) * eta0);
  }
  /// rho-bar(eta, t) = 1 - 2 mu-bar eta + mu-bar K-bar_t eta^2.
  Real rho_bar(const Real& eta, const Real& t) const { return 1 - 2 * mu_bar * eta + mu_bar * K_bar(t) * eta * eta; }
  /// The growing cap (1 + eta0^2)^(t/2) eta0.
  Real cap(const Real& t) const {
    using std::pow;
    return pow(1 + eta0 * eta0, t / 2) * eta0;
  }
};

template <class Real>
xu2025tmlr_growing<Real> xu2025tmlr_growing_of(const xu2025tmlr_constants<Real>& k, const Real& L0, const Real& eta0) {
  using std::exp;
  using std::sqrt;
  xu2025tmlr_growing<Real> g{k.K, L0, k.alpha2, k.beta2, eta0, Real(0), Real(0), Real(0), Real(0), Real(0), Real(0), Real(0)};
  const Real e = exp(sqrt(eta0));
  g.mu_bar = k.mu * (k.alpha1 + 2 * k.alpha2 * (1 - e));
  g.rho0 = Real(1);  // K-bar_0 reads rho0^0 = Delta'^0 = 1 only
  g.Delta_prime = Real(1);
  const Real K0 = g.K_bar(Real(0));
  g.one_minus_rho0 = g.mu_bar * eta0 * (2 - K0 * eta0);
  g.rho0 = 1 - g.one_minus_rho0;
  g.one_minus_Delta_prime = g.one_minus_rho0 - eta0 * eta0 * g.rho0;
  g.Delta_prime = 1 - g.one_minus_Delta_prime;
  g.tau_lower = k.alpha1 + 2 * k.alpha2 * (1 - e);
  g.tau_upper = k.alpha2 * e;
  return g;
}

/// E.1's eta_max (c = 1/2) and its three terms.
template <class Real> struct xu2025tmlr_eta_max {
  Real root1;       ///< eta0^(1): eta0 K-bar_0(eta0) = 1
  Real root2;       ///< eta0^(2): the smallest positive root of 4 K L(0) eta0^2 = (1 - exp(-sqrt(eta0))) (1 - Delta'), or +inf
  Real alpha_term;  ///< log(1 + alpha1 / (2 alpha2))^2
  Real eta_max;     ///< the minimum of the three (0 when alpha1 = 0: Theorem 3.2 needs alpha1 > 0)
};

/// eta_max for the constants k and the initial loss L0, at the working precision. eta0^(2) is looked for below
/// U = min(eta0^(1), the alpha term) only (above U it cannot be the minimum): the sign of
/// h(eta) = (1 - exp(-sqrt(eta))) (1 - Delta'(eta)) - 4 K L(0) eta^2 on the geometric grid U 2^(-j/8), j = 480 .. 0, then
/// bisection in the first interval where it turns from positive to non-positive (a root pair closer together than one
/// grid interval, 9% in eta, would be missed). root2 is +inf when h stays positive on the grid, and 0 (so eta_max = 0:
/// unresolved, the rule unavailable) when h is not positive even at its first point U 2^-60.
template <class Real> xu2025tmlr_eta_max<Real> xu2025tmlr_eta_max_of(const xu2025tmlr_constants<Real>& k, const Real& L0) {
  using std::exp;
  using std::expm1;
  using std::log;
  using std::pow;
  using std::sqrt;
  xu2025tmlr_eta_max<Real> r;
  const Real inf = std::numeric_limits<Real>::infinity();
  const Real lg = log(1 + k.alpha1 / (2 * k.alpha2));
  r.alpha_term = lg * lg;
  auto g1 = [&](const Real& eta) { return eta * xu2025tmlr_growing_of<Real>(k, L0, eta).K_bar(Real(0)) - 1; };
  Real hi = 1 / xu2025tmlr_growing_of<Real>(k, L0, Real(0)).K_bar(Real(0));  // g1(hi) >= 0: K-bar_0 increases with eta0
  while (g1(hi) < 0) hi *= 2;
  r.root1 = detail::increasing_root<Real>(g1, Real(0), hi);
  r.root2 = inf;
  const Real U = r.root1 < r.alpha_term ? r.root1 : r.alpha_term;
  if (U > 0) {
    auto h2 = [&](const Real& eta) {
      const xu2025tmlr_growing<Real> g = xu2025tmlr_growing_of<Real>(k, L0, eta);
      return -expm1(-sqrt(eta)) * g.one_minus_Delta_prime - 4 * k.K * L0 * eta * eta;
    };
    const Real step = exp(log(Real(2)) / 8);
    Real prev = U / pow(Real(2), Real(60));
    if (!(h2(prev) > 0)) {
      r.root2 = Real(0);  // h is not positive even at U 2^-60: the root is not resolved, and eta_max is reported as 0
    } else {
      for (int j = 479; j >= 0; --j) {
        const Real eta = j == 0 ? U : Real(prev * step);
        if (!(h2(eta) > 0)) {
          r.root2 = detail::increasing_root<Real>([&](const Real& e) { return -h2(e); }, prev, eta);
          break;
        }
        prev = eta;
      }
    }
  }
  r.eta_max = r.root1;
  if (r.root2 < r.eta_max) r.eta_max = r.root2;
  if (r.alpha_term < r.eta_max) r.eta_max = r.alpha_term;
  return r;
}

}  // namespace loraflow
