// Claim:      the engine integrates the Fig. 1 problem of Xu et al. (AISTATS 2025, Section 5.1: m = n = 10, h = 100,
//             r = 4, sigma = 5, delta_w = 1/1.05^2, LoRA init alpha = 1e-4) consistently across precisions: double
//             runs converge to the 50-digit solution as rtol shrinks, down to double's rounding floor.
// Prediction: with a 50-digit fehlberg78 reference (rtol 1e-20, its own error invisible at double's level):
//             (a) before the escape (t <= 0.5, L = O(1)) double dopri5 at rtol 1e-12 agrees on L(t) to 1e-10;
//             (b) at every t where double resolves L to better than 1e-10, the rtol 1e-14 run is either within 1e-10
//                 or at least 10x closer than the rtol 1e-12 run (its error is integration error and converges);
//             (c) the engine issue's literal target, L(5) to 1e-10 at rtol 1e-12, is reported: it lies below
//                 double's resolution, so it is INCONCLUSIVE, never a pass.
// Check:      L(t) at t = 0.25, 0.5, 1, 1.5, 2, 3, 4, 5 from the reference and double runs at rtol 1e-12, 1e-13,
//             1e-14 (same problem, same initial numbers).
// Tolerance:  double resolves L only to about res(t) = 2 eps ||F||_F / ||E||_F (rounding of E = dY - F in O(1)
//             entries); where res(t) > 1e-11 the point is INCONCLUSIVE and must agree within res(t). During the
//             fast decay after T1, L is exponentially sensitive to the escape time (d ln L / dt ~ 50), which
//             amplifies the double run's integration error; that is why (b) asks for convergence, not 1e-10.
// Output:     engine_cross_precision.csv (t, loss_50, rel_diff at each rtol, resolution, verdict); exit 1 on FAIL.
#include <loraflow/integrate/integrate.hpp>
#include <loraflow/model/init.hpp>
#include <loraflow/model/xu2025.hpp>

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
  for (double t : td) tq.push_back(float50(t));  // all exactly representable
  const std::vector<double> rtols{1e-12, 1e-13, 1e-14};
  std::vector<std::vector<std::pair<double, double>>> d;
  for (double rt : rtols) d.push_back(losses<double>(method::dopri5, rt, td));
  const auto q = losses<float50>(method::fehlberg78, float50("1e-20"), tq);
  for (const auto& run : d)
    if (run.size() != td.size() || q.size() != td.size()) {
      std::printf("FAIL: a run did not reach every observation time\n");
      return 1;
    }
  std::ofstream csv("engine_cross_precision.csv");
  csv << "t,loss_50,rel_diff_1e-12,rel_diff_1e-13,rel_diff_1e-14,resolution,verdict\n";
  int fails = 0, inconclusive = 0;
  std::printf("%5s %-24s %-9s %-9s %-9s %-9s %s\n", "t", "L (50 digits)", "1e-12", "1e-13", "1e-14", "res", "verdict");
  for (std::size_t i = 0; i < td.size(); ++i) {
    const float50 l50 = q[i].first;
    double rel[3];
    for (int k = 0; k < 3; ++k) rel[k] = static_cast<double>(abs(float50(d[k][i].first) - l50) / l50);
    const double res = 2 * std::numeric_limits<double>::epsilon() * d[0][i].second;
    std::string verdict;
    const bool converging = rel[2] * 10 <= rel[0];
    if (td[i] <= 0.5) {
      verdict = rel[0] <= 1e-10 ? "pass (a)" : "FAIL (a)";
    } else if (res > 1e-11) {
      // 1e-10 is below double's resolution here; the tightest run must reach the rounding floor (within 2x the
      // estimate) or still be converging towards the reference.
      verdict = (rel[2] <= 2 * res || converging) ? "inconclusive" : "FAIL (beyond double's rounding floor)";
      ++inconclusive;
    } else {
      verdict = (rel[2] <= 1e-10 || converging) ? "pass (b)" : "FAIL (b)";
    }
    if (verdict[0] == 'F') ++fails;
    std::printf("%5.2f %-24s %-9.2e %-9.2e %-9.2e %-9.2e %s\n", td[i], to_string(l50).substr(0, 22).c_str(), rel[0], rel[1],
                rel[2], res, verdict.c_str());
    csv << td[i] << "," << to_string(l50) << "," << rel[0] << "," << rel[1] << "," << rel[2] << "," << res << "," << verdict << "\n";
  }
  const double rel5 = static_cast<double>(abs(float50(d[0].back().first) - q.back().first) / q.back().first);
  std::printf("(c) engine issue target, L(5) at rtol 1e-12 to 1e-10: measured %.2e; double resolves L(5) only to %.1e: "
              "INCONCLUSIVE\n", rel5, 2 * std::numeric_limits<double>::epsilon() * d[0].back().second);
  std::printf("%d failed, %d inconclusive (below double's resolution), %zu points\n", fails, inconclusive, td.size());
  return fails ? 1 : 0;
}
