// loraflow/observe/metrics.hpp: what is measured along a LoRA trajectory, at working precision.
//
// The rank-one direction of dY (Xu et al. Section 3, shared/theory 1.3):
//   (sigma, u, v) top singular triple of dY,  g = W1 v / ||W1 v||,  sigma_W1 = ||W1 v||,  sigma_W2 = ||W2 g||,
//   delta_w = sigma_W1 / sigma_W2,  gamma1 = [g; v]/sqrt(2),  gamma2 = [u; g]/sqrt(2).
// Metrics of a state (Z1 = [B1; A1^T], Z2 = [B2; A2^T]):
//   loss, ||F||_F, misalign_i = 1 - cos(gamma_i, top left singular vector of Z_i), imbalance (Frobenius and
//   spectral), escape = g^T s B1 A1 v (and u^T s B2 A2 g), drift_i = ||C_i(t) - C_i(0)||_F / (||A_i||^2 + ||B_i||^2)
//   with C_i = B_i^T B_i - A_i A_i^T.
// The problem's own alignment defect (direction::alignment_defect): how far W1, W2 and dY are from the aligned form of
// Xu et al.'s Assumptions 2.1-2.2 in dY's top direction: the largest sine of the angles between W1^T g and v, W2 g and
// u, W2^T u and g (each 0 exactly when v, g and u are singular vectors of W1 and W2 in that direction). A misalignment
// (~ sin^2 of an angle) far below alignment_defect^2 is not a property of the aligned problem: the summary flags it.
// Metrics of any problem (general_observer, observe.general_metrics): the sines of the largest principal angles
// between the top-k left and right singular subspaces of F and of dY (k = min(numerical rank of dY, r)), the numerical
// rank and the top r singular values of F, and the balance ||B_i^T B_i - A_i A_i^T||_F of each adapter. The sines come
// from projections (no sqrt(eps) floor); their floor is the error of the computed singular subspaces, about
// eps (||F|| / gap_k(F) + ||dY|| / gap_k(dY)).
// Digits: misalignment is computed from the orthogonal projection, sin^2 = ||P w||^2 / ||Z w||^2 with
// P = (I - gamma gamma^T) Z and w the top eigenvector of Z^T Z, and 1 - cos = sin^2 / (1 + cos). It keeps its
// digits far below epsilon, where 1 - cos computed directly is 0 (pitfalls 3.2).
#pragma once

#include <loraflow/linalg.hpp>
#include <loraflow/model/lora.hpp>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

