// Claim:      Mu and Klabjan, "On the convergence rate of LoRA gradient descent" (arXiv 2512.18248), Theorem 3.5: with
//             the step rule of Lemma 3.4,
//               min_(t<T) ||grad J(V_t)||^2 <= 4 (J(V_0) - L*) / sum_(t<T) eta_t   at every T,
//             with L* = inf J; in the worst case ||V_t||^2 = O(t), so sum eta_t = Omega(log T) and the rate is
//             O(1 / log T); with ||V_t|| bounded, sum eta_t = Theta(T) and the rate O(1/T). Source: catalogue
//             ../shared/theory/lora-weight-decay-gd-scaling.md 2.3 ([S], third-party notes of the paper) and 2.4 ([D]).
// Prediction: (i) the bound at every T (paper); (ii) the exact GD identity (derived, catalogue 2.4):
//               ||V_(t+1)||^2 - ||V_t||^2 = -4 eta_t <G_t, X_t> + eta_t^2 ||grad J(V_t)||^2,   G = grad f(X) = -E,
//             since <V, grad J(V)> = <B, -E A^T> + <A, -B^T E> = -2 <E, X> for X = B A; (iii) the regimes
//             (derived, catalogue 2.4 Prediction 3): with an attained minimum ||V_t|| stays bounded and sum eta_t grows
//             linearly; on separable logistic regression (no finite minimiser, J -> 0 only as ||V|| -> infinity)
//             ||V_t||^2 keeps growing.
// Check:      the three problems of mu2025/gd_runs.hpp (L* exact for each: 1/2, 0, 0), K steps (full 3000, quick 600),
//             double and 50 digits. (i) max_T of min_(t<T) ||grad J_t||^2 sum_(t<T) eta_t / (4 (J_0 - L*)) <= 1; (ii) the
//             largest residual of the identity relative to ||V_t||^2 + ||V_(t+1)||^2 (both sides are differences of
//             numbers of that size) <= 64 eps; (iii) logistic: ||V_K||^2 > 1.001 ||V_(K/2)||^2 (still growing at the end;
//             a non-separable problem, whose minimiser is finite, would settle and fail it); whitened MF and sensing:
//             ||V_K||^2 / ||V_(K/2)||^2 as a report row (boundedness is asymptotic: a finite run cannot fail it). Beside the rule, the three schedules of the paper's experiments
//             (adapt c = 1/2, adapt2 c = 1/2, norm c = 1/20; the paper's constants are not published, catalogue 2.5) run
//             in double, as report rows and series tables only: Theorem 3.5 covers the rule of Lemma 3.4 alone.
// Tolerance:  (i) is an inequality between numbers of order 1, computed at the working precision: the rule is <= 1
//             with no slack (its margin is printed). (ii) 64 eps: the identity is exact; each side rounds a few times.
//             (iii) rules with an O(1) margin, stated where they are checked. Beside them, report rows: the ratio
//             of (i) (how loose the bound is: at the end of a linearly converging run the minimum falls far below
//             the bound), sum eta_t / T (linear growth: the bounded regime's O(1/T)), ||V_K||^2 / ||V_0||^2.
// Control:    (i) leaves room (its largest ratio is about 0.1), so the claim also states how far off a rule can be
//             before (i) breaks: the same runs (double, 600 steps) with every step multiplied by k = 2, 4, ..., 1024, the
//             ratio computed with the steps taken; the smallest k that breaks it, per problem (pass when some k <=
//             1024 does: else the check could not tell a rule 1000 times too large from the paper's).
// Which rows can fail: (i) a step rule many times too large (the control row says how many), or an L* far too
//             small; a slip of a factor 2, or the sum indexed t <= T, stays within (i)'s room and is not detected;
//             (ii) a GD step that is not x - eta grad J, or a gradient whose norm convention differs; (iii) a problem
//             that is not in the regime it is said to be in.
#include "check/rows.hpp"
#include "mu2025/gd_runs.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

