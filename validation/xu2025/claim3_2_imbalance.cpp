// Claim:      Xu et al. (AISTATS 2025) Claim 3.2 and Theorems C.1-C.2: at the end of the alignment phase the selected
//             adapter dominates: ||Z1||_2^2 / ||Z2||_2^2 >= c5 alpha^(-4(1-dw)/(5-dw)) (main text, spectral norms) and
//             ||Z1||_F^2 / ||Z2||_F^2 >= b1 alpha^(-2(1-dw)/(5-dw)) (appendix, Frobenius; catalogue 2.3). The
//             constants are not given, so the statements tested are on the exponent q of ratio ~ alpha^-q at T1:
//             q >= 4(1-dw)/(5-dw) (spectral) and q >= 2(1-dw)/(5-dw) (Frobenius).
// Prediction: (paper) the two lower bounds above.
//             (derived, this header) The sharp law. Linearised flow (catalogue 2.2): Z1 grows along gamma1 at rate
//             ss = sigma sigma_W2, Z2 along gamma2 at dw ss, i.e. ln(||gamma1^T Z1||^2/||gamma2^T Z2||^2) grows at
//             2 sigma (sigma_W2 - sigma_W1) = 2 (1-dw) ss. At T1 the aligned part of Z1 is O(1) (T1 is where
//             g^T B1 A1 v reaches (1-dw) sigma/(4 sigma_W2)), so T1 = ln(1/alpha)/ss + O(1) (c1 = 1, claim
//             xu2025.t1-slope) and ratio ~ exp(2 (1-dw) ss T1) ~ alpha^(-2(1-dw)): q = 2(1-dw).
//             Pre-asymptotic corrections to ln ratio, each derived from the same picture (the mirror claim
//             xu2025.mirror-delta-w-above-1, header (c), with dw -> 1/dw):
//             (i) the non-growing part of Z2 (its components off gamma2, O(alpha), constant or decaying):
//                 ||Z2(T1)||^2 = alpha^(2-2dw) A (1 + kappa alpha^(2dw)), so ln ratio = q ln(1/alpha) + c -
//                 ln(1 + kappa alpha^(2dw)): relative exponent 2 dw, and all its powers (2dw, 4dw, ...); alone it puts
//                 the local exponent between 2(1-dw) and 2 (a sum of two power laws);
//             (i') the non-growing O(alpha) part of Z1 (off gamma1) against its O(1) aligned part at T1:
//                 ||Z1||^2 = S (1 + kappa' alpha^2): relative exponent 2;
//             (ii) the feedback of Z2 on Z1 near T1. Z2 enters Z1's dynamics only through the product B2 A2 (B2 A2 W1
//                 in F, A2^T B2^T E in D1), i.e. quadratically; its aligned part relative to B1 A1 = O(1) at T1 is
//                 ||gamma2^T Z2||^2 / ||gamma1^T Z1||^2 ~ 1/ratio ~ alpha^(2(1-dw)); the same order is Z2's own
//                 nonlinearity (relative ||Z2||^2) and the shift of T1 it causes. The cross term alpha^(1-dw) (Z2's
//                 aligned amplitude) acts only on Z1's O(alpha) remainder, relative alpha^(2-dw) in ||Z1||^2 (it
//                 sets the misalignment's drift, claim xu2025.claim3.2-misalignment, not the norm ratio). So the
//                 slow correction is alpha^(2(1-dw)), not alpha^(1-dw). The data decide it (diagnostic row): at
//                 c = 1.05 the spectral decade-to-decade deficits 2(1-dw) - q_dec shrink by 0.662, 0.653, 0.653
//                 per decade (decades 1e-4 -> 1e-5 ... 1e-7 -> 1e-8; the first, 1.41, still carries (i)) against
//                 10^(-2(1-dw)) = 0.652 (10^(-(1-dw)) = 0.807 is excluded); with alpha^(1-dw) in place of
//                 alpha^(2(1-dw)) in the fit c + q ln(1/alpha) + k z + k' alpha^(2dw) + k'' alpha^2 (11 alphas) the
//                 residuals are 50 times larger (2.7e-5 vs 5e-7) and q misses 2(1-dw) by 17 se; with both, the
//                 alpha^(1-dw) coefficient is 3e-4 against 8e-3 for alpha^(2(1-dw)). At c = 2 the deficits shrink
//                 by 0.40, 0.35, 0.33, 0.32 -> 10^(-2dw) = 0.316 ((i)).
//             Extrapolation: nu = min(2 dw, 2(1-dw)) is the slow correction: 0.186 at dw = 0.907 ((ii)), 0.5 at
//             dw = 1/4 ((i)), 0.02 at dw = 0.01 ((i)). Fit ln ratio = c + q ln(1/alpha) + sum_j k_j alpha^(e_j), e_j
//             the distinct exponents in {nu, 2 nu} (the slow correction to second order) and {2 dw, 2(1-dw), 2}
//             (the other corrections at first order): dw = 0.907: alpha^0.186, alpha^0.372, alpha^1.814, alpha^2;
//             dw = 1/4: alpha^0.5, alpha, alpha^1.5 (= (ii) = z^3), alpha^2 (= (i') = z^4). The exponents are
//             fixed, the coefficients fitted; columns scaled to 1 at alpha = 1e-3. Test q_ext against 2(1-dw). At
//             dw = 0.01, alpha^0.02 is collinear with ln(1/alpha) over any reachable range, so there the test is
//             (i)'s range: 2(1-dw) <= q <= 2.
// Check:      Fig. 1 recipe at c = 1.05 (dw = 0.907) and c = 2 (dw = 1/4); full adds c = 10 (dw = 0.01). LoRA init,
//             T1 on the dense output, precision planned for 6 digits. Half-decade alphas: quick 1e-3 ... 1e-6
//             (7 points), full 1e-3 ... 1e-8 (11 points).
// Tolerance:  paper bounds: q_raw >= bound (pass/fail; the bounds are loose by O(1), so a 1% change of q cannot
//             flip them; the sharp rows can). Sharp law: |q_ext - 2(1-dw)| <= 3 se(q_ext) + truncation + resolution, se from the
//             6-parameter fit (n - 6 degrees of freedom: 1 in the quick run, 5 in the full), truncation = the change
//             of q_ext when the next order of the slow correction not already in the fit is added (nu multiples:
//             3 nu = 0.558 at dw = 0.907, 5 nu = 2.5 at dw = 1/4); q_raw and its se are shown beside it. Range rule
//             (dw = 0.01): 2(1-dw) - 3 se <= q_raw <= 2 + 3 se. Resolution: ||Z2||^2 ~ alpha^2 is carried with
//             relative error ~rtol, so ln ratio has ~1e-6 resolution; 1e-6 on every ln ratio can move q_ext by at
//             most sum_i |w_i| 1e-6 (w the fit's weights of q): 4.5e-5 quick, 5.5e-6 full at dw = 0.907, 8.7e-6 and
//             1.3e-6 at dw = 1/4. That bound is added to the tolerance (the fit residuals, <= 6e-8 at dw = 0.907,
//             show the logs are better than planned, but the plan is what is guaranteed); it is far below the 1%
//             sensitivity target (0.01 q = 1.9e-3 at dw = 0.907).
#include "check/rows.hpp"

