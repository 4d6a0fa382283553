// loraflow/model/singular_frame.hpp: an aligned problem (Assumptions 2.1-2.2) integrated in its singular-vector
// frame, where W1, W2 and dY are diagonal and the small components of the adapters keep their own relative digits.
//
// Frame. For the Xu et al. problem, Y_pre = U S V^T, W2 = c U S^(1/2) G_k^T, W1 = (1/c) G_k S^(1/2) V^T and dY =
// sum_j sigma_j u_(p_j) v_(p_j)^T (model/xu2025.hpp). With full orthogonal bases U (m x m), G (h x h), V (n x n),
// the coordinates B1' = G^T B1, A1' = A1 V, B2' = U^T B2, A2' = A2 G turn the problem into
//   W2' = c [diag(s^(1/2)) 0],  W1' = (1/c) [diag(s^(1/2)); 0],  dY' = sum_j sigma_j e_(p_j) e_(p_j)^T,
// which are set exactly from s, c and sigma (never by rotating the rounded W1, W2: their O(eps) off-diagonal noise
// would drive the O(alpha) components). Gradient flow commutes with these rotations, so the frame's state is the
// rotated natural state; lora_model integrates it unchanged.
//
// Split pair. In the frame, row p of B1' and column p of A1' (p = the top dY pair) grow to O(1) together and stay
// balanced: their difference is O(alpha^2), fixed by the conserved C1 = B1^T B1 - A1 A1^T. misalign_1 is
// 1 - cos of the angle between gamma1 = (e_p; e_p)/sqrt2 and the top left singular vector of [B1; A1^T] (computed as
// sin^2 / (1 + cos) from the orthogonal projection, observe/metrics.hpp), so that difference enters it, and as a difference
// of O(1) numbers it would carry their absolute error (rtol and eps), not its own. The state therefore holds
//   s = (b + a)/sqrt2 in row p of B1'   and   d = (b - a)/sqrt2 in column p of A1'   (b = B1'(p,:)^T, a = A1'(:,p)),
// and d's field is written without the cancelling O(1) terms. With N1 = s_ (W2 + s_ B2 A2)^T E (h x n), where
// B1'' = N1 A1^T and A1'' = B1^T N1 (lora.hpp), the terms N1(p,p) a and N1(p,p) b cancel exactly into
//   d' = -N1(p,p) d + (sum_(j != p) N1(p,j) a_j - sum_(l != p) N1(l,p) b_l) / sqrt2 - lambda d,
// whose other terms are products of O(alpha) factors. The W2-side adapter is split the same way on row p of B2' and
// column p of A2', with N2 = s_ E (W1 + s_ B1 A1)^T (m x h). In this state misalign_i is 1 - cos against the
// unit vector e_p of [B_i; A_i^T], formed from the sine, whose components off e_p are state entries, so componentwise relative error
// control certifies it at any alpha the exponent range allows (double: alpha >= 1e-76, where alpha^4 is normal with a factor 100 of margin; run/precision.hpp).
//
// Cost. W1', W2' and dY' are diagonal, so no product with them is formed densely, and F' = L R has rank
// q = r1 + r2 with L = [s W2' B1 | s B2] (m x q) and R = [A1; N2] (q x n), N2 = A2 W1' + s A2 B1 A1. Every product
// of the field with E = dY' - L R is taken through the factors (E A1^T = dY' A1^T - L (R A1^T), and so on), so one
// right-hand side costs O((m + n + h) r q) instead of lora_model's O((m + n) h r + m n r): at m = n = h = 1024, r = 8
// about 1.6e6 multiply-adds instead of 8.4e7. Digits: the factored products carry the same absolute rounding as the
// dense E (whose entries are differences dY - F with the rounding of F), and a row or column of E that is small is
// a small row of L or column of R, so it keeps its relative digits; the tests compare this field with the rotated
// natural field in every scalar type. The metrics (observe/frame_observer.hpp) form F = L R from the same factors,
// once per observation (unsplit_loss).
// No allocation after construction. One object per thread.
#pragma once

#include <loraflow/linalg.hpp>
#include <loraflow/model/lora.hpp>
#include <loraflow/model/xu2025.hpp>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace loraflow {

