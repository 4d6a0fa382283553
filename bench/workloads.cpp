// bench/workloads.cpp: whole-run workloads (issue 6), timed end to end through the library's own run pipeline
// (loraflow::execute, the code behind `loraflow run`), with a naive Eigen + odeint baseline written here.
//
//   W1  the Fig. 1 workload in double: the xu2025-fig1 preset's gradient-flow runs (3 alphas x 2 initializations
//       x 30 seeds, t in [0, 5], 501 observations with every metric) at rtol 1e-10, in-process on --jobs threads.
//       The defaults (method and frame auto), dopri5, dop853 and taylor, and dopri5 in the singular frame.
//       Baseline: the naive O(m n h) field (bench_cases.hpp) with odeint's controlled dopri5 at the same tolerances, observing only the loss at the
//       same 501 times.
//   W2  deep alpha: the Fig. 1 problem (m = n = 10, h = 100, r = 4), small initialization at alpha = 1e-30, run to
//       T1 + 1/2 with precision = "auto" (6 digits), with --certify (the reference run planned for twice the digits
//       asked for, beside the run as `loraflow run --certify` does); reported: the wall time and the certified
//       digits of T1 and misalign(T1). Two rows: frame = "singular" with dopri5 (--reps-w2 runs) and the natural
//       frame with method taylor (--reps-w2-natural runs), and the digits the two formulations share. T1 + 1/2 is
//       taken from a double run first (only its size matters here). Baseline: the naive field with odeint's
//       fehlberg78 in float50 at the natural frame's planned rtol, run for --w2-baseline-seconds and extrapolated
//       linearly in t (a lower bound: steps shrink near T1).
//   W3  scale: m = n = h = 1024, r = 8, alpha = 1e-5, double, t_end = 5 (rtol 1e-10, 501 observations), dopri5
//       in the singular frame (--reps-w3 runs) and in the natural frame (--reps-w3-natural runs); reported with
//       and without the problem generation, and one right-hand side (lora_model and the singular frame's field)
//       against the naive dense field (median of --rhs-reps evaluations).
//
//   W4  GD per iteration in double and in 50 digits (issue 15: at most 100x), each through loraflow::execute as a
//       user writes the run, in double and precision = "50": the Fig. 1 problem (method = "gd", dt = 1e-4,
//       solve.steps = 5000 iterations, observe.steps 101 of them); and the full two-layer network of Xu et al. 2023
//       Fig. 1 (problem.kind = "network", recipe xu2023-fig1: 20 x 20, width 1000, scale 2, seed 1; dt = 1e-8, 200
//       iterations, 11 observed), whose step rule evaluates the loss once per iterate for Theorem 3.2's bound. As
//       everywhere here the runs are in process with no output directory, so no trajectory row is formed: the
//       observations' metrics are not computed (the T1 event of the Fig. 1 run is, at every iterate). A third row
//       runs the same network through integrate's GD alone (no pipeline, no loss per iterate): the model's field
//       and the update only. Reported: the median wall per iteration (the whole run, problem generation and P3's
//       constants included, over the iteration count) and the ratio.
//
// Each workload runs --reps times and the median is reported (W2 and W3 may take their own --reps-w2/--reps-w3).
// Output: a Markdown report on stdout and, with --out FILE, written atomically to FILE. Never a ctest test:
// timings are not pass/fail (docs/performance.md says how to run it and records the last run).
#include <loraflow/integrate/integrate.hpp>
#include <loraflow/io/atomic_file.hpp>
#include <loraflow/model/factorization.hpp>
#include <loraflow/model/xu2023.hpp>
#include <loraflow/io/input_error.hpp>
#include <loraflow/run/certify.hpp>
#include <loraflow/run/config.hpp>
#include <loraflow/run/precision.hpp>
#include <loraflow/run/run.hpp>

#include "bench_cases.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using loraflow::matrix;
using loraflow::vector;
using json = nlohmann::json;
namespace lf = loraflow;

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string fmt(double x, int digits = 3) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*g", digits, x);
  return b;
}

