// loraflow/run/pipeline.hpp: the typed stages of a run, for one scalar type: the one pipeline that `loraflow run`
// (execute_typed, below), `loraflow problem` (run/export.cpp) and `loraflow check` (validation/check/measure.cpp)
// share, so that a check measures through the code path a user's run takes.
//
// Stages:
//   1. setup_problem: the problem at working precision (the Xu et al. generator, or matrices from .npy / text
//      files), its shape and rank checks, the dY direction, and the spectral basis / singular frame when needed;
//   2. initialize: the adapters' initial state and alpha (small, spectral, or from files);
//   3. solver_options, end_time, observation_times: the solver settings the config asks for;
//   4. integrate (integrate/integrate.hpp) with the caller's observers and events;
//   5. (run only) the summary and the atomic outputs, in execute_typed.
// Bad input throws input_error naming the key; numerical failure is a status.
#pragma once

#include <loraflow/fp_env.hpp>
#include <loraflow/integrate/integrate.hpp>
#include <loraflow/integrate/step_rule.hpp>
#include <loraflow/io/atomic_file.hpp>
#include <loraflow/io/npy.hpp>
#include <loraflow/io/text_matrix.hpp>
#include <loraflow/model/init.hpp>
#include <loraflow/model/lora_series.hpp>
#include <loraflow/model/objective.hpp>
#include <loraflow/model/one_matrix.hpp>
#include <loraflow/model/singular_frame.hpp>
#include <loraflow/model/xu2025.hpp>
#include <loraflow/observe/events.hpp>
#include <loraflow/observe/frame_observer.hpp>
#include <loraflow/observe/metrics.hpp>
#include <loraflow/observe/stationary.hpp>
#include <loraflow/run/precision.hpp>
#include <loraflow/run/run.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <unistd.h>

