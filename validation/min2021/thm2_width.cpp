// Claim:      Min, Tarmoun, Vidal, Mallada (ICML 2021), Theorem 2 (Section 3.2): U(0), V(0) entries ~ N(0, h^{-2p}),
//             1/4 < p <= 1/2, for h > h0^{1/(4p-1)} (h0 = poly(m, D, 1/delta, lambda_1(Sigma_x)/lambda_r^2(Sigma_x)),
//             not given), with probability >= 1 - delta,
//               ||U(inf) V(inf)^T - Theta_hat||_2 <= 2 C^{1/h^{1-2p}} sqrt(m+r) (sqrt m + sqrt D + log(2/delta)/2)
//                                                    / h^{2p-1/2},
//             C = exp(1 + lambda_1^{1/2}(Sigma_x) ||Y||_F / lambda_r(Sigma_x)).
// Prediction: (paper) the bound as printed, at delta = 0.1, and the same bound for the Frobenius norm
//             ||U(inf) V(inf)^T - Theta_hat||_F (Thm 2's proof bounds the Frobenius norm; catalogue 4); at p = 1/2
//             (the bound is C ... / sqrt h) the distance is O(h^{-1/2}): the fitted exponent of the distance in h is
//             <= -1/2.
//             (derived) The flow of (U1, V) is closed (U2' = 0 and U2 does not enter it), so V(inf) is independent of
//             U2(0) = Phi2^T U(0), whose (D-r) rows are iid N(0, I/h). With eq. (14), U V^T - Theta_hat = Phi2 U2(0)
//             V^T - Phi1 Sigma^{-1/2} W^T R (R = Y - X U V^T), so at convergence d := ||U V^T - Theta_hat||_F =
//             ||U2(0) V(inf)^T||_F, and for m = 1: h d^2 / ||V(inf)||_F^2 ~ chi^2_{D-r} exactly, at every h. Hence
//             ln(d / ||V(inf)||_F) = -1/2 ln h + (an h-independent random variable): its fitted slope is -1/2 without
//             pre-asymptotic correction, and the exponent of d itself is -1/2 plus that of ||V(inf)||_F (fitted,
//             shown).
// Check:      A.2's data recipe at reduced size: D = 40, N = r = 10, m = 1, X ~ N(0, 1/D), Y = X Theta + 0.01 eps,
//             Theta ~ N(0, I/D); p = 1/2 (entries N(0, 1/h)). Gradient flow (dopri5, rtol 1e-10) to T = the time at
//             which Thm 1's bound brings ||R||_F / sigma_min(X) below 1e-9 ||U2(0) V(0)^T||_F. quick: h = 50, 100,
//             200, 400, 800, 8 draws each; full: h = 50 ... 3200, 10 draws each. T stands for infinity: the remaining
//             change is bounded (truncation tau below) and must be < 1e-6 d, else the row is inconclusive.
// Tolerance:  Bound rows (spectral norm as printed; Frobenius norm, which the proof gives the same bound for,
//             catalogue 4 "the proof gives the same bound in Frobenius norm"): each draw compared exactly; at each h
//             the k failures out of n draws are tested against failure probability <= delta by the one-sided
//             binomial test: the row passes when p_h = P(X >= k | X ~ Bin(n, delta)) >= 0.00135 (the one-sided
//             3-sigma level other claims use) at every h (h0 is not given; the bound holds at every h measured, so no
//             h is excluded); measured: min_h p_h, with the frequency and k/n shown. Probability that a true
//             statement fails the row <= n_h x 0.00135 (7 h: 0.0095). With 8 draws one failure gives p = 0.57, so
//             the row cannot fail at the quick size unless >= 5 of 8 draws fail (p(5) = 4.3e-4); at 10 draws, >= 5
//             (p(5) = 1.6e-3 passes, p(6) = 1.5e-4 fails). They are loose by 2-3 orders of magnitude here (C = 39),
//             so a 1% change cannot make them fail; the identity row below can.
//             Exponents: least-squares slope of ln(.) against ln h over all draws, se from the fit's residuals;
//             paper row slope(d) <= -1/2 + 4 se; derived row |slope(d / ||V||) + 1/2| <= 4 se (4 se: two-sided
//             normal tail 6e-5).
//             Identity row (eq. 14 at T): |d - ||U2(0) V(T)^T||_F| <= ||R(T)||_F / sigma_min(X) + rho, with rho =
//             (D + h) eps (||U||_F ||V||_F + ||Theta_hat||_F + ||U2(0)||_F ||V||_F) (worst-case products), per draw.
//             Truncation to infinity: tau = ||R(T)||_F / sigma_min(X) + ||U2(0)||_2 sigma_max(X) ||U1(T)||_2 ||R(T)||_F
//             / (lambda_r c) (||V(inf) - V(T)|| <= int ||E^T Sigma^{1/2} U1|| with ||E(t)|| decaying at rate lambda_r c
//             by Thm 1).
#include "check/rows.hpp"
#include "min2021/linear_net.hpp"