std::string list(const std::vector<double>& v) {
  std::string s;
  for (double x : v) s += (s.empty() ? "" : ", ") + fmt(x);
  return s;
}

void progress(const std::string& line) { std::fprintf(stderr, "bench_workloads: %s\n", line.c_str()); }

struct options {
  int reps = 5, reps_w2 = 5, reps_w3 = 5, jobs = 2, rhs_reps = 5;
  int reps_w2_natural = 1, reps_w3_natural = 1;  ///< the natural-frame comparison rows (minutes each; 0 skips)
  double w2_baseline_seconds = 30;
  std::vector<std::string> only{"W1", "W2", "W3", "W4"};
  std::string out;
};

/// Fig. 1 base config (docs/presets/xu2025-fig1.toml) with the workload's changes.
std::string fig1_toml(const std::string& solve_extra) {
  return "[problem]\nkind = \"xu2025\"\nm = 10\nn = 10\nh = 100\nsigma = 5\nscale = \"1.05\"\npair = \"top\"\nseed = 0\n"
         "[lora]\nrank = 4\ninit = \"small\"\nalpha = \"1e-4\"\nseed = 0\n"
         "[solve]\nprecision = \"double\"\nt_end = 5\n" +
         solve_extra + "[observe]\ntimes = \"linspace:0:5:501\"\n";
}

/// Runs configs on `jobs` threads; returns the wall time. Every run must end with status ok.
double run_all(const std::vector<lf::run_config>& configs, int jobs) {
  std::atomic<std::size_t> next{0};
  std::atomic<int> failed{0};
  const double t0 = now();
  std::vector<std::thread> pool;
  for (int j = 0; j < jobs; ++j)
    pool.emplace_back([&] {
      lf::run_options o;
      o.progress = false;
      for (std::size_t i; (i = next++) < configs.size();)
        if (!lf::execute(configs[i], o).ok()) ++failed;
    });
  for (auto& t : pool) t.join();
  const double wall = now() - t0;
  if (failed) throw std::runtime_error(std::to_string(failed.load()) + " runs did not end with status ok");
  return wall;
}

// ---- naive baseline: the field of bench_cases.hpp under odeint, as a first implementation would be written ----

template <class Real> struct naive_system {
  const lf::bench::rhs_case<Real>* c;
  const matrix<Real>* Y_ft;
  std::size_t* count;
  void operator()(const vector<Real>& x, vector<Real>& dxdt, const Real&) const {
    ++*count;
    lf::bench::naive_field(*c, *Y_ft, x, dxdt);
  }
};

/// One Fig. 1 run with the naive field and odeint's controlled dopri5 (rtol, atol = rtol alpha^2), observing the
/// loss at the 501 times with integrate_times. Returns the RHS count.
std::size_t naive_fig1_run(const std::string& init, const std::string& alpha_text, std::uint64_t seed) {
  namespace odeint = boost::numeric::odeint;
  lf::xu2025_spec<double> spec;
  spec.seed = seed;
  lf::generated_problem<double> gp = lf::generate_xu2025(spec);
  lf::bench::rhs_case<double> c{lf::lora_model<double>(lf::lora_problem<double>{gp.W1, gp.W2, gp.dY, 4, true, true, 1.0, 0.0}),
                                vector<double>()};
  const double alpha = std::strtod(alpha_text.c_str(), nullptr);
  c.x = init == "small" ? lf::small_init(c.model, alpha, seed) : lf::spectral_init(c.model, gp.basis, alpha, seed);
  const matrix<double> Y_ft = lf::bench::target_of(c);
  std::size_t count = 0;
  naive_system<double> sys{&c, &Y_ft, &count};
  std::vector<double> times;
  for (int i = 0; i <= 500; ++i) times.push_back(i / 100.0);
  using stepper = odeint::runge_kutta_dopri5<vector<double>, double, vector<double>, double, odeint::vector_space_algebra>;
  const double rtol = 1e-10;
  double loss_sum = 0;
  odeint::integrate_times(odeint::make_dense_output(rtol * alpha * alpha, rtol, stepper()), sys, c.x, times.begin(),
                          times.end(), 1e-3, [&](const vector<double>& x, double) {
                            vector<double> f;
                            c.model.field(x, f);  // touches E; the loss itself:
                            loss_sum += c.model.loss(x);
                          });
  if (!(loss_sum > 0)) throw std::runtime_error("naive baseline: no loss observed");
  return count;
}