namespace loraflow {

/// A matrix file at working precision: .npy (float64, exact) or a text matrix (decimal strings, parsed at Real); or,
/// for a path "array:NAME", the in-memory matrix NAME of c.arrays (float64, or decimal strings), read the same way.
template <class Real> matrix<Real> read_matrix_file(const run_config& c, const std::string& path, const std::string& key) {
  try {
    if (is_memory_path(path)) {
      const std::string name = path.substr(std::string(memory_path_prefix).size());
      const auto it = c.arrays ? c.arrays->find(name) : memory_arrays::const_iterator{};
      if (!c.arrays || it == c.arrays->end())
        throw input_error(c.source + ": key '" + key + "': no array named '" + name + "' was given (array:NAME names a matrix passed in memory, by the Python module)");
      const memory_matrix& a = it->second;
      const std::size_t count = a.rows * a.cols;
      if (count == 0 || (a.text.empty() ? a.f64.size() : a.text.size()) != count)
        throw input_error(c.source + ": key '" + key + "': array '" + name + "' is empty or its entries do not match its shape " +
                          std::to_string(a.rows) + " x " + std::to_string(a.cols));
      matrix<Real> m(static_cast<Eigen::Index>(a.rows), static_cast<Eigen::Index>(a.cols));
      for (std::size_t k = 0; k < count; ++k) {
        const auto i = static_cast<Eigen::Index>(k % a.rows), j = static_cast<Eigen::Index>(k / a.rows);
        if (a.text.empty()) {
          if (!std::isfinite(a.f64[k]))
            throw input_error(c.source + ": key '" + key + "': array '" + name + "' entry (" + std::to_string(i) + "," +
                              std::to_string(j) + ") is not finite; expected a finite number");
          m(i, j) = Real(a.f64[k]);
        } else {
          try {
            m(i, j) = parse<Real>(a.text[k]);
          } catch (const std::invalid_argument& e) {
            throw input_error(c.source + ": key '" + key + "': array '" + name + "' entry (" + std::to_string(i) + "," +
                              std::to_string(j) + "): " + e.what());
          }
        }
      }
      return m;
    }
    if (path.size() >= 4 && path.compare(path.size() - 4, 4, ".npy") == 0) {
      const npy_array a = read_npy(path);
      const Eigen::Index rows = static_cast<Eigen::Index>(a.shape.at(0));
      const Eigen::Index cols = a.shape.size() > 1 ? static_cast<Eigen::Index>(a.shape[1]) : 1;
      matrix<Real> m(rows, cols);
      for (Eigen::Index j = 0; j < cols; ++j)
        for (Eigen::Index i = 0; i < rows; ++i) m(i, j) = Real(a.data[static_cast<std::size_t>(i + j * rows)]);
      return m;
    }
    const text_matrix t = read_text_matrix(path);
    matrix<Real> m(static_cast<Eigen::Index>(t.rows), static_cast<Eigen::Index>(t.cols));
    for (std::size_t k = 0; k < t.entries.size(); ++k) {
      try {
        m(static_cast<Eigen::Index>(k % t.rows), static_cast<Eigen::Index>(k / t.rows)) = parse<Real>(t.entries[k]);
      } catch (const std::invalid_argument& e) {
        throw input_error(path + ": entry (" + std::to_string(k % t.rows) + "," + std::to_string(k / t.rows) + "): " + e.what());
      }
    }
    return m;
  } catch (const input_error& e) {
    throw input_error(std::string(e.what()) + " (key '" + key + "')");
  }
}

inline void check_shape(const std::string& key, const std::string& path, Eigen::Index rows, Eigen::Index cols,
                        Eigen::Index want_rows, Eigen::Index want_cols, const std::string& why) {
  if (rows != want_rows || cols != want_cols)
    throw input_error(path + ": shape " + std::to_string(rows) + "x" + std::to_string(cols) + "; expected " +
                      std::to_string(want_rows) + "x" + std::to_string(want_cols) + " (" + why + ") (key '" + key + "')");
}

/// parse<Real> for a config value, reported as a bad input naming the key (e.g. a value that underflows).
template <class Real> Real parse_key(const run_config& c, const std::string& text, const std::string& key) {
  try {
    return parse<Real>(text);
  } catch (const std::invalid_argument& e) {
    throw input_error(c.source + ": key '" + key + "': " + e.what());
  }
}

/// The observation times of observe.times (run/config.hpp's grid or list) at working precision, sorted; each must
/// lie in [0, t_end].
template <class Real> std::vector<Real> observation_times(const run_config& c, const Real& t_end) {
  using std::pow;
  const observe_config& ob = c.observe;
  std::vector<Real> t;
  if (ob.spacing == "list") {
    for (const auto& s : ob.list) t.push_back(parse_key<Real>(c, s, "observe.times"));
    std::sort(t.begin(), t.end());
  } else {
    const Real a = parse_key<Real>(c, ob.a, "observe.times"), b = parse_key<Real>(c, ob.b, "observe.times");
    const long n = ob.n;
    for (long i = 0; i < n; ++i) {
      const Real e = i + 1 == n ? b : Real(a + (b - a) * Real(i) / Real(n - 1));
      t.push_back(ob.spacing == "linspace" ? e : Real(pow(Real(10), e)));
    }
  }
  for (const Real& x : t)
    if (x < 0 || x > t_end)
      throw input_error(c.source + ": key 'observe.times': time " + to_string(x) + " is outside [0, solve.t_end = " + c.solve.t_end + "]");
  return t;
}

// ---- Stage 1: the problem ------------------------------------------------------------------------------------

/// The objective's data ([objective] of the config) for a problem whose W1, W2 and dY are set: from files (checked
/// against the problem's shape) or from the seeded generators of model/objective.hpp.
template <class Real> objective_data<Real> build_objective(const run_config& c, const lora_problem<Real>& p) {
  const objective_config& O = c.objective;
  objective_data<Real> d;
  d.kind = *parse_objective_kind(O.kind);
  const Eigen::Index m = p.W2.rows(), n = p.W1.cols();
  const std::string mn = std::to_string(m) + "x" + std::to_string(n);
  switch (d.kind) {
    case objective_kind::frobenius:
      break;
    case objective_kind::weighted:
      if (!O.weights.empty()) {
        d.weights = read_matrix_file<Real>(c, O.weights, "objective.weights");
        check_shape("objective.weights", O.weights, d.weights.rows(), d.weights.cols(), m, n, "the shape of dY, " + mn);
        for (Eigen::Index j = 0; j < n; ++j)
          for (Eigen::Index i = 0; i < m; ++i)
            if (!(d.weights(i, j) > 0) || !is_finite(d.weights(i, j)))
              throw input_error(O.weights + ": entry (" + std::to_string(i) + "," + std::to_string(j) + ") is " +
                                to_string(d.weights(i, j)) + "; expected a finite weight > 0 (key 'objective.weights')");
      } else {
        d.weights = weights_with_ratio<Real>(m, n, parse_key<Real>(c, O.ratio, "objective.ratio"), O.seed);
      }
      break;
    case objective_kind::sensing:
      if (!O.operator_file.empty()) {
        d.sensing = read_matrix_file<Real>(c, O.operator_file, "objective.operator");
        if (d.sensing.cols() != m * n)
          check_shape("objective.operator", O.operator_file, d.sensing.rows(), d.sensing.cols(), d.sensing.rows(), m * n,
                      "N x (m n): one row vec(M_k)^T, column-major, per measurement of a " + mn + " matrix");
      } else {
        gaussian_sensing<Real>(O.measurements, m, n, parse_key<Real>(c, O.noise, "objective.noise"), O.seed, d);
      }
      break;
    case objective_kind::logistic:
      if (!O.features.empty()) {
        d.features = read_matrix_file<Real>(c, O.features, "objective.features");
        if (d.features.rows() != n)
          check_shape("objective.features", O.features, d.features.rows(), d.features.cols(), n, d.features.cols(),
                      "n x N: one column per sample, n = columns of W1");
        const matrix<Real> y = read_matrix_file<Real>(c, O.labels, "objective.labels");
        const Eigen::Index N = d.features.cols();
        if (y.size() != N || (y.rows() != 1 && y.cols() != 1))
          throw input_error(O.labels + ": shape " + std::to_string(y.rows()) + "x" + std::to_string(y.cols()) +
                            "; expected " + std::to_string(N) + " labels in one row or column, one per column of "
                            "the features (key 'objective.labels')");
        for (Eigen::Index k = 0; k < N; ++k) {
          const Real v = y.data()[k];
          if (!(v >= 0 && v < Real(m) && v == Real(static_cast<long>(to_double(v)))))
            throw input_error(O.labels + ": label " + std::to_string(k) + " is " + to_string(v) +
                              "; expected a class index 0.." + std::to_string(m - 1) + " (m = rows of W2) (key 'objective.labels')");
          d.labels.push_back(static_cast<Eigen::Index>(to_double(v)));
        }
      } else {
        teacher_logistic<Real>(O.samples, matrix<Real>(p.W2 * p.W1 + p.dY), O.separable, O.seed, d);
      }
      break;
  }
  return d;
}

/// The problem alone (what `loraflow problem` exports): see setup_problem. Fills *basis (the spectral frame) when
/// the generator made it or when the spectral initialization needs it, and *frame when asked.
template <class Real>
lora_problem<Real> build_problem(const run_config& c, spectral_basis<Real>* basis, singular_frame<Real>* frame = nullptr) {
  lora_problem<Real> p;
  p.rank = c.lora.rank;
  p.adapt_W1 = c.lora.adapt_W1;
  p.adapt_W2 = c.lora.adapt_W2;
  p.scale = parse_key<Real>(c, c.lora.scale, "lora.scale");
  p.weight_decay = parse_key<Real>(c, c.lora.weight_decay, "lora.weight_decay");
  if (c.problem.kind == "xu2025") {
    xu2025_spec<Real> spec;
    spec.m = c.problem.m;
    spec.n = c.problem.n;
    spec.h = c.problem.h;
    spec.c = parse_key<Real>(c, c.problem.scale, "problem.scale");
    spec.seed = c.problem.seed;
    spec.dy.clear();
    for (std::size_t i = 0; i < c.problem.pair.size(); ++i)
      spec.dy.push_back(dy_component<Real>{c.problem.pair[i], parse_key<Real>(c, c.problem.sigma[i], "problem.sigma")});
    generated_problem<Real> gp = generate_xu2025(spec);
    if (frame) *frame = xu2025_frame(gp, spec, p);
    p.W1 = std::move(gp.W1);
    p.W2 = std::move(gp.W2);
    p.dY = std::move(gp.dY);
    if (basis) *basis = std::move(gp.basis);
  } else if (c.problem.kind == "one_matrix") {
    matrix<Real> W0, S;
    if (!c.problem.W0.empty()) {
      W0 = read_matrix_file<Real>(c, c.problem.W0, "problem.W0");
      S = read_matrix_file<Real>(c, c.problem.S, "problem.S");
      check_shape("problem.S", c.problem.S, S.rows(), S.cols(), W0.rows(), W0.cols(), "the shape of W0");
    } else {
      one_matrix_spec<Real> spec;
      spec.m = c.problem.m;
      spec.n = c.problem.n;
      spec.seed = c.problem.seed;
      spec.sigma.clear();
      for (const std::string& t : c.problem.sigma) spec.sigma.push_back(parse_key<Real>(c, t, "problem.sigma"));
      generate_one_matrix(spec, W0, S);
    }
    // W2 = I exactly, only the W1 adapter (model/lora.hpp, one_matrix_problem); rank, scale and decay as set above.
    const lora_problem<Real> om = one_matrix_problem<Real>(W0, S, p.rank);
    p.W1 = om.W1;
    p.W2 = om.W2;
    p.dY = om.dY;
    p.adapt_W1 = om.adapt_W1;
    p.adapt_W2 = om.adapt_W2;
    if (basis && c.lora.init == "spectral") *basis = spectral_basis_of(p.W1, p.W2);
  } else {
    p.W1 = read_matrix_file<Real>(c, c.problem.W1, "problem.W1");
    p.W2 = read_matrix_file<Real>(c, c.problem.W2, "problem.W2");
    p.dY = read_matrix_file<Real>(c, c.problem.dY, "problem.dY");
    check_shape("problem.W2", c.problem.W2, p.W2.rows(), p.W2.cols(), p.W2.rows(), p.W1.rows(),
                "columns of W2 = rows of W1 = " + std::to_string(p.W1.rows()));
    check_shape("problem.dY", c.problem.dY, p.dY.rows(), p.dY.cols(), p.W2.rows(), p.W1.cols(),
                "rows of W2 x columns of W1");
    if (basis && c.lora.init == "spectral") *basis = spectral_basis_of(p.W1, p.W2);
  }
  p.objective = build_objective<Real>(c, p);
  const Eigen::Index m = p.W2.rows(), n = p.W1.cols(), h = p.W1.rows();
  const Eigen::Index rank_limit = c.lora.init == "spectral" ? std::min(m, n) : std::min({m, n, h});
  if (p.rank > rank_limit)
    throw input_error(c.source + ": key 'lora.rank': expected rank <= " + std::to_string(rank_limit) + " for this problem (m = " +
                      std::to_string(m) + ", n = " + std::to_string(n) + ", h = " + std::to_string(h) + "), got " + std::to_string(p.rank));
  return p;
}

/// Stage 1: the problem, its model and direction, and what the initialization and the frame need.
template <class Real> struct problem_setup {
  lora_problem<Real> problem;
  spectral_basis<Real> basis;                  ///< filled for the generator, and for spectral init from files
  std::optional<singular_frame<Real>> frame;  ///< the plan's frame is singular (solve.frame, run/precision.hpp)
  direction<Real> dir;                         ///< u, v, g, gamma_i, sigma, delta_w, the T1 threshold (NaN: dir.undefined)
};

/// in_frame: also build the singular frame (the plan chose it: precision_plan::frame).
template <class Real> problem_setup<Real> setup_problem(const run_config& c, bool in_frame = false) {
  problem_setup<Real> s;
  singular_frame<Real> frame;
  s.problem = build_problem<Real>(c, &s.basis, in_frame ? &frame : nullptr);
  if (in_frame) s.frame = std::move(frame);
  s.dir = direction_of(s.problem);  // a problem without one runs: direction::undefined says why its metrics are NaN
  return s;
}

// ---- Stage 2: the initial state ------------------------------------------------------------------------------

template <class Real> struct initial_state {
  vector<Real> x0;  ///< the stacked adapters (lora_model's layout)
  Real alpha;       ///< the initialization scale (given, or the RMS of the A entries for init = files)
  /// init = spectral: the random r x r factors and the chosen directions S (model/init.hpp, spectral_init).
  matrix<Real> G11, G21;
  std::vector<Eigen::Index> S;
};

template <class Real>
initial_state<Real> initialize(const run_config& c, const lora_model<Real>& model, const spectral_basis<Real>& basis) {
  using std::sqrt;
  initial_state<Real> s;
  const lora_problem<Real>& p = model.problem();
  const Eigen::Index m = model.m(), n = model.n(), h = model.h();
  if (c.lora.init == "files") {
    const Eigen::Index r = p.rank;
    matrix<Real> A1, B1, A2, B2;
    if (p.adapt_W1) {
      A1 = read_matrix_file<Real>(c, c.lora.A1, "lora.A1");
      B1 = read_matrix_file<Real>(c, c.lora.B1, "lora.B1");
      check_shape("lora.A1", c.lora.A1, A1.rows(), A1.cols(), r, n, "rank x n");
      check_shape("lora.B1", c.lora.B1, B1.rows(), B1.cols(), h, r, "h x rank");
    }
    if (p.adapt_W2) {
      A2 = read_matrix_file<Real>(c, c.lora.A2, "lora.A2");
      B2 = read_matrix_file<Real>(c, c.lora.B2, "lora.B2");
      check_shape("lora.A2", c.lora.A2, A2.rows(), A2.cols(), r, h, "rank x h");
      check_shape("lora.B2", c.lora.B2, B2.rows(), B2.cols(), m, r, "m x rank");
    }
    s.x0 = model.pack(A1, B1, A2, B2);
    if (!c.lora.alpha.empty()) s.alpha = parse_key<Real>(c, c.lora.alpha, "lora.alpha");
    else {  // the scale of the initial adapters: root mean square of the A entries
      const Real sa = squared_norm(A1) + squared_norm(A2);
      const Real count = Real(A1.size() + A2.size());
      s.alpha = sqrt(sa / count);
      if (!(s.alpha > 0)) throw input_error(c.source + ": key 'lora.alpha': missing, and the initial A matrices are zero; give alpha");
    }
    return s;
  }
  s.alpha = parse_key<Real>(c, c.lora.alpha, "lora.alpha");
  try {
    s.x0 = c.lora.init == "small" ? small_init(model, s.alpha, c.lora.seed)
                                  : spectral_init(model, basis, s.alpha, c.lora.seed, &s.G11, &s.G21, &s.S);
  } catch (const std::invalid_argument& e) {
    throw input_error(c.source + ": key 'lora.rank': " + e.what());
  }
  return s;
}

// ---- Stage 3: the solver settings ----------------------------------------------------------------------------

/// The Taylor series of the model's flow, built only when the plan's method is taylor (the one method that reads it;
/// refused for a non-polynomial objective at config time, and never chosen for one by method = "auto").
template <class Real> std::optional<lora_series<Real>> series_for(const precision_plan& plan, const lora_model<Real>& model) {
  std::optional<lora_series<Real>> s;
  if (plan.method.stepper == method::taylor) s.emplace(model);
  return s;
}

/// solve.t_end at working precision.
template <class Real> Real end_time(const run_config& c) { return parse_key<Real>(c, c.solve.t_end, "solve.t_end"); }

/// The solver settings of the config under a precision plan: the plan's rtol, atol = rtol min(alpha, 1)^2 unless
/// given (odeint's default 1e-6 would swamp states of size alpha), dt, the step budget and the Taylor order.
template <class Real>
solve_options<Real> solver_options(const run_config& c, const precision_plan& plan, const Real& alpha,
                                   const series_source<Real>* series) {
  solve_options<Real> opt;
  opt.stepper = plan.method.stepper;
  opt.rtol = parse_key<Real>(c, plan.rtol, "solve.rtol");
  const Real a_cap = alpha < 1 ? alpha : Real(1);
  opt.atol = c.solve.atol.empty() ? Real(opt.rtol * a_cap * a_cap) : parse_key<Real>(c, c.solve.atol, "solve.atol");
  opt.dt = c.solve.dt.empty() ? Real(0) : parse_key<Real>(c, c.solve.dt, "solve.dt");
  opt.max_steps = static_cast<std::size_t>(c.solve.max_steps);
  opt.series = series;
  opt.taylor_order = static_cast<int>(c.solve.taylor_order);
  if (opt.stepper == method::gd && c.solve.steps == 0 && !(opt.dt * 2 <= end_time<Real>(c)))
    throw input_error(c.source + ": key 'solve.dt': the GD step eta = " + c.solve.dt + " must be at most t_end / 2");
  return opt;
}

/// A GD run's step rule and its record: what configure_gd points solve_options at (keep it alive for the run).
template <class Real> struct gd_setup {
  std::optional<gd_step_size<Real>> rule;
  gd_trace<Real> trace;
};

/// The iterations of observe.steps (a GD run of solve.steps iterations): the grid's values rounded to the nearest
/// iteration (or the list), sorted, repeats dropped.
inline std::vector<std::size_t> observation_steps(const run_config& c) {
  const observe_config& ob = c.observe;
  std::vector<std::size_t> k;
  if (ob.steps_spacing == "list") {
    for (long v : ob.steps_list) k.push_back(static_cast<std::size_t>(v));
  } else {
    const double a = parse<double>(ob.steps_a), b = parse<double>(ob.steps_b);
    for (long i = 0; i < ob.steps_n; ++i) {
      const double e = i + 1 == ob.steps_n ? b : a + (b - a) * static_cast<double>(i) / static_cast<double>(ob.steps_n - 1);
      const double v = ob.steps_spacing == "linspace" ? e : std::pow(10.0, e);
      k.push_back(static_cast<std::size_t>(std::min(std::llround(v), static_cast<long long>(c.solve.steps))));
    }
  }
  std::sort(k.begin(), k.end());
  k.erase(std::unique(k.begin(), k.end()), k.end());
  return k;
}

/// Stage 3 for method gd: the step rule of solve.step_rule with its constants at working precision, the iteration
/// count and observed iterations of solve.steps, and the trace (Mu-Klabjan's monitors), set into opt. A rule the
/// problem does not admit is bad input naming solve.step_rule.
template <class Real>
void configure_gd(const run_config& c, const lora_model<Real>& model, solve_options<Real>& opt, gd_setup<Real>& g) {
  if (opt.stepper != method::gd) return;
  const step_rule r = find_step_rule(c.solve.step_rule)->id;
  const Real cc = c.solve.step_c.empty() ? Real(0) : parse_key<Real>(c, c.solve.step_c, "solve.step_c");
  const Real Lf = c.solve.smoothness.empty() ? Real(0) : parse_key<Real>(c, c.solve.smoothness, "solve.smoothness");
  try {
    g.rule.emplace(r, model, opt.dt, cc, Lf);
  } catch (const std::invalid_argument& e) {
    throw input_error(c.source + ": key 'solve.step_rule': " + e.what());
  }
  opt.trace = &g.trace;
  if (c.solve.steps > 0) {
    opt.gd_steps = static_cast<std::size_t>(c.solve.steps);
    opt.gd_observe_steps = observation_steps(c);
  }
  if (r != step_rule::constant) {
    const gd_step_size<Real>& rule = *g.rule;
    opt.gd_step = [&rule](const vector<Real>& x, const vector<Real>& f) { return rule(x, f); };
  }
}

/// The relative resolution of an integrated state, for the stationary-point analysis (observe/stationary.hpp):
/// the adaptive methods' rtol; for gd the state is the exact iterate of the GD map, whose fixed points are the
/// stationary points of L (0: analyze_state raises it to 64 eps); for rk4 dt^4, the order of its global error.
template <class Real> Real state_resolution(const run_config& c, const precision_plan& plan) {
  const method k = plan.method.stepper;
  if (is_adaptive(k)) return parse_key<Real>(c, plan.rtol, "solve.rtol");
  if (k == method::gd) return Real(0);
  const Real dt = parse_key<Real>(c, c.solve.dt, "solve.dt");
  return dt * dt * dt * dt;
}

namespace detail {

template <class Real> nlohmann::ordered_json json_number(const Real& x) {
  if (!is_finite(x)) return nullptr;  // NaN / inf: null in every precision
  if constexpr (std::is_same_v<Real, double>) {
    return x;
  } else {
    return to_string(x);  // beyond double's precision: a decimal string with every digit
  }
}

template <class Real> nlohmann::ordered_json json_vector(const vector<Real>& v) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (Eigen::Index i = 0; i < v.size(); ++i) a.push_back(json_number(v(i)));
  return a;
}

template <class Real> nlohmann::ordered_json json_metrics(const metrics<Real>& m) {
  nlohmann::ordered_json j;
  const auto names = metrics<Real>::names();
  const auto values = m.values();
  for (std::size_t i = 0; i < names.size(); ++i) j[names[i]] = json_number(values[i]);
  return j;
}

/// summary.json's "stationary" block (and stationary.json of loraflow analyze).
template <class Real> nlohmann::ordered_json json_stationary(const state_analysis<Real>& a) {
  const stationary_analysis<Real>& p = a.point;
  nlohmann::ordered_json j;
  j["verdict"] = a.verdict;
  j["kind"] = point_kind_name(p.kind);
  j["resolution"] = json_number(a.resolution);
  j["loss"] = json_number(p.loss);
  j["grad_norm"] = json_number(p.grad_norm);
  j["grad_tol"] = json_number(a.tolerances.grad_tol);
  j["hessian_min"] = json_number(Real(p.hessian(0)));
  j["hessian_max"] = json_number(Real(p.hessian(p.hessian.size() - 1)));
  j["hess_tol"] = json_number(a.tolerances.hess_tol);
  j["hessian"] = json_vector(p.hessian);
  j["hessian_method"] = a.hessian_method;
  j["sigma"] = json_vector(p.sigma);
  j["rank"] = p.rank;
  j["rank_tol"] = json_number(a.tolerances.rank_tol);
  j["balance_W1"] = json_number(p.balance1);
  j["balance_W2"] = json_number(p.balance2);
  j["dual_norm"] = json_number(p.dual_norm);
  j["mu"] = json_number(p.mu);
  {
    const restricted_constants<Real>& k = a.constants;
    auto& cj = j["constants"];
    cj["alpha"] = json_number(k.alpha);
    cj["beta"] = json_number(k.beta);
    cj["alpha_lower"] = json_number(k.alpha_lower);
    cj["beta_upper"] = json_number(k.beta_upper);
    cj["alpha_monte_carlo"] = json_number(k.alpha_mc);
    cj["beta_monte_carlo"] = json_number(k.beta_mc);
    cj["how"] = k.how;
    cj["regime"] = k.regime;
    cj["certified"] = k.certified;
  }
  if (a.oracle) {
    auto& o = j["oracle"];
    o["method"] = a.oracle->method;
    o["rank"] = a.oracle->rank;
    o["sigma"] = json_vector(a.oracle->sigma);
    o["iterations"] = a.oracle->iterations;
    o["distance"] = json_number(p.distance);
    o["global_tol"] = json_number(a.tolerances.global_tol);
  } else {
    j["oracle"] = nullptr;
    j["oracle_absent"] = a.oracle_absent;
  }
  return j;
}

template <class Real> std::string human_stationary(const state_analysis<Real>& a) {
  const stationary_analysis<Real>& p = a.point;
  char b[512];
  std::snprintf(b, sizeof b,
                "  stationary: %s (||grad L|| = %.3g, tol %.3g; smallest Hessian eigenvalue %.3g, tol %.3g; rank %ld "
                "of F; ||grad f||_2 = %.6g vs lambda/s = %.6g)\n",
                a.verdict.c_str(), to_double(p.grad_norm), to_double(a.tolerances.grad_tol), to_double(Real(p.hessian(0))),
                to_double(a.tolerances.hess_tol), static_cast<long>(p.rank), to_double(p.dual_norm), to_double(p.mu));
  std::string out = b;
  if (a.constants.computed) {
    std::snprintf(b, sizeof b, "    Kim et al. constants: alpha = %.6g, beta = %.6g: %s%s\n", to_double(a.constants.alpha),
                  to_double(a.constants.beta), a.constants.regime.c_str(),
                  a.constants.certified ? " (certified)" : " (from estimates, not certified)");
    out += b;
  }
  if (a.oracle) {
    std::snprintf(b, sizeof b, "    oracle: rank %ld, ||F - X*||_F = %.3g (global within %.3g)\n",
                  static_cast<long>(a.oracle->rank), to_double(p.distance), to_double(a.tolerances.global_tol));
    out += b;
  } else {
    out += "    no global-minimum oracle: " + a.oracle_absent + "\n";
  }
  return out;
}

/// A matrix as float64 .npy (entries rounded to the nearest double; exact when Real is double).
template <class Real> void write_npy_matrix(const std::string& path, const matrix<Real>& a) {
  std::vector<double> data(static_cast<std::size_t>(a.size()));
  for (Eigen::Index j = 0; j < a.cols(); ++j)
    for (Eigen::Index i = 0; i < a.rows(); ++i) data[static_cast<std::size_t>(i + j * a.rows())] = to_double(a(i, j));
  write_npy(path, static_cast<std::size_t>(a.rows()), static_cast<std::size_t>(a.cols()), data.data());
}

/// A matrix as a text matrix with every digit of the working precision (read back exactly by parse<Real>).
template <class Real> void write_text_matrix_of(const std::string& path, const matrix<Real>& a) {
  text_matrix t;
  t.rows = static_cast<std::size_t>(a.rows());
  t.cols = static_cast<std::size_t>(a.cols());
  t.entries.reserve(t.rows * t.cols);
  for (Eigen::Index j = 0; j < a.cols(); ++j)
    for (Eigen::Index i = 0; i < a.rows(); ++i) t.entries.push_back(to_string(a(i, j)));
  write_text_matrix(path, t);
}

/// The adapters of x as state/<name>.npy (float64) and state/<name>.txt (every digit) in a staging directory.
template <class Real> void write_state(const staging_dir& stage, const lora_model<Real>& model, const vector<Real>& x) {
  std::filesystem::create_directories(stage.path("state"));
  const std::pair<const char*, matrix<Real>> named[] = {
      {"A1", model.A1(x)}, {"B1", model.B1(x)}, {"A2", model.A2(x)}, {"B2", model.B2(x)}};
  for (const auto& [name, a] : named) {
    if (a.size() == 0) continue;  // a disabled adapter
    write_npy_matrix(stage.path(std::string("state/") + name + ".npy"), a);
    write_text_matrix_of(stage.path(std::string("state/") + name + ".txt"), a);
  }
}

/// A matrix as run_result returns it: float64 (rounded to nearest) and every digit of the working precision.
template <class Real> memory_matrix memory_of(const matrix<Real>& a) {
  memory_matrix mm;
  mm.rows = static_cast<std::size_t>(a.rows());
  mm.cols = static_cast<std::size_t>(a.cols());
  mm.f64.reserve(mm.rows * mm.cols);
  mm.text.reserve(mm.rows * mm.cols);
  for (Eigen::Index j = 0; j < a.cols(); ++j)
    for (Eigen::Index i = 0; i < a.rows(); ++i) {
      mm.f64.push_back(to_double(a(i, j)));
      mm.text.push_back(to_string(a(i, j)));
    }
  return mm;
}

/// The adapters of x by name (what write_state writes; a disabled adapter is left out).
template <class Real> named_matrices state_matrices(const lora_model<Real>& model, const vector<Real>& x) {
  named_matrices out;
  const std::pair<const char*, matrix<Real>> named[] = {
      {"A1", model.A1(x)}, {"B1", model.B1(x)}, {"A2", model.A2(x)}, {"B2", model.B2(x)}};
  for (const auto& [name, a] : named)
    if (a.size() > 0) out.emplace_back(name, memory_of(a));
  return out;
}

/// Progress on stderr: nothing for the first second, then one line refreshed in place (or a line every 10 s
/// when stderr is not a terminal).
class progress_line {
 public:
  /// what: the quantity shown against its end (t, or iteration for a GD run by iterations).
  progress_line(bool enabled, double t_end, const char* what = "t")
      : m_enabled(enabled), m_t_end(t_end), m_what(what), m_tty(isatty(2)) {}
  bool operator()(double t, std::size_t steps) {
    if (!m_enabled) return true;
    const double el = elapsed();
    if (el < 1.0 || el - m_last < (m_tty ? 0.25 : 10.0)) return true;
    m_last = el;
    std::fprintf(stderr, "%sloraflow: %s = %.6g of %.6g (%.0f%%), %zu steps, %.1f s%s", m_tty ? "\r" : "", m_what, t, m_t_end,
                 100.0 * t / m_t_end, steps, el, m_tty ? "   " : "\n");
    m_printed = true;
    return true;
  }
  void done() {
    if (m_printed && m_tty) std::fprintf(stderr, "\n");
  }
  double elapsed() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count(); }
  double total() const { return m_t_end; }

