// Claim:      Xu et al. (AISTATS 2025) Claim 3.2 and Theorems C.1-C.2: at the end of the alignment phase,
//             1 - cos^2(gamma1, U_Z1(T1)) <= c4 alpha^p with p = (1+dw)/(3+dw) (Claim 3.2) or p = (3+dw)/(5-dw)
//             (Thm C.1 at T-hat_1, carried to T1 by Thm C.2); constants not given. 1 - cos^2 = (1 - cos)(1 + cos)
//             has the exponent of misalign = 1 - cos, so the statements tested are lower bounds on the exponent p of
//             misalign(T1) ~ alpha^p.
// Prediction: (paper) p >= (1+dw)/(3+dw) and p >= (3+dw)/(5-dw).
//             (derived, this header) p_hat >= 4/(5-dw) for the exponent of misalign(T-hat_1) (NOT of misalign(T1)):
//             Lemma C.2 gives 1 - cos^2(gamma1, w1j) <= d2 exp(-2 (ss - 2 alpha) t) (eq. (41)) for t up to
//             T-hat_1 := T1(alpha, alpha), the first time max(||D1||, ||D2||) reaches alpha (Lemma C.3; ss = sigma
//             sigma_W2). Eq. (42) is a lower bound on that time, T-hat_1 >= 2 ln(1/alpha)/((5-dw) ss) + O(1), so at
//             the event time the bound is <= C alpha^(4/(5-dw)) (catalogue 2.3's direct calculation, of which the
//             appendix's (3+dw)/(5-dw) is a weakening). The row is therefore tested on misalign at the located
//             event T-hat_1 (max(||D1||_2, ||D2||_2) = alpha, trajectory::at_T_hat), where it was derived; nothing
//             carries it to T1. (From the columns w1j to U_Z1 = Z1 x / ||Z1||_2: with P the projector off gamma1,
//             sin^2(U_Z1) = |P Z1 x|^2 / ||Z1||_2^2 <= ||P Z1||_F^2 / ||Z1||_2^2 <= max_j sin^2(w1j) ||Z1||_F^2 /
//             ||Z1||_2^2 <= r max_j sin^2(w1j), an alpha-independent factor, so the exponent bound carries over.)
//             (derived, this header) The sharp law p = 2. Linearised flow: Z1(t) = e^(ss t) gamma1 c^T +
//             e^(-ss t) gammabar1 d^T + N with N = (I - gamma1 gamma1^T - gammabar1 gammabar1^T) Z1(0) = O(alpha),
//             constant (H1 has rank 2; catalogue 2.2 (b)); the top left singular vector is gamma1 + eps,
//             |eps| = |N c|/|c|^2 (1 + ...), 1 - cos = |eps|^2/2. At T1 the aligned part |c| e^(ss T1) is O(1) (T1
//             is where g^T B1 A1 v reaches (1-dw) sigma/(4 sigma_W2)), and near T1 the nonlinear terms act along
//             span(gamma1, gammabar1) (D1 ~ g v^T), leaving N unchanged to leading order: misalign(T1) = K alpha^2.
//             Pre-asymptotic correction:
//             the feedback of Z2 on Z1 near T1 (B2 A2 W1 in F, A2^T B2^T E in D1) moves T1 and K; its leading order is
//             set by the amplitude ratio ||gamma2^T Z2|| / ||gamma1^T Z1|| ~ alpha^(1-dw) at T1, so K = K0 (1 +
//             k alpha^nu), nu = 1-dw (the data support it: misalign/alpha^2 drifts by 0.0027, 0.0017, 0.0010, 0.0006
//             per decade at 1e-6, 1e-8.5, 1e-11, 1e-13.5 on the small problem, a factor 0.82 per decade = alpha^0.086);
//             fitted as ln misalign = c + p ln alpha + k alpha^nu and p_ext tested against 2.
// Check:      LoRA init, T1 located on the dense output, misalignment from the orthogonal projection (sin^2 / (1 +
//             cos)), precision planned for 6 digits of misalign(T1) at each alpha (run/precision.hpp: D = 6 +
//             log10(1/alpha) + 4 working digits). (a) Fig. 1 problem, half-decade alphas, quick 1e-3 ... 1e-6
//             (7 points), full 1e-3 ... 1e-8 (11 points); T-hat_1 located as an event on the same runs (the event
//             is found on the dense output and does not change the steps). (b) The 95-decade study: m = n = 4, h = 8, r = 2
//             (same recipe), quick alpha = 1e-5, 1e-7, 1e-10, 1e-12, 1e-15, full alpha = 1e-5, 1e-10, ..., 1e-30,
//             1e-40, ..., 1e-100 (float128 up to 1e-20, then 50 digits, then mpfr at the plan's digits: 110 at 1e-100).
// Tolerance:  sharp law: |p_ext - 2| <= 3 se(p_ext) + truncation, se from the 3-parameter fit (n - 3 degrees of
//             freedom), truncation = the change of p_ext when the next order (z^2) is added to the fit; the raw
//             exponent p_raw (line fit) and its se are shown beside it. Resolution: the plan keeps 6 digits of
//             misalign(T1), so ln misalign carries errors ~1e-6. Paper bounds: p_raw >= bound (pass/fail; the
//             Lemma C.2 row uses p_hat, the line-fit exponent of misalign(T-hat_1), same rule); they are
//             loose by more than 1 (see the report's mutation note); the sharp row carries the sensitivity.
#include "check/rows.hpp"

