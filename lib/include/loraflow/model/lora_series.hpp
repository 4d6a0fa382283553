// loraflow/model/lora_series.hpp: the Taylor coefficients of a LoRA gradient-flow trajectory, exactly, from
// Cauchy products of matrix-valued series (what method::taylor integrates; integrate/integrate.hpp steps with it).
//
// The field of lora_model is a polynomial in the adapter entries, so every intermediate of lora_model::field is a
// sum of products of two series. With x(t0 + tau) = sum_k x_k tau^k and a series product (PQ)_k = sum_j P_j Q_(k-j),
// the recurrence x_(k+1) = f_k / (k + 1) gives every coefficient from the ones before it. The intermediates are
// those of lora_model::evaluate / field (same association, same cost order):
//   W2B1_k = W2 B1_k,  N2_k = A2_k W1 + s (A2B1 A1)_k,  A2B1_k = (A2 B1)_k,  M1_k = W2B1_k + s (B2 A2B1)_k,
//   E_k = [k = 0] dY - s (B2 N2)_k - s (W2B1 A1)_k,   EAt_k = (E A1^T)_k,   B2tEAt_k = (B2^T EAt)_k,
//   B1'_k = s [W2^T EAt_k + s (A2^T B2tEAt)_k],   A1'_k = s (M1^T E)_k,
//   B2'_k = s (E N2^T)_k,   B2tE_k = (B2^T E)_k,   A2'_k = s [B2tE_k W1^T + s (B2tEAt B1^T)_k],
//   minus lambda x_k for weight decay.
// The products with the pretrained W1, W2 (the O(m h r) ones) are linear, so they cost K products for K
// coefficients; the Cauchy sums involve only rank-r factors and cost about K^2/2 sets of products of h r^2 and
// m n r multiply-adds each (expansion_work counts them). E is again formed as dY - F, never as a difference of O(1)
// products.
//
// Objectives (model/objective.hpp): the quadratic ones have E = Q[R] + c, affine in the residual R = dY - F, so
// E_k = Q[R_k] + [k = 0] c costs one application of Q per coefficient (nothing for frobenius, where E = R).
// logistic is not polynomial: the constructor refuses it.
//
// All series storage is sized by the first expansion of the highest order so far and reused: later expansions of
// that order or lower allocate nothing. One object per thread (it owns mutable scratch space).
#pragma once

#include <loraflow/model/lora.hpp>
#include <loraflow/model/series_source.hpp>

#include <vector>

