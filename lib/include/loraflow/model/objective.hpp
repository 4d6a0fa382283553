// loraflow/model/objective.hpp: the smooth objective f(X) that LoRA minimises, as a function of the adapted
// matrix X (the F of lora_model: the change that the adapters make to the pretrained product W2 W1).
//
// What an objective gives (all at X = F, m x n, with the target shift dY = S of the problem):
//   value f(X);   the negative gradient E = -grad f(X) (what the gradient-flow field multiplies by the factors);
//   a Hessian-vector product H(X)[V] = d/de grad f(X + e V) at e = 0.
// The kinds (catalogue ../shared/theory/lora-weight-decay-gd-scaling.md, sections 1.1 and 1.7):
//   frobenius  f = 1/2 ||S - X||^2                         E = R,                   H[V] = V
//   weighted   f = 1/2 sum w_ij (S - X)_ij^2               E = w o R,               H[V] = w o V
//   sensing    f = 1/(2N) sum_k r_k^2, r = A(R) + eps      E = A*(r) / N,           H[V] = A*(A(V)) / N
//   logistic   f = 1/N sum_i [lse(z_i) - z_(y_i, i)],  Z = (W0 + X) Xf,  P = softmax of each column of Z
//                                                      E = (Y - P) Xf^T / N,    H[V] = (1/N) sum_i J_i (V x_i) x_i^T
// with R = S - X the residual, A(V)_k = <M_k, V> the sensing operator (row k of `sensing` is vec(M_k)^T, column-major
// vec), A* its adjoint, eps_k the measurement noise (y_k = <M_k, S> + eps_k), W0 = W2 W1 the pretrained product,
// Xf (n x N) the features, Y the one-hot labels (m classes) and J_i = diag(p_i) - p_i p_i^T the softmax Jacobian.
//
// Digits. The quadratic kinds are evaluated from R = S - X, which the caller forms from the small quantities
// (lora_model: E = dY - F), so the sensing residual is A(S - X) + eps, never y minus A(X) formed as a difference of
// O(1) predictions: a loss floor of 1e-40 keeps its digits. Each quadratic kind is an affine map of R,
// E = Q[R] + c (Q self-adjoint and positive semi-definite, c = A*(eps)/N for noisy sensing, else 0), which is what
// lets the Taylor method (model/lora_series.hpp) expand it coefficient by coefficient; logistic is not polynomial.
//
// Cost of one evaluation: frobenius 0; weighted m n; sensing 2 N m n; logistic 2 m n N plus m N exponentials.
// Nothing allocates after construction (the workspace is sized there); an object owns mutable scratch space, so
// use one per thread (lora_model owns one).
#pragma once

#include <loraflow/linalg.hpp>
#include <loraflow/product.hpp>
#include <loraflow/random.hpp>
#include <loraflow/scalar.hpp>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace loraflow {

/// The objectives, one table (names, whether the Taylor method can expand them, one line each for --help).
enum class objective_kind { frobenius, weighted, sensing, logistic };

struct objective_info {
  objective_kind kind;
  const char* name;    ///< config spelling ([objective] kind)
  bool quadratic;      ///< E = Q[R] + c: a polynomial field, so the Taylor method serves it
  const char* summary;
};

inline constexpr objective_info objective_table[] = {
    {objective_kind::frobenius, "frobenius", true, "1/2 ||S - X||_F^2, whitened matrix factorization (default)"},
    {objective_kind::weighted, "weighted", true, "1/2 sum w_ij (S - X)_ij^2, entrywise weights w > 0"},
    {objective_kind::sensing, "sensing", true, "1/(2N) sum_k (y_k - <M_k, X>)^2, y_k = <M_k, S> + noise"},
    {objective_kind::logistic, "logistic", false,
     "1/N sum_i cross-entropy(softmax((W0 + X) x_i), y_i), multinomial logistic regression"},
};

inline const objective_info& info_of(objective_kind k) {
  for (const objective_info& i : objective_table)
    if (i.kind == k) return i;
  throw std::logic_error("objective_kind missing from objective_table");
}

inline std::optional<objective_kind> parse_objective_kind(const std::string& s) {
  for (const objective_info& i : objective_table)
    if (s == i.name) return i.kind;
  return std::nullopt;
}

/// "frobenius, weighted, sensing or logistic", for error messages and --help.
inline std::string objective_list() {
  std::string out;
  const std::size_t n = std::size(objective_table);
  for (std::size_t i = 0; i < n; ++i) {
    if (i) out += (i + 1 == n) ? " or " : ", ";
    out += objective_table[i].name;
  }
  return out;
}