/// Full orthogonal bases of the frame (natural = basis * frame) and the problem written in it.
template <class Real> struct singular_frame {
  matrix<Real> U;  ///< m x m
  matrix<Real> G;  ///< h x h
  matrix<Real> V;  ///< n x n
  lora_problem<Real> problem;  ///< W1', W2', dY' diagonal, set exactly; rank, adapters, scale, decay as the natural one
  Eigen::Index pair = 0;       ///< the top dY pair p (largest sigma): the split row/column of each adapter
};

namespace detail {
/// Completes orthonormal columns Q (rows x k) to a rows x rows orthogonal matrix whose first k columns are Q.
template <class Real> matrix<Real> complete_basis(const matrix<Real>& Q) {
  if (Q.cols() == Q.rows()) return Q;
  matrix<Real> full = linalg::householder_q<Real>(Q);
  full.leftCols(Q.cols()) = Q;
  return full;
}
}  // namespace detail

/// The frame of a generated Xu et al. problem. natural supplies rank, adapters, scale and weight decay.
template <class Real>
singular_frame<Real> xu2025_frame(const generated_problem<Real>& g, const xu2025_spec<Real>& spec,
                                  const lora_problem<Real>& natural) {
  using std::sqrt;
  singular_frame<Real> f;
  const Eigen::Index m = g.W2.rows(), n = g.W1.cols(), h = g.W1.rows(), k = g.basis.s.size();
  f.U = detail::complete_basis<Real>(g.basis.U);
  f.V = detail::complete_basis<Real>(g.basis.V);
  f.G = g.G_full;
  f.problem = natural;
  f.problem.W1 = matrix<Real>::Zero(h, n);
  f.problem.W2 = matrix<Real>::Zero(m, h);
  f.problem.dY = matrix<Real>::Zero(m, n);
  for (Eigen::Index i = 0; i < k; ++i) {
    const Real root = sqrt(g.basis.s(i));
    f.problem.W2(i, i) = spec.c * root;
    f.problem.W1(i, i) = root / spec.c;
  }
  if (spec.dy.empty()) throw std::invalid_argument("xu2025_frame: dY has no component");
  Real top(-1);
  for (const auto& d : spec.dy) {
    f.problem.dY(d.pair, d.pair) += d.sigma;
    if (d.sigma > top) {
      top = d.sigma;
      f.pair = d.pair;
    }
  }
  return f;
}

/// The gradient flow of lora_model in the frame, with the top pair of each adapter held as (s, d). State layout
/// as lora_model's (lora.hpp), with s in row p of B_i and d in column p of A_i.
template <class Real> class frame_model {
 public:
  explicit frame_model(singular_frame<Real> f);

  const singular_frame<Real>& frame() const { return m_f; }
  /// The frame's lora_model (its field is the unsplit frame field; metrics are taken with it).
  const lora_model<Real>& model() const { return m_model; }
  Eigen::Index dimension() const { return m_model.dimension(); }

  /// Natural state -> frame state (rotated and split).
  vector<Real> to_frame(const vector<Real>& x) const;
  /// Frame state -> natural state.
  vector<Real> to_natural(const vector<Real>& xf) const;
  /// Frame state -> the rotated, unsplit state (b and a back in their places), into out.
  void unsplit(const vector<Real>& xf, vector<Real>& out) const;

  void operator()(const vector<Real>& xf, vector<Real>& dxdt, const Real& /*t*/) const { field(xf, dxdt); }
  /// The field in frame coordinates, d's entries free of cancellation. Allocation-free after construction.
  void field(const vector<Real>& xf, vector<Real>& dxdt) const;

  /// What an observer needs from a frame state without forming the dense products with W1', W2': the unsplit state
  /// (returned; valid until the next call), ||F||_F with F = L R from the factors, and the loss from E = dY' - F (plus
  /// weight decay). observe/frame_observer.hpp turns these into metrics.
  const vector<Real>& unsplit_loss(const vector<Real>& xf, Real& F_norm, Real& loss) const;

 private:
  // (b, a) <-> (s, d) on the top pair of both adapters, in place: b, a -> (b + a)/sqrt2, (b - a)/sqrt2; the map is
  // its own inverse.
  void butterfly(vector<Real>& x) const;
  // F = L R on the unsplit state m_x: fills m_W2B1, m_A2B1, m_N2, m_L = [s W2'B1 | s B2], m_R = [A1; N2].
  void factors() const;

  singular_frame<Real> m_f;
  lora_model<Real> m_model;
  Real m_inv_root2;
  Eigen::Index m_k = 0, m_r1 = 0, m_r2 = 0;
  vector<Real> m_w1, m_w2;                          // the diagonals of W1', W2' (k = min(m, n) entries)
  std::vector<std::pair<Eigen::Index, Real>> m_dy;  // dY' = sum sigma e_i e_i^T: (i, sigma)
  mutable vector<Real> m_x, m_mcol, m_nrow, m_ncol, m_tmp_r, m_tmp_r2, m_tmp_n, m_tmp_q, m_Ecol, m_Erow;
  mutable matrix<Real> m_W2B1, m_A2B1, m_N2, m_M1, m_L, m_R, m_RAt, m_EAt, m_B2tEAt, m_M1tL, m_RN2t, m_B2tL, m_B2tE;
};

