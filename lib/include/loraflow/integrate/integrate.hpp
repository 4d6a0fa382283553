// loraflow/integrate/integrate.hpp: one driver for every time stepper, with observation times, events, budgets
// and a run status instead of exceptions.
//
// Methods: adaptive dopri5 (odeint, 5(4) with its native 4th-order dense output), adaptive fehlberg78 and
// bulirsch_stoer (odeint), fixed-step rk4 (odeint), gradient descent x_{k+1} = x_k + eta f(x_k) (what the
// papers ran; its "time" is k eta), and taylor: a Taylor series of adaptive order and step from the field's exact
// series (series_source; for LoRA, model/lora_series.hpp), the method for tight tolerances in many digits.
//
// Error control is odeint's default_error_checker: componentwise, err_i / (atol + rtol (|x_i| + dt |x'_i|)) <= 1 in
// the max norm. The caller chooses atol; loraflow's default (solve_defaults) scales it with alpha, because odeint's
// default 1e-6 swamps states of size alpha (pitfalls 2.3).
//
// Observations: every requested time is reached exactly. dopri5 interpolates on its dense output; fehlberg78 and
// bulirsch_stoer clip their steps to land on observation times; rk4 splits each interval into equal steps; GD
// observes at the step k = round((t - t0)/eta) and reports t = t0 + k eta. integrate_const is never used (it stops
// short, pitfalls 2.1). The end time is always reached exactly and returned in run_stats::t_final.
//
// Events: "the first time g(t, x) >= 0", located on the dense output (dopri5) or by re-integrating from the start
// of the step (other adaptive methods; rk4 takes one step of the needed size) by bisection down to a few ulps of t.
// For GD the event time is the first step k with g >= 0.
//
// Failures are data: step-size underflow, a non-finite state and an exhausted step budget end the run with a
// status and a message; exceptions are thrown only for bad arguments.
#pragma once

#include <loraflow/scalar.hpp>

#include <boost/numeric/odeint.hpp>
#include <boost/numeric/odeint/external/eigen/eigen.hpp>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace loraflow {

namespace odeint = boost::numeric::odeint;

enum class method { dopri5, fehlberg78, bulirsch_stoer, rk4, gd, taylor };
enum class run_status { ok, step_underflow, non_finite, budget_exhausted, stopped };

inline const char* method_name(method m) {
  switch (m) {
    case method::dopri5: return "dopri5";
    case method::fehlberg78: return "fehlberg78";
    case method::bulirsch_stoer: return "bulirsch_stoer";
    case method::rk4: return "rk4";
    case method::gd: return "gd";
    case method::taylor: return "taylor";
  }
  return "?";
}

/// Parses a method name; throws std::invalid_argument listing the valid names.
inline method parse_method(const std::string& s) {
  for (method m : {method::dopri5, method::fehlberg78, method::bulirsch_stoer, method::rk4, method::gd, method::taylor})
    if (s == method_name(m)) return m;
  throw std::invalid_argument("'" + s +
                              "' is not a method; expected dopri5, fehlberg78, bulirsch_stoer, rk4, gd or taylor");
}

inline const char* status_name(run_status s) {
  switch (s) {
    case run_status::ok: return "ok";
    case run_status::step_underflow: return "step_underflow";
    case run_status::non_finite: return "non_finite";
    case run_status::budget_exhausted: return "budget_exhausted";
    case run_status::stopped: return "stopped";
  }
  return "?";
}

inline bool is_adaptive(method m) {
  return m == method::dopri5 || m == method::fehlberg78 || m == method::bulirsch_stoer || m == method::taylor;
}