// ---- W1 ----

std::vector<lf::run_config> w1_configs(const std::string& method, const std::string& frame) {
  std::vector<lf::run_config> cs;
  for (const char* init : {"small", "spectral"})
    for (const char* alpha : {"1e-3", "1e-4", "1e-5"})
      for (int seed = 0; seed < 30; ++seed)
        cs.push_back(lf::parse_config(
            fig1_toml("method = \"" + method + "\"\nrtol = \"1e-10\"\nframe = \"" + frame + "\"\n"), "W1", ".",
                                      {std::string("lora.init=") + init, std::string("lora.alpha=") + alpha,
                                       "lora.seed=" + std::to_string(seed), "problem.seed=" + std::to_string(seed)}));
  return cs;
}

void w1(const options& o, std::ostream& md) {
  md << "### W1: the Fig. 1 workload in double (180 runs, 501 observations with every metric, rtol 1e-10)\n\n";
  md << "| implementation | median wall (s) | runs (s) | target |\n|---|---:|---|---|\n";
  // First the defaults as a user writes them (method and frame "auto": dop853 in the singular frame at this rtol),
  // then the explicit variants.
  const std::pair<const char*, const char*> variants[] = {
      {"auto", "auto"}, {"dopri5", "natural"}, {"dop853", "natural"}, {"taylor", "natural"}, {"dopri5", "singular"}};
  for (const auto& [method, frame] : variants) {
    const std::vector<lf::run_config> cs = w1_configs(method, frame);
    const std::string name = std::string(method) == "auto" ? "defaults (method and frame auto)"
                                                           : std::string(method) + (std::string(frame) == "singular" ? ", singular frame" : "");
    std::vector<double> walls;
    for (int r = 0; r < o.reps; ++r) {
      walls.push_back(run_all(cs, o.jobs));
      progress("W1 " + name + " rep " + std::to_string(r + 1) + ": " + fmt(walls.back()) + " s");
    }
    md << "| loraflow, " << name << ", " << o.jobs << " threads | " << fmt(median(walls)) << " | " << list(walls)
       << (std::string(method) == "auto" ? " | < 1 s (issue 16) |\n" : " | < 2 s (issue 6) |\n");
  }
  // The baseline on the same 180 runs and threads.
  std::vector<double> walls;
  std::size_t rhs = 0;
  for (int r = 0; r < o.reps; ++r) {
    std::atomic<std::size_t> next{0}, total_rhs{0};
    const double t0 = now();
    std::vector<std::thread> pool;
    for (int j = 0; j < o.jobs; ++j)
      pool.emplace_back([&] {
        for (std::size_t i; (i = next++) < 180;) {
          const char* init = i < 90 ? "small" : "spectral";
          const char* alpha = (i / 30) % 3 == 0 ? "1e-3" : (i / 30) % 3 == 1 ? "1e-4" : "1e-5";
          total_rhs += naive_fig1_run(init, alpha, i % 30);
        }
      });
    for (auto& t : pool) t.join();
    walls.push_back(now() - t0);
    rhs = total_rhs;
    progress("W1 naive baseline rep " + std::to_string(r + 1) + ": " + fmt(walls.back()) + " s");
  }
  md << "| naive Eigen field + odeint dopri5 (loss only), " << o.jobs << " threads | " << fmt(median(walls)) << " | "
     << list(walls) << " | (baseline; " << rhs << " RHS) |\n\n";
}

// ---- W2 ----

std::string text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

