// Claim:      Xu, Min, Tarmoun, Mallada, Vidal, TMLR 2025 ("P4"), Theorem 3.2 (= Theorem E.1 with c = 1/2, d = 2) and
//             Lemma 3.1, for GD on L(W1, W2) = l(W1 W2), l K-smooth, mu-strongly convex, min l = 0, alpha1 > 0:
//             if 0 < eta0 < eta_max and eta0 <= eta_t <= min((1 + eta0^2)^(t/2) eta0, 1/K_t) at every t, then
//               (Thm 3.2)   L(t+1) <= rho-bar(eta_t, t) L(t) <= rho-bar(eta0, 0) L(t), so L(t) <= rho-bar(eta0, 0)^t L(0);
//               (Lemma 3.1) alpha1 + 2 alpha2 (1 - exp(sqrt(eta0))) <= sigma_min^2(T_t) <= sigma_max^2(T_t) <= alpha2 exp(sqrt(eta0))
//                           and beta1 <= sigma_min(W_t) <= sigma_max(W_t) <= beta2,
//             with rho-bar, mu-bar, K-bar_t, Delta' and E.1's eta_max as in the catalogue
//             (../shared/theory/xu2025-and-linear-nets.md section 7; model/xu2025tmlr.hpp).
// Prediction: the premises hold along the run of step rule xu2025-growing (which takes eta_t = min(cap_t, eta-hat_t),
//             eta-hat_t the largest step with eta K_t(eta) <= 1), and then the inequalities above at every iterate.
// Check:      the paper's Section 4 problem (xu2025tmlr_recipe: X 10 x 10 Haar-orthogonal, K = mu = 1, W1, W2
//             standard normal, Y = X W1(0) W2(0) + noise eps, seed 0) run as a user runs it: `loraflow run` of a
//             problem.kind = "network" config with step_rule = "xu2025-growing" and the default eta0 = 0.99 eta_max
//             (validation/check/pipeline_run.hpp), every iterate observed. The claim recomputes Table 2, eta_max and
//             rho-bar from the instance at the working precision (model/xu2025tmlr.hpp) and checks the run's eta0 and
//             eta_max against them. Full, 100 iterations: h = 500, 1000, 4000 at noise 0.01 and h = 500 at noise 1 in
//             double, h = 500 at noise 0.01 in 50 digits. Quick, 60 iterations: h = 500, noise 0.01, double and 50 digits.
// Tolerance:  as xu2025tmlr.thm3_1-local-pl-descent: each loss carries an absolute rounding of about eps ||Y||_F ||E||_F,
//             so a loss inequality's defect is compared with delta_t = 64 eps ||Y||_F (sqrt(2 L(t)) + sqrt(2 L(t+1)))
//             and is resolved where the bound's own decrease (or distance from 0) exceeds delta_t. The spectra carry
//             an absolute rounding of about eps sigma_max^2(T) (a symmetric eigensolver's backward error), so Lemma
//             3.1's defects are compared with 64 eps sigma_max^2(T_t) (64 eps sigma_max(W_t) for sigma(W)). The
//             premises: eta_t K_t(eta_t) <= 1 + 64 eps, eta0 <= eta_t <= cap_t (1 + 64 eps). Fewer than 10 resolved
//             iterates: inconclusive. Report rows beside each: the measured contraction per iterate (the sharp law)
//             against rho-bar(eta0, 0), how much of Lemma 3.1's interval the run uses, and how much the step grew.
//             Table curves (the preset xu2025tmlr-fig1's figure): per iterate L, the chained bound (the run's rate_bound),
//             L(0) rho-bar(eta0, 0)^t, eta_t, the cap (1 + eta0^2)^(t/2) eta0, 1/K_t's root eta-hat_t, the spectra of T and
//             Lemma 3.1's bounds on them.
// Which rows can fail: a rho-bar or mu-bar with a wrong sign or factor (the bound drops below the loss), K-bar_t or
// eta_max too large (the loss leaves the chained bound, or eta-hat crosses 1/K_t), alpha1, alpha2, beta1, beta2 that
// are not bounds on the run's spectra, a growing cap other than (1 + eta0^2)^(t/2) eta0.
#include "check/pipeline_run.hpp"
#include "check/rows.hpp"

#include <loraflow/model/xu2023.hpp>
#include <loraflow/model/xu2025tmlr.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace loraflow::check {