/// A field whose trajectories can be expanded in a Taylor series at any state (method::taylor needs one; for LoRA
/// it is lora_series, model/lora_series.hpp). The field must be autonomous.
template <class Real> class series_source {
 public:
  virtual ~series_source() = default;
  /// c[k], k = 0..K: the Taylor coefficients of the solution through x0, x(t0 + tau) = sum_k c[k] tau^k.
  virtual void expand(const vector<Real>& x0, int K, std::vector<vector<Real>>& c) const = 0;
  /// The relative cost of one expansion of order K (any unit), used to choose the order. Default: K^2, the Cauchy
  /// products' share.
  virtual double expansion_work(int K) const { return static_cast<double>(K) * K; }
};

/// The first Taylor order for a relative tolerance: K = ceil(ln(1/rtol) / 2) + 1, the order that minimises the work
/// per unit time when one expansion costs O(K^2) series products and the step is rho rtol^(1/K) (Jorba and Zou,
/// Experiment. Math. 14 (2005)); clamped to [8, 200]. About 1.15 times the number of digits asked for. With
/// taylor_order = 0 the integrator starts there and adapts the order step by step (see integrate()).
template <class Real> int taylor_auto_order(const Real& rtol) {
  using std::log;
  const double digits = -to_double(Real(log(rtol))) / 2;
  return static_cast<int>(std::min(200.0, std::max(8.0, std::ceil(digits) + 1)));
}

/// How to integrate. rtol/atol are used by the adaptive methods, dt by rk4 and GD (where it is eta).
template <class Real> struct solve_options {
  method stepper = method::dopri5;
  Real rtol = Real(0);  ///< relative tolerance (> 0 for adaptive methods)
  Real atol = Real(0);  ///< absolute tolerance (>= 0)
  Real dt = Real(0);    ///< fixed step for rk4, eta for GD; initial step for adaptive methods (0: automatic)
  Real max_dt = Real(0);                 ///< largest adaptive step (0: no limit)
  std::size_t max_steps = 100000000;     ///< budget: accepted plus rejected steps
  const series_source<Real>* series = nullptr;  ///< method::taylor: the field's Taylor expansion
  int taylor_order = 0;                  ///< method::taylor: fixed order K (0: adaptive, from taylor_auto_order(rtol))
};

template <class Real> struct run_stats {
  std::size_t steps = 0;      ///< accepted steps
  std::size_t rejected = 0;   ///< rejected step attempts
  std::size_t rhs_evals = 0;  ///< right-hand-side evaluations, dense-output and event work included
  std::size_t expansions = 0;  ///< method::taylor: Taylor expansions (one per step; no RHS evaluations)
  int taylor_order = 0;        ///< method::taylor: the largest order K used
  run_status status = run_status::ok;
  std::string message;        ///< empty when ok
  Real t_final = Real(0);     ///< the time the state was left at (t1 when status is ok)
};

/// An event: the first time g(t, x) >= 0 after starting with g < 0. Terminal events stop the run there.
template <class Real> struct event_spec {
  std::string name;
  std::function<Real(const Real& t, const vector<Real>& x)> g;
  bool terminal = false;
};

template <class Real> struct event_hit {
  std::string name;
  bool found = false;
  Real t = Real(0);
  vector<Real> x;
};

/// Called after every accepted step with (t, steps so far); return false to stop the run (status "stopped").
template <class Real> using progress_fn = std::function<bool(const Real& t, std::size_t steps)>;
/// The right-hand side x' = f(x, t), an odeint System. Pass a model as std::cref(model) to avoid copying it.
template <class Real> using system_fn = std::function<void(const vector<Real>& x, vector<Real>& dxdt, const Real& t)>;
/// Receives the state at each observation time.
template <class Real> using observer_fn = std::function<void(const Real& t, const vector<Real>& x)>;

