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
#include <string>

namespace loraflow {

struct run_options {
  std::string out_dir;   ///< empty: write nothing
  bool progress = true;  ///< progress line on stderr for runs longer than a second
  bool save_state = false;  ///< also DIR/state/<A1|B1|A2|B2>.npy (float64) and .txt (every digit) at t_final
  const std::atomic<bool>* cancel = nullptr;  ///< set by another thread to stop the run (status "stopped")
};

struct run_result {
  run_status status = run_status::ok;  ///< ok, or how the run ended early (stopped: cancelled by run_options::cancel)
  std::string message;
  bool ok() const { return status == run_status::ok; }
  std::string summary_json;  ///< the text of summary.json
  std::string human;         ///< a short human summary (several lines)
};

/// Runs a validated configuration. Throws input_error for bad input files or inconsistent shapes (nothing is
/// written then); numerical failures are reported in run_result::status.
run_result execute(const run_config& c, const run_options& o);

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
