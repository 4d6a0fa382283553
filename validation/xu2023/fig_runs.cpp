// validation/xu2023/fig_runs.cpp: the runs of fig_runs.hpp (see there).
#include "xu2023/fig_runs.hpp"

#include "check/claim.hpp"

#include "check/pipeline_run.hpp"

#include <stdexcept>
#include <string>

namespace loraflow::check::xu2023 {

namespace {

/// K GD iterations of the network problem `problem_toml` under a step rule, run as `loraflow run` runs them
/// (check/pipeline_run.hpp), every iterate observed.
gd_series run(const std::string& problem_toml, const std::string& rule, std::size_t K, const std::string& label) {
  gd_series g;
  const pipeline_output out = run_pipeline(problem_toml + "[solve]\nmethod = \"gd\"\nstep_rule = \"" + rule +
                                               "\"\nc1 = \"0.5\"\nc2 = \"1.5\"\nsteps = " + std::to_string(K) +
                                               "\n[observe]\nsteps = \"linspace:0:" + std::to_string(K) + ":" + std::to_string(K + 1) + "\"\n",
                                           label);
  g.eta_max = out.summary["xu2023"]["eta_max"].get<double>();
  g.status = status_name(out.result.status);
  g.message = out.result.message;
  g.L = out.column<double>("loss");
  g.eta = out.column<double>("eta");
  g.tau_min = out.column<double>("tau_min");
  g.tau_max = out.column<double>("tau_max");
  g.W_min = out.column<double>("W_sigma_min");
  g.W_max = out.column<double>("W_sigma_max");
  g.wall_s = out.summary["solver"]["wall_seconds"].get<double>();
  return g;
}

/// The constants at the initialization of `in` (the problem the config's recipe builds) and both runs.
fig_run run_instance(const xu2023_instance<double>& in, const std::string& problem_toml, std::size_t K, const std::string& label) {
  fig_run r;
  r.k = xu2023_constants_of<double>(in.problem, in.W1, in.W2, 0.5, 1.5);
  r.Y_norm = in.problem.Y.norm();
  r.fixed = run(problem_toml, "xu2023-max", K, label + ", eta_max");
  r.adaptive = run(problem_toml, "xu2023-adaptive", K, label + ", Algorithm 1");
  // The runs' problem is the one the constants were computed for: the config's recipe and this instance agree.
  if (r.fixed.eta_max != r.k.eta_max || r.adaptive.eta_max != r.k.eta_max)
    throw std::logic_error("xu2023 fig_runs (" + label + "): the run's eta_max " + full(r.fixed.eta_max) + " is not the claim's " +
                           full(r.k.eta_max) + ": the config's recipe and the claim's instance differ");
  return r;
}

}  // namespace

fig_run run_fig1(double s, std::uint64_t seed) {
  const std::string label = "Fig. 1, sigma = " + num(s, 3) + ", seed " + std::to_string(seed);
  fig_run r = run_instance(xu2023_fig1<double>(s, 1000, seed, 20),
                           "[problem]\nkind = \"network\"\nrecipe = \"xu2023-fig1\"\nn = 20\nh = 1000\nscale = \"" + num(s, 6) +
                               "\"\nseed = " + std::to_string(seed) + "\n",
                           500, label);
  r.figure = "Fig. 1";
  r.label = label;
  r.s = s;
  r.seed = seed;
  return r;
}

fig_run run_fig2(std::uint64_t seed) {
  const std::string label = "Fig. 2, seed " + std::to_string(seed);
  fig_run r = run_instance(xu2023_fig2<double>(0.05, 1000, seed, 20),
                           "[problem]\nkind = \"network\"\nrecipe = \"xu2023-fig2\"\nn = 20\nh = 1000\nnoise = \"0.05\"\nseed = " +
                               std::to_string(seed) + "\n",
                           200, label);
  r.figure = "Fig. 2";
  r.label = label;
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
