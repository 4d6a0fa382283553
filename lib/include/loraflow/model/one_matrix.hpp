// loraflow/model/one_matrix.hpp: LoRA on one pretrained matrix, the setting of Kim, Kim, Ryu (2025, Sec. 2;
// catalogue ../shared/theory/lora-weight-decay-gd-scaling.md, section 1.1):
//   W0 (m x n) pretrained,  X = s B A (B m x r, A r x n),  minimise f(W0 + X) + lambda/2 (||A||^2 + ||B||^2),
// with f one of the objectives of model/objective.hpp and S the target shift (the quadratic kinds measure X against
// S; logistic uses the teacher W0 + S to label its data).
// As a lora_problem (one_matrix_problem and is_one_matrix, model/lora.hpp): W2 = I_m (so h = m), W1 = W0, dY = S,
// and only the W1 adapter (B1 = B, A1 = A). Then F = s W2 B1 A1 = s B A = X exactly, the regulariser is Kim's, and
// every model, integrator and observer of the two-layer code serves it unchanged. This header adds the seeded
// generator of W0 and S.
// Generator (seeded, the draws made in double and converted exactly, so every scalar type sees the same problem):
//   W0 with i.i.d. N(0, 1/n) entries (stream pretrained);
//   S = U diag(sigma) V^T with U, V the first k = len(sigma) columns of Haar-orthogonal m x m and n x n matrices
//   (stream target), so S has exactly the singular values sigma (to working precision).
#pragma once

#include <loraflow/linalg.hpp>
#include <loraflow/model/lora.hpp>
#include <loraflow/random.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace loraflow {

template <class Real> struct one_matrix_spec {
  Eigen::Index m = 8, n = 8;
  std::vector<Real> sigma{Real(5)};  ///< the singular values of S, k = sigma.size() <= min(m, n)
  std::uint64_t seed = 0;
};

/// W0 and S of the generator (see the file comment).
template <class Real> void generate_one_matrix(const one_matrix_spec<Real>& spec, matrix<Real>& W0, matrix<Real>& S) {
  using std::sqrt;
  const Eigen::Index m = spec.m, n = spec.n, k = static_cast<Eigen::Index>(spec.sigma.size());
  if (m < 1 || n < 1) throw std::invalid_argument("generate_one_matrix: dimensions must be >= 1");
  if (k < 1 || k > std::min(m, n))
    throw std::invalid_argument("generate_one_matrix: " + std::to_string(k) + " singular values for a " +
                                std::to_string(m) + "x" + std::to_string(n) + " target; expected 1.." +
                                std::to_string(std::min(m, n)));
  for (const Real& s : spec.sigma)
    if (!(s > 0)) throw std::invalid_argument("generate_one_matrix: the singular values of S must be > 0");
  gaussian_stream ws(spec.seed, streams::pretrained), ts(spec.seed, streams::target);
  W0 = ws.normal_matrix<Real>(m, n) / sqrt(Real(n));
  const matrix<Real> U = linalg::householder_q<Real>(ts.normal_matrix<Real>(m, m)).leftCols(k);
  const matrix<Real> V = linalg::householder_q<Real>(ts.normal_matrix<Real>(n, n)).leftCols(k);
  vector<Real> s(k);
  for (Eigen::Index i = 0; i < k; ++i) s(i) = spec.sigma[static_cast<std::size_t>(i)];
  S = U * s.asDiagonal() * V.transpose();
}

}  // namespace loraflow
