// Claim:      Xu, Min, Tarmoun, Mallada, Vidal, TMLR 2025 ("P4"), Table 2 and Section 4: the constants
//             alpha1 <= sigma_min^2(T_t) and alpha2 >= sigma_max^2(T_t) (Lemma 3.1, whose bounds tend to alpha1 and
//             alpha2 as eta0 -> 0, so they hold at t = 0 for any eta0), with beta1 <= sigma(W_t) <= beta2; and the
//             printed ratios alpha1/alpha2 of the Section 4 experiment, means over 30 repeats:
//               h = 500: 0.5549, 0.5545, 0.5509;  h = 1000: 0.6749, 0.6746, 0.6725;  h = 4000: 0.8291, 0.8291, 0.8286
//             for noise sigma^2 = 0.01, 0.1, 1 (catalogue ../shared/theory/xu2025-and-linear-nets.md section 7).
// Prediction: at the initialization, alpha1 <= lambda_min(tau_0) = sigma_min^2(T_0), sigma_max^2(T_0) <= alpha2,
//             beta1 <= sigma_min(W_0), sigma_max(W_0) <= beta2 (paper, Lemma 3.1 at t = 0); the nine printed
//             means (paper); alpha1/alpha2 rising towards 1 with h (Theorem 3.3, a trend).
// Check:      the Section 4 recipe as catalogued (model/xu2023.hpp, xu2025tmlr_recipe: n = m = 10, X Haar-orthogonal,
//             W1, W2 standard normal as printed, Y = X W1(0) W2(0) + noise eps), seeds 0 .. 29 for each (h, noise);
//             Table 2 by model/xu2025tmlr.hpp, the spectra by model/xu2023.hpp (xu2023_spectra_of); double.
//             Quick: h = 500 only (the three noises).
// Tolerance:  the Lemma 3.1 rows are inequalities between numbers of order h with margins of several percent,
//             far above double rounding: no slack. A printed mean is one 30-draw mean of the same recipe: pass
//             when |mean - printed| <= 5e-5 (its last digit) + 3 sd sqrt(2/30) (the spread of the difference of two
//             independent 30-draw means, sd measured here).
// Expected violations: the nine printed means. The recipe and the Table 2 formulas as catalogued give alpha1/alpha2
//             = 0.590, 0.696, 0.841 (h = 500, 1000, 4000; se 0.004, 0.003, 0.002) against the printed 0.555, 0.675,
//             0.829: 1 - alpha1/alpha2 is 0.92 to 0.93 times the printed value at every h and noise. The ratio does not
//             depend on a common scale of W1, W2 (or of X, Y) when the noise is small, so the catalogue's open question
//             (a 1/h init scaling) cannot explain it; the bounds alpha1, alpha2 themselves hold at t = 0 for every draw
//             and are nearly tight there (the Lemma 3.1 rows). The printed table therefore belongs to a detail of the
//             recipe (the distribution of X, the sizes) or of Table 2 that catalogue 7 does not record; the rows assert
//             the gap, so a change that closes it is seen.
// Which rows can fail: a wrong Table 2 formula (alpha1 above sigma_min^2(T_0) or alpha2 below sigma_max^2(T_0)).
#include "check/rows.hpp"

#include <loraflow/model/xu2023.hpp>
#include <loraflow/model/xu2025tmlr.hpp>

#include <algorithm>
#include <cmath>

