// loraflow/model/xu2023.hpp: the two-layer linear network of Xu, Min, Tarmoun, Mallada, Vidal (AISTATS 2023, "P3":
// linear convergence of gradient descent for finite-width linear networks with general initialization), its
// experiments' problems (and those of the same authors' TMLR 2025 paper, "P4") and the constants its GD theorems
// are stated in (catalogue ../shared/theory/
// xu2025-and-linear-nets.md section 6; every formula below is the catalogue's transcription of the paper).
//
// Setting: L(W1, W2) = 1/2 ||Y - X W1 W2||_F^2, X (N x n) of rank N <= n, W1 (n x h), W2 (h x m), h >= min(n, m).
// As a factorization_model (model/factorization.hpp): U = W1, V = W2^T. K = sigma_max(X)^2, mu = sigma_min(X)^2,
// kappa = K / mu; tau(G) = G W2^T W2 + W1 W1^T G, whose eigenvalues are lambda_i(W1 W1^T) + lambda_j(W2^T W2)
// (a Kronecker sum), so lambda_min(tau) = lambda_min(W1 W1^T) + lambda_min(W2^T W2), likewise lambda_max;
// D = W1^T W1 - W2 W2^T (h x h), conserved by gradient flow, not by GD.
// Table 2:  p1 = max{sigma_min(Y) - ||E(0)||_F, 0} / sigma_max(X),  p2 = (||Y||_F + ||E(0)||_F) / sigma_min(X),
//   Delta+ = [lambda_max(D0)]+ - [lambda_n(D0)]+,  Delta- = [lambda_max(-D0)]+ - [lambda_m(-D0)]+,
//   Delta = [lambda_n(D0)]+ + [lambda_m(-D0)]+,  lambda+ = [lambda_max(D0)]+,  lambda- = [lambda_max(-D0)]+,
//   alpha0 = (-Delta+ + sqrt((Delta+ + Delta)^2 + 4 p1^2))/2 + (-Delta- + sqrt((Delta- + Delta)^2 + 4 p1^2))/2,
//   beta0 = (lambda+ + sqrt(lambda+^2 + 4 p2^2))/2 + (lambda- + sqrt(lambda-^2 + 4 p2^2))/2
//   (lambda_k: the k-th largest eigenvalue; E(0) = Y - X W1(0) W2(0)).
// Theorem 3.1's coefficients (c1 < 1 < c2): a1 = 2 c1 alpha0 sigma_min(X)^2,
//   a2(t) = 2 sqrt(2 kappa L(t) sigma_min^6) p2 + kappa sigma_min^4 (c2 beta0)^2,
//   a3(t) = 2 sqrt(2 kappa^3 L(t) sigma_min^10) c2 beta0 p2,   a4(t) = 2 kappa^2 sigma_min^6 p2^2 L(t)
//   (sigma_min = sigma_min(X)); eta_max = min(eta1, eta2), the unique positive roots of
//   a4(0) eta^3 + a3(0) eta^2 + (a2(0) + 4 c2 L(0) K / (c2 - 1)) eta = a1,
//   a4(0) eta^3 + a3(0) eta^2 + (a2(0) + 8 c2 beta0 L(0) K / ((1 - c1) alpha0)) eta = a1
//   (each left side increases from 0 with eta > 0, so the root is unique and bisection finds it).
// Theorem 3.2: L(t+1) <= f(eta, t) L(t), f(eta, t) = 1 - a1 eta + a2(t) eta^2 + a3(t) eta^3 + a4(t) eta^4.
// Algorithm 1 / Claim 3.1: eta_t = min(eta_t', eta_max), eta_t' the positive root of
//   -a1 + 2 a2(t) eta + 3 a3(t) eta^2 + 4 a4(t) eta^3 = 0 (the minimiser of f(., t)).
// D's spectrum: D = G^T J G with G = [W1; W2^T] ((n + m) x h) and J = diag(I_n, -I_m), so its nonzero eigenvalues
// are those of S^(1/2) J S^(1/2), S = G G^T ((n + m) x (n + m)), and the other h - (n + m) are 0: an
// (n + m)-sized problem whatever the width h.
#pragma once

#include <loraflow/linalg.hpp>
#include <loraflow/model/factorization.hpp>
#include <loraflow/random.hpp>
#include <loraflow/scalar.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace loraflow {

