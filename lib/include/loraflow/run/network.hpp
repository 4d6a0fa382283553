// loraflow/run/network.hpp: the run pipeline of problem.kind = "network", the full two-layer linear network
// L(W1, W2) = 1/2 ||Y - X W1 W2||_F^2 of Xu, Min, Tarmoun, Mallada, Vidal (AISTATS 2023, "P3") and Min et al.
// (ICML 2021), trained in W1 (n x h) and W2 (h x m) themselves (no adapters; model/factorization.hpp with U = W1,
// V = W2^T). The LoRA pipeline (run/pipeline.hpp) shares its stages where they mean the same: the solver settings,
// the observation grids, the step rules' table, the GD monitors, the summary's precision and solver blocks, and
// the atomic outputs.
//
// Stages: 1. build_network (a paper's recipe, model/xu2023.hpp, or files X, Y, W1, W2); 2. P3's constants at the
// initialization (Table 2, Theorem 3.1; network_constants) where the problem is in P3's setting; 3. the solver
// settings (atol = rtol unless given: the network's weights are O(1)) and the step rule (integrate/step_rule.hpp,
// network_step_size); 4. integrate; 5. summary.json, trajectory.csv, state/ (W1, W2).
//
// trajectory.csv's columns (docs/outputs.md): t, loss, W_sigma_min, W_sigma_max (the extreme singular values of
// W = W1 W2), tau_min, tau_max (the extreme eigenvalues of P3's operator tau(G) = G W2^T W2 + W1 W1^T G, the
// Kronecker sum lambda_i(W1 W1^T) + lambda_j(W2^T W2)), then for GD the GD monitors (integrate.hpp,
// gd_monitor_names) and rate_bound; for gradient flow V_norm2, grad_norm2 (gf_monitor_names) and rate_bound. rate_bound is the printed bound the run is under:
//   GD: L(0) prod_(s<k) f(eta_s, s), Theorem 3.2's L(s+1) <= f(eta_s, s) L(s) chained (each eta_s <= eta_max;
//       with a constant eta it is at most Theorem 3.2's f(eta, 0)^k L(0), since f(eta, s) <= f(eta, 0));
//   GD under xu2025-growing: L(0) prod_(s<k) rho-bar(eta_s, s), TMLR 2025 Theorem 3.2 chained (each eta_s >= eta0;
//       at most L(0) rho-bar(eta0, 0)^k);
//   GF: L(0) exp(-2 mu alpha0 t), P3 eqs. (7)-(12) (lambda_min(tau_t) >= alpha0 along the flow);
// NaN where P3's constants do not exist for the problem (summary.json says why) or a step exceeded eta_max.
#pragma once

#include <loraflow/integrate/step_rule.hpp>
#include <loraflow/model/factorization.hpp>
#include <loraflow/model/xu2023.hpp>
#include <loraflow/model/xu2025tmlr.hpp>
#include <loraflow/run/pipeline.hpp>

#include <array>
#include <fstream>
#include <optional>
#include <string>
#include <utility>

