// validation/check/rows.hpp: building verdict rows from measurements, and alpha sweeps of measured trajectories.
// The pass rules live here in one place so every claim states them the same way:
//   within(target, tol)   |measured - target| <= tol             margin = tol - |measured - target|
//   at_least(bound)       measured >= bound                      margin = measured - bound
//   at_most(bound)        measured <= bound                      margin = bound - measured
// A measurement that could not be made (failed integration, event not reached) gives an inconclusive row.
#pragma once

#include "check/claim.hpp"
#include "check/measure.hpp"

#include <string>
#include <vector>

namespace loraflow::check {

row within(const std::string& quantity, const std::string& predicted, double measured, double se, double target,
           double tol, const std::string& rule);
row at_least(const std::string& quantity, const std::string& predicted, double measured, double bound,
             const std::string& rule, double se = -1);
row at_most(const std::string& quantity, const std::string& predicted, double measured, double bound,
            const std::string& rule, double se = -1);
row reported(const std::string& quantity, const std::string& predicted, const std::string& measured,
             const std::string& note);
row inconclusive(const std::string& quantity, const std::string& predicted, const std::string& why);
/// A row whose verdict the claim decides itself (a rule none of the above states); the source is set by the chained
/// setter as for every row.
row decided(const std::string& quantity, const std::string& predicted, const std::string& measured,
            const std::string& margin, verdict v, const std::string& rule);

/// Measures base with each alpha in turn (progress lines through ctx). Failed runs are kept (status says why).
std::vector<trajectory> sweep_alpha(const context& ctx, trajectory_request base, const std::vector<std::string>& alphas);
/// True when every run ended ok and reached T1 (if need_T1); otherwise `why` names the first that did not.
bool all_ok(const std::vector<trajectory>& runs, const std::vector<std::string>& alphas, bool need_T1, std::string& why);
/// A note describing the precision plan of a sweep: "alpha = 1e-3: double rtol 1e-10 (dopri5, 0.1 s), ...".
std::string plan_note(const std::vector<trajectory>& runs, const std::vector<std::string>& alphas);
/// The Fig. 1 problem of Xu et al. (m = n = 10, h = 100, r = 4, sigma = 5, c = 1.05, seed 0) and the small one of
/// the 95-decade study of claim3_2_misalignment.cpp (m = n = 4, h = 8, r = 2, same recipe).
xu_problem fig1_problem();
xu_problem small_problem();

/// The initialization constants of Xu et al. Lemmas C.2-C.3 (catalogue 2.4), from the t = 0 observation of a run made
/// with lemma_c2_d1 (series Z1_sq, Z2_sq, cot_min at index 0) and its W1_spec, W2_spec and initial E_norm:
/// zmax2 = max(||Z1(0)||_F^2, ||Z2(0)||_F^2) / alpha^2 (z_max = its square root), d1 = ||Z1(0)||_F/||Z2(0)||_F (as
/// printed), c_min = min_j |cot angle(gamma1, w1j(0))| (xu2025/lemma_c2.cpp's reading), d2 = (m+h-1)/c_min,
/// K = ||E(0)|| + ||W2||^2 + ||W1|| ||W2|| + sqrt(||W2||) (eq. (42), norms spectral) and d3 = 1/(zmax2 K).
struct xu_early_constants {
  double zmax2 = 0, z_max = 0, d1 = 0, c_min = 0, d2 = 0, K = 0, d3 = 0;
};
xu_early_constants xu_early_constants_of(const trajectory& t, const xu_problem& p, double alpha);

/// y = a + b x + sum_j k_j z_j by least squares, the z_j pre-asymptotic correction terms whose form the claim
/// derives (e.g. z = alpha^nu with nu fixed by the derivation), so that b is the extrapolated slope. Standard
/// errors from the residual variance with n - 2 - (number of z) degrees of freedom (0 when none is left).
/// Computed in long double (normal equations of the centred columns).
struct corrected_fit {
  double slope = 0, intercept = 0;
  double slope_se = 0;
  std::vector<double> k, k_se;  ///< the correction coefficients and their standard errors
  std::size_t n = 0;
};
corrected_fit fit_line_corrected(const std::vector<double>& x, const std::vector<double>& y,
                                 const std::vector<std::vector<double>>& z);

/// Least squares y = c1 x + b + k exp(-q x) (x = ln(1/alpha), so exp(-q x) = alpha^q), with the correction exponent q
/// fixed by the claim's derivation (not fitted). tol = sum_i |w_i| delta_i, w the weights of c1 in the fit
/// (c1 = sum_i w_i y_i) and delta_i the resolution of y_i (the error the measured digits can put on c1); plus
/// 3 standard errors of c1 when there are residual degrees of freedom (n > 3). c1 = tol = NaN when n < 3.
/// Computed in long double (Gauss-Jordan on the 3x3 normal matrix).
struct resolved_slope_fit {
  double c1 = 0, tol = 0, max_resid = 0;
};
resolved_slope_fit fit_slope_resolved(const std::vector<double>& x, const std::vector<double>& y,
                                      const std::vector<double>& delta, double q);

/// The mean and the sample standard deviation (n - 1) of draws, e.g. of a recipe's constants over seeds.
struct spread {
  double mean = 0, sd = 0;
};
spread stats(const std::vector<double>& v);

}  // namespace loraflow::check