/// The sizes of the papers' experiments (catalogue 6 and 7), the defaults of the generators below and of the network
/// recipes of a config (run/config.cpp): P3 Figs. 1 and 2 use n = 20 and width h = 1000; P4 Section 4 uses n = 10
/// (and h in {500, 1000, 4000}; 1000 by default). Fig. 2's noise: App. F's 0.05 (the text says 0.01); P4's sigma^2
/// default: 0.01.
inline constexpr long xu2023_paper_n = 20, xu2023_paper_h = 1000, xu2025tmlr_paper_n = 10;
inline constexpr const char* xu2023_fig2_noise = "0.05";
inline constexpr const char* xu2025tmlr_noise = "0.01";

/// Why Table 2 (P3) or its P4 counterpart cannot be formed for widths h and sizes n, m: they read lambda_n(D0) and
/// lambda_m(-D0) of the h x h imbalance, which exist only for h >= max(n, m); empty when they can.
inline std::string table2_width_unavailable(Eigen::Index n, Eigen::Index m, Eigen::Index h) {
  if (h >= std::max(n, m)) return {};
  return "Table 2 reads lambda_n(D0) and lambda_m(-D0) of the h x h imbalance D0, which need the width h >= max(n, m) = " +
         std::to_string(std::max(n, m)) + "; h is " + std::to_string(h);
}

/// A P3 problem and its initial state (W1 = U, W2 = V^T of factorization_model).
template <class Real> struct xu2023_instance {
  factorization_problem<Real> problem;
  matrix<Real> W1, W2;  ///< n x h and h x m, the initialization
};

/// Fig. 1 of P3 (catalogue 6): X (20 x 20) and Theta (20 x 20) standard normal, Y = X Theta; W1(0) = s U0,
/// W2(0) = V0 / s with U0 (20 x h), V0 (h x 20) standard normal (the paper: h = 1000, s in {0.1, 2, 10}). Draws in
/// double, from gaussian_stream(seed, streams::data) (X, Theta) and (seed, streams::adapters) (U0, V0).
template <class Real> xu2023_instance<Real> xu2023_fig1(const Real& s, Eigen::Index h = xu2023_paper_h, std::uint64_t seed = 0,
                                                        Eigen::Index n = xu2023_paper_n) {
  gaussian_stream data(seed, streams::data), init(seed, streams::adapters);
  xu2023_instance<Real> r;
  r.problem.X = data.normal_matrix<Real>(n, n);
  const matrix<Real> Theta = data.normal_matrix<Real>(n, n);
  r.problem.Y = r.problem.X * Theta;
  r.problem.width = h;
  r.W1 = s * init.normal_matrix<Real>(n, h);
  r.W2 = init.normal_matrix<Real>(h, n) / s;
  return r;
}

/// Fig. 2 of P3 (catalogue 6): X = I_n (n = 20), W(0) (n x 1) with N(0, 1/4) entries, Y = X W(0) + noise eps
/// (eps standard normal; the text says noise 0.01, App. F 0.05, catalogue 6 [T]), and the balanced init of W(0):
/// W(0) = U S V^T, W1 = U S^(1/2) and W2 = S^(1/2) V^T in the first column / row of width h, zero elsewhere (so
/// D = W1^T W1 - W2 W2^T = 0). Draws from gaussian_stream(seed, streams::data) (W(0), then eps).
template <class Real> xu2023_instance<Real> xu2023_fig2(const Real& noise, Eigen::Index h = xu2023_paper_h, std::uint64_t seed = 0,
                                                        Eigen::Index n = xu2023_paper_n) {
  using std::sqrt;
  gaussian_stream data(seed, streams::data);
  xu2023_instance<Real> r;
  const matrix<Real> W0 = data.normal_matrix<Real>(n, 1) / 2;
  r.problem.X = matrix<Real>::Identity(n, n);
  r.problem.Y = W0 + noise * data.normal_matrix<Real>(n, 1);
  r.problem.width = h;
  const Real s = W0.norm();  // W0 = (W0 / s) * s * 1: U = W0 / s, S = s, V = 1
  r.W1 = matrix<Real>::Zero(n, h);
  r.W2 = matrix<Real>::Zero(h, 1);
  r.W1.col(0) = W0 / s * sqrt(s);
  r.W2(0, 0) = sqrt(s);
  return r;
}

