// Claim:      Xu et al. (AISTATS 2025) Theorem 3.2 = D.1 with Lemma D.2 (catalogue 2.6). On [T1, T1 + T2],
//             T2 = c2 log(sqrt(2 L(0))/alpha)/(sigma sW2), c2 = 32 c3/(1-dw) (eq. (33)):
//             (15) L(t) <= 2 exp(-(1 - ||Z2(T1)||/||Z1(T2)||)(1-dw) sigma sW2 (t - T1)/16) L(T1)
//                  + c8 (1 - cos^2(U_Z1(T1), gamma1))                                    (eq. (15); c8 not given)
//             (L) L(t) <= 2 exp(-(1-dw) sigma sW2 (t - T1)/32) L(T1) + 2 alpha^c3           (eq. (16); c3 not given)
//             (A) cos^2(U_Z1, gamma1)(t) >= cos^{2 c6}(U_Z1(T1), gamma1)                     (c6 not given)
//             (I) ||Z1||/||Z2||(t) >= (||Z1(T1)||/||Z2(T1)||)^{c7}                          (c7 not given)
//             and Lemma D.2: ||E(T1)||_F <= (1 - (1-dw)/8) sigma, ||gamma1^T Z1||_F^2 >= (1-dw) sigma/(8 sW2).
//             (Eq. (16) is printed with L(T1); the proof of Thm B.1, eq. (31), uses L(0) >= L(T1), a weaker form.)
// Prediction: (15), (L), (A), (I) hold for some constants c8, c3 > 0, c6, c7 that do not depend on alpha (they are
//             polylog(dw, sW1, sW2)); Lemma D.2 as printed.
// Check:      Fig. 1 recipe at c = 1.05 (dw = 0.907) and c = 2 (dw = 1/4), LoRA init, alpha = 1e-3, 1e-4, 1e-5
//             (full adds 1e-6), t in [0, t_end] with observations every dt = 0.002; t_end = 3 (quick), 4 (full: at
//             alpha = 1e-6 the loss is still 100x above its floor at t = 3, 2% above at t = 4). The loss floor is a
//             residual E ~ alpha^2 inside O(1) entries, so the precision is planned for 3 digits of a quantity of size
//             alpha^2 (run/precision.hpp, p = 2), as in xu2025.thm3.1-loss-floor.
//             (L) c_env(alpha) := the largest c for which (L) holds at every observation in [T1, T1 + T2(c)]
//             (T2 depends on c through c2). The holding set is an interval [0, c_env]: both the envelope and the
//             window shrink the admissible set as c grows. Beyond t_end the loss is bounded by L(t_end): gradient
//             flow is monotone, dL/dt = -||grad L||^2 <= 0 (checked on the observations, row (M)), so for
//             T1 + T2 > t_end, L(t_end) <= env_c(T1 + T2) certifies (L) on (t_end, T1 + T2] (the envelope is
//             decreasing in t). c_env is found by bisection on [0, 64].
//             c6_min(alpha) := max over the window of ln cos^2(t) / ln cos^2(T1) (1 if alignment never worsens:
//             at t = T1 itself the statement needs c6 >= 1);
//             c7_max(alpha) := min over the window of ln R(t) / ln R(T1), R = ||Z1||_F/||Z2||_F (<= 1; any c7 <= c7_max
//             works; the statement is invariant under squaring R, so Frobenius or squared Frobenius (eq. (77)) give
//             the same c7). The window is [T1, min(T1 + T2(c_env), t_end)]; T2(c_env) is far beyond t_end, so the
//             persistence is observed only up to t_end (stated, not claimed beyond).
// Tolerance / what can fail:
//             - (L): c -> 0 always holds (L(t) <= L(T1) <= 2 L(T1)), so "c_env > 0 at each alpha" cannot fail: it is
//               not a row (c_env per alpha is listed in a note and the table). The
//               theorem's content is that one c3 works for every alpha <= alpha*: c_env(alpha) must stay bounded
//               away from 0 as alpha -> 0. A floor L_inf = C alpha^p gives c_env(alpha) ~ p + ln(C/2)/ln(alpha), so
//               the row tests the extrapolation: the slope p of ln(L(t_end)/2) against ln(alpha) (least squares)
//               must be > 3 standard errors above 0, and the uniform c3 := p - 2 se must satisfy (L) at every alpha
//               (checked with the full envelope, not the floor alone).
//             - (A): a collapse of alignment after T1 makes c6_min ~ (1 - cos^2(t))/(1 - cos^2(T1)) ~ alpha^-2
//               grow without bound as alpha -> 0. Row: no growth of c6_min as alpha decreases beyond its resolution:
//               c6_min(smallest alpha) <= c6_min(largest alpha) + e_c6, e_c6 = 2e-3 (c6_min(smallest) +
//               c6_min(largest)). Each c6_min is a ratio ln cos^2(t) / ln cos^2(T1) of two quantities of size
//               ~alpha^2 (1 - cos at T1 is 29 alpha^2 at c = 1.05, 6 alpha^2 at c = 2), each carried to the planned
//               3 digits (relative 1e-3), so each ratio carries a relative 2e-3; the bound is the sum for the two values compared (c6_min = 1, the
//               value at t = T1 itself, is exact). A growth like alpha^-2 fails it; so would a bounded but
//               pre-asymptotic rise (not seen: c6_min = 1 at every alpha, alignment only improves after T1), which
//               would then need a fitted law, not a wider tolerance.
//             - (I): a loss of imbalance (R(t) < 1 while R(T1) > 1) makes c7_max < 0; a uniform c7 > 0 needs
//               c7_max(alpha) > 0 at every alpha. Row: min over alpha of c7_max > 0.
//             - (15) eq. (15) as printed: L(t) <= 2 exp(-(1 - rho)(1-dw) sigma sW2 (t - T1)/16) L(T1)
//               + c8 (1 - cos^2(U_Z1(T1), gamma1)), rho = ||Z2(T1)||_F/||Z1(T1)||_F (the printed Z1(T2) read as
//               Z1(T1), catalogue 2.6 [T]; the unspecified norm read as Frobenius). c8 is not given, and T2's c2 is
//               not either, so the reading tested is the strongest one that any c2 needs: (15) on [T1, oo). With L
//               monotone (row (M)) the point at infinity needs c8 >= L(t_end)/(1 - cos^2(T1)) (the exponential
//               has gone), so c8_min(alpha) := max over the observations after T1 and t = oo of
//               (L(t) - 2 exp(...) L(T1))_+ / (1 - cos^2(T1)) is the smallest c8 for that alpha. It is finite
//               whenever cos^2(T1) < 1 (checked above), so "a finite c8 exists" cannot fail and is not a row
//               (values in a note, with the window to T1 + T2(c_env) and eq. (77)'s squared ratio beside it). The
//               content that can fail is that c8 does not depend on alpha. Rows: (i) c8* := c8_min at the largest
//               alpha (1e-3) makes (15) hold at every smaller alpha: max_{alpha < 1e-3} c8_min(alpha) <= c8*;
//               (ii) the exponent q of c8_min(alpha) (least-squares line in ln alpha) is >= -3 se: c8_min does not
//               grow as alpha -> 0. Both are loose by orders of magnitude (the loss floor is ~alpha^3.5..4, row
//               (L), while 1 - cos^2(T1) ~ alpha^2, so c8_min falls like alpha^1.5..2): a 1% change of the measured
//               loss cannot move them; the sensitivity to 1% of L is carried by row (R).
//             - Lemma D.2 rows are inequalities of O(1) quantities resolved to >= 3 digits: pass when they hold.
//             - (M) monotone loss: the largest relative increase of L between consecutive observations after T1
//               must be <= 2e-3 (L = E^2/2 carries 2 x the 3-digit relative error planned for E).
//             - (R) resolution / sensitivity: at alpha = 1e-3 the loss on [T1, t_end] is recomputed with 6 planned
//               digits; the 3-digit run must agree to a relative 2e-3 (same reason) at every observation. A 1%
//               change of the measured loss fails this row; no row of the theorem itself can see 1% (its constants
//               are free and its rate is ~1000x below the measured one).
#include "check/rows.hpp"