/// The data of an objective. Only the members of its kind are read; the others stay empty.
template <class Real> struct objective_data {
  objective_kind kind = objective_kind::frobenius;
  matrix<Real> weights;                 ///< weighted: m x n, every entry > 0
  matrix<Real> sensing;                 ///< sensing: N x (m n), row k = vec(M_k)^T (column-major)
  vector<Real> noise;                   ///< sensing: N noise values eps_k, or empty for none
  matrix<Real> features;                ///< logistic: n x N, column i = x_i
  std::vector<Eigen::Index> labels;     ///< logistic: N class indices in [0, m)
};

template <class Real> class objective {
 public:
  using map = Eigen::Map<matrix<Real>>;
  using cvec_map = Eigen::Map<const vector<Real>>;

  /// Checks the data against the shapes (m = W2.rows(), n = W1.cols()); logistic keeps Z0 = W2 (W1 Xf).
  objective(objective_data<Real> d, const matrix<Real>& W2, const matrix<Real>& W1);

  objective_kind kind() const { return m_d.kind; }
  bool quadratic() const { return info_of(m_d.kind).quadratic; }
  const objective_data<Real>& data() const { return m_d; }
  Eigen::Index samples() const { return m_N; }  ///< N for sensing and logistic, else 0

  /// Multiply-adds of one negative_gradient beyond forming R (the cost line in the header).
  double work() const {
    const double mn = static_cast<double>(m_m) * static_cast<double>(m_n), N = static_cast<double>(m_N);
    switch (m_d.kind) {
      case objective_kind::frobenius: return 0;
      case objective_kind::weighted: return mn;
      case objective_kind::sensing: return 2 * N * mn;
      case objective_kind::logistic: return 2 * N * mn + static_cast<double>(m_m) * N;
    }
    return 0;
  }

  /// A Lipschitz constant L_f of grad f in the Frobenius norm (||grad f(X) - grad f(Y)|| <= L_f ||X - Y||), with
  /// whether it is the exact (smallest) one. The quadratic kinds have a constant Hessian H, so L_f = ||H||_2 exactly:
  /// frobenius 1, weighted max w_ij, sensing sigma_max(A)^2 / N. Logistic: H[V] = (1/N) sum_i J_i (V x_i) x_i^T with
  /// 0 <= J_i <= 1/2 I (the softmax Jacobian diag(p) - p p^T: row c has diagonal p_c (1 - p_c) and off-diagonal
  /// absolute sum p_c (1 - p_c), so by Gershgorin every eigenvalue is at most 2 p_c (1 - p_c) <= 1/2), so
  /// <V, H[V]> <= (1/(2N)) sum_i ||V x_i||^2 <= sigma_max(Xf)^2 / (2N) ||V||^2: an upper bound, not exact.
  /// Computed on each call (an SVD for sensing and logistic): call it once, not in a loop.
  std::pair<Real, bool> smoothness() const {
    switch (m_d.kind) {
      case objective_kind::frobenius: return {Real(1), true};
      case objective_kind::weighted: return {Real(m_d.weights.maxCoeff()), true};
      case objective_kind::sensing: {
        const Real s = linalg::svd<Real>(m_d.sensing).s(0);
        return {Real(s * s / Real(m_N)), true};
      }
      case objective_kind::logistic: {
        const Real s = linalg::svd<Real>(m_d.features).s(0);
        return {Real(s * s / Real(2 * m_N)), false};
      }
    }
    return {Real(0), false};
  }

  /// E = -grad f(X), given X and R = S - X (formed by the caller from the small quantities).
  void negative_gradient(const matrix<Real>& X, const matrix<Real>& R, matrix<Real>& E) const;

  /// f(X) from the evaluation negative_gradient has just made for the same X and R (no re-evaluation).
  Real evaluated_value(const matrix<Real>& R) const;

  /// f(X), evaluating from scratch.
  Real value(const matrix<Real>& X, const matrix<Real>& R) const {
    negative_gradient(X, R, m_E);
    return evaluated_value(R);
  }

  /// out = H(X)[V], the Hessian of f at X applied to V (X is read only by logistic, which re-evaluates the softmax
  /// at X: evaluated_value then refers to X).
  void hessian_product(const matrix<Real>& X, const matrix<Real>& V, matrix<Real>& out) const;

  /// Quadratic kinds: RE <- Q[RE] (+ c when with_offset), the affine map E = Q[R] + c in place. For the Taylor
  /// coefficients E_k = Q[R_k] + [k = 0] c. Throws std::logic_error for logistic.
  void apply_quadratic(matrix<Real>& RE, bool with_offset) const;

 private:
  void softmax_at(const matrix<Real>& X) const;  // m_Z = Z0 + X Xf, m_P = softmax(m_Z) by column, m_lse

  objective_data<Real> m_d;
  Eigen::Index m_m = 0, m_n = 0, m_N = 0;
  matrix<Real> m_offset;                 // sensing: A*(eps) / N (m x n), empty without noise
  matrix<Real> m_Z0;                     // logistic: W0 Xf (m x N)
  mutable vector<Real> m_r;              // sensing: A(R) + eps (N), read by evaluated_value
  mutable vector<Real> m_rh;             // sensing: A(V) of hessian_product (N), so m_r survives it
  mutable matrix<Real> m_Z, m_P, m_dZ;   // logistic: logits, probabilities, Hessian scratch (m x N)
  mutable vector<Real> m_lse;            // logistic: log-sum-exp of each column (N)
  mutable matrix<Real> m_E;              // value(): scratch for the negative gradient
};

