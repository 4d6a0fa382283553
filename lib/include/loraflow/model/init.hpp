// loraflow/model/init.hpp: adapter initializations.
//
// small    : LoRA's initialization (Hu et al.; Xu et al. Section 2): A_i entries i.i.d. N(0, alpha^2), B_i = 0.
// spectral : Xu et al. Section 4 (recipe of shared/theory 1.2): with S the indices of dY's nonzero singular values
//            in the basis of Y_pre, padded to r with the largest remaining ones,
//            A1 = G11 diag(a) V_Y[:, S]^T,  A2 = G21 diag(a') G[:, S]^T,  B1 = B2 = 0,  a, a' ~ N(0, alpha^2 I_r),
//            G11, G21 Haar r x r. Padding uses columns of V_Y and G (not an arbitrary complement) so the decoupled
//            diagonal structure is exact.
// given    : user matrices (model::pack checks their shapes).
// Draws come from gaussian_stream(seed, streams::adapters / spectral_rotation) in double and are scaled by alpha at
// working precision: every scalar type starts from the same numbers.
#pragma once

#include <loraflow/linalg.hpp>
#include <loraflow/model/lora.hpp>
#include <loraflow/model/xu2025.hpp>
#include <loraflow/random.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace loraflow {

template <class Real> vector<Real> small_init(const lora_model<Real>& model, const Real& alpha, std::uint64_t seed) {
  if (!(alpha > 0)) throw std::invalid_argument("small_init: alpha must be > 0");
  gaussian_stream g(seed, streams::adapters);
  const Eigen::Index r = model.r(), n = model.n(), h = model.h(), m = model.m();
  const matrix<Real> A1 = alpha * g.normal_matrix<Real>(r, n);
  const matrix<Real> A2 = alpha * g.normal_matrix<Real>(r, h);
  return model.pack(A1, matrix<Real>::Zero(h, r), A2, matrix<Real>::Zero(m, r));
}

/// The index set S of the spectral initialization: the pairs i with u_i^T dY v_i != 0 (relative to ||dY||), padded
/// to r entries with the largest remaining singular values. Throws if dY needs more than r directions.
template <class Real> std::vector<Eigen::Index> spectral_indices(const spectral_basis<Real>& b, const matrix<Real>& dY,
                                                                 Eigen::Index r) {
  using std::abs;
  using std::sqrt;
  const Eigen::Index k = b.s.size();
  const Real scale = sqrt(squared_norm(dY));
  std::vector<Eigen::Index> S;
  for (Eigen::Index i = 0; i < k; ++i) {
    const Real d = b.U.col(i).dot(dY * b.V.col(i));
    if (abs(d) > 64 * eps<Real>() * scale) S.push_back(i);
  }
  if (static_cast<Eigen::Index>(S.size()) > r)
    throw std::invalid_argument("spectral init: rank(dY) = " + std::to_string(S.size()) + " exceeds the LoRA rank " +
                                std::to_string(r) + " (Theorem 4.1 needs r >= rank(dY))");
  for (Eigen::Index i = 0; i < k && static_cast<Eigen::Index>(S.size()) < r; ++i)
    if (std::find(S.begin(), S.end(), i) == S.end()) S.push_back(i);
  if (static_cast<Eigen::Index>(S.size()) < r)
    throw std::invalid_argument("spectral init: rank " + std::to_string(r) + " exceeds min(m, n) = " +
                                std::to_string(k));
  return S;
}

/// Spectral initialization. G11 and G21 (returned through the pointers if given) are Haar-random r x r.
template <class Real>
vector<Real> spectral_init(const lora_model<Real>& model, const spectral_basis<Real>& b, const Real& alpha,
                           std::uint64_t seed, matrix<Real>* G11_out = nullptr, matrix<Real>* G21_out = nullptr,
                           std::vector<Eigen::Index>* S_out = nullptr) {
  if (!(alpha > 0)) throw std::invalid_argument("spectral_init: alpha must be > 0");
  const Eigen::Index r = model.r(), n = model.n(), h = model.h(), m = model.m();
  const std::vector<Eigen::Index> S = spectral_indices(b, model.problem().dY, r);
  gaussian_stream g(seed, streams::adapters), rot(seed, streams::spectral_rotation);
  const vector<Real> a1 = alpha * g.normal_matrix<Real>(r, 1).col(0);
  const vector<Real> a2 = alpha * g.normal_matrix<Real>(r, 1).col(0);
  const matrix<Real> G11 = linalg::householder_q<Real>(rot.normal_matrix<Real>(r, r));
  const matrix<Real> G21 = linalg::householder_q<Real>(rot.normal_matrix<Real>(r, r));
  matrix<Real> VS(n, r), GS(h, r);
  for (Eigen::Index j = 0; j < r; ++j) {
    VS.col(j) = b.V.col(S[static_cast<std::size_t>(j)]);
    GS.col(j) = b.G.col(S[static_cast<std::size_t>(j)]);
  }
  const matrix<Real> A1 = G11 * a1.asDiagonal() * VS.transpose();
  const matrix<Real> A2 = G21 * a2.asDiagonal() * GS.transpose();
  if (G11_out) *G11_out = G11;
  if (G21_out) *G21_out = G21;
  if (S_out) *S_out = S;
  return model.pack(A1, matrix<Real>::Zero(h, r), A2, matrix<Real>::Zero(m, r));
}

#define LORAFLOW_INST_INIT(EXT, T)                                                                          \
  EXT template vector<T> small_init<T>(const lora_model<T>&, const T&, std::uint64_t);                        \
  EXT template std::vector<Eigen::Index> spectral_indices<T>(const spectral_basis<T>&, const matrix<T>&,      \
                                                             Eigen::Index);                                   \
  EXT template vector<T> spectral_init<T>(const lora_model<T>&, const spectral_basis<T>&, const T&,           \
                                          std::uint64_t, matrix<T>*, matrix<T>*, std::vector<Eigen::Index>*);
#ifndef LORAFLOW_NO_EXTERN_TEMPLATES
LORAFLOW_EXTERN_ALL(LORAFLOW_INST_INIT)
#endif

}  // namespace loraflow
