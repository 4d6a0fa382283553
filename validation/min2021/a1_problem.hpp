// validation/min2021/a1_problem.hpp: the App. A.1 experiment of Min, Tarmoun, Vidal, Mallada (ICML 2021), shared by
// the min2021 claims that run on it (thm1_rate.cpp, thm3_corollaries.cpp).
//   D = 400, N = 100, m = 1, h = 500. X = W Phi1^T from the SVD X0 = W S Phi1^T of a Gaussian X0 (N x D), so every
//   singular value of X is 1 (Sigma_x = I, up to rounding); Y = X Theta + 0.01 eps with Theta ~ N(0, I/D),
//   eps ~ N(0, 1).
//   Adapters: standard normal U0 (D x h), V0 (m x h); the paper's inits are U(0) = sigma_U U0, V(0) = sigma_V V0 with
//   (sigma_U, sigma_V) = (0.1, 0.1), (0.5, 0.02), (0.05, 0.2), and the balanced init with the same product
//   Theta(0) = 0.01 U0 V0^T: U = Theta(0) S^{-1/4} Q, V = S^{1/4} Q, S = Theta(0)^T Phi1 Phi1^T Theta(0), Q Q^T = I.
// Draws: gaussian_stream(seed, streams::data) gives X0, Theta, eps in that order; (seed, streams::adapters) gives
// U0, V0.
#pragma once

#include <loraflow/random.hpp>
#include <loraflow/scalar.hpp>

#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <Eigen/SVD>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace loraflow::check::min2021 {

struct a1_problem {
  Eigen::Index D = 400, N = 100, m = 1, h = 500;
  Eigen::Index r = 100;  ///< rank X: X0 is Gaussian with N < D
  matrix<double> X, Y;   ///< N x D, N x m
  matrix<double> W;      ///< N x N left singular vectors of X (square: X has full row rank, so L* = 0)
  matrix<double> Phi1;   ///< D x r right singular vectors of X
  Eigen::VectorXd sx;    ///< singular values of X, measured (all 1 up to rounding)
  matrix<double> U0, V0;  ///< standard normal adapters, D x h and m x h
  matrix<double> Q;       ///< m x h with orthonormal rows (from the QR of V0^T), for balanced inits
};

inline a1_problem make_a1_problem(std::uint64_t seed = 2021) {
  a1_problem p;
  gaussian_stream data(seed, streams::data);
  const matrix<double> X0 = data.normal_matrix<double>(p.N, p.D);
  const matrix<double> Theta = data.normal_matrix<double>(p.D, p.m) / std::sqrt(double(p.D));
  const matrix<double> noise = data.normal_matrix<double>(p.N, p.m);
  const Eigen::BDCSVD<matrix<double>> svd0(X0, Eigen::ComputeThinU | Eigen::ComputeThinV);
  p.W = svd0.matrixU();
  p.Phi1 = svd0.matrixV();
  p.X = p.W * p.Phi1.transpose();
  p.Y = p.X * Theta + 0.01 * noise;
  p.sx = Eigen::JacobiSVD<matrix<double>>(p.X).singularValues();
  gaussian_stream adapters(seed, streams::adapters);
  p.U0 = adapters.normal_matrix<double>(p.D, p.h);
  p.V0 = adapters.normal_matrix<double>(p.m, p.h);
  p.Q = (Eigen::HouseholderQR<matrix<double>>(p.V0.transpose()).householderQ() * matrix<double>::Identity(p.h, p.m))
            .transpose();
  return p;
}

struct a1_init {
  std::string name;
  matrix<double> U, V;
  std::string paper_c;  ///< the A.1 legend's c (a different random draw), or empty
};

/// The balanced factorization of a product Theta0 (D x m): U = Theta0 S^{-1/4} Q, V = S^{1/4} Q with
/// S = Theta0^T Phi1 Phi1^T Theta0, so U1^T U1 = V^T V (U1 = Phi1^T U) up to rounding. S must be invertible.
inline a1_init balanced_init(const a1_problem& p, const matrix<double>& Theta0, const std::string& name) {
  const matrix<double> S = Theta0.transpose() * p.Phi1 * p.Phi1.transpose() * Theta0;
  const Eigen::SelfAdjointEigenSolver<matrix<double>> es(S);
  const matrix<double> P = es.eigenvectors();
  const matrix<double> S_quarter = P * es.eigenvalues().array().pow(0.25).matrix().asDiagonal() * P.transpose();
  const matrix<double> S_inv_quarter = P * es.eigenvalues().array().pow(-0.25).matrix().asDiagonal() * P.transpose();
  return {name, Theta0 * S_inv_quarter * p.Q, S_quarter * p.Q, ""};
}

/// The four inits of App. A.1: three scalings of (U0, V0) with sigma_U sigma_V = 0.01, and the balanced one.
inline std::vector<a1_init> a1_inits(const a1_problem& p) {
  std::vector<a1_init> out{{"(0.1, 0.1)", 0.1 * p.U0, 0.1 * p.V0, "6.02"},
                           {"(0.5, 0.02)", 0.5 * p.U0, 0.02 * p.V0, "39.6"},
                           {"(0.05, 0.2)", 0.05 * p.U0, 0.2 * p.V0, "20.1"}};
  out.push_back(balanced_init(p, 0.01 * p.U0 * p.V0.transpose(), "balanced"));
  return out;
}

}  // namespace loraflow::check::min2021