namespace {

struct run_spec {
  long h;
  double noise;
  std::size_t K;
};

template <class Real> void growing_rows(const context& ctx, const run_spec& sp, result& res, std::vector<std::vector<std::string>>& curves) {
  using std::abs;
  using std::pow;
  using std::sqrt;
  const double Y_norm = xu2025tmlr_recipe<double>(sp.noise, sp.h, 0, 10).problem.Y.norm();
  const std::string where = "h = " + std::to_string(sp.h) + ", noise " + num(sp.noise, 2) + ", " + scalar_name<Real>();
  const std::string toml = "[problem]\nkind = \"network\"\nrecipe = \"xu2025tmlr\"\nn = 10\nh = " + std::to_string(sp.h) + "\nnoise = \"" +
                           num(sp.noise, 6) + "\"\nseed = 0\n[solve]\nmethod = \"gd\"\nstep_rule = \"xu2025-growing\"\nsteps = " +
                           std::to_string(sp.K) + "\nprecision = \"" + scalar_name<Real>() + "\"\n";
  const std::string src = "P4 Thm 3.2 = E.1 (catalogue 7)", src_lemma = "P4 Lemma 3.1 (catalogue 7)";
  const pipeline_output out = run_pipeline(toml, "xu2025tmlr.thm3_2-growing (" + where + ")");
  if (!out.result.ok()) {
    res.rows.push_back(inconclusive("Thm 3.2 (" + where + ")", "at every iterate", std::string("run: ") + status_name(out.result.status) + " " + out.result.message).paper(src));
    return;
  }
  const std::vector<Real> L = out.column<Real>("loss"), eta = out.column<Real>("eta"), bound = out.column<Real>("rate_bound"),
                          tmin = out.column<Real>("tau_min"), tmax = out.column<Real>("tau_max"), Wmin = out.column<Real>("W_sigma_min"),
                          Wmax = out.column<Real>("W_sigma_max");
  // The claim's own constants, from the instance the run parses (to every digit of Real).
  const xu2023_instance<Real> in = xu2025tmlr_recipe<Real>(parse<Real>(num(sp.noise, 6)), sp.h, 0, 10);
  const xu2025tmlr_constants<Real> k = xu2025tmlr_constants_of<Real>(in.problem, in.W1, in.W2);
  const factorization_model<Real> model(in.problem);
  const Real L0 = model.loss(model.pack(in.W1, in.W2.transpose()));
  const xu2025tmlr_eta_max<Real> em = xu2025tmlr_eta_max_of<Real>(k, L0);
  const Real eta0 = pipeline_output::number<Real>(out.summary["xu2025tmlr"]["eta0"]);
  const Real run_eta_max = pipeline_output::number<Real>(out.summary["xu2025tmlr"]["eta_max"]);
  if (!(abs(run_eta_max - em.eta_max) <= 64 * eps<Real>() * em.eta_max) || !(abs(eta0 - em.eta_max * 99 / 100) <= 64 * eps<Real>() * eta0))
    throw std::logic_error("xu2025tmlr.thm3_2 (" + where + "): the run's eta_max " + to_string(run_eta_max) + " / eta0 " + to_string(eta0) +
                           " are not the claim's " + to_string(em.eta_max) + " / 0.99 of it: the config's recipe and the claim's instance differ");
  const xu2025tmlr_growing<Real> g = xu2025tmlr_growing_of<Real>(k, L0, eta0);
  const Real e = eps<Real>(), Yn = Real(Y_norm), tol = 64 * e;

  // Premises and Theorem 3.2, step by step and overall.
  Real premise = -std::numeric_limits<Real>::infinity(), worst_step = premise, worst_total = premise, worst_chain = premise;
  Real sharp = Real(0);  // the measured contraction: the largest L(t+1) / L(t) over resolved steps
  std::size_t n_step = 0, n_total = 0, n_chain = 0;
  const std::size_t T = L.size() - 1;
  for (std::size_t t = 0; t + 1 < L.size(); ++t) {
    const Real tt = Real(static_cast<long>(t));
    const Real Kt = k.K_t(L[t], tmax[t], Wmax[t], eta[t]);
    // eta_t K_t <= 1, eta0 <= eta_t, eta_t <= cap_t: the largest relative excess over the three
    premise = std::max({premise, Real(eta[t] * Kt - 1), Real((eta0 - eta[t]) / eta0), Real((eta[t] - g.cap(tt)) / g.cap(tt))});
    const Real delta = 64 * e * Yn * (sqrt(2 * L[t]) + sqrt(2 * L[t + 1]));
    const Real rho = g.rho_bar(eta[t], tt);
    if ((1 - rho) * L[t] > delta) {
      ++n_step;
      worst_step = std::max(worst_step, Real((L[t + 1] - rho * L[t]) / delta));
      sharp = std::max(sharp, Real(L[t + 1] / L[t]));
    }
    const Real total = L0 * pow(g.rho0, Real(static_cast<long>(t + 1)));
    if (total > delta) {
      ++n_total;
      worst_total = std::max(worst_total, Real((L[t + 1] - total) / delta));
    }
    if (bound[t + 1] > delta) {
      ++n_chain;
      worst_chain = std::max(worst_chain, Real((L[t + 1] - bound[t + 1]) / delta));
    }
  }
  auto add = [&](row r, std::size_t n, const std::string& from) {
    if (n < 10) res.rows.push_back(inconclusive(r.quantity, r.predicted, std::to_string(n) + " resolved iterates (< 10)").paper(from));
    else res.rows.push_back(r.paper(from));
  };
  res.rows.push_back(at_most("premises: max_t relative excess (" + where + ")", "<= 64 eps", to_double(premise), to_double(tol),
                             "eta_t K_t(eta_t) <= 1, eta0 <= eta_t and eta_t <= (1 + eta0^2)^(t/2) eta0 at every iterate of the rule")
                         .paper(src));
  add(at_most("max_t step defect / delta_t (" + where + ")", "<= 1", to_double(worst_step), 1.0,
              "L(t+1) - rho-bar(eta_t, t) L(t) <= delta_t at every resolved iterate"),
      n_step, src);
  add(at_most("max_t defect against rho-bar(eta0, 0)^t L(0) / delta_t (" + where + ")", "<= 1", to_double(worst_total), 1.0,
              "L(t) - rho-bar(eta0, 0)^t L(0) <= delta_t at every resolved iterate"),
      n_total, src);
  add(at_most("max_t defect against rate_bound / delta_t (" + where + ")", "<= 1", to_double(worst_chain), 1.0,
              "L(t) <= the run's rate_bound column, L(0) prod_(s<t) rho-bar(eta_s, s), up to delta_t"),
      n_chain, src);
  res.rows.push_back(reported("sharp contraction (" + where + ")", "rho-bar(eta0, 0) = " + num(to_double(g.rho0), 4),
                              "max_t L(t+1)/L(t) = " + num(to_double(sharp), 4) + " over " + std::to_string(n_step) + " resolved steps",
                              "the measured per-step contraction beside the theorem's")
                         .derived("header: report rows"));

  // Lemma 3.1 at every iterate (observed: t = 0 .. T).
  Real d_tlo = -std::numeric_limits<Real>::infinity(), d_thi = d_tlo, d_wlo = d_tlo, d_whi = d_tlo;
  Real room_lo = std::numeric_limits<Real>::infinity(), room_hi = Real(0);
  for (std::size_t t = 0; t < L.size(); ++t) {
    const Real st = tol * tmax[t], sw = tol * Wmax[t];
    d_tlo = std::max(d_tlo, Real((g.tau_lower - tmin[t]) / st));
    d_thi = std::max(d_thi, Real((tmax[t] - g.tau_upper) / st));
    d_wlo = std::max(d_wlo, Real((k.beta1 - Wmin[t]) / sw));
    d_whi = std::max(d_whi, Real((Wmax[t] - k.beta2) / sw));
    room_lo = std::min(room_lo, Real(tmin[t] / g.tau_lower));
    room_hi = std::max(room_hi, Real(tmax[t] / g.tau_upper));
  }
  res.rows.push_back(at_most("Lemma 3.1: max_t (lower - sigma_min^2(T_t)) / (64 eps sigma_max^2) (" + where + ")", "<= 1", to_double(d_tlo), 1.0,
                             "alpha1 + 2 alpha2 (1 - exp(sqrt(eta0))) <= sigma_min^2(T_t) at every iterate")
                         .paper(src_lemma));
  res.rows.push_back(at_most("Lemma 3.1: max_t (sigma_max^2(T_t) - upper) / (64 eps sigma_max^2) (" + where + ")", "<= 1", to_double(d_thi), 1.0,
                             "sigma_max^2(T_t) <= alpha2 exp(sqrt(eta0)) at every iterate")
                         .paper(src_lemma));
  res.rows.push_back(at_most("Lemma 3.1: max_t (beta1 - sigma_min(W_t)) / (64 eps sigma_max(W_t)) (" + where + ")", "<= 1", to_double(d_wlo), 1.0,
                             "beta1 <= sigma_min(W_t) at every iterate")
                         .paper(src_lemma));
  res.rows.push_back(at_most("Lemma 3.1: max_t (sigma_max(W_t) - beta2) / (64 eps sigma_max(W_t)) (" + where + ")", "<= 1", to_double(d_whi), 1.0,
                             "sigma_max(W_t) <= beta2 at every iterate")
                         .paper(src_lemma));
  res.rows.push_back(reported("Lemma 3.1 room (" + where + ")", "not stated",
                              "min_t sigma_min^2(T_t) / lower = " + num(to_double(room_lo), 4) + ", max_t sigma_max^2(T_t) / upper = " +
                                  num(to_double(room_hi), 4),
                              "how much of the lemma's interval the run uses")
                         .derived("header: report rows"));
  for (std::size_t t = 0; t < L.size(); ++t) {
    const Real tt = Real(static_cast<long>(t));
    curves.push_back({std::to_string(sp.h), num(sp.noise, 6), scalar_name<Real>(), std::to_string(t), to_string(L[t]), to_string(bound[t]),
                      to_string(Real(L0 * pow(g.rho0, tt))), to_string(eta[t]), to_string(g.cap(tt)),
                      to_string(k.step_limit(L[t], tmax[t], Wmax[t])), to_string(tmin[t]), to_string(tmax[t]), to_string(g.tau_lower),
                      to_string(g.tau_upper)});
  }
  const Real growth = eta[T > 0 ? T - 1 : 0] / eta0;
  res.notes.push_back(where + ": eta_max = " + num(to_double(em.eta_max), 6) + " (eta0^(1) = " + num(to_double(em.root1), 6) +
                      ", eta0^(2) = " + num(to_double(em.root2), 6) + ", alpha term = " + num(to_double(em.alpha_term), 6) +
                      "), eta0 = " + num(to_double(eta0), 6) + "; the step grew by a factor " + num(to_double(growth), 10) +
                      " over " + std::to_string(T) + " iterations ((1 + eta0^2)^(T/2) = 1 + O(T eta0^2): invisible at this eta0); " +
                      std::to_string(n_step) + " / " + std::to_string(n_total) + " / " + std::to_string(n_chain) +
                      " iterates resolved (step / overall / chained); L from " + num(to_double(L.front()), 4) + " to " +
                      num(to_double(L.back()), 4));
  ctx.say(where + ": step " + num(to_double(worst_step), 3) + ", overall " + num(to_double(worst_total), 3) + ", sharp " +
          num(to_double(sharp), 4) + " vs rho-bar " + num(to_double(g.rho0), 4) + ", lemma room " + num(to_double(room_lo), 4) + "/" +
          num(to_double(room_hi), 4));
}

}  // namespace