void w2(const options& o, std::ostream& md) {
  md << "### W2: deep alpha (Fig. 1 problem, alpha = 1e-30, to T1 + 1/2, precision auto for 6 digits, with --certify)\n\n";
  // T1 from a double run in the singular frame (its size is all that is used here).
  lf::run_config probe = lf::parse_config(fig1_toml("method = \"dopri5\"\nrtol = \"1e-12\"\nframe = \"singular\"\n"), "W2",
                                          ".", {"lora.alpha=1e-30", "solve.t_end=8", "observe.times=linspace:0:8:2"});
  lf::run_options quiet;
  quiet.progress = false;
  const json pj = json::parse(lf::execute(probe, quiet).summary_json);
  if (pj["events"]["T1"].is_null()) throw std::runtime_error("W2: T1 not reached by t = 8 in the double probe");
  const double T1 = pj["events"]["T1"].get<double>();
  char tend[32];
  std::snprintf(tend, sizeof tend, "%.4f", T1 + 0.5);
  progress(std::string("W2: T1 (double probe) = ") + fmt(T1, 8) + ", t_end = " + tend);
  const std::vector<std::string> common{"lora.alpha=1e-30", "solve.precision=auto", "solve.digits=6",
                                        std::string("solve.t_end=") + tend,
                                        std::string("observe.times=linspace:0:") + tend + ":501"};
  struct variant {
    std::string name, solve;
    int reps;
    json summary;
    lf::certify_result cert;
  };
  std::vector<variant> vs{{"singular frame", "method = \"dopri5\"\nframe = \"singular\"\n", o.reps_w2, {}, {}},
                          {"natural frame", "method = \"taylor\"\nframe = \"natural\"\n", o.reps_w2_natural, {}, {}}};
  md << "| frame | run: precision, method, rtol, steps | reference (certify) | run alone, median (s) | run + certify, "
        "median wall (s); target < 30 s | T1: certified digits | misalign(T1): certified digits |\n"
        "|---|---|---|---:|---:|---|---|\n";
  for (variant& v : vs) {
    if (v.reps == 0) continue;
    const lf::run_config c = lf::parse_config(fig1_toml(v.solve), "W2", ".", common);
    std::vector<double> run_walls, totals;
    for (int r = 0; r < v.reps; ++r) {
      // What `loraflow run --certify` does: the reference beside the run on the second core.
      const double t0 = now();
      const lf::certified_run res = lf::execute_certified(c, quiet);
      const double t1 = now();
      if (!res.run.ok() || !res.certified)
        throw std::runtime_error("W2 run (" + v.name + "): status " + lf::status_name(res.run.status) + " " + res.run.message);
      v.cert = *res.certified;
      v.summary = json::parse(res.run.summary_json);
      run_walls.push_back(v.summary["solver"]["wall_seconds"].get<double>());
      totals.push_back(t1 - t0);
      progress("W2 " + v.name + " rep " + std::to_string(r + 1) + ": run + certify " + fmt(t1 - t0) +
               " s (the run's integration " + fmt(run_walls.back()) + " s)");
    }
    auto digits_of = [&](const std::string& name) {
      for (const auto& n : v.cert.numbers)
        if (n.name == name) return std::to_string(n.digits) + " (" + n.value + " vs " + n.reference + ")";
      return std::string("missing");
    };
    const auto& prec = v.summary["precision"];
    const auto& sol = v.summary["solver"];
    md << "| " << v.name << " | " << prec["type"].get<std::string>() << ", " << prec["method"].get<std::string>();
    if (sol.contains("taylor_order")) md << " of order up to " << sol["taylor_order"];
    md << ", rtol " << fmt(std::stod(prec["rtol"].get<std::string>())) << ", " << sol["steps"] << " steps | "
       << v.cert.reference_precision << ", " << v.cert.reference_method << ", rtol " << v.cert.reference_rtol << " | "
       << fmt(median(run_walls)) << " (" << list(run_walls) << ") | " << fmt(median(totals)) << " (" << list(totals)
       << ") | " << digits_of("events.T1") << " | " << digits_of("at.T1.misalign") << " |\n";
  }
  md << "\n";
  if (!vs[1].summary.is_null()) {
    // The two formulations are independent (different coordinates, field code and scalar types): their agreement
    // checks the frame itself, which its own --certify (same formulation, wider type) cannot.
    const json& a = vs[0].summary;
    const json& b = vs[1].summary;
    md << "Cross-check, singular frame (double) against natural frame (50 digits): T1 shares "
       << lf::shared_digits(text(a["events"]["T1"]), text(b["events"]["T1"]), 99) << " digits, misalign(T1) "
       << lf::shared_digits(text(a["at"]["T1"]["misalign"]), text(b["at"]["T1"]["misalign"]), 99) << " digits.\n\n";
  }
  md << "| baseline | result |\n|---|---|\n";

  // Baseline: naive field + odeint fehlberg78 in float50 at the run's rtol, for a fixed wall budget.
  {
    namespace odeint = boost::numeric::odeint;
    using Real = lf::float50;
    lf::xu2025_spec<Real> spec;
    lf::generated_problem<Real> gp = lf::generate_xu2025(spec);
    lf::bench::rhs_case<Real> bc{lf::lora_model<Real>(lf::lora_problem<Real>{gp.W1, gp.W2, gp.dY, 4, true, true, Real(1), Real(0)}),
                                 vector<Real>()};
    const Real alpha = lf::parse<Real>("1e-30");
    bc.x = lf::small_init(bc.model, alpha, 0);
    const matrix<Real> Y_ft = lf::bench::target_of(bc);
    std::size_t count = 0;
    naive_system<Real> sys{&bc, &Y_ft, &count};
    // The natural frame's auto plan for 6 digits at alpha = 1e-30 (run/precision.hpp): what a naive solver needs.
    const Real rtol = lf::parse<Real>(lf::plan_for_alpha("1e-30", 6, 1).rtol);
    using stepper = odeint::runge_kutta_fehlberg78<vector<Real>, Real, vector<Real>, Real, odeint::vector_space_algebra>;
    auto ctrl = odeint::make_controlled<stepper>(Real(rtol * alpha * alpha), rtol);
    Real t = 0, dt = Real(1) / 1000;
    std::size_t steps = 0;
    const double t0 = now();
    while (now() - t0 < o.w2_baseline_seconds && t < Real(T1 + 0.5))
      if (ctrl.try_step(sys, bc.x, t, dt) == odeint::success) ++steps;
    const double wall = now() - t0, reached = lf::to_double(t);
    md << "| naive field + odeint fehlberg78 in float50, rtol " << lf::plan_for_alpha("1e-30", 6, 1).rtol
       << " (the natural frame's plan) | reached t = " << fmt(reached) << " of "
       << fmt(T1 + 0.5) << " in " << fmt(wall) << " s (" << steps << " steps, " << count
       << " RHS); extrapolated to the end: >= " << fmt(wall * (T1 + 0.5) / std::max(reached, 1e-300)) << " s |\n\n";
    progress("W2 baseline: t = " + fmt(reached) + " after " + fmt(wall) + " s");
  }
}

