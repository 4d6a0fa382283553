// Claim:      the engine integrates the Fig. 1 problem of Xu et al. (AISTATS 2025, Section 5.1: m = n = 10, h = 100,
//             r = 4, sigma = 5, delta_w = 1/1.05^2, LoRA init alpha = 1e-4) consistently across precisions: runs
//             converge to the 50-digit solution as rtol shrinks, down to the working type's rounding floor.
// Prediction: (measured reference: a 50-digit fehlberg78 run at rtol 1e-20, its own error invisible at the levels
//             tested) at t = 0.25, 0.5, 1, 1.5, 2, 3, 4, 5:
//             (a) before the escape (t <= 0.5, L = O(1)) double dopri5 at rtol 1e-12 agrees on L(t) to 1e-10;
//             (b) at every later t where double resolves L to better than 1e-11 (res(t) below), the double rtol 1e-14
//                 run is within 1e-10 of the reference or at least 10x closer than the rtol 1e-12 run (its error is
//                 integration error and converges);
//             (c) at every later t where double does NOT resolve L to 1e-11, the same comparison is made in a type
//                 that does: float128 Taylor at rtol 1e-24 must agree to 1e-10 (on the
//                 alpha^4 floor E = dY - F is a 1e-9 residue of O(1) state entries, so the state must be right to
//                 about 1e-20 for 1e-10 of L: rtol 1e-24 leaves four decades). The double runs there are printed
//                 for information, not tested (a check below the working precision's resolution is no pass).
//             The engine issue's literal target, L(5) to 1e-10 from double at rtol 1e-12, lies below double's
//             resolution at t = 5, so it is printed as a note, never a verdict; (c) tests it in float128.
// Check:      L(t) from the reference, double runs at rtol 1e-12, 1e-13, 1e-14 and a float128 Taylor run at rtol 1e-24
//             (same problem, same initial numbers).
// Tolerance:  a type resolves L only to about res(t) = 2 eps ||F||_F / ||E||_F (rounding of E = dY - F in O(1)
//             entries). During the fast decay after T1, L is exponentially sensitive to the escape time
//             (d ln L / dt ~ 50), which amplifies integration error; that is why (b) accepts convergence. Every
//             point is a pass or a FAIL: the program exits 1 on any FAIL and on any point that no run resolves.
// Output:     engine_cross_precision.csv (t, loss_50, rel_diff at each rtol and in float128, resolution, verdict).
#include <loraflow/integrate/integrate.hpp>
#include <loraflow/model/init.hpp>
#include <loraflow/model/lora_series.hpp>
#include <loraflow/model/xu2025.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>

using namespace loraflow;

template <class Real> std::vector<std::pair<Real, Real>> losses(method m, const Real& rtol, const std::vector<Real>& times) {
  xu2025_spec<Real> spec;  // defaults: m = n = 10, h = 100, c = 1.05, dY = 5 u1 v1^T, seed 0
  const generated_problem<Real> gp = generate_xu2025(spec);
  const lora_model<Real> model(lora_problem<Real>{gp.W1, gp.W2, gp.dY, 4, true, true, Real(1), Real(0)});
  vector<Real> x = small_init(model, parse<Real>("1e-4"), 0);
  solve_options<Real> opt;
  opt.stepper = m;
  opt.rtol = rtol;
  opt.atol = rtol * parse<Real>("1e-8");
  const lora_series<Real> series(model);
  if (m == method::taylor) opt.series = &series;
  std::vector<std::pair<Real, Real>> out;  // (loss, ||F||/||E||)
  const run_stats<Real> st = integrate<Real>(std::cref(model), x, Real(0), Real(5), times,
      [&](const Real&, const vector<Real>& xt) {
        using std::sqrt;
        const Real f = sqrt(squared_norm(model.product(xt)));
        const Real e = sqrt(squared_norm(model.residual(xt)));
        out.emplace_back(model.loss(xt), f / e);
      }, opt);
  std::fprintf(stderr, "%s %s: %s, %zu steps\n", scalar_name<Real>().c_str(), method_name(m), status_name(st.status), st.steps);
  return out;
}