template <class Real>
objective<Real>::objective(objective_data<Real> d, const matrix<Real>& W2, const matrix<Real>& W1)
    : m_d(std::move(d)), m_m(W2.rows()), m_n(W1.cols()) {
  const std::string shape = std::to_string(m_m) + "x" + std::to_string(m_n);
  switch (m_d.kind) {
    case objective_kind::frobenius:
      break;
    case objective_kind::weighted: {
      const matrix<Real>& w = m_d.weights;
      if (w.rows() != m_m || w.cols() != m_n)
        throw std::invalid_argument("objective weighted: weights are " + std::to_string(w.rows()) + "x" +
                                    std::to_string(w.cols()) + "; expected " + shape + " (the shape of dY)");
      for (Eigen::Index j = 0; j < w.cols(); ++j)
        for (Eigen::Index i = 0; i < w.rows(); ++i)
          if (!(w(i, j) > 0) || !is_finite(w(i, j)))
            throw std::invalid_argument("objective weighted: weight (" + std::to_string(i) + ", " +
                                        std::to_string(j) + ") is " + to_string(w(i, j)) +
                                        "; expected a finite value > 0");
      break;
    }
    case objective_kind::sensing: {
      const matrix<Real>& A = m_d.sensing;
      m_N = A.rows();
      if (m_N < 1 || A.cols() != m_m * m_n)
        throw std::invalid_argument("objective sensing: the measurement matrix is " + std::to_string(A.rows()) +
                                    "x" + std::to_string(A.cols()) + "; expected N x " +
                                    std::to_string(m_m * m_n) + " (N >= 1 rows, one vec(M_k) of a " + shape +
                                    " matrix per row)");
      if (m_d.noise.size() != 0 && m_d.noise.size() != m_N)
        throw std::invalid_argument("objective sensing: noise has " + std::to_string(m_d.noise.size()) +
                                    " entries; expected N = " + std::to_string(m_N) + " or none");
      m_r.resize(m_N);
      m_rh.resize(m_N);
      if (m_d.noise.size() != 0) {
        m_offset.resize(m_m, m_n);
        map(m_offset.data(), m_m * m_n, 1) = A.transpose() * m_d.noise / Real(m_N);
      }
      break;
    }
    case objective_kind::logistic: {
      const matrix<Real>& Xf = m_d.features;
      m_N = Xf.cols();
      if (Xf.rows() != m_n || m_N < 1)
        throw std::invalid_argument("objective logistic: features are " + std::to_string(Xf.rows()) + "x" +
                                    std::to_string(Xf.cols()) + "; expected " + std::to_string(m_n) +
                                    " x N (one column per sample, N >= 1)");
      if (static_cast<Eigen::Index>(m_d.labels.size()) != m_N)
        throw std::invalid_argument("objective logistic: " + std::to_string(m_d.labels.size()) +
                                    " labels for " + std::to_string(m_N) + " samples; expected one per sample");
      for (std::size_t i = 0; i < m_d.labels.size(); ++i)
        if (m_d.labels[i] < 0 || m_d.labels[i] >= m_m)
          throw std::invalid_argument("objective logistic: label " + std::to_string(i) + " is " +
                                      std::to_string(m_d.labels[i]) + "; expected a class in [0, " +
                                      std::to_string(m_m) + ")");
      m_Z0 = W2 * (W1 * Xf);
      m_Z.resize(m_m, m_N);
      m_P.resize(m_m, m_N);
      m_dZ.resize(m_m, m_N);
      m_lse.resize(m_N);
      break;
    }
  }
  m_E.resize(m_m, m_n);
}

