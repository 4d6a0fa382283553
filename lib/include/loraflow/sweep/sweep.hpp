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

#include <atomic>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
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

struct sweep_result;

/// Shares one sweep's points among runners that work at once (the ranks of an MPI job: tools/sweep_mpi.cpp implements
/// it over MPI; the library does not use MPI). One runner leads: it prepares DIR, hands out the points of its todo
/// list one at a time as runners ask (so a slow point never leaves the others idle), and learns of every point's
/// end, for the progress line and the counts. The points themselves are written into DIR by whichever runner ran
/// them, atomically and under a claim (run_sweep), so the result does not depend on who ran what.
class sweep_share {
 public:
  virtual ~sweep_share() = default;
  virtual bool leader() const = 0;
  /// Waits until every runner has called it (run_sweep calls it twice: after the leader has prepared DIR, and after
  /// every runner has removed the dead claims of its own host).
  virtual void barrier() = 0;
  /// Leader: the indices of the points to run, in order, before any next().
  virtual void start(std::vector<std::size_t> todo) = 0;
  /// The index of the next point this runner runs, or nothing when none is left.
  virtual std::optional<std::size_t> next() = 0;
  /// A point this runner ran ended with exit status `code`.
  virtual void finished(std::size_t index, int code) = 0;
  /// Leader: serves the others' requests, and returns the points they finished since the last call (index, exit
  /// status). The others: nothing.
  virtual std::vector<std::pair<std::size_t, int>> poll() = 0;
  /// Leader: whether another runner is still at work. The others: false.
  virtual bool others_running() = 0;
  /// Called by every runner at the end with its result: the others send theirs (the points they left to a claim or
  /// found done); the leader adds those to its own.
  virtual void end(sweep_result& r) = 0;
};

struct sweep_options {
  std::string out_dir;
  unsigned jobs = 0;     ///< 0: all cores
  bool progress = true;
  /// The command that runs one point, as an argv prefix (required; e.g. {"/usr/local/bin/loraflow", "run"}; the
  /// loraflow CLI passes itself). Each point runs `PREFIX... BASE_CONFIG --set K=V ... --out DIR --quiet
  /// --no-progress` in its own process, so the prefix must accept the arguments of `loraflow run`.
  std::vector<std::string> point_command;
  /// Set by another thread to stop the sweep: no new point starts, the points in flight are killed (their staging
  /// directories are removed by the next run, which runs them again), and run_sweep returns with cancelled set.
  /// Not with a share (the other runners would wait for this one).
  const std::atomic<bool>* cancel = nullptr;
  /// A share of the points (`loraflow sweep --shard K/N`, job arrays): this runner runs the points whose index i has
  /// i mod shards == shard (0-based), a deterministic partition; shards = 1 runs them all.
  unsigned shard = 0, shards = 1;
  /// Runners sharing this sweep's points at once (an MPI job); null: this runner alone. With a share, only the
  /// leader's result counts the whole sweep.
  sweep_share* share = nullptr;
};

struct sweep_result {
  std::size_t total = 0, already_done = 0, ran = 0, numerical_failures = 0, errors = 0;
  std::size_t other_shards = 0;      ///< points of other shards (sweep_options::shard), not run here
  std::size_t claimed_elsewhere = 0;  ///< points another live runner on the same directory was running: left to it
  std::size_t missing = 0;            ///< points of the whole sweep without a result when this runner ended
  std::vector<std::string> error_messages;  ///< points whose process failed outright (retried on the next run)
  bool cancelled = false;                    ///< stopped by sweep_options::cancel
  /// Points are missing because other shards or runners still owe them: a table would be partial, so `sweep
  /// --table` (and the Python module) leaves it to `loraflow table DIR` once they are in.
  bool table_waits = false;
};

/// The one grammar of a shard, "K/N" with 1 <= K <= N (`loraflow sweep --shard`, the Python module's shard=):
/// {K - 1, N}, as sweep_options::shard and ::shards take them. Throws input_error naming the value otherwise.
std::pair<unsigned, unsigned> parse_shard(const std::string& text);

/// Runs the missing points of a sweep (of its shard). Several runners may share DIR (shards, MPI ranks, a second
/// command by mistake): a runner claims a point before it runs it (DIR/points/<id>.claim, created exclusively,
/// naming its host and pid, removed when the point ends), leaves a point another live runner has claimed, and
/// checks again that the point has no result once the claim is its own, so no point runs to completion twice.
/// A runner removes the claims of runners that died on its own host (told apart from a live process that reused the
/// pid by its start time); a dead runner's claim from another host is kept until a runner on that host starts (or
/// remove DIR/points/*.claim by hand once no runner is left). Throws input_error for a DIR holding a different sweep.
sweep_result run_sweep(const sweep_spec& s, const sweep_options& o);

}  // namespace loraflow
