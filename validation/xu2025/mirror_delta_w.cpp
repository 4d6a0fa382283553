// Claim:      Xu et al. (AISTATS 2025) eq. (5) and Section 3 (catalogue 1.3, 2.1 (b)): when dw = sigma_W1/sigma_W2 > 1
//             every index swaps: the W2-side adapter Z2 = (B2, A2) is selected, rates use sigma sigma_W1, and T1 is
//             the first t with u^T B2 A2 g >= (1 - 1/dw) sigma / (4 sigma_W1).
// Prediction: (i) T1 slope in ln(1/alpha) is 1/(sigma sigma_W1) (c1 = 1, as for dw < 1); (ii) the W2-side
//             misalignment at T1 scales as alpha^2; (iii) Z2 dominates: ||Z1||_F^2/||Z2||_F^2 < 1 at T1, and
//             ||Z2||^2/||Z1||^2 grows as alpha^-q with 2(1 - 1/dw) <= q <= 2.
// Check:      Fig. 1 recipe with c = 0.95 (dw = 1/0.95^2 = 1.108), LoRA init, precision planned for 6 digits,
//             alpha = 1e-3 ... 1e-6 (full: ... 1e-8), T1 located on the dense output of the W2-side escape.
// Tolerance:  |c1 - 1| <= 0.01 and |p - 2| <= 0.01 as in the dw < 1 claims; (iii) ratio < 1 at every alpha and q in
//             [2(1 - 1/dw)(0.99), 2 (1.01)].
#include "check/rows.hpp"

#include <loraflow/observe/fit.hpp>

#include <cmath>

namespace loraflow::check {

claim make_xu2025_mirror() {
  return claim{
      "xu2025.mirror-delta-w-above-1", "Xu et al., AISTATS 2025", "eq. (5), Section 3; catalogue 1.3",
      "dw > 1: the W2-side adapter is selected (T1, alignment and imbalance with indices swapped)",
      [](const context& ctx) {
        result r;
        const std::vector<std::string> alphas = ctx.quick
                                                    ? std::vector<std::string>{"1e-3", "1e-4", "1e-5", "1e-6"}
                                                    : std::vector<std::string>{"1e-3", "1e-4", "1e-5", "1e-6", "1e-7", "1e-8"};
        trajectory_request q;
        q.problem = fig1_problem();
        q.problem.c = "0.95";
        q.stop_at_T1 = true;
        q.t_end = "20";
        const std::vector<trajectory> runs = sweep_alpha(ctx, q, alphas);
        std::string why;
        if (!all_ok(runs, alphas, true, why)) {
          r.rows.push_back(inconclusive("W2-side T1", "reached", why));
          return r;
        }
        std::vector<double> a, x, t1, mis2, imb;
        double imb_max = 0;
        table tb{"mirror", {"alpha", "T1", "misalign2_T1", "misalign1_T1", "imbalance_fro_T1", "escape2_T1"}, {}};
        for (std::size_t i = 0; i < runs.size(); ++i) {
          const trajectory& t = runs[i];
          a.push_back(std::stod(alphas[i]));
          x.push_back(-std::log(a.back()));
          t1.push_back(t.T1);
          mis2.push_back(t.at_T1.at("misalign2"));
          imb.push_back(t.at_T1.at("imbalance_fro"));
          imb_max = std::max(imb_max, imb.back());
          tb.rows.push_back({alphas[i], full(t.T1), full(mis2.back()), full(t.at_T1.at("misalign")), full(imb.back()),
                             full(t.at_T1.at("escape2"))});
        }
        const double sw1 = runs[0].sigma * runs[0].sigma_W1, dw = runs[0].delta_w;
        const line_fit ft = fit_line(x, t1), fm = fit_power_law(a, mis2), fi = fit_power_law(a, imb);
        r.rows.push_back(reported("delta_w", "> 1", num(dw, 6), "the mirror case"));
        r.rows.push_back(within("c1 = dT1/dln(1/alpha) sigma sigma_W1", "1", ft.slope * sw1, ft.slope_se * sw1, 1.0, 0.01,
                                "|c1 - 1| <= 0.01"));
        r.rows.push_back(within("W2-side misalign(T1) exponent", "2", fm.slope, fm.slope_se, 2.0, 0.01, "|p - 2| <= 0.01"));
        r.rows.push_back(at_most("max over alpha of ||Z1||_F^2/||Z2||_F^2 at T1", "< 1 (Z2 selected)", imb_max, 1.0,
                                 "ratio < 1 at every alpha"));
        const double lo = 2 * (1 - 1 / dw), hi = 2.0, q_ = fi.slope;  // ratio Z1/Z2 ~ alpha^q
        r.rows.push_back(within("exponent q of ||Z2||^2/||Z1||^2 ~ alpha^-q", "[2(1-1/dw), 2] = [" + num(lo, 4) + ", 2]",
                                q_, fi.slope_se, (lo * 0.99 + hi * 1.01) / 2, (hi * 1.01 - lo * 0.99) / 2,
                                "2(1-1/dw)(0.99) <= q <= 2(1.01)"));
        r.data.push_back(tb);
        r.notes.push_back("sigma sigma_W1 = " + num(sw1, 8) + "; " + plan_note(runs, alphas));
        return r;
      }};
}

}  // namespace loraflow::check
