// validation/check/report.hpp: running a list of claims and rendering the verdicts (the engine of `loraflow check`).
//
// Outputs of a check run:
//   stdout      the verdict table (claim, quantity, predicted, measured, margin, verdict), or with --json the JSON
//   --out DIR   check.json (every row, note and the precision used), check.md (the same as Markdown tables, the
//               source of docs/checks.md), and <claim id>.<table>.csv for every data series; the directory is
//               built under a temporary name and renamed into place when all claims have run.
#pragma once

#include "check/claim.hpp"

#include <iosfwd>
#include <string>
#include <vector>

namespace loraflow::check {

struct claim_run {
  const claim* c = nullptr;
  result r;
  double wall_s = 0;
  std::string error;  ///< a claim that threw (a bug, not a verdict): reported as fail with the message
};

struct check_options {
  bool quick = false;
  bool progress = true;
};

/// Runs the claims with the given ids (all when empty). Throws std::invalid_argument naming an unknown id.
std::vector<claim_run> run_claims(const std::vector<std::string>& ids, const check_options& o);

std::string render_table(const std::vector<claim_run>& runs, bool quick);
std::string render_json(const std::vector<claim_run>& runs, bool quick);
std::string render_markdown(const std::vector<claim_run>& runs, bool quick);
/// Writes check.json, check.md and the CSV tables into dir (atomically, see above).
void write_outputs(const std::string& dir, const std::vector<claim_run>& runs, bool quick);

/// The overall verdict of a claim run (a thrown error counts as fail).
verdict overall(const claim_run& r);

}  // namespace loraflow::check
