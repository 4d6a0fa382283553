// loraflow/run/run.hpp: one run of a configuration, end to end (problem, initialization, integration, metrics,
// outputs). Non-template interface: the working precision is chosen at run time from the config and dispatched to
// the typed pipeline in run/pipeline.hpp, which is compiled once per scalar type.
//
// Outputs (written under a staging directory and renamed into place only on success, so a failed run leaves no
// output directory and no partial file):
//   DIR/trajectory.csv  one row per observation time: t and every metric, with all the digits of the working precision
//   DIR/summary.json    resolved config, derived problem quantities, precision and tolerances used, solver statistics
//                       and status, final metrics, events.T1 and at.T1 (and "stationary" with observe.stationary)
//   DIR/state/          with run_options::save_state: the adapters at t_final, <name>.npy and <name>.txt
#pragma once

#include <loraflow/integrate/method.hpp>
#include <loraflow/run/config.hpp>
#include <loraflow/run/precision.hpp>

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace loraflow {

struct run_options {
  std::string out_dir;   ///< empty: write nothing
  bool progress = true;  ///< progress line on stderr for runs longer than a second
  bool save_state = false;  ///< also DIR/state/<A1|B1|A2|B2>.npy (float64) and .txt (every digit) at t_final
  const std::atomic<bool>* cancel = nullptr;  ///< set by another thread to stop the run (status "stopped")
  /// Return the outputs, in run_result::trajectory_csv and ::state, whether or not out_dir writes them (in-process
  /// callers that read the results themselves: the Python module; the command leaves it off and pays nothing).
  bool keep_outputs = false;
  /// Called on the run's thread after every step with the progress (t or the iteration), its end and the steps
  /// taken (the Python module's progress callback reads it from another thread). Must not throw.
  std::function<void(double done, double total, std::size_t steps)> on_progress;
};

/// A final state as run_result returns it: the named matrices (A1, B1, A2, B2; W1, W2 for problem.kind = "network"),
/// each as float64 and as decimal strings with every digit of the working precision (memory_matrix::text).
using named_matrices = std::vector<std::pair<std::string, memory_matrix>>;

struct run_result {
  run_status status = run_status::ok;  ///< ok, or how the run ended early (stopped: cancelled by run_options::cancel)
  std::string message;
  bool ok() const { return status == run_status::ok; }
  std::string summary_json;  ///< the text of summary.json
  std::string human;         ///< a short human summary (several lines)
  /// With run_options::keep_outputs: the text of trajectory.csv, and the final state (what state/ holds under
  /// --save-state; a disabled adapter is left out).
  std::string trajectory_csv;
  named_matrices state;
};

/// Runs a validated configuration. Throws input_error for bad input files or inconsistent shapes (nothing is
/// written then); numerical failures are reported in run_result::status.
run_result execute(const run_config& c, const run_options& o);

/// The right-hand side of the gradient flow at the initial state of a config (the state its [lora] section gives:
/// init = "files" with arrays or files for a state of one's own), in the config's working precision: what `dx/dt`
/// an integrator of the run would see there.
struct field_result {
  std::string precision;   ///< the working type (scalar_name)
  std::string loss;        ///< J at the state, every digit
  named_matrices state;    ///< the state the field was taken at
  named_matrices field;    ///< dA/dt = -dJ/dA for each adapter (the network: dW1/dt, dW2/dt), same names as state
};

/// The field of c's model at c's initial state (plan_precision chooses the type, as for a run). Throws input_error
/// for bad input, as execute does.
field_result evaluate_field(const run_config& c);

/// What `loraflow analyze RUN_DIR` reports: the text of RUN_DIR/stationary.json and a human summary.
struct analyze_result {
  std::string json;
  std::string human;
};

/// The stationary-point analysis (observe/stationary.hpp) of the final state a run saved with --save-state: reads
/// RUN_DIR/summary.json (the resolved config: the same problem, precision and solver resolution) and RUN_DIR/state/,
/// and, when write is set, writes RUN_DIR/stationary.json atomically. Throws input_error when RUN_DIR has no
/// summary.json or no state/ (naming what to do).
analyze_result analyze_run(const std::string& run_dir, bool write);

/// The build's version string: "loraflow <version> (<git revision>)".
std::string version_string();

}  // namespace loraflow
