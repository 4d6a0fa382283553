// loraflow/report/table.hpp: convergence-rate tables and figure data from a sweep directory (`loraflow table`).
//
// Reads DIR/sweep.json and every DIR/points/<i>/{summary.json, trajectory.csv}, groups the points by their axis
// values (seeds pooled), and writes, atomically:
//   table.csv, table.md, table.tex, table.json  one row per group: n, failures, T1, misalign(T1), imbalance(T1),
//       local rate after T1, final loss (mean and standard deviation over seeds; the small quantities as geometric
//       means with the standard deviation of log10). Below them (md, tex, json) the exponents fitted against alpha
//       (for each combination of the other axes) with standard errors, beside the theorems' predictions and bounds,
//       and the provenance: loraflow version and git revision, precision, tolerances, method, seeds, base config.
//   curves.csv  per group and observation time: mean and standard deviation over seeds of log10 loss, misalign and
//       escape (the input of tools/plot_sweep.py).
// Tables hold no timings, so they are byte-identical whatever --jobs was and however often the sweep was resumed.
// Local rate rule: least-squares slope of ln L on the observations after T1 with 1e-8 <= L <= 1e-2 (Thm 3.2's
// window in the theory catalogue 2.6); nan when fewer than 3 observations fall inside.
#pragma once

#include <string>
#include <vector>

namespace loraflow {

struct table_result {
  std::size_t groups = 0, points = 0, missing = 0, failed = 0;
  std::vector<std::string> missing_points;  ///< the directories (under points/) of the points without a result
  std::string markdown;  ///< the text of table.md (printed by the CLI)
};

/// Writes the tables of the sweep in dir. Throws input_error when dir holds no sweep.json.
table_result write_tables(const std::string& dir);

}  // namespace loraflow