namespace detail {

template <class T> struct non_deduced { using type = T; };

/// Wraps a System (by pointer, so odeint's by-value copies are free) and counts evaluations.
template <class Real> struct counting_system {
  const system_fn<Real>* sys;
  std::size_t* count;
  void operator()(const vector<Real>& x, vector<Real>& dxdt, const Real& t) const {
    ++*count;
    (*sys)(x, dxdt, t);
  }
};

template <class Real> using state = vector<Real>;
template <class Real>
using dopri5_stepper = odeint::runge_kutta_dopri5<state<Real>, Real, state<Real>, Real, odeint::vector_space_algebra>;
template <class Real>
using fehlberg78_stepper =
    odeint::runge_kutta_fehlberg78<state<Real>, Real, state<Real>, Real, odeint::vector_space_algebra>;
template <class Real>
using rk4_stepper = odeint::runge_kutta4<state<Real>, Real, state<Real>, Real, odeint::vector_space_algebra>;
template <class Real>
using bs_stepper = odeint::bulirsch_stoer<state<Real>, Real, state<Real>, Real, odeint::vector_space_algebra>;

template <class Real> bool is_underflow(const Real& dt, const Real& t) {
  using std::abs;
  return abs(dt) <= 16 * eps<Real>() * std::max(Real(1), Real(abs(t)));
}

}  // namespace detail