#include <loraflow/integrate/integrate.hpp>
#include <loraflow/model/factorization.hpp>
#include <loraflow/observe/fit.hpp>
#include <loraflow/random.hpp>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/SVD>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace loraflow::check {
namespace {


using mat = matrix<double>;
constexpr double eps = std::numeric_limits<double>::epsilon();
constexpr std::uint64_t seed = 2021;


result run(const context& ctx) {
  const auto wall0 = std::chrono::steady_clock::now();
  const Eigen::Index D = 40, N = 10, m = 1, r = N;
  const double delta = 0.1, z = 4, rtol = 1e-10;
  const int draws = ctx.quick ? 8 : 10, n_h = ctx.quick ? 5 : 7;
  result res;

  const min2021::a2_data a2 = min2021::make_a2_data(seed, N, D, m);
  const mat &X = a2.X, &Y = a2.Y, &W = a2.W, &Phi1 = a2.Phi1, &Phi2 = a2.Phi2;
  const Eigen::VectorXd& sx = a2.sx;
  const double s_min = sx(r - 1), s_max = sx(0), lambda_r = s_min * s_min;
  const mat Theta_hat = Phi1 * sx.cwiseInverse().asDiagonal() * W.transpose() * Y;
  const double Cc = std::exp(1 + s_max / lambda_r * Y.norm());
  const double log_term = std::sqrt(double(m)) + std::sqrt(double(D)) + std::log(2 / delta) / 2;

  std::vector<double> lnh, ln_d, ln_dv, ln_v;
  double max_bound_ratio = 0, worst_identity = -1e300, worst_trunc = 0;
  int holds = 0, holdsF = 0, total = 0;
  double p2_min = 2, pF_min = 2, max_bound_ratio_F = 0;
  int k2_worst = 0, kF_worst = 0, n_worst2 = 0, n_worstF = 0;
  std::string h2_worst, hF_worst;
  bool all_ok = true;
  std::string why;
  table tb{"min2021_thm2",
           {"h", "draw", "c", "T", "steps", "d_F", "d_2", "bound", "U2V_inf", "U2V0", "V_inf_F", "R_T", "tau"},
           {}};
  for (int ih = 0; ih < n_h; ++ih) {
    const Eigen::Index h = Eigen::Index(50) << ih;
    const double hd = double(h);
    const factorization_model<double> model(factorization_problem<double>{X, Y, h, 0.0});
    const double bound = 2 * Cc * std::sqrt(double(m + r)) * log_term / std::sqrt(hd);  // p = 1/2
    const auto t0 = std::chrono::steady_clock::now();
    std::size_t steps = 0;
    int fail2 = 0, failF = 0, n_here = 0;
    for (int d = 0; d < draws; ++d) {
      gaussian_stream g(seed + 7919ULL * std::uint64_t(ih) + std::uint64_t(d), streams::adapters);
      const mat U0 = g.normal_matrix<double>(D, h) / std::sqrt(hd), V0 = g.normal_matrix<double>(m, h) / std::sqrt(hd);
      const mat U1_0 = Phi1.transpose() * U0, U2_0 = Phi2.transpose() * U0;
      const double c = min2021::imbalance_c_wide(U1_0, V0);
      const double L0 = (Y - X * U0 * V0.transpose()).squaredNorm() / 2;
      const double target = 1e-9 * (U2_0 * V0.transpose()).norm() * s_min;  // ||R|| target
      const double T = std::log(2 * L0 / (target * target)) / (2 * lambda_r * c);
      vector<double> x = model.pack(U0, V0);
      solve_options<double> opt;
      opt.rtol = rtol;
      opt.atol = rtol * V0.cwiseAbs().mean();
      const run_stats<double> st = integrate<double>(std::cref(model), x, 0.0, T, {}, {}, opt);
      steps += st.steps;
      if (st.status != run_status::ok) {
        all_ok = false;
        why = "h = " + std::to_string(h) + ", draw " + std::to_string(d) + ": " + status_name(st.status);
        continue;
      }
      const mat U = model.U(x), V = model.V(x);
      const mat R = model.residual(x);
      const mat diff = U * V.transpose() - Theta_hat;
      const double dF = diff.norm();
      const double d2 = Eigen::JacobiSVD<mat>(diff).singularValues()(0);
      const double u2v = (U2_0 * V.transpose()).norm(), u2v0 = (U2_0 * V0.transpose()).norm(), vF = V.norm();
      const double U1_2 = Eigen::JacobiSVD<mat>(Phi1.transpose() * U).singularValues()(0);
      const double U2_2 = Eigen::JacobiSVD<mat>(U2_0).singularValues()(0);
      const double tau = R.norm() / s_min + U2_2 * s_max * U1_2 * R.norm() / (lambda_r * c);
      const double rho = double(D + h) * eps * (U.norm() * vF + Theta_hat.norm() + U2_0.norm() * vF);
      const double dF_m = dF;  // measured distance (the 1% mutation goes here)
      worst_identity = std::max(worst_identity, std::abs(dF_m - u2v) / (R.norm() / s_min + rho) - 1);
      worst_trunc = std::max(worst_trunc, tau / dF_m);
      max_bound_ratio = std::max(max_bound_ratio, d2 / bound);
      max_bound_ratio_F = std::max(max_bound_ratio_F, dF_m / bound);
      holds += d2 <= bound;
      holdsF += dF_m <= bound;
      fail2 += !(d2 <= bound);
      failF += !(dF_m <= bound);
      ++n_here;
      ++total;
      lnh.push_back(std::log(hd));
      ln_d.push_back(std::log(dF_m));
      ln_dv.push_back(std::log(dF_m / vF));
      ln_v.push_back(std::log(vF));
      tb.rows.push_back({std::to_string(h), std::to_string(d), full(c), full(T), std::to_string(st.steps), full(dF),
                         full(d2), full(bound), full(u2v), full(u2v0), full(vF), full(R.norm()), full(tau)});
    }
    if (n_here > 0) {
      const double p2 = min2021::binomial_upper_tail(fail2, n_here, delta), pF = min2021::binomial_upper_tail(failF, n_here, delta);
      if (p2 < p2_min) p2_min = p2, k2_worst = fail2, n_worst2 = n_here, h2_worst = std::to_string(h);
      if (pF < pF_min) pF_min = pF, kF_worst = failF, n_worstF = n_here, hF_worst = std::to_string(h);
    }
    ctx.say("h = " + std::to_string(h) + ": " + std::to_string(draws) + " flows, " + std::to_string(steps) +
            " steps, " + num(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 3) + " s");
  }
  const std::string P = "Min et al. 2021, Thm 2";
  if (!all_ok) {
    res.rows.push_back(inconclusive("gradient flows to T", "all reach T", why).derived("header: Check"));
  } else if (!(worst_trunc < 1e-6)) {
    res.rows.push_back(inconclusive("truncation tau / d (T stands for infinity)", "< 1e-6", num(worst_trunc, 3))
                           .derived("header: Tolerance (truncation)"));
  } else {
    const std::string bound_text = "bound 2 C sqrt(m+r)(sqrt m + sqrt D + log(2/delta)/2)/sqrt h, C = " + num(Cc, 4);
    auto freq_row = [&](const std::string& norm, int held, double p_min, int k_w, int n_w, const std::string& h_w,
                        double max_ratio) {
      row rw = at_least("frequency of ||U V^T - Theta_hat||_" + norm + " <= bound (p = 1/2): min_h binomial p-value",
                        "failure probability <= delta = 0.1: P(X >= k | Bin(n, 0.1)) >= 0.00135 at every h", p_min,
                        min2021::binom_level,
                        bound_text + "; one-sided binomial test per h (header, Tolerance); worst h = " + h_w + " (" +
                            std::to_string(k_w) + "/" + std::to_string(n_w) + " failures); max distance/bound " +
                            num(max_ratio, 3) + " (loose)");
      rw.measured = "p = " + num(p_min, 3) + "; frequency " + num(double(held) / total, 4) + " (" +
                    std::to_string(held) + "/" + std::to_string(total) + " draws hold)";
      return rw;
    };
    res.rows.push_back(
        freq_row("2", holds, p2_min, k2_worst, n_worst2, h2_worst, max_bound_ratio).paper(P + " (p = 1/2)"));
    res.rows.push_back(freq_row("F", holdsF, pF_min, kF_worst, n_worstF, hF_worst, max_bound_ratio_F)
                           .paper(P + " proof (p = 1/2): the same bound in Frobenius norm (catalogue 4)"));
    const line_fit fd = fit_line(lnh, ln_d), fdv = fit_line(lnh, ln_dv), fv = fit_line(lnh, ln_v);
    res.rows.push_back(at_most("exponent of ||U V^T - Theta_hat||_F in h", "<= -1/2 (O(h^{-1/2}) at p = 1/2)", fd.slope,
                               -0.5 + z * fd.slope_se, "slope <= -1/2 + 4 se", fd.slope_se)
                           .paper(P + ", p = 1/2: distance O(h^{-1/2})"));
    res.rows.push_back(within("exponent of ||U V^T - Theta_hat||_F / ||V(inf)||_F in h", "-1/2 (exact, no correction)",
                              fdv.slope, fdv.slope_se, -0.5, z * fdv.slope_se, "|slope + 1/2| <= 4 se")
                           .derived("header: U2(0) independent of V(inf), h d^2/||V||^2 ~ chi^2_{D-r}"));
    res.rows.push_back(reported("exponent of ||V(inf)||_F in h (the correction)", "0 as h -> inf",
                                num_se(fv.slope, fv.slope_se), "exponent of d = this + that of d/||V||")
                           .derived("header: Prediction (derived)"));
    res.rows.push_back(at_most("eq. 14 at T: max |d - ||U2(0) V(T)^T||_F| / (||R||/sigma_min + rho) - 1", "<= 0",
                               worst_identity, 0, "every draw; truncation to infinity tau/d <= " + num(worst_trunc, 2))
                           .derived("header: eq. (14) identity with the residual term"));
  }
  res.data = {tb};
  res.notes.push_back("D = 40, N = r = 10, m = 1, p = 1/2, delta = 0.1; sigma(X) in [" + num(s_min, 4) + ", " +
                      num(s_max, 4) + "], ||Y||_F = " + num(Y.norm(), 4) + ", C = " + num(Cc, 5) + "; " +
                      std::to_string(draws) + " draws per h.");
  res.notes.push_back("Wall time " +
                      num(std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count(), 3) + " s.");
  return res;
}

}  // namespace

claim make_min2021_thm2() {
  return {"min2021.thm2", "Min, Tarmoun, Vidal, Mallada, ICML 2021", "Thm 2 (Sec. 3.2)",
          "wide Gaussian init: ||U(inf) V(inf)^T - Theta_hat|| <= printed bound, O(h^{-1/2}) at p = 1/2", run};
}

}  // namespace loraflow::check
