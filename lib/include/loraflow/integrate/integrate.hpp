// loraflow/integrate/integrate.hpp: one driver for every time stepper, with observation times, events, budgets
// and a run status instead of exceptions.
//
// Methods: adaptive dopri5 (odeint, 5(4) with its native 4th-order dense output), adaptive dop853 (8(5,3) with a
// 7th-order dense output, Hairer's DOP853: integrate/dop853.hpp, stepped here), adaptive fehlberg78 and
// bulirsch_stoer (odeint), fixed-step rk4 (odeint), gradient descent x_{k+1} = x_k + eta f(x_k) (what the
// papers ran; its "time" is k eta), and taylor: a Taylor series of adaptive order and step from the field's exact
// series (series_source; for LoRA, model/lora_series.hpp), the method for tight tolerances in many digits.
//
// Error control is odeint's default_error_checker: componentwise, err_i / (atol + rtol (|x_i| + dt |x'_i|)) <= 1 in
// the max norm (dop853 scales its two estimates the same way and combines them per component as dop853.f does). The caller chooses atol; loraflow's default (solve_defaults) scales it with alpha, because odeint's
// default 1e-6 swamps states of size alpha (pitfalls 2.3).
//
// Observations: every requested time is reached exactly. dopri5 and dop853 interpolate on their dense outputs; fehlberg78 and
// bulirsch_stoer clip their steps to land on observation times; rk4 splits each interval into equal steps; GD
// observes at the step k = round((t - t0)/eta) and reports t = t0 + k eta. integrate_const is never used (it stops
// short, pitfalls 2.1). The end time is always reached exactly and returned in run_stats::t_final.
//
// Events: "the first time g(t, x) >= 0", located on the dense output (dopri5, dop853) or by re-integrating from the start
// of the step (other adaptive methods; rk4 takes one step of the needed size) by bisection down to a few ulps of t.
// For GD the event time is the first step k with g >= 0.
//
// GD's own arithmetic (the update x + eta f and the squared norm of f, over the whole state at every iteration) goes
// through product.hpp: in the kernel types (float50, float100, float128, mpfr_float) each entry of the update and
// the squared norm are rounded once (fused), which is also what keeps GD in 50 digits within 100x double
// (docs/performance.md); double and long double evaluate them as Eigen does.
//
// Failures are data: step-size underflow, a non-finite state and an exhausted step budget end the run with a
// status and a message; exceptions are thrown only for bad arguments.
#pragma once

#include <loraflow/fp_env.hpp>
#include <loraflow/integrate/dop853.hpp>
#include <loraflow/integrate/method.hpp>
#include <loraflow/model/series_source.hpp>
#include <loraflow/product.hpp>
#include <loraflow/scalar.hpp>

#include <boost/numeric/odeint.hpp>
#include <boost/numeric/odeint/external/eigen/eigen.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace loraflow {

namespace odeint = boost::numeric::odeint;

/// The first Taylor order for a relative tolerance: K = ceil(ln(1/rtol) / 2) + 1, the order that minimises the work
/// per unit time when one expansion costs O(K^2) series products and the step is rho rtol^(1/K) (Jorba and Zou,
/// Experiment. Math. 14 (2005)); clamped to [8, 200]. About 1.15 times the number of digits asked for. With
/// taylor_order = 0 the integrator starts there and adapts the order step by step (see integrate()).
template <class Real> int taylor_auto_order(const Real& rtol) {
  using std::log;
  const double digits = -to_double(Real(log(rtol))) / 2;
  return static_cast<int>(std::min(200.0, std::max(8.0, std::ceil(digits) + 1)));
}

/// What GD has done so far, updated at every iteration before that iteration's observations (solve_options::trace):
/// the quantities of Mu and Klabjan's Theorem 3.5, min_(s<k) ||grad J(V_s)||^2 and sum_(s<k) eta_s, at iterate k.
template <class Real> struct gd_trace {
  std::size_t iteration = 0;  ///< k, the iterate last produced (0 before the first step)
  Real sum_eta = Real(0);     ///< sum of the steps taken, eta_0 + ... + eta_(k-1)
  Real min_grad_norm2 = std::numeric_limits<Real>::infinity();  ///< min over s < k of ||grad J(V_s)||^2 (inf at k = 0)
  Real last_eta = Real(0);    ///< eta_(k-1)
};

