// loraflow/sweep/sweep.hpp: grids of runs (`loraflow sweep`), run in parallel, checkpointed and resumable.
//
// A sweep file (TOML; docs/sweep.md) names a base run config and the axes of the grid:
//   base = "fig1.toml"                 # a run config, relative to the sweep file
//   seeds = 30                         # optional replicate axis: problem.seed and lora.seed = base seed + k
//   [[axis]]
//   key = "lora.alpha"                 # any run-config key, section.key
//   values = ["1e-3", "1e-4", "1e-5"]  # a list, or "logspace:-3:-5:3" (decimal powers of ten, kept exact), or
//                                      # "range:0:30" (integers 0..29)
// Points are the Cartesian product of the axes in file order (the last axis varies fastest), seeds innermost. Point
// i is the base config with the axis values set (as --set overrides) and runs as `loraflow run ... --out
// DIR/points/<i>` in a child process, so points never share process state (mpfr precision is process-wide) and a
// killed sweep loses only the points in flight. Each point's directory appears atomically when it completes; a
// point whose directory exists is done. DIR/sweep.json records the resolved grid; running a sweep again on the same
// DIR finishes only the missing points, and refuses a DIR made from a different sweep (bad input, exit 2).
// Results do not depend on --jobs: each point's seeds come from the base seed and the point's seed index.
#pragma once

#include <string>
#include <vector>

namespace loraflow {

struct sweep_axis {
  std::string key;                  ///< section.key
  std::vector<std::string> values;  ///< as TOML literals for --set: strings quoted, integers bare
  std::vector<std::string> labels;  ///< the values as plain text (for tables)
};

struct sweep_spec {
  std::string source;     ///< the sweep file
  std::string base;       ///< the base run config (resolved path)
  std::vector<sweep_axis> axes;
  long seeds = 0;         ///< 0: no replicate axis
  long base_problem_seed = 0, base_lora_seed = 0;  ///< the base config's seeds (base_lora_seed -1: a network, no [lora])
  std::string base_json;  ///< the resolved base config (config_json), part of the fingerprint
};

struct sweep_point {
  std::size_t index = 0;
  std::vector<std::string> sets;    ///< --set overrides
  std::vector<std::string> labels;  ///< one per axis
  long seed = -1;                   ///< replicate index, -1 without seeds
};

/// Reads and validates a sweep file, and every point's config (bad input -> input_error, nothing written).
sweep_spec load_sweep(const std::string& path);
std::vector<sweep_point> expand(const sweep_spec& s);
/// The manifest text written to DIR/sweep.json (deterministic).
std::string manifest_json(const sweep_spec& s);

struct sweep_options {
  std::string out_dir;
  unsigned jobs = 0;     ///< 0: all cores
  bool progress = true;
  /// The command that runs one point, as an argv prefix (required; e.g. {"/usr/local/bin/loraflow", "run"}; the
  /// loraflow CLI passes itself). Each point runs `PREFIX... BASE_CONFIG --set K=V ... --out DIR --quiet
  /// --no-progress` in its own process, so the prefix must accept the arguments of `loraflow run`.
  std::vector<std::string> point_command;
};

struct sweep_result {
  std::size_t total = 0, already_done = 0, ran = 0, numerical_failures = 0, errors = 0;
  std::vector<std::string> error_messages;  ///< points whose process failed outright (retried on the next run)
};

/// Runs the missing points of a sweep. Throws input_error for a DIR holding a different sweep.
sweep_result run_sweep(const sweep_spec& s, const sweep_options& o);

}  // namespace loraflow