template <class Real> void objective<Real>::softmax_at(const matrix<Real>& X) const {
  using std::exp;
  using std::log;
  m_Z = m_Z0;
  detail::product_add(m_Z, X, m_d.features);
  for (Eigen::Index i = 0; i < m_N; ++i) {
    const Real zmax = m_Z.col(i).maxCoeff();
    Real sum = Real(0);
    for (Eigen::Index c = 0; c < m_m; ++c) {
      m_P(c, i) = exp(m_Z(c, i) - zmax);
      sum += m_P(c, i);
    }
    m_P.col(i) /= sum;
    m_lse(i) = zmax + log(sum);
  }
}

template <class Real>
void objective<Real>::negative_gradient(const matrix<Real>& X, const matrix<Real>& R, matrix<Real>& E) const {
  switch (m_d.kind) {
    case objective_kind::frobenius:
      E = R;
      return;
    case objective_kind::weighted:
      E = m_d.weights.cwiseProduct(R);
      return;
    case objective_kind::sensing: {
      detail::product_set(m_r, m_d.sensing, cvec_map(R.data(), m_m * m_n));
      if (m_d.noise.size() != 0) m_r += m_d.noise;
      map e(E.data(), m_m * m_n, 1);
      detail::product_set(e, m_d.sensing.transpose(), m_r);
      E /= Real(m_N);
      return;
    }
    case objective_kind::logistic: {
      softmax_at(X);
      // dZ = Y - P, then E = dZ Xf^T / N.
      m_dZ = -m_P;
      for (Eigen::Index i = 0; i < m_N; ++i) m_dZ(m_d.labels[static_cast<std::size_t>(i)], i) += Real(1);
      detail::product_set(E, m_dZ, m_d.features.transpose());
      E /= Real(m_N);
      return;
    }
  }
}

template <class Real> Real objective<Real>::evaluated_value(const matrix<Real>& R) const {
  switch (m_d.kind) {
    case objective_kind::frobenius:
      return squared_norm(R) / 2;
    case objective_kind::weighted: {
      Real f = Real(0);
      for (Eigen::Index j = 0; j < m_n; ++j)
        for (Eigen::Index i = 0; i < m_m; ++i) f += m_d.weights(i, j) * R(i, j) * R(i, j);
      return f / 2;
    }
    case objective_kind::sensing:
      return squared_norm(m_r) / (2 * Real(m_N));
    case objective_kind::logistic: {
      Real f = Real(0);
      for (Eigen::Index i = 0; i < m_N; ++i) f += m_lse(i) - m_Z(m_d.labels[static_cast<std::size_t>(i)], i);
      return f / Real(m_N);
    }
  }
  return Real(0);
}

template <class Real>
void objective<Real>::hessian_product(const matrix<Real>& X, const matrix<Real>& V, matrix<Real>& out) const {
  switch (m_d.kind) {
    case objective_kind::frobenius:
      out = V;
      return;
    case objective_kind::weighted:
      out = m_d.weights.cwiseProduct(V);
      return;
    case objective_kind::sensing: {
      detail::product_set(m_rh, m_d.sensing, cvec_map(V.data(), m_m * m_n));
      map o(out.data(), m_m * m_n, 1);
      detail::product_set(o, m_d.sensing.transpose(), m_rh);
      out /= Real(m_N);
      return;
    }
    case objective_kind::logistic: {
      softmax_at(X);
      detail::product_set(m_dZ, V, m_d.features);  // dZ = V Xf
      for (Eigen::Index i = 0; i < m_N; ++i) {       // J_i dz_i = p_i o dz_i - p_i (p_i . dz_i)
        const Real pd = m_P.col(i).dot(m_dZ.col(i));
        for (Eigen::Index c = 0; c < m_m; ++c) m_dZ(c, i) = m_P(c, i) * (m_dZ(c, i) - pd);
      }
      detail::product_set(out, m_dZ, m_d.features.transpose());
      out /= Real(m_N);
      return;
    }
  }
}

template <class Real> void objective<Real>::apply_quadratic(matrix<Real>& RE, bool with_offset) const {
  switch (m_d.kind) {
    case objective_kind::frobenius:
      return;
    case objective_kind::weighted:
      RE.array() *= m_d.weights.array();
      return;
    case objective_kind::sensing: {
      detail::product_set(m_r, m_d.sensing, cvec_map(RE.data(), m_m * m_n));
      map e(RE.data(), m_m * m_n, 1);
      detail::product_set(e, m_d.sensing.transpose(), m_r);
      RE /= Real(m_N);
      if (with_offset && m_offset.size() != 0) RE += m_offset;
      return;
    }
    case objective_kind::logistic:
      throw std::logic_error("objective logistic: not a quadratic objective (the Taylor method cannot expand it)");
  }
}

