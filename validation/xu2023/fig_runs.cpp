// validation/xu2023/fig_runs.cpp: the runs of fig_runs.hpp (see there).
#include "xu2023/fig_runs.hpp"

#include "check/claim.hpp"

#include <loraflow/integrate/integrate.hpp>
#include <loraflow/model/factorization.hpp>

#include <chrono>
#include <functional>
#include <limits>

namespace loraflow::check::xu2023 {

namespace {

gd_series run(const factorization_model<double>& model, const vector<double>& x0, std::size_t K,
              const std::function<double(double L)>& step) {
  const auto start = std::chrono::steady_clock::now();
  gd_series g;
  solve_options<double> opt;
  opt.stepper = method::gd;
  opt.gd_steps = K;
  opt.gd_step = [&](const vector<double>& x, const vector<double>&) { return step(model.loss(x)); };
  for (std::size_t k = 0; k <= K; ++k) opt.gd_observe_steps.push_back(k);
  auto record = [&](const double&, const vector<double>& x) {
    const double L = model.loss(x);
    g.L.push_back(L);
    g.eta.push_back(step(L));
    const matrix<double> W1 = model.U(x), W2 = model.V(x).transpose();
    const xu2023_spectra<double> s = xu2023_spectra_of<double>(W1, W2);
    g.tau_min.push_back(s.tau_min);
    g.tau_max.push_back(s.tau_max);
    g.W_min.push_back(s.W_min);
    g.W_max.push_back(s.W_max);
  };
  vector<double> x = x0;
  const run_stats<double> st = integrate<double>(std::cref(model), x, 0.0, std::numeric_limits<double>::max(), {}, record, opt);
  g.status = status_name(st.status);
  g.message = st.message;
  g.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return g;
}

fig_run run_instance(const xu2023_instance<double>& in, std::size_t K) {
  fig_run r;
  r.k = xu2023_constants_of<double>(in.problem, in.W1, in.W2, 0.5, 1.5);
  r.Y_norm = in.problem.Y.norm();
  const factorization_model<double> model(in.problem);
  const vector<double> x0 = model.pack(in.W1, in.W2.transpose());
  const xu2023_constants<double>& k = r.k;
  r.fixed = run(model, x0, K, [&](double) { return k.eta_max; });
  r.adaptive = run(model, x0, K, [&](double L) { return k.adaptive_step(L); });
  return r;
}

}  // namespace

fig_run run_fig1(double s, std::uint64_t seed) {
  fig_run r = run_instance(xu2023_fig1<double>(s, 1000, seed), 500);
  r.figure = "Fig. 1";
  r.label = "Fig. 1, sigma = " + num(s, 3) + ", seed " + std::to_string(seed);
  r.s = s;
  r.seed = seed;
  return r;
}

fig_run run_fig2(std::uint64_t seed) {
  fig_run r = run_instance(xu2023_fig2<double>(0.05, 1000, seed), 200);
  r.figure = "Fig. 2";
  r.label = "Fig. 2, seed " + std::to_string(seed);
  r.s = 0.05;
  r.seed = seed;
  return r;
}

std::vector<fig_run> claim_runs(bool quick) {
  const std::vector<double> scales = quick ? std::vector<double>{2.0} : std::vector<double>{0.1, 2.0, 10.0};
  const std::uint64_t seeds = quick ? 1 : 3;
  std::vector<fig_run> runs;
  for (double s : scales)
    for (std::uint64_t seed = 0; seed < seeds; ++seed) runs.push_back(run_fig1(s, seed));
  for (std::uint64_t seed = 0; seed < seeds; ++seed) runs.push_back(run_fig2(seed));
  return runs;
}

}  // namespace loraflow::check::xu2023
