// Claim:      Mu and Klabjan, "On the convergence rate of LoRA gradient descent" (arXiv 2512.18248), Lemma 3.4: GD on
//             the stacked adapters V = [B; A^T] of J(V) = loss(W0 + B A) with the step
//               eta_t = min{1 / (4 sqrt(2) L (||V_t||^2 + ||grad loss(X_t)||)), 1}
//             (L the smoothness of the loss; norms Frobenius) decreases J by at least a quarter step of gradient norm:
//               J(V_(t+1)) <= J(V_t) - (eta_t / 4) ||grad J(V_t)||^2   at every t.
//             Source: catalogue ../shared/theory/lora-weight-decay-gd-scaling.md 2.3 (formulas from two consistent
//             third-party notes of the paper, [S]; the catalogue checked the descent in 3000 random trials, [D]).
// Prediction: the inequality at every step, on any L-smooth loss bounded below: here the three problems of
//             mu2025/gd_runs.hpp (whitened MF, sensing, separable logistic regression, the last unbounded in V), with
//             the library's mu-klabjan rule (integrate/step_rule.hpp; loraflow's scale s = 1 here, so L = L_f: exact
//             for the quadratic losses, an upper bound for logistic, which the lemma allows).
// Check:      K GD steps (full 3000, quick 600) in double and in 50 digits; at every step t the defect
//               d_t = J(V_(t+1)) - J(V_t) + (eta_t / 4) ||grad J(V_t)||^2   (the lemma says d_t <= 0)
//             against the resolution of the loss difference, delta_t = 64 eps (J(V_t) + J(V_(t+1))) (each J is
//             evaluated to a few eps relative: the quadratic losses from the residual formed from the small
//             quantities, logistic as a sum of positive terms).
// Tolerance:  pass when d_t <= delta_t at every resolved step, those whose guaranteed decrease (eta_t/4)||grad J||^2
//             exceeds delta_t (a step whose guaranteed decrease is below the rounding of J cannot test the lemma;
//             they are counted in the notes). Fewer than 10 resolved steps: inconclusive. Beside it, a report row:
//             the measured decrease over the guaranteed one, min_t (J_t - J_(t+1)) / ((eta_t/4) ||grad J_t||^2), which
//             says how much the lemma leaves unused.
// Control:    how far off a rule can be before the inequality breaks: the same runs (double, 600 steps) with every
//             step multiplied by k = 2, 4, ..., 1024, the inequality checked with the step taken (k eta_t). The rule
//             leaves a factor of about 4 unused (the report rows), so only a step several times too large breaks it;
//             the row states the smallest k that does, per problem, and passes when some k <= 1024 does (else the
//             check could not tell a rule 1000 times too large from the paper's).
// Which rows can fail: the pass rows fail for a step rule that is many times too large (the control row says how
//             many), a field that is not -grad J, or a loss and gradient that disagree; a slip of a factor 2 in the
//             rule is within the lemma's unused room and is not detected.
#include "check/rows.hpp"
#include "mu2025/gd_runs.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace loraflow::check {

