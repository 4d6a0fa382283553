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
//   xu2023-max      eta_k = eta_max of Xu, Min, Tarmoun, Mallada, Vidal (AISTATS 2023) Theorem 3.1: the smaller
//                   positive root of its two cubic equations, from the constants of Table 2 at the initialization
//                   with 0 < c1 < 1 < c2 (solve.c1, solve.c2; model/xu2023.hpp, xu2023_constants_of).
//   xu2023-adaptive eta_k = min(eta_k', eta_max): Algorithm 1 / Claim 3.1, eta_k' the minimiser of f(., k) at L(k).
//   xu2025-growing  eta_k = min((1 + eta0^2)^(k/2) eta0, eta-hat_k): Xu et al. TMLR 2025 Theorem 3.2 / eq. (19), eta-hat_k
//                   the largest step with eta K_k(eta) <= 1 (Theorem 3.1's K_k at the iterate, which depends on the
//                   step; model/xu2025tmlr.hpp), eta0 = solve.eta0 below E.1's eta_max (default 0.99 eta_max).
//   The three are stated for the two-layer linear network L = 1/2 ||Y - X W1 W2||_F^2 (problem.kind = "network",
//   factorization_model); the LoRA rules above for the LoRA model. step_rule_info::problems says which; the config
//   refuses a rule on the other class. network_step_size (below) also chains Theorem 3.2's per-step bound
//   L(k+1) <= f(eta_k, k) L(k) (valid while every eta_s <= eta_max) into L(0) prod_(s<k) f(eta_s, s), evaluating
//   L once per iterate (about half a field's cost) whenever the constants exist; under xu2025-growing it chains
//   TMLR Theorem 3.2's L(k+1) <= rho-bar(eta_k, k) L(k) instead (valid while every eta_k >= eta0), and evaluates the
//   spectra of W1 W1^T, W2^T W2 and W = W1 W2 at every iterate (O((n^2 + m^2) h + n m h), allocating: the one rule
//   whose iteration is not allocation-free).
// At an exact stationary point of J (grad J = 0), where every step leaves the iterate where it is, `norm` takes
// eta = c. Cost: constant and norm read only the iterate and the field GD has already computed; mu-klabjan, adapt
// and adapt2 evaluate the model once more at the iterate (||E|| or J), about the cost of the field's products, so GD
// under them costs up to twice constant GD per iteration (not counted in run_stats::rhs_evals). Nothing allocates,
// so GD keeps the hot loop allocation-free in every scalar type.
#pragma once

#include <loraflow/model/factorization.hpp>
#include <loraflow/model/lora.hpp>
#include <loraflow/model/xu2023.hpp>
#include <loraflow/model/xu2025tmlr.hpp>
#include <loraflow/scalar.hpp>

#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