 private:
  bool m_enabled;
  double m_t_end;
  const char* m_what;
  bool m_tty;
  bool m_printed = false;
  double m_last = 0;
  std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
};

/// summary.json's "precision" block: the type, the plan's reasons, the method and frame, and the tolerances or step.
template <class Real> nlohmann::ordered_json json_precision(const precision_plan& plan, const solve_options<Real>& opt) {
  nlohmann::ordered_json prj;
  prj["type"] = scalar_name<Real>();
  prj["digits10"] = digits10<Real>();
  prj["epsilon"] = to_string(eps<Real>());
  prj["automatic"] = plan.automatic;
  prj["reason"] = plan.reason;
  prj["method"] = method_name(opt.stepper);
  if (plan.method.automatic) prj["method_reason"] = plan.method.reason;
  prj["frame"] = plan.frame.name();
  if (plan.frame.automatic) prj["frame_reason"] = plan.frame.reason;
  if (is_adaptive(opt.stepper)) {  // the fixed-step methods (rk4, gd) use dt only
    prj["rtol"] = to_string(opt.rtol);
    prj["atol"] = to_string(opt.atol);
  }
  if (opt.dt > 0) prj["dt"] = to_string(opt.dt);
  return prj;
}

/// summary.json's "solver" block: the status and the counts of a run.
template <class Real> nlohmann::ordered_json json_solver(const run_stats<Real>& st, const solve_options<Real>& opt, double wall) {
  nlohmann::ordered_json sj;
  sj["status"] = status_name(st.status);
  sj["message"] = st.message;
  sj["steps"] = st.steps;
  sj["rejected"] = st.rejected;
  sj["rhs_evals"] = st.rhs_evals;
  if (opt.stepper == method::taylor) {
    sj["taylor_order"] = st.taylor_order;
    sj["expansions"] = st.expansions;
  }
  sj["t_final"] = json_number(st.t_final);
  sj["wall_seconds"] = wall;
  return sj;
}