#include <loraflow/observe/fit.hpp>

#include <chrono>
#include <cmath>

namespace loraflow::check {

namespace {
void exponent_rows(const context& ctx, const xu_problem& p, const std::string& name,
                   const std::vector<std::string>& alphas, result& r, bool bounds) {
  trajectory_request q;
  q.problem = p;
  q.stop_at_T1 = true;
  q.t_end = "30";  // a cap (the runs stop at T1): T1 = 1.12 + 0.241 per decade of alpha, 23.8 at 1e-100 (m4n4h8r2)
  q.early_event = bounds;  // T-hat_1 for the Lemma C.2 row
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<trajectory> runs = sweep_alpha(ctx, q, alphas);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string what = "misalign(T1) exponent, " + name + ", alpha " + alphas.front() + " .. " + alphas.back();
  std::string why;
  if (!all_ok(runs, alphas, true, why)) {
    r.rows.push_back(inconclusive(what, "2", why).derived("header: sharp law p = 2"));
    return;
  }
  std::vector<double> a, mis;
  table tb{"misalign_vs_alpha_" + name, {"alpha", "T1", "misalign_T1", "misalign_over_alpha2", "precision", "rtol", "method"}, {}};
  for (std::size_t i = 0; i < runs.size(); ++i) {
    a.push_back(std::stod(alphas[i]));
    mis.push_back(runs[i].at_T1.at("misalign"));
    tb.rows.push_back({alphas[i], full(runs[i].T1), full(mis.back()), full(mis.back() / (a.back() * a.back())),
                       runs[i].precision, runs[i].rtol, runs[i].method});
  }
  const line_fit f = fit_power_law(a, mis);
  const double dw = runs[0].delta_w, nu = 1 - dw;
  const std::string src_sharp = "header: constant O(alpha) remainder N, aligned part O(1) at T1";
  if (a.size() < 5) {
    r.rows.push_back(inconclusive(what + ", extrapolated", "2", "fewer than 5 alphas for a 3-parameter fit").derived(src_sharp));
  } else {
    std::vector<double> la, lm, z;
    for (std::size_t i = 0; i < a.size(); ++i)
      la.push_back(std::log(a[i])), lm.push_back(std::log(mis[i])), z.push_back(std::pow(a[i], nu));
    std::vector<double> zz;
    for (double v : z) zz.push_back(v * v);
    const corrected_fit fc = fit_line_corrected(la, lm, {z});
    const corrected_fit fn = fit_line_corrected(la, lm, {z, zz});
    const double trunc = std::abs(fn.slope - fc.slope);
    r.rows.push_back(within(what + ", p_ext (fitted k alpha^nu, nu = 1-dw)", "2 (sharp law)", fc.slope, fc.slope_se,
                            2.0, 3 * fc.slope_se + trunc,
                            "|p_ext - 2| <= 3 se + truncation " + num(trunc, 2) + " (p with z^2: " + num(fn.slope, 8) +
                                "); p_raw = " + num_se(f.slope, f.slope_se, 7) + ", k = " + num_se(fc.k[0], fc.k_se[0]))
                         .derived(src_sharp));
  }
  if (bounds) {
    r.rows.push_back(at_least("  p_raw vs Claim 3.2 bound", ">= (1+dw)/(3+dw) = " + num((1 + dw) / (3 + dw), 4),
                              f.slope, (1 + dw) / (3 + dw), "1 - cos^2 <= c4 alpha^p (lower bound on p)", f.slope_se)
                         .paper("Xu et al. 2025, Claim 3.2 (main text)"));
    r.rows.push_back(at_least("  p_raw vs Thm C.1 bound", ">= (3+dw)/(5-dw) = " + num((3 + dw) / (5 - dw), 4),
                              f.slope, (3 + dw) / (5 - dw), "1 - cos^2 <= b2 alpha^p (lower bound on p)", f.slope_se)
                         .paper("Xu et al. 2025, Thm C.1 (at T-hat_1) and Thm C.2 (at T1)"));
    std::vector<double> mis_hat;
    for (std::size_t i = 0; i < runs.size(); ++i)
      if (std::isfinite(runs[i].T_hat) && runs[i].at_T_hat.count("misalign"))
        mis_hat.push_back(runs[i].at_T_hat.at("misalign"));
    const std::string src_c2 = "header: Lemma C.2 eq. (41) at T-hat_1 = T1(alpha, alpha), eq. (42) its lower bound";
    if (mis_hat.size() != a.size()) {
      r.rows.push_back(inconclusive("  p_hat = exponent of misalign(T-hat_1) vs Lemma C.2", ">= 4/(5-dw)",
                                    "T-hat_1 not located at every alpha")
                           .derived(src_c2));
    } else {
      tb.columns.push_back("T_hat1");
      tb.columns.push_back("misalign_T_hat1");
      for (std::size_t i = 0; i < runs.size(); ++i) {
        tb.rows[i].push_back(full(runs[i].T_hat));
        tb.rows[i].push_back(full(mis_hat[i]));
      }
      const line_fit fh = fit_power_law(a, mis_hat);
      r.rows.push_back(at_least("  p_hat = exponent of misalign(T-hat_1) vs Lemma C.2", ">= 4/(5-dw) = " + num(4 / (5 - dw), 4),
                                fh.slope, 4 / (5 - dw), "lower bound on the exponent at T-hat_1", fh.slope_se)
                           .derived(src_c2));
    }
  }
  r.data.push_back(tb);
  r.notes.push_back(name + ": " + num(wall, 3) + " s wall for the sweep; " + plan_note(runs, alphas));
}
}  // namespace

claim make_xu2025_claim3_2_misalignment() {
  return claim{"xu2025.claim3.2-misalignment", "Xu et al., AISTATS 2025",
               "Claim 3.2, Thms C.1-C.2; catalogue 2.3, 2.8",
               "misalignment at T1 scales as alpha^2 (bounds: (1+dw)/(3+dw), (3+dw)/(5-dw))", [](const context& ctx) {
                 result r;
                 exponent_rows(ctx, fig1_problem(), "fig1",
                               ctx.quick ? std::vector<std::string>{"1e-3", "3e-4", "1e-4", "3e-5", "1e-5", "3e-6", "1e-6"}
                                         : std::vector<std::string>{"1e-3", "3e-4", "1e-4", "3e-5", "1e-5", "3e-6",
                                                                    "1e-6", "3e-7", "1e-7", "3e-8", "1e-8"},
                               r, true);
                 exponent_rows(ctx, small_problem(), "m4n4h8r2",
                               ctx.quick ? std::vector<std::string>{"1e-5", "1e-7", "1e-10", "1e-12", "1e-15"}
                                         : std::vector<std::string>{"1e-5", "1e-10", "1e-15", "1e-20", "1e-25", "1e-30",
                                                                    "1e-40", "1e-50", "1e-60", "1e-70", "1e-80", "1e-90",
                                                                    "1e-100"},
                               r, false);
                 return r;
               }};
}

}  // namespace loraflow::check
