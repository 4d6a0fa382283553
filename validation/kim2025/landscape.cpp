// validation/kim2025/landscape.cpp: the shared problems and runs of the Kim, Kim, Ryu claims (landscape.hpp).
#include "kim2025/landscape.hpp"

#include "check/claim.hpp"

#include <loraflow/integrate/integrate.hpp>
#include <loraflow/model/init.hpp>
#include <loraflow/model/one_matrix.hpp>
#include <loraflow/observe/stationary.hpp>
#include <loraflow/random.hpp>

#include <cmath>
#include <functional>

namespace loraflow::check::kim {

landscape_run run_to_rest(const lora_model<double>& model, const std::string& init, std::uint64_t seed, double t_end,
                          double large_scale) {
  landscape_run r;
  r.init = init;
  r.seed = seed;
  vector<double> x;
  if (init == "zero-B") {
    x = small_init(model, 1e-2, seed);
  } else {
    gaussian_stream g(seed, streams::adapters);
    x = large_scale * g.normal_matrix<double>(model.dimension(), 1).col(0);
  }
  solve_options<double> opt;
  opt.stepper = method::dopri5;
  opt.rtol = run_rtol;
  opt.atol = run_rtol * 1e-4;
  const run_stats<double> st =
      integrate<double>(std::cref(model), x, 0.0, t_end, {}, [](const double&, const vector<double>&) {}, opt);
  if (st.status != run_status::ok) {
    r.verdict = std::string("integration ") + status_name(st.status);
    return r;
  }
  const state_analysis<double> a = analyze_state<double>(model, x, opt.rtol);
  r.ok = true;
  r.verdict = a.verdict;
  r.loss = a.point.loss;
  r.distance = a.point.distance;
  r.global_tol = a.tolerances.global_tol;
  r.grad = a.point.grad_norm;
  r.hmin = a.point.hessian(0);
  r.dual = a.point.dual_norm;
  r.mu = a.point.mu;
  r.rank = static_cast<long>(a.point.rank);
  r.sigma.assign(a.point.sigma.data(), a.point.sigma.data() + a.point.sigma.size());
  double ss = 0;
  for (double s : r.sigma) ss += s * s;
  r.x_norm = std::sqrt(ss);
  r.X = model.product(x);
  if (a.oracle) {
    r.oracle_rank = static_cast<long>(a.oracle->rank);
    r.xstar_norm = std::sqrt(squared_norm(a.oracle->X));
  }
  return r;
}

std::string run_settings(double t_end, double wall_seconds) {
  return "gradient flow dopri5 in double, rtol " + num(run_rtol, 3) + ", t = " + num(t_end, 6) + "; " + num(wall_seconds, 3) + " s";
}

lora_model<double> special_model(objective_kind k) {
  one_matrix_spec<double> spec;
  spec.m = 6;
  spec.n = 5;
  spec.sigma = {3, 2, 0.1};
  spec.seed = 1;
  matrix<double> W0, S;
  generate_one_matrix(spec, W0, S);
  lora_problem<double> p = one_matrix_problem<double>(W0, S, 2, 2.0, 0.5);
  p.objective.kind = k;
  if (k == objective_kind::weighted) p.objective.weights = weights_with_ratio<double>(6, 5, 1.5, 1);
  return lora_model<double>(p);
}

matrix<double> two_level_weights(Eigen::Index m, Eigen::Index n, double ratio, std::uint64_t seed) {
  gaussian_stream g(seed, streams::objective);
  const matrix<double> z = g.normal_matrix<double>(m, n);
  return z.unaryExpr([ratio](double v) { return v > 0 ? ratio : 1.0; });
}

lora_model<double> generic_model(std::uint64_t p, double lambda, long r) {
  one_matrix_spec<double> spec;
  spec.m = 5;
  spec.n = 4;
  spec.sigma = {3, 1};
  spec.seed = p;
  matrix<double> W0, S;
  generate_one_matrix(spec, W0, S);
  lora_problem<double> pr = one_matrix_problem<double>(W0, S, r, 2.0, lambda);
  pr.objective.kind = objective_kind::weighted;
  pr.objective.weights = two_level_weights(5, 4, generic_ratio, p);
  return lora_model<double>(pr);
}

std::vector<std::uint64_t> generic_problems(bool quick) {
  if (quick) return {8, 10};
  std::vector<std::uint64_t> p;
  for (std::uint64_t i = 1; i <= 24; ++i) p.push_back(i);
  return p;
}

int generic_seeds(bool quick) { return quick ? 10 : 20; }

nuclear_bound nuclear_bound_of(const lora_model<double>& model) {
  nuclear_bound b;
  const double mu = model.problem().weight_decay / model.problem().scale;
  const nuclear_oracle<double> o =
      nuclear_minimiser<double>(model, mu, smoothness_constant(model.objective()), run_rtol / 16, 20000);
  const matrix<double> zero = matrix<double>::Zero(model.m(), model.n());
  b.nuclear = o.sigma.sum();
  b.bound = model.objective().value(zero, model.problem().dY) / mu;  // L^full(0) / mu, L^full(0) = f(0)
  b.ratio = b.nuclear / b.bound;
  b.rank = static_cast<long>(o.rank);
  b.converged = o.converged;
  b.method = o.method;
  return b;
}

std::vector<std::string> runs_columns() {
  return {"problem",     "init",     "seed",         "verdict", "x_norm",    "rank",       "sigma_1",
          "sigma_2",     "oracle_rank", "distance", "dual_over_mu", "loss",   "grad_norm", "hessian_min"};
}

std::vector<std::string> runs_row(const std::string& problem, const landscape_run& r) {
  auto s = [&](std::size_t i) { return i < r.sigma.size() ? full(r.sigma[i]) : std::string("nan"); };
  return {problem,   r.init, std::to_string(r.seed), r.verdict, full(r.x_norm), std::to_string(r.rank), s(0), s(1),
          std::to_string(r.oracle_rank), full(r.distance), full(r.dual / r.mu), full(r.loss), full(r.grad),
          full(r.hmin)};
}

}  // namespace loraflow::check::kim