/// The experiments of Xu et al., TMLR 2025 ("P4", catalogue section 7, "Experiments"): X (n x n) Haar-orthogonal,
/// W1(0) (n x h) and P4's W2(0) (m x h, m = n) standard normal, Y = X W1(0) W2(0)^T + noise eps, eps standard
/// normal (the paper writes the noise as sigma^2 in {0.01, 0.1, 1}; n = 10, h in {500, 1000, 4000}; the printed
/// N(0, 1) init is kept, the catalogue notes a 1/h scaling may have been meant). In this header's convention
/// W2 = P4's W2(0)^T (h x m). Draws in double: X's Gaussian, then eps, from (seed, streams::data); W1(0), then P4's
/// W2(0), from (seed, streams::adapters).
template <class Real> xu2023_instance<Real> xu2025tmlr_recipe(const Real& noise, Eigen::Index h = xu2023_paper_h, std::uint64_t seed = 0,
                                                              Eigen::Index n = xu2025tmlr_paper_n) {
  gaussian_stream data(seed, streams::data), init(seed, streams::adapters);
  xu2023_instance<Real> r;
  r.problem.X = linalg::householder_q<Real>(data.normal_matrix<Real>(n, n));
  r.W1 = init.normal_matrix<Real>(n, h);
  r.W2 = matrix<Real>(init.normal_matrix<Real>(n, h).transpose());
  r.problem.Y = r.problem.X * (r.W1 * r.W2) + noise * data.normal_matrix<Real>(n, n);
  r.problem.width = h;
  return r;
}

/// The constants of P3's Table 2 and Theorem 3.1 at an initialization, and the rates and steps built on them.
template <class Real> struct xu2023_constants {
  Real K, mu, kappa, sigma_min_X;           ///< sigma_max(X)^2, sigma_min(X)^2, K / mu, sigma_min(X)
  Real L0;                                  ///< L(0)
  Real p1, p2, alpha0, beta0;               ///< Table 2
  Real lambda_plus, lambda_minus, Delta_plus, Delta_minus, Delta;
  Real c1, c2;                              ///< 0 < c1 < 1 < c2
  Real a1;                                  ///< 2 c1 alpha0 sigma_min(X)^2
  Real eta1, eta2, eta_max;                 ///< Theorem 3.1's roots and their minimum

  /// a2(t), a3(t), a4(t) at loss L.
  Real a2(const Real& L) const {
    using std::sqrt;
    const Real s2 = mu;
    return 2 * sqrt(2 * kappa * L * s2 * s2 * s2) * p2 + kappa * s2 * s2 * (c2 * beta0) * (c2 * beta0);
  }
  Real a3(const Real& L) const {
    using std::sqrt;
    const Real s2 = mu;
    return 2 * sqrt(2 * kappa * kappa * kappa * L * s2 * s2 * s2 * s2 * s2) * c2 * beta0 * p2;
  }
  Real a4(const Real& L) const { return 2 * kappa * kappa * mu * mu * mu * p2 * p2 * L; }
  /// f(eta, t) at loss L (Theorem 3.2).
  Real f(const Real& eta, const Real& L) const {
    return 1 - a1 * eta + a2(L) * eta * eta + a3(L) * eta * eta * eta + a4(L) * eta * eta * eta * eta;
  }
  /// eta_t' of Algorithm 1 at loss L: the positive root of -a1 + 2 a2 eta + 3 a3 eta^2 + 4 a4 eta^3.
  Real adaptive_root(const Real& L) const;
  /// Algorithm 1's step at loss L: min(eta_t', eta_max).
  Real adaptive_step(const Real& L) const { return std::min(adaptive_root(L), eta_max); }
};

namespace detail {
/// A root of p in [lo, hi] with p(lo) < 0 <= p(hi) (p increasing, or any sign change) by bisection to the last bit:
/// the largest value found with p < 0, so never above the root (the roots here are upper limits on a step).
template <class Real, class F> Real increasing_root(F&& p, Real lo, Real hi) {
  for (int it = 0; it < 100000; ++it) {
    const Real mid = (lo + hi) / 2;
    if (!(mid > lo && mid < hi)) break;
    (p(mid) < 0 ? lo : hi) = mid;
  }
  return lo;
}

/// The positive root of p(eta) = c3 eta^3 + c2 eta^2 + c1 eta - c0 (c0 > 0, c1 > 0, c2, c3 >= 0: p increases from
/// -c0), bracketed in [0, c0 / c1 2^j] and found by increasing_root.
template <class Real> Real increasing_cubic_root(const Real& c3, const Real& c2, const Real& c1, const Real& c0) {
  auto p = [&](const Real& e) { return ((c3 * e + c2) * e + c1) * e - c0; };
  Real hi = c0 / c1;  // p(c0 / c1) >= 0
  while (p(hi) < 0) hi *= 2;
  return increasing_root<Real>(p, Real(0), hi);
}
}  // namespace detail

