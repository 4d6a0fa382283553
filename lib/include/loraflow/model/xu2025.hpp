// loraflow/model/xu2025.hpp: the problem generator of Xu et al. (AISTATS 2025, Section 5.1 and Appendix H.1) and
// the spectral basis it is built on.
//
//   Y_pre (m x n) with i.i.d. N(0,1) entries, Y_pre = U_Y Sigma V_Y^T (k = min(m, n)),
//   G (h x h) Haar-orthogonal,  W2 = c U_Y Sigma^(1/2) G[:, :k]^T,  W1 = (1/c) G[:, :k] Sigma^(1/2) V_Y^T,
//   so W2 W1 = Y_pre, Assumption 2.1 holds and delta_w = 1/c^2 in every direction;
//   dY = sum_j sigma_j u_{p_j} v_{p_j}^T on chosen singular pairs p_j (Assumption 2.2).
// The Gaussian draws are made in double (random.hpp) and converted exactly, so every scalar type sees the same
// Y_pre and the same pre-orthogonalised G; the SVD and QR are then done at working precision.
#pragma once

#include <loraflow/linalg.hpp>
#include <loraflow/model/lora.hpp>
#include <loraflow/random.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace loraflow {

/// The singular frame of an aligned problem (Assumptions 2.1-2.2): Y_pre = U diag(s) V^T and the columns of G
/// paired with them, W1 v_i = sigma_W1_i g_i, W2 g_i = sigma_W2_i u_i. Needed by the spectral initialization and
/// by the per-direction reductions of Theorem 4.1.
template <class Real> struct spectral_basis {
  matrix<Real> U;  ///< m x k left singular vectors of Y_pre
  vector<Real> s;  ///< k singular values of Y_pre, descending
  matrix<Real> V;  ///< n x k right singular vectors of Y_pre
  matrix<Real> G;  ///< h x k, column i = W1 v_i / ||W1 v_i||
};

/// One rank-one piece of dY: sigma * u_pair v_pair^T, pair counted from 0 = top singular pair of Y_pre.
template <class Real> struct dy_component {
  Eigen::Index pair = 0;
  Real sigma = Real(5);
};

template <class Real> struct xu2025_spec {
  Eigen::Index m = 10, n = 10, h = 100;
  Real c = Real(105) / 100;  ///< the scale: W2 = c (...), W1 = (1/c)(...), delta_w = 1/c^2
  std::vector<dy_component<Real>> dy{dy_component<Real>{}};
  std::uint64_t seed = 0;
};

template <class Real> struct generated_problem {
  matrix<Real> Y_pre;
  matrix<Real> W1, W2, dY;
  spectral_basis<Real> basis;
  matrix<Real> G_full;  ///< the h x h Haar matrix
};

template <class Real> generated_problem<Real> generate_xu2025(const xu2025_spec<Real>& spec) {
  using std::sqrt;
  if (spec.m < 1 || spec.n < 1 || spec.h < 1) throw std::invalid_argument("generate_xu2025: dimensions must be >= 1");
  const Eigen::Index k = std::min(spec.m, spec.n);
  if (spec.h < k)
    throw std::invalid_argument("generate_xu2025: h = " + std::to_string(spec.h) + " must be >= min(m, n) = " +
                                std::to_string(k) + " for W2 W1 = Y_pre");
  if (!(spec.c > 0)) throw std::invalid_argument("generate_xu2025: scale c must be > 0");
  generated_problem<Real> g;
  gaussian_stream ys(spec.seed, streams::y_pre), gs(spec.seed, streams::haar_g);
  g.Y_pre = ys.normal_matrix<Real>(spec.m, spec.n);
  const linalg::svd_result<Real> f = linalg::svd<Real>(g.Y_pre);
  g.G_full = linalg::householder_q<Real>(gs.normal_matrix<Real>(spec.h, spec.h));
  vector<Real> root(k);
  for (Eigen::Index i = 0; i < k; ++i) root(i) = sqrt(f.s(i));
  const matrix<Real> Gk = g.G_full.leftCols(k);
  g.W2 = spec.c * (f.U * root.asDiagonal() * Gk.transpose());
  g.W1 = (Gk * root.asDiagonal() * f.V.transpose()) / spec.c;
  g.dY = matrix<Real>::Zero(spec.m, spec.n);
  for (const auto& d : spec.dy) {
    if (d.pair < 0 || d.pair >= k)
      throw std::invalid_argument("generate_xu2025: singular pair " + std::to_string(d.pair) + " out of range 0.." +
                                  std::to_string(k - 1));
    g.dY += d.sigma * (f.U.col(d.pair) * f.V.col(d.pair).transpose());
  }
  g.basis = spectral_basis<Real>{f.U, f.s, f.V, Gk};
  return g;
}

/// The spectral basis of a given aligned problem, computed from the SVD of Y_pre = W2 W1 at working precision.
/// Columns of G with W1 v_i = 0 are left zero (no direction to pair with).
template <class Real> spectral_basis<Real> spectral_basis_of(const matrix<Real>& W1, const matrix<Real>& W2) {
  using std::sqrt;
  const matrix<Real> Y_pre = W2 * W1;
  const linalg::svd_result<Real> f = linalg::svd<Real>(Y_pre);
  spectral_basis<Real> b{f.U, f.s, f.V, matrix<Real>::Zero(W1.rows(), f.s.size())};
  for (Eigen::Index i = 0; i < f.s.size(); ++i) {
    const vector<Real> w = W1 * f.V.col(i);
    const Real nw = sqrt(squared_norm(w));
    if (nw > 0) b.G.col(i) = w / nw;
  }
  return b;
}

#define LORAFLOW_INST_XU2025(EXT, T)                                                    \
  EXT template generated_problem<T> generate_xu2025<T>(const xu2025_spec<T>&);            \
  EXT template spectral_basis<T> spectral_basis_of<T>(const matrix<T>&, const matrix<T>&);
#ifndef LORAFLOW_NO_EXTERN_TEMPLATES
LORAFLOW_EXTERN_ALL(LORAFLOW_INST_XU2025)
#endif

}  // namespace loraflow