/// Integrates x' = sys(x, t) from t0 to t1 (t1 > t0), calling obs(t, x) at every time in obs_times (sorted, inside
/// [t0, t1]; times outside are ignored), and locating events. On return x holds the state at stats.t_final.
template <class Real>
run_stats<Real> integrate(const typename detail::non_deduced<system_fn<Real>>::type& sys, vector<Real>& x,
                          const Real& t0, const Real& t1, const std::vector<Real>& obs_times,
                          const typename detail::non_deduced<observer_fn<Real>>::type& obs,
                          const solve_options<Real>& opt, const std::vector<event_spec<Real>>& events = {},
                          std::vector<event_hit<Real>>* hits = nullptr,
                          const typename detail::non_deduced<progress_fn<Real>>::type& progress = {}) {
  using std::abs;
  using std::ceil;
  using std::pow;
  if (!(t1 > t0)) throw std::invalid_argument("integrate: end time must be greater than start time");
  if (is_adaptive(opt.stepper) && !(opt.rtol > 0)) throw std::invalid_argument("integrate: rtol must be > 0");
  if (opt.atol < 0) throw std::invalid_argument("integrate: atol must be >= 0");
  if (!is_adaptive(opt.stepper) && !(opt.dt > 0))
    throw std::invalid_argument(std::string("integrate: ") + method_name(opt.stepper) + " needs a step dt > 0");
  for (std::size_t i = 1; i < obs_times.size(); ++i)
    if (obs_times[i] < obs_times[i - 1]) throw std::invalid_argument("integrate: observation times must be sorted");

  run_stats<Real> st;
  detail::counting_system<Real> csys{&sys, &st.rhs_evals};
  const Eigen::Index dim = x.size();

  // Observation cursor: skip times before t0.
  std::size_t next_obs = 0;
  while (next_obs < obs_times.size() && obs_times[next_obs] < t0) ++next_obs;
  auto more_obs = [&] { return next_obs < obs_times.size() && obs_times[next_obs] <= t1; };

  // Events.
  std::vector<event_hit<Real>> local_hits(events.size());
  std::vector<Real> g_old(events.size());
  for (std::size_t e = 0; e < events.size(); ++e) {
    local_hits[e].name = events[e].name;
    g_old[e] = events[e].g(t0, x);
    if (g_old[e] >= 0) {  // already satisfied at the start
      local_hits[e].found = true;
      local_hits[e].t = t0;
      local_hits[e].x = x;
    }
  }
  auto finish = [&](run_stats<Real>& s) {
    if (hits) *hits = local_hits;
    return s;
  };

  if (!all_finite(x)) {
    st.status = run_status::non_finite;
    st.message = "initial state is not finite";
    st.t_final = t0;
    return finish(st);
  }

  // Observations at t0 itself.
  while (more_obs() && obs_times[next_obs] <= t0) obs(t0, static_cast<const vector<Real>&>(x)), ++next_obs;

  vector<Real> x_new(dim), x_tmp(dim), dxdt(dim), dxdt_new(dim);
  Real t = t0;
  bool stop = false;

  // Handles one accepted step [t, t_new] given a dense evaluator dense(tau, out). Returns false to stop.
  auto accept = [&](const Real& t_new, auto&& dense) -> bool {
    ++st.steps;
    // Events first: a terminal event truncates the step.
    Real t_end = t_new;
    for (std::size_t e = 0; e < events.size(); ++e) {
      if (local_hits[e].found) continue;
      const Real g_new = events[e].g(t_new, x_new);
      if (g_new >= 0) {
        Real lo = t, hi = t_new;
        if (opt.stepper != method::gd) {
          // Bisection on the dense output until the bracket is a few ulps wide.
          // Enough halvings to go from one step to a few ulps in any precision (about 3.33 bits per digit).
          const int max_halvings = static_cast<int>(digits10<Real>() * 10 / 3) + 64;
          for (int it = 0; it < max_halvings; ++it) {
            const Real mid = (lo + hi) / 2;
            if (!(mid > lo && mid < hi) || hi - lo <= 4 * eps<Real>() * abs(hi)) break;
            dense(mid, x_tmp);
            if (events[e].g(mid, x_tmp) >= 0) hi = mid; else lo = mid;
          }
          dense(hi, x_tmp);
          local_hits[e].x = x_tmp;
        } else {
          local_hits[e].x = x_new;
        }
        local_hits[e].found = true;
        local_hits[e].t = hi;
        if (events[e].terminal && hi < t_end) t_end = hi;
      }
      g_old[e] = g_new;
    }
    while (more_obs() && obs_times[next_obs] <= t_end) {
      const Real& to = obs_times[next_obs];
      if (to == t_new) obs(to, static_cast<const vector<Real>&>(x_new));
      else {
        dense(to, x_tmp);
        obs(to, static_cast<const vector<Real>&>(x_tmp));
      }
      ++next_obs;
    }
    if (t_end < t_new) {  // terminal event inside the step
      dense(t_end, x_tmp);
      x = x_tmp;
      t = t_end;
      st.t_final = t;
      st.status = run_status::ok;
      return false;
    }
    x.swap(x_new);
    t = t_new;
    if (progress && !progress(t, st.steps)) {
      st.status = run_status::stopped;
      st.message = "stopped by the caller";
      return false;
    }
    return true;
  };
  auto fail = [&](run_status s, std::string msg) {
    st.status = s;
    st.message = std::move(msg);
    stop = true;
  };
  // True (and the run marked budget_exhausted) once accepted plus rejected steps reach opt.max_steps.
  auto out_of_budget = [&] {
    if (st.steps + st.rejected < opt.max_steps) return false;
    fail(run_status::budget_exhausted, "step budget of " + std::to_string(opt.max_steps) + " exhausted at t = " + to_string(t));
    return true;
  };
  auto check_new_state = [&]() -> bool {
    if (!all_finite(x_new)) {
      fail(run_status::non_finite, "state became non-finite after t = " + to_string(t));
      return false;
    }
    return true;
  };

  const Real span = t1 - t0;
  Real dt = opt.dt > 0 ? opt.dt : span / 1000;
  if (opt.max_dt > 0 && dt > opt.max_dt) dt = opt.max_dt;

  switch (opt.stepper) {
    case method::dopri5: {
      auto ctrl = odeint::make_controlled<detail::dopri5_stepper<Real>>(opt.atol, opt.rtol, opt.max_dt);
      csys(x, dxdt, t);
      while (!stop && t < t1) {
        if (out_of_budget()) break;
        Real h = std::min(dt, Real(t1 - t));
        const bool clipped = h < dt;
        Real tt = t;
        const Real t_prev = t;
        if (ctrl.try_step(csys, x, dxdt, tt, x_new, dxdt_new, h) == odeint::fail) {
          ++st.rejected;
          dt = h;
          if (detail::is_underflow(dt, t)) fail(run_status::step_underflow, "step size underflow (dt = " + to_string(dt) + ") at t = " + to_string(t));
          continue;
        }
        if (!check_new_state()) break;
        const Real t_new = (t1 - tt <= 4 * eps<Real>() * abs(t1)) ? t1 : tt;
        auto dense = [&](const Real& tau, vector<Real>& out) {
          ctrl.stepper().calc_state(tau, out, x, dxdt, t_prev, x_new, dxdt_new, tt);
        };
        if (!clipped || h > dt) dt = h;  // keep the controller's suggestion unless the step was clipped
        if (!accept(t_new, dense)) { stop = true; break; }
        dxdt.swap(dxdt_new);
      }
      break;
    }
    case method::fehlberg78:
    case method::bulirsch_stoer: {
      auto run_adaptive = [&](auto& ctrl, auto make_fresh) {
        while (!stop && t < t1) {
          if (out_of_budget()) break;
          const Real target = more_obs() ? Real(std::min(obs_times[next_obs], t1)) : t1;
          Real h = std::min(dt, Real(target - t));
          const bool clipped = h < dt;
          Real tt = t;
          if (ctrl.try_step(csys, x, tt, x_new, h) == odeint::fail) {
            ++st.rejected;
            dt = h;
            if (detail::is_underflow(dt, t)) fail(run_status::step_underflow, "step size underflow (dt = " + to_string(dt) + ") at t = " + to_string(t));
            continue;
          }
          if (!check_new_state()) break;
          const Real t_new = (target - tt <= 4 * eps<Real>() * abs(target)) ? target : tt;
          const Real t_start = t;
          // Dense evaluation: re-integrate from the start of the step with a fresh controller.
          auto dense = [&](const Real& tau, vector<Real>& out) {
            auto sub = make_fresh();
            out = x;
            Real ts = t_start, hs = tau - t_start;
            while (ts < tau) {
              Real hh = std::min(hs, Real(tau - ts));
              Real tmp_t = ts;
              if (sub.try_step(csys, out, tmp_t, hh) == odeint::success) {
                ts = (tau - tmp_t <= 4 * eps<Real>() * abs(tau)) ? tau : tmp_t;
                if (!all_finite(out)) break;
              }
              hs = hh;
              if (detail::is_underflow(hs, ts)) break;
            }
          };
          if (!clipped || h > dt) dt = h;
          if (!accept(t_new, dense)) { stop = true; break; }
        }
      };
      if (opt.stepper == method::fehlberg78) {
        auto fresh = [&] { return odeint::make_controlled<detail::fehlberg78_stepper<Real>>(opt.atol, opt.rtol, opt.max_dt); };
        auto ctrl = fresh();
        run_adaptive(ctrl, fresh);
      } else {
        auto fresh = [&] { return detail::bs_stepper<Real>(opt.atol, opt.rtol, Real(1), Real(1), opt.max_dt); };
        auto ctrl = fresh();
        run_adaptive(ctrl, fresh);
      }
      break;
    }
    case method::rk4: {
      detail::rk4_stepper<Real> rk;
      // Each interval between consecutive stops (observation times and t1) is cut into equal steps <= dt.
      while (!stop && t < t1) {
        const Real target = more_obs() ? Real(std::min(obs_times[next_obs], t1)) : t1;
        const Real len = target - t;
        // Grid times carry rounding of a few ulps of |t| (not of the interval), so allow that much slack.
        const Real slack = 64 * eps<Real>() * std::max(Real(abs(target)), Real(1));
        std::size_t nsteps = static_cast<std::size_t>(to_double(ceil(Real((len - slack) / opt.dt))));
        if (nsteps == 0) nsteps = 1;
        const Real h = len / Real(nsteps);
        const Real t_seg = t;
        for (std::size_t k = 0; k < nsteps && !stop; ++k) {
          if (out_of_budget()) break;
          const Real t_new = (k + 1 == nsteps) ? target : Real(t_seg + Real(k + 1) * h);
          rk.do_step(csys, x, t, x_new, Real(t_new - t));
          if (!check_new_state()) break;
          const Real t_start = t;
          auto dense = [&](const Real& tau, vector<Real>& out) {
            detail::rk4_stepper<Real> one;
            one.do_step(csys, x, t_start, out, Real(tau - t_start));
          };
          if (!accept(t_new, dense)) { stop = true; break; }
        }
      }
      break;
    }
    case method::taylor: {
      // Taylor series of order K at every step (Jorba and Zou 2005). Step size from the last two coefficients,
      // componentwise: |c_j,i| h^j <= atol + rtol |x_i| for j = K - 1 and K, times a safety factor (a component
      // that is exactly 0 with atol = 0 sets no limit; odeint's checker would use dt |x'_i| there). The series is
      // its own dense output: every tau in [0, h] has the same error bound, so observations and events are taken
      // on it directly. No step is ever rejected; a step that would be below a few ulps of t is an underflow.
      // Adaptive order (taylor_order = 0): the same expansion also gives the step every lower order k would have
      // allowed (from c_(k-1), c_k), so after each step the orders K - 3 .. K (not below 8) are compared by step
      // length per unit of expansion work (series_source::expansion_work); the next step uses the best of them, or
      // K + 2 when K itself is best (the efficiency is still rising). Starts at taylor_auto_order(rtol).
      using std::max;
      if (!opt.series) throw std::invalid_argument("integrate: method taylor needs the field's Taylor series (a lora_model)");
      if (opt.taylor_order > 0 && opt.taylor_order < 4)
        throw std::invalid_argument("integrate: taylor_order must be 0 (adaptive) or at least 4, got " +
                                    std::to_string(opt.taylor_order));
      const bool adapt = opt.taylor_order <= 0;
      int K = adapt ? taylor_auto_order(opt.rtol) : opt.taylor_order;
      const int K_max = adapt ? std::min(200, 3 * K) : K;
      const int K_min = std::min(K, 8);
      st.taylor_order = K;
      std::vector<vector<Real>> c(static_cast<std::size_t>(K_max) + 1, vector<Real>(dim));
      const Real safety = Real(9) / 10;
      // The step order k allows: safety * min over j in {k - 1, k} of (1 / max_i |c_j,i| / tol_i)^(1/j); the span
      // when those coefficients vanish; NaN when one is not finite.
      auto step_for = [&](int k) -> Real {
        Real worst_k1(0), worst_k(0);
        for (Eigen::Index i = 0; i < dim; ++i) {
          const Real tol_i = opt.atol + opt.rtol * abs(x(i));
          if (!(tol_i > 0)) continue;  // a zero component with atol = 0 has no scale: the others set the step
          worst_k1 = max(worst_k1, Real(abs(c[static_cast<std::size_t>(k) - 1](i)) / tol_i));
          worst_k = max(worst_k, Real(abs(c[static_cast<std::size_t>(k)](i)) / tol_i));
        }
        if (!is_finite(worst_k1) || !is_finite(worst_k)) return std::numeric_limits<Real>::quiet_NaN();
        Real h = t1 - t0;
        if (worst_k1 > 0) h = std::min(h, Real(safety * pow(Real(1) / worst_k1, Real(1) / Real(k - 1))));
        if (worst_k > 0) h = std::min(h, Real(safety * pow(Real(1) / worst_k, Real(1) / Real(k))));
        return h;
      };
      while (!stop && t < t1) {
        if (out_of_budget()) break;
        opt.series->expand(x, K, c);
        ++st.expansions;
        st.taylor_order = std::max(st.taylor_order, K);
        const int K_step = K;  // this step's order (K may change below, for the next step)
        const Real h_K = step_for(K);
        if (!is_finite(h_K)) {
          fail(run_status::non_finite, "Taylor coefficients became non-finite at t = " + to_string(t));
          break;
        }
        Real h = std::min(h_K, Real(t1 - t));
        if (opt.max_dt > 0) h = std::min(h, opt.max_dt);
        if (detail::is_underflow(h, t)) {
          fail(run_status::step_underflow, "step size underflow (dt = " + to_string(h) + ") at t = " + to_string(t));
          break;
        }
        if (adapt) {  // choose the next step's order (the estimates do not depend on clipping to t1 or max_dt)
          int best = K;
          double best_rate = to_double(h_K) / opt.series->expansion_work(K);
          for (int k = std::max(K_min, K - 3); k < K; ++k) {
            const Real hk = step_for(k);
            const double rate = is_finite(hk) ? to_double(hk) / opt.series->expansion_work(k) : 0.0;
            if (rate > best_rate) best_rate = rate, best = k;
          }
          K = best == K ? std::min(K_max, K + 2) : best;
        }
        const Real t_start = t;
        auto dense = [&](const Real& tau, vector<Real>& out) {  // Horner on the series
          const Real d = tau - t_start;
          out = c[static_cast<std::size_t>(K_step)];
          for (int j = K_step - 1; j >= 0; --j) {
            out *= d;
            out += c[static_cast<std::size_t>(j)];
          }
        };
        // Snap to t1 when what would be left is below the underflow threshold (else the next step would fail).
        const Real t_new = detail::is_underflow(Real(t1 - (t + h)), t1) ? t1 : Real(t + h);
        dense(t_new, x_new);
        if (!check_new_state()) break;
        if (!accept(t_new, dense)) { stop = true; break; }
      }
      break;
    }
    case method::gd: {
      // x_{k+1} = x_k + eta f(x_k), K = round((t1 - t0)/eta) steps; observation at the nearest step.
      using std::round;
      const Real eta = opt.dt;
      const std::size_t K = static_cast<std::size_t>(to_double(round(Real(span / eta))));
      if (K == 0) throw std::invalid_argument("integrate: GD step eta is larger than twice the time span");
      auto step_time = [&](std::size_t k) { return Real(t0 + Real(k) * eta); };
      auto obs_step = [&](const Real& to) {
        return static_cast<std::size_t>(to_double(round(Real((to - t0) / eta))));
      };
      std::size_t k = 0;
      while (!stop && k < K) {
        if (out_of_budget()) break;
        csys(x, dxdt, t);
        x_new = x + eta * dxdt;
        ++k;
        if (!check_new_state()) break;
        const Real t_new = step_time(k);
        // GD observes only at steps: deliver every requested time that rounds to this step.
        ++st.steps;
        for (std::size_t e = 0; e < events.size(); ++e) {
          if (local_hits[e].found) continue;
          if (events[e].g(t_new, x_new) >= 0) {
            local_hits[e].found = true;
            local_hits[e].t = t_new;
            local_hits[e].x = x_new;
            if (events[e].terminal) stop = true;
          }
        }
        while (more_obs() && (obs_step(obs_times[next_obs]) <= k || k == K)) {
          obs(t_new, static_cast<const vector<Real>&>(x_new));
          ++next_obs;
        }
        x.swap(x_new);
        t = t_new;
        if (progress && !progress(t, st.steps)) { fail(run_status::stopped, "stopped by the caller"); break; }
      }
      // GD ends at t0 + K eta, the time it actually reached (t1 itself only when (t1 - t0)/eta is an integer).
      break;
    }
  }
  st.t_final = t;
  return finish(st);
}

#define LORAFLOW_INST_INTEGRATE(EXT, T)                                                                         \
  EXT template run_stats<T> integrate<T>(const system_fn<T>&, vector<T>&, const T&, const T&, const std::vector<T>&, \
                                         const observer_fn<T>&, const solve_options<T>&,                           \
                                         const std::vector<event_spec<T>>&, std::vector<event_hit<T>>*,             \
                                         const progress_fn<T>&);
#ifndef LORAFLOW_NO_EXTERN_TEMPLATES
LORAFLOW_EXTERN_ALL(LORAFLOW_INST_INTEGRATE)
#endif

}  // namespace loraflow
