// loraflow/model/lora.hpp: two-layer LoRA on a pretrained factorization, as an explicit ODE on one stacked state.
//
// Model (Xu et al., AISTATS 2025, Problem (2), with LoRA scale s and weight decay lambda):
//   W2 + s B2 A2  (m x h),  W1 + s B1 A1  (h x n),  dY = Y_ft - W2 W1  (m x n)
//   F = s W2 B1 A1 + s B2 A2 W1 + s^2 B2 A2 B1 A1,   E = dY - F,
//   L = 1/2 ||E||_F^2 + lambda/2 (||A1||^2 + ||B1||^2 + ||A2||^2 + ||B2||^2).
// Gradient flow x' = -grad L (Lemma A.5, eq. (28) of the paper when s = 1, lambda = 0):
//   B1' = s (W2 + s B2 A2)^T E A1^T,  A1' = s B1^T (W2 + s B2 A2)^T E,
//   B2' = s E (W1 + s B1 A1)^T A2^T,  A2' = s B2^T E (W1 + s B1 A1)^T   (each minus lambda times itself).
// Other objectives (model/objective.hpp): L = f(F) + lambda/2 ||x||^2 with the same field, E = -grad f(F) in place
// of the residual. For the default objective, frobenius, E is the residual R = dY - F itself; for the others R is
// formed first (same digits) and E = -grad f(F) from it, so one field serves every objective.
//
// Digits: E is formed as dY - F from the small products, never as Y_ft minus a product of O(1) matrices, which
// would cancel the O(1) parts and lose log10(||Y||/||E||) digits exactly where loss floors are measured.
// Cost: products are associated so one right-hand side costs O((m+n) h r + m n r), never O(m n h); they go
// through loraflow/product.hpp (a fixed-point dot-product kernel for float50 and float100); all
// intermediates live in a workspace sized at construction, so evaluation allocates nothing (for mpfr_float the
// MPFR library still allocates limbs for scalar temporaries; the fixed-precision types allocate nothing at all).
//
// State layout (column-major blocks, disabled adapters have zero-size blocks):
//   x = [ vec A1 (r x n) | vec B1 (h x r) | vec A2 (r x h) | vec B2 (m x r) ].
// A model object owns mutable scratch space: use one object per thread.
#pragma once

#include <loraflow/model/objective.hpp>
#include <loraflow/product.hpp>
#include <loraflow/scalar.hpp>

#include <stdexcept>
#include <string>
#include <type_traits>