// ---- W3 ----

void w3(const options& o, std::ostream& md) {
  md << "### W3: scale (m = n = h = 1024, r = 8, alpha = 1e-5, double, t_end = 5, rtol 1e-10, 501 observations)\n\n";
  md << "| method | median wall, whole run (s) | median wall, integration and metrics (s) | steps | runs, whole (s) "
        "| target |\n|---|---:|---:|---:|---|---|\n";
  const std::string toml =
      "[problem]\nkind = \"xu2025\"\nm = 1024\nn = 1024\nh = 1024\nsigma = 5\nscale = \"1.05\"\npair = \"top\"\n"
      "[lora]\nrank = 8\ninit = \"small\"\nalpha = \"1e-5\"\n[solve]\nprecision = \"double\"\nrtol = \"1e-10\"\n"
      "t_end = 5\n";
  lf::run_options quiet;
  quiet.progress = false;
  struct variant {
    const char* name;
    const char* frame;
    int reps;
  };
  for (const variant& v : {variant{"dopri5, singular frame", "singular", o.reps_w3},
                           variant{"dopri5, natural frame", "natural", o.reps_w3_natural}}) {
    if (v.reps == 0) continue;
    const char* method = v.name;
    const lf::run_config c = lf::parse_config(toml, "W3", ".", {"solve.method=dopri5", std::string("solve.frame=") + v.frame});
    std::vector<double> walls, inner;
    std::string steps;
    for (int r = 0; r < v.reps; ++r) {
      const double t0 = now();
      const lf::run_result res = lf::execute(c, quiet);
      walls.push_back(now() - t0);
      if (!res.ok()) throw std::runtime_error(std::string("W3 run: status ") + lf::status_name(res.status));
      const json j = json::parse(res.summary_json);
      inner.push_back(j["solver"]["wall_seconds"].get<double>());
      steps = j["solver"]["steps"].dump();
      progress(std::string("W3 ") + method + " rep " + std::to_string(r + 1) + ": " + fmt(walls.back()) + " s");
    }
    md << "| " << method << " | " << fmt(median(walls)) << " | " << fmt(median(inner)) << " | " << steps << " | "
       << list(walls) << " | < 60 s |\n";
  }
  // One right-hand side against the dense O(m n h) evaluation.
  const lf::bench::rhs_case<double>& c = lf::bench::n1024_case();
  const lf::bench::frame_case<double>& fc = lf::bench::n1024_frame_case();
  const matrix<double>& Y_ft = lf::bench::n1024_target();
  vector<double> f(c.model.dimension()), g, ff(fc.model.dimension());
  std::vector<double> tf, tn, tfr;
  for (int r = 0; r < o.rhs_reps; ++r) {
    double t0 = now();
    c.model.field(c.x, f);
    tf.push_back(now() - t0);
    t0 = now();
    fc.model.field(fc.x, ff);
    tfr.push_back(now() - t0);
    t0 = now();
    lf::bench::naive_field(c, Y_ft, c.x, g);
    tn.push_back(now() - t0);
  }
  const double diff = (f - g).norm() / f.norm();
  const double diff_frame = (fc.model.to_frame(f) - ff).norm() / ff.norm();
  md << "\nOne right-hand side at this size (median of " << o.rhs_reps << "): naive dense O(m n h) field "
     << fmt(median(tn) * 1e3) << " ms; lora_model::field " << fmt(median(tf) * 1e3) << " ms ("
     << fmt(median(tn) / median(tf), 3) << "x faster; agrees with the naive field to " << fmt(diff, 2)
     << " relative); the singular-frame field " << fmt(median(tfr) * 1e3) << " ms (" << fmt(median(tn) / median(tfr), 3)
     << "x faster than the naive field; agrees with the rotated lora_model::field to " << fmt(diff_frame, 2)
     << " relative).\n\n";
}