int main() {
  const std::vector<double> td{0.25, 0.5, 1, 1.5, 2, 3, 4, 5};
  std::vector<float50> tq;
  std::vector<float128> t128;
  for (double t : td) tq.push_back(float50(t));  // all exactly representable
  for (double t : td) t128.push_back(float128(t));
  const std::vector<double> rtols{1e-12, 1e-13, 1e-14};
  std::vector<std::vector<std::pair<double, double>>> d;
  for (double rt : rtols) d.push_back(losses<double>(method::dopri5, rt, td));
  const auto f = losses<float128>(method::taylor, float128(1e-24), t128);
  const auto q = losses<float50>(method::fehlberg78, float50("1e-20"), tq);
  for (const auto& run : d)
    if (run.size() != td.size() || q.size() != td.size() || f.size() != td.size()) {
      std::printf("FAIL: a run did not reach every observation time\n");
      return 1;
    }
  std::ofstream csv("engine_cross_precision.csv");
  csv << "t,loss_50,rel_diff_1e-12,rel_diff_1e-13,rel_diff_1e-14,rel_diff_float128_1e-24,resolution,verdict\n";
  int fails = 0, unresolved = 0;
  std::printf("%5s %-28s %-9s %-9s %-9s %-9s %-9s %s\n", "t", "L (50 digits)", "1e-12", "1e-13", "1e-14", "f128",
              "res", "verdict");
  for (std::size_t i = 0; i < td.size(); ++i) {
    const float50 l50 = q[i].first;
    double rel[3];
    for (int k = 0; k < 3; ++k) rel[k] = static_cast<double>(abs(float50(d[k][i].first) - l50) / l50);
    // through long double: its 64-bit mantissa (rel. 5e-20) is far below the 1e-10 tested
    const double rel128 = static_cast<double>(abs(float50(static_cast<long double>(f[i].first)) - l50) / l50);
    const double res = 2 * std::numeric_limits<double>::epsilon() * d[0][i].second;
    const double res128 = 2 * static_cast<double>(std::numeric_limits<float128>::epsilon()) * static_cast<double>(f[i].second);
    std::string verdict;
    const bool converging = rel[2] * 10 <= rel[0];
    if (td[i] <= 0.5) {
      verdict = rel[0] <= 1e-10 ? "pass (a)" : "FAIL (a)";
    } else if (res <= 1e-11) {
      verdict = (rel[2] <= 1e-10 || converging) ? "pass (b)" : "FAIL (b)";
    } else if (res128 <= 1e-11) {
      verdict = rel128 <= 1e-10 ? "pass (c, float128)" : "FAIL (c, float128)";
    } else {
      verdict = "FAIL (no run resolves L here)";
      ++unresolved;
    }
    if (verdict[0] == 'F') ++fails;
    const std::string ls = to_string(l50);  // 21 significant digits, the exponent kept
    const std::size_t e = ls.find_first_of("eE");
    const std::string shown = ls.substr(0, std::min<std::size_t>(22, e)) + (e == std::string::npos ? "" : ls.substr(e));
    std::printf("%5.2f %-28s %-9.2e %-9.2e %-9.2e %-9.2e %-9.2e %s\n", td[i], shown.c_str(),
                rel[0], rel[1], rel[2], rel128, res, verdict.c_str());
    csv << td[i] << "," << to_string(l50) << "," << rel[0] << "," << rel[1] << "," << rel[2] << "," << rel128 << ","
        << res << "," << verdict << "\n";
  }
  const double rel5 = static_cast<double>(abs(float50(d[0].back().first) - q.back().first) / q.back().first);
  std::printf("note: the engine issue's literal target, L(5) to 1e-10 from double at rtol 1e-12: measured %.2e, but "
              "double resolves L(5) only to %.1e, so it is no test; (c) makes it in float128\n",
              rel5, 2 * std::numeric_limits<double>::epsilon() * d[0].back().second);
  std::printf("%zu passed, %d failed\n", td.size() - static_cast<std::size_t>(fails), fails);
  return fails || unresolved ? 1 : 0;
}