template <class Real>
frame_model<Real>::frame_model(singular_frame<Real> f) : m_f(std::move(f)), m_model(m_f.problem) {
  using std::sqrt;
  const Eigen::Index m = m_model.m(), n = m_model.n(), h = m_model.h(), r = m_model.r();
  if (m_f.U.rows() != m || m_f.U.cols() != m || m_f.G.rows() != h || m_f.G.cols() != h || m_f.V.rows() != n ||
      m_f.V.cols() != n)
    throw std::invalid_argument("frame_model: the bases must be m x m, h x h and n x n");
  if (m_f.pair < 0 || m_f.pair >= std::min({m, n, h}))
    throw std::invalid_argument("frame_model: pair " + std::to_string(m_f.pair) + " out of range");
  m_inv_root2 = 1 / sqrt(Real(2));
  // The diagonal structure the field relies on, read off the frame problem (which xu2025_frame sets exactly).
  const lora_problem<Real>& pr = m_f.problem;
  m_k = std::min(m, n);
  m_w1.resize(m_k);
  m_w2.resize(m_k);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < h; ++i)
      if (i != j && pr.W1(i, j) != 0) throw std::invalid_argument("frame_model: W1' is not diagonal");
  for (Eigen::Index j = 0; j < h; ++j)
    for (Eigen::Index i = 0; i < m; ++i)
      if (i != j && pr.W2(i, j) != 0) throw std::invalid_argument("frame_model: W2' is not diagonal");
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < m; ++i) {
      if (i != j && pr.dY(i, j) != 0) throw std::invalid_argument("frame_model: dY' is not diagonal");
      if (i == j && pr.dY(i, i) != 0) m_dy.emplace_back(i, pr.dY(i, i));
    }
  for (Eigen::Index i = 0; i < m_k; ++i) {
    m_w1(i) = pr.W1(i, i);
    m_w2(i) = pr.W2(i, i);
  }
  m_r1 = pr.adapt_W1 ? r : 0;
  m_r2 = pr.adapt_W2 ? r : 0;
  const Eigen::Index q = m_r1 + m_r2;
  m_x.resize(m_model.dimension());
  m_mcol.resize(m);
  m_nrow.resize(std::max(n, h));
  m_ncol.resize(std::max(h, m));
  m_tmp_r.resize(r);
  m_tmp_r2.resize(r);
  m_tmp_n.resize(n);
  m_tmp_q.resize(q);
  m_Ecol.resize(m);
  m_Erow.resize(n);
  m_W2B1.resize(m, m_r1);
  m_A2B1.resize(m_r2, m_r1);
  m_N2.resize(m_r2, n);
  m_M1.resize(m, m_r1);
  m_L.resize(m, q);
  m_R.resize(q, n);
  m_RAt.resize(q, m_r1);
  m_EAt.resize(m, m_r1);
  m_B2tEAt.resize(m_r2, m_r1);
  m_M1tL.resize(m_r1, q);
  m_RN2t.resize(q, m_r2);
  m_B2tL.resize(m_r2, q);
  m_B2tE.resize(m_r2, n);
}