// ---- W4 ----

/// Seconds per GD iteration of the Fig. 1 problem run as a user writes it, at `precision` (median of reps).
double w4_fig1(const options& o, const char* precision, std::vector<double>& walls) {
  const std::string toml =
      "[problem]\nkind = \"xu2025\"\nm = 10\nn = 10\nh = 100\nsigma = 5\nscale = \"1.05\"\npair = \"top\"\nseed = 0\n"
      "[lora]\nrank = 4\ninit = \"small\"\nalpha = \"1e-4\"\nseed = 0\n"
      "[solve]\nmethod = \"gd\"\nprecision = \"" + std::string(precision) + "\"\ndt = \"1e-4\"\nsteps = 5000\n"
      "[observe]\nsteps = \"linspace:0:5000:101\"\n";
  const lf::run_config c = lf::parse_config(toml, "W4", "/");
  for (int r = 0; r < o.reps; ++r) {
    walls.push_back(run_all({c}, 1) / 5000);
    progress(std::string("W4 Fig. 1 GD in ") + precision + " rep " + std::to_string(r + 1) + ": " + fmt(walls.back() * 1e6) + " us/iteration");
  }
  return median(walls);
}

/// Seconds per GD iteration of Xu et al. 2023's Fig. 1 network (20 x 20, width 1000, scale 2, seed 1) run as a user
/// writes it (problem.kind = "network"), at `precision` (median of reps).
double w4_network(const options& o, const char* precision, std::vector<double>& walls) {
  const std::string toml =
      "[problem]\nkind = \"network\"\nrecipe = \"xu2023-fig1\"\nscale = \"2\"\nseed = 1\n"
      "[solve]\nmethod = \"gd\"\nprecision = \"" + std::string(precision) + "\"\ndt = \"1e-8\"\nsteps = 200\n"
      "[observe]\nsteps = \"linspace:0:200:11\"\n";
  const lf::run_config c = lf::parse_config(toml, "W4", "/");
  for (int r = 0; r < o.reps; ++r) {
    walls.push_back(run_all({c}, 1) / 200);
    progress(std::string("W4 network GD in ") + precision + " rep " + std::to_string(r + 1) + ": " + fmt(walls.back() * 1e6) + " us/iteration");
  }
  return median(walls);
}