inline std::string fmt(double x) {
  char b[48];
  std::snprintf(b, sizeof b, "%.7g", x);
  return b;
}

/// The human summary's status line of a run.
template <class Real> std::string human_status(const run_stats<Real>& st, const solve_options<Real>& opt, double wall) {
  std::ostringstream hs;
  hs << "  status " << status_name(st.status) << (st.message.empty() ? "" : " (" + st.message + ")") << ": " << st.steps << " steps ("
     << st.rejected << " rejected), "
     << (opt.stepper == method::taylor ? std::to_string(st.expansions) + " Taylor expansions of order up to " + std::to_string(st.taylor_order)
                                       : std::to_string(st.rhs_evals) + " RHS evaluations")
     << ", " << fmt(wall) << " s\n";
  return hs.str();
}

}  // namespace detail

template <class Real> run_result execute_typed(const run_config& c, const run_options& o, const precision_plan& plan) {
  namespace d = detail;
  // The whole run (the problem's random draws and factorizations too) in the environment the kernels assume,
  // whatever the host program set (fp_env.hpp); the caller's is restored on return.
  const fp_environment_scope fp_scope;
  // 1. Problem.
  problem_setup<Real> ps = setup_problem<Real>(c, plan.frame.singular);
  const lora_problem<Real>& p = ps.problem;
  const direction<Real>& dir = ps.dir;
  const bool in_frame = ps.frame.has_value();
  const Eigen::Index m = p.W2.rows(), n = p.W1.cols(), h = p.W1.rows();
  const lora_model<Real> model(p);

  // 2. Initialization.
  const initial_state<Real> init = initialize<Real>(c, model, ps.basis);
  const vector<Real>& x0 = init.x0;
  const Real& alpha = init.alpha;
  vector<Real> x = x0;

  // 3. Solver settings.
  const std::optional<lora_series<Real>> series = series_for(plan, model);
  solve_options<Real> opt = solver_options<Real>(c, plan, alpha, series ? &*series : nullptr);
  gd_setup<Real> gds;  // method gd: the step rule and its trace
  configure_gd<Real>(c, model, opt, gds);
  const bool by_steps = opt.gd_steps > 0;  // a GD run of solve.steps iterations, observed at iterations
  const Real t_end = by_steps ? std::numeric_limits<Real>::max() : end_time<Real>(c);
  const std::vector<Real> times = by_steps ? std::vector<Real>{} : observation_times<Real>(c, t_end);

  // 4. Integrate, observing every metric and locating T1. In the singular frame (model/singular_frame.hpp) the
  // state is the rotated, split one; metrics and T1 are taken on it by the frame's own observer (every metric is
  // invariant under the rotation, so the summary's numbers mean the same in both frames).
  std::unique_ptr<frame_model<Real>> fm;
  std::unique_ptr<frame_observer<Real>> frame_obs;
  if (in_frame) {
    fm = std::make_unique<frame_model<Real>>(std::move(*ps.frame));
    x = fm->to_frame(x0);
    frame_obs = std::make_unique<frame_observer<Real>>(*fm, x);
  }
  const lora_observer<Real> nat_observer(model, dir, x0);
  auto observer = [&](const vector<Real>& xs) { return fm ? (*frame_obs)(xs) : nat_observer(xs); };
  // observe.general_metrics: the metrics of any problem, on the natural-coordinate state.
  std::optional<general_observer<Real>> general;
  if (c.observe.general_metrics) general.emplace(model);
  auto general_of = [&](const vector<Real>& xs) { return (*general)(fm ? fm->to_natural(xs) : xs); };
  // GD runs: the monitors of Mu and Klabjan's Theorem 3.5 at each observed iterate k (integrate.hpp, gd_trace):
  // the step the rule takes there, the sum and the minimum over the iterates before k, ||V_k||^2 and ||grad J(V_k)||^2,
  // and the running bound 4 (J(V_0) - L*) / sum eta with L* replaced by 0 <= L* (every objective and the weight
  // decay are >= 0): the theorem's bound where L* = 0 (an attainable zero loss, or the infimum 0 of separable
  // logistic regression), looser by 4 L* / sum eta elsewhere.
  const bool gd_cols = opt.stepper == method::gd;
  const Real J0 = model.loss(x0);
  vector<Real> gd_field(model.dimension());
  auto gd_values = [&](const vector<Real>& xs) {
    const vector<Real> xn = fm ? fm->to_natural(xs) : xs;
    model.field(xn, gd_field);
    const gd_trace<Real>& tr = gds.trace;
    const std::array<Real, 6> v = gd_monitor_values(tr, (*gds.rule)(xn, gd_field), xn, gd_field);
    std::vector<Real> r(v.begin(), v.end());
    r.push_back(tr.sum_eta > 0 ? Real(4 * J0 / tr.sum_eta) : std::numeric_limits<Real>::infinity());
    return r;
  };
  // Gradient-flow runs: the two state monitors the GD columns share with them, ||V(t)||^2 and ||grad J(V(t))||^2
  // (the flow's dJ/dt = -||grad J||^2; the step-rule columns have no meaning there).
  auto gf_values = [&](const vector<Real>& xs) {
    const vector<Real> xn = fm ? fm->to_natural(xs) : xs;
    model.field(xn, gd_field);
    return std::array<Real, 2>{Real(xn.squaredNorm()), Real(gd_field.squaredNorm())};
  };
  std::ostringstream csv;
  csv << "t";
  for (const auto& name : metrics<Real>::names()) csv << "," << name;
  if (general)
    for (const auto& name : general_metrics<Real>::names(p.rank)) csv << "," << name;
  if (gd_cols) csv << "," << gd_monitor_names << ",running_bound";
  else csv << "," << gf_monitor_names;
  csv << "\n";
  const bool keep_csv = !o.out_dir.empty() || o.keep_outputs;  // in-process callers that write nothing (benchmarks) skip the text
  auto write_row = [&](const Real& t, const vector<Real>& xt) {
    if (!keep_csv) return;
    csv << to_string(t);
    for (const Real& v : observer(xt).values()) csv << "," << to_string(v);
    if (general)
      for (const Real& v : general_of(xt).values()) csv << "," << to_string(v);
    if (gd_cols)
      for (const Real& v : gd_values(xt)) csv << "," << to_string(v);
    else
      for (const Real& v : gf_values(xt)) csv << "," << to_string(v);
    csv << "\n";
  };
  std::vector<event_spec<Real>> events{
      fm ? event_spec<Real>{"T1", [&](const Real&, const vector<Real>& xs) { return frame_obs->t1_gap(xs); }, false}
         : t1_event(nat_observer)};
  std::vector<event_hit<Real>> hits;
  d::progress_line progress(o.progress, by_steps ? static_cast<double>(opt.gd_steps) : to_double(t_end),
                            by_steps ? "iteration" : "t");
  system_fn<Real> system;
  if (fm) system = std::cref(*fm);
  else system = std::cref(model);
  const run_stats<Real> st = integrate<Real>(
      system, x, Real(0), t_end, times,
      [&](const Real& t, const vector<Real>& xt) { write_row(t, xt); }, opt, events, &hits,
      [&](const Real& t, std::size_t steps) {
        const double done = by_steps ? static_cast<double>(steps) : to_double(t);
        if (o.on_progress) o.on_progress(done, progress.total(), steps);
        return progress(done, steps) && !(o.cancel && o.cancel->load(std::memory_order_relaxed));
      });
  progress.done();
  const double wall = progress.elapsed();
  const metrics<Real> final_m = observer(x);
  const vector<Real> x_natural = fm ? fm->to_natural(x) : x;  // the adapters in the problem's own coordinates
  std::optional<state_analysis<Real>> stationary;
  if (c.observe.stationary) stationary = analyze_state<Real>(model, x_natural, state_resolution<Real>(c, plan));

  // 5. Summary.
  nlohmann::ordered_json j;
  j["loraflow"] = version_string();
  j["config"] = nlohmann::ordered_json::parse(config_json(c));
  auto& pj = j["problem"];
  pj["m"] = m;
  pj["n"] = n;
  pj["h"] = h;
  pj["sigma"] = d::json_number(dir.sigma);
  pj["sigma_W1"] = d::json_number(dir.sigma_W1);
  pj["sigma_W2"] = d::json_number(dir.sigma_W2);
  pj["delta_w"] = d::json_number(dir.delta_w);
  pj["active_adapter"] = dir.w1_side_active ? "W1" : "W2";
  if (!dir.undefined.empty()) pj["direction_undefined"] = dir.undefined;
  pj["t1_threshold"] = d::json_number(dir.t1_threshold);
  // The alignment defect of the problem integrated (observe/metrics.hpp): the singular frame sets W1', W2', dY'
  // exactly diagonal (model/singular_frame.hpp), so its problem is aligned exactly whatever W1, W2 carry.
  const Real defect = in_frame ? Real(0) : dir.alignment_defect;
  pj["alignment_defect"] = d::json_number(defect);
  pj["alignment_defect_of"] = in_frame ? "the singular frame's problem (aligned exactly by construction)"
                                       : "W1, W2 and dY at the working precision";
  pj["alpha"] = d::json_number(alpha);
  pj["initial_loss"] = d::json_number(model.loss(x0));
  pj["u"] = d::json_vector(dir.u);
  pj["v"] = d::json_vector(dir.v);
  pj["g"] = d::json_vector(dir.g);
  pj["gamma1"] = d::json_vector(dir.gamma1);
  {
    const loraflow::objective<Real>& ob = model.objective();
    auto& oj = j["objective"];
    oj["kind"] = info_of(ob.kind()).name;
    oj["definition"] = info_of(ob.kind()).summary;
    if (ob.samples() > 0) oj["samples"] = ob.samples();
    if (ob.kind() == objective_kind::weighted) {
      oj["weight_min"] = d::json_number(Real(ob.data().weights.minCoeff()));
      oj["weight_max"] = d::json_number(Real(ob.data().weights.maxCoeff()));
    }
  }
  j["precision"] = d::json_precision(plan, opt);
  if (gd_cols) {  // the GD step rule and the Theorem 3.5 record at the last iterate
    const gd_step_size<Real>& rule = *gds.rule;
    auto& gj = j["gd"];
    gj["step_rule"] = info(rule.rule()).name;
    gj["step_formula"] = info(rule.rule()).formula;
    if (info(rule.rule()).needs_c) gj["step_c"] = to_string(parse_key<Real>(c, c.solve.step_c, "solve.step_c"));
    if (rule.rule() == step_rule::mu_klabjan) {
      gj["objective_smoothness"] = d::json_number(rule.objective_smoothness());
      gj["objective_smoothness_source"] = rule.smoothness_source();
      gj["smoothness"] = d::json_number(rule.smoothness());
    }
    gj["iterations"] = gds.trace.iteration;
    gj["sum_eta"] = d::json_number(gds.trace.sum_eta);
    gj["last_eta"] = d::json_number(gds.trace.last_eta);
    gj["initial_loss"] = d::json_number(J0);
    gj["min_grad_norm2"] = d::json_number(gds.trace.min_grad_norm2);
    if (gds.trace.sum_eta > 0) gj["running_bound"] = d::json_number(Real(4 * J0 / gds.trace.sum_eta));
    gj["running_bound_definition"] = "4 (J(V_0) - 0) / sum_(s<k) eta_s: Mu-Klabjan Theorem 3.5 with L* replaced by 0 <= L*";
  }
  j["solver"] = d::json_solver(st, opt, wall);
  j["final"] = d::json_metrics(final_m);
  j["final"]["t"] = d::json_number(st.t_final);
  const event_hit<Real>& t1 = hits.at(0);
  j["events"]["T1"] = t1.found ? d::json_number(t1.t) : nlohmann::ordered_json(nullptr);
  if (t1.found) {
    j["at"]["T1"] = d::json_metrics(observer(t1.x));
  } else {
    j["at"]["T1"] = nullptr;
  }
  if (general) {
    const general_metrics<Real> gm = general_of(x);
    auto& gj = j["final"]["general"];
    const auto names = general_metrics<Real>::names(p.rank);
    const auto values = gm.values();
    for (std::size_t i = 0; i < names.size(); ++i) gj[names[i]] = d::json_number(values[i]);
  }
  // Resolution flags (observe/metrics.hpp): the rounded problem's misalignment is of order alignment_defect^2, so a
  // misalignment below 10 alignment_defect^2 has less than one digit that belongs to the aligned problem. A defect
  // above sqrt(eps) means the problem is not in the aligned form at all: one flag says so instead.
  std::vector<std::string> resolution_flags;
  using std::sqrt;
  if (defect > sqrt(eps<Real>())) {
    resolution_flags.push_back("the problem is not in the aligned form of Xu et al. (alignment_defect = " +
                               d::fmt(to_double(defect)) +
                               " > sqrt(eps)): misalign and escape measure angles to directions its dynamics need not "
                               "follow; see observe.general_metrics for the metrics of any problem");
  } else {
    const Real floor = 10 * defect * defect;
    auto flag = [&](const char* name, const Real& value, const std::string& where) {
      if (value < floor)
        resolution_flags.push_back(std::string(name) + " " + where + " = " + d::fmt(to_double(value)) +
                                   " is below 10 alignment_defect^2 = " + d::fmt(to_double(floor)) +
                                   ": the rounded problem's own misalignment, of order alignment_defect^2, leaves it "
                                   "less than one digit of the aligned problem's value");
    };
    flag("misalign", final_m.misalign, "at t_final");
    flag("misalign2", final_m.misalign2, "at t_final");
    if (t1.found) {
      const metrics<Real> a = observer(t1.x);
      flag("misalign", a.misalign, "at T1");
      flag("misalign2", a.misalign2, "at T1");
    }
  }
  j["resolution_flags"] = resolution_flags;
  if (stationary) j["stationary"] = d::json_stationary(*stationary);

  run_result r;
  r.status = st.status;
  r.message = st.message;
  r.summary_json = j.dump(2);
  if (o.keep_outputs) {
    r.trajectory_csv = csv.str();
    r.state = d::state_matrices(model, x_natural);
  }

  std::ostringstream hs;
  hs << "loraflow run: " << c.problem.kind << " m=" << m << " n=" << n << " h=" << h
     << " r=" << p.rank << ", alpha=" << (c.lora.alpha.empty() ? d::fmt(to_double(alpha)) : c.lora.alpha) << ", init "
     << c.lora.init << ", " << method_name(opt.stepper) << (in_frame ? " in the singular frame" : "") << " in " << scalar_name<Real>()
     << (is_adaptive(opt.stepper) ? " (rtol " + d::fmt(to_double(opt.rtol)) + ")"
         : gd_cols && gds.rule->rule() != step_rule::constant ? " (step rule " + c.solve.step_rule + ")"
                                                              : " (dt " + c.solve.dt + ")")
     << "\n";
  if (plan.automatic) hs << "  precision auto: " << plan.reason << "\n";
  if (plan.method.automatic) hs << "  method auto: " << plan.method.reason << "\n";
  if (plan.frame.automatic) hs << "  frame auto: " << plan.frame.reason << "\n";
  hs << "  sigma = " << d::fmt(to_double(dir.sigma)) << ", sigma_W1 = " << d::fmt(to_double(dir.sigma_W1))
     << ", sigma_W2 = " << d::fmt(to_double(dir.sigma_W2)) << ", delta_w = " << d::fmt(to_double(dir.delta_w)) << " ("
     << (dir.w1_side_active ? "W1" : "W2") << "-side adapter active)\n";
  if (!dir.undefined.empty()) hs << "  no dY direction: " << dir.undefined << "\n";
  hs << d::human_status(st, opt, wall);
  if (t1.found) {
    const metrics<Real> a = observer(t1.x);
    hs << "  T1 = " << d::fmt(to_double(t1.t)) << ": misalign = " << d::fmt(to_double(a.misalign))
       << ", imbalance_fro = " << d::fmt(to_double(a.imbalance_fro)) << ", loss = " << d::fmt(to_double(a.loss)) << "\n";
  } else {
    hs << "  T1 not reached by t = " << d::fmt(to_double(st.t_final)) << "\n";
  }
  if (gd_cols) {
    hs << "  gd: " << gds.trace.iteration << " iterations, sum eta = " << d::fmt(to_double(gds.trace.sum_eta))
       << ", last eta = " << d::fmt(to_double(gds.trace.last_eta));
    if (gds.rule->rule() == step_rule::mu_klabjan)
      hs << " (L = s^2 L_f = " << d::fmt(to_double(gds.rule->smoothness())) << ", L_f " << gds.rule->smoothness_source() << ")";
    hs << "; min ||grad J||^2 = " << d::fmt(to_double(gds.trace.min_grad_norm2));
    if (gds.trace.sum_eta > 0) hs << ", running bound 4 J(V_0)/sum eta = " << d::fmt(to_double(Real(4 * J0 / gds.trace.sum_eta)));
    hs << "\n";
  }
  hs << "  final (t = " << d::fmt(to_double(st.t_final)) << "): loss = " << d::fmt(to_double(final_m.loss))
     << ", misalign = " << d::fmt(to_double(final_m.misalign)) << ", drift_C1 = " << d::fmt(to_double(final_m.drift_C1)) << "\n";
  for (const std::string& f : resolution_flags) hs << "  flag: " << f << "\n";
  if (stationary) hs << d::human_stationary(*stationary);

  // 6. Outputs, atomically.
  if (!o.out_dir.empty()) {
    staging_dir stage(o.out_dir);
    {
      std::ofstream f(stage.path("trajectory.csv"), std::ios::binary);
      f << csv.str();
      if (!f) throw std::runtime_error(stage.path("trajectory.csv") + ": write failed");
    }
    {
      std::ofstream f(stage.path("summary.json"), std::ios::binary);
      f << r.summary_json << "\n";
      if (!f) throw std::runtime_error(stage.path("summary.json") + ": write failed");
    }
    if (o.save_state) d::write_state(stage, model, x_natural);
    stage.commit();
    hs << "  wrote " << o.out_dir << "/trajectory.csv and " << o.out_dir << "/summary.json"
       << (o.save_state ? " and " + o.out_dir + "/state/ (the adapters at t_final, .npy and .txt)" : std::string()) << "\n";
  }
  r.human = hs.str();
  return r;
}