namespace loraflow::check {

namespace {

struct printed_ratio {
  long h;
  double noise, ratio;
};

constexpr printed_ratio printed[] = {{500, 0.01, 0.5549},  {500, 0.1, 0.5545},  {500, 1.0, 0.5509},
                                     {1000, 0.01, 0.6749}, {1000, 0.1, 0.6746}, {1000, 1.0, 0.6725},
                                     {4000, 0.01, 0.8291}, {4000, 0.1, 0.8291}, {4000, 1.0, 0.8286}};

}  // namespace

claim make_xu2025tmlr_sec4() {
  return claim{"xu2025tmlr.sec4-alpha-ratio", "Xu, Min, Tarmoun, Mallada, Vidal, TMLR 2025",
               "Table 2, Lemma 3.1, Sec. 4 table; catalogue 7",
               "alpha1 <= sigma_min^2(T_0), sigma_max^2(T_0) <= alpha2, beta1 <= sigma(W_0) <= beta2; the printed "
               "alpha1/alpha2 of the Section 4 experiment",
               [](const context& ctx) {
                 result res;
                 const std::string src = "P4 Lemma 3.1 at t = 0, Table 2 (catalogue 7)";
                 std::vector<std::vector<std::string>> data;
                 double lo_tau = 1e300, hi_tau = 0, lo_w = 1e300, hi_w = 0;
                 std::vector<double> means;
                 for (const printed_ratio& p : printed) {
                   if (ctx.quick && p.h != 500) continue;
                   std::vector<double> v;
                   for (std::uint64_t seed = 0; seed < 30; ++seed) {
                     const xu2023_instance<double> in = xu2025tmlr_recipe<double>(p.noise, p.h, seed, 10);
                     const xu2025tmlr_constants<double> k = xu2025tmlr_constants_of<double>(in.problem, in.W1, in.W2);
                     const xu2023_spectra<double> s = xu2023_spectra_of<double>(in.W1, in.W2);
                     v.push_back(k.alpha1 / k.alpha2);
                     lo_tau = std::min(lo_tau, s.tau_min / k.alpha1);
                     hi_tau = std::max(hi_tau, s.tau_max / k.alpha2);
                     if (k.beta1 > 0) lo_w = std::min(lo_w, s.W_min / k.beta1);
                     hi_w = std::max(hi_w, s.W_max / k.beta2);
                     data.push_back({std::to_string(p.h), num(p.noise, 3), std::to_string(seed), full(k.alpha1), full(k.alpha2),
                                     full(k.beta1), full(k.beta2), full(s.tau_min), full(s.tau_max), full(k.residual)});
                   }
                   const spread sp = stats(v);
                   const double mean = sp.mean, sd = sp.sd;
                   means.push_back(mean);
                   const double tol = 5e-5 + 3 * sd * std::sqrt(2.0 / 30);
                   res.rows.push_back(expect_violation(
                       within("alpha1/alpha2, h = " + std::to_string(p.h) + ", noise " + num(p.noise, 2) + " (mean of 30)",
                              num(p.ratio, 4) + " (printed)", mean, sd / std::sqrt(30.0), p.ratio, tol,
                              "|mean - printed| <= 5e-5 + 3 sd sqrt(2/30)")
                           .paper("P4 Sec. 4 table (catalogue 7)"),
                       "the catalogued recipe and Table 2 give 1 - alpha1/alpha2 = " + num((1 - mean) / (1 - p.ratio), 3) +
                           " times the printed value (0.92 to 0.93 at every h and noise); the ratio is scale-free, so a 1/h init "
                           "scaling cannot explain it, and the bounds hold at t = 0 (rows below): the printed table belongs to "
                           "a detail of the recipe or of Table 2 that catalogue 7 does not record"));
                   ctx.say("h = " + std::to_string(p.h) + ", noise " + num(p.noise, 2) + ": alpha1/alpha2 = " + num(mean, 4) + " sd " +
                           num(sd, 2) + " (printed " + num(p.ratio, 4) + ")");
                 }
                 res.rows.push_back(at_least("min over draws of sigma_min^2(T_0) / alpha1", ">= 1", lo_tau, 1.0, ">= 1 for every draw").paper(src));
                 res.rows.push_back(at_most("max over draws of sigma_max^2(T_0) / alpha2", "<= 1", hi_tau, 1.0, "<= 1 for every draw").paper(src));
                 if (lo_w < 1e300)
                   res.rows.push_back(at_least("min over draws of sigma_min(W_0) / beta1 (beta1 > 0)", ">= 1", lo_w, 1.0, ">= 1 for every draw").paper(src));
                 else
                   res.notes.push_back("beta1 = 0 for every draw: the lower bound on sigma_min(W) is vacuous, no row");
                 res.rows.push_back(at_most("max over draws of sigma_max(W_0) / beta2", "<= 1", hi_w, 1.0, "<= 1 for every draw").paper(src));
                 if (means.size() == 9) {
                   const bool rising = means[0] < means[3] && means[3] < means[6];
                   res.rows.push_back(reported("alpha1/alpha2 against h (noise 0.01)", "not stated numerically (Thm 3.3: 1 - Omega(h^(2p-1)))",
                                               num(means[0], 4) + ", " + num(means[3], 4) + ", " + num(means[6], 4) + (rising ? " (rising)" : " (not rising)"),
                                               "the trend Theorem 3.3 predicts, for h = 500, 1000, 4000")
                                          .derived("header: Thm 3.3 trend"));
                 }
                 res.data.push_back(table{"constants", {"h", "noise", "seed", "alpha1", "alpha2", "beta1", "beta2", "tau_min_0", "tau_max_0", "residual"}, data});
                 res.notes.push_back("recipe: n = m = 10, X Haar-orthogonal, W1, W2 ~ N(0, 1) (as printed; the catalogue notes a 1/h "
                                     "scaling may have been meant: alpha1/alpha2 does not depend on a common scale of W1, W2 when the "
                                     "noise is small), Y = X W1 W2 + noise eps; 30 seeds per (h, noise); double");
                 return res;
               }};
}

}  // namespace loraflow::check