#include <loraflow/observe/fit.hpp>

#include <algorithm>
#include <cmath>

namespace loraflow::check {

namespace {
void imbalance_rows(const context& ctx, const std::string& c, const std::vector<std::string>& alphas, result& r) {
  trajectory_request q;
  q.problem = fig1_problem();
  q.problem.c = c;
  q.stop_at_T1 = true;
  q.t_end = "20";
  const std::vector<trajectory> runs = sweep_alpha(ctx, q, alphas);
  const std::string tag = " (c = " + c + ")";
  const std::string src_spec = "Xu et al. 2025, Claim 3.2 (spectral norms, c5 alpha^(-4(1-dw)/(5-dw)))";
  const std::string src_fro = "Xu et al. 2025, Thms C.1-C.2 (Frobenius, b1 alpha^(-2(1-dw)/(5-dw)))";
  std::string why;
  if (!all_ok(runs, alphas, true, why)) {
    r.rows.push_back(inconclusive("spectral imbalance exponent" + tag, ">= 4(1-dw)/(5-dw)", why).paper(src_spec));
    r.rows.push_back(inconclusive("Frobenius imbalance exponent" + tag, ">= 2(1-dw)/(5-dw)", why).paper(src_fro));
    return;
  }
  const double dw = runs[0].delta_w;
  const double nu = std::min(2 * dw, 2 * (1 - dw));
  std::vector<double> a, spec, fro, x, ls, lf;
  table tb{"imbalance_vs_alpha_c" + c, {"alpha", "T1", "imbalance_spec_T1", "imbalance_fro_T1"}, {}};
  for (std::size_t i = 0; i < runs.size(); ++i) {
    a.push_back(std::stod(alphas[i]));
    spec.push_back(runs[i].at_T1.at("imbalance_spec"));
    fro.push_back(runs[i].at_T1.at("imbalance_fro"));
    x.push_back(-std::log(a.back()));
    ls.push_back(std::log(spec.back()));
    lf.push_back(std::log(fro.back()));
    tb.rows.push_back({alphas[i], full(runs[i].T1), full(spec.back()), full(fro.back())});
  }
  const line_fit fs = fit_line(x, ls), ff = fit_line(x, lf);
  const double qs = fs.slope, qf = ff.slope;
  const double sharp = 2 * (1 - dw);
  r.rows.push_back(at_least("spectral imbalance exponent q_raw" + tag, ">= 4(1-dw)/(5-dw) = " + num(4 * (1 - dw) / (5 - dw), 4),
                            qs, 4 * (1 - dw) / (5 - dw), "q >= bound", fs.slope_se)
                       .paper(src_spec));
  r.rows.push_back(at_least("Frobenius imbalance exponent q_raw" + tag, ">= 2(1-dw)/(5-dw) = " + num(2 * (1 - dw) / (5 - dw), 4),
                            qf, 2 * (1 - dw) / (5 - dw), "q >= bound", ff.slope_se)
                       .paper(src_fro));
  const std::string src_sharp = "header: linearised rates, ratio ~ exp(2 (1-dw) ss T1), T1 ~ ln(1/alpha)/ss";
  if (nu < 0.05) {
    // (i) alone: the local exponent lies between 2(1-dw) and 2; alpha^nu is collinear with ln(1/alpha).
    for (int k = 0; k < 2; ++k) {
      const line_fit& f = k ? ff : fs;
      const double qq = k ? qf : qs, lo = sharp - 3 * f.slope_se, hi = 2 + 3 * f.slope_se;
      r.rows.push_back(within(std::string(k ? "Frobenius" : "spectral") + " exponent q_raw in [2(1-dw), 2]" + tag,
                              "[" + num(sharp, 4) + ", 2] (nu = " + num(nu, 3) + ": no extrapolation)", qq, f.slope_se,
                              (lo + hi) / 2, (hi - lo) / 2, "2(1-dw) - 3 se <= q <= 2 + 3 se")
                           .derived(src_sharp + "; correction (i)"));
    }
  } else if (a.size() < 7) {
    r.rows.push_back(inconclusive("imbalance exponent, extrapolated" + tag, "2(1-dw)",
                                  "fewer than 7 alphas for the 6-parameter fit and its truncation")
                         .derived(src_sharp));
  } else {
    // Correction exponents (header): the slow one to second order, the others at first order, deduplicated.
    std::vector<double> ex{nu, 2 * nu};
    for (double e : {2 * dw, 2 * (1 - dw), 2.0})
      if (std::none_of(ex.begin(), ex.end(), [&](double v) { return std::abs(v - e) < 1e-9; })) ex.push_back(e);
    double next = 3 * nu;  // truncation: the next multiple of nu not already fitted
    while (std::any_of(ex.begin(), ex.end(), [&](double v) { return std::abs(v - next) < 1e-9; })) next += nu;
    auto column = [&](double e) {  // scaled to 1 at the largest alpha (conditioning only)
      std::vector<double> col;
      for (double v : a) col.push_back(std::pow(v / a[0], e));
      return col;
    };
    std::vector<std::vector<double>> zs;
    std::string exs;
    for (double e : ex) zs.push_back(column(e)), exs += (exs.empty() ? "" : ", ") + num(e, 4);
    std::vector<std::vector<double>> zn = zs;
    zn.push_back(column(next));
    for (int k = 0; k < 2; ++k) {
      const corrected_fit fc = fit_line_corrected(x, k ? lf : ls, zs);
      const corrected_fit fn = fit_line_corrected(x, k ? lf : ls, zn);
      const double trunc = std::abs(fn.slope - fc.slope);
      // Resolution: 1e-6 (the planned 6 digits) on every ln ratio moves q_ext by at most sum_i |w_i| 1e-6, with w_i
      // the fit's weight of y_i in q (the fit is linear in y: w_i = q fitted to the unit vector e_i).
      double res = 0;
      for (std::size_t i = 0; i < x.size(); ++i) {
        std::vector<double> unit(x.size(), 0.0);
        unit[i] = 1;
        res += std::abs(fit_line_corrected(x, unit, zs).slope) * 1e-6;
      }
      const line_fit& f = k ? ff : fs;
      const double s0 = std::pow(a[0], nu);
      r.rows.push_back(within(std::string(k ? "Frobenius" : "spectral") +
                                  " exponent q_ext (fitted sum k_j alpha^e_j, e_j = " + exs + ")" + tag,
                              "2(1-dw) = " + num(sharp, 8) + ", nu = " + num(nu, 4), fc.slope, fc.slope_se, sharp,
                              3 * fc.slope_se + trunc + res,
                              "|q_ext - 2(1-dw)| <= 3 se + truncation " + num(trunc, 2) + " + resolution " +
                                  num(res, 2) + " (q with alpha^" +
                                  num(next, 4) + ": " + num(fn.slope, 9) + "); q_raw = " + num_se(f.slope, f.slope_se) +
                                  "; k(alpha^nu) = " + num_se(fc.k[0] / s0, fc.k_se[0] / s0, 3))
                           .derived(src_sharp + "; corrections " + (nu == 2 * dw ? "(i) slow" : "(ii) slow") +
                                    ", (i), (i'), (ii)"));
      r.rows.back().measured = num_se(fc.slope, fc.slope_se, 9);
    }
    std::string pairs, ratios;
    std::vector<double> def;
    for (std::size_t i = 2; i < x.size(); i += 2) {  // decade to decade
      const double qd = (ls[i] - ls[i - 2]) / (x[i] - x[i - 2]);
      pairs += (i > 2 ? ", " : "") + num(qd, 7);
      def.push_back(sharp - qd);
    }
    for (std::size_t i = 1; i < def.size(); ++i) ratios += (i > 1 ? ", " : "") + num(def[i] / def[i - 1], 3);
    r.rows.push_back(reported("  spectral decade-to-decade exponents q (alpha 1e-3 -> 1e-4, ...)" + tag,
                              "-> 2(1-dw); deficits x 10^-nu = " + num(std::pow(10.0, -nu), 3) + " per decade",
                              pairs + "; deficit ratios " + ratios,
                              "diagnostic: the slow correction is alpha^nu (header)")
                         .derived("header: corrections (i), (ii)"));
  }
  r.data.push_back(tb);
  r.notes.push_back("c = " + c + ": delta_w = " + num(dw, 8) + ", nu = " + num(nu, 6) + "; " + plan_note(runs, alphas));
}
}  // namespace

claim make_xu2025_claim3_2_imbalance() {
  return claim{"xu2025.claim3.2-imbalance", "Xu et al., AISTATS 2025", "Claim 3.2, Thm C.1; catalogue 2.3, 2.8",
               "imbalance at T1 grows as alpha^-q, q -> 2(1-dw) (bounds 4(1-dw)/(5-dw), 2(1-dw)/(5-dw))",
               [](const context& ctx) {
                 result r;
                 std::vector<std::string> a{"1e-3", "3e-4", "1e-4", "3e-5", "1e-5", "3e-6", "1e-6"};
                 if (!ctx.quick)
                   for (const char* s : {"3e-7", "1e-7", "3e-8", "1e-8"}) a.push_back(s);
                 imbalance_rows(ctx, "1.05", a, r);
                 imbalance_rows(ctx, "2", a, r);
                 if (!ctx.quick) imbalance_rows(ctx, "10", a, r);
                 return r;
               }};
}

}  // namespace loraflow::check
