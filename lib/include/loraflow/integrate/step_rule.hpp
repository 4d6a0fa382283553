// loraflow/integrate/step_rule.hpp: the step-size rules of gradient descent (solve.step_rule), one table.
//
// GD on the stacked adapters V (the state x of lora_model): V_(k+1) = V_k - eta_k grad J(V_k), J the loss L of
// lora_model (the objective of the adapted matrix plus the weight decay). Each rule computes eta_k at the working
// precision from the current iterate and the field there (field = -grad J):
//   constant    eta_k = dt.
//   mu-klabjan  eta_k = min{1 / (4 sqrt(2) L (||V_k||_F^2 + ||grad_X loss(X_k)||_F)), 1}: Mu and Klabjan, "On the
//               convergence rate of LoRA gradient descent", Lemma 3.4 (catalogue lora-weight-decay-gd-scaling.md 2.3).
//               Their setting is W = W0 + B A, X = B A, L the smoothness of W -> loss(W), no weight decay. loraflow's
//               one-matrix LoRA has W = W0 + s B A: with g(X) = f(s X) (f the objective of model/objective.hpp, of
//               smoothness L_f in the Frobenius norm), g is s^2 L_f-smooth and grad g(X) = s grad f(s X), so
//               L = s^2 L_f and ||grad_X loss|| = s ||E|| with E = -grad f(F) (derivation; s = 1 is the paper's).
//               The rule is stated for one adapted matrix; step_rule_unavailable refuses other problems.
//   adapt       eta_k = c / (||V_k||^2 + s ||E_k||)            the three schedules of Mu and Klabjan's experiments
//   adapt2      eta_k = c / (||V_k||^2 + sqrt(J(V_k)))          (catalogue 2.5; their constant, called alpha there,
//   norm        eta_k = c / ||grad J(V_k)||^(1/2)               is solve.step_c here)
// At an exact stationary point of J (grad J = 0), where every step leaves the iterate where it is, `norm` takes
// eta = c. Cost: constant and norm read only the iterate and the field GD has already computed; mu-klabjan, adapt
// and adapt2 evaluate the model once more at the iterate (||E|| or J), about the cost of the field's products, so GD
// under them costs up to twice constant GD per iteration (not counted in run_stats::rhs_evals). Nothing allocates,
// so GD keeps the hot loop allocation-free in every scalar type.
#pragma once

#include <loraflow/model/lora.hpp>
#include <loraflow/scalar.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

namespace loraflow {

enum class step_rule { constant, mu_klabjan, adapt, adapt2, norm };

struct step_rule_info {
  step_rule id;
  const char* name;     ///< the config spelling (solve.step_rule)
  bool needs_c;         ///< reads solve.step_c
  const char* formula;  ///< one line for --help and docs
};

inline constexpr step_rule_info step_rule_table[] = {
    {step_rule::constant, "constant", false, "eta = dt (solve.dt)"},
    {step_rule::mu_klabjan, "mu-klabjan", false,
     "eta = min{1/(4 sqrt(2) L (||V||^2 + ||grad_X loss||)), 1}, L = s^2 L_f (Mu-Klabjan Lemma 3.4)"},
    {step_rule::adapt, "adapt", true, "eta = c/(||V||^2 + ||grad_X loss||) (Mu-Klabjan's experiments)"},
    {step_rule::adapt2, "adapt2", true, "eta = c/(||V||^2 + sqrt(J)) (Mu-Klabjan's experiments)"},
    {step_rule::norm, "norm", true, "eta = c/||grad J||^(1/2) (Mu-Klabjan's experiments)"},
};

inline const step_rule_info& info(step_rule r) {
  for (const step_rule_info& i : step_rule_table)
    if (i.id == r) return i;
  throw std::invalid_argument("unknown step rule id");
}

/// The rule called s, or nullptr.
inline const step_rule_info* find_step_rule(const std::string& s) {
  for (const step_rule_info& i : step_rule_table)
    if (s == i.name) return &i;
  return nullptr;
}

/// "constant, mu-klabjan, adapt, adapt2 or norm" (for messages and --help).
inline std::string step_rule_list(const char* last_join = " or ") {
  std::string s;
  const std::size_t n = sizeof(step_rule_table) / sizeof(step_rule_table[0]);
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) s += i + 1 == n ? last_join : ", ";
    s += step_rule_table[i].name;
  }
  return s;
}

