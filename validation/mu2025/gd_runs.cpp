// validation/mu2025/gd_runs.cpp: the problems and GD runs of gd_runs.hpp (see there).
#include "mu2025/gd_runs.hpp"

#include "check/rows.hpp"

#include <loraflow/integrate/integrate.hpp>
#include <loraflow/integrate/step_rule.hpp>
#include <loraflow/model/init.hpp>
#include <loraflow/model/lora.hpp>
#include <loraflow/model/one_matrix.hpp>

#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>

namespace loraflow::check::mu2025 {

const char* name_of(regime g) {
  switch (g) {
    case regime::whitened_mf: return "whitened MF";
    case regime::sensing: return "sensing";
    case regime::logistic: return "logistic (separable)";
  }
  return "?";
}

namespace {

template <class Real> lora_problem<Real> problem_of(regime g, Real& L_star) {
  one_matrix_spec<Real> spec;
  switch (g) {
    case regime::whitened_mf:
      spec.m = 6, spec.n = 5, spec.sigma = {Real(3), Real(2), Real(1)}, spec.seed = 11;
      break;
    case regime::sensing:
      spec.m = 5, spec.n = 4, spec.sigma = {Real(2), Real(1)}, spec.seed = 12;
      break;
    case regime::logistic:
      spec.m = 3, spec.n = 5, spec.sigma = {Real(2), Real(1)}, spec.seed = 13;
      break;
  }
  matrix<Real> W0, S;
  generate_one_matrix(spec, W0, S);
  lora_problem<Real> p = one_matrix_problem<Real>(W0, S, 2);
  L_star = Real(0);
  switch (g) {
    case regime::whitened_mf: L_star = Real(1) / 2; break;  // sigma_3^2 / 2
    case regime::sensing:
      p.objective.kind = objective_kind::sensing;
      gaussian_sensing<Real>(40, spec.m, spec.n, Real(0), 9, p.objective);
      break;
    case regime::logistic:
      p.objective.kind = objective_kind::logistic;
      teacher_logistic<Real>(60, matrix<Real>(W0 + S), true, 14, p.objective);
      break;
  }
  return p;
}

}  // namespace

template <class Real>
gd_record<Real> run_gd(regime g, const std::string& rule_name, const Real& c, std::size_t K, double inflate) {
  const auto start = std::chrono::steady_clock::now();
  gd_record<Real> rec;
  const lora_model<Real> model(problem_of<Real>(g, rec.L_star));
  const step_rule_info* ri = find_step_rule(rule_name);
  if (!ri) throw std::invalid_argument("run_gd: no step rule '" + rule_name + "'");
  const gd_step_size<Real> rule(ri->id, model, Real(0), c, Real(0));
  rec.smoothness = rule.smoothness();
  rec.smoothness_source = rule.smoothness_source();
  solve_options<Real> opt;
  opt.stepper = method::gd;
  opt.gd_steps = K;
  const Real factor(inflate);
  opt.gd_step = [&rule, &factor](const vector<Real>& x, const vector<Real>& f) { return Real(factor * rule(x, f)); };
  for (std::size_t k = 0; k <= K; ++k) opt.gd_observe_steps.push_back(k);
  vector<Real> f(model.dimension());
  auto record = [&](const Real&, const vector<Real>& x) {
    model.field(x, f);
    rec.g2.push_back(f.squaredNorm());
    rec.eta.push_back(factor * rule(x, f));
    rec.V2.push_back(x.squaredNorm());
    const matrix<Real> X = model.product(x);
    const matrix<Real> E = model.negative_gradient(x);
    rec.EX.push_back(E.cwiseProduct(X).sum());
    rec.J.push_back(model.loss(x));
  };
  vector<Real> x = small_init<Real>(model, Real(1) / 2, 5);
  const run_stats<Real> st = integrate<Real>(std::cref(model), x, Real(0), std::numeric_limits<Real>::max(), {}, record, opt);
  rec.status = status_name(st.status);
  rec.message = st.message;
  rec.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return rec;
}

row control_row(const context& ctx, regime g, const std::string& what,
                const std::function<bool(const gd_record<double>&)>& breaks) {
  double k = 0;
  for (int j = 1; j <= 10 && k == 0; ++j) {
    const gd_record<double> rec = run_gd<double>(g, "mu-klabjan", 0.0, 600, std::ldexp(1.0, j));
    if (rec.status != "ok" || breaks(rec)) k = std::ldexp(1.0, j);
  }
  ctx.say(std::string(name_of(g)) + ": " + what + " first breaks at k = " + (k > 0 ? num(k, 4) : "none up to 1024"));
  return decided("control: smallest k = 2^j for which steps k eta_t break " + what + " (" + name_of(g) +
                     ", double, 600 steps)",
                 "some k <= 1024 (the check can fail)", k > 0 ? num(k, 4) : "none up to 1024",
                 k > 0 ? num(1024 / k, 3) : "-", k > 0 ? verdict::pass : verdict::fail, "pass when some k <= 1024 breaks it")
      .derived("header: control");
}

template gd_record<double> run_gd<double>(regime, const std::string&, const double&, std::size_t, double);
template gd_record<float50> run_gd<float50>(regime, const std::string&, const float50&, std::size_t, double);

}  // namespace loraflow::check::mu2025
