// validation/min2021/linear_net.hpp: quantities of Min, Tarmoun, Vidal, Mallada (ICML 2021) shared by the min2021
// claims: the imbalance constant c of Theorem 1 (two ways), and the one-sided binomial test of the frequency rows
// (a statement "with probability >= 1 - delta" checked on n draws).
#pragma once

#include <loraflow/random.hpp>
#include <loraflow/scalar.hpp>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/SVD>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace loraflow::check::min2021 {

/// The App. A.2 data recipe at any size: X ~ N(0, 1/D) (N x D), Theta ~ N(0, I/D) (D x m), Y = X Theta + 0.01 eps,
/// drawn in that order from gaussian_stream(seed, streams::data); the full SVD X = W [S 0] [Phi1 Phi2]^T
/// (Phi1: the first N right singular vectors, X of full row rank N < D).
struct a2_data {
  matrix<double> X, Y, W, Phi1, Phi2;
  Eigen::VectorXd sx;  ///< singular values of X, decreasing
};
inline a2_data make_a2_data(std::uint64_t seed, Eigen::Index N, Eigen::Index D, Eigen::Index m) {
  a2_data d;
  gaussian_stream data(seed, streams::data);
  d.X = data.normal_matrix<double>(N, D) / std::sqrt(double(D));
  const matrix<double> Theta = data.normal_matrix<double>(D, m) / std::sqrt(double(D));
  d.Y = d.X * Theta + 0.01 * data.normal_matrix<double>(N, m);
  const Eigen::JacobiSVD<matrix<double>> svd(d.X, Eigen::ComputeFullU | Eigen::ComputeFullV);
  d.sx = svd.singularValues();
  d.W = svd.matrixU();
  d.Phi1 = svd.matrixV().leftCols(N);
  d.Phi2 = svd.matrixV().rightCols(D - N);
  return d;
}

/// c = [lambda_r(Lambda)]_+ + [lambda_m(-Lambda)]_+ from the h x h imbalance Lambda = U1^T U1 - V^T V (U1: r x h,
/// V: m x h), each term 0 when undefined (h < r or h < m). Eigenvalues of Lambda in decreasing order (Thm 1, eq. 10).
inline double imbalance_c(const matrix<double>& U1, const matrix<double>& V, Eigen::Index r) {
  const Eigen::Index h = V.cols(), m = V.rows();
  const matrix<double> Lambda = U1.transpose() * U1 - V.transpose() * V;
  // Eigenvalues in ascending order.
  const Eigen::VectorXd ev = Eigen::SelfAdjointEigenSolver<matrix<double>>(Lambda, Eigen::EigenvaluesOnly).eigenvalues();
  const double lr = h >= r ? ev(h - r) : 0.0, lm = h >= m ? -ev(m - 1) : 0.0;
  return std::max(lr, 0.0) + std::max(lm, 0.0);
}

/// The same c through the k x k problem (k = r + m; for wide networks, h >= r + m and Z = [U1; V] of full row
/// rank): the nonzero eigenvalues of Lambda = Z^T J Z, J = diag(I_r, -I_m), are those of L^T J L with Z Z^T = L L^T,
/// r positive and m negative, so c = (smallest positive) - (largest negative) = ev(m) - ev(m - 1) ascending.
inline double imbalance_c_wide(const matrix<double>& U1, const matrix<double>& V) {
  const Eigen::Index r = U1.rows(), m = V.rows(), k = r + m;
  matrix<double> Z(k, U1.cols());
  Z << U1, V;
  const matrix<double> L = Eigen::LLT<matrix<double>>(Z * Z.transpose()).matrixL();
  matrix<double> J = matrix<double>::Identity(k, k);
  J.bottomRightCorner(m, m) *= -1;
  const Eigen::VectorXd ev =
      Eigen::SelfAdjointEigenSolver<matrix<double>>(L.transpose() * J * L, Eigen::EigenvaluesOnly).eigenvalues();
  return ev(m) - ev(m - 1);
}

/// One-sided binomial test: P(X >= k) for X ~ Bin(n, q), summed in log space. A frequency row passes when the
/// observed number of failures k out of n is consistent with a failure probability <= q at binom_level.
inline double binomial_upper_tail(int k, int n, double q) {
  if (k <= 0) return 1;
  double p = 0;
  for (int j = k; j <= n; ++j)
    p += std::exp(std::lgamma(n + 1.0) - std::lgamma(j + 1.0) - std::lgamma(n - j + 1.0) + j * std::log(q) +
                  (n - j) * std::log1p(-q));
  return std::min(p, 1.0);
}
constexpr double binom_level = 0.00135;  ///< one-sided 3 sigma, the level of every fitted test in validation/

}  // namespace loraflow::check::min2021
