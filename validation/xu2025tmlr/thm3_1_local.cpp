// Claim:      Xu, Min, Tarmoun, Mallada, Vidal, TMLR 2025 ("P4"), Theorem 3.1: along the iterates of GD on
//             L(W1, W2) = l(W1 W2) with l K-smooth, mu-strongly convex and min l = 0, at every t with step eta_t,
//               (descent)  L(t+1) <= L(t) - (eta_t - K_t eta_t^2 / 2) ||grad L(t)||^2,
//               (PL)       ||grad L(t)||^2 / 2 >= mu_t L(t),   mu_t = mu sigma_min^2(T_t),
//               (rate)     if eta_t K_t < 2:  L(t+1) <= (1 - 2 mu_t eta_t + mu_t K_t eta_t^2) L(t),
//             K_t = K sigma_max^2(T_t) + sqrt(2 K L(t)) + 6 K^2 sigma_max(W(t)) L(t) eta_t^2 + 3 K sigma_max^2(T_t) sqrt(2 K L(t)) eta_t
//             (catalogue ../shared/theory/xu2025-and-linear-nets.md section 7; K_t in model/xu2025tmlr.hpp).
// Prediction: the three inequalities at every iterate, for any step (the theorem bounds the local smoothness along
//             the segment the step takes; the rate needs eta_t K_t < 2).
// Check:      the paper's Section 4 problem (model/xu2023.hpp, xu2025tmlr_recipe: X 10 x 10 Haar-orthogonal, so
//             K = mu = 1; W1, W2 standard normal; Y = X W1(0) W2(0) + noise eps), run as a user runs it:
//             `loraflow run` of a problem.kind = "network" config (validation/check/pipeline_run.hpp), GD with the
//             constant step eta = c / sigma_max^2(T_0) for c = 0.5 and 1.9 (1.9: near the edge eta K_t = 2, where
//             the bound's guaranteed decrease (eta - K_t eta^2 / 2) ||grad L||^2 is small; the notes count the
//             iterates with eta K_t >= 2, where it would be negative), every iterate observed (trajectory.csv: loss, eta,
//             grad_norm2, tau_min = sigma_min^2(T), tau_max = sigma_max^2(T), W_sigma_max). Full, 100 iterations:
//             h = 500, 1000, 4000 at noise 0.01 with c = 0.5 and 1.9, and h = 500 at noise 1 with c = 1, in double;
//             h = 500 at noise 0.01 with c = 0.5 and 1.9 in 50 digits. Quick, 60 iterations: h = 500, noise 0.01, in
//             double (c = 0.5, 1.9) and 50 digits (c = 0.5).
// Tolerance:  the residual E = Y - X W1 W2 is formed by cancelling terms of size ||Y||_F, so each loss carries an
//             absolute rounding of about eps ||Y||_F ||E||_F: descent and rate defects d_t are compared with
//             delta_t = 64 eps ||Y||_F (sqrt(2 L(t)) + sqrt(2 L(t+1))), and a step counts (is resolved) when its
//             bound's gradient term exceeds delta_t. The PL ratio ||grad L||^2 / (2 mu_t L) carries a relative rounding
//             of about r_t = 64 eps ||Y||_F / ||E_t||_F; it is resolved where r_t < 0.1 and must be >= 1 - r_t. Fewer
//             than 10 resolved iterates: inconclusive. Report rows beside each: how tight each inequality is (the
//             measured decrease over the bound's, the smallest PL ratio).
// Which rows can fail: a K_t that is too small (a wrong power or factor in a term that matters here: the
//             sigma_max^2(T) terms), a sigma(T) monitor that is not the operator's, a GD step that is not the
//             gradient; the 6 K^2 sigma_max(W) L eta^2 term is far below the others on these runs, so a slip in it
//             would not show.
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
  double noise, c;
  std::size_t K;
};

