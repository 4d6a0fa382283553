// loraflow/run/run.hpp: one run of a configuration, end to end (problem, initialization, integration, metrics,
// outputs). Non-template interface: the working precision is chosen at run time from the config and dispatched to
// the typed pipeline in run/run_impl.hpp, which is compiled once per scalar type.
//
// Outputs (written under a staging directory and renamed into place only on success, so a failed run leaves no
// output directory and no partial file):
//   DIR/trajectory.csv  one row per observation time: t and every metric, with all the digits of the working precision
//   DIR/summary.json    resolved config, derived problem quantities, precision and tolerances used, solver statistics
//                       and status, final metrics, events.T1 and at.T1
#pragma once

#include <loraflow/run/config.hpp>

#include <atomic>
#include <string>

namespace loraflow {

/// What precision = "auto" (or an explicit choice) resolved to.
struct precision_plan {
  std::string type;    ///< double | long_double | float128 | 50 | 100 | mpfr
  unsigned mpfr_digits = 0;
  std::string rtol;    ///< decimal
  bool automatic = false;
  std::string reason;  ///< one sentence: why this precision and tolerance
};

/// Chooses the working precision for a config (see docs/precision.md for the rule).
precision_plan plan_precision(const run_config& c);

struct run_options {
  std::string out_dir;   ///< empty: write nothing
  bool progress = true;  ///< progress line on stderr for runs longer than a second
  const std::atomic<bool>* cancel = nullptr;  ///< set by another thread to stop the run (status "stopped")
};

struct run_result {
  std::string status;        ///< ok | step_underflow | non_finite | budget_exhausted
  std::string message;
  std::string summary_json;  ///< the text of summary.json
  std::string human;         ///< a short human summary (several lines)
};

/// Runs a validated configuration. Throws input_error for bad input files or inconsistent shapes (nothing is
/// written then); numerical failures are reported in run_result::status.
run_result execute(const run_config& c, const run_options& o);

/// The build's version string: "loraflow <version> (<git revision>)".
std::string version_string();

}  // namespace loraflow