template <class Real> void frame_model<Real>::butterfly(vector<Real>& x) const {
  const Eigen::Index p = m_f.pair;
  const lora_problem<Real>& pr = m_f.problem;
  auto swap_pair = [&](auto B, auto A) {
    for (Eigen::Index c = 0; c < B.cols(); ++c) {
      const Real b = B(p, c), a = A(c, p);
      B(p, c) = (b + a) * m_inv_root2;
      A(c, p) = (b - a) * m_inv_root2;
    }
  };
  if (pr.adapt_W1) swap_pair(m_model.B1(x), m_model.A1(x));
  if (pr.adapt_W2) swap_pair(m_model.B2(x), m_model.A2(x));
}

template <class Real> vector<Real> frame_model<Real>::to_frame(const vector<Real>& x) const {
  if (x.size() != m_model.dimension())
    throw std::invalid_argument("frame_model: state has " + std::to_string(x.size()) + " entries; expected " +
                                std::to_string(m_model.dimension()));
  vector<Real> y(x.size());
  const lora_model<Real>& md = m_model;
  if (m_f.problem.adapt_W1) {
    md.A1(y) = md.A1(x) * m_f.V;
    md.B1(y) = m_f.G.transpose() * md.B1(x);
  }
  if (m_f.problem.adapt_W2) {
    md.A2(y) = md.A2(x) * m_f.G;
    md.B2(y) = m_f.U.transpose() * md.B2(x);
  }
  butterfly(y);
  return y;
}

template <class Real> void frame_model<Real>::unsplit(const vector<Real>& xf, vector<Real>& out) const {
  out = xf;
  butterfly(out);
}

template <class Real> vector<Real> frame_model<Real>::to_natural(const vector<Real>& xf) const {
  vector<Real> y, x(xf.size());
  unsplit(xf, y);
  const lora_model<Real>& md = m_model;
  if (m_f.problem.adapt_W1) {
    md.A1(x) = md.A1(y) * m_f.V.transpose();
    md.B1(x) = m_f.G * md.B1(y);
  }
  if (m_f.problem.adapt_W2) {
    md.A2(x) = md.A2(y) * m_f.G.transpose();
    md.B2(x) = m_f.U * md.B2(y);
  }
  return x;
}

template <class Real> void frame_model<Real>::factors() const {
  const lora_model<Real>& md = m_model;
  const Real& s = m_f.problem.scale;
  const Eigen::Index k = m_k, r1 = m_r1, r2 = m_r2;
  const auto A1 = md.A1(static_cast<const vector<Real>&>(m_x));
  const auto B1 = md.B1(static_cast<const vector<Real>&>(m_x));
  const auto A2 = md.A2(static_cast<const vector<Real>&>(m_x));
  const auto B2 = md.B2(static_cast<const vector<Real>&>(m_x));
  // F = L R: L = [s W2'B1 | s B2], R = [A1; N2], N2 = A2 W1' + s (A2 B1) A1.
  if (r1) {
    m_W2B1.setZero();
    for (Eigen::Index i = 0; i < k; ++i) m_W2B1.row(i) = m_w2(i) * B1.row(i);
    m_L.leftCols(r1) = s * m_W2B1;
    m_R.topRows(r1) = A1;
  }
  if (r2) {
    m_N2.setZero();
    for (Eigen::Index j = 0; j < k; ++j) m_N2.col(j) = m_w1(j) * A2.col(j);
    if (r1) {
      detail::product_set(m_A2B1, A2, B1);
      detail::product_add(m_N2, s, m_A2B1, A1);
    }
    m_L.rightCols(r2) = s * B2;
    m_R.bottomRows(r2) = m_N2;
  }
}

