// loraflow/run/run.hpp: one run of a configuration, end to end (problem, initialization, integration, metrics,
// outputs). Non-template interface: the working precision is chosen at run time from the config and dispatched to
// the typed pipeline in run/pipeline.hpp, which is compiled once per scalar type.
//
// Outputs (written under a staging directory and renamed into place only on success, so a failed run leaves no
// output directory and no partial file):
//   DIR/trajectory.csv  one row per observation time: t and every metric, with all the digits of the working precision
//   DIR/summary.json    resolved config, derived problem quantities, precision and tolerances used, solver statistics
//                       and status, final metrics, events.T1 and at.T1
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

/// The build's version string: "loraflow <version> (<git revision>)".
std::string version_string();

}  // namespace loraflow