template <class Real> void local_rows(const context& ctx, const run_spec& sp, result& res) {
  using std::sqrt;
  const xu2023_instance<double> in_d = xu2025tmlr_recipe<double>(sp.noise, sp.h, 0, 10);
  const double eta_d = sp.c / xu2023_spectra_of<double>(in_d.W1, in_d.W2).tau_max;
  const double Y_norm = in_d.problem.Y.norm();
  const std::string where = "h = " + std::to_string(sp.h) + ", noise " + num(sp.noise, 2) + ", eta = " + num(sp.c, 2) +
                            " / sigma_max^2(T_0), " + scalar_name<Real>();
  const std::string toml = "[problem]\nkind = \"network\"\nrecipe = \"xu2025tmlr\"\nn = 10\nh = " + std::to_string(sp.h) + "\nnoise = \"" +
                           num(sp.noise, 6) + "\"\nseed = 0\n[solve]\nmethod = \"gd\"\ndt = \"" + full(eta_d) + "\"\nsteps = " +
                           std::to_string(sp.K) + "\nprecision = \"" + scalar_name<Real>() + "\"\n";
  const std::string src = "P4 Thm 3.1 (catalogue 7)";
  const pipeline_output out = run_pipeline(toml, "xu2025tmlr.thm3_1-local (" + where + ")");
  if (!out.result.ok()) {
    res.rows.push_back(inconclusive("Thm 3.1 (" + where + ")", "at every iterate", std::string("run: ") + status_name(out.result.status) + " " + out.result.message).paper(src));
    return;
  }
  const std::vector<Real> L = out.column<Real>("loss"), eta = out.column<Real>("eta"), g = out.column<Real>("grad_norm2"),
                          tmin = out.column<Real>("tau_min"), tmax = out.column<Real>("tau_max"), Wmax = out.column<Real>("W_sigma_max");
  const xu2023_instance<Real> in = xu2025tmlr_recipe<Real>(parse<Real>(num(sp.noise, 6)), sp.h, 0, 10);  // as the run parses it
  const xu2025tmlr_constants<Real> k = xu2025tmlr_constants_of<Real>(in.problem, in.W1, in.W2);
  // The run's problem is this instance: its summary's alpha1 is the one computed here (to the digits JSON keeps).
  {
    using std::abs;
    const Real a1 = pipeline_output::number<Real>(out.summary["xu2025tmlr"]["alpha1"]);
    if (!(abs(a1 - k.alpha1) <= 64 * eps<Real>() * k.alpha1))
      throw std::logic_error("xu2025tmlr.thm3_1 (" + where + "): the run's alpha1 " + to_string(a1) + " is not the claim's " +
                             to_string(k.alpha1) + ": the config's recipe and the claim's instance differ");
  }
  const Real e = eps<Real>(), Yn = Real(Y_norm);
  Real worst_descent = -std::numeric_limits<Real>::infinity(), worst_rate = worst_descent;
  Real pl_min = std::numeric_limits<Real>::infinity(), pl_tight = pl_min, descent_tight = pl_min;
  std::size_t n_descent = 0, n_rate = 0, n_pl = 0, crossed = 0;
  for (std::size_t t = 0; t + 1 < L.size(); ++t) {
    const Real Kt = k.K_t(L[t], tmax[t], Wmax[t], eta[t]);
    const Real mu_t = k.mu * tmin[t];
    const Real delta = 64 * e * Yn * (sqrt(2 * L[t]) + sqrt(2 * L[t + 1]));
    const Real bound_term = (eta[t] - Kt * eta[t] * eta[t] / 2) * g[t];
    if (eta[t] * Kt >= 2) ++crossed;
    using std::abs;
    if (abs(bound_term) > delta) {
      ++n_descent;
      worst_descent = std::max(worst_descent, Real((L[t + 1] - L[t] + bound_term) / delta));
      if (bound_term > 0) descent_tight = std::min(descent_tight, Real((L[t] - L[t + 1]) / bound_term));
    }
    if (eta[t] * Kt < 2) {
      const Real rho = 1 - 2 * mu_t * eta[t] + mu_t * Kt * eta[t] * eta[t];
      if ((1 - rho) * L[t] > delta) {
        ++n_rate;
        worst_rate = std::max(worst_rate, Real((L[t + 1] - rho * L[t]) / delta));
      }
    }
    const Real r = 64 * e * Yn / sqrt(2 * L[t]);
    if (r < Real(1) / 10) {  // resolved: the ratio's rounding below a tenth
      ++n_pl;
      const Real ratio = g[t] / (2 * mu_t * L[t]);
      pl_min = std::min(pl_min, Real(ratio / (1 - r)));
      pl_tight = std::min(pl_tight, ratio);
    }
  }
  auto add = [&](row r, std::size_t n) {
    if (n < 10) res.rows.push_back(inconclusive(r.quantity, r.predicted, std::to_string(n) + " resolved iterates (< 10)").paper(src));
    else res.rows.push_back(r.paper(src));
  };
  add(at_most("max_t d_t / delta_t, descent lemma (" + where + ")", "<= 1 (d_t <= 0 up to rounding)", to_double(worst_descent), 1.0,
              "d_t = L(t+1) - L(t) + (eta - K_t eta^2/2) ||grad L||^2 <= delta_t at every resolved iterate"),
      n_descent);
  add(at_least("min_t PL ratio / (1 - r_t) (" + where + ")", ">= 1", to_double(pl_min), 1.0,
               "||grad L||^2 / (2 mu sigma_min^2(T_t) L) >= 1 - r_t at every resolved iterate"),
      n_pl);
  add(at_most("max_t rate defect / delta_t (" + where + ")", "<= 1 where eta K_t < 2", to_double(worst_rate), 1.0,
              "L(t+1) - (1 - 2 mu_t eta + mu_t K_t eta^2) L(t) <= delta_t at every resolved iterate with eta K_t < 2"),
      n_rate);
  res.rows.push_back(reported("tightness (" + where + ")", "not stated",
                              "decrease / bound's decrease >= " + num(to_double(descent_tight), 4) + "; PL ratio >= " +
                                  num(to_double(pl_tight), 4),
                              "how much room the descent lemma and the PL inequality leave on this run")
                         .derived("header: report rows"));
  res.notes.push_back(where + ": " + std::to_string(n_descent) + " / " + std::to_string(n_pl) + " / " + std::to_string(n_rate) +
                      " iterates resolved (descent / PL / rate) of " + std::to_string(L.size() - 1) + "; eta K_t >= 2 at " +
                      std::to_string(crossed) + "; L from " + num(to_double(L.front()), 4) + " to " + num(to_double(L.back()), 4) +
                      "; K = " + num(to_double(k.K), 6) + ", mu = " + num(to_double(k.mu), 6));
  ctx.say(where + ": descent " + num(to_double(worst_descent), 3) + ", PL min " + num(to_double(pl_tight), 4) + ", rate " +
          num(to_double(worst_rate), 3) + " (" + std::to_string(n_descent) + "/" + std::to_string(n_pl) + "/" +
          std::to_string(n_rate) + " resolved)");
}

}  // namespace