template <class Real> void frame_model<Real>::field(const vector<Real>& xf, vector<Real>& dxdt) const {
  const lora_model<Real>& md = m_model;
  const lora_problem<Real>& pr = m_f.problem;
  const Eigen::Index p = m_f.pair, m = md.m(), n = md.n(), h = md.h(), k = m_k, r1 = m_r1, r2 = m_r2;
  const Real& s = pr.scale;
  if (xf.size() != md.dimension())
    throw std::invalid_argument("frame_model: state has " + std::to_string(xf.size()) + " entries; expected " +
                                std::to_string(md.dimension()));
  if (dxdt.size() != md.dimension()) dxdt.resize(md.dimension());
  m_x = xf;
  butterfly(m_x);  // the unsplit frame state
  factors();
  const auto A1 = md.A1(static_cast<const vector<Real>&>(m_x));
  const auto B1 = md.B1(static_cast<const vector<Real>&>(m_x));
  const auto A2 = md.A2(static_cast<const vector<Real>&>(m_x));
  const auto B2 = md.B2(static_cast<const vector<Real>&>(m_x));
  auto dA1 = md.A1(dxdt);
  auto dB1 = md.B1(dxdt);
  auto dA2 = md.A2(dxdt);
  auto dB2 = md.B2(dxdt);

  // E products through the factors: E X = dY' X - L (R X), X^T E = X^T dY' - (X^T L) R.
  if (r1) {
    // EAt = E A1^T;  B1' = s [W2'^T EAt + s A2^T (B2^T EAt)];  A1' = s M1^T E, M1 = W2'B1 + s B2 (A2 B1).
    detail::product_set(m_RAt, m_R, A1.transpose());
    detail::product_set(m_EAt, m_L, m_RAt);
    m_EAt = -m_EAt;
    for (const auto& d : m_dy) m_EAt.row(d.first) += d.second * A1.col(d.first).transpose();
    dB1.setZero();
    for (Eigen::Index i = 0; i < k; ++i) dB1.row(i) = m_w2(i) * m_EAt.row(i);
    m_M1 = m_W2B1;
    if (r2) {
      detail::product_set(m_B2tEAt, B2.transpose(), m_EAt);
      detail::product_add(dB1, s, A2.transpose(), m_B2tEAt);
      detail::product_add(m_M1, s, B2, m_A2B1);
    }
    if (s != 1) dB1 *= s;  // skipped at s = 1, where it is exact (in 50 digits, 880 generic products a field)
    detail::product_set(m_M1tL, m_M1.transpose(), m_L);
    detail::product_set(dA1, m_M1tL, m_R);
    dA1 = -dA1;
    for (const auto& d : m_dy) dA1.col(d.first) += d.second * m_M1.row(d.first).transpose();
    if (s != 1) dA1 *= s;
  }
  if (r2) {
    // B2' = s E N2^T;  A2' = s [(B2^T E) W1'^T + s (B2^T EAt) B1^T].
    detail::product_set(m_RN2t, m_R, m_N2.transpose());
    detail::product_set(dB2, m_L, m_RN2t);
    dB2 = -dB2;
    for (const auto& d : m_dy) dB2.row(d.first) += d.second * m_N2.col(d.first).transpose();
    if (s != 1) dB2 *= s;
    detail::product_set(m_B2tL, B2.transpose(), m_L);
    detail::product_set(m_B2tE, m_B2tL, m_R);
    m_B2tE = -m_B2tE;
    for (const auto& d : m_dy) m_B2tE.col(d.first) += d.second * B2.row(d.first).transpose();
    dA2.setZero();
    for (Eigen::Index i = 0; i < k; ++i) dA2.col(i) = m_w1(i) * m_B2tE.col(i);
    if (r1) detail::product_add(dA2, s, m_B2tEAt, B1.transpose());
    if (s != 1) dA2 *= s;
  }
  if (pr.weight_decay != 0) dxdt.noalias() -= pr.weight_decay * m_x;

  // Column p and row p of E, from the factors.
  detail::product_set(m_Ecol, m_L, m_R.col(p));
  m_Ecol = -m_Ecol;
  detail::product_set(m_Erow, m_R.transpose(), m_L.row(p).transpose());
  m_Erow = -m_Erow;
  for (const auto& d : m_dy) {
    if (d.first == p) {
      m_Ecol(p) += d.second;
      m_Erow(p) += d.second;
    }
  }
  // One split pair: ds from the unsplit field's b' and a'; dd from N's row p (nrow) and column p (ncol).
  auto split = [&](auto dB, auto dA, auto B, auto A, auto As, auto nrow, auto ncol) {
    const Real npp = nrow(p);
    nrow(p) = Real(0);  // the (p, p) terms are the -N(p,p) d below, exactly
    ncol(p) = Real(0);
    detail::product_set(m_tmp_r, A, nrow);                // sum_(j != p) N(p,j) a_j  (column p of A times 0)
    detail::product_set(m_tmp_r2, B.transpose(), ncol);  // sum_(l != p) N(l,p) b_l
    for (Eigen::Index c = 0; c < dB.cols(); ++c) {
      const Real db = dB(p, c), da = dA(c, p);
      const Real dv = As(c, p);  // d, from the split state
      dB(p, c) = (db + da) * m_inv_root2;
      Real dd = (m_tmp_r(c) - m_tmp_r2(c)) * m_inv_root2 - npp * dv;
      if (pr.weight_decay != 0) dd -= pr.weight_decay * dv;
      dA(c, p) = dd;
    }
  };
  if (r1) {
    // N1 = s (W2' + s B2 A2)^T E (h x n). mcol = (W2' + s B2 A2)(:, p);  nrow = N1(p, :) = s E^T mcol;
    // ncol = N1(:, p) = s (W2'^T E(:, p) + s A2^T (B2^T E(:, p))).
    auto mcol = m_mcol.head(m);
    mcol.setZero();
    mcol(p) = m_w2(p);
    auto ncol = m_ncol.head(h);
    ncol.setZero();
    for (Eigen::Index i = 0; i < k; ++i) ncol(i) = m_w2(i) * m_Ecol(i);
    if (r2) {
      detail::product_add(mcol, s, B2, A2.col(p));
      detail::product_set(m_tmp_r, B2.transpose(), m_Ecol);
      detail::product_add(ncol, s, A2.transpose(), m_tmp_r);
    }
    if (s != 1) ncol *= s;
    auto nrow = m_nrow.head(n);  // E^T mcol = dY'^T mcol - R^T (L^T mcol)
    detail::product_set(m_tmp_q, m_L.transpose(), mcol);
    detail::product_set(nrow, m_R.transpose(), m_tmp_q);
    nrow = -nrow;
    for (const auto& d : m_dy) nrow(d.first) += d.second * mcol(d.first);
    if (s != 1) nrow *= s;
    split(dB1, dA1, B1, A1, md.A1(xf), nrow, ncol);
  }
  if (r2) {
    // N2' = s E (W1' + s B1 A1)^T (m x h). nrow = N2'(p, :) = s (W1' + s B1 A1) E(p, :)^T  (h);
    // ncol = N2'(:, p) = s E wrow with wrow = (W1' + s B1 A1)(p, :)^T  (n).
    auto nrow = m_nrow.head(h);
    nrow.setZero();
    for (Eigen::Index i = 0; i < k; ++i) nrow(i) = m_w1(i) * m_Erow(i);
    vector<Real>& wrow = m_tmp_n;
    wrow.setZero();
    wrow(p) = m_w1(p);
    if (r1) {
      detail::product_set(m_tmp_r, A1, m_Erow);
      detail::product_add(nrow, s, B1, m_tmp_r);
      detail::product_add(wrow, s, A1.transpose(), B1.row(p).transpose());
    }
    if (s != 1) nrow *= s;
    auto ncol = m_ncol.head(m);  // E wrow = dY' wrow - L (R wrow)
    detail::product_set(m_tmp_q, m_R, wrow);
    detail::product_set(ncol, m_L, m_tmp_q);
    ncol = -ncol;
    for (const auto& d : m_dy) ncol(d.first) += d.second * wrow(d.first);
    if (s != 1) ncol *= s;
    split(dB2, dA2, B2, A2, md.A2(xf), nrow, ncol);
  }
}

template <class Real>
const vector<Real>& frame_model<Real>::unsplit_loss(const vector<Real>& xf, Real& F_norm, Real& loss) const {
  using std::sqrt;
  m_x = xf;
  butterfly(m_x);
  factors();
  matrix<Real> F(m_model.m(), m_model.n());
  detail::product_set(F, m_L, m_R);
  F_norm = sqrt(squared_norm(F));
  matrix<Real> E = -F;
  for (const auto& d : m_dy) E(d.first, d.first) += d.second;
  loss = squared_norm(E) / 2;
  if (m_f.problem.weight_decay != 0) loss += m_f.problem.weight_decay * squared_norm(m_x) / 2;
  return m_x;
}

#define LORAFLOW_INST_FRAME(EXT, T)                                                                            \
  EXT template class frame_model<T>;                                                                           \
  EXT template singular_frame<T> xu2025_frame<T>(const generated_problem<T>&, const xu2025_spec<T>&,           \
                                                 const lora_problem<T>&);
#ifndef LORAFLOW_NO_EXTERN_TEMPLATES
LORAFLOW_EXTERN_ALL(LORAFLOW_INST_FRAME)
#endif

}  // namespace loraflow