/// Why rule r cannot run on problem p, in one phrase; empty when it can. mu-klabjan is a theorem about one adapted
/// matrix without weight decay: the one-matrix form (is_one_matrix) and lambda = 0.
template <class Real> std::string step_rule_unavailable(step_rule r, const lora_problem<Real>& p) {
  if (r != step_rule::mu_klabjan) return {};
  if (!is_one_matrix(p)) return "Mu and Klabjan's rule is stated for one adapted matrix W0 + s B A (problem.kind = \"one_matrix\")";
  if (p.weight_decay != 0) return "Mu and Klabjan's rule is stated without weight decay (lora.weight_decay = 0)";
  return {};
}

/// The step size eta_k of a rule at an iterate: construct once per run, call at every iteration.
template <class Real> class gd_step_size {
 public:
  /// dt: the constant step (rule constant); c: the schedules' constant (adapt, adapt2, norm); smoothness: L_f for
  /// mu-klabjan, or 0 to take the objective's own (objective::smoothness). Throws std::invalid_argument for a
  /// missing or non-positive constant, or a rule the problem does not admit (step_rule_unavailable).
  gd_step_size(step_rule r, const lora_model<Real>& model, const Real& dt, const Real& c, const Real& smoothness)
      : m_rule(r), m_model(&model), m_dt(dt), m_c(c), m_s(model.problem().scale) {
    const std::string why = step_rule_unavailable(r, model.problem());
    if (!why.empty()) throw std::invalid_argument(std::string("step rule ") + info(r).name + ": " + why);
    if (r == step_rule::constant && !(dt > 0)) throw std::invalid_argument("step rule constant: needs dt > 0");
    if (info(r).needs_c && !(c > 0))
      throw std::invalid_argument(std::string("step rule ") + info(r).name + ": needs a constant c > 0");
    if (r == step_rule::mu_klabjan) {
      if (smoothness > 0) {
        m_Lf = smoothness;
        m_Lf_exact = false;
        m_Lf_source = "given (solve.smoothness)";
      } else {
        const auto [L, exact] = model.objective().smoothness();
        m_Lf = L;
        m_Lf_exact = exact;
        m_Lf_source = exact ? "the objective's, exact" : "the objective's, an upper bound";
      }
      m_L = m_s * m_s * m_Lf;
    }
  }

  step_rule rule() const { return m_rule; }
  /// mu-klabjan: L = s^2 L_f, the smoothness of X -> loss(W0 + s X) (0 for the other rules).
  const Real& smoothness() const { return m_L; }
  /// mu-klabjan: L_f, the objective's smoothness as used, and where it came from.
  const Real& objective_smoothness() const { return m_Lf; }
  const std::string& smoothness_source() const { return m_Lf_source; }
  bool smoothness_exact() const { return m_Lf_exact; }

  /// eta_k at the iterate x, whose field (-grad J(x)) is `field`.
  Real operator()(const vector<Real>& x, const vector<Real>& field) const {
    using std::sqrt;
    switch (m_rule) {
      case step_rule::constant: return m_dt;
      case step_rule::mu_klabjan: {
        const Real step = Real(1) / (4 * sqrt(Real(2)) * m_L * (x.squaredNorm() + grad_X_norm(x)));
        return step < 1 ? step : Real(1);
      }
      case step_rule::adapt: return m_c / (x.squaredNorm() + grad_X_norm(x));
      case step_rule::adapt2: return m_c / (x.squaredNorm() + sqrt(m_model->loss(x)));
      case step_rule::norm: {
        const Real g = sqrt(field.norm());
        return g > 0 ? Real(m_c / g) : m_c;
      }
    }
    return m_dt;
  }

 private:
  /// ||grad_X loss(W0 + s X)||_F = s ||E|| (E = -grad f(F), evaluated for x).
  Real grad_X_norm(const vector<Real>& x) const { return m_s * m_model->negative_gradient(x).norm(); }

  step_rule m_rule;
  const lora_model<Real>* m_model;
  Real m_dt, m_c, m_s;
  Real m_Lf = Real(0), m_L = Real(0);
  bool m_Lf_exact = false;
  std::string m_Lf_source;
};

}  // namespace loraflow