template <class Real> Real xu2023_constants<Real>::adaptive_root(const Real& L) const {
  return detail::increasing_cubic_root<Real>(4 * a4(L), 3 * a3(L), 2 * a2(L), a1);
}

/// The eigenvalues of D = W1^T W1 - W2 W2^T that are not structurally 0 (see the header), descending, and the count
/// h of all of them: the rest are 0.
template <class Real> vector<Real> xu2023_imbalance_spectrum(const matrix<Real>& W1, const matrix<Real>& W2) {
  using std::sqrt;
  const Eigen::Index n = W1.rows(), m = W2.cols();
  matrix<Real> G(n + m, W1.cols());
  G.topRows(n) = W1;
  G.bottomRows(m) = W2.transpose();
  const matrix<Real> S = G * G.transpose();
  const linalg::sym_eig_result<Real> e = linalg::sym_eig<Real>(S);
  vector<Real> root = e.values;
  for (Eigen::Index i = 0; i < root.size(); ++i) root(i) = root(i) > 0 ? Real(sqrt(root(i))) : Real(0);
  const matrix<Real> R = e.vectors * root.asDiagonal() * e.vectors.transpose();  // S^(1/2)
  vector<Real> J = vector<Real>::Ones(n + m);
  J.tail(m).setConstant(Real(-1));
  const matrix<Real> M = R * J.asDiagonal() * R;
  return linalg::sym_eig<Real>(M).values;
}

/// The k-th largest eigenvalue (1-based) of the h x h matrix D whose spectrum is `nz` (the n + m eigenvalues of
/// S^(1/2) J S^(1/2)) completed by h - (n + m) zeros when h > n + m; when h < n + m, n + m - h of those are the
/// structural zeros of the smaller matrix, and the ones nearest 0 are dropped.
template <class Real> Real kth_largest(const vector<Real>& nz, Eigen::Index h, Eigen::Index k) {
  using std::abs;
  std::vector<Real> all(nz.data(), nz.data() + nz.size());
  if (static_cast<Eigen::Index>(all.size()) > h) {
    std::sort(all.begin(), all.end(), [](const Real& a, const Real& b) { return abs(a) < abs(b); });
    all.erase(all.begin(), all.begin() + (static_cast<Eigen::Index>(all.size()) - h));
  }
  for (Eigen::Index i = static_cast<Eigen::Index>(all.size()); i < h; ++i) all.push_back(Real(0));
  std::sort(all.begin(), all.end(), [](const Real& a, const Real& b) { return a > b; });
  if (k < 1 || k > static_cast<Eigen::Index>(all.size())) throw std::invalid_argument("kth_largest: k out of range");
  return all[static_cast<std::size_t>(k - 1)];
}