/// evaluate_field (run/run.hpp) at the working type Real: the model of c at c's initial state, and its field there.
template <class Real> field_result field_typed(const run_config& c) {
  const fp_environment_scope fp_scope;
  problem_setup<Real> ps = setup_problem<Real>(c);
  const lora_model<Real> model(ps.problem);
  const initial_state<Real> st = initialize<Real>(c, model, ps.basis);
  vector<Real> f(model.dimension());
  model.field(st.x0, f);
  field_result r;
  r.precision = scalar_name<Real>();
  r.loss = to_string(model.loss(st.x0));
  r.state = detail::state_matrices(model, st.x0);
  r.field = detail::state_matrices(model, f);
  return r;
}

/// `loraflow analyze`: the stationary-point analysis of a saved state (run_dir/state/, written by --save-state) of
/// the run whose resolved config is c, at the precision plan's type, with the resolution of that run's solver.
template <class Real> analyze_result analyze_typed(const run_config& run, const precision_plan& plan, const std::string& state_dir) {
  const fp_environment_scope fp_scope;
  run_config c = run;
  c.lora.init = "files";
  c.lora.state = state_dir;
  c.lora.A1 = c.lora.B1 = c.lora.A2 = c.lora.B2 = "";
  if (c.lora.adapt_W1) c.lora.A1 = state_dir + "/A1.txt", c.lora.B1 = state_dir + "/B1.txt";
  if (c.lora.adapt_W2) c.lora.A2 = state_dir + "/A2.txt", c.lora.B2 = state_dir + "/B2.txt";
  if (c.lora.alpha.empty()) c.lora.alpha = "1";  // not used by the analysis; initialize() needs no estimate then
  problem_setup<Real> ps = setup_problem<Real>(c);
  const lora_model<Real> model(ps.problem);
  const initial_state<Real> st = initialize<Real>(c, model, ps.basis);
  const state_analysis<Real> a = analyze_state<Real>(model, st.x0, state_resolution<Real>(c, plan));
  analyze_result r;
  nlohmann::ordered_json j;
  j["loraflow"] = version_string();
  j["state"] = state_dir;
  j["precision"] = scalar_name<Real>();
  j["stationary"] = detail::json_stationary(a);
  r.json = j.dump(2);
  r.human = "loraflow analyze: " + state_dir + " in " + scalar_name<Real>() + " (loss " +
            detail::fmt(to_double(a.point.loss)) + ")\n" + detail::human_stationary(a);
  return r;
}

#define LORAFLOW_INST_ANALYZE(EXT, T) \
  EXT template analyze_result analyze_typed<T>(const run_config&, const precision_plan&, const std::string&);
#ifndef LORAFLOW_NO_EXTERN_TEMPLATES
LORAFLOW_EXTERN_ALL(LORAFLOW_INST_ANALYZE)
#endif

#define LORAFLOW_INST_RUN(EXT, T)                                                                        \
  EXT template run_result execute_typed<T>(const run_config&, const run_options&, const precision_plan&); \
  EXT template field_result field_typed<T>(const run_config&);                                                  \
  EXT template problem_setup<T> setup_problem<T>(const run_config&, bool);                                      \
  EXT template initial_state<T> initialize<T>(const run_config&, const lora_model<T>&, const spectral_basis<T>&);
#ifndef LORAFLOW_NO_EXTERN_TEMPLATES
LORAFLOW_EXTERN_ALL(LORAFLOW_INST_RUN)
#endif

}  // namespace loraflow