/// Seconds per GD iteration of the same network through integrate's GD alone, at Real (median of reps).
template <class Real> double w4_p3(const options& o, std::vector<double>& walls) {
  const lf::xu2023_instance<Real> in = lf::xu2023_fig1<Real>(Real(2), 1000, 1);
  const lf::factorization_model<Real> model(in.problem);
  const vector<Real> x0 = model.pack(in.W1, matrix<Real>(in.W2.transpose()));
  lf::solve_options<Real> opt;
  opt.stepper = lf::method::gd;
  opt.dt = Real(1) / Real(100000000);
  opt.gd_steps = 200;
  for (int r = 0; r < o.reps; ++r) {
    vector<Real> x = x0;
    const double t0 = now();
    const lf::run_stats<Real> st = lf::integrate<Real>(std::cref(model), x, Real(0), Real(1), {}, [](const Real&, const vector<Real>&) {}, opt);
    walls.push_back((now() - t0) / 200);
    if (st.status != lf::run_status::ok) throw std::runtime_error("W4 P3 run ended " + std::string(lf::status_name(st.status)));
    progress(std::string("W4 P3 Fig. 1 GD in ") + lf::scalar_name<Real>() + " rep " + std::to_string(r + 1) + ": " + fmt(walls.back() * 1e6) + " us/iteration");
  }
  return median(walls);
}

void w4(const options& o, std::ostream& md) {
  md << "### W4: GD per iteration, double against 50 digits (issue 15: at most 100x)\n\n";
  md << "| problem | double (us / iteration) | 50 digits (us / iteration) | ratio | target |\n|---|---:|---:|---:|---|\n";
  {
    std::vector<double> wd, w50;
    const double d = w4_fig1(o, "double", wd), f = w4_fig1(o, "50", w50);
    md << "| Fig. 1 (Xu et al. 2025: m = n = 10, h = 100, r = 4), `loraflow run` with method gd, 5000 iterations, 101 "
          "observed (runs: " << list(wd) << " / " << list(w50) << " s per iteration) | " << fmt(d * 1e6) << " | " << fmt(f * 1e6)
       << " | " << fmt(f / d) << " | <= 100 |\n";
  }
  {
    std::vector<double> wd, w50;
    const double d = w4_network(o, "double", wd), f = w4_network(o, "50", w50);
    md << "| Xu et al. 2023 Fig. 1 network (problem.kind = \"network\", recipe xu2023-fig1: 20 x 20, width 1000), `loraflow "
          "run` with method gd, dt = 1e-8, 200 iterations, 11 observed (runs: " << list(wd) << " / " << list(w50)
       << " s per iteration) | " << fmt(d * 1e6) << " | " << fmt(f * 1e6) << " | " << fmt(f / d) << " | <= 100 |\n";
  }
  {
    std::vector<double> wd, w50;
    const double d = w4_p3<double>(o, wd), f = w4_p3<lf::float50>(o, w50);
    md << "| the same network through integrate's GD alone (the field and the update), 200 iterations (runs: " << list(wd)
       << " / " << list(w50) << " s per iteration) | " << fmt(d * 1e6) << " | " << fmt(f * 1e6) << " | " << fmt(f / d)
       << " | <= 100 |\n\n";
  }
}