/// Table 2's constants and Theorem 3.1's step bound for the problem p from (W1, W2), with 0 < c1 < 1 < c2.
/// Throws std::invalid_argument for c1, c2 out of range, or alpha0 = 0 (Theorem 3.1 assumes alpha0 > 0).
template <class Real>
xu2023_constants<Real> xu2023_constants_of(const factorization_problem<Real>& p, const matrix<Real>& W1,
                                           const matrix<Real>& W2, const Real& c1, const Real& c2) {
  using std::max;
  using std::sqrt;
  if (!(c1 > 0 && c1 < 1)) throw std::invalid_argument("xu2023: c1 must be in (0, 1), got " + to_string(c1));
  if (!(c2 > 1)) throw std::invalid_argument("xu2023: c2 must be > 1, got " + to_string(c2));
  const Eigen::Index n = W1.rows(), m = W2.cols(), h = W1.cols();
  if (const std::string why = table2_width_unavailable(n, m, h); !why.empty()) throw std::invalid_argument("xu2023: " + why);
  xu2023_constants<Real> k;
  k.c1 = c1;
  k.c2 = c2;
  const linalg::svd_result<Real> sx = linalg::svd<Real>(p.X);
  const Eigen::Index N = std::min(p.X.rows(), p.X.cols());
  k.sigma_min_X = sx.s(N - 1);
  k.K = sx.s(0) * sx.s(0);
  k.mu = k.sigma_min_X * k.sigma_min_X;
  k.kappa = k.K / k.mu;
  const matrix<Real> E0 = p.Y - p.X * (W1 * W2);
  k.L0 = E0.squaredNorm() / 2;
  const linalg::svd_result<Real> sy = linalg::svd<Real>(p.Y);
  const Real E0n = E0.norm();
  k.p1 = max(Real(sy.s(sy.s.size() - 1) - E0n), Real(0)) / sx.s(0);
  k.p2 = (p.Y.norm() + E0n) / k.sigma_min_X;
  const vector<Real> nz = xu2023_imbalance_spectrum<Real>(W1, W2);
  const vector<Real> neg = -nz;
  auto pos = [](const Real& x) { return x > 0 ? x : Real(0); };
  const Real lmax = kth_largest<Real>(nz, h, 1), ln = kth_largest<Real>(nz, h, n);
  const Real lmax_neg = kth_largest<Real>(neg, h, 1), lm_neg = kth_largest<Real>(neg, h, m);
  k.lambda_plus = pos(lmax);
  k.lambda_minus = pos(lmax_neg);
  k.Delta_plus = pos(lmax) - pos(ln);
  k.Delta_minus = pos(lmax_neg) - pos(lm_neg);
  k.Delta = pos(ln) + pos(lm_neg);
  const Real p1sq4 = 4 * k.p1 * k.p1, p2sq4 = 4 * k.p2 * k.p2;
  k.alpha0 = (-k.Delta_plus + sqrt((k.Delta_plus + k.Delta) * (k.Delta_plus + k.Delta) + p1sq4)) / 2 +
             (-k.Delta_minus + sqrt((k.Delta_minus + k.Delta) * (k.Delta_minus + k.Delta) + p1sq4)) / 2;
  k.beta0 = (k.lambda_plus + sqrt(k.lambda_plus * k.lambda_plus + p2sq4)) / 2 +
            (k.lambda_minus + sqrt(k.lambda_minus * k.lambda_minus + p2sq4)) / 2;
  // alpha0 is a difference of terms of the size of the imbalance's eigenvalues: below 64 eps beta0 it is 0 to rounding.
  if (!(k.alpha0 > 64 * eps<Real>() * k.beta0))
    throw std::invalid_argument("xu2023: alpha0 = " + to_string(k.alpha0) + " is 0 to rounding; Theorem 3.1 needs alpha0 > 0");
  k.a1 = 2 * c1 * k.alpha0 * k.mu;
  const Real a2 = k.a2(k.L0), a3 = k.a3(k.L0), a4 = k.a4(k.L0);
  k.eta1 = detail::increasing_cubic_root<Real>(a4, a3, a2 + 4 * c2 * k.L0 * k.K / (c2 - 1), k.a1);
  k.eta2 = detail::increasing_cubic_root<Real>(a4, a3, a2 + 8 * c2 * k.beta0 * k.L0 * k.K / ((1 - c1) * k.alpha0), k.a1);
  k.eta_max = std::min(k.eta1, k.eta2);
  return k;
}

/// lambda_min and lambda_max of tau(G) = G W2^T W2 + W1 W1^T G (the Kronecker sum), and sigma_min, sigma_max of
/// W = W1 W2, at a state.
template <class Real> struct xu2023_spectra {
  Real tau_min, tau_max, W_min, W_max;
};
template <class Real> xu2023_spectra<Real> xu2023_spectra_of(const matrix<Real>& W1, const matrix<Real>& W2) {
  const linalg::sym_eig_result<Real> a = linalg::sym_eig<Real>(matrix<Real>(W1 * W1.transpose()));
  const linalg::sym_eig_result<Real> b = linalg::sym_eig<Real>(matrix<Real>(W2.transpose() * W2));
  const linalg::svd_result<Real> w = linalg::svd<Real>(matrix<Real>(W1 * W2));
  return {a.values(a.values.size() - 1) + b.values(b.values.size() - 1), a.values(0) + b.values(0),
          w.s(w.s.size() - 1), w.s(0)};
}

}  // namespace loraflow