claim make_xu2025tmlr_thm3_1() {
  return claim{"xu2025tmlr.thm3_1-local-pl-descent", "Xu, Min, Tarmoun, Mallada, Vidal, TMLR 2025", "Thm 3.1; catalogue 7",
               "along GD iterates: the local descent lemma with K_t, the local PL inequality with mu sigma_min^2(T_t), and "
               "their rate where eta K_t < 2",
               [](const context& ctx) {
                 result res;
                 if (ctx.quick) {
                   local_rows<double>(ctx, {500, 0.01, 0.5, 60}, res);
                   local_rows<double>(ctx, {500, 0.01, 1.9, 60}, res);
                   local_rows<float50>(ctx, {500, 0.01, 0.5, 60}, res);
                 } else {
                   for (long h : {500L, 1000L, 4000L})
                     for (double c : {0.5, 1.9}) local_rows<double>(ctx, {h, 0.01, c, 100}, res);
                   local_rows<double>(ctx, {500, 1.0, 1.0, 100}, res);
                   for (double c : {0.5, 1.9}) local_rows<float50>(ctx, {500, 0.01, c, 100}, res);
                 }
                 res.notes.push_back("runs: `loraflow run` of problem.kind = \"network\", recipe = \"xu2025tmlr\" (n = 10, seed 0), "
                                     "method gd with a constant step, every iterate observed (validation/check/pipeline_run.hpp)");
                 return res;
               }};
}

}  // namespace loraflow::check
