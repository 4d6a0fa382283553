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
#pragma once

#include <loraflow/linalg.hpp>
#include <loraflow/model/factorization.hpp>
#include <loraflow/model/xu2023.hpp>
#include <loraflow/scalar.hpp>

#include <cmath>
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

}  // namespace loraflow