claim make_xu2025tmlr_thm3_2() {
  return claim{"xu2025tmlr.thm3_2-growing-step", "Xu, Min, Tarmoun, Mallada, Vidal, TMLR 2025", "Thm 3.2 = E.1, Lemma 3.1; catalogue 7",
               "GD with the growing step min((1 + eta0^2)^(t/2) eta0, 1/K_t), eta0 < eta_max: L(t+1) <= rho-bar(eta_t, t) L(t) <= "
               "rho-bar(eta0, 0) L(t), and Lemma 3.1's bounds on sigma(T_t) and sigma(W_t) at every iterate",
               [](const context& ctx) {
                 result res;
                 std::vector<std::vector<std::string>> curves;
                 if (ctx.quick) {
                   growing_rows<double>(ctx, {500, 0.01, 60}, res, curves);
                   growing_rows<float50>(ctx, {500, 0.01, 60}, res, curves);
                 } else {
                   for (long h : {500L, 1000L, 4000L}) growing_rows<double>(ctx, {h, 0.01, 100}, res, curves);
                   growing_rows<double>(ctx, {500, 1.0, 100}, res, curves);
                   growing_rows<float50>(ctx, {500, 0.01, 100}, res, curves);
                 }
                 // The preset xu2025tmlr-fig1 plots this table (tools/plot_sweep.py).
                 res.data.push_back(table{"curves",
                                          {"h", "noise", "precision", "t", "L", "bound_chained", "bound_overall", "eta", "cap", "step_limit",
                                           "tau_min", "tau_max", "tau_lower", "tau_upper"},
                                          curves});
                 res.notes.push_back("runs: `loraflow run` of problem.kind = \"network\", recipe = \"xu2025tmlr\" (n = 10, seed 0), "
                                     "method gd, step_rule = \"xu2025-growing\" with the default eta0 = 0.99 eta_max, every iterate "
                                     "observed (validation/check/pipeline_run.hpp); the paper's Sec. 4 runs use E.1 with c = 0.5, d = 1.01, "
                                     "whose general form the catalogue does not transcribe, so Theorem 3.2's c = 1/2, d = 2 is run");
                 return res;
               }};
}

}  // namespace loraflow::check