// ---- Seeded generators (the [objective] recipes of run configs; catalogue section 1.7, Tests 2 and 3) ----------
// Draws come from gaussian_stream(seed, streams::objective): identical in every scalar type, so a 50-digit run and
// a double run see the same data (the double draws converted exactly).

/// Weights with w_max / w_min = ratio exactly: w_ij = ratio^u_ij with u the Gaussian draws mapped affinely onto
/// [0, 1] (so the smallest weight is 1 and the largest is ratio). ratio = 1 gives unit weights (frobenius).
template <class Real> matrix<Real> weights_with_ratio(Eigen::Index m, Eigen::Index n, const Real& ratio, std::uint64_t seed) {
  using std::pow;
  if (!(ratio >= 1)) throw std::invalid_argument("weights_with_ratio: ratio must be >= 1");
  if (m * n < 2) return matrix<Real>::Ones(m, n);
  gaussian_stream g(seed, streams::objective);
  const matrix<Real> z = g.normal_matrix<Real>(m, n);
  const Real lo = z.minCoeff(), hi = z.maxCoeff();
  matrix<Real> w(m, n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < m; ++i) {
      const Real u = z(i, j) == hi ? Real(1) : Real((z(i, j) - lo) / (hi - lo));
      w(i, j) = u == 0 ? Real(1) : u == 1 ? ratio : Real(pow(ratio, u));
    }
  return w;
}

/// N Gaussian measurement matrices with independent N(0, 1) entries, as the N x (m n) operator of objective_data
/// (isotropic: E (1/N) sum_k <M_k, V>^2 = ||V||_F^2), and N(0, noise^2) measurement noise (empty when noise = 0).
template <class Real> void gaussian_sensing(Eigen::Index N, Eigen::Index m, Eigen::Index n, const Real& noise,
                                            std::uint64_t seed, objective_data<Real>& d) {
  gaussian_stream g(seed, streams::objective);
  d.sensing = g.normal_matrix<Real>(N, m * n);
  d.noise.resize(0);
  if (noise != 0) d.noise = noise * g.normal_matrix<Real>(N, 1).col(0);
}

/// N samples x_i ~ N(0, I_n) labelled by the teacher T = W0 + S (the pretrained product plus the target shift):
/// separable: y_i = argmax_c (T x_i)_c (the teacher fits the labels, and the loss has no finite minimiser: the
/// unbounded regime of Mu and Klabjan); otherwise y_i is drawn from softmax(T x_i) (a finite minimiser exists
/// almost surely once N is large).
template <class Real> void teacher_logistic(Eigen::Index N, const matrix<Real>& teacher, bool separable,
                                            std::uint64_t seed, objective_data<Real>& d) {
  gaussian_stream g(seed, streams::objective);
  d.features = g.normal_matrix<Real>(teacher.cols(), N);
  const matrix<Real> Z = teacher * d.features;
  d.labels.assign(static_cast<std::size_t>(N), 0);
  for (Eigen::Index i = 0; i < N; ++i) {
    Eigen::Index best = 0;
    for (Eigen::Index c = 1; c < Z.rows(); ++c)
      if (Z(c, i) > Z(best, i)) best = c;
    if (!separable) {
      // Inverse-CDF draw from softmax(z_i) with u = Phi(normal draw) in (0, 1), in double (labels are data: the
      // same in every scalar type).
      const double u = 0.5 * std::erfc(-g.next() / std::sqrt(2.0));
      const double zmax = to_double(Z(best, i));
      double total = 0;
      for (Eigen::Index c = 0; c < Z.rows(); ++c) total += std::exp(to_double(Z(c, i)) - zmax);
      double acc = 0;
      Eigen::Index pick = Z.rows() - 1;
      for (Eigen::Index c = 0; c < Z.rows(); ++c) {
        acc += std::exp(to_double(Z(c, i)) - zmax) / total;
        if (u < acc) {
          pick = c;
          break;
        }
      }
      best = pick;
    }
    d.labels[static_cast<std::size_t>(i)] = best;
  }
}

#define LORAFLOW_INST_OBJECTIVE(EXT, T) EXT template class objective<T>;
#ifndef LORAFLOW_NO_EXTERN_TEMPLATES
LORAFLOW_EXTERN_ALL(LORAFLOW_INST_OBJECTIVE)
#endif

}  // namespace loraflow