namespace loraflow {

template <class Real> class lora_series final : public series_source<Real> {
 public:
  explicit lora_series(const lora_model<Real>& model) : m_model(&model) {
    if (!model.objective().quadratic())
      throw std::invalid_argument(std::string("lora_series: the objective '") + info_of(model.objective().kind()).name +
                                  "' is not polynomial, so the Taylor method cannot expand it; use an odeint "
                                  "method or gd");
  }

  /// c[k], k = 0..K: the Taylor coefficients of the trajectory through x0 (c[0] = x0). c must hold K + 1 vectors.
  void expand(const vector<Real>& x0, int K, std::vector<vector<Real>>& c) const override;

  /// Multiply-adds of one expansion of order K: K times the products with W1, W2 (linear in the series) plus
  /// K (K + 1) / 2 times one set of Cauchy products (the rank-r products of lora_model::field).
  double expansion_work(int K) const override;

 private:
  using series = std::vector<matrix<Real>>;
  void reserve(int K) const;

  const lora_model<Real>* m_model;
  mutable int m_K = -1;
  mutable series m_W2B1, m_N2, m_A2B1, m_A2B1A1, m_M1, m_E, m_EAt, m_B2tEAt, m_B2tE;
};

template <class Real> double lora_series<Real>::expansion_work(int K) const {
  const lora_model<Real>& md = *m_model;
  const double m = static_cast<double>(md.m()), n = static_cast<double>(md.n()), h = static_cast<double>(md.h());
  const double r1 = md.problem().adapt_W1 ? static_cast<double>(md.r()) : 0.0;
  const double r2 = md.problem().adapt_W2 ? static_cast<double>(md.r()) : 0.0;
  const double linear = m * h * r1 + h * m * r1 + r2 * h * n + r2 * n * h;  // W2 B1, W2^T EAt, A2 W1, B2tE W1^T
  const double cauchy = r2 * h * r1 + r2 * r1 * n + m * r2 * r1             // A2B1, A2B1A1, B2 A2B1
                        + m * r2 * n + m * r1 * n + m * n * r1               // B2 N2, W2B1 A1, E A1^T
                        + r2 * m * r1 + h * r2 * r1 + r1 * m * n             // B2^T EAt, A2^T B2tEAt, M1^T E
                        + m * n * r2 + r2 * m * n + r2 * r1 * h;             // E N2^T, B2^T E, B2tEAt B1^T
  const double k = static_cast<double>(K);
  return k * (linear + md.objective().work()) + k * (k + 1) / 2 * cauchy;
}

template <class Real> void lora_series<Real>::reserve(int K) const {
  if (K <= m_K) return;  // storage for a higher order serves every lower one (the adaptive order moves by a few)
  const lora_model<Real>& md = *m_model;
  const Eigen::Index m = md.m(), n = md.n(), r1 = md.problem().adapt_W1 ? md.r() : 0,
                     r2 = md.problem().adapt_W2 ? md.r() : 0;
  auto make = [&](series& s, Eigen::Index rows, Eigen::Index cols) {
    s.assign(static_cast<std::size_t>(K) + 1, matrix<Real>::Zero(rows, cols));
  };
  make(m_W2B1, m, r1);
  make(m_N2, r2, n);
  make(m_A2B1, r2, r1);
  make(m_A2B1A1, r2, n);
  make(m_M1, m, r1);
  make(m_E, m, n);
  make(m_EAt, m, r1);
  make(m_B2tEAt, r2, r1);
  make(m_B2tE, r2, n);
  m_K = K;
}

template <class Real>
void lora_series<Real>::expand(const vector<Real>& x0, int K, std::vector<vector<Real>>& c) const {
  if (K < 1) throw std::invalid_argument("lora_series: order must be >= 1");
  if (c.size() < static_cast<std::size_t>(K) + 1)
    throw std::invalid_argument("lora_series: coefficient storage holds " + std::to_string(c.size()) +
                                " vectors; expected order + 1 = " + std::to_string(K + 1));
  const lora_model<Real>& md = *m_model;
  if (x0.size() != md.dimension())
    throw std::invalid_argument("lora_series: state has " + std::to_string(x0.size()) + " entries; expected " +
                                std::to_string(md.dimension()));
  reserve(K);
  const lora_problem<Real>& p = md.problem();
  const Real& s = p.scale;
  const bool w1 = p.adapt_W1, w2 = p.adapt_W2;
  using cvec = const vector<Real>;
  auto A1 = [&](int j) { return md.A1(static_cast<cvec&>(c[static_cast<std::size_t>(j)])); };
  auto B1 = [&](int j) { return md.B1(static_cast<cvec&>(c[static_cast<std::size_t>(j)])); };
  auto A2 = [&](int j) { return md.A2(static_cast<cvec&>(c[static_cast<std::size_t>(j)])); };
  auto B2 = [&](int j) { return md.B2(static_cast<cvec&>(c[static_cast<std::size_t>(j)])); };
  auto at = [](series& v, int j) -> matrix<Real>& { return v[static_cast<std::size_t>(j)]; };
  // Getters for the Cauchy sums sum_j u_j v_(k-j) (detail::product_sum): term j of a series, or term k - j.
  auto term = [&](series& v) { return [&v, &at](int j) -> const matrix<Real>& { return at(v, j); }; };
  auto reversed = [&](series& v, int k) { return [&v, &at, k](int j) -> const matrix<Real>& { return at(v, k - j); }; };
  constexpr detail::product_mode set = detail::product_mode::set, sub = detail::product_mode::sub;

  c[0] = x0;
  for (int k = 0; k < K; ++k) {
    vector<Real>& f = c[static_cast<std::size_t>(k) + 1];  // holds f_k, then x_(k+1) = f_k / (k + 1)
    if (f.size() != x0.size()) f.resize(x0.size());
    // Shared products (lora_model::evaluate, as series).
    if (w1) detail::product_set(at(m_W2B1, k), p.W2, B1(k));
    if (w2) {
      detail::product_set(at(m_N2, k), A2(k), p.W1);
      if (w1) {
        matrix<Real>& a2b1 = at(m_A2B1, k);
        detail::product_sum(a2b1, set, k + 1, A2, [&](int j) { return B1(k - j); });
        matrix<Real>& a2b1a1 = at(m_A2B1A1, k);
        detail::product_sum(a2b1a1, set, k + 1, term(m_A2B1), [&](int j) { return A1(k - j); });
        at(m_N2, k).noalias() += s * a2b1a1;
        matrix<Real>& m1 = at(m_M1, k);
        detail::product_sum(m1, set, k + 1, B2, reversed(m_A2B1, k));
        m1 *= s;
        m1 += at(m_W2B1, k);
      }
    }
    if (w1 && !w2) at(m_M1, k) = at(m_W2B1, k);
    // R_k = [k = 0] dY - F_k, then E_k = Q[R_k] + [k = 0] c (E_k = R_k for frobenius).
    matrix<Real>& e = at(m_E, k);
    e.setZero();
    if (w2) detail::product_sum(e, sub, k + 1, B2, reversed(m_N2, k));
    if (w1) detail::product_sum(e, sub, k + 1, term(m_W2B1), [&](int j) { return A1(k - j); });
    e *= s;
    if (k == 0) e += p.dY;
    if (!md.frobenius()) md.objective().apply_quadratic(e, k == 0);
    // The field's coefficient f_k, block by block (lora_model::field, as series).
    if (w1) {
      matrix<Real>& eat = at(m_EAt, k);
      detail::product_sum(eat, set, k + 1, term(m_E), [&](int j) { return A1(k - j).transpose(); });
      auto dB1 = md.B1(f);
      detail::product_set(dB1, p.W2.transpose(), eat);
      if (w2) {
        matrix<Real>& b2eat = at(m_B2tEAt, k);
        detail::product_sum(b2eat, set, k + 1, [&](int j) { return B2(j).transpose(); }, reversed(m_EAt, k));
        // + s (A2^T B2tEAt)_k; the outer factor s of the field is applied to f_k once, below.
        detail::product_sum_add(dB1, s, k + 1, [&](int j) { return A2(j).transpose(); }, reversed(m_B2tEAt, k));
      }
      auto dA1 = md.A1(f);
      detail::product_sum(dA1, set, k + 1, [&](int j) { return at(m_M1, j).transpose(); }, reversed(m_E, k));
    }
    if (w2) {
      auto dB2 = md.B2(f);
      detail::product_sum(dB2, set, k + 1, term(m_E), [&](int j) { return at(m_N2, k - j).transpose(); });
      matrix<Real>& b2e = at(m_B2tE, k);
      detail::product_sum(b2e, set, k + 1, [&](int j) { return B2(j).transpose(); }, reversed(m_E, k));
      auto dA2 = md.A2(f);
      detail::product_set(dA2, b2e, p.W1.transpose());
      if (w1)
        detail::product_sum_add(dA2, s, k + 1, term(m_B2tEAt), [&](int j) { return B1(k - j).transpose(); });
    }
    const Real factor = s / Real(k + 1);
    f *= factor;
    if (p.weight_decay != 0) f.noalias() -= (p.weight_decay / Real(k + 1)) * c[static_cast<std::size_t>(k)];
  }
}

#define LORAFLOW_INST_LORA_SERIES(EXT, T) EXT template class lora_series<T>;
#ifndef LORAFLOW_NO_EXTERN_TEMPLATES
LORAFLOW_EXTERN_ALL(LORAFLOW_INST_LORA_SERIES)
#endif

}  // namespace loraflow
