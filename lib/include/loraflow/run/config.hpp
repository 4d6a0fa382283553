// loraflow/run/config.hpp: the run configuration (TOML), as users write it, validated before any computation.
//
// Every number that enters a computation is kept as a decimal string and parsed later at the working precision:
// quoted strings are kept verbatim; unquoted TOML floats are read by toml++ as doubles and kept as their shortest
// round-trip decimal (so write values with more than 15 significant digits as strings). Paths are resolved
// relative to the config file. Unknown keys, wrong types and out-of-range values raise input_error with one line
// naming the file, the key and what was expected. docs/config.md documents every key.
#pragma once

#include <loraflow/io/input_error.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace loraflow {

struct problem_config {
  std::string kind = "xu2025";  ///< xu2025 | files | one_matrix | network
  long m = 10, n = 10, h = 100;         ///< xu2025: all three; one_matrix generator: m, n (h = m)
  std::vector<std::string> sigma{"5"};  ///< xu2025: one per dY pair; one_matrix generator: the singular values of S
  std::vector<long> pair{0};            ///< 0-based singular pair index of Y_pre (0 = top; -1 = bottom)
  std::string scale = "1.05";           ///< c: W2 = c (...), W1 = (1/c) (...), delta_w = 1/c^2
  std::uint64_t seed = 0;
  std::string W1, W2, dY;  ///< kind = files: resolved paths (.npy or text)
  std::string W0, S;       ///< kind = one_matrix from files: resolved paths (else the generator: m, n, sigma, seed)
  /// kind = network (the two-layer linear network L = 1/2 ||Y - X W1 W2||_F^2, model/xu2023.hpp; no [lora]): the
  /// recipe xu2023-fig1 (n, h, scale, seed), xu2023-fig2 (n, h, noise, seed), xu2025tmlr (n, h, noise, seed) or
  /// files (X, Y and the initial W1, W2, resolved paths). n and h default to the recipe's paper values.
  std::string recipe;
  std::string noise;
  std::string X, Y;
};

struct lora_config {
  long rank = 4;
  bool adapt_W1 = true, adapt_W2 = true;
  std::string init = "small";  ///< small | spectral | files
  std::string alpha;           ///< required unless init = files
  std::uint64_t seed = 0;
  std::string scale = "1";         ///< LoRA scale s
  std::string weight_decay = "0";  ///< lambda
  std::string A1, B1, A2, B2;      ///< init = files: resolved paths
  std::string state;               ///< init = files: a state/ folder of `loraflow run --save-state` (fills A1..B2)
};

/// [objective]: what the adapters minimise (model/objective.hpp). Data come from files or from a seeded generator.
struct objective_config {
  std::string kind = "frobenius";  ///< frobenius | weighted | sensing | logistic
  std::uint64_t seed = 0;          ///< the generators' seed (stream streams::objective)
  // weighted: weights (file, m x n, entries > 0) or ratio (generator: w_max / w_min, a decimal >= 1)
  std::string weights, ratio;
  // sensing: operator (file, N x (m n), row k = vec(M_k)^T column-major) or measurements (generator: N Gaussian
  // matrices); noise: the standard deviation of Gaussian measurement noise (generator only)
  std::string operator_file;
  long measurements = 0;
  std::string noise = "0";
  // logistic: features (file, n x N) and labels (file, N class indices 0..m-1) or samples (generator: N samples
  // labelled by the teacher W0 + dY); separable: labels by argmax (true) or drawn from the softmax (false)
  std::string features, labels;
  long samples = 0;
  bool separable = true;
};

struct solve_config {
  std::string method = "auto";  ///< a method of integrate/method.hpp, or auto (run/precision.hpp: choose_method)
  std::string precision = "double";  ///< double | long_double | float128 | 50 | 100 | mpfr:<digits> | auto
  std::string rtol = "1e-10";
  std::string atol;  ///< empty: rtol * min(alpha, 1)^2
  std::string t_end = "5";
  std::string dt;  ///< rk4 step / GD eta (required for those methods)
  long max_steps = 100000000;
  long digits = 6;  ///< precision = auto: significant digits wanted in misalign(T1) and T1
  long taylor_order = 0;  ///< method = taylor: series order K (0: automatic, about 1.15 x the digits of rtol)
  std::string frame = "auto";  ///< auto | natural | singular (run/precision.hpp: plan_precision's frame rule; singular: xu2025 problems only)
  std::string step_rule = "constant";  ///< method = gd: a rule of integrate/step_rule.hpp (step_rule_table)
  std::string step_c;      ///< the constant c of step rules adapt, adapt2, norm (required there)
  std::string smoothness;  ///< step_rule = mu-klabjan: L_f of the objective (empty: the objective's own)
  long steps = 0;          ///< method = gd: the number of iterations (0: round(t_end / dt)); required with a step rule
  /// The constants 0 < c1 < 1 < c2 of Xu et al. 2023's Theorem 3.1 (step rules xu2023-max, xu2023-adaptive; the
  /// bound of any GD run on problem.kind = "network"); the paper's experiments use 0.5 and 1.5.
  std::string c1 = "0.5", c2 = "1.5";
  /// step_rule = xu2025-growing: Xu et al. TMLR 2025 Theorem 3.2's eta0, below E.1's eta_max (empty: 0.99 eta_max, strictly below it)
  std::string eta0;
};