namespace loraflow::check {

namespace {

const char* short_name(mu2025::regime g) {
  return g == mu2025::regime::whitened_mf ? "mf" : g == mu2025::regime::sensing ? "sensing" : "logistic";
}

/// The T of the series tables: 1, about 20 per decade, every K/30-th, and K.
bool sampled(std::size_t T, std::size_t K) {
  if (T == 1 || T == K || T % (K / 30) == 0) return true;
  const double d = 20 * std::log10(static_cast<double>(T));
  return static_cast<std::size_t>(std::floor(d)) != static_cast<std::size_t>(std::floor(20 * std::log10(static_cast<double>(T - 1))));
}

/// The running quantities of Theorem 3.5 for one run, into the table series_<regime> (one table per problem, one
/// block of rows per step rule).
template <class Real> void series_rows(mu2025::regime g, const std::string& rule, const mu2025::gd_record<Real>& rec, result& res) {
  const std::string name = std::string("series_") + short_name(g);
  table* t = nullptr;
  for (table& x : res.data)
    if (x.name == name) t = &x;
  if (!t) {
    res.data.push_back(table{name, {"problem", "rule", "T", "min_grad_norm2", "sum_eta", "product", "bound_const", "V_norm2", "J", "eta"}, {}});
    t = &res.data.back();
  }
  const std::size_t K = rec.J.size() - 1;
  Real min_g = std::numeric_limits<Real>::infinity(), sum_eta(0);
  const Real bound = 4 * (rec.J[0] - rec.L_star);
  for (std::size_t T = 1; T <= K; ++T) {
    min_g = std::min(min_g, rec.g2[T - 1]);
    sum_eta += rec.eta[T - 1];
    if (!sampled(T, K)) continue;
    t->rows.push_back({mu2025::name_of(g), rule, std::to_string(T), full(to_double(min_g)), full(to_double(sum_eta)),
                       full(to_double(Real(min_g * sum_eta))), full(to_double(bound)), full(to_double(rec.V2[T])),
                       full(to_double(rec.J[T])), full(to_double(rec.eta[T - 1]))});
  }
}

/// The schedules of Mu and Klabjan's experiments beside the rule (double): series rows and one report row each.
void schedule_rows(const context& ctx, mu2025::regime g, std::size_t K, result& res) {
  for (const mu2025::schedule& sc : mu2025::schedules) {
    const mu2025::gd_record<double> rec = mu2025::run_gd<double>(g, sc.rule, sc.c, K);
    const std::string where = std::string(mu2025::name_of(g)) + ", " + sc.rule + " c = " + num(sc.c, 3);
    if (rec.status != "ok") {
      res.notes.push_back(where + ": " + rec.status + " (" + rec.message + ")");
      continue;
    }
    series_rows(g, sc.rule, rec, res);
    double min_g = std::numeric_limits<double>::infinity(), sum_eta = 0;
    for (std::size_t t = 0; t < K; ++t) min_g = std::min(min_g, rec.g2[t]), sum_eta += rec.eta[t];
    res.rows.push_back(reported("min_(t<K) ||grad J||^2 sum_(t<K) eta_t / (4 (J_0 - L*)) (" + where + ")",
                                "not stated: Thm 3.5 covers the rule of Lemma 3.4 only",
                                num(min_g * sum_eta / (4 * (rec.J[0] - rec.L_star)), 4) + "; J_K = " + num(rec.J[K], 4) +
                                    "; ||V_K||^2 = " + num(rec.V2[K], 4),
                                "the schedules of the paper's experiments (their constants are not published; c chosen here)")
                           .derived("header: schedules beside the rule"));
    ctx.say(where + ": J_K = " + num(rec.J[K], 4) + " (" + num(rec.wall_s, 2) + " s)");
  }
}

template <class Real> void rate_rows(const context& ctx, mu2025::regime g, std::size_t K, result& res) {
  using std::abs;
  const mu2025::gd_record<Real> rec = mu2025::run_gd<Real>(g, "mu-klabjan", Real(0), K);
  const std::string where = std::string(mu2025::name_of(g)) + ", " + scalar_name<Real>();
  const std::string q = "max_T min_(t<T) ||grad J_t||^2 sum_(t<T) eta_t / (4 (J_0 - L*)) (" + where + ")";
  if (rec.status != "ok" || rec.J.size() != K + 1) {
    res.rows.push_back(inconclusive(q, "<= 1", "run: " + rec.status + " " + rec.message)
                           .paper("Mu-Klabjan Thm 3.5 (catalogue 2.3)"));
    return;
  }
  // (i)
  Real min_g = std::numeric_limits<Real>::infinity(), sum_eta(0), worst(0);
  const Real gap0 = rec.J[0] - rec.L_star;
  for (std::size_t T = 1; T <= K; ++T) {
    min_g = std::min(min_g, rec.g2[T - 1]);
    sum_eta += rec.eta[T - 1];
    worst = std::max(worst, Real(min_g * sum_eta / (4 * gap0)));
  }
  if (std::is_same<Real, double>::value) series_rows(g, "mu-klabjan", rec, res);
  res.rows.push_back(at_most(q, "<= 1: min_(t<T) ||grad J||^2 <= 4 (J(V_0) - L*) / sum_(t<T) eta_t", to_double(worst), 1.0,
                             "<= 1 at every T = 1 .. " + std::to_string(K) + " (L* = " + num(to_double(rec.L_star), 3) + " exact)")
                         .paper("Mu-Klabjan Thm 3.5 (catalogue 2.3)"));
  // (ii)
  Real ident(0);
  for (std::size_t t = 0; t < K; ++t) {
    const Real lhs = rec.V2[t + 1] - rec.V2[t];
    const Real rhs = 4 * rec.eta[t] * rec.EX[t] + rec.eta[t] * rec.eta[t] * rec.g2[t];
    ident = std::max(ident, Real(abs(lhs - rhs) / (rec.V2[t] + rec.V2[t + 1])));
  }
  res.rows.push_back(at_most("||V_(t+1)||^2 - ||V_t||^2 + 4 eta_t <G_t, X_t> - eta_t^2 ||grad J_t||^2, max relative (" + where + ")",
                             "0 (an exact identity)", to_double(Real(ident / eps<Real>())), 64.0,
                             "<= 64 eps of ||V_t||^2 + ||V_(t+1)||^2 (measured in eps)")
                         .derived("header (ii): <V, grad J> = -2 <E, X> (catalogue 2.4)"));
  // (iii)
  const double grow = to_double(Real(rec.V2[K] / rec.V2[K / 2]));
  if (g == mu2025::regime::logistic)
    res.rows.push_back(at_least("||V_K||^2 / ||V_(K/2)||^2 (" + where + ")", "> 1: ||V_t|| -> infinity (unbounded regime)",
                                grow, 1.001, "> 1.001 (still growing at the end of the run by more than 0.1%)")
                           .derived("header (iii): separable data, inf J = 0 not attained"));
  else
    res.rows.push_back(reported("||V_K||^2 / ||V_(K/2)||^2 (" + where + ")", "not tested: bounded (an attained minimum)",
                                num(grow, 6), "near 1 once the run has converged (the bounded regime is an asymptotic statement)")
                           .derived("header (iii): report row"));
  Real sum_all(0);
  for (std::size_t t = 0; t < K; ++t) sum_all += rec.eta[t];
  res.rows.push_back(reported("sum_(t<K) eta_t / K; min ||grad J||^2 at K over its bound; ||V_K||^2 / ||V_0||^2 (" + where + ")",
                              "not stated (the sharp behaviour beside the bound)",
                              num(to_double(Real(sum_all / Real(static_cast<double>(K)))), 4) + "; " +
                                  num(to_double(Real(min_g * sum_eta / (4 * gap0))), 3) + "; " +
                                  num(to_double(Real(rec.V2[K] / rec.V2[0])), 4),
                              "sum eta / T constant: the O(1/T) regime; a ratio far below 1: the bound is loose")
                         .derived("header: report rows"));
  ctx.say(where + ": max ratio " + num(to_double(worst), 4) + ", identity " + num(to_double(Real(ident / eps<Real>())), 3) +
          " eps, ||V_K||^2/||V_0||^2 " + num(to_double(Real(rec.V2[K] / rec.V2[0])), 4) + " (" + num(rec.wall_s, 2) + " s)");
  res.notes.push_back(where + ": L = " + num(to_double(rec.smoothness), 6) + " (" + rec.smoothness_source + "), J_0 = " +
                      num(to_double(rec.J[0]), 6) + ", J_K = " + num(to_double(rec.J[K]), 6) + ", L* = " +
                      num(to_double(rec.L_star), 3) + "; " + num(rec.wall_s, 2) + " s");
}

}  // namespace

claim make_mu2025_thm3_5() {
  return claim{"mu2025.thm3_5-rate", "Mu, Klabjan, arXiv 2512.18248 (ICML 2026)", "Thm 3.5; catalogue 2.3, 2.4",
               "min_(t<T) ||grad J||^2 <= 4 (J(V_0) - L*) / sum_(t<T) eta_t at every T; the GD norm identity; bounded "
               "and unbounded regimes",
               [](const context& ctx) {
                 result res;
                 const std::size_t K = ctx.quick ? 600 : 3000;
                 for (mu2025::regime g : mu2025::all_regimes) {
                   rate_rows<double>(ctx, g, K, res);
                   rate_rows<float50>(ctx, g, K, res);
                   schedule_rows(ctx, g, K, res);
                   res.rows.push_back(mu2025::control_row(ctx, g, "the bound", [](const mu2025::gd_record<double>& rec) {
                     double min_g = std::numeric_limits<double>::infinity(), sum_eta = 0;
                     for (std::size_t T = 1; T < rec.J.size(); ++T) {
                       min_g = std::min(min_g, rec.g2[T - 1]);
                       sum_eta += rec.eta[T - 1];
                       if (min_g * sum_eta > 4 * (rec.J[0] - rec.L_star)) return true;
                     }
                     return false;
                   }));
                 }
                 res.notes.push_back("problems: validation/mu2025/gd_runs.hpp; " + std::to_string(K) +
                                     " GD steps of the mu-klabjan rule, in double and 50 digits, and of the schedules "
                                     "adapt (c = 1/2), adapt2 (c = 1/2), norm (c = 1/20) in double; tables series_*: "
                                     "the running quantities of Thm 3.5 at about 20 T per decade (double)");
                 return res;
               }};
}

}  // namespace loraflow::check