namespace loraflow {

enum class step_rule { constant, mu_klabjan, adapt, adapt2, norm, xu2023_max, xu2023_adaptive, xu2025_growing };

/// The problems a rule is stated for: any, the LoRA model (problem.kind xu2025, files, one_matrix), or the two-layer
/// linear network (problem.kind = "network").
enum class rule_problems { any, lora, network };

struct step_rule_info {
  step_rule id;
  const char* name;     ///< the config spelling (solve.step_rule)
  bool needs_c;         ///< reads solve.step_c
  rule_problems problems;
  const char* formula;  ///< one line for --help and docs
};

inline constexpr step_rule_info step_rule_table[] = {
    {step_rule::constant, "constant", false, rule_problems::any, "eta = dt (solve.dt)"},
    {step_rule::mu_klabjan, "mu-klabjan", false, rule_problems::lora,
     "eta = min{1/(4 sqrt(2) L (||V||^2 + ||grad_X loss||)), 1}, L = s^2 L_f (Mu-Klabjan Lemma 3.4)"},
    {step_rule::adapt, "adapt", true, rule_problems::lora, "eta = c/(||V||^2 + ||grad_X loss||) (Mu-Klabjan's experiments)"},
    {step_rule::adapt2, "adapt2", true, rule_problems::lora, "eta = c/(||V||^2 + sqrt(J)) (Mu-Klabjan's experiments)"},
    {step_rule::norm, "norm", true, rule_problems::lora, "eta = c/||grad J||^(1/2) (Mu-Klabjan's experiments)"},
    {step_rule::xu2023_max, "xu2023-max", false, rule_problems::network,
     "eta = eta_max = min(eta1, eta2), Theorem 3.1's roots at the initialization (Xu et al. 2023)"},
    {step_rule::xu2023_adaptive, "xu2023-adaptive", false, rule_problems::network,
     "eta = min(eta', eta_max), eta' the minimiser of f(., k) at L(k) (Xu et al. 2023 Algorithm 1)"},
    {step_rule::xu2025_growing, "xu2025-growing", false, rule_problems::network,
     "eta = min((1 + eta0^2)^(k/2) eta0, 1/K_k), eta0 < eta_max (Xu et al. TMLR 2025 Theorem 3.2)"},
};

inline const step_rule_info& info(step_rule r) {
  for (const step_rule_info& i : step_rule_table)
    if (i.id == r) return i;
  throw std::invalid_argument("unknown step rule id");
}

/// The rules for a problem class, "constant, xu2023-max or xu2023-adaptive" (for messages).
inline std::string step_rules_for(rule_problems p) {
  std::string s;
  std::size_t count = 0, n = 0;
  for (const step_rule_info& i : step_rule_table) n += i.problems == rule_problems::any || i.problems == p;
  for (const step_rule_info& i : step_rule_table)
    if (i.problems == rule_problems::any || i.problems == p) s += (count++ == 0 ? "" : count == n ? " or " : ", ") + std::string(i.name);
  return s;
}

/// Why rule r does not apply to a problem of the class given (network: problem.kind = "network"), in one phrase;
/// empty when it does. The one wording of this rule: the config check, step_rule_unavailable and network_step_size.
inline std::string step_rule_class_mismatch(step_rule r, bool network) {
  const rule_problems p = info(r).problems;
  if (p == rule_problems::any || (p == rule_problems::network) == network) return {};
  return std::string("\"") + info(r).name + "\" is stated for " +
         (network ? "the LoRA model; problem.kind = \"network\" has " + step_rules_for(rule_problems::network)
                  : "the two-layer linear network (problem.kind = \"network\"); the LoRA problems have " + step_rules_for(rule_problems::lora));
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
  if (const std::string why = step_rule_class_mismatch(r, false); !why.empty()) return why;
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
      case step_rule::xu2023_max:
      case step_rule::xu2023_adaptive:
      case step_rule::xu2025_growing: break;  // the network's rules (network_step_size); refused by the constructor
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

/// The constants the network's rules read: Xu et al. 2023's (xu2023-max, xu2023-adaptive) and TMLR 2025's
/// Theorem 3.2 for one eta0 (xu2025-growing), each with why it does not exist when it does not.
template <class Real> struct network_rule_constants {
  std::optional<xu2023_constants<Real>> p3;
  std::string p3_why_not;
  std::optional<xu2025tmlr_constants<Real>> p4;
  std::optional<xu2025tmlr_growing<Real>> growing;  ///< for the eta0 of the run, below eta_max
  std::string growing_why_not;
};

/// The step eta_k of a GD run on the two-layer linear network (problem.kind = "network"): rule constant,
/// xu2023-max, xu2023-adaptive or xu2025-growing, and the rule's theorem's bound chained along the run (see the
/// header). Construct once per run; call once per iteration, in order (integrate.hpp's gd_loop calls gd_step once at
/// each iterate k before it observes iterate k + 1), so that bound_at(k) is the bound at iterate k for k = 0 .. the
/// last iterate made.
template <class Real> class network_step_size {
 public:
  /// Throws std::invalid_argument for a missing step, or a rule whose constants do not exist (saying why).
  network_step_size(step_rule r, const factorization_model<Real>& model, const Real& dt, network_rule_constants<Real> k)
      : m_rule(r), m_model(&model), m_dt(dt), m_k(std::move(k)) {
    if (const std::string why = step_rule_class_mismatch(r, true); !why.empty()) throw std::invalid_argument(why);
    if (r == step_rule::constant && !(dt > 0)) throw std::invalid_argument("step rule constant: needs dt > 0");
    if ((r == step_rule::xu2023_max || r == step_rule::xu2023_adaptive) && !m_k.p3)
      throw std::invalid_argument(std::string("step rule ") + info(r).name + ": " + m_k.p3_why_not);
    if (r == step_rule::xu2025_growing && !m_k.growing)
      throw std::invalid_argument(std::string("step rule ") + info(r).name + ": " + m_k.growing_why_not);
    m_growing = r == step_rule::xu2025_growing;
    if (m_growing) m_bound = m_k.growing->L0;
    else if (m_k.p3) m_bound = m_k.p3->L0;
    else m_bound = std::numeric_limits<Real>::quiet_NaN();
    m_bound_prev = m_bound;
  }

  step_rule rule() const { return m_rule; }
  const std::optional<xu2023_constants<Real>>& constants() const { return m_k.p3; }
  const std::string& constants_unavailable() const { return m_k.p3_why_not; }
  const std::optional<xu2025tmlr_growing<Real>>& growing() const { return m_k.growing; }
  /// Why the chained bound stopped applying (a step above eta_max, or below eta0 under xu2025-growing), or empty.
  const std::string& bound_note() const { return m_note; }

  /// eta_k at the iterate x, without advancing the bound (for the monitors).
  Real peek(const vector<Real>& x) const {
    if (m_growing) return growing_step(x, m_model->loss(x));
    return m_k.p3 ? eta_at(m_model->loss(x)) : m_dt;
  }

  /// eta_k at the iterate x (field: -grad J(x), unused: the rules read L(x)); advances the chained bound.
  Real operator()(const vector<Real>& x, const vector<Real>& /*field*/) {
    Real eta = m_dt;
    if (m_growing) {
      const xu2025tmlr_growing<Real>& g = *m_k.growing;
      eta = growing_step(x, m_model->loss(x));
      m_bound_prev = m_bound;
      if (eta >= g.eta0) {
        m_bound = m_bound * g.rho_bar(eta, Real(m_calls));
      } else if (m_note.empty() && is_finite(eta)) {
        m_note = "step " + std::to_string(m_calls) + " has eta = " + to_string(eta) + " < eta0 = " + to_string(g.eta0) +
                 " (1/K_t fell below eta0): Theorem 3.2 does not apply from there on";
        m_bound = std::numeric_limits<Real>::quiet_NaN();
      }
    } else if (m_k.p3) {
      const Real L = m_model->loss(x);
      eta = eta_at(L);
      m_bound_prev = m_bound;
      if (eta <= m_k.p3->eta_max) {
        m_bound = m_bound * m_k.p3->f(eta, L);
      } else if (m_note.empty() && is_finite(eta)) {  // a non-finite step ends the run (integrate.hpp) and says so
        m_note = "step " + std::to_string(m_calls) + " has eta = " + to_string(eta) + " > eta_max = " + to_string(m_k.p3->eta_max) +
                 ": Theorem 3.2 does not apply from there on";
        m_bound = std::numeric_limits<Real>::quiet_NaN();
      }
    }
    ++m_calls;
    return eta;
  }

  /// The chained bound at iterate k (NaN without the constants or once the theorem stopped applying), for k = the
  /// number of calls so far or one less: L(0) prod_(s<k) f(eta_s, s) (Xu et al. 2023 Theorem 3.2), or under
  /// xu2025-growing L(0) prod_(s<k) rho-bar(eta_s, s) (TMLR 2025 Theorem 3.2).
  Real bound_at(std::size_t k) const {
    if (k == m_calls) return m_bound;
    if (k + 1 == m_calls) return m_bound_prev;
    return std::numeric_limits<Real>::quiet_NaN();
  }

 private:
  Real eta_at(const Real& L) const {
    if (m_rule == step_rule::xu2023_max) return m_k.p3->eta_max;
    if (m_rule == step_rule::xu2023_adaptive) return m_k.p3->adaptive_step(L);
    return m_dt;
  }
  /// xu2025-growing at iterate m_calls: min((1 + eta0^2)^(k/2) eta0, the largest eta with eta K_k(eta) <= 1).
  Real growing_step(const vector<Real>& x, const Real& L) const {
    const matrix<Real> W1 = m_model->U(x), W2 = m_model->V(x).transpose();
    const xu2023_spectra<Real> sp = xu2023_spectra_of<Real>(W1, W2);
    const Real limit = m_k.p4->step_limit(L, sp.tau_max, sp.W_max), cap = m_k.growing->cap(Real(m_calls));
    return cap < limit ? cap : limit;
  }

  step_rule m_rule;
  const factorization_model<Real>* m_model;
  Real m_dt;
  network_rule_constants<Real> m_k;
  bool m_growing = false;
  std::string m_note;
  Real m_bound, m_bound_prev;
  std::size_t m_calls = 0;
};

}  // namespace loraflow