#include <loraflow/observe/fit.hpp>

#include <algorithm>
#include <cmath>

namespace loraflow::check {

namespace {
constexpr double c_cap = 64;

/// Everything the envelope and persistence checks need from one run.
struct local_run {
  double alpha, T1, L0, LT1, sigma, sw2, dw;
  std::vector<double> t, L, cos2_log, R_log;  ///< observations; ln cos^2(U_Z1, gamma1), ln(||Z1||_F/||Z2||_F)
  double cos2_log_T1, R_log_T1;
  double T2(double c) const { return 32 * c / (1 - dw) * std::log(std::sqrt(2 * L0) / alpha) / (sigma * sw2); }
  double env(double c, double s) const {
    return 2 * std::exp(-(1 - dw) * sigma * sw2 * (s - T1) / 32) * LT1 + 2 * std::pow(alpha, c);
  }
  /// max over the checked points of L / envelope (<= 1: (L) holds with this c).
  double worst_ratio(double c) const {
    const double end = T1 + T2(c);
    double w = LT1 / env(c, T1);
    for (std::size_t k = 0; k < t.size(); ++k)
      if (t[k] >= T1 && t[k] <= end) w = std::max(w, L[k] / env(c, t[k]));
    if (end > t.back()) w = std::max(w, L.back() / env(c, end));  // monotone L beyond t_end
    return w;
  }
  /// Eq. (15) as printed (Frobenius norms, Z1(T2) read as Z1(T1)): rate (1 - ||Z2(T1)||/||Z1(T1)||)(1-dw) ss/16;
  /// eq77 = true: the appendix's squared ratio. m2T1 = 1 - cos^2(U_Z1(T1), gamma1).
  double m2T1 = 0;
  double rate15(bool eq77) const {
    const double rho = eq77 ? std::exp(-2 * R_log_T1) : std::exp(-R_log_T1);
    return (1 - rho) * (1 - dw) * sigma * sw2 / 16;
  }
  /// The smallest c8 >= 0 with eq. (15) at every observation of [T1, end], and at end through the monotone L.
  double c8_req(double end, bool eq77) const {
    const double k = rate15(eq77);
    double w = 0;
    for (std::size_t i = 0; i < t.size(); ++i)
      if (t[i] >= T1 && t[i] <= end) w = std::max(w, (L[i] - 2 * std::exp(-k * (t[i] - T1)) * LT1) / m2T1);
    if (end > t.back()) w = std::max(w, (L.back() - 2 * std::exp(-k * (end - T1)) * LT1) / m2T1);
    return w;
  }
  double c_env() const {
    if (worst_ratio(c_cap) <= 1) return c_cap;
    double lo = 0, hi = c_cap;
    for (int i = 0; i < 80; ++i) {
      const double mid = (lo + hi) / 2;
      (worst_ratio(mid) <= 1 ? lo : hi) = mid;
    }
    return lo;
  }
};

double ln_cos2(double misalign) { return 2 * std::log1p(-misalign); }  // cos = 1 - misalign

local_run local_of(const trajectory& tr, double alpha) {
  local_run r;
  r.alpha = alpha;
  r.T1 = tr.T1;
  r.sigma = tr.sigma;
  r.sw2 = tr.sigma_W2;
  r.dw = tr.delta_w;
  r.L0 = tr.initial.at("loss");
  r.LT1 = tr.at_T1.at("loss");
  r.t = tr.t;
  r.L = tr.series.at("loss");
  for (std::size_t k = 0; k < r.t.size(); ++k) {
    r.cos2_log.push_back(ln_cos2(tr.series.at("misalign")[k]));
    r.R_log.push_back(0.5 * std::log(tr.series.at("imbalance_fro")[k]));
  }
  r.cos2_log_T1 = ln_cos2(tr.at_T1.at("misalign"));
  r.m2T1 = tr.at_T1.at("misalign") * (2 - tr.at_T1.at("misalign"));  // 1 - cos^2 = (1 - cos)(1 + cos)
  r.R_log_T1 = 0.5 * std::log(tr.at_T1.at("imbalance_fro"));
  return r;
}

void local_rows(const context& ctx, const std::string& c, const std::vector<std::string>& alphas, result& r) {
  trajectory_request q;
  q.problem = fig1_problem();
  q.problem.c = c;
  q.t_end = ctx.quick ? "3" : "4";
  q.observations = ctx.quick ? 1500 : 2000;
  const std::string te = q.t_end;
  q.digits = 3;
  q.alpha_power = 2;
  const std::string tag = " (c = " + c + ")";
  const std::vector<trajectory> runs = sweep_alpha(ctx, q, alphas);
  std::string why;
  if (!all_ok(runs, alphas, true, why)) {
    r.rows.push_back(inconclusive("Lemma D.2 / Thm 3.2" + tag, "", why).paper("Xu et al. 2025, Thm 3.2, Lemma D.2"));
    return;
  }
  const double sigma = runs[0].sigma, sw2 = runs[0].sigma_W2, dw = runs[0].delta_w, ss = sigma * sw2;
  const double e_bound = 1 - (1 - dw) / 8, g_bound = (1 - dw) * sigma / (8 * sw2);
  double e_max = 0, g_min = 1e300, rate_min = 1e300, rate_max = 0, mono = -1e300, c6_small = 0, c6_large = 0;
  double c7_min = 1e300;
  std::vector<double> a_fit, L_fit;
  std::vector<local_run> lr;
  table tb{"local_convergence_c" + c,
           {"alpha", "T1", "L0", "L_T1", "L_t_end", "E_norm_T1_over_sigma", "min_gamma1_Z1_sq_after_T1", "c_env",
            "T2_at_c_env", "c6_min", "c7_max", "ln_cos2_T1", "R_T1", "rate_small", "rate_small_se", "window_small",
            "max_rel_increase_L"},
           {}};
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const trajectory& t = runs[i];
    const double a = std::stod(alphas[i]);
    lr.push_back(local_of(t, a));
    local_run& L = lr.back();
    // (1% sensitivity test: multiply L.L and L.LT1 by 1.01 here.)
    const double e = t.at_T1.at("E_norm") / sigma;
    double g = std::pow(t.at_T1.at("gamma1_Z1"), 2), inc = -1e300;
    for (std::size_t k = 0; k < t.t.size(); ++k)
      if (t.t[k] >= t.T1) {
        g = std::min(g, std::pow(t.series.at("gamma1_Z1")[k], 2));
        if (k > 0 && t.t[k - 1] >= t.T1) inc = std::max(inc, (L.L[k] - L.L[k - 1]) / L.L[k - 1]);
      }
    const double cenv = L.c_env();
    const double end = std::min(L.T1 + L.T2(cenv), L.t.back());
    // The window starts at T1 itself, where (A) needs c6 >= 1 and (I) needs c7 <= 1 (cos^2(T1) < 1, R(T1) > 1).
    double c6 = 1, c7 = 1;
    if (!(L.cos2_log_T1 < 0) || !(L.R_log_T1 > 0)) {
      r.rows.push_back(inconclusive("persistence" + tag, "", "alpha = " + alphas[i] + ": cos^2(T1) = 1 or ||Z1||/||Z2|| <= 1 at T1")
                           .paper("Xu et al. 2025, Thm 3.2"));
      return;
    }
    for (std::size_t k = 0; k < L.t.size(); ++k)
      if (L.t[k] >= L.T1 && L.t[k] <= end) {
        c6 = std::max(c6, L.cos2_log[k] / L.cos2_log_T1);
        c7 = std::min(c7, L.R_log[k] / L.R_log_T1);
      }
    const window_fit w = fit_rate_window(t.t, L.L, 1e-8, 1e-2, t.T1);
    if (!w.ok) {
      r.rows.push_back(inconclusive("local rate" + tag, "", "alpha = " + alphas[i] + ": loss did not cross 1e-2 .. 1e-8 by t = " + te)
                           .measured_reference("least-squares slope of ln L"));
      return;
    }
    e_max = std::max(e_max, e);
    g_min = std::min(g_min, g);
    mono = std::max(mono, inc);
    rate_min = std::min(rate_min, w.fit.slope);
    rate_max = std::max(rate_max, w.fit.slope);
    if (i == 0) c6_large = c6;
    c6_small = c6;
    c7_min = std::min(c7_min, c7);
    a_fit.push_back(a);
    L_fit.push_back(L.L.back() / 2);
    tb.rows.push_back({alphas[i], full(L.T1), full(L.L0), full(L.LT1), full(L.L.back()), full(e), full(g), full(cenv),
                       full(L.T2(cenv)), full(c6), full(c7), full(L.cos2_log_T1), full(std::exp(L.R_log_T1)),
                       full(w.fit.slope), full(w.fit.slope_se),
                       "[" + num(w.t_first, 5) + " " + num(w.t_last, 5) + "]", full(inc)});
  }
  // Lemma D.2.
  r.rows.push_back(at_most("max over alpha of ||E(T1)||_F / sigma" + tag, "<= 1 - (1-dw)/8 = " + num(e_bound, 6), e_max,
                           e_bound, "Lemma D.2 at every alpha")
                       .paper("Xu et al. 2025, Lemma D.2"));
  r.rows.push_back(at_least("min ||gamma1^T Z1||_F^2 on [T1, " + te + "]" + tag, ">= (1-dw) sigma/(8 sW2) = " + num(g_bound, 6),
                            g_min, g_bound, "Lemma D.2 on [T1, T1 + T2] (observed to t = " + te + ")")
                       .paper("Xu et al. 2025, Lemma D.2"));
  // (M) monotone loss, which certifies the envelope beyond t_end.
  r.rows.push_back(at_most("largest relative increase of L between observations after T1" + tag, "<= 2e-3 (GF: dL/dt <= 0)",
                           mono, 2e-3, "L non-increasing to the planned 3 digits of E")
                       .derived("header: gradient flow, dL/dt = -||grad L||^2; tolerance (M)"));
  // (L) envelope (16): the uniform c3 from the floor's exponent.
  const line_fit f = fit_power_law(a_fit, L_fit);
  r.rows.push_back(at_least("exponent p = d ln(L(" + te + ")/2) / d ln(alpha) (alpha -> 0 limit of c_env)" + tag,
                            "> 3 se (a uniform c3 > 0 exists)", f.slope, 3 * f.slope_se,
                            "p > 3 standard errors of the fit", f.slope_se)
                       .derived("header: (L), c_env(alpha) ~ p + ln(C/2)/ln(alpha)"));
  const double c3 = f.slope - 2 * f.slope_se;
  double worst = 0, cenv_min = 1e300;
  std::string cenv_list;
  for (const local_run& L : lr) {
    worst = std::max(worst, L.worst_ratio(c3));
    cenv_min = std::min(cenv_min, L.c_env());
    cenv_list += (cenv_list.empty() ? "" : ", ") + num(L.c_env(), 5);
  }
  r.rows.push_back(at_most("max over alpha and t in [T1, T1 + T2(c3)] of L / envelope, c3 = p - 2 se = " + num(c3, 5) + tag,
                           "<= 1", worst, 1, "eq. (16) with one c3 at every alpha (beyond t = " + te + " through (M))")
                       .paper("Xu et al. 2025, Thm 3.2, eq. (16), T2 of eq. (33)"));
  // c_env > 0 cannot fail (header, (L)): listed, not a row.
  r.notes.push_back("c = " + c + ": largest c with eq. (16) per alpha, c_env = " + cenv_list + " (min " + num(cenv_min, 5) +
                    "; > 0 by construction, header (L))");
  // Eq. (15) (header, (15)): the smallest c8 per alpha on [T1, T1 + T2(c_env)] and on [T1, oo).
  std::vector<double> c8_env, c8_inf, c8_77;
  std::string c8_list;
  for (const local_run& L : lr) {
    const double end = L.T1 + L.T2(L.c_env());
    c8_env.push_back(L.c8_req(end, false));
    c8_inf.push_back(L.c8_req(1e300, false));
    c8_77.push_back(L.c8_req(1e300, true));
    c8_list += (c8_list.empty() ? "" : "; ") + num(L.alpha, 3) + ": " + num(c8_env.back(), 5) + ", " +
               num(c8_inf.back(), 5) + ", " + num(c8_77.back(), 5) + " (1 - cos^2(T1) = " + num(L.m2T1, 4) +
               ", rho = " + num(std::exp(-L.R_log_T1), 4) + ")";
  }
  r.notes.push_back("c = " + c + ": smallest c8 of eq. (15) per alpha (window to T1 + T2(c_env); to oo; to oo with eq. (77)'s "
                    "squared ratio): " + c8_list);
  const std::string src15 = "Xu et al. 2025, Thm 3.2, eq. (15) (c8 not given; Z1(T2) read as Z1(T1), catalogue 2.6 [T])";
  double c8_later = 0;
  for (std::size_t i = 1; i < c8_inf.size(); ++i) c8_later = std::max(c8_later, c8_inf[i]);
  // (1% sensitivity test of these rows: multiply c8_later (or c8_inf[0]) by 1.01 here.)
  r.rows.push_back(at_most("max over alpha < " + alphas.front() + " of the smallest c8 of eq. (15) on [T1, oo)" + tag,
                           "<= c8* = " + num(c8_inf[0], 5) + " (smallest c8 at alpha = " + alphas.front() + ")", c8_later,
                           c8_inf[0], "one c8 from alpha = " + alphas.front() + " serves every smaller alpha (header, (15))")
                       .paper(src15));
  bool pos = true;
  std::vector<double> a8;
  for (std::size_t i = 0; i < lr.size(); ++i) pos = pos && c8_inf[i] > 0, a8.push_back(lr[i].alpha);
  if (!pos) {
    r.rows.push_back(inconclusive("exponent of the smallest c8 of eq. (15) in alpha" + tag, ">= -3 se",
                                  "c8 = 0 at some alpha (eq. (15) holds without the c8 term)")
                         .paper(src15));
  } else {
    const line_fit f8 = fit_power_law(a8, c8_inf);
    r.rows.push_back(at_least("exponent q = d ln c8_min / d ln(alpha), eq. (15) on [T1, oo)" + tag,
                              ">= -3 se (c8 bounded as alpha -> 0)", f8.slope, -3 * f8.slope_se,
                              "c8 does not grow as alpha -> 0 (header, (15))", f8.slope_se)
                         .paper(src15));
  }
  // (A), (I) persistence.
  const double e_c6 = 2e-3 * (c6_small + c6_large);  // header, (A): resolution of the two ratios
  r.rows.push_back(at_most("c6_min at alpha = " + alphas.back() + " (vs " + num(c6_large, 4) + " at alpha = " + alphas.front() + ")" + tag,
                           "<= c6_min(" + alphas.front() + ") + e_c6 (one alpha-independent c6: no growth)", c6_small,
                           c6_large + e_c6,
                           "alignment persists with a bounded c6: no growth ~ alpha^-2; e_c6 = 2e-3 (sum) = " + num(e_c6, 3))
                       .paper("Xu et al. 2025, Thm 3.2 (alignment persists, c6 not given)"));
  r.rows.push_back(at_least("min over alpha of c7_max" + tag, "> 0 (one c7 > 0)", c7_min, 0,
                            "imbalance persists: ||Z1||/||Z2|| >= (ratio at T1)^c7 with some c7 > 0")
                       .paper("Xu et al. 2025, Thm 3.2 (imbalance persists, c7 not given)"));
  r.rows.push_back(reported("local ln L rate on the window 1e-8 <= L <= 1e-2 after T1 (range over alpha)" + tag,
                            "eq. (16) rate (1-dw) ss/32 = " + num((1 - dw) * ss / 32, 4) + "; heuristic ~4 ss = " + num(4 * ss, 4),
                            "[" + num(rate_min, 4) + ", " + num(rate_max, 4) + "]",
                            "diagnostic: the theorem's rate is " + num(rate_min / ((1 - dw) * ss / 32), 3) +
                                "x below the slowest measured; the envelope rows above test eq. (16)")
                       .measured_reference("least-squares slope of ln L on the stated window"));
  r.data.push_back(tb);
  r.notes.push_back("c = " + c + ": sigma sigma_W2 = " + num(ss, 8) + ", delta_w = " + num(dw, 8) + "; " + plan_note(runs, alphas));
  // (R) resolution of the loss at the largest alpha, against a 6-digit reference.
  q.alpha = alphas.front();
  q.digits = 6;
  const trajectory ref = measure(q);
  if (!ref.ok() || ref.t.size() != runs[0].t.size()) {
    r.rows.push_back(inconclusive("L on [T1, " + te + "] vs a 6-digit reference" + tag, "", "reference run: " + ref.status)
                         .measured_reference("6-digit run"));
    return;
  }
  double dev = 0;
  for (std::size_t k = 0; k < ref.t.size(); ++k)
    if (ref.t[k] >= lr[0].T1) dev = std::max(dev, std::abs(lr[0].L[k] / ref.series.at("loss")[k] - 1));
  r.rows.push_back(at_most("max relative deviation of L on [T1, " + te + "] from a 6-digit reference, alpha = " + alphas.front() + tag,
                           "<= 2e-3", dev, 2e-3, "the 3-digit measurement is resolved (tolerance (R))")
                       .measured_reference("same run planned for 6 digits: " + ref.precision + ", rtol " + ref.rtol));
}
}  // namespace

claim make_xu2025_local_convergence() {
  return claim{"xu2025.lemma-d2-thm3.2-local", "Xu et al., AISTATS 2025", "Thm 3.2 = D.1, eqs. (15)-(16), Lemma D.2; catalogue 2.6",
               "after T1: Lemma D.2, the envelopes (15) with one c8 and (16) with one c3 > 0, persistence of alignment and imbalance",
               [](const context& ctx) {
                 result r;
                 const std::vector<std::string> a = ctx.quick ? std::vector<std::string>{"1e-3", "1e-4", "1e-5"}
                                                              : std::vector<std::string>{"1e-3", "1e-4", "1e-5", "1e-6"};
                 local_rows(ctx, "1.05", a, r);
                 local_rows(ctx, "2", a, r);
                 return r;
               }};
}

}  // namespace loraflow::check
