// loraflow/observe/stationary.hpp: what kind of point a LoRA state is, and how far it is from the global minimum
// (Kim, Kim, Ryu 2025; catalogue ../shared/theory/lora-weight-decay-gd-scaling.md, sections 1.3 and 1.7).
//
// For a state x of L = f(F) + lambda/2 ||x||^2 (model/lora.hpp) at LoRA scale s:
//   - ||grad L||, and the spectrum of the Hessian of L from exact Hessian-vector products (lora_model::
//     hessian_product), dense (dim x dim, then linalg::sym_eig): every eigenvalue at working precision;
//   - the singular values and numerical rank of X = F, the balance ||B_i^T B_i - A_i A_i^T||_F of each adapter
//     (0 at every stationary point with lambda > 0: catalogue 1.3, derived diagnostic (a));
//   - the dual certificate ||grad f(X)||_2 against mu = lambda / s (the weight decay in X-space, catalogue 1.7
//     Test 4): for convex f, X is the global minimiser of f + mu ||.||_* iff ||grad f(X)||_2 <= mu (diagnostic (c));
//   - the global minimiser of f + mu ||X||_* (nuclear_minimiser): singular-value soft-thresholding at mu on the top
//     r for frobenius (catalogue 1.7 Test 1, O11), accelerated proximal gradient for the other convex objectives.
// Classification (with the tolerances of stationary_options): not stationary (||grad L|| > grad_tol), strict saddle
// (smallest Hessian eigenvalue < -hess_tol), or second-order stationary; and global or spurious by the distance
// to the oracle.
// Not for the hot loop: it allocates and costs dim Hessian-vector products plus one dense eigensolve.
#pragma once

#include <loraflow/linalg.hpp>
#include <loraflow/model/lora.hpp>

#include <optional>
#include <string>

namespace loraflow {

/// U diag((s_i - tau)_+) V^T over the top `keep` singular triples of Y (keep < 0: all).
template <class Real> matrix<Real> soft_threshold(const matrix<Real>& Y, const Real& tau, Eigen::Index keep = -1) {
  const linalg::svd_result<Real> d = linalg::svd<Real>(Y);
  matrix<Real> X = matrix<Real>::Zero(Y.rows(), Y.cols());
  const Eigen::Index k = keep < 0 ? d.s.size() : std::min<Eigen::Index>(keep, d.s.size());
  for (Eigen::Index i = 0; i < k; ++i)
    if (d.s(i) > tau) X.noalias() += (d.s(i) - tau) * d.U.col(i) * d.V.col(i).transpose();
  return X;
}

/// The global minimiser of f(X) + mu ||X||_*.
template <class Real> struct nuclear_oracle {
  matrix<Real> X;
  vector<Real> sigma;          ///< its singular values, descending
  Eigen::Index rank = 0;       ///< r_star: singular values > 0 (soft-thresholding makes the others exactly 0)
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
    o.X = soft_threshold<Real>(p.dY, mu, p.rank);
    o.method = "singular-value soft-thresholding at lambda/s on the top r (closed form)";
  } else {
    const Real t = 1 / beta;
    matrix<Real> X = matrix<Real>::Zero(p.dY.rows(), p.dY.cols()), Y = X, Xn, E(X.rows(), X.cols());
    Real theta(1);
    o.converged = false;
    for (o.iterations = 1; o.iterations <= max_iter; ++o.iterations) {
      f.negative_gradient(Y, matrix<Real>(p.dY - Y), E);
      Xn = soft_threshold<Real>(matrix<Real>(Y + t * E), t * mu);
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
  o.sigma = linalg::svd<Real>(o.X).s;
  for (Eigen::Index i = 0; i < o.sigma.size(); ++i)
    if (o.sigma(i) > 0) ++o.rank;
  return o;
}

enum class point_kind { not_stationary, strict_saddle, second_order_stationary };
inline const char* point_kind_name(point_kind k) {
  switch (k) {
    case point_kind::not_stationary: return "not stationary";
    case point_kind::strict_saddle: return "strict saddle";
    case point_kind::second_order_stationary: return "second-order stationary";
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

template <class Real>
stationary_analysis<Real> analyze_point(const lora_model<Real>& model, const vector<Real>& x,
                                        const stationary_options<Real>& opt,
                                        const nuclear_oracle<Real>* oracle = nullptr) {
  using std::sqrt;
  stationary_analysis<Real> a;
  const Eigen::Index dim = model.dimension();
  vector<Real> g;
  model.gradient(x, g);
  a.grad_norm = sqrt(squared_norm(g));
  a.loss = model.loss(x);
  matrix<Real> H(dim, dim);
  vector<Real> e = vector<Real>::Zero(dim), col;
  for (Eigen::Index j = 0; j < dim; ++j) {
    e(j) = 1;
    model.hessian_product(x, e, col);
    H.col(j) = col;
    e(j) = 0;
  }
  const matrix<Real> Hs = (H + H.transpose()) / 2;
  a.hessian = linalg::sym_eig<Real>(Hs).values.reverse();
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

}  // namespace loraflow
