// validation/xu2023/fig_runs.hpp: the GD runs of Xu, Min, Tarmoun, Mallada, Vidal (AISTATS 2023, "P3") shared by the
// xu2023 claims, on the problems of the paper's Figs. 1 and 2 (model/xu2023.hpp: xu2023_fig1, xu2023_fig2), with
// c1 = 1/2, c2 = 3/2 (the paper's, catalogue 6): K GD iterations either with the fixed step eta_max of Theorem 3.1
// or with Algorithm 1's step eta_t = min(eta_t', eta_max) as catalogue 6 transcribes it; every iterate's loss, step
// and the spectra Theorem 3.1 bounds (lambda_min, lambda_max of tau; sigma_min, sigma_max of W = W1 W2), in double,
// run as a user runs them: `loraflow run` of a problem.kind = "network" config with the step rules xu2023-max and
// xu2023-adaptive (run/network.hpp, through check/pipeline_run.hpp), every iterate observed.
//   Fig. 1: X, Theta standard normal 20 x 20, Y = X Theta, W1 = s U0, W2 = V0 / s, width 1000, s in {0.1, 2, 10},
//           500 iterations.
//   Fig. 2: X = I_20, Y = W(0) + 0.05 eps with W(0) (20 x 1) ~ N(0, 1/4), balanced init, width 1000, 200 iterations.
//           Noise 0.05 (App. F; the text says 0.01, catalogue 6 [T]): the figure's loss starts near 1e-2, which 0.05
//           gives (L(0) = 0.05^2 ||eps||^2 / 2 ~ 0.025) and 0.01 does not (~1e-3).
#pragma once

#include <loraflow/model/xu2023.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace loraflow::check::xu2023 {

struct gd_series {
  std::string status = "ok", message;
  std::vector<double> L, eta, tau_min, tau_max, W_min, W_max;  ///< iterates 0 .. K (eta: the step taken from t)
  double eta_max = 0;  ///< the run's own Theorem 3.1 step (summary.json), checked against fig_run::k
  double wall_s = 0;
};

struct fig_run {
  std::string figure;      ///< "Fig. 1" or "Fig. 2"
  std::string label;       ///< e.g. "Fig. 1, sigma = 2, seed 0"
  double s = 0;            ///< Fig. 1: the init scale sigma (W1 = s U0, W2 = V0 / s); Fig. 2: the noise
  std::uint64_t seed = 0;
  xu2023_constants<double> k;  ///< Table 2 and Theorem 3.1 at the initialization
  double Y_norm = 0;           ///< ||Y||_F (the scale of the loss's rounding: E = Y - X W1 W2 cancels O(||Y||) terms)
  gd_series fixed, adaptive;   ///< eta_max throughout; Algorithm 1
};

/// Fig. 1 at init scale s (500 iterations, width 1000).
fig_run run_fig1(double s, std::uint64_t seed);
/// Fig. 2 with noise 0.05 (200 iterations, width 1000).
fig_run run_fig2(std::uint64_t seed);
/// The runs both xu2023 claims check: Fig. 1 at sigma = 0.1, 2, 10 x seeds 0 .. 2, then Fig. 2 seeds 0 .. 2; quick:
/// Fig. 1 sigma = 2 seed 0 and Fig. 2 seed 0.
std::vector<fig_run> claim_runs(bool quick);

}  // namespace loraflow::check::xu2023
