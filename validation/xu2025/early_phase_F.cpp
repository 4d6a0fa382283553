// Claim:      Xu et al. (AISTATS 2025) Lemma C.3 / Theorem C.1: the early-alignment sub-phase lasts until T-hat_1,
//             the first time ||D1|| or ||D2|| reaches alpha, and during it ||F(t)||_2 <= kappa alpha (catalogue 2.4:
//             ||W2^T F|| <~ alpha follows from the definition of D1; the printed ||Z||_F <= b3 alpha is
//             dimensionally off, so ||F||_2 is tested instead). Eq. (42) predicts
//             T-hat_1 ~ (2/(5-dw)) ln(1/alpha) / (sigma sigma_W2).
// Prediction: max_{t <= T-hat_1} ||F(t)||_2 = O(alpha) (kappa not given), and T-hat_1's slope against ln(1/alpha).
// Check:      Fig. 1 problem, LoRA init, precision planned for 6 digits; T-hat_1 located as an event on
//             max(||D1||_2, ||D2||_2) - alpha; ||F||_2 is increasing on [0, T-hat_1] (checked on 400 observations),
//             so its maximum there is ||F(T-hat_1)||_2. quick alpha = 1e-3 ... 1e-6; full 1e-3 ... 1e-9.
// Tolerance:  O(alpha) means kappa(alpha) = ||F(T-hat_1)||_2 / alpha does not grow as alpha -> 0: the fitted
//             exponent of ||F(T-hat_1)||_2 against alpha must be >= 1 - 0.01 (1% for the fit's curvature).
//             The measured kappa values and the slope of T-hat_1 are reported beside eq. (42)'s
//             2/(5-dw) (eq. (42) is a lower estimate of the phase length, so its slope is a report, not a test).
#include "check/rows.hpp"

#include <loraflow/observe/fit.hpp>

#include <cmath>

namespace loraflow::check {

claim make_xu2025_early_phase_F() {
  return claim{
      "xu2025.early-phase-F", "Xu et al., AISTATS 2025", "Lemma C.3, Thm C.1, eq. (42); catalogue 2.4",
      "early alignment sub-phase: ||F||_2 <= kappa alpha until ||D1|| or ||D2|| reaches alpha",
      [](const context& ctx) {
        result r;
        const std::vector<std::string> alphas =
            ctx.quick ? std::vector<std::string>{"1e-3", "1e-4", "1e-5", "1e-6"}
                      : std::vector<std::string>{"1e-3", "1e-4", "1e-5", "1e-6", "1e-7", "1e-8", "1e-9"};
        trajectory_request q;
        q.problem = fig1_problem();
        q.early_event = true;
        q.stop_at_T1 = true;
        q.t_end = "4";
        q.observations = 400;
        const std::vector<trajectory> runs = sweep_alpha(ctx, q, alphas);
        std::string why;
        if (!all_ok(runs, alphas, true, why)) {
          r.rows.push_back(inconclusive("||F(T-hat_1)||_2 exponent", ">= 1", why));
          return r;
        }
        std::vector<double> a, F, th, x;
        bool monotone = true;
        table tb{"early_phase", {"alpha", "T_hat1", "T1", "F_spec_T_hat1", "kappa"}, {}};
        for (std::size_t i = 0; i < runs.size(); ++i) {
          const trajectory& t = runs[i];
          if (std::isnan(t.T_hat)) {
            r.rows.push_back(inconclusive("||F(T-hat_1)||_2 exponent", ">= 1", "alpha = " + alphas[i] + ": T-hat_1 not reached"));
            return r;
          }
          const auto& Fs = t.series.at("F_spec");
          for (std::size_t k = 1; k < t.t.size() && t.t[k] <= t.T_hat; ++k)
            if (Fs[k] < Fs[k - 1]) monotone = false;
          a.push_back(std::stod(alphas[i]));
          F.push_back(t.at_T_hat.at("F_spec"));
          x.push_back(-std::log(a.back()));
          th.push_back(t.T_hat);
          tb.rows.push_back({alphas[i], full(t.T_hat), full(t.T1), full(F.back()), full(F.back() / a.back())});
        }
        const line_fit ff = fit_power_law(a, F), ft = fit_line(x, th);
        const double ss = runs[0].sigma * runs[0].sigma_W2, dw = runs[0].delta_w;
        r.rows.push_back(row{"||F||_2 increasing on [0, T-hat_1]", "yes (so the max is at T-hat_1)",
                             monotone ? "yes" : "no", "", monotone ? verdict::pass : verdict::fail,
                             "premise of measuring the max at T-hat_1"});
        r.rows.push_back(at_least("exponent of max ||F||_2 over [0, T-hat_1] in alpha", ">= 1 (||F|| = O(alpha))",
                                  ff.slope, 0.99, "exponent >= 1 - 0.01", ff.slope_se));
        double kmin = 1e300, kmax = 0;
        for (std::size_t i = 0; i < a.size(); ++i) kmin = std::min(kmin, F[i] / a[i]), kmax = std::max(kmax, F[i] / a[i]);
        r.rows.push_back(reported("kappa = ||F(T-hat_1)||_2 / alpha", "bounded (not given)",
                                  "[" + num(kmin, 5) + ", " + num(kmax, 5) + "]", "1/sigma_W2 = " + num(1 / runs[0].sigma_W2, 5) +
                                      " is the scale implied by ||W2^T F|| ~ alpha"));
        r.rows.push_back(reported("dT-hat_1/dln(1/alpha) sigma sigma_W2", "2/(5-dw) = " + num(2 / (5 - dw), 5) + " (eq. 42)",
                                  num_se(ft.slope * ss, ft.slope_se * ss), "eq. (42) is a lower estimate of the sub-phase"));
        r.data.push_back(tb);
        r.notes.push_back(plan_note(runs, alphas));
        return r;
      }};
}

}  // namespace loraflow::check
