// validation/check/measure.cpp: the typed measurement pipeline behind check::measure (one instantiation per
// scalar type, dispatched from the precision plan). See measure.hpp.
#include "check/measure.hpp"

#include <loraflow/integrate/integrate.hpp>
#include <loraflow/linalg.hpp>
#include <loraflow/model/init.hpp>
#include <loraflow/model/lora_series.hpp>
#include <loraflow/model/xu2025.hpp>
#include <loraflow/observe/events.hpp>
#include <loraflow/observe/metrics.hpp>
#include <loraflow/run/precision.hpp>
#include <loraflow/run/run_impl.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

namespace loraflow::check {
namespace {

template <class Real> double dbl(const Real& x) { return static_cast<double>(x); }

template <class Real> Real spectral_norm(const matrix<Real>& M) {
  using std::sqrt;
  const matrix<Real> g = M.cols() <= M.rows() ? matrix<Real>(M.transpose() * M) : matrix<Real>(M * M.transpose());
  using std::max;
  return sqrt(max(Real(0), linalg::sym_eig<Real>(g).values(0)));
}

/// ||P - diag(P)||_F / ||P||_F (0 when P = 0).
template <class Real> Real off_diagonal(const matrix<Real>& P) {
  using std::sqrt;
  const Real all = squared_norm(P);
  if (!(all > 0)) return Real(0);
  Real d = 0;
  for (Eigen::Index i = 0; i < std::min(P.rows(), P.cols()); ++i) d += P(i, i) * P(i, i);
  using std::max;
  return sqrt(max(Real(0), Real(all - d)) / all);
}

template <class Real> Real rel_residual(const matrix<Real>& M, const matrix<Real>& approx) {
  using std::sqrt;
  const Real n = squared_norm(M);
  if (!(n > 0)) return Real(0);
  return sqrt(squared_norm(matrix<Real>(M - approx)) / n);
}

/// The frame of a spectral initialization: Abar1 = G11^T A1 VS, Bbar1 = GS^T B1 G11, Abar2 = G21^T A2 GS,
/// Bbar2 = US^T B2 G21 stay diagonal (shared/theory 1.4 (iv), with the G11 typo fixed).
template <class Real> struct spectral_frame {
  matrix<Real> G11, G21, US, VS, GS;
  std::vector<Eigen::Index> S;
};

template <class Real> trajectory measure_typed(const trajectory_request& q, const precision_plan& plan) {
  using std::abs;
  using std::sqrt;
  const auto wall0 = std::chrono::steady_clock::now();
  trajectory out;
  out.precision = plan.type == "mpfr" ? "mpfr:" + std::to_string(plan.mpfr_digits) : plan.type;
  out.rtol = q.rtol.empty() ? plan.rtol : q.rtol;
  out.plan_reason = plan.reason;
  out.eps = dbl(eps<Real>());

  xu2025_spec<Real> spec;
  spec.m = q.problem.m;
  spec.n = q.problem.n;
  spec.h = q.problem.h;
  spec.c = parse<Real>(q.problem.c);
  spec.seed = q.problem.seed;
  spec.dy.clear();
  for (const auto& d : q.problem.dy) spec.dy.push_back(dy_component<Real>{d.first, parse<Real>(d.second)});
  const generated_problem<Real> gp = generate_xu2025(spec);
  const lora_model<Real> model(lora_problem<Real>{gp.W1, gp.W2, gp.dY, q.problem.rank, true, true, Real(1), Real(0)});
  const direction<Real> dir = direction_of(model.problem());
  out.sigma = dbl(dir.sigma);
  out.sigma_W1 = dbl(dir.sigma_W1);
  out.sigma_W2 = dbl(dir.sigma_W2);
  out.delta_w = dbl(dir.delta_w);
  const Real alpha = parse<Real>(q.alpha);
  const Real ss = dir.sigma * dir.sigma_W2;

  spectral_frame<Real> fr;
  vector<Real> x;
  if (q.init == "small") {
    x = small_init(model, alpha, q.init_seed);
  } else if (q.init == "spectral") {
    x = spectral_init(model, gp.basis, alpha, q.init_seed, &fr.G11, &fr.G21, &fr.S);
    const Eigen::Index r = model.r();
    fr.US.resize(model.m(), r);
    fr.VS.resize(model.n(), r);
    fr.GS.resize(model.h(), r);
    for (Eigen::Index j = 0; j < r; ++j) {
      const Eigen::Index s = fr.S[static_cast<std::size_t>(j)];
      fr.US.col(j) = gp.basis.U.col(s);
      fr.VS.col(j) = gp.basis.V.col(s);
      fr.GS.col(j) = gp.basis.G.col(s);
    }
  } else {
    throw std::invalid_argument("measure: init must be small or spectral, got " + q.init);
  }
  const lora_observer<Real> obs(model, dir, x);

  solve_options<Real> opt;
  opt.rtol = parse<Real>(out.rtol);
  using std::min;
  const Real a_min = min(alpha, Real(1));
  opt.atol = opt.rtol * a_min * a_min;
  std::string method = q.method;
  if (method == "auto") method = opt.rtol >= Real(1) / Real(1e14) ? "dopri5" : "taylor";
  out.method = method;
  opt.stepper = method == "dopri5"       ? method::dopri5
                : method == "fehlberg78" ? method::fehlberg78
                : method == "bulirsch_stoer" ? method::bulirsch_stoer
                : method == "taylor"         ? method::taylor
                                             : throw std::invalid_argument("measure: unknown method " + method);
  const lora_series<Real> series(model);
  opt.series = &series;
  const Real t_end = parse<Real>(q.t_end);

  // Per-direction quantities of the spectral frame.
  std::vector<Eigen::Index> active_dirs;
  std::vector<Real> dir_threshold;
  auto z1_of = [&](const vector<Real>& xs, Eigen::Index i) {
    const Real a = fr.G11.col(i).dot(model.A1(xs) * fr.VS.col(i));
    const Real b = fr.GS.col(i).dot(model.B1(xs) * fr.G11.col(i));
    return Real(a * a + b * b);
  };
  if (q.spectral_frame) {
    if (q.init != "spectral") throw std::invalid_argument("measure: spectral_frame needs init = spectral");
    for (Eigen::Index i = 0; i < model.r(); ++i) {
      const Real sdy = fr.US.col(i).dot(gp.dY * fr.VS.col(i));
      if (!(abs(sdy) > 64 * eps<Real>() * dir.sigma)) continue;
      const Real sw1 = sqrt(squared_norm(vector<Real>(gp.W1 * fr.VS.col(i))));
      const Real sw2 = sqrt(squared_norm(vector<Real>(gp.W2 * fr.GS.col(i))));
      active_dirs.push_back(i);
      out.dir_sigma.push_back(dbl(sdy));
      out.dir_sigma_W1.push_back(dbl(sw1));
      out.dir_sigma_W2.push_back(dbl(sw2));
      out.dir_z1_0.push_back(dbl(z1_of(x, i)));
      // Appendix F.1 / proof (189): the time z1^(i) reaches (1 - delta_w^(i)) sigma_dY^(i) / (8 sigma_W2^(i)).
      dir_threshold.push_back((1 - sw1 / sw2) * sdy / (8 * sw2));
    }
  }

  std::vector<event_spec<Real>> events{t1_event(obs, q.stop_at_T1)};
  if (q.early_event) events.push_back(early_alignment_end_event(model, alpha));
  for (std::size_t k = 0; k < active_dirs.size(); ++k) {
    const Eigen::Index i = active_dirs[k];
    events.push_back(threshold_event<Real>("T1_dir" + std::to_string(i),
                                           [&, i](const vector<Real>& xs) { return z1_of(xs, i); }, dir_threshold[k]));
  }

  auto snapshot = [&](const vector<Real>& xs, std::map<std::string, double>& into) {
    const metrics<Real> m = obs(xs);
    const std::vector<std::string> names = metrics<Real>::names();
    const std::vector<Real> vals = m.values();
    for (std::size_t i = 0; i < names.size(); ++i) into[names[i]] = dbl(vals[i]);
    into["E_norm"] = dbl(sqrt(2 * m.loss));
    into["F_spec"] = dbl(spectral_norm<Real>(model.product(xs)));
    const matrix<Real> Z1 = detail::stack_Z<Real>(model.B1(xs), model.A1(xs));
    into["gamma1_Z1"] = dbl(sqrt(squared_norm(vector<Real>(Z1.transpose() * dir.gamma1))));
    const matrix<Real> Z2 = detail::stack_Z<Real>(model.B2(xs), model.A2(xs));
    into["gamma2_Z2"] = dbl(sqrt(squared_norm(vector<Real>(Z2.transpose() * dir.gamma2))));
  };

  vector<Real> dx(model.dimension());
  // Lemma C.1 margins at state xs, in units of 2 sigma sigma_W2 (negative margin = inequality violated).
  vector<Real> gbar(dir.gamma1.size());
  gbar << dir.g, -dir.v;
  gbar /= sqrt(Real(2));
  auto lemma = [&](const vector<Real>& xs, std::map<std::string, double>& into) {
    const std::pair<Real, Real> d = coupling_norms(model, xs);
    model(xs, dx, Real(0));
    const matrix<Real> Z1 = detail::stack_Z<Real>(model.B1(xs), model.A1(xs));
    const matrix<Real> Z2 = detail::stack_Z<Real>(model.B2(xs), model.A2(xs));
    const matrix<Real> dZ1 = detail::stack_Z<Real>(model.B1(dx), model.A1(dx));
    const matrix<Real> dZ2 = detail::stack_Z<Real>(model.B2(dx), model.A2(dx));
    const Real unit = 2 * ss;
    Real col_up = -std::numeric_limits<Real>::infinity(), cos_min = std::numeric_limits<Real>::infinity();
    for (Eigen::Index j = 0; j < Z1.cols(); ++j) {
      const Real w2 = squared_norm(vector<Real>(Z1.col(j)));
      const Real dlog = 2 * Z1.col(j).dot(dZ1.col(j)) / w2;
      using std::max;
      col_up = max(col_up, Real(dlog - 2 * (ss + d.first)));
      const Real c1 = dir.gamma1.dot(Z1.col(j)), c2 = gbar.dot(Z1.col(j));
      const Real dratio = dir.gamma1.dot(dZ1.col(j)) / c1 - gbar.dot(dZ1.col(j)) / c2;
      cos_min = min(cos_min, Real(dratio - (ss - 2 * d.first)));
    }
    const Real z1 = squared_norm(Z1), z2 = squared_norm(Z2);
    const Real dlog1 = 2 * (Z1.array() * dZ1.array()).sum() / z1;
    const Real dlog2 = 2 * (Z2.array() * dZ2.array()).sum() / z2;
    into["D1"] = dbl(d.first);
    into["D2"] = dbl(d.second);
    into["c1_col_upper"] = dbl(Real(-col_up / unit));                          // >= 0 required
    into["c1_Z1_upper"] = dbl(Real((2 * (ss + d.first) - dlog1) / unit));      // >= 0 required
    into["c1_Z1_lower"] = dbl(Real((dlog1 - 2 * (ss - d.first)) / unit));      // >= 0 claimed (App. E.1)
    into["c1_ratio"] = dbl(Real((dlog1 - dlog2 - 2 * ((1 - dir.delta_w) * ss - d.first - d.second)) / unit));
    into["c1_cos"] = dbl(Real(cos_min / unit));
  };
  auto frame = [&](const vector<Real>& xs, std::map<std::string, double>& into) {
    const matrix<Real> A1 = model.A1(xs), B1 = model.B1(xs), A2 = model.A2(xs), B2 = model.B2(xs);
    const matrix<Real> a1 = fr.G11.transpose() * A1 * fr.VS, b1 = fr.GS.transpose() * B1 * fr.G11;
    const matrix<Real> a2 = fr.G21.transpose() * A2 * fr.GS, b2 = fr.US.transpose() * B2 * fr.G21;
    using std::max;
    into["offdiag"] = dbl(max(max(off_diagonal(a1), off_diagonal(b1)), max(off_diagonal(a2), off_diagonal(b2))));
    const Real leak = max(max(rel_residual<Real>(A1, fr.G11 * a1 * fr.VS.transpose()),
                              rel_residual<Real>(B1, fr.GS * b1 * fr.G11.transpose())),
                          max(rel_residual<Real>(A2, fr.G21 * a2 * fr.GS.transpose()),
                              rel_residual<Real>(B2, fr.US * b2 * fr.G21.transpose())));
    into["leak"] = dbl(leak);
    // Directions with sigma_dY = 0 must stay exactly stationary: B stays 0.
    Real null_B = 0;
    for (Eigen::Index i = 0; i < model.r(); ++i)
      if (std::find(active_dirs.begin(), active_dirs.end(), i) == active_dirs.end())
        null_B = max(null_B, max(abs(b1(i, i)), abs(b2(i, i))));
    const Real scale_B = max(max(sqrt(squared_norm(b1)), sqrt(squared_norm(b2))), std::numeric_limits<Real>::min());
    into["null_B"] = dbl(Real(null_B / scale_B));  // relative to the active directions' B
  };

  std::vector<Real> times;
  if (q.observations > 0)
    for (int k = 0; k <= q.observations; ++k) times.push_back(t_end * Real(k) / Real(q.observations));
  auto observe = [&](const Real& t, const vector<Real>& xs) {
    std::map<std::string, double> row;
    snapshot(xs, row);
    if (q.lemma_c1) lemma(xs, row);
    else if (q.early_event) {
      const std::pair<Real, Real> d = coupling_norms(model, xs);
      row["D1"] = dbl(d.first);
      row["D2"] = dbl(d.second);
    }
    if (q.spectral_frame) frame(xs, row);
    out.t.push_back(dbl(t));
    for (const auto& kv : row) out.series[kv.first].push_back(kv.second);
  };
  std::vector<event_hit<Real>> hits;
  const run_stats<Real> st = integrate<Real>(std::cref(model), x, Real(0), t_end, times, observe, opt, events, &hits);
  out.status = status_name(st.status);
  if (out.status == "stopped") out.status = "ok";  // the terminal T1 event
  out.message = st.message;
  out.steps = st.steps;
  out.rhs_evals = st.rhs_evals;
  for (const event_hit<Real>& h : hits) {
    if (!h.found) continue;
    if (h.name == "T1") {
      out.T1 = dbl(h.t);
      snapshot(h.x, out.at_T1);
    } else if (h.name == "T_hat1") {
      out.T_hat = dbl(h.t);
      snapshot(h.x, out.at_T_hat);
    }
  }
  for (std::size_t k = 0; k < active_dirs.size(); ++k) {
    out.dir_T1.push_back(std::numeric_limits<double>::quiet_NaN());
    for (const event_hit<Real>& h : hits)
      if (h.found && h.name == "T1_dir" + std::to_string(active_dirs[k])) out.dir_T1.back() = dbl(h.t);
  }
  snapshot(x, out.final);
  out.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return out;
}

}  // namespace

trajectory measure(const trajectory_request& q) {
  precision_plan plan = plan_for_alpha(q.alpha, q.digits, q.alpha_power);
  if (!q.precision.empty()) {
    plan.type = q.precision;
    plan.mpfr_digits = 0;
    if (plan.type.rfind("mpfr:", 0) == 0) {
      plan.mpfr_digits = static_cast<unsigned>(std::stoul(plan.type.substr(5)));
      plan.type = "mpfr";
    }
    plan.reason = "precision set by the claim: " + q.precision;
  }
  return detail::with_precision(plan, [&](auto zero) { return measure_typed<decltype(zero)>(q, plan); });
}

}  // namespace loraflow::check