void usage() {
  std::cout << "usage: bench_workloads [--only W1,W2,W3,W4] [--reps N] [--reps-w2 N] [--reps-w3 N] [--jobs N]\n"
               "                       [--reps-w2-natural N] [--reps-w3-natural N] [--rhs-reps N]\n"
               "                       [--w2-baseline-seconds S] [--out FILE]\n"
               "Times the issue-6 workloads end to end (see the header of bench/workloads.cpp) and prints a Markdown\n"
               "report with medians; --out also writes it to FILE (atomically). Defaults: every workload, 5 reps each,\n"
               "1 rep of each natural-frame comparison row (0 skips it; each takes minutes), 2 threads for W1, 30 s\n"
               "for the W2 baseline.\n";
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      auto value = [&]() -> std::string {
        if (i + 1 >= argc) throw lf::input_error("bench_workloads: option " + a + " needs a value");
        return argv[++i];
      };
      auto count = [&](const std::string& v) {
        char* end = nullptr;
        const long n = std::strtol(v.c_str(), &end, 10);
        if (v.empty() || *end || n < 1 || n > 1000)
          throw lf::input_error("bench_workloads: option " + a + ": expected an integer in 1..1000, got '" + v + "'");
        return static_cast<int>(n);
      };
      if (a == "--help" || a == "-h") {
        usage();
        return 0;
      } else if (a == "--reps") {
        o.reps = o.reps_w2 = o.reps_w3 = count(value());
      } else if (a == "--reps-w2") {
        o.reps_w2 = count(value());
      } else if (a == "--reps-w3") {
        o.reps_w3 = count(value());
      } else if (a == "--reps-w2-natural" || a == "--reps-w3-natural") {
        const std::string v = value();
        const int n = v == "0" ? 0 : count(v);
        (a == "--reps-w2-natural" ? o.reps_w2_natural : o.reps_w3_natural) = n;
      } else if (a == "--jobs") {
        o.jobs = count(value());
      } else if (a == "--rhs-reps") {
        o.rhs_reps = count(value());
      } else if (a == "--w2-baseline-seconds") {
        o.w2_baseline_seconds = count(value());
      } else if (a == "--out") {
        o.out = value();
      } else if (a == "--only") {
        o.only.clear();
        std::stringstream ss(value());
        for (std::string w; std::getline(ss, w, ',');) {
          if (w != "W1" && w != "W2" && w != "W3" && w != "W4")
            throw lf::input_error("bench_workloads: option --only: expected W1, W2, W3 or W4, got '" + w + "'");
          o.only.push_back(w);
        }
      } else {
        throw lf::input_error("bench_workloads: unknown option '" + a + "'; see --help");
      }
    }
  } catch (const lf::input_error& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  std::ostringstream md;
  md << "## Workloads (bench_workloads)\n\n";
  {
    std::ifstream cpu("/proc/cpuinfo");
    std::string line, model = "unknown";
    while (std::getline(cpu, line))
      if (line.rfind("model name", 0) == 0) {
        model = line.substr(line.find(':') + 2);
        break;
      }
    md << "Machine: " << model << ", " << std::thread::hardware_concurrency() << " hardware threads. Compiler: g++ "
       << __VERSION__ << ", flags: " << LORAFLOW_BENCH_FLAGS << ". " << lf::version_string() << ".\n\n";
  }
  try {
    auto want = [&](const char* w) { return std::find(o.only.begin(), o.only.end(), w) != o.only.end(); };
    if (want("W1")) w1(o, md);
    if (want("W2")) w2(o, md);
    if (want("W3")) w3(o, md);
    if (want("W4")) w4(o, md);
  } catch (const std::exception& e) {
    std::cerr << "bench_workloads: " << e.what() << "\n";
    return 1;
  }
  std::cout << md.str();
  if (!o.out.empty()) {
    lf::atomic_file f(o.out);
    f.stream() << md.str();
    f.commit();
  }
  return 0;
}
