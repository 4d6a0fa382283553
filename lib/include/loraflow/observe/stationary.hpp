// loraflow/observe/stationary.hpp: what kind of point a LoRA state is, and how far it is from the global minimum
// (Kim, Kim, Ryu 2025; catalogue ../shared/theory/lora-weight-decay-gd-scaling.md, sections 1.3 and 1.7).
//
// For a state x of L = f(F) + lambda/2 ||x||^2 (model/lora.hpp) at LoRA scale s:
//   - ||grad L||, and the spectrum of the Hessian of L from exact Hessian-vector products (lora_model::
//     hessian_product), dense (dim x dim, then linalg::sym_eig): every eigenvalue at working precision; above
//     dense_hessian_max_dim, the extreme ones from Lanczos with full reorthogonalisation (lanczos_ritz);
//   - the singular values and numerical rank of X = F, the balance ||B_i^T B_i - A_i A_i^T||_F of each adapter
//     (0 at every stationary point with lambda > 0: catalogue 1.3, derived diagnostic (a));
//   - the dual certificate ||grad f(X)||_2 against mu = lambda / s (the weight decay in X-space, catalogue 1.7
//     Test 4): for convex f, X is the global minimiser of f + mu ||.||_* iff ||grad f(X)||_2 <= mu (diagnostic (c));
//   - the global minimiser of f + mu ||X||_* (nuclear_minimiser): singular-value soft-thresholding at mu on the top
//     r for frobenius (catalogue 1.7 Test 1, O11), accelerated proximal gradient for the other convex objectives.
// Classification (with the tolerances of stationary_options): not stationary (||grad L|| > grad_tol), strict saddle
// (smallest Hessian eigenvalue < -hess_tol), or second-order stationary; and global or spurious by the distance
// to the oracle.
// analyze_state derives those tolerances from the state's resolution delta (its relative error: the run's rtol, or
// a few eps for an exact iterate), never from the verdict they decide:
//   grad_tol   = (delta ||x|| + 64 eps max(1, ||x||)) ||H||_2: the first-order change of grad L under a state error
//                of size delta ||x|| (plus the gradient's own rounding);
//   hess_tol   = sqrt(dim) max_k ||H(x + d_k) - H(x)||_2 + 64 eps ||H||_2 over two seeded random d_k with
//                ||d_k|| = delta ||x||: the Hessian's change under the state error, measured (sqrt(dim): a worst-case
//                direction against a random one);
//   rank_tol   = sqrt(delta): singular values of F below sqrt(delta) sigma_1 count as zero (directions that decay
//                exponentially towards a lower-rank limit are still above delta at any finite time);
//   global_tol = sqrt(delta) max(1, ||X_star||_F): a state whose gradient is at its resolution lies within O(delta)
//                of a nondegenerate minimiser and within O(sqrt(delta)) of a degenerate one (quadratic growth of L);
//                the spurious points of the generic regime sit at O(1) distance (catalogue 1.7, Fig. 2).
// The oracle exists only for the one-matrix form (is_one_matrix, model/lora.hpp), where the LoRA problem with weight
// decay is equivalent to f + (lambda/s) ||X||_* over rank <= r (catalogue 1.7); otherwise the analysis says why
// there is none, and global is unknown.
// Not for the hot loop: it allocates and costs dim Hessian-vector products plus one dense eigensolve.
#pragma once

#include <loraflow/linalg.hpp>
#include <loraflow/model/lora.hpp>

#include <optional>
#include <string>

#include <loraflow/random.hpp>

#include <algorithm>
#include <limits>

