// Claim:      Xu et al. (AISTATS 2025) Theorem 4.1 = F.1 (catalogue 2.7, 1.4 (iv)): under spectral initialization with
//             rank(dY) <= r, (i) the projected adapters Abar1 = G11^T A1 V_S, Bbar1 = G_S^T B1 G11, Abar2, Bbar2 stay
//             diagonal (the directions stay decoupled) and directions with sigma_dY = 0 stay exactly stationary;
//             (ii) direction i leaves its first phase at T1^(i), the time z1^(i) = sA1^2 + sB1^2 reaches
//             (1-dw) sigma_dY / (8 sigma_W2) (appendix F.1 / proof (189); the printed dw^(i) is inverted, typo 2),
//             with T1^(i) <= 2/((3+dw) s sW2) ln((1-dw) s / (8 sW2 z1(0))) for alpha <= alpha* (not given), so its
//             slope in ln(1/alpha) is at most 4/((3+dw) s sW2); the catalogue measures 1/(s sW2); directions with
//             larger s sW2 are learned first; (iii) the loss converges with no alpha floor.
// Prediction: as stated, for every alpha and every direction with sigma_dY > 0.
// Check:      Fig. 1 recipe with rank-2 dY = 5 u1 v1^T + 3 u2 v2^T (pairs 0 and 1), r = 4 (two null directions),
//             spectral init, double, rtol 1e-12, alpha = 1e-3, 1e-4, 1e-5, 1e-8, 1e-10, 1e-12, t_end = 8, 400
//             observations; per-direction T1^(i) located as events. (iii) also in higher precision on the small
//             problem (m = n = 4, h = 8, r = 2, the same two pairs): quick float128 at alpha = 1e-5, 1e-10; full
//             100 digits at alpha = 1e-5, 1e-10, 1e-20, where the issue asks for L < 1e-80 (rule: L <= 1e-80).
// Tolerance:  (i) every decoupling residual <= 1e3 eps over the whole run (rounding of O(1) products accumulated
//             over the steps; a coupling would grow like the dynamics, to O(1)). (ii) |slope s sW2 - 1| <= 0.01 (the
//             catalogue's 1.0006); the F.1 bound pass/fail at alpha <= 1e-8: at alpha >= 1e-5 it is exceeded by an
//             O(1) offset, ln 2 / (2 s sW2) from z1 = z1(0) cosh(2 s sW2 t) starting with zero growth rate at B = 0,
//             which the slope 4/(3+dw) > 1 only overcomes below alpha ~ 1e-6; that offset is reported, not tested
//             (the theorem holds for alpha <= alpha*, unspecified). (iii) L(t_end) <= (1e3 eps sigma)^2, the rounding
//             level of L = |E|^2/2 with E carrying ~1e3 eps sigma absolute error. Measured: the floor an adaptive
//             run reaches scales as (rtol sigma)^2 (float128, alpha = 1e-5: 6e-50 at rtol 1e-24, 2e-65 at 1e-32),
//             so the floor runs use rtol near eps in float128 (1e-32) and rtol 1e-42 in 100 digits (floor ~1e-85,
//             below the 1e-80; t_end = 26 lets alpha = 1e-20's slower direction reach it).
#include "check/rows.hpp"

#include <loraflow/observe/fit.hpp>

#include <algorithm>
#include <cmath>