/// The monitors of every GD run at an observed iterate k, in trajectory.csv's order (run/pipeline.hpp, run/network.hpp):
/// the iteration k, the step eta_k the rule takes there, sum_(s<k) eta_s, ||V_k||^2 (the whole state), ||grad J(V_k)||^2
/// and min_(s<k) ||grad J(V_s)||^2. field is -grad J(V_k).
inline constexpr const char* gd_monitor_names = "step,eta,sum_eta,V_norm2,grad_norm2,min_grad_norm2";
/// The monitors of a gradient-flow run (the LoRA pipeline's trajectory.csv): ||V(t)||^2 and ||grad J(V(t))||^2, named
/// as GD's.
inline constexpr const char* gf_monitor_names = "V_norm2,grad_norm2";
template <class Real>
std::array<Real, 6> gd_monitor_values(const gd_trace<Real>& tr, const Real& eta, const vector<Real>& x, const vector<Real>& field) {
  return {Real(static_cast<double>(tr.iteration)), eta, tr.sum_eta, Real(x.squaredNorm()), Real(field.squaredNorm()), tr.min_grad_norm2};
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
  /// gd: the number of iterations. 0: round((t1 - t0) / dt) constant steps, observed at obs_times. > 0: exactly
  /// this many, observed at the iterations gd_observe_steps (obs_times unused), t1 unused; the time of iterate k is
  /// t0 + eta_0 + ... + eta_(k-1) (the gradient-flow time it stands for). Required with a step rule.
  std::size_t gd_steps = 0;
  std::vector<std::size_t> gd_observe_steps;  ///< gd with gd_steps: the iterations observed, sorted (0 = the start)
  /// gd: eta_k from the iterate and the field there (integrate/step_rule.hpp: gd_step_size); empty: dt.
  std::function<Real(const vector<Real>& x, const vector<Real>& field)> gd_step;
  gd_trace<Real>* trace = nullptr;  ///< gd: filled as the run goes (the caller initializes it)
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

namespace detail {

/// The step to try after an accepted one. odeint's controller leaves its proposal for the next step in h. When
/// the step just taken was clipped short of the step size dt to land on a time (an observation or t1), a small
/// proposal only reflects the clip: dt, the last unclipped size, is kept unless the controller proposes more.
template <class Real> Real next_trial_step(const Real& dt, const Real& proposed, bool clipped) {
  return (!clipped || proposed > dt) ? proposed : dt;
}

/// `to` when the step ended within a few ulps of it (the step landed on it, up to rounding of t + h), else t_new.
template <class Real> Real snap_to(const Real& t_new, const Real& to) {
  using std::abs;
  return (to - t_new <= 4 * eps<Real>() * abs(to)) ? to : t_new;
}

/// o[i] = (x ? x[i] : 0) + c[0] v[0][i] + ... + c[G-1] v[G-1][i] for every i, left to right: one pass, vectorized
/// over i (the entries are independent, so no chain of dependent additions limits it).
template <int G, class Real>
void add_terms(Real* o, const Real* x, const Real* c, const Real* const* v, Eigen::Index dim) {
  const Real* __restrict v0 = v[0];
  const Real* __restrict v1 = G > 1 ? v[1] : nullptr;
  const Real* __restrict v2 = G > 2 ? v[2] : nullptr;
  const Real* __restrict v3 = G > 3 ? v[3] : nullptr;
  const Real c0 = c[0], c1 = G > 1 ? c[1] : Real(0), c2 = G > 2 ? c[2] : Real(0), c3 = G > 3 ? c[3] : Real(0);
  for (Eigen::Index i = 0; i < dim; ++i) {
    Real a = (x ? x[i] : Real(0)) + c0 * v0[i];  // an explicit 0 + c0 v0: the product fused with it is c0 v0
    if constexpr (G > 1) a += c1 * v1[i];
    if constexpr (G > 2) a += c2 * v2[i];
    if constexpr (G > 3) a += c3 * v3[i];
    o[i] = a;
  }
}

/// out = base + sum_t c[t] v[t] (base null: the sum alone), for each entry the terms added one by one in the order
/// given: the operations of `out = base; out += c[0] v[0]; out += c[1] v[1]; ...`, so the same result. For double
/// and long double the terms go four at a time, each group in one pass over the entries (a quarter of the passes
/// over out); the software types keep Eigen's term-by-term loop (their cost is the arithmetic, not the memory).
template <class Real>
void linear_combination(vector<Real>& out, const vector<Real>* base, const Real* c, const vector<Real>* const* v,
                        int terms) {
  out.resize(base ? base->size() : terms > 0 ? v[0]->size() : out.size());  // a no-op when sized
  if constexpr (std::is_arithmetic_v<Real>) {
    const Eigen::Index dim = out.size();
    if (terms == 0) {
      if (base) out = *base;
      else out.setZero();
      return;
    }
    std::array<const Real*, 4> p{};
    for (int t0 = 0; t0 < terms; t0 += 4) {
      const int g = std::min(4, terms - t0);
      for (int l = 0; l < g; ++l) p[static_cast<std::size_t>(l)] = v[t0 + l]->data();
      const Real* x = t0 == 0 ? (base ? base->data() : nullptr) : out.data();
      switch (g) {
        case 1: add_terms<1>(out.data(), x, c + t0, p.data(), dim); break;
        case 2: add_terms<2>(out.data(), x, c + t0, p.data(), dim); break;
        case 3: add_terms<3>(out.data(), x, c + t0, p.data(), dim); break;
        default: add_terms<4>(out.data(), x, c + t0, p.data(), dim); break;
      }
    }
  } else {
    if (base) out = *base;
    else out.setZero();
    for (int t = 0; t < terms; ++t) out.noalias() += c[t] * *v[t];
  }
}

/// dop853's error of a step, componentwise: err_i = h e5_i^2 / sqrt(e5_i^2 + 0.01 e3_i^2) (<= h |e5_i|), with the
/// two estimates e5_i, e3_i scaled by odeint's atol + rtol (|x_i| + h |x'_i|) (x' = f0, the field at the step's
/// start), and err = max_i err_i. A component with no scale (exactly zero, atol = 0) or with both estimates zero
/// counts 0; a NaN anywhere (or inf / inf) makes err NaN, never dropped by the max. For double and long double the
/// formula is first evaluated for every component as one Eigen array expression into q (the divisions and square
/// roots vectorized), and a component whose q is NaN (no scale, both estimates zero, or a true NaN: the only cases
/// where the array value and the rule above can differ) is redone by the rule.
template <class Real>
Real dop853_error(const vector<Real>& x, const vector<Real>& f0, const vector<Real>& e5v, const vector<Real>& e3v,
                  const Real& h, const Real& atol, const Real& rtol, vector<Real>& q) {
  using std::abs;
  using std::sqrt;
  const Real hundredth = Real(1) / 100;
  const Eigen::Index dim = x.size();
  auto component = [&](Eigen::Index i, bool& nan) {
    const Real sc = atol + rtol * (abs(x(i)) + h * abs(f0(i)));
    if (!(sc > 0)) return Real(0);  // an exactly zero component with atol = 0: no scale (as in the taylor loop)
    const Real e5 = e5v(i) / sc, e3 = e3v(i) / sc;
    const Real den = e5 * e5 + hundredth * e3 * e3;
    if (den > 0) {
      const Real err_i = h * (e5 * e5) / sqrt(den);
      if (!(err_i == err_i)) nan = true;  // inf / inf
      return err_i;
    }
    if (!(den == 0)) nan = true;  // den is NaN
    return Real(0);
  };
  Real err(0);
  bool nan = false;
  if constexpr (std::is_arithmetic_v<Real>) {
    const auto sc = atol + rtol * (x.array().abs() + h * f0.array().abs());
    const auto e5 = e5v.array() / sc;
    const auto e3 = e3v.array() / sc;
    q.resize(dim);
    q.array() = h * (e5 * e5) / (e5 * e5 + hundredth * e3 * e3).sqrt();
    for (Eigen::Index i = 0; i < dim; ++i) {
      const Real err_i = q(i) == q(i) ? q(i) : component(i, nan);
      if (err_i > err) err = err_i;
    }
  } else {
    for (Eigen::Index i = 0; i < dim; ++i) {
      const Real err_i = component(i, nan);
      if (err_i > err) err = err_i;
    }
  }
  return nan ? std::numeric_limits<Real>::quiet_NaN() : err;
}

/// One integration run: the state and time being advanced, and the bookkeeping every method's loop shares
/// (statistics and status, the observation cursor, event location, the budget, the caller's progress and stop).
/// Each method is one member loop (dopri5_loop, dop853_loop, refined_loop, rk4_loop, taylor_loop, gd_loop) that
/// proposes steps and hands each accepted one to accept(), with a dense evaluator over the step.
template <class Real> class integration {
 public:
  integration(const system_fn<Real>& sys, vector<Real>& x, const Real& t0, const Real& t1,
              const std::vector<Real>& obs_times, const observer_fn<Real>& obs, const solve_options<Real>& opt,
              const std::vector<event_spec<Real>>& events, const progress_fn<Real>& progress)
      : m_x(x), m_t(t0), m_t0(t0), m_t1(t1), m_obs_times(obs_times), m_obs(obs), m_opt(opt), m_events(events),
        m_progress(progress), m_sys(counting_system<Real>{&sys, &m_st.rhs_evals}) {
    const Eigen::Index dim = x.size();
    m_x_new.resize(dim);
    m_x_tmp.resize(dim);
    m_dxdt.resize(dim);
    m_dxdt_new.resize(dim);
    while (m_next_obs < m_obs_times.size() && m_obs_times[m_next_obs] < t0) ++m_next_obs;  // skip times before t0
    m_hits.resize(events.size());
    for (std::size_t e = 0; e < events.size(); ++e) {
      m_hits[e].name = events[e].name;
      if (events[e].g(t0, x) >= 0) {  // already satisfied at the start
        m_hits[e].found = true;
        m_hits[e].t = t0;
        m_hits[e].x = x;
      }
    }
  }

  /// Runs the method of opt.stepper to t1 (or a terminal event, a failure, the budget, or the caller's stop).
  run_stats<Real> run() {
    if (!all_finite(m_x)) {
      m_st.status = run_status::non_finite;
      m_st.message = "initial state is not finite";
      m_st.t_final = m_t0;
      return m_st;
    }
    while (has_observation() && m_obs_times[m_next_obs] <= m_t0) observe_at(m_t0, m_x);  // observations at t0
    switch (m_opt.stepper) {
      case method::dopri5: dopri5_loop(); break;
      case method::dop853: dop853_loop(); break;
      case method::fehlberg78: {
        auto fresh = [&] { return odeint::make_controlled<fehlberg78_stepper<Real>>(m_opt.atol, m_opt.rtol, m_opt.max_dt); };
        refined_loop(fresh);
        break;
      }
      case method::bulirsch_stoer: {
        auto fresh = [&] { return bs_stepper<Real>(m_opt.atol, m_opt.rtol, Real(1), Real(1), m_opt.max_dt); };
        refined_loop(fresh);
        break;
      }
      case method::rk4: rk4_loop(); break;
      case method::taylor: taylor_loop(); break;
      case method::gd: gd_loop(); break;
    }
    if (!m_ended_at_event) m_st.t_final = m_t;
    return m_st;
  }

  const std::vector<event_hit<Real>>& hits() const { return m_hits; }

 private:
  // ---- bookkeeping ----------------------------------------------------------------------------------------------

  bool has_observation() const { return m_next_obs < m_obs_times.size() && m_obs_times[m_next_obs] <= m_t1; }
  /// Where a method that must land on observation times stops next: the next observation time, or t1.
  Real next_stop() const { return has_observation() ? Real(std::min(m_obs_times[m_next_obs], m_t1)) : m_t1; }
  void observe_at(const Real& t, const vector<Real>& x) {
    m_obs(t, x);
    ++m_next_obs;
  }

  void fail(run_status s, std::string msg) {
    m_st.status = s;
    m_st.message = std::move(msg);
    m_stop = true;
  }
  /// True (and the run marked budget_exhausted) once accepted plus rejected steps reach opt.max_steps.
  bool out_of_budget() {
    if (m_st.steps + m_st.rejected < m_opt.max_steps) return false;
    fail(run_status::budget_exhausted, "step budget of " + std::to_string(m_opt.max_steps) + " exhausted at t = " + to_string(m_t));
    return true;
  }
  /// False (and the run marked non_finite) when the proposed state m_x_new is not finite.
  bool new_state_finite() {
    if (all_finite(m_x_new)) return true;
    fail(run_status::non_finite, "state became non-finite after t = " + to_string(m_t));
    return false;
  }
  /// An adaptive step whose trial state is not finite: odeint's error estimate is then NaN, which its controller
  /// does not reject (NaN > 1 is false). Rejected here instead: the step is cut by 10 and retried; true while the
  /// loop should retry, false (run marked non_finite) once the cut step underflows.
  bool reject_non_finite_trial(Real& dt, const Real& h) {
    ++m_st.rejected;
    dt = h / 10;
    if (!is_underflow(dt, m_t)) return true;
    fail(run_status::non_finite, "state became non-finite after t = " + to_string(m_t) +
                                     " for every step down to dt = " + to_string(dt));
    return false;
  }
  /// The next trial step after odeint rejected a step of size `tried` and proposed `proposed`: the proposal, unless
  /// it is not a finite reduction (a trial state that overflowed gives a NaN error estimate, from which odeint's
  /// Bulirsch-Stoer controller proposes a NaN step), then tried / 10.
  static Real after_rejection(const Real& tried, const Real& proposed) {
    return is_finite(proposed) && proposed > 0 && proposed < tried ? proposed : Real(tried / 10);
  }
  void step_underflow(const Real& dt) {
    fail(run_status::step_underflow, "step size underflow (dt = " + to_string(dt) + ") at t = " + to_string(m_t));
  }
  /// The caller's progress callback after an accepted step; false (status stopped) when it asks to stop.
  bool report_progress() {
    if (!m_progress || m_progress(m_t, m_st.steps)) return true;
    fail(run_status::stopped, "stopped by the caller");
    return false;
  }

  /// Accepts the step [m_t, t_new] whose end state is m_x_new, with dense(tau, out) the state at any tau inside it:
  /// locates events on the dense output (a terminal one truncates the step there), delivers the observations the
  /// step covers, and advances. Returns false when the run ends here (terminal event, or the caller's stop).
  template <class Dense> bool accept(const Real& t_new, Dense&& dense) {
    using std::abs;
    ++m_st.steps;
    Real t_end = t_new;  // where the step ends: t_new, or a terminal event inside it
    for (std::size_t e = 0; e < m_events.size(); ++e) {
      if (m_hits[e].found || !(m_events[e].g(t_new, m_x_new) >= 0)) continue;
      // Bisection on the dense output until the bracket is a few ulps wide: enough halvings to go from one step to a
      // few ulps in any precision (about 3.33 bits per digit).
      Real lo = m_t, hi = t_new;
      const int max_halvings = static_cast<int>(digits10<Real>() * 10 / 3) + 64;
      for (int it = 0; it < max_halvings; ++it) {
        const Real mid = (lo + hi) / 2;
        if (!(mid > lo && mid < hi) || hi - lo <= 4 * eps<Real>() * abs(hi)) break;
        dense(mid, m_x_tmp);
        if (m_events[e].g(mid, m_x_tmp) >= 0) hi = mid;
        else lo = mid;
      }
      dense(hi, m_x_tmp);
      m_hits[e].x = m_x_tmp;
      m_hits[e].found = true;
      m_hits[e].t = hi;
      if (m_events[e].terminal && hi < t_end) t_end = hi;
    }
    while (has_observation() && m_obs_times[m_next_obs] <= t_end) {
      const Real& to = m_obs_times[m_next_obs];
      if (to == t_new) {
        observe_at(to, m_x_new);
      } else {
        dense(to, m_x_tmp);
        observe_at(to, m_x_tmp);
      }
    }
    if (t_end < t_new) {  // a terminal event inside the step: the run ends there, with status ok
      dense(t_end, m_x_tmp);
      m_x = m_x_tmp;
      m_t = t_end;
      m_st.t_final = m_t;
      m_ended_at_event = true;
      m_stop = true;
      return false;
    }
    m_x.swap(m_x_new);
    m_t = t_new;
    return report_progress();
  }

  /// The first step size: opt.dt when given, else 1/1000 of the span; at most opt.max_dt.
  Real initial_step() const {
    Real dt = m_opt.dt > 0 ? m_opt.dt : Real((m_t1 - m_t0) / 1000);
    if (m_opt.max_dt > 0 && dt > m_opt.max_dt) dt = m_opt.max_dt;
    return dt;
  }

  // ---- the methods ----------------------------------------------------------------------------------------------

  /// dopri5: odeint's controlled 5(4) step with first-same-as-last derivatives; its own 4th-order dense output
  /// serves observations and events, so steps are clipped only at t1.
  void dopri5_loop() {
    auto ctrl = odeint::make_controlled<dopri5_stepper<Real>>(m_opt.atol, m_opt.rtol, m_opt.max_dt);
    Real dt = initial_step();
    m_sys(m_x, m_dxdt, m_t);
    while (!m_stop && m_t < m_t1) {
      if (out_of_budget()) break;
      Real h = std::min(dt, Real(m_t1 - m_t));
      const bool clipped = h < dt;
      Real t_reached = m_t;
      const Real t_start = m_t;
      const Real tried = h;
      if (ctrl.try_step(m_sys, m_x, m_dxdt, t_reached, m_x_new, m_dxdt_new, h) == odeint::fail) {
        ++m_st.rejected;
        dt = after_rejection(tried, h);  // the controller's smaller proposal
        if (is_underflow(dt, m_t)) step_underflow(dt);
        continue;
      }
      // A trial whose state, or the field there (FSAL: computed with the step), is not finite. The second catches
      // a step that overshot to a finite but enormous state (entries ~1e300 from a large init): its error estimate
      // is NaN (inf - inf), which odeint accepts, and the field there overflows.
      if (!all_finite(m_x_new) || !all_finite(m_dxdt_new)) {
        if (reject_non_finite_trial(dt, h)) continue;
        break;
      }
      auto dense = [&](const Real& tau, vector<Real>& out) {
        ctrl.stepper().calc_state(tau, out, m_x, m_dxdt, t_start, m_x_new, m_dxdt_new, t_reached);
      };
      dt = next_trial_step(dt, h, clipped);
      if (!accept(snap_to(t_reached, m_t1), dense)) break;
      m_dxdt.swap(m_dxdt_new);
    }
  }

  /// dop853: Hairer's DOP853 (integrate/dop853.hpp), 12 stages per step with first-same-as-last derivatives, the
  /// error e5^2 / sqrt(e5^2 + 0.01 e3^2) of dop853.f from the two embedded estimates, formed per component (each
  /// scaled as odeint scales, so that one component's 3rd-order estimate cannot excuse another's 5th-order one) and
  /// taken in the max norm; the step factor 0.9 err^(-1/8) clamped to [1/3, 6] (dop853.f's facl and facr; not above
  /// 1 right after a rejection, non-finite trials included). The 7th-order dense output costs three more fields, evaluated only for a
  /// step that is asked for a point inside it (an observation, an event, a terminal event's end); steps are clipped
  /// only at t1. The coefficients are parsed once per run at the working precision.
  void dop853_loop() {
    using std::abs;
    using std::max;
    using std::min;
    using std::pow;
    using std::sqrt;
    if (m_opt.rtol < parse<Real>(dop853_min_rtol))
      throw std::invalid_argument("integrate: method dop853 needs rtol >= " + std::string(dop853_min_rtol) +
                                  " (its coefficients carry 28-30 digits), got " + to_string(m_opt.rtol));
    const dop853_tableau<Real> T;
    const Eigen::Index dim = m_x.size();
    std::array<vector<Real>, 16> k;
    for (auto& v : k) v.resize(dim);
    std::array<vector<Real>, 8> r;
    for (auto& v : r) v.resize(dim);
    vector<Real> y(dim), e5v(dim), e3v(dim), errv(dim);
    const Real safety = Real(9) / 10, fac_min = Real(1) / 3, fac_max = Real(6);
    const Real expo = Real(-1) / 8;
    // The nonzero coefficients of each linear combination, with the vectors they multiply (fixed for the run).
    struct combination {
      std::array<Real, 16> coef;   // a_sj, e_j or d_ij
      std::array<Real, 16> scaled;  // h times coef, per step
      std::array<const vector<Real>*, 16> vec;
      int terms = 0;
      void add(const Real& c, const vector<Real>& v) {
        coef[static_cast<std::size_t>(terms)] = c;
        vec[static_cast<std::size_t>(terms++)] = &v;
      }
    };
    std::array<combination, 16> stage;  // stage s: a_sj k_j, j < s (row 12 of a is b)
    combination err5, err3;
    std::array<combination, 4> dense_rows;
    for (std::size_t s = 1; s < 16; ++s)
      for (std::size_t j = 0; j < s; ++j)
        if (T.a[s][j] != 0) stage[s].add(T.a[s][j], k[j]);
    for (std::size_t j = 0; j < 13; ++j) {
      if (T.e5[j] != 0) err5.add(T.e5[j], k[j]);
      if (T.e3[j] != 0) err3.add(T.e3[j], k[j]);
    }
    for (std::size_t i = 0; i < 4; ++i)
      for (std::size_t j = 0; j < 16; ++j)
        if (T.d[i][j] != 0) dense_rows[i].add(T.d[i][j], k[j]);
    // dst = base + h sum c_j v_j (base null: from zero), in one pass (linear_combination).
    auto combine = [](combination& c, const Real& h, const vector<Real>* base, vector<Real>& dst) {
      for (std::size_t t = 0; t < static_cast<std::size_t>(c.terms); ++t) c.scaled[t] = h * c.coef[t];
      linear_combination<Real>(dst, base, c.scaled.data(), c.vec.data(), c.terms);
    };
    // dst = m_x + h sum_(j < s) a_sj k_j (the stage's argument).
    auto stage_argument = [&](int s, const Real& h, vector<Real>& dst) {
      combine(stage[static_cast<std::size_t>(s)], h, &m_x, dst);
    };
    Real dt = initial_step();
    bool after_reject = false;
    m_sys(m_x, k[0], m_t);
    while (!m_stop && m_t < m_t1) {
      if (out_of_budget()) break;
      Real h = min(dt, Real(m_t1 - m_t));
      const bool clipped = h < dt;
      for (int s = 1; s < 12; ++s) {
        stage_argument(s, h, y);
        m_sys(y, k[static_cast<std::size_t>(s)], Real(m_t + T.c[static_cast<std::size_t>(s)] * h));
      }
      stage_argument(12, h, m_x_new);  // row 12 of a is b: the 8th-order solution
      m_sys(m_x_new, k[12], Real(m_t + h));
      if (!all_finite(m_x_new) || !all_finite(k[12])) {
        after_reject = true;
        if (reject_non_finite_trial(dt, h)) continue;
        break;
      }
      linear_combination<Real>(e5v, nullptr, err5.coef.data(), err5.vec.data(), err5.terms);
      linear_combination<Real>(e3v, nullptr, err3.coef.data(), err3.vec.data(), err3.terms);
      const Real err = dop853_error(m_x, k[0], e5v, e3v, h, m_opt.atol, m_opt.rtol, errv);
      if (!is_finite(err)) {
        after_reject = true;
        if (reject_non_finite_trial(dt, h)) continue;
        break;
      }
      if (err > 1) {
        ++m_st.rejected;
        after_reject = true;
        dt = h * max(fac_min, Real(safety * pow(err, expo)));
        if (is_underflow(dt, m_t)) {
          step_underflow(dt);
          break;
        }
        continue;
      }
      Real fac = err > 0 ? min(fac_max, Real(safety * pow(err, expo))) : fac_max;
      if (after_reject) fac = min(fac, Real(1));
      after_reject = false;
      const Real t_start = m_t;
      bool dense_ready = false;
      auto dense = [&](const Real& tau, vector<Real>& out) {
        if (!dense_ready) {  // the three extra stages and the interpolant's coefficients, once per step
          for (int s = 13; s < 16; ++s) {
            stage_argument(s, h, y);
            m_sys(y, k[static_cast<std::size_t>(s)], Real(t_start + T.c[static_cast<std::size_t>(s)] * h));
          }
          r[0] = m_x;
          r[1] = m_x_new - m_x;
          r[2] = h * k[0] - r[1];
          r[3] = r[1] - h * k[12] - r[2];
          for (std::size_t i = 0; i < 4; ++i) combine(dense_rows[i], h, nullptr, r[4 + i]);
          dense_ready = true;
        }
        const Real th = (tau - t_start) / h, th1 = 1 - th;
        if constexpr (std::is_arithmetic_v<Real>) {  // the same Horner steps, entry by entry in one pass
          out.resize(dim);
          const Real *r0 = r[0].data(), *r1 = r[1].data(), *r2 = r[2].data(), *r3 = r[3].data(), *r4 = r[4].data(),
                     *r5 = r[5].data(), *r6 = r[6].data(), *r7 = r[7].data();
          Real* const o = out.data();
          for (Eigen::Index i = 0; i < dim; ++i) {
            Real v = th * r7[i] + r6[i];
            v = th1 * v + r5[i];
            v = th * v + r4[i];
            v = th1 * v + r3[i];
            v = th * v + r2[i];
            v = th1 * v + r1[i];
            o[i] = th * v + r0[i];
          }
        } else {
          out = th * r[7] + r[6];
          out = th1 * out + r[5];
          out = th * out + r[4];
          out = th1 * out + r[3];
          out = th * out + r[2];
          out = th1 * out + r[1];
          out = th * out + r[0];
        }
      };
      dt = next_trial_step(dt, Real(h * fac), clipped);
      if (m_opt.max_dt > 0 && dt > m_opt.max_dt) dt = m_opt.max_dt;
      if (!accept(snap_to(Real(m_t + h), m_t1), dense)) break;
      k[0].swap(k[12]);
    }
  }

  /// fehlberg78 and bulirsch_stoer: odeint's controlled steps, clipped to land on every observation time; the
  /// dense output (events, a terminal event's end) re-integrates from the start of the step with a fresh controller.
  template <class MakeController> void refined_loop(MakeController make_fresh) {
    auto ctrl = make_fresh();
    Real dt = initial_step();
    while (!m_stop && m_t < m_t1) {
      if (out_of_budget()) break;
      const Real target = next_stop();
      Real h = std::min(dt, Real(target - m_t));
      const bool clipped = h < dt;
      Real t_reached = m_t;
      const Real tried = h;
      if (ctrl.try_step(m_sys, m_x, t_reached, m_x_new, h) == odeint::fail) {
        ++m_st.rejected;
        dt = after_rejection(tried, h);
        if (is_underflow(dt, m_t)) step_underflow(dt);
        continue;
      }
      if (!all_finite(m_x_new)) {
        if (reject_non_finite_trial(dt, h)) continue;
        break;
      }
      const Real t_start = m_t;
      auto dense = [&](const Real& tau, vector<Real>& out) {
        auto sub = make_fresh();
        out = m_x;
        Real ts = t_start, hs = tau - t_start;
        while (ts < tau) {
          Real hh = std::min(hs, Real(tau - ts));
          Real t_sub = ts;
          if (sub.try_step(m_sys, out, t_sub, hh) == odeint::success) {
            ts = snap_to(t_sub, tau);
            if (!all_finite(out)) break;
          }
          hs = hh;
          if (is_underflow(hs, ts)) break;
        }
      };
      dt = next_trial_step(dt, h, clipped);
      if (!accept(snap_to(t_reached, target), dense)) break;
    }
  }

  /// rk4: each interval between consecutive stops (observation times and t1) cut into equal steps of at most dt;
  /// the dense output is one rk4 step of the needed length from the start of the step.
  void rk4_loop() {
    using std::abs;
    using std::ceil;
    rk4_stepper<Real> rk;
    while (!m_stop && m_t < m_t1) {
      const Real target = next_stop();
      const Real len = target - m_t;
      // Grid times carry rounding of a few ulps of |t| (not of the interval), so allow that much slack.
      const Real slack = 64 * eps<Real>() * std::max(Real(abs(target)), Real(1));
      std::size_t nsteps = static_cast<std::size_t>(to_double(ceil(Real((len - slack) / m_opt.dt))));
      if (nsteps == 0) nsteps = 1;
      const Real h = len / Real(nsteps);
      const Real t_seg = m_t;
      for (std::size_t k = 0; k < nsteps && !m_stop; ++k) {
        if (out_of_budget()) break;
        const Real t_new = (k + 1 == nsteps) ? target : Real(t_seg + Real(k + 1) * h);
        rk.do_step(m_sys, m_x, m_t, m_x_new, Real(t_new - m_t));
        if (!new_state_finite()) break;
        const Real t_start = m_t;
        auto dense = [&](const Real& tau, vector<Real>& out) {
          rk4_stepper<Real> one;
          one.do_step(m_sys, m_x, t_start, out, Real(tau - t_start));
        };
        if (!accept(t_new, dense)) break;
      }
    }
  }

  /// taylor: a Taylor series of order K at every step (Jorba and Zou 2005). Step size from the last two
  /// coefficients, componentwise: |c_j,i| h^j <= atol + rtol |x_i| for j = K - 1 and K, times a safety factor (a
  /// component that is exactly 0 with atol = 0 sets no limit; odeint's checker would use dt |x'_i| there). The series
  /// is its own dense output: every tau in [0, h] has the same error bound, so observations and events are taken on
  /// it directly. No step is ever rejected; a step that would be below a few ulps of t is an underflow.
  /// Adaptive order (taylor_order = 0): the same expansion also gives the step every lower order k would have
  /// allowed (from c_(k-1), c_k), so after each step the orders K - 3 .. K (not below 8) are compared by step length
  /// per unit of expansion work (series_source::expansion_work); the next step uses the best of them, or K + 2 when
  /// K itself is best (the efficiency is still rising). Starts at taylor_auto_order(rtol).
  void taylor_loop() {
    using std::abs;
    using std::max;
    using std::pow;
    if (!m_opt.series) throw std::invalid_argument("integrate: method taylor needs the field's Taylor series (a lora_model)");
    if (m_opt.taylor_order > 0 && m_opt.taylor_order < 4)
      throw std::invalid_argument("integrate: taylor_order must be 0 (adaptive) or at least 4, got " +
                                  std::to_string(m_opt.taylor_order));
    const Eigen::Index dim = m_x.size();
    const bool adapt = m_opt.taylor_order <= 0;
    int K = adapt ? taylor_auto_order(m_opt.rtol) : m_opt.taylor_order;
    const int K_max = adapt ? std::min(200, 3 * K) : K;
    const int K_min = std::min(K, 8);
    m_st.taylor_order = K;
    std::vector<vector<Real>> c(static_cast<std::size_t>(K_max) + 1, vector<Real>(dim));
    const Real safety = Real(9) / 10;
    // The step order k allows: safety * min over j in {k - 1, k} of (1 / max_i |c_j,i| / tol_i)^(1/j); the span
    // when those coefficients vanish; NaN when one is not finite.
    auto step_for = [&](int k) -> Real {
      Real worst_k1(0), worst_k(0);
      for (Eigen::Index i = 0; i < dim; ++i) {
        const Real tol_i = m_opt.atol + m_opt.rtol * abs(m_x(i));
        if (!(tol_i > 0)) continue;  // a zero component with atol = 0 has no scale: the others set the step
        worst_k1 = max(worst_k1, Real(abs(c[static_cast<std::size_t>(k) - 1](i)) / tol_i));
        worst_k = max(worst_k, Real(abs(c[static_cast<std::size_t>(k)](i)) / tol_i));
      }
      if (!is_finite(worst_k1) || !is_finite(worst_k)) return std::numeric_limits<Real>::quiet_NaN();
      Real h = m_t1 - m_t0;
      if (worst_k1 > 0) h = std::min(h, Real(safety * pow(Real(1) / worst_k1, Real(1) / Real(k - 1))));
      if (worst_k > 0) h = std::min(h, Real(safety * pow(Real(1) / worst_k, Real(1) / Real(k))));
      return h;
    };
    while (!m_stop && m_t < m_t1) {
      if (out_of_budget()) break;
      m_opt.series->expand(m_x, K, c);
      ++m_st.expansions;
      m_st.taylor_order = std::max(m_st.taylor_order, K);
      const int K_step = K;  // this step's order (K may change below, for the next step)
      const Real h_K = step_for(K);
      if (!is_finite(h_K)) {
        fail(run_status::non_finite, "Taylor coefficients became non-finite at t = " + to_string(m_t));
        break;
      }
      Real h = std::min(h_K, Real(m_t1 - m_t));
      if (m_opt.max_dt > 0) h = std::min(h, m_opt.max_dt);
      if (is_underflow(h, m_t)) {
        step_underflow(h);
        break;
      }
      if (adapt) {  // choose the next step's order (the estimates do not depend on clipping to t1 or max_dt)
        int best = K;
        double best_rate = to_double(h_K) / m_opt.series->expansion_work(K);
        for (int k = std::max(K_min, K - 3); k < K; ++k) {
          const Real hk = step_for(k);
          const double rate = is_finite(hk) ? to_double(hk) / m_opt.series->expansion_work(k) : 0.0;
          if (rate > best_rate) best_rate = rate, best = k;
        }
        K = best == K ? std::min(K_max, K + 2) : best;
      }
      const Real t_start = m_t;
      auto dense = [&](const Real& tau, vector<Real>& out) {  // Horner on the series
        const Real d = tau - t_start;
        out = c[static_cast<std::size_t>(K_step)];
        for (int j = K_step - 1; j >= 0; --j) {
          out *= d;
          out += c[static_cast<std::size_t>(j)];
        }
      };
      // Snap to t1 when what would be left is below the underflow threshold (else the next step would fail).
      const Real t_new = is_underflow(Real(m_t1 - (m_t + h)), m_t1) ? m_t1 : Real(m_t + h);
      dense(t_new, m_x_new);
      if (!new_state_finite()) break;
      if (!accept(t_new, dense)) break;
    }
  }

  /// gd: x_(k+1) = x_k + eta_k f(x_k). With opt.gd_steps = 0: K = round((t1 - t0)/eta) steps of eta = dt; each
  /// observation time is delivered at the step nearest to it, and the run ends at t0 + K eta, the time it actually
  /// reached (t1 itself only when (t1 - t0)/eta is an integer). With gd_steps = K > 0: K iterations of opt.gd_step
  /// (or dt), observed at the iterations gd_observe_steps, iterate k at time t0 + sum of the steps before it. GD has
  /// no dense output: an event is the first step k with g >= 0. An iterate that is not finite or whose gradient's
  /// squared norm is not finite (or a step rule that gives no finite step > 0) ends the run with status diverged at
  /// the iterate before.
  void gd_loop() {
    using std::round;
    const Real eta0 = m_opt.dt;
    const bool by_steps = m_opt.gd_steps > 0;
    if (m_opt.gd_step && !by_steps) throw std::invalid_argument("integrate: a GD step rule needs gd_steps (the iteration count)");
    std::size_t K = m_opt.gd_steps;
    if (!by_steps) {
      K = static_cast<std::size_t>(to_double(round(Real((m_t1 - m_t0) / eta0))));
      if (K == 0) throw std::invalid_argument("integrate: GD step eta is larger than twice the time span");
    }
    gd_trace<Real> own;
    gd_trace<Real>& tr = m_opt.trace ? *m_opt.trace : own;
    auto step_time = [&](std::size_t k) { return Real(m_t0 + Real(k) * eta0); };
    auto step_of = [&](const Real& to) { return static_cast<std::size_t>(to_double(round(Real((to - m_t0) / eta0)))); };
    const std::vector<std::size_t>& obs_steps = m_opt.gd_observe_steps;
    std::size_t next_step_obs = 0;  // the first of obs_steps not yet delivered
    auto observe_steps = [&](std::size_t k, const Real& t, const vector<Real>& x) {
      while (next_step_obs < obs_steps.size() && (obs_steps[next_step_obs] <= k || k == K)) {
        m_obs(t, x);
        ++next_step_obs;
      }
    };
    if (by_steps) observe_steps(0, m_t, m_x);
    // The field of each iterate is computed once, right after the step that makes it (first same as last), with its
    // squared norm: an iterate whose gradient's squared norm overflows has diverged too (its loss overflows with it,
    // or nearly), and the run keeps the one before.
    m_sys(m_x, m_dxdt, m_t);
    Real g2 = detail::squared_norm_kernel(m_dxdt);  // ||grad J||^2 at the current iterate
    if (!is_finite(g2)) {
      fail(run_status::diverged, "the gradient at the initial state is not finite (its squared norm overflows)");
      return;
    }
    for (std::size_t k = 1; !m_stop && k <= K; ++k) {
      if (out_of_budget()) break;
      const Real eta = m_opt.gd_step ? m_opt.gd_step(m_x, m_dxdt) : eta0;
      if (!(eta > 0) || !is_finite(eta)) {
        fail(run_status::diverged, "the step rule gave eta = " + to_string(eta) + " at iterate " + std::to_string(k - 1) +
                                       " (t = " + to_string(m_t) + "); the run ends there");
        break;
      }
      detail::axpy_kernel(m_x_new, m_x, eta, m_dxdt);  // m_x + eta m_dxdt, rounded once per entry in the kernel types
      const Real t_new = by_steps ? Real(m_t + eta) : step_time(k);
      Real g2_new = std::numeric_limits<Real>::infinity();
      if (all_finite(m_x_new)) {
        m_sys(m_x_new, m_dxdt_new, t_new);
        g2_new = detail::squared_norm_kernel(m_dxdt_new);  // not finite when an entry is not, or when the sum overflows
      }
      if (!is_finite(g2_new)) {
        fail(run_status::diverged, "GD diverged: iterate " + std::to_string(k) + " or its gradient is not finite (eta = " +
                                       to_string(eta) + "); the run ends at iterate " + std::to_string(k - 1) +
                                       ", t = " + to_string(m_t));
        break;
      }
      if (g2 < tr.min_grad_norm2) tr.min_grad_norm2 = g2;
      g2 = g2_new;
      tr.iteration = k;
      tr.sum_eta = by_steps ? Real(tr.sum_eta + eta) : Real(Real(k) * eta0);  // summed, not t_new - t0 (digits)
      tr.last_eta = eta;
      ++m_st.steps;
      for (std::size_t e = 0; e < m_events.size(); ++e) {
        if (m_hits[e].found || !(m_events[e].g(t_new, m_x_new) >= 0)) continue;
        m_hits[e].found = true;
        m_hits[e].t = t_new;
        m_hits[e].x = m_x_new;
        if (m_events[e].terminal) m_stop = true;
      }
      if (by_steps) observe_steps(k, t_new, m_x_new);
      else
        while (has_observation() && (step_of(m_obs_times[m_next_obs]) <= k || k == K)) observe_at(t_new, m_x_new);
      m_x.swap(m_x_new);
      m_dxdt.swap(m_dxdt_new);
      m_t = t_new;
      if (!report_progress()) break;
    }
  }

  vector<Real>& m_x;
  Real m_t;
  const Real m_t0, m_t1;
  const std::vector<Real>& m_obs_times;
  const observer_fn<Real>& m_obs;
  const solve_options<Real>& m_opt;
  const std::vector<event_spec<Real>>& m_events;
  const progress_fn<Real>& m_progress;
  run_stats<Real> m_st;
  counting_system<Real> m_sys;
  std::size_t m_next_obs = 0;  ///< the first observation time not yet delivered
  std::vector<event_hit<Real>> m_hits;
  bool m_stop = false;             ///< set by a failure, a terminal event or the caller's stop
  bool m_ended_at_event = false;   ///< a terminal event ended the run (t_final is the event time)
  vector<Real> m_x_new, m_x_tmp, m_dxdt, m_dxdt_new;
};

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
  const fp_environment_scope fp_scope;  // round to nearest, no FTZ/DAZ, whatever the host set (fp_env.hpp)
  if (!(t1 > t0)) throw std::invalid_argument("integrate: end time must be greater than start time");
  if (is_adaptive(opt.stepper) && !(opt.rtol > 0)) throw std::invalid_argument("integrate: rtol must be > 0");
  if (opt.atol < 0) throw std::invalid_argument("integrate: atol must be >= 0");
  if (!is_adaptive(opt.stepper) && !(opt.dt > 0) && !(opt.stepper == method::gd && opt.gd_step))
    throw std::invalid_argument(std::string("integrate: ") + method_name(opt.stepper) + " needs a step dt > 0");
  for (std::size_t i = 1; i < obs_times.size(); ++i)
    if (obs_times[i] < obs_times[i - 1]) throw std::invalid_argument("integrate: observation times must be sorted");
  for (std::size_t i = 1; i < opt.gd_observe_steps.size(); ++i)
    if (opt.gd_observe_steps[i] < opt.gd_observe_steps[i - 1])
      throw std::invalid_argument("integrate: gd_observe_steps must be sorted");
  detail::integration<Real> run(sys, x, t0, t1, obs_times, obs, opt, events, progress);
  const run_stats<Real> st = run.run();
  if (hits) *hits = run.hits();
  return st;
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