namespace loraflow {

/// U diag((s_i - tau)_+) V^T over the top `keep` singular triples of Y (keep < 0: all). With kept, also the
/// thresholded singular values s_i - tau > 0 (descending; their count is the rank, exactly: an SVD of the result
/// would show rounding-level singular values instead of zeros).
template <class Real>
matrix<Real> soft_threshold(const matrix<Real>& Y, const Real& tau, Eigen::Index keep = -1, vector<Real>* kept = nullptr) {
  const linalg::svd_result<Real> d = linalg::svd<Real>(Y);
  matrix<Real> X = matrix<Real>::Zero(Y.rows(), Y.cols());
  const Eigen::Index k = keep < 0 ? d.s.size() : std::min<Eigen::Index>(keep, d.s.size());
  Eigen::Index count = 0;
  for (Eigen::Index i = 0; i < k; ++i)
    if (d.s(i) > tau) {
      X.noalias() += (d.s(i) - tau) * d.U.col(i) * d.V.col(i).transpose();
      ++count;
    }
  if (kept) {
    kept->resize(count);
    for (Eigen::Index i = 0; i < count; ++i) (*kept)(i) = d.s(i) - tau;
  }
  return X;
}

/// The global minimiser of f(X) + mu ||X||_*.
template <class Real> struct nuclear_oracle {
  matrix<Real> X;
  vector<Real> sigma;          ///< its nonzero singular values, descending (from the last soft-thresholding)
  Eigen::Index rank = 0;       ///< r_star = sigma.size(): soft-thresholding sets the others to exactly 0
  long iterations = 0;         ///< 0 for the closed form
  Real step_change = Real(0);  ///< last ||X_(k+1) - X_k||_F (0 for the closed form)
  bool converged = true;
  std::string method;
};

/// mu = lambda / s. frobenius: the closed form on the top r (the LoRA rank). Otherwise accelerated proximal gradient
/// (FISTA with gradient restart) with step 1 / beta, beta = the objective's smoothness constant, from X = 0 until
/// ||X_(k+1) - X_k||_F <= tol max(1, ||X_k||_F) or max_iter.
template <class Real>
nuclear_oracle<Real> nuclear_minimiser(const lora_model<Real>& model, const Real& mu, const Real& beta, const Real& tol,
                                       long max_iter) {
  using std::sqrt;
  const lora_problem<Real>& p = model.problem();
  const objective<Real>& f = model.objective();
  nuclear_oracle<Real> o;
  if (f.kind() == objective_kind::frobenius) {
    o.X = soft_threshold<Real>(p.dY, mu, p.rank, &o.sigma);
    o.method = "singular-value soft-thresholding at lambda/s on the top r (closed form)";
  } else {
    const Real t = 1 / beta;
    matrix<Real> X = matrix<Real>::Zero(p.dY.rows(), p.dY.cols()), Y = X, Xn, E(X.rows(), X.cols());
    Real theta(1);
    o.converged = false;
    for (o.iterations = 1; o.iterations <= max_iter; ++o.iterations) {
      f.negative_gradient(Y, matrix<Real>(p.dY - Y), E);
      Xn = soft_threshold<Real>(matrix<Real>(Y + t * E), t * mu, -1, &o.sigma);
      o.step_change = sqrt(squared_norm(matrix<Real>(Xn - X)));
      const Real thn = (1 + sqrt(1 + 4 * theta * theta)) / 2;
      // Restart when the momentum points uphill (O'Donoghue and Candes 2015).
      const bool restart = (matrix<Real>(Y - Xn).cwiseProduct(matrix<Real>(Xn - X))).sum() > 0;
      Y = restart ? Xn : matrix<Real>(Xn + ((theta - 1) / thn) * (Xn - X));
      theta = restart ? Real(1) : thn;
      X = Xn;
      if (o.step_change <= tol * std::max(Real(1), Real(sqrt(squared_norm(X))))) {
        o.converged = true;
        break;
      }
    }
    o.X = X;
    o.method = "accelerated proximal gradient on f + (lambda/s) ||X||_*";
  }
  o.rank = o.sigma.size();
  return o;
}

/// unresolved: stationary, no Ritz value below -hess_tol, but the smallest one's residual bound does not exclude an
/// eigenvalue below -hess_tol (the Lanczos path only; analyze_state).
enum class point_kind { not_stationary, strict_saddle, second_order_stationary, unresolved };
inline const char* point_kind_name(point_kind k) {
  switch (k) {
    case point_kind::not_stationary: return "not stationary";
    case point_kind::strict_saddle: return "strict saddle";
    case point_kind::second_order_stationary: return "second-order stationary";
    case point_kind::unresolved: return "second-order stationarity unresolved";
  }
  return "?";
}

template <class Real> struct stationary_options {
  Real grad_tol;   ///< stationary when ||grad L|| <= grad_tol
  Real hess_tol;   ///< second order when the smallest Hessian eigenvalue >= -hess_tol
  Real rank_tol;   ///< numerical rank: sigma_i > rank_tol sigma_1
  Real global_tol; ///< global when ||F - X_star||_F <= global_tol
};

template <class Real> struct stationary_analysis {
  Real loss, grad_norm;
  vector<Real> hessian;        ///< every eigenvalue of Hess L, ascending
  vector<Real> sigma;          ///< singular values of F, descending
  Eigen::Index rank = 0;
  Real balance1, balance2;     ///< ||B_i^T B_i - A_i A_i^T||_F (NaN for a disabled adapter)
  Real dual_norm, mu;          ///< ||grad f(F)||_2 and lambda / s
  point_kind kind = point_kind::not_stationary;
  Real distance;               ///< ||F - X_star||_F (NaN without an oracle)
  bool global = false;
};

/// The Hessian of L at x, dense and symmetrised ((H + H^T) / 2): one exact Hessian-vector product
/// (lora_model::hessian_product) per column.
template <class Real> matrix<Real> dense_hessian(const lora_model<Real>& model, const vector<Real>& x) {
  const Eigen::Index dim = model.dimension();
  matrix<Real> H(dim, dim);
  vector<Real> e = vector<Real>::Zero(dim), col;
  for (Eigen::Index j = 0; j < dim; ++j) {
    e(j) = 1;
    model.hessian_product(x, e, col);
    H.col(j) = col;
    e(j) = 0;
  }
  return matrix<Real>((H + H.transpose()) / 2);
}

/// Above this dimension analyze_state takes the Hessian's spectrum from Lanczos (lanczos_ritz) instead of the dense
/// Hessian: dim Hessian-vector products and an O(dim^3) eigensolve at working precision would dominate.
constexpr Eigen::Index dense_hessian_max_dim = 400;

/// Ritz values of a symmetric operator (apply(v, out): out = H v) by Lanczos with full reorthogonalisation from a
/// seeded random start, ascending, and how they were obtained. The extreme Ritz values converge first (Kaniel-Paige);
/// the iteration stops when both extreme Ritz pairs have residual beta_k |e_k^T s| <= tol max|Ritz|, when the Krylov
/// space is invariant (beta_k <= tol max|Ritz|: the Ritz values are then eigenvalues), or after max_steps. Each Ritz value lies inside
/// the spectrum, and an eigenvalue lies within its residual of it (residual_min, residual_max).
template <class Real> struct lanczos_result {
  vector<Real> ritz;                   ///< ascending
  Real residual_min, residual_max;     ///< the residual bounds of the smallest and largest Ritz values
  Eigen::Index steps = 0;
  bool converged = false;
};

template <class Real, class Apply>
lanczos_result<Real> lanczos_ritz(const Apply& apply, Eigen::Index dim, Eigen::Index max_steps, const Real& tol,
                                  std::uint64_t seed) {
  using std::abs;
  using std::sqrt;
  lanczos_result<Real> r;
  max_steps = std::min(max_steps, dim);
  matrix<Real> Q(dim, max_steps);
  vector<Real> alpha(max_steps), beta(max_steps), w;
  gaussian_stream g(seed, streams::adapters);
  vector<Real> q = g.normal_matrix<Real>(dim, 1).col(0);
  q /= sqrt(squared_norm(q));
  for (Eigen::Index k = 0; k < max_steps; ++k) {
    Q.col(k) = q;
    apply(q, w);
    alpha(k) = q.dot(w);
    // Full reorthogonalisation, twice (classical Gram-Schmidt against every Lanczos vector so far).
    for (int pass = 0; pass < 2; ++pass) w -= Q.leftCols(k + 1) * vector<Real>(Q.leftCols(k + 1).transpose() * w);
    beta(k) = sqrt(squared_norm(w));
    const Eigen::Index n = k + 1;
    const bool last = n == max_steps || !(beta(k) > 0);
    if (last || n % 10 == 0) {
      matrix<Real> T = matrix<Real>::Zero(n, n);
      for (Eigen::Index i = 0; i < n; ++i) {
        T(i, i) = alpha(i);
        if (i + 1 < n) T(i, i + 1) = T(i + 1, i) = beta(i);
      }
      const linalg::sym_eig_result<Real> e = linalg::sym_eig<Real>(T);  // descending
      r.ritz = e.values.reverse();
      r.residual_max = abs(beta(k) * e.vectors(n - 1, 0));
      r.residual_min = abs(beta(k) * e.vectors(n - 1, n - 1));
      r.steps = n;
      const Real scale = std::max(Real(abs(r.ritz(0))), Real(abs(r.ritz(n - 1))));
      r.converged = beta(k) <= tol * scale || (r.residual_min <= tol * scale && r.residual_max <= tol * scale) ||
                    n == dim;
      if (r.converged || last) return r;
    }
    q = w / beta(k);
  }
  return r;
}

template <class Real>
stationary_analysis<Real> analyze_point(const lora_model<Real>& model, const vector<Real>& x,
                                        const stationary_options<Real>& opt,
                                        const nuclear_oracle<Real>* oracle = nullptr,
                                        const matrix<Real>* hessian = nullptr,
                                        const vector<Real>* eigenvalues = nullptr) {
  using std::sqrt;
  stationary_analysis<Real> a;
  vector<Real> g;
  model.gradient(x, g);
  a.grad_norm = sqrt(squared_norm(g));
  a.loss = model.loss(x);
  if (eigenvalues) {  // the spectrum (ascending), or Lanczos's Ritz values, given by the caller
    a.hessian = *eigenvalues;
  } else if (hessian) {  // given (symmetrised) by the caller
    a.hessian = linalg::sym_eig<Real>(*hessian).values.reverse();
  } else {
    a.hessian = linalg::sym_eig<Real>(dense_hessian(model, x)).values.reverse();
  }
  const matrix<Real> F = model.product(x);
  a.sigma = linalg::svd<Real>(F).s;
  for (Eigen::Index i = 0; i < a.sigma.size(); ++i)
    if (a.sigma(i) > opt.rank_tol * a.sigma(0)) ++a.rank;
  const Real nan = std::numeric_limits<Real>::quiet_NaN();
  const lora_problem<Real>& p = model.problem();
  a.balance1 = p.adapt_W1 ? sqrt(squared_norm(matrix<Real>(model.B1(x).transpose() * model.B1(x) -
                                                            model.A1(x) * model.A1(x).transpose())))
                          : nan;
  a.balance2 = p.adapt_W2 ? sqrt(squared_norm(matrix<Real>(model.B2(x).transpose() * model.B2(x) -
                                                            model.A2(x) * model.A2(x).transpose())))
                          : nan;
  a.dual_norm = linalg::svd<Real>(matrix<Real>(model.negative_gradient(x))).s(0);
  a.mu = p.weight_decay / p.scale;
  a.kind = a.grad_norm > opt.grad_tol                ? point_kind::not_stationary
           : a.hessian(0) < -opt.hess_tol            ? point_kind::strict_saddle
                                                     : point_kind::second_order_stationary;
  a.distance = oracle ? Real(sqrt(squared_norm(matrix<Real>(F - oracle->X)))) : nan;
  a.global = oracle && a.distance <= opt.global_tol;
  return a;
}


/// beta, the smoothness constant of f in X (the Lipschitz constant of grad f; catalogue 1.7's beta, and the step
/// 1/beta of the proximal-gradient oracle): frobenius 1; weighted max w_ij; sensing ||A||_2^2 / N (the operator's
/// top singular value); logistic ||Xf||_2^2 / (2N) (the softmax Jacobian is bounded by I/2 in the Loewner order).
template <class Real> Real smoothness_constant(const objective<Real>& f) {
  const objective_data<Real>& d = f.data();
  switch (f.kind()) {
    case objective_kind::frobenius: return Real(1);
    case objective_kind::weighted: return d.weights.maxCoeff();
    case objective_kind::sensing: {
      const Real top = linalg::svd<Real>(d.sensing).s(0);
      return top * top / Real(f.samples());
    }
    case objective_kind::logistic: {
      const Real top = linalg::svd<Real>(d.features).s(0);
      return top * top / (2 * Real(f.samples()));
    }
  }
  return Real(1);
}


/// Kim et al.'s restricted constants of f (assumptions (A2)-(A3), catalogue 1.2 and 1.7 Tests 2-3) and the regime
/// they put a problem in. For a quadratic f the Hessian H is constant, so both are Rayleigh quotients <V, H[V]> / ||V||^2:
/// alpha the infimum over the directions X - X* (rank <= 2r, as r* <= r), beta the supremum over rank-2 directions.
///   frobenius: alpha = beta = 1, exact.
///   weighted:  w_min <= alpha and beta <= w_max (bounds, catalogue 1.7 Test 2), and the estimates below.
///   sensing:   beta <= ||A||_2^2 / N (smoothness_constant), and the estimates below.
/// Estimates: any direction's quotient is >= alpha and <= beta, so an estimate of alpha is an upper bound and one of
/// beta a lower bound (optimistic about the special regime). Monte-Carlo takes the extremes over random rank-k
/// directions (products of Gaussian factors); the adversarial estimate runs projected power iterations (V <-
/// P_k(H[V]) for beta, V <- P_k(c V - H[V]) with c an upper bound of beta for alpha; P_k the rank-k truncation) from
/// several starts, and is the one used (it is never more optimistic than Monte-Carlo: both are kept).
/// Regime: special when 2 alpha > beta, generic when 2 alpha < beta, ambiguous within 64 eps beta (the paper is
/// inconsistent about 2 alpha = beta, catalogue 1.3). certified says whether the guarantees decide it: special is
/// certified by lower/upper bounds (2 alpha_lower > beta_upper), generic by estimates (2 alpha_est <= beta_est).
/// logistic: not computed (its Hessian depends on X; the constants about X* are not estimated here).
template <class Real> struct restricted_constants {
  bool computed = false;
  Real alpha, beta;                 ///< the values the regime is read from (exact, or the adversarial estimates)
  Real alpha_lower, beta_upper;     ///< guaranteed bounds (alpha_lower = 0 when none is known)
  Real alpha_mc, beta_mc;           ///< plain Monte-Carlo estimates (optimistic)
  std::string how, regime;
  bool certified = false;
};

template <class Real>
restricted_constants<Real> restricted_constants_of(const objective<Real>& f, Eigen::Index m, Eigen::Index n,
                                                   Eigen::Index r, std::uint64_t seed = 0) {
  using std::sqrt;
  restricted_constants<Real> c;
  const Real nan = std::numeric_limits<Real>::quiet_NaN();
  c.alpha = c.beta = c.alpha_lower = c.beta_upper = c.alpha_mc = c.beta_mc = nan;
  if (f.kind() == objective_kind::logistic) {
    c.how = "not computed (logistic: the Hessian depends on X)";
    c.regime = "unknown";
    return c;
  }
  c.computed = true;
  if (f.kind() == objective_kind::frobenius) {
    c.alpha = c.beta = c.alpha_lower = c.beta_upper = c.alpha_mc = c.beta_mc = Real(1);
    c.how = "exact (alpha = beta = 1)";
  } else {
    const matrix<Real> zero = matrix<Real>::Zero(m, n);
    matrix<Real> HV(m, n);
    auto quotient = [&](const matrix<Real>& V) {
      f.hessian_product(zero, V, HV);
      return Real(V.cwiseProduct(HV).sum() / squared_norm(V));
    };
    auto truncate = [](const matrix<Real>& V, Eigen::Index k) {
      const linalg::svd_result<Real> d = linalg::svd<Real>(V);
      matrix<Real> out = matrix<Real>::Zero(V.rows(), V.cols());
      for (Eigen::Index i = 0; i < std::min<Eigen::Index>(k, d.s.size()); ++i)
        out.noalias() += d.s(i) * d.U.col(i) * d.V.col(i).transpose();
      return out;
    };
    c.beta_upper = smoothness_constant(f);
    c.alpha_lower = f.kind() == objective_kind::weighted ? Real(f.data().weights.minCoeff()) : Real(0);
    const Eigen::Index ka = std::min<Eigen::Index>(2 * r, std::min(m, n)), kb = std::min<Eigen::Index>(2, std::min(m, n));
    gaussian_stream g(seed, streams::constants);
    for (int i = 0; i < 1000; ++i) {
      const Real qa = quotient(matrix<Real>(g.normal_matrix<Real>(m, ka) * g.normal_matrix<Real>(ka, n)));
      const Real qb = quotient(matrix<Real>(g.normal_matrix<Real>(m, kb) * g.normal_matrix<Real>(kb, n)));
      c.alpha_mc = i == 0 ? qa : std::min(c.alpha_mc, qa);
      c.beta_mc = i == 0 ? qb : std::max(c.beta_mc, qb);
    }
    c.alpha = c.alpha_mc;
    c.beta = c.beta_mc;
    for (int start = 0; start < 8; ++start) {
      matrix<Real> Vb = truncate(g.normal_matrix<Real>(m, n), kb), Va = truncate(g.normal_matrix<Real>(m, n), ka);
      for (int it = 0; it < 200; ++it) {
        f.hessian_product(zero, Vb, HV);
        Vb = truncate(HV, kb);
        Vb /= sqrt(squared_norm(Vb));
        f.hessian_product(zero, Va, HV);
        Va = truncate(matrix<Real>(c.beta_upper * Va - HV), ka);
        Va /= sqrt(squared_norm(Va));
      }
      c.beta = std::max(c.beta, quotient(Vb));
      c.alpha = std::min(c.alpha, quotient(Va));
    }
    c.how = std::string(f.kind() == objective_kind::weighted ? "bounds w_min <= alpha, beta <= w_max" : "bound beta <= ||A||_2^2 / N") +
            "; adversarial estimates (projected power iteration, 8 starts x 200 steps) and Monte-Carlo (1000 random "
            "directions); alpha over rank-" + std::to_string(ka) + " and beta over rank-" + std::to_string(kb) + " directions";
  }
  const Real gap = 2 * c.alpha - c.beta;
  const Real amb = 64 * eps<Real>() * c.beta;
  c.regime = gap > amb ? "special (2 alpha > beta)" : gap < -amb ? "generic (2 alpha < beta)" : "ambiguous (2 alpha = beta)";
  // Special from the guarantees (alpha_lower <= alpha, beta <= beta_upper); generic from the estimates (alpha <= the
  // alpha estimate, the beta estimate <= beta).
  c.certified = gap > amb ? Real(2 * c.alpha_lower) > c.beta_upper : gap < -amb;
  return c;
}

/// analyze_point with tolerances derived from the state's resolution delta (the file comment), plus the oracle
/// where one exists. oracle_absent says why there is none (empty when there is one).
template <class Real> struct state_analysis {
  Real resolution;
  stationary_options<Real> tolerances;
  stationary_analysis<Real> point;
  std::optional<nuclear_oracle<Real>> oracle;
  std::string oracle_absent;
  restricted_constants<Real> constants;  ///< Kim et al.'s alpha, beta and the regime (restricted_constants_of)
  /// "dense" (every eigenvalue of the dense Hessian) or "lanczos: ..." (Ritz values of lanczos_ritz: steps, the
  /// residual bounds of the extreme ones, converged or not)
  std::string hessian_method;
  /// "global minimum", "spurious second-order stationary point", "strict saddle", "not stationary", or
  /// "second-order stationary (global or spurious unknown: no oracle)"
  std::string verdict;
};

template <class Real>
state_analysis<Real> analyze_state(const lora_model<Real>& model, const vector<Real>& x, const Real& delta_in,
                                   Eigen::Index dense_limit = dense_hessian_max_dim) {
  using std::sqrt;
  state_analysis<Real> r;
  const Real e64 = 64 * eps<Real>();
  const Real delta = std::max(delta_in, e64);
  r.resolution = delta;
  const Eigen::Index dim = model.dimension();
  const Real xn = sqrt(squared_norm(x));
  using std::abs;
  auto spectral_norm = [](const matrix<Real>& M) {
    const vector<Real> ev = linalg::sym_eig<Real>(M).values;
    return std::max(Real(abs(ev(0))), Real(abs(ev(ev.size() - 1))));
  };
  // The spectrum of H and the change of H under the state error: dense up to dense_limit, else Lanczos on the
  // Hessian-vector products (the same bounds, from Ritz values: |Ritz| <= ||.||_2, so dH is a lower estimate, as
  // the two random directions already make it).
  const bool dense = dim <= dense_limit;
  matrix<Real> H;
  vector<Real> eigs;
  Real Hn(0), dH(0);
  gaussian_stream g(0, streams::adapters);
  const Eigen::Index steps = std::min<Eigen::Index>(dim, 300);
  const Real lanczos_tol = sqrt(eps<Real>());  // the dH estimate only; the spectrum runs to 64 eps (or 300 steps)
  auto norm_of = [](const lanczos_result<Real>& l) {
    return std::max(Real(abs(l.ritz(0))), Real(abs(l.ritz(l.ritz.size() - 1))));
  };
  Real residual_min(0);  // Lanczos: the residual bound of the smallest Ritz value
  if (dense) {
    H = dense_hessian(model, x);
    Hn = spectral_norm(H);
    r.hessian_method = "dense";
  }
  for (int k = 0; k < 2 && xn > 0; ++k) {
    vector<Real> d = g.normal_matrix<Real>(dim, 1).col(0);
    d *= delta * xn / sqrt(squared_norm(d));
    const vector<Real> xd = x + d;
    if (dense) {
      dH = std::max(dH, spectral_norm(matrix<Real>(dense_hessian(model, xd) - H)));
    } else {  // an estimate of ||H(x + d) - H(x)||_2, as the two random directions make it anyway
      vector<Real> hv;
      const lanczos_result<Real> l = lanczos_ritz<Real>(
          [&](const vector<Real>& v, vector<Real>& out) {
            model.hessian_product(xd, v, out);
            model.hessian_product(x, v, hv);
            out -= hv;
          },
          dim, std::min<Eigen::Index>(dim, 60), lanczos_tol, 2 + static_cast<std::uint64_t>(k));
      dH = std::max(dH, norm_of(l));
    }
  }
  if (!dense) {
    const lanczos_result<Real> l = lanczos_ritz<Real>(
        [&](const vector<Real>& v, vector<Real>& out) { model.hessian_product(x, v, out); }, dim, steps, e64, 1);
    eigs = l.ritz;
    Hn = norm_of(l);
    residual_min = l.residual_min;
    r.hessian_method = "lanczos: " + std::to_string(l.steps) + " steps, residual of the smallest Ritz value " +
                       to_string(l.residual_min) + ", of the largest " + to_string(l.residual_max) +
                       (l.converged ? " (converged)" : " (not converged)");
  }
  stationary_options<Real>& t = r.tolerances;
  t.grad_tol = (delta * xn + e64 * std::max(Real(1), xn)) * Hn;
  t.hess_tol = sqrt(Real(dim)) * dH + e64 * Hn;
  t.rank_tol = sqrt(delta);
  t.global_tol = Real(0);
  const lora_problem<Real>& p = model.problem();
  if (!is_one_matrix(p)) {
    r.oracle_absent = "the problem is not in the one-matrix form (only the W1 adapter, W2 = I), where LoRA with weight "
                      "decay equals f + (lambda/s) ||X||_* over rank <= r";
  } else if (!(p.weight_decay > 0) && model.objective().kind() == objective_kind::logistic) {
    r.oracle_absent = "logistic without weight decay: the minimum need not be attained";
  } else {
    const Real mu = p.weight_decay / p.scale;
    nuclear_oracle<Real> o = nuclear_minimiser<Real>(model, mu, smoothness_constant(model.objective()), delta / 16, 20000);
    if (!o.converged) {
      r.oracle_absent = "the proximal-gradient oracle did not converge in " + std::to_string(o.iterations - 1) +
                        " iterations (last step " + to_string(o.step_change) + ")";
    } else if (o.rank > p.rank && model.objective().kind() != objective_kind::frobenius) {
      r.oracle_absent = "the nuclear-norm minimiser has rank " + std::to_string(o.rank) + " > r = " +
                        std::to_string(p.rank) + ": the rank-r problem's minimum is not the convex one";
    } else {
      t.global_tol = sqrt(delta) * std::max(Real(1), Real(sqrt(squared_norm(o.X))));
      r.oracle = std::move(o);
    }
  }
  r.point = analyze_point<Real>(model, x, t, r.oracle ? &*r.oracle : nullptr, dense ? &H : nullptr,
                                dense ? nullptr : &eigs);
  // Lanczos: the smallest Ritz value is >= the smallest eigenvalue, and an eigenvalue lies within residual_min of it;
  // second order is certified only when that interval clears -hess_tol.
  if (!dense && r.point.kind == point_kind::second_order_stationary && r.point.hessian(0) - residual_min < -t.hess_tol)
    r.point.kind = point_kind::unresolved;
  r.constants = restricted_constants_of<Real>(model.objective(), model.m(), model.n(), p.rank);
  switch (r.point.kind) {
    case point_kind::unresolved:
      r.verdict = "second-order stationarity unresolved (the Lanczos residual of the smallest Ritz value exceeds "
                  "hess_tol)";
      break;
    case point_kind::not_stationary: r.verdict = "not stationary"; break;
    case point_kind::strict_saddle: r.verdict = "strict saddle"; break;
    case point_kind::second_order_stationary:
      r.verdict = !r.oracle ? "second-order stationary (global or spurious unknown: no oracle)"
                  : r.point.global ? "global minimum"
                                   : "spurious second-order stationary point";
      break;
  }
  return r;
}

#define LORAFLOW_INST_STATIONARY(EXT, T)                                                                 \
  EXT template state_analysis<T> analyze_state<T>(const lora_model<T>&, const vector<T>&, const T&, Eigen::Index); \
  EXT template nuclear_oracle<T> nuclear_minimiser<T>(const lora_model<T>&, const T&, const T&, const T&, long);
#ifndef LORAFLOW_NO_EXTERN_TEMPLATES
LORAFLOW_EXTERN_ALL(LORAFLOW_INST_STATIONARY)
#endif

}  // namespace loraflow