namespace loraflow {

/// What is integrated: pretrained factors, target shift and adapter settings.
template <class Real> struct lora_problem {
  matrix<Real> W1;  ///< h x n pretrained first layer
  matrix<Real> W2;  ///< m x h pretrained second layer
  matrix<Real> dY;  ///< m x n target shift Y_ft - W2 W1 (given directly: never formed by subtraction here)
  Eigen::Index rank = 1;
  bool adapt_W1 = true;  ///< adapters (B1, A1) on W1
  bool adapt_W2 = true;  ///< adapters (B2, A2) on W2
  Real scale = Real(1);         ///< LoRA scale s in W + s B A (the alpha/r of Hu et al.)
  Real weight_decay = Real(0);  ///< lambda, applied to every adapter entry
  objective_data<Real> objective{};  ///< f(F); frobenius (1/2 ||dY - F||^2) by default
};

template <class Real> class lora_model {
 public:
  using value_type = Real;
  using map = Eigen::Map<matrix<Real>>;
  using const_map = Eigen::Map<const matrix<Real>>;

  explicit lora_model(lora_problem<Real> p);

  const lora_problem<Real>& problem() const { return m_p; }
  const loraflow::objective<Real>& objective() const { return m_obj; }
  bool frobenius() const { return m_obj.kind() == objective_kind::frobenius; }
  Eigen::Index dimension() const { return m_dim; }
  Eigen::Index m() const { return m_m; }
  Eigen::Index n() const { return m_n; }
  Eigen::Index h() const { return m_h; }
  Eigen::Index r() const { return m_r; }

  // Named views of the stacked state (valid while x lives).
  const_map A1(const vector<Real>& x) const { return const_map(x.data(), m_r1, m_n); }
  const_map B1(const vector<Real>& x) const { return const_map(x.data() + m_off_B1, m_h, m_r1); }
  const_map A2(const vector<Real>& x) const { return const_map(x.data() + m_off_A2, m_r2, m_h); }
  const_map B2(const vector<Real>& x) const { return const_map(x.data() + m_off_B2, m_m, m_r2); }
  map A1(vector<Real>& x) const { return map(x.data(), m_r1, m_n); }
  map B1(vector<Real>& x) const { return map(x.data() + m_off_B1, m_h, m_r1); }
  map A2(vector<Real>& x) const { return map(x.data() + m_off_A2, m_r2, m_h); }
  map B2(vector<Real>& x) const { return map(x.data() + m_off_B2, m_m, m_r2); }

  /// Packs adapter matrices into a state vector (the blocks of a disabled adapter are ignored).
  vector<Real> pack(const matrix<Real>& A1v, const matrix<Real>& B1v, const matrix<Real>& A2v,
                    const matrix<Real>& B2v) const {
    vector<Real> x(m_dim);
    if (m_r1) {
      check_shape("A1", A1v, m_r1, m_n);
      check_shape("B1", B1v, m_h, m_r1);
      A1(x) = A1v;
      B1(x) = B1v;
    }
    if (m_r2) {
      check_shape("A2", A2v, m_r2, m_h);
      check_shape("B2", B2v, m_m, m_r2);
      A2(x) = A2v;
      B2(x) = B2v;
    }
    return x;
  }

  /// F = s W2 B1 A1 + s B2 A2 W1 + s^2 B2 A2 B1 A1 into the workspace; returns it. Also fills E = dY - F.
  const matrix<Real>& product(const vector<Real>& x) const {
    evaluate(x);
    return m_F;
  }

  /// R = dY - F (the residual), computed without cancelling O(1) terms.
  const matrix<Real>& residual(const vector<Real>& x) const {
    evaluate(x);
    return frobenius() ? m_E : m_R;
  }

  /// E = -grad f(F): the residual R itself for frobenius.
  const matrix<Real>& negative_gradient(const vector<Real>& x) const {
    evaluate(x);
    return m_E;
  }

  /// L = f(F) + lambda/2 ||x||^2 (f = 1/2 ||dY - F||^2 for frobenius).
  Real loss(const vector<Real>& x) const {
    evaluate(x);
    return evaluated_loss(x);
  }

  /// L at x from the evaluation that product(x) or residual(x) has just made for the same x (no re-evaluation).
  Real evaluated_loss(const vector<Real>& x) const;

  /// The gradient-flow field dxdt = -grad L(x). Signature of an odeint System.
  void operator()(const vector<Real>& x, vector<Real>& dxdt, const Real& /*t*/) const { field(x, dxdt); }

  /// dxdt = -grad L(x), allocation-free after construction.
  void field(const vector<Real>& x, vector<Real>& dxdt) const;

  /// out = Hess L(x) v, exactly (the directional derivative of grad L along v, derived in the comment of the
  /// definition). For stationary-point analysis, not for the hot loop: it allocates and costs O(m h n).
  void hessian_product(const vector<Real>& x, const vector<Real>& v, vector<Real>& out) const;

  /// grad L(x) (the negative of the field), for finite-difference tests and GD.
  void gradient(const vector<Real>& x, vector<Real>& g) const {
    field(x, g);
    g = -g;
  }

 private:
  static void check_shape(const char* name, const matrix<Real>& a, Eigen::Index rows, Eigen::Index cols) {
    if (a.rows() != rows || a.cols() != cols)
      throw std::invalid_argument(std::string("lora_model: ") + name + " is " + std::to_string(a.rows()) + "x" +
                                  std::to_string(a.cols()) + "; expected " + std::to_string(rows) + "x" +
                                  std::to_string(cols));
  }

  // Fills the shared products, F and E. Order: W2 B1 (m h r), A2 W1 (r h n), A2 B1 (r h r), (A2 B1) A1 (r r n),
  // then the two m x n products with inner dimension r.
  void evaluate(const vector<Real>& x) const;

  static const lora_problem<Real>& checked(const lora_problem<Real>& p);

  lora_problem<Real> m_p;
  loraflow::objective<Real> m_obj;
  Eigen::Index m_m = 0, m_n = 0, m_h = 0, m_r = 0, m_r1 = 0, m_r2 = 0;
  Eigen::Index m_off_B1 = 0, m_off_A2 = 0, m_off_B2 = 0, m_dim = 0;
  mutable matrix<Real> m_W2B1, m_A2B1, m_A2B1A1, m_N2, m_M1, m_F, m_E, m_EAt, m_B2tEAt, m_B2tE;
  mutable matrix<Real> m_R;  // R = dY - F for objectives other than frobenius (there E is R)
};

template <class Real> const lora_problem<Real>& lora_model<Real>::checked(const lora_problem<Real>& p) {
  const Eigen::Index h = p.W1.rows(), n = p.W1.cols(), m = p.W2.rows();
  if (p.W2.cols() != h)
    throw std::invalid_argument("lora_model: W2 has " + std::to_string(p.W2.cols()) + " columns but W1 has " +
                                std::to_string(h) + " rows; expected equal inner dimensions");
  if (p.dY.rows() != m || p.dY.cols() != n)
    throw std::invalid_argument("lora_model: dY is " + std::to_string(p.dY.rows()) + "x" +
                                std::to_string(p.dY.cols()) + "; expected " + std::to_string(m) + "x" +
                                std::to_string(n) + " (rows of W2 x columns of W1)");
  if (p.rank < 1) throw std::invalid_argument("lora_model: rank must be >= 1");
  if (!p.adapt_W1 && !p.adapt_W2) throw std::invalid_argument("lora_model: no adapter enabled");
  if (!(p.scale > 0)) throw std::invalid_argument("lora_model: LoRA scale must be > 0");
  if (p.weight_decay < 0) throw std::invalid_argument("lora_model: weight decay must be >= 0");
  return p;
}

// The shapes are checked before the objective reads them (it multiplies W2 W1 for logistic).
template <class Real>
lora_model<Real>::lora_model(lora_problem<Real> p)
    : m_p((static_cast<void>(checked(p)), std::move(p))), m_obj(m_p.objective, m_p.W2, m_p.W1) {
  const auto& W1 = m_p.W1;
  const auto& W2 = m_p.W2;
  m_h = W1.rows();
  m_n = W1.cols();
  m_m = W2.rows();
  m_r = m_p.rank;
  const Eigen::Index r1 = m_p.adapt_W1 ? m_r : 0, r2 = m_p.adapt_W2 ? m_r : 0;
  m_off_B1 = r1 * m_n;
  m_off_A2 = m_off_B1 + m_h * r1;
  m_off_B2 = m_off_A2 + r2 * m_h;
  m_dim = m_off_B2 + m_m * r2;
  m_r1 = r1;
  m_r2 = r2;
  // Workspace (never resized after this point).
  m_W2B1.resize(m_m, r1);
  m_A2B1.resize(r2, r1);
  m_A2B1A1.resize(r2, m_n);
  m_N2.resize(r2, m_n);
  m_M1.resize(m_m, r1);
  m_F.resize(m_m, m_n);
  m_E.resize(m_m, m_n);
  m_EAt.resize(m_m, r1);
  m_B2tEAt.resize(r2, r1);
  m_B2tE.resize(r2, m_n);
  if (!frobenius()) m_R.resize(m_m, m_n);
}

template <class Real>
void lora_model<Real>::field(const vector<Real>& x, vector<Real>& dxdt) const {
  if (dxdt.size() != m_dim) dxdt.resize(m_dim);
  evaluate(x);
  const Real& s = m_p.scale;
  if (m_r1) {
    // B1' = s [W2^T (E A1^T) + s A2^T (B2^T E A1^T)],  A1' = s M1^T E with M1 = (W2 + s B2 A2) B1.
    detail::product_set(m_EAt, m_E, A1(x).transpose());
    map dB1(dxdt.data() + m_off_B1, m_h, m_r1);
    detail::product_set(dB1, m_p.W2.transpose(), m_EAt);
    if (m_r2) {
      detail::product_set(m_B2tEAt, B2(x).transpose(), m_EAt);
      detail::product_add(dB1, s, A2(x).transpose(), m_B2tEAt);
    }
    if (s != 1) dB1 *= s;
    map dA1(dxdt.data(), m_r1, m_n);
    detail::product_set(dA1, m_M1.transpose(), m_E);
    if (s != 1) dA1 *= s;
  }
  if (m_r2) {
    // B2' = s E N2^T with N2 = A2 (W1 + s B1 A1),  A2' = s [(B2^T E) W1^T + s (B2^T E A1^T) B1^T].
    map dB2(dxdt.data() + m_off_B2, m_m, m_r2);
    detail::product_set(dB2, m_E, m_N2.transpose());
    if (s != 1) dB2 *= s;
    detail::product_set(m_B2tE, B2(x).transpose(), m_E);
    map dA2(dxdt.data() + m_off_A2, m_r2, m_h);
    detail::product_set(dA2, m_B2tE, m_p.W1.transpose());
    if (m_r1) detail::product_add(dA2, s, m_B2tEAt, B1(x).transpose());
    if (s != 1) dA2 *= s;
  }
  if (m_p.weight_decay != 0) dxdt.noalias() -= m_p.weight_decay * x;
}

template <class Real>
void lora_model<Real>::evaluate(const vector<Real>& x) const {
  if (x.size() != m_dim)
    throw std::invalid_argument("lora_model: state has " + std::to_string(x.size()) + " entries; expected " +
                                std::to_string(m_dim));
  const Real& s = m_p.scale;
  if (m_r1) {
    detail::product_set(m_W2B1, m_p.W2, B1(x));
    m_M1 = m_W2B1;
  }
  if (m_r2) {
    detail::product_set(m_N2, A2(x), m_p.W1);  // N2 = A2 (W1 + s B1 A1), so s B2 N2 = s B2 A2 W1 + s^2 B2 A2 B1 A1
    if (m_r1) {
      detail::product_set(m_A2B1, A2(x), B1(x));
      detail::product_set(m_A2B1A1, m_A2B1, A1(x));
      m_N2.noalias() += s * m_A2B1A1;
      detail::product_add(m_M1, s, B2(x), m_A2B1);  // M1 = (W2 + s B2 A2) B1
    }
    detail::product_set(m_F, B2(x), m_N2);
    if (s != 1) m_F *= s;
  } else {
    m_F.setZero();
  }
  if (m_r1) detail::product_add(m_F, s, m_W2B1, A1(x));
  m_E = m_p.dY - m_F;
  if (!frobenius()) {
    m_R = m_E;
    m_obj.negative_gradient(m_F, m_R, m_E);
  }
}

template <class Real>
Real lora_model<Real>::evaluated_loss(const vector<Real>& x) const {
  Real l = frobenius() ? squared_norm(m_E) / 2 : m_obj.evaluated_value(m_R);
  if (m_p.weight_decay != 0) l += m_p.weight_decay * squared_norm(x) / 2;
  return l;
}

// Hess L(x) v. With P2 = W2 + s B2 A2 (m x h), P1 = W1 + s B1 A1 (h x n), F = P2 P1 - W2 W1 and G = grad f(F) = -E:
//   grad_B1 L = s P2^T G A1^T + lambda B1,   grad_A1 L = s B1^T P2^T G + lambda A1,
//   grad_B2 L = s G P1^T A2^T + lambda B2,   grad_A2 L = s B2^T G P1^T + lambda A2.
// Along v = (dA1, dB1, dA2, dB2): dP1 = s (dB1 A1 + B1 dA1), dP2 = s (dB2 A2 + B2 dA2), dF = dP2 P1 + P2 dP1,
// dG = Hess f(F)[dF] (objective::hessian_product), and by the product rule
//   d grad_B1 = s (dP2^T G A1^T + P2^T dG A1^T + P2^T G dA1^T) + lambda dB1,
//   d grad_A1 = s (dB1^T P2^T G + B1^T dP2^T G + B1^T P2^T dG) + lambda dA1,
//   d grad_B2 = s (dG P1^T A2^T + G dP1^T A2^T + G P1^T dA2^T) + lambda dB2,
//   d grad_A2 = s (dB2^T G P1^T + B2^T dG P1^T + B2^T G dP1^T) + lambda dA2.
// A disabled adapter has no blocks, and its factor is the pretrained one (P1 = W1 or P2 = W2).
template <class Real>
void lora_model<Real>::hessian_product(const vector<Real>& x, const vector<Real>& v, vector<Real>& out) const {
  if (v.size() != m_dim)
    throw std::invalid_argument("lora_model: direction has " + std::to_string(v.size()) + " entries; expected " +
                                std::to_string(m_dim));
  evaluate(x);
  const Real& s = m_p.scale;
  const matrix<Real> G = -m_E;
  matrix<Real> P1 = m_p.W1, P2 = m_p.W2;
  matrix<Real> dP1 = matrix<Real>::Zero(m_h, m_n), dP2 = matrix<Real>::Zero(m_m, m_h);
  if (m_r1) {
    P1 += s * (B1(x) * A1(x));
    dP1 = s * (B1(v) * A1(x) + B1(x) * A1(v));
  }
  if (m_r2) {
    P2 += s * (B2(x) * A2(x));
    dP2 = s * (B2(v) * A2(x) + B2(x) * A2(v));
  }
  const matrix<Real> dF = dP2 * P1 + P2 * dP1;
  matrix<Real> dG(m_m, m_n);
  m_obj.hessian_product(m_F, dF, dG);
  out.resize(m_dim);
  const Real& lambda = m_p.weight_decay;
  if (m_r1) {
    const matrix<Real> P2tG = P2.transpose() * G;
    B1(out) = s * (dP2.transpose() * G * A1(x).transpose() + P2.transpose() * dG * A1(x).transpose() +
                   P2tG * A1(v).transpose()) + lambda * B1(v);
    A1(out) = s * (B1(v).transpose() * P2tG + B1(x).transpose() * (dP2.transpose() * G) +
                   B1(x).transpose() * (P2.transpose() * dG)) + lambda * A1(v);
  }
  if (m_r2) {
    const matrix<Real> GP1t = G * P1.transpose();
    B2(out) = s * (dG * P1.transpose() * A2(x).transpose() + G * dP1.transpose() * A2(x).transpose() +
                   GP1t * A2(v).transpose()) + lambda * B2(v);
    A2(out) = s * (B2(v).transpose() * GP1t + B2(x).transpose() * (dG * P1.transpose()) +
                   B2(x).transpose() * (G * dP1.transpose())) + lambda * A2(v);
  }
}

/// One-matrix LoRA, 1/2 ||Y - (W + s B A)||^2 with W (m x n): the two-layer model with W2 = I_m, W1 = W and only
/// the W1 adapter, so B = B1 (m x r) and A = A1 (r x n). dY = Y - W must be given directly.
template <class Real>
lora_problem<Real> one_matrix_problem(const matrix<Real>& W, const matrix<Real>& dY, Eigen::Index rank,
                                      Real scale = Real(1), Real weight_decay = Real(0)) {
  lora_problem<Real> p;
  p.W1 = W;
  p.W2 = matrix<Real>::Identity(W.rows(), W.rows());
  p.dY = dY;
  p.rank = rank;
  p.adapt_W1 = true;
  p.adapt_W2 = false;
  p.scale = scale;
  p.weight_decay = weight_decay;
  return p;
}

/// True when p has the one-matrix form of one_matrix_problem: only the W1 adapter, and W2 exactly the identity (then
/// F = s B1 A1, and the adapters' Frobenius penalty is the nuclear-norm penalty (lambda/s) ||F||_* at the optimum:
/// what the global-minimum oracle of observe/stationary.hpp needs, catalogue 1.7).
template <class Real> bool is_one_matrix(const lora_problem<Real>& p) {
  return p.adapt_W1 && !p.adapt_W2 && p.W2.rows() == p.W2.cols() &&
         p.W2 == matrix<Real>::Identity(p.W2.rows(), p.W2.cols());
}

#define LORAFLOW_INST_LORA_MODEL(EXT, T) EXT template class lora_model<T>;
#ifndef LORAFLOW_NO_EXTERN_TEMPLATES
LORAFLOW_EXTERN_ALL(LORAFLOW_INST_LORA_MODEL)
#endif

}  // namespace loraflow