namespace loraflow {

/// The weights W1 (n x h) and W2 (h x m) of a network state (or of a field: dW1/dt, dW2/dt) in the model's layout.
template <class Real>
std::array<std::pair<const char*, matrix<Real>>, 2> network_weights(const factorization_model<Real>& model, const vector<Real>& x) {
  return {{{"W1", model.U(x)}, {"W2", model.V(x).transpose()}}};
}

/// The same as run_result and field_result return them.
template <class Real> named_matrices network_state_matrices(const factorization_model<Real>& model, const vector<Real>& x) {
  named_matrices out;
  for (const auto& [name, a] : network_weights(model, x)) out.emplace_back(name, detail::memory_of(a));
  return out;
}

/// Stage 1: the network problem and its initial weights, at working precision.
template <class Real> xu2023_instance<Real> build_network(const run_config& c) {
  const problem_config& P = c.problem;
  if (P.recipe == "files") {
    xu2023_instance<Real> r;
    r.problem.X = read_matrix_file<Real>(c, P.X, "problem.X");
    r.problem.Y = read_matrix_file<Real>(c, P.Y, "problem.Y");
    r.W1 = read_matrix_file<Real>(c, P.W1, "problem.W1");
    r.W2 = read_matrix_file<Real>(c, P.W2, "problem.W2");
    const Eigen::Index N = r.problem.X.rows(), n = r.problem.X.cols(), m = r.problem.Y.cols(), h = r.W1.cols();
    check_shape("problem.Y", P.Y, r.problem.Y.rows(), m, N, m, "N x m, N = rows of X = " + std::to_string(N));
    check_shape("problem.W1", P.W1, r.W1.rows(), h, n, h, "n x h, n = columns of X = " + std::to_string(n));
    check_shape("problem.W2", P.W2, r.W2.rows(), r.W2.cols(), h, m,
                "h x m: h = columns of W1 = " + std::to_string(h) + ", m = columns of Y = " + std::to_string(m));
    r.problem.width = h;
    return r;
  }
  const Eigen::Index n = P.n, h = P.h;
  if (P.recipe == "xu2023-fig1") return xu2023_fig1<Real>(parse_key<Real>(c, P.scale, "problem.scale"), h, P.seed, n);
  if (P.recipe == "xu2023-fig2") return xu2023_fig2<Real>(parse_key<Real>(c, P.noise, "problem.noise"), h, P.seed, n);
  if (P.recipe == "xu2025tmlr") return xu2025tmlr_recipe<Real>(parse_key<Real>(c, P.noise, "problem.noise"), h, P.seed, n);
  throw input_error(c.source + ": key 'problem.recipe': unknown recipe '" + P.recipe + "'");  // parse_config refuses it first
}

/// Stage 2: P3's constants at the initialization (model/xu2023.hpp, xu2023_constants_of, with solve.c1, solve.c2),
/// or why they do not exist: P3 assumes X (N x n) of rank N <= n and alpha0 > 0, and Table 2 needs the width
/// h >= max(n, m) (model/xu2023.hpp, table2_width_unavailable; the paper's h >= min(n, m) follows).
template <class Real>
std::pair<std::optional<xu2023_constants<Real>>, std::string> network_constants(const run_config& c, const xu2023_instance<Real>& in) {
  const Eigen::Index N = in.problem.X.rows(), n = in.problem.X.cols();
  if (N > n)
    return {std::nullopt, "Xu et al. 2023 assume X (N x n) of rank N <= n; X is " + std::to_string(N) + " x " + std::to_string(n)};
  const linalg::svd_result<Real> sx = linalg::svd<Real>(in.problem.X);
  if (!(sx.s(N - 1) > 64 * eps<Real>() * sx.s(0)))
    return {std::nullopt, "X is rank deficient to rounding (sigma_min(X) = " + to_string(Real(sx.s(N - 1))) +
                              "); Xu et al. 2023 assume rank X = N"};
  try {
    return {xu2023_constants_of<Real>(in.problem, in.W1, in.W2, parse_key<Real>(c, c.solve.c1, "solve.c1"),
                                      parse_key<Real>(c, c.solve.c2, "solve.c2")),
            std::string()};
  } catch (const std::invalid_argument& e) {
    return {std::nullopt, e.what()};
  }
}

/// The monitors of a network state (trajectory.csv's columns after t, before the GD ones; summary.json's "final").
inline constexpr std::array<const char*, 5> network_monitor_names{"loss", "W_sigma_min", "W_sigma_max", "tau_min", "tau_max"};

template <class Real> std::array<Real, 5> network_monitor_values(const factorization_model<Real>& model, const vector<Real>& x) {
  const matrix<Real> W1 = model.U(x), W2 = model.V(x).transpose();
  const xu2023_spectra<Real> sp = xu2023_spectra_of<Real>(W1, W2);
  return {model.loss(x), sp.W_min, sp.W_max, sp.tau_min, sp.tau_max};
}

template <class Real>
run_result execute_network_typed(const run_config& c, const run_options& o, const precision_plan& plan) {
  namespace d = detail;
  using std::exp;
  const fp_environment_scope fp_scope;
  // 1-2. The problem, its initial state and P3's constants.
  const xu2023_instance<Real> in = build_network<Real>(c);
  const factorization_model<Real> model(in.problem);
  const Eigen::Index N = in.problem.X.rows(), n = in.problem.X.cols(), m = in.problem.Y.cols(), h = in.W1.cols();
  const vector<Real> x0 = model.pack(in.W1, in.W2.transpose());
  vector<Real> x = x0;
  const Real L0 = model.loss(x0);
  std::pair<std::optional<xu2023_constants<Real>>, std::string> k0 = network_constants<Real>(c, in);
  if (k0.first) k0.first->L0 = L0;  // the loss column's own evaluation, so that rate_bound = loss at the start exactly
  const std::optional<xu2023_constants<Real>>& constants = k0.first;
  const std::string& why_not = k0.second;
  // The constants of the same authors' TMLR 2025 paper (Table 2 and E.1's eta_max; model/xu2025tmlr.hpp), where
  // l(W) = 1/2 ||Y - X W||^2 is strongly convex (X of full column rank); tau_min, tau_max of trajectory.csv are
  // sigma_min^2, sigma_max^2 of its operator T.
  std::optional<xu2025tmlr_constants<Real>> k4;
  std::optional<xu2025tmlr_eta_max<Real>> em4;
  std::string k4_why_not;
  try {
    k4 = xu2025tmlr_constants_of<Real>(in.problem, in.W1, in.W2);
    em4 = xu2025tmlr_eta_max_of<Real>(*k4, L0);
  } catch (const std::invalid_argument& e) {
    k4_why_not = e.what();
  }

  // 3. Solver settings and the step rule.
  solve_options<Real> opt = solver_options<Real>(c, plan, Real(1), nullptr);
  const bool gd = opt.stepper == method::gd;
  std::optional<network_step_size<Real>> rule;
  gd_trace<Real> trace;
  if (gd) {
    const step_rule rule_id = find_step_rule(c.solve.step_rule)->id;
    network_rule_constants<Real> rk{constants, why_not, k4, std::nullopt, k4_why_not};
    if (rule_id == step_rule::xu2025_growing && em4) {
      if (!(em4->eta_max > 0)) {
        rk.growing_why_not = "E.1's eta_max is 0 (alpha1 = " + to_string(k4->alpha1) + "; Theorem 3.2 needs alpha1 > 0 and eta_max > 0)";
      } else if (c.solve.eta0.empty()) {
        rk.growing = xu2025tmlr_growing_of<Real>(*k4, L0, Real(em4->eta_max * 99 / 100));
      } else {
        const Real eta0 = parse_key<Real>(c, c.solve.eta0, "solve.eta0");
        if (!(eta0 < em4->eta_max))
          throw input_error(c.source + ": key 'solve.eta0': " + c.solve.eta0 + " is not below E.1's eta_max = " +
                            to_string(em4->eta_max) + " for this problem (Xu et al. TMLR 2025 Theorem 3.2 needs 0 < eta0 < eta_max); "
                            "remove it for 0.99 eta_max");
        rk.growing = xu2025tmlr_growing_of<Real>(*k4, L0, eta0);
      }
    }
    try {
      rule.emplace(rule_id, model, opt.dt, std::move(rk));
    } catch (const std::invalid_argument& e) {
      throw input_error(c.source + ": key 'solve.step_rule': " + e.what());
    }
    // GD on the network runs solve.steps iterations (the config requires them), every rule through the functor
    // that also chains Theorem 3.2's bound.
    opt.trace = &trace;
    opt.gd_steps = static_cast<std::size_t>(c.solve.steps);
    opt.gd_observe_steps = observation_steps(c);
    network_step_size<Real>& r = *rule;
    opt.gd_step = [&r](const vector<Real>& xs, const vector<Real>& f) { return r(xs, f); };
  }
  const bool by_steps = opt.gd_steps > 0;
  const Real t_end = by_steps ? std::numeric_limits<Real>::max() : end_time<Real>(c);
  const std::vector<Real> times = by_steps ? std::vector<Real>{} : observation_times<Real>(c, t_end);

  // 4. Integrate, observing the monitors.
  const Real nan = std::numeric_limits<Real>::quiet_NaN();
  auto gf_bound = [&](const Real& t) { return constants ? Real(L0 * exp(-2 * constants->mu * constants->alpha0 * t)) : nan; };
  vector<Real> field(model.dimension());
  std::ostringstream csv;
  csv << "t";
  for (const char* name : network_monitor_names) csv << "," << name;
  if (gd) csv << "," << gd_monitor_names;
  else csv << "," << gf_monitor_names;
  csv << ",rate_bound\n";
  const bool keep_csv = !o.out_dir.empty() || o.keep_outputs;
  auto write_row = [&](const Real& t, const vector<Real>& xt) {
    if (!keep_csv) return;
    csv << to_string(t);
    for (const Real& v : network_monitor_values(model, xt)) csv << "," << to_string(v);
    if (gd) {
      model.field(xt, field);
      for (const Real& v : gd_monitor_values(trace, rule->peek(xt), xt, field)) csv << "," << to_string(v);
      csv << "," << to_string(rule->bound_at(trace.iteration));
    } else {
      model.field(xt, field);
      csv << "," << to_string(Real(xt.squaredNorm())) << "," << to_string(Real(field.squaredNorm())) << "," << to_string(gf_bound(t));
    }
    csv << "\n";
  };
  std::vector<event_spec<Real>> events;
  std::vector<event_hit<Real>> hits;
  d::progress_line progress(o.progress, by_steps ? static_cast<double>(opt.gd_steps) : to_double(t_end), by_steps ? "iteration" : "t");
  const system_fn<Real> system = std::cref(model);
  const run_stats<Real> st = integrate<Real>(
      system, x, Real(0), t_end, times, [&](const Real& t, const vector<Real>& xt) { write_row(t, xt); }, opt, events, &hits,
      [&](const Real& t, std::size_t steps) {
        const double done = by_steps ? static_cast<double>(steps) : to_double(t);
        if (o.on_progress) o.on_progress(done, progress.total(), steps);
        return progress(done, steps) && !(o.cancel && o.cancel->load(std::memory_order_relaxed));
      });
  progress.done();
  const double wall = progress.elapsed();
  const std::array<Real, 5> fin = network_monitor_values(model, x);
  // The GF baseline's premise at t = 0: lambda_min(tau_0) >= alpha0. It fails where W1 W1^T or W2^T W2 is rank
  // deficient while alpha0 counts both (e.g. Fig. 2's balanced rank-one init with m = 1 < n: lambda_min(tau_0) =
  // sigma(W(0)) against alpha0 = 2 p1); rate_bound is then the printed formula, not a bound, and the summary says so.
  std::string gf_flag;
  if (!gd && constants) {
    const Real tau0 = network_monitor_values(model, x0)[3];
    if (tau0 < constants->alpha0)
      gf_flag = "lambda_min(tau_0) = " + to_string(tau0) + " < alpha0 = " + to_string(constants->alpha0) +
                ": the premise lambda_min(tau_t) >= alpha0 of the GF bound fails at t = 0 on this problem, so rate_bound is "
                "the printed formula and not a bound here";
  }
  const Real final_bound = gd ? rule->bound_at(trace.iteration) : gf_bound(st.t_final);

  // 5. Summary.
  nlohmann::ordered_json j;
  j["loraflow"] = version_string();
  j["config"] = nlohmann::ordered_json::parse(config_json(c));
  auto& pj = j["problem"];
  pj["kind"] = "network";
  pj["definition"] = "L(W1, W2) = 1/2 ||Y - X W1 W2||_F^2, X N x n, W1 n x h, W2 h x m (Xu et al. 2023)";
  pj["N"] = N;
  pj["n"] = n;
  pj["m"] = m;
  pj["h"] = h;
  pj["initial_loss"] = d::json_number(L0);
  auto& kj = j["xu2023"];
  kj["source"] = "Xu, Min, Tarmoun, Mallada, Vidal, AISTATS 2023: Table 2 and Theorem 3.1 (model/xu2023.hpp)";
  if (constants) {
    const xu2023_constants<Real>& k = *constants;
    const std::pair<const char*, Real> named[] = {
        {"K", k.K}, {"mu", k.mu}, {"kappa", k.kappa}, {"L0", k.L0}, {"p1", k.p1}, {"p2", k.p2},
        {"lambda_plus", k.lambda_plus}, {"lambda_minus", k.lambda_minus}, {"Delta_plus", k.Delta_plus},
        {"Delta_minus", k.Delta_minus}, {"Delta", k.Delta}, {"alpha0", k.alpha0}, {"beta0", k.beta0},
        {"alpha0_over_beta0", Real(k.alpha0 / k.beta0)}, {"c1", k.c1}, {"c2", k.c2}, {"a1", k.a1},
        {"eta1", k.eta1}, {"eta2", k.eta2}, {"eta_max", k.eta_max}, {"gf_rate", Real(2 * k.mu * k.alpha0)}};
    for (const auto& [name, v] : named) kj[name] = d::json_number(v);
    if (gd && rule->rule() == step_rule::constant && opt.dt <= k.eta_max) kj["f_eta_0"] = d::json_number(k.f(opt.dt, k.L0));
    if (gd && rule->rule() == step_rule::xu2023_max) kj["f_eta_0"] = d::json_number(k.f(k.eta_max, k.L0));
  } else {
    kj["unavailable"] = why_not;
  }
  {
    auto& tj = j["xu2025tmlr"];
    tj["source"] = "Xu, Min, Tarmoun, Mallada, Vidal, TMLR 2025: Table 2, Theorem 3.2 = E.1 with c = 1/2 (model/xu2025tmlr.hpp)";
    if (k4) {
      const std::pair<const char*, Real> named[] = {
          {"K", k4->K}, {"mu", k4->mu}, {"residual", k4->residual}, {"init_distance", k4->init_distance},
          {"beta1", k4->beta1}, {"beta2", k4->beta2}, {"alpha1", k4->alpha1}, {"alpha2", k4->alpha2},
          {"alpha1_over_alpha2", Real(k4->alpha1 / k4->alpha2)}, {"eta0_root1", em4->root1}, {"eta0_root2", em4->root2},
          {"eta0_alpha_term", em4->alpha_term}, {"eta_max", em4->eta_max}};
      for (const auto& [name, v] : named) tj[name] = d::json_number(v);
      if (!is_finite(em4->root2)) tj["eta0_root2_note"] = "no positive root below min(eta0_root1, eta0_alpha_term): infinite";
      if (gd && rule->growing()) {
        const xu2025tmlr_growing<Real>& g = *rule->growing();
        const std::pair<const char*, Real> grown[] = {
            {"eta0", g.eta0}, {"mu_bar", g.mu_bar}, {"rho_bar_0", g.rho0}, {"Delta_prime", g.Delta_prime},
            {"K_bar_0", g.K_bar(Real(0))}, {"lemma3_1_tau_lower", g.tau_lower}, {"lemma3_1_tau_upper", g.tau_upper}};
        for (const auto& [name, v] : grown) tj[name] = d::json_number(v);
      }
    } else {
      tj["unavailable"] = k4_why_not;
    }
  }
  j["precision"] = d::json_precision(plan, opt);
  if (gd) {
    auto& gj = j["gd"];
    gj["step_rule"] = info(rule->rule()).name;
    gj["step_formula"] = info(rule->rule()).formula;
    gj["iterations"] = trace.iteration;
    gj["sum_eta"] = d::json_number(trace.sum_eta);
    gj["last_eta"] = d::json_number(trace.last_eta);
    gj["initial_loss"] = d::json_number(L0);
    gj["min_grad_norm2"] = d::json_number(trace.min_grad_norm2);
  }
  j["solver"] = d::json_solver(st, opt, wall);
  auto& fj = j["final"];
  for (std::size_t i = 0; i < fin.size(); ++i) fj[network_monitor_names[i]] = d::json_number(fin[i]);
  fj["rate_bound"] = d::json_number(final_bound);
  fj["t"] = d::json_number(st.t_final);
  // What rate_bound is (a block of its own: "final" holds numbers only, which --certify compares digit by digit).
  auto& bj = j["rate_bound"];
  const bool growing = gd && rule->growing();
  bj["definition"] =
      growing ? "L(0) prod_(s<k) rho-bar(eta_s, s): Xu et al. TMLR 2025 Theorem 3.2's L(s+1) <= rho-bar(eta_s, s) L(s) chained, "
                "valid while every eta_s >= eta0 (each is at most rho-bar(eta0, 0) L(s))"
      : gd ? "L(0) prod_(s<k) f(eta_s, s): Xu et al. 2023 Theorem 3.2's L(s+1) <= f(eta_s, s) L(s) chained, valid while every eta_s <= eta_max"
           : "L(0) exp(-2 mu alpha0 t): Xu et al. 2023 eqs. (7)-(12), gradient flow";
  if (!growing && !constants) bj["unavailable"] = why_not;
  if (gd && !rule->bound_note().empty()) bj["note"] = rule->bound_note();
  if (!gf_flag.empty()) bj["flag"] = gf_flag;

  run_result r;
  r.status = st.status;
  r.message = st.message;
  r.summary_json = j.dump(2);
  if (o.keep_outputs) {
    r.trajectory_csv = csv.str();
    r.state = network_state_matrices(model, x);
  }

  std::ostringstream hs;
  hs << "loraflow run: network (" << c.problem.recipe << ") N=" << N << " n=" << n << " m=" << m << " h=" << h << ", "
     << method_name(opt.stepper) << " in " << scalar_name<Real>()
     << (is_adaptive(opt.stepper) ? " (rtol " + d::fmt(to_double(opt.rtol)) + ")"
         : gd && rule->rule() != step_rule::constant ? " (step rule " + c.solve.step_rule + ")"
                                                      : " (dt " + c.solve.dt + ")")
     << "\n";
  if (plan.method.automatic) hs << "  method auto: " << plan.method.reason << "\n";
  if (constants) {
    const xu2023_constants<Real>& k = *constants;
    hs << "  Xu et al. 2023: alpha0 = " << d::fmt(to_double(k.alpha0)) << ", beta0 = " << d::fmt(to_double(k.beta0))
       << " (alpha0/beta0 = " << d::fmt(to_double(Real(k.alpha0 / k.beta0))) << "), kappa = " << d::fmt(to_double(k.kappa))
       << ", eta_max = " << d::fmt(to_double(k.eta_max)) << " (c1 = " << c.solve.c1 << ", c2 = " << c.solve.c2 << ")\n";
  } else {
    hs << "  Xu et al. 2023's constants: not available (" << why_not << ")\n";
  }
  if (k4)
    hs << "  Xu et al. TMLR 2025: alpha1 = " << d::fmt(to_double(k4->alpha1)) << ", alpha2 = " << d::fmt(to_double(k4->alpha2))
       << " (alpha1/alpha2 = " << d::fmt(to_double(Real(k4->alpha1 / k4->alpha2))) << "), beta1 = " << d::fmt(to_double(k4->beta1))
       << ", beta2 = " << d::fmt(to_double(k4->beta2)) << ", eta_max (E.1) = " << d::fmt(to_double(em4->eta_max)) << "\n";
  if (growing)
    hs << "  growing step: eta0 = " << d::fmt(to_double(rule->growing()->eta0)) << ", rho-bar(eta0, 0) = "
       << d::fmt(to_double(rule->growing()->rho0)) << "\n";
  hs << d::human_status(st, opt, wall);
  if (gd)
    hs << "  gd: " << trace.iteration << " iterations, sum eta = " << d::fmt(to_double(trace.sum_eta))
       << ", last eta = " << d::fmt(to_double(trace.last_eta)) << "\n";
  hs << "  final (t = " << d::fmt(to_double(st.t_final)) << "): loss = " << d::fmt(to_double(fin[0]))
     << " (initial " << d::fmt(to_double(L0)) << "), rate bound = " << d::fmt(to_double(final_bound))
     << ", tau in [" << d::fmt(to_double(fin[3])) << ", " << d::fmt(to_double(fin[4])) << "]\n";
  if (gd && !rule->bound_note().empty()) hs << "  note: " << rule->bound_note() << "\n";
  if (!gf_flag.empty()) hs << "  flag: " << gf_flag << "\n";

  // 6. Outputs, atomically.
  if (!o.out_dir.empty()) {
    staging_dir stage(o.out_dir);
    for (const auto& [name, text] : {std::pair<const char*, std::string>{"trajectory.csv", csv.str()},
                                     {"summary.json", r.summary_json + "\n"}}) {
      std::ofstream f(stage.path(name), std::ios::binary);
      f << text;
      if (!f) throw std::runtime_error(stage.path(name) + ": write failed");
    }
    if (o.save_state) {
      std::filesystem::create_directories(stage.path("state"));
      for (const auto& [name, a] : network_weights(model, x)) {
        d::write_npy_matrix(stage.path(std::string("state/") + name + ".npy"), a);
        d::write_text_matrix_of(stage.path(std::string("state/") + name + ".txt"), a);
      }
    }
    stage.commit();
    hs << "  wrote " << o.out_dir << "/trajectory.csv and " << o.out_dir << "/summary.json"
       << (o.save_state ? " and " + o.out_dir + "/state/ (W1, W2 at t_final, .npy and .txt)" : std::string()) << "\n";
  }
  r.human = hs.str();
  return r;
}

/// evaluate_field (run/run.hpp) for problem.kind = "network": the field (dW1/dt, dW2/dt) at the problem's W1, W2.
template <class Real> field_result network_field_typed(const run_config& c) {
  const fp_environment_scope fp_scope;
  const xu2023_instance<Real> in = build_network<Real>(c);
  const factorization_model<Real> model(in.problem);
  const vector<Real> x0 = model.pack(in.W1, in.W2.transpose());
  vector<Real> f(x0.size());
  model.field(x0, f);
  field_result r;
  r.precision = scalar_name<Real>();
  r.loss = to_string(model.loss(x0));
  r.state = network_state_matrices(model, x0);
  r.field = network_state_matrices(model, f);
  return r;
}

#define LORAFLOW_INST_NETWORK_RUN(EXT, T)                                                                        \
  EXT template run_result execute_network_typed<T>(const run_config&, const run_options&, const precision_plan&); \
  EXT template field_result network_field_typed<T>(const run_config&);
#ifndef LORAFLOW_NO_EXTERN_TEMPLATES
LORAFLOW_EXTERN_ALL(LORAFLOW_INST_NETWORK_RUN)
#endif

}  // namespace loraflow