namespace {

template <class Real> void descent_rows(const context& ctx, mu2025::regime g, std::size_t K, result& res) {
  const mu2025::gd_record<Real> rec = mu2025::run_gd<Real>(g, "mu-klabjan", Real(0), K);
  const std::string where = std::string(mu2025::name_of(g)) + ", " + scalar_name<Real>();
  const std::string q = "max over resolved steps of d_t / delta_t (" + where + ")";
  if (rec.status != "ok" || rec.J.size() != K + 1) {
    res.rows.push_back(inconclusive(q, "<= 0 (d_t <= 0)", "run: " + rec.status + " " + rec.message)
                           .paper("Mu-Klabjan Lemma 3.4 (catalogue 2.3)"));
    return;
  }
  Real worst = -std::numeric_limits<Real>::infinity(), tightest = std::numeric_limits<Real>::infinity();
  std::size_t resolved = 0;
  for (std::size_t t = 0; t < K; ++t) {
    const Real guaranteed = rec.eta[t] * rec.g2[t] / 4;
    const Real delta = 64 * eps<Real>() * (rec.J[t] + rec.J[t + 1]);
    if (!(guaranteed > delta)) continue;
    ++resolved;
    const Real d = rec.J[t + 1] - rec.J[t] + guaranteed;
    worst = std::max(worst, Real(d / delta));
    tightest = std::min(tightest, Real((rec.J[t] - rec.J[t + 1]) / guaranteed));
  }
  ctx.say(where + ": " + std::to_string(resolved) + " of " + std::to_string(K) + " steps resolved, max d/delta " +
          num(to_double(worst), 3) + ", min decrease / guaranteed " + num(to_double(tightest), 4) + " (" +
          num(rec.wall_s, 2) + " s)");
  if (resolved < 10) {
    res.rows.push_back(inconclusive(q, "<= 0 (d_t <= 0)", std::to_string(resolved) + " resolved steps (< 10)")
                           .paper("Mu-Klabjan Lemma 3.4 (catalogue 2.3)"));
    return;
  }
  res.rows.push_back(at_most(q, "<= 0: J(V_(t+1)) <= J(V_t) - (eta_t/4) ||grad J(V_t)||^2", to_double(worst), 1.0,
                             "d_t <= delta_t = 64 eps (J_t + J_(t+1)) at every resolved step")
                         .paper("Mu-Klabjan Lemma 3.4 (catalogue 2.3)"));
  res.rows.push_back(reported("min_t (J_t - J_(t+1)) / ((eta_t/4) ||grad J_t||^2) (" + where + ")",
                              "the lemma's slack (not stated)", num(to_double(tightest), 6),
                              "the measured decrease over the guaranteed one; >= 1 is the lemma")
                         .derived("header: the sharp measured decrease beside the bound"));
  res.notes.push_back(where + ": " + std::to_string(resolved) + " of " + std::to_string(K) +
                      " steps resolved (guaranteed decrease above 64 eps J); L = " + num(to_double(rec.smoothness), 6) +
                      " (" + rec.smoothness_source + "); final J = " + num(to_double(rec.J.back()), 6) + ", L* = " +
                      num(to_double(rec.L_star), 3) + "; " + num(rec.wall_s, 2) + " s");
}

}  // namespace

claim make_mu2025_lemma3_4() {
  return claim{"mu2025.lemma3_4-descent", "Mu, Klabjan, arXiv 2512.18248 (ICML 2026)", "Lemma 3.4; catalogue 2.3",
               "the state-dependent step eta_t = min{1/(4 sqrt(2) L (||V||^2 + ||grad loss||)), 1} decreases J by "
               "(eta_t/4) ||grad J||^2 at every step",
               [](const context& ctx) {
                 result res;
                 const std::size_t K = ctx.quick ? 600 : 3000;
                 for (mu2025::regime g : mu2025::all_regimes) {
                   descent_rows<double>(ctx, g, K, res);
                   descent_rows<float50>(ctx, g, K, res);
                   res.rows.push_back(mu2025::control_row(ctx, g, "the inequality", [](const mu2025::gd_record<double>& rec) {
                     for (std::size_t t = 0; t + 1 < rec.J.size(); ++t) {
                       const double guaranteed = rec.eta[t] * rec.g2[t] / 4;
                       const double delta = 64 * std::numeric_limits<double>::epsilon() * (rec.J[t] + rec.J[t + 1]);
                       if (guaranteed > delta && rec.J[t + 1] - rec.J[t] + guaranteed > delta) return true;
                     }
                     return false;
                   }));
                 }
                 res.notes.push_back("problems: validation/mu2025/gd_runs.hpp (one-matrix LoRA, r = 2, LoRA init A ~ "
                                     "N(0, 1/4), B = 0); " + std::to_string(K) + " GD steps of the mu-klabjan rule "
                                     "(integrate/step_rule.hpp), in double and 50 digits");
                 return res;
               }};
}

}  // namespace loraflow::check
