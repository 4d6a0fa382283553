// loraflow/model/factorization.hpp: full two-layer linear network from a general initialization (pretraining).
//
// Model (Min, Tarmoun, Vidal, Mallada, ICML 2021, Section 2; Xu et al., AISTATS 2023, with W1 = U, W2 = V^T):
//   L(U, V) = 1/2 ||Y - X U V^T||_F^2 + lambda/2 (||U||^2 + ||V||^2),   X (N x D), U (D x h), V (m x h), Y (N x m).
// Gradient flow: U' = X^T E V - lambda U,  V' = E^T X U - lambda V,  with E = Y - X U V^T.
// Conserved when lambda = 0: the h x h imbalance U^T U - V^T V, for any X (d/dt U^T U = d/dt V^T V =
// U^T X^T E V + V^T E^T X U). Min et al.'s Lambda = U1^T U1 - V^T V differs from it by the constant U2^T U2.
// Cost per right-hand side: O(N D h + N m h). The products go through loraflow/product.hpp (Eigen's own in double
// and long double, the fixed-point dot-product kernel for float50, float100, float128 and mpfr_float: E = Y - X U V^T
// is rounded once per entry, Y folded into the kernel's accumulator). Workspace is allocated once; evaluation
// allocates nothing (for mpfr_float the MPFR library still allocates limbs for scalar temporaries).
// State layout: x = [ vec U (D x h) | vec V (m x h) ].
#pragma once

#include <loraflow/product.hpp>
#include <loraflow/scalar.hpp>

#include <stdexcept>
#include <string>

namespace loraflow {

template <class Real> struct factorization_problem {
  matrix<Real> X;  ///< N x D data
  matrix<Real> Y;  ///< N x m targets
  Eigen::Index width = 1;       ///< h
  Real weight_decay = Real(0);  ///< lambda
};

template <class Real> class factorization_model {
 public:
  using value_type = Real;
  using const_map = Eigen::Map<const matrix<Real>>;
  using map = Eigen::Map<matrix<Real>>;

  explicit factorization_model(factorization_problem<Real> p);

  const factorization_problem<Real>& problem() const { return m_p; }
  Eigen::Index dimension() const { return m_dim; }

  const_map U(const vector<Real>& x) const { return const_map(x.data(), m_D, m_h); }
  const_map V(const vector<Real>& x) const { return const_map(x.data() + m_D * m_h, m_m, m_h); }
  map U(vector<Real>& x) const { return map(x.data(), m_D, m_h); }
  map V(vector<Real>& x) const { return map(x.data() + m_D * m_h, m_m, m_h); }

  vector<Real> pack(const matrix<Real>& Uv, const matrix<Real>& Vv) const {
    if (Uv.rows() != m_D || Uv.cols() != m_h || Vv.rows() != m_m || Vv.cols() != m_h)
      throw std::invalid_argument("factorization_model: U must be " + std::to_string(m_D) + "x" +
                                  std::to_string(m_h) + " and V " + std::to_string(m_m) + "x" + std::to_string(m_h));
    vector<Real> x(m_dim);
    U(x) = Uv;
    V(x) = Vv;
    return x;
  }

  const matrix<Real>& residual(const vector<Real>& x) const {
    evaluate(x);
    return m_E;
  }

  Real loss(const vector<Real>& x) const {
    evaluate(x);
    Real l = squared_norm(m_E) / 2;
    if (m_p.weight_decay != 0) l += m_p.weight_decay * squared_norm(x) / 2;
    return l;
  }

  void operator()(const vector<Real>& x, vector<Real>& dxdt, const Real& /*t*/) const { field(x, dxdt); }

  void field(const vector<Real>& x, vector<Real>& dxdt) const;

  void gradient(const vector<Real>& x, vector<Real>& g) const {
    field(x, g);
    g = -g;
  }

 private:
  void evaluate(const vector<Real>& x) const;

  factorization_problem<Real> m_p;
  Eigen::Index m_N = 0, m_D = 0, m_m = 0, m_h = 0, m_dim = 0;
  mutable matrix<Real> m_XU, m_E, m_EV;
};

template <class Real>
factorization_model<Real>::factorization_model(factorization_problem<Real> p) : m_p(std::move(p)) {
  m_N = m_p.X.rows();
  m_D = m_p.X.cols();
  m_m = m_p.Y.cols();
  m_h = m_p.width;
  if (m_p.Y.rows() != m_N)
    throw std::invalid_argument("factorization_model: Y has " + std::to_string(m_p.Y.rows()) +
                                " rows; expected " + std::to_string(m_N) + " (rows of X)");
  if (m_h < 1) throw std::invalid_argument("factorization_model: width must be >= 1");
  if (m_p.weight_decay < 0) throw std::invalid_argument("factorization_model: weight decay must be >= 0");
  m_dim = m_D * m_h + m_m * m_h;
  m_XU.resize(m_N, m_h);
  m_E.resize(m_N, m_m);
  m_EV.resize(m_N, m_h);
}

template <class Real>
void factorization_model<Real>::field(const vector<Real>& x, vector<Real>& dxdt) const {
  if (dxdt.size() != m_dim) dxdt.resize(m_dim);
  evaluate(x);
  map dU(dxdt.data(), m_D, m_h), dV(dxdt.data() + m_D * m_h, m_m, m_h);
  detail::product_set(m_EV, m_E, V(x));
  detail::product_set(dU, m_p.X.transpose(), m_EV);
  detail::product_set(dV, m_E.transpose(), m_XU);
  if (m_p.weight_decay != 0) dxdt.noalias() -= m_p.weight_decay * x;
}

template <class Real>
void factorization_model<Real>::evaluate(const vector<Real>& x) const {
  if (x.size() != m_dim)
    throw std::invalid_argument("factorization_model: state has " + std::to_string(x.size()) +
                                " entries; expected " + std::to_string(m_dim));
  detail::product_set(m_XU, m_p.X, U(x));
  m_E = m_p.Y;
  detail::product_sub(m_E, m_XU, V(x).transpose());  // in the kernel types: Y - sum, rounded once
}

#define LORAFLOW_INST_FACTORIZATION(EXT, T) EXT template class factorization_model<T>;
#ifndef LORAFLOW_NO_EXTERN_TEMPLATES
LORAFLOW_EXTERN_ALL(LORAFLOW_INST_FACTORIZATION)
#endif

}  // namespace loraflow