/// observe.times, parsed once (parse_times): a grid linspace:a:b:n (n times a + (b - a) i / (n - 1)) or
/// logspace:a:b:n (10 to those powers), or an explicit list of times. Decimals stay strings until the working
/// precision parses them (run/pipeline.hpp, observation_times).
struct observe_config {
  std::string spacing = "linspace";  ///< linspace | logspace | list
  std::string a = "0", b = "5";      ///< the grid's ends (spacing linspace or logspace)
  long n = 501;                      ///< the grid's number of times
  std::vector<std::string> list;     ///< spacing list: the times
  bool stationary = false;           ///< observe.stationary: the stationary-point analysis of the final state
  /// observe.general_metrics: the metrics of any problem (observe/metrics.hpp, general_observer) in trajectory.csv
  bool general_metrics = false;
  /// observe.steps (GD runs of solve.steps iterations): the iterations observed, a grid of the observe.times
  /// grammar (rounded to iterations, repeats dropped) or a list; filled with the default grid when solve.steps is set.
  std::string steps_spacing;  ///< linspace | logspace | list; empty: not a run by iterations
  std::string steps_a, steps_b;
  long steps_n = 0;
  std::vector<long> steps_list;
  /// observe.steps in its text form ("linspace:0:1000:1001"; empty for a list).
  std::string steps_grid_text() const {
    return steps_spacing == "list" ? std::string() : steps_spacing + ":" + steps_a + ":" + steps_b + ":" + std::to_string(steps_n);
  }
  /// The number of observation times.
  std::size_t count() const { return spacing == "list" ? list.size() : static_cast<std::size_t>(n); }
  /// The text form, as written in a config ("linspace:0:5:501"; empty for a list).
  std::string grid_text() const { return spacing == "list" ? std::string() : spacing + ":" + a + ":" + b + ":" + std::to_string(n); }
};

/// A matrix given in memory instead of a file (the Python module's numpy arrays), column-major like a file read:
/// float64 values (exact, what a .npy file holds) or, when `text` is filled, decimal strings (every digit, what a
/// text matrix holds; parsed at the working precision). Entry (i, j) is at index i + j * rows.
struct memory_matrix {
  std::size_t rows = 0, cols = 0;
  std::vector<double> f64;
  std::vector<std::string> text;
};

/// The arrays a config's file keys name as "array:NAME" (memory_path_prefix): problem.W1 = "array:W1" reads the
/// matrix NAME = "W1" of run_config::arrays instead of a file.
using memory_arrays = std::map<std::string, memory_matrix>;
inline constexpr const char* memory_path_prefix = "array:";
/// Whether a file key's value names an in-memory array ("array:NAME").
inline bool is_memory_path(const std::string& path) { return path.rfind(memory_path_prefix, 0) == 0; }

/// The keys whose value is a file path, as "section.key" (problem.W1, lora.A1, objective.weights, ...): the one list,
/// which the parser checks every path key against and the Python module reads to know which values may be arrays.
const std::vector<std::string>& file_keys();

struct run_config {
  problem_config problem;
  lora_config lora;
  objective_config objective;
  solve_config solve;
  observe_config observe;
  std::string source;  ///< the config file, for messages
  /// The in-memory matrices its file keys may name as "array:NAME" (null: none; file keys are then files only).
  std::shared_ptr<const memory_arrays> arrays;
};

/// Why the singular frame (solve.frame = "singular", model/singular_frame.hpp) cannot integrate the run c, in one
/// phrase naming the key ("problem.kind = \"files\": ..."); empty when it can: a generated xu2025 problem (the only
/// one whose frame is known exactly), the frobenius objective (the frame's field is the squared loss), and a method
/// the frame has (method_info::singular_frame, or "auto"). The one rule behind the config error for an explicit
/// "singular" and frame = "auto"'s choice (run/precision.hpp, plan_precision).
std::string singular_frame_unavailable(const run_config& c);

/// Reads and validates a config file, applying `section.key=value` overrides (value in TOML syntax, or a bare
/// word taken as a string). Throws input_error.
run_config load_config(const std::string& path, const std::vector<std::string>& overrides = {});

/// The same checks for a config given as TOML text (source names it in messages; base_dir resolves paths).
run_config parse_config(const std::string& toml_text, const std::string& source, const std::string& base_dir,
                        const std::vector<std::string>& overrides = {});

/// The resolved configuration as JSON text (written into summary.json).
std::string config_json(const run_config& c);

/// The config of a summary.json's "config" block (what config_json wrote), validated like a file. Its paths are
/// absolute already. Throws input_error naming source.
run_config config_from_json(const std::string& json_text, const std::string& source);

/// The one grammar of observe.times (and observe.steps) for a grid: linspace:a:b:n | logspace:a:b:n with decimals
/// a < b and 2 <= n <= 1e8. Throws input_error naming source and the key.
observe_config parse_time_grid(const std::string& text, const std::string& source, const std::string& key = "observe.times");

}  // namespace loraflow