namespace loraflow::check {

namespace {
xu_problem rank2(xu_problem p) {
  p.dy = {{0, "5"}, {1, "3"}};
  return p;
}

void floor_rows(const context& ctx, const std::string& precision, const std::string& rtol,
                const std::vector<std::string>& alphas, const std::string& t_end, double demand, result& r) {
  trajectory_request q;
  q.problem = rank2(small_problem());
  q.init = "spectral";
  q.precision = precision;
  q.rtol = rtol;
  q.t_end = t_end;
  const std::vector<trajectory> runs = sweep_alpha(ctx, q, alphas);
  std::string why;
  const std::string what = "max over alpha of L(" + t_end + "), m4n4h8r2, " + precision;
  if (!all_ok(runs, alphas, false, why)) {
    r.rows.push_back(inconclusive(what, "floor", why));
    return;
  }
  double Lmax = 0;
  table tb{"spectral_floor_" + precision, {"alpha", "L_final", "precision", "rtol", "steps"}, {}};
  for (std::size_t i = 0; i < runs.size(); ++i) {
    Lmax = std::max(Lmax, runs[i].final.at("loss"));
    tb.rows.push_back({alphas[i], full(runs[i].final.at("loss")), runs[i].precision, runs[i].rtol,
                       std::to_string(runs[i].steps)});
  }
  // 100 digits: the demand (1e-80; the floor an adaptive run reaches is ~(rtol sigma)^2, far above the
  // type's (1e3 eps sigma)^2 = 1e-194); otherwise the rounding floor of the type.
  const double floor = demand < 1 ? demand : std::pow(1e3 * runs[0].eps * runs[0].sigma, 2);
  r.rows.push_back(at_most(what, "<= " + num(floor, 3) + (demand < 1 ? " (issue: < 1e-80 in 100 digits)" : " (1e3 eps sigma)^2"),
                           Lmax, floor, "every alpha reaches the working precision's floor"));
  r.data.push_back(tb);
  r.notes.push_back("floor runs: " + plan_note(runs, alphas));
}
}  // namespace

claim make_xu2025_thm4_1() {
  return claim{
      "xu2025.thm4.1-spectral", "Xu et al., AISTATS 2025", "Thm 4.1 = F.1, eqs. (17), (176)-(189); catalogue 2.7",
      "spectral init: directions decouple, T1^(i) ~ ln(1/alpha)/(sigma_dY sigma_W2), loss reaches the precision floor",
      [](const context& ctx) {
        result r;
        const std::vector<std::string> alphas{"1e-3", "1e-4", "1e-5", "1e-8", "1e-10", "1e-12"};
        trajectory_request q;
        q.problem = rank2(fig1_problem());
        q.init = "spectral";
        q.precision = "double";
        q.rtol = "1e-12";
        q.t_end = "8";
        q.observations = 400;
        q.spectral_frame = true;
        const std::vector<trajectory> runs = sweep_alpha(ctx, q, alphas);
        std::string why;
        if (!all_ok(runs, alphas, false, why)) {
          r.rows.push_back(inconclusive("Theorem 4.1", "", why));
          return r;
        }
        const std::size_t nd = runs[0].dir_T1.size();
        double off = 0, leak = 0, nullB = 0, Lmax = 0, excess = -1e300, excess_large = -1e300;
        table tb{"spectral_directions", {"alpha", "direction", "sigma_dY", "sigma_W2", "T1_dir", "T1_dir_bound", "L_final"}, {}};
        std::vector<std::vector<double>> T(nd);
        std::vector<double> x;
        bool ordered = true;
        for (std::size_t i = 0; i < runs.size(); ++i) {
          const trajectory& t = runs[i];
          for (double v : t.series.at("offdiag")) off = std::max(off, v);
          for (double v : t.series.at("leak")) leak = std::max(leak, v);
          for (double v : t.series.at("null_B")) nullB = std::max(nullB, v);
          Lmax = std::max(Lmax, t.final.at("loss"));
          x.push_back(-std::log(std::stod(alphas[i])));
          for (std::size_t d = 0; d < nd; ++d) {
            if (std::isnan(t.dir_T1[d])) {
              r.rows.push_back(inconclusive("T1^(i)", "", "alpha = " + alphas[i] + ": a direction did not reach its T1 by t = 8"));
              return r;
            }
            const double dwi = t.dir_sigma_W1[d] / t.dir_sigma_W2[d], si = t.dir_sigma[d] * t.dir_sigma_W2[d];
            const double bound = 2 / ((3 + dwi) * si) *
                                 std::log((1 - dwi) * t.dir_sigma[d] / (8 * t.dir_sigma_W2[d] * t.dir_z1_0[d]));
            double& ex = std::stod(alphas[i]) <= 1e-8 ? excess : excess_large;
            ex = std::max(ex, t.dir_T1[d] - bound);
            T[d].push_back(t.dir_T1[d]);
            tb.rows.push_back({alphas[i], std::to_string(d), full(t.dir_sigma[d]), full(t.dir_sigma_W2[d]),
                               full(t.dir_T1[d]), full(bound), full(t.final.at("loss"))});
          }
          for (std::size_t d = 1; d < nd; ++d)
            if (t.dir_sigma[d] * t.dir_sigma_W2[d] < t.dir_sigma[d - 1] * t.dir_sigma_W2[d - 1] && !(t.dir_T1[d] > t.dir_T1[d - 1]))
              ordered = false;
        }
        const double tol = 1e3 * runs[0].eps;
        r.rows.push_back(at_most("max off-diagonal part of the projected adapters", "0 (rounding level)", off, tol,
                                 "<= 1e3 eps over every observation and alpha"));
        r.rows.push_back(at_most("max part of the adapters outside the spectral frame", "0 (rounding level)", leak, tol,
                                 "<= 1e3 eps over every observation and alpha"));
        r.rows.push_back(at_most("max |Bbar_ii| of the sigma_dY = 0 directions (relative)", "0 (stationary)", nullB, tol,
                                 "<= 1e3 eps over every observation and alpha"));
        for (std::size_t d = 0; d < nd; ++d) {
          const line_fit f = fit_line(x, T[d]);
          const double si = runs[0].dir_sigma[d] * runs[0].dir_sigma_W2[d];
          const double dwi = runs[0].dir_sigma_W1[d] / runs[0].dir_sigma_W2[d];
          const std::string dn = " (direction " + std::to_string(d) + ", sigma_dY = " + num(runs[0].dir_sigma[d], 3) + ")";
          r.rows.push_back(within("dT1^(i)/dln(1/alpha) sigma_dY sigma_W2" + dn, "1 (catalogue 2.7: 1.0006)",
                                  f.slope * si, f.slope_se * si, 1.0, 0.01, "|slope - 1| <= 0.01"));
          r.rows.push_back(at_most("  slope vs Thm 4.1 bound" + dn, "<= 4/(3+dw) = " + num(4 / (3 + dwi), 5), f.slope * si,
                                   4 / (3 + dwi), "phase-1 growth rate lower bound", f.slope_se * si));
        }
        r.rows.push_back(at_most("max over alpha <= 1e-8, i of T1^(i) - its Thm F.1 bound", "<= 0", excess, 0,
                                 "measured T1^(i) <= 2 ln((1-dw) s/(8 sW2 z1(0))) / ((3+dw) s sW2)"));
        r.rows.push_back(reported("max over alpha >= 1e-5, i of T1^(i) - its Thm F.1 bound", "<= 0 for alpha <= alpha*",
                                  num(excess_large, 4), "O(1) offset ~ ln 2/(2 s sW2) = " +
                                      num(std::log(2.0) / (2 * runs[0].dir_sigma[0] * runs[0].dir_sigma_W2[0]), 3) +
                                      " (direction 0): these alphas are above alpha*"));
        r.rows.push_back(row{"larger sigma_dY sigma_W2 learned first", "T1^(0) < T1^(1)", ordered ? "yes" : "no", "",
                             ordered ? verdict::pass : verdict::fail, "incremental learning order at every alpha"});
        const double floor = std::pow(1e3 * runs[0].eps * runs[0].sigma, 2);
        r.rows.push_back(at_most("max over alpha of L(8), Fig. 1 recipe, double", "<= (1e3 eps sigma)^2 = " + num(floor, 3),
                                 Lmax, floor, "no alpha floor: every alpha reaches the rounding floor"));
        r.data.push_back(tb);
        r.notes.push_back(plan_note(runs, alphas));
        if (ctx.quick) floor_rows(ctx, "float128", "1e-32", {"1e-5", "1e-10"}, "14", 1, r);
        else floor_rows(ctx, "100", "1e-42", {"1e-5", "1e-10", "1e-20"}, "26", 1e-80, r);
        return r;
      }};
}

}  // namespace loraflow::check