namespace loraflow {

/// The derived quantities of the problem's dY direction (needed by every check).
template <class Real> struct direction {
  Real sigma, sigma_W1, sigma_W2, delta_w;
  vector<Real> u, v, g;  ///< m, n, h
  vector<Real> gamma1;   ///< (h + n), unit
  vector<Real> gamma2;   ///< (m + h), unit
  /// Threshold of the T1 event (Theorem C.2): escape >= (1 - delta_w) sigma / (4 sigma_W2). For delta_w > 1 the
  /// roles of the adapters swap (mirror case, eq. (5)): u^T B2 A2 g >= (1 - 1/delta_w) sigma / (4 sigma_W1).
  Real t1_threshold;
  bool w1_side_active;  ///< delta_w < 1: the W1-side adapter (B1, A1) is selected
  /// max of sin angle(W1^T g, v), sin angle(W2 g, u), sin angle(W2^T u, g): 0 for a problem in the aligned form
  /// (Assumptions 2.1-2.2 in this direction); NaN when the direction is undefined. From projections (keeps digits).
  Real alignment_defect;
  /// Empty for a problem with a dY direction in W1's range; otherwise why it has none (dY = 0, or W1 v = 0): then
  /// the quantities that need it (g, gamma_i, delta_w, the misalignments, the escapes, T1) are NaN, never a refusal.
  std::string undefined;
};

template <class Real> direction<Real> direction_of(const lora_problem<Real>& p) {
  using std::sqrt;
  const Real nan = std::numeric_limits<Real>::quiet_NaN();
  const linalg::svd_result<Real> f = linalg::svd<Real>(p.dY);
  direction<Real> d;
  d.sigma = f.s(0);
  d.u = f.U.col(0);
  d.v = f.V.col(0);
  d.sigma_W1 = d.sigma_W2 = d.delta_w = d.t1_threshold = d.alignment_defect = nan;
  d.g = vector<Real>::Constant(p.W1.rows(), nan);
  d.w1_side_active = p.adapt_W1 && !p.adapt_W2;
  auto undefined = [&](const std::string& why) {
    d.undefined = why;
    d.gamma1 = vector<Real>::Constant(d.g.size() + d.v.size(), nan);
    d.gamma2 = vector<Real>::Constant(d.u.size() + d.g.size(), nan);
    return d;
  };
  if (!(d.sigma > 0)) {
    d.u.setConstant(nan);
    d.v.setConstant(nan);
    return undefined("dY = 0: no target direction, so u, v, g, the misalignments, the escapes and T1 are undefined");
  }
  const vector<Real> w = p.W1 * d.v;
  d.sigma_W1 = sqrt(squared_norm(w));
  if (!(d.sigma_W1 > 0))
    return undefined("W1 v = 0 (the top right singular vector v of dY is in the null space of W1), so g, the "
                     "misalignments, the escapes and T1 of Xu et al. Section 3 are undefined");
  d.g = w / d.sigma_W1;
  d.sigma_W2 = sqrt(squared_norm(vector<Real>(p.W2 * d.g)));
  d.delta_w = d.sigma_W1 / d.sigma_W2;
  const Real inv_root2 = 1 / sqrt(Real(2));
  d.gamma1.resize(d.g.size() + d.v.size());
  d.gamma1 << d.g, d.v;
  d.gamma1 *= inv_root2;
  d.gamma2.resize(d.u.size() + d.g.size());
  d.gamma2 << d.u, d.g;
  d.gamma2 *= inv_root2;
  // The selected adapter (Section 3 and eq. (5)): the W1 side when delta_w < 1, else the W2 side; with only one
  // adapter enabled, that one. The T1 threshold needs delta_w != 1 on the selected side; otherwise T1 is
  // undefined (NaN threshold, never crossed).
  d.w1_side_active = p.adapt_W1 && (!p.adapt_W2 || d.delta_w < 1);
  d.t1_threshold = d.w1_side_active ? Real((1 - d.delta_w) * d.sigma / (4 * d.sigma_W2))
                                    : Real((1 - 1 / d.delta_w) * d.sigma / (4 * d.sigma_W1));
  if (!(d.t1_threshold > 0)) d.t1_threshold = nan;
  // sin angle(a, e) for a unit e, from the projection a - (e^T a) e (0 when a = 0: no direction to be off).
  auto sine = [](const vector<Real>& a, const vector<Real>& e) {
    const Real na = sqrt(squared_norm(a));
    if (!(na > 0)) return Real(0);
    return Real(sqrt(squared_norm(vector<Real>(a - e.dot(a) * e))) / na);
  };
  d.alignment_defect = std::max({sine(vector<Real>(p.W1.transpose() * d.g), d.v),
                                 sine(vector<Real>(p.W2 * d.g), d.u), sine(vector<Real>(p.W2.transpose() * d.u), d.g)});
  return d;
}

/// Every metric of one state. Values that do not apply (no such adapter) are NaN.
template <class Real> struct metrics {
  Real loss, F_norm, misalign, misalign2, imbalance_fro, imbalance_spec, escape, escape2, drift_C1, drift_C2;
  static std::vector<std::string> names() {
    return {"loss", "F_norm", "misalign", "misalign2", "imbalance_fro", "imbalance_spec",
            "escape", "escape2", "drift_C1", "drift_C2"};
  }
  std::vector<Real> values() const {
    return {loss, F_norm, misalign, misalign2, imbalance_fro, imbalance_spec, escape, escape2, drift_C1, drift_C2};
  }
};

/// Z = [B; A^T] for one adapter (the stacked factor whose alignment with gamma_i misalign_i measures).
template <class Real, class MB, class MA> matrix<Real> stack_Z(const MB& B, const MA& A) {
  matrix<Real> Z(B.rows() + A.cols(), B.cols());
  Z.topRows(B.rows()) = B;
  Z.bottomRows(A.cols()) = A.transpose();
  return Z;
}

namespace detail {
template <class Real> Real nan() { return std::numeric_limits<Real>::quiet_NaN(); }

/// 1 - cos(gamma, top left singular vector of Z), from the orthogonal projection. NaN when Z = 0. With top_eig,
/// also ||Z||_2^2 (the top eigenvalue of the same Z^T Z, the value spectral_norm2 returns) from the one
/// eigen-decomposition.
template <class Real> Real misalignment(const matrix<Real>& Z, const vector<Real>& gamma, Real* top_eig = nullptr) {
  using std::abs;
  using std::sqrt;
  if (top_eig) *top_eig = Real(0);
  if (Z.cols() == 0) return nan<Real>();
  const matrix<Real> gram = Z.transpose() * Z;
  const linalg::sym_eig_result<Real> e = linalg::sym_eig<Real>(gram);
  if (top_eig) *top_eig = e.values(0);
  const vector<Real> w = e.vectors.col(0);
  const vector<Real> zw = Z * w;
  const Real nzw2 = squared_norm(zw);
  if (!(nzw2 > 0)) return nan<Real>();
  const vector<Real> cg = Z.transpose() * gamma;        // Z^T gamma
  const matrix<Real> P = Z - gamma * cg.transpose();    // (I - gamma gamma^T) Z
  const Real sin2 = squared_norm(vector<Real>(P * w)) / nzw2;
  const Real cos_ = abs(gamma.dot(zw)) / sqrt(nzw2);
  return sin2 / (1 + cos_);
}

template <class Real> Real spectral_norm2(const matrix<Real>& Z) {  // ||Z||_2^2
  if (Z.cols() == 0) return Real(0);
  const matrix<Real> gram = Z.transpose() * Z;
  return linalg::sym_eig<Real>(gram).values(0);
}
}  // namespace detail

/// Observes a trajectory of a lora_model: keeps C_i(0) from the initial state. Owns mutable scratch space (the escape
/// products): one object per thread.
template <class Real> class lora_observer {
 public:
  lora_observer(const lora_model<Real>& model, const direction<Real>& dir, const vector<Real>& x0)
      : m_model(&model), m_dir(dir) {
    m_C1_0 = imbalance_matrix(model.B1(x0), model.A1(x0));
    m_C2_0 = imbalance_matrix(model.B2(x0), model.A2(x0));
  }

  const direction<Real>& dir() const { return m_dir; }

  /// g^T (s B1 A1) v (the escape coordinate of Theorem C.2, on the adapter product s B1 A1).
  /// The products go through product.hpp into the observer's workspace: GD checks the T1 event at every iterate.
  Real escape(const vector<Real>& x) const {
    if (m_model->B1(x).cols() == 0) return detail::nan<Real>();
    detail::product_set(m_left, m_model->B1(x).transpose(), m_dir.g);
    detail::product_set(m_right, m_model->A1(x), m_dir.v);
    return m_model->problem().scale * m_left.dot(m_right);
  }
  /// u^T (s B2 A2) g (the W2-side escape, for delta_w > 1).
  Real escape2(const vector<Real>& x) const {
    if (m_model->B2(x).cols() == 0) return detail::nan<Real>();
    detail::product_set(m_left, m_model->B2(x).transpose(), m_dir.u);
    detail::product_set(m_right, m_model->A2(x), m_dir.g);
    return m_model->problem().scale * m_left.dot(m_right);
  }
  /// The T1 event function: (active escape) - threshold; crosses zero upwards at T1.
  Real t1_gap(const vector<Real>& x) const {
    return (m_dir.w1_side_active ? escape(x) : escape2(x)) - m_dir.t1_threshold;
  }

  metrics<Real> operator()(const vector<Real>& x) const;

  /// The metrics of x with ||F|| and L already known (a model that evaluates F its own way, e.g. the singular
  /// frame's factors), and Z_i = [B_i; A_i^T] taken from the blocks of z_state instead of x (the frame's split state,
  /// an orthogonal image of x's rows, so the norms, the spectrum and the imbalances are the same; misalign is
  /// against this observer's gamma_i in z_state's coordinates).
  metrics<Real> observe_with(const vector<Real>& x, const Real& F_norm, const Real& loss,
                             const vector<Real>& z_state) const;

  template <class MB, class MA> static matrix<Real> imbalance_matrix(const MB& B, const MA& A) {
    matrix<Real> C = B.transpose() * B;
    C.noalias() -= A * A.transpose();
    return C;
  }

 private:
  template <class MB, class MA> Real drift(const MB& B, const MA& A, const matrix<Real>& C0) const {
    using std::sqrt;
    if (B.cols() == 0) return detail::nan<Real>();
    const Real norms = squared_norm(B) + squared_norm(A);
    if (!(norms > 0)) return Real(0);
    return sqrt(squared_norm(matrix<Real>(imbalance_matrix(B, A) - C0))) / norms;
  }

  const lora_model<Real>* m_model;
  direction<Real> m_dir;
  matrix<Real> m_C1_0, m_C2_0;
  mutable vector<Real> m_left, m_right;  // escape's workspace (r entries): one observer per thread
};

template <class Real>
metrics<Real> lora_observer<Real>::operator()(const vector<Real>& x) const {
  using std::sqrt;
  const lora_model<Real>& md = *m_model;
  const Real F_norm = sqrt(squared_norm(md.product(x)));
  return observe_with(x, F_norm, md.evaluated_loss(x), x);  // the loss from the evaluation product(x) just made
}

template <class Real>
metrics<Real> lora_observer<Real>::observe_with(const vector<Real>& x, const Real& F_norm, const Real& loss,
                                                const vector<Real>& z_state) const {
  metrics<Real> r;
  const lora_model<Real>& md = *m_model;
  r.F_norm = F_norm;
  r.loss = loss;
  const matrix<Real> Z1 = stack_Z<Real>(md.B1(z_state), md.A1(z_state));
  const matrix<Real> Z2 = stack_Z<Real>(md.B2(z_state), md.A2(z_state));
  Real z1s(0), z2s(0);  // ||Z_i||_2^2, from the eigen-decompositions of the misalignments
  r.misalign = detail::misalignment(Z1, m_dir.gamma1, &z1s);
  r.misalign2 = detail::misalignment(Z2, m_dir.gamma2, &z2s);
  const Real z1f = squared_norm(Z1), z2f = squared_norm(Z2);
  const bool both = Z1.cols() > 0 && Z2.cols() > 0;
  r.imbalance_fro = both && z2f > 0 ? Real(z1f / z2f) : detail::nan<Real>();
  r.imbalance_spec = both && z2s > 0 ? Real(z1s / z2s) : detail::nan<Real>();
  r.escape = escape(x);
  r.escape2 = escape2(x);
  r.drift_C1 = drift(md.B1(x), md.A1(x), m_C1_0);
  r.drift_C2 = drift(md.B2(x), md.A2(x), m_C2_0);
  return r;
}

/// The metrics of any problem at one state (observe.general_metrics; the file comment). NaN where undefined: the
/// angles when dY = 0 or F has fewer than k singular values above the rank threshold (F = 0 at a zero-B start).
template <class Real> struct general_metrics {
  Real sin_left, sin_right;  ///< sine of the largest principal angle, top-k left (right) singular subspaces of F, dY
  Real rank;                 ///< numerical rank of F: sigma_i > max(m, n) eps sigma_1 (as numpy's matrix_rank)
  vector<Real> sigma;        ///< the top r singular values of F
  Real balance1, balance2;   ///< ||B_i^T B_i - A_i A_i^T||_F (NaN for a disabled adapter)
  static std::vector<std::string> names(Eigen::Index r) {
    std::vector<std::string> v{"sin_angle_left", "sin_angle_right", "rank_F"};
    for (Eigen::Index i = 1; i <= r; ++i) v.push_back("sigma_F_" + std::to_string(i));
    v.push_back("balance1");
    v.push_back("balance2");
    return v;
  }
  std::vector<Real> values() const {
    std::vector<Real> v{sin_left, sin_right, rank};
    for (Eigen::Index i = 0; i < sigma.size(); ++i) v.push_back(sigma(i));
    v.push_back(balance1);
    v.push_back(balance2);
    return v;
  }
};

/// Computes general_metrics of natural-coordinate states of one model; keeps dY's top-k singular subspaces.
template <class Real> class general_observer {
 public:
  explicit general_observer(const lora_model<Real>& model) : m_model(&model) {
    const lora_problem<Real>& p = model.problem();
    const linalg::svd_result<Real> f = linalg::svd<Real>(p.dY);
    const Eigen::Index k = rank_of(f.s, p.dY.rows(), p.dY.cols());
    m_k = std::min<Eigen::Index>(k, p.rank);
    m_U = f.U.leftCols(m_k);
    m_V = f.V.leftCols(m_k);
  }
  Eigen::Index k() const { return m_k; }  ///< the subspace dimension (0 when dY = 0: angles NaN)

  general_metrics<Real> operator()(const vector<Real>& x) const {
    using std::sqrt;
    const lora_model<Real>& md = *m_model;
    const lora_problem<Real>& p = md.problem();
    general_metrics<Real> g;
    const matrix<Real> F = md.product(x);
    const linalg::svd_result<Real> f = linalg::svd<Real>(F);
    const Eigen::Index rank = rank_of(f.s, F.rows(), F.cols());
    g.rank = Real(rank);
    g.sigma = vector<Real>::Constant(p.rank, detail::nan<Real>());
    for (Eigen::Index i = 0; i < std::min<Eigen::Index>(p.rank, f.s.size()); ++i) g.sigma(i) = f.s(i);
    g.sin_left = g.sin_right = detail::nan<Real>();
    if (m_k > 0 && rank >= m_k) {
      g.sin_left = largest_sine(m_U, f.U.leftCols(m_k));
      g.sin_right = largest_sine(m_V, f.V.leftCols(m_k));
    }
    auto balance = [](const auto& B, const auto& A) {
      if (B.cols() == 0) return detail::nan<Real>();
      return Real(sqrt(squared_norm(lora_observer<Real>::imbalance_matrix(B, A))));
    };
    g.balance1 = balance(md.B1(x), md.A1(x));
    g.balance2 = balance(md.B2(x), md.A2(x));
    return g;
  }

 private:
  static Eigen::Index rank_of(const vector<Real>& s, Eigen::Index m, Eigen::Index n) {
    Eigen::Index r = 0;
    if (s.size() == 0 || !(s(0) > 0)) return 0;
    const Real tol = Real(std::max(m, n)) * eps<Real>() * s(0);
    for (Eigen::Index i = 0; i < s.size(); ++i) r += s(i) > tol;
    return r;
  }
  /// sin of the largest principal angle between span(Q) and span(W) (orthonormal columns, as many): ||(I - Q Q^T) W||_2,
  /// from the projection (keeps the digits of small angles).
  static Real largest_sine(const matrix<Real>& Q, const matrix<Real>& W) {
    const matrix<Real> P = W - Q * matrix<Real>(Q.transpose() * W);
    return linalg::svd<Real>(P).s(0);
  }
  const lora_model<Real>* m_model;
  Eigen::Index m_k = 0;
  matrix<Real> m_U, m_V;
};

#define LORAFLOW_INST_METRICS(EXT, T)                                  \
  EXT template direction<T> direction_of<T>(const lora_problem<T>&);     \
  EXT template T detail::misalignment<T>(const matrix<T>&, const vector<T>&, T*); \
  EXT template T detail::spectral_norm2<T>(const matrix<T>&);           \
  EXT template class lora_observer<T>;                                   \
  EXT template class general_observer<T>;
#ifndef LORAFLOW_NO_EXTERN_TEMPLATES
LORAFLOW_EXTERN_ALL(LORAFLOW_INST_METRICS)
#endif

}  // namespace loraflow
