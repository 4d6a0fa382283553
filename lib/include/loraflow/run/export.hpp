// loraflow/run/export.hpp: write out the problem a configuration defines (W1, W2, dY), as `loraflow run` builds it.
//
// Provides: export_problem, behind `loraflow problem CONFIG --out DIR [--text]`. It builds the matrices exactly as
// execute() does (the Xu et al. generator at the working precision, or the files of kind = "files", with the same
// shape and rank checks) and writes DIR/W1.npy, W2.npy, dY.npy (float64, Fortran order) and, on request, W1.txt,
// W2.txt, dY.txt with every digit of the working precision (io/text_matrix.hpp). Feeding them back with
// [problem] kind = "files" gives the same problem: exactly, at precision double with either format; beyond double
// only from the text files (a .npy entry is the working-precision value rounded to the nearest double).
// For problem.kind = "network" (run/network.hpp) it writes X, Y and the initial W1, W2 instead, which
// [problem] kind = "network", recipe = "files" reads back the same way.
//
// Why: so a generated problem can be inspected, perturbed or used by other tools, and a run from files can be
// checked against the generator run it came from.
//
// Not for: the LoRA initialization (A1, B1, A2, B2) or anything the integration produces; see run/run.hpp.
#pragma once

#include <loraflow/run/config.hpp>

#include <string>
#include <vector>

namespace loraflow {

struct problem_export_options {
  std::string out_dir;  ///< required; replaced atomically on success, never left half-written
  bool text = false;    ///< also W1.txt, W2.txt, dY.txt with every digit of the working precision
};

struct problem_export_result {
  long m = 0, n = 0, h = 0;
  std::string precision;           ///< the working precision the matrices were built at, e.g. "double" or "50"
  std::vector<std::string> files;  ///< the names written into out_dir, in order
  std::string human;               ///< a short human summary (a few lines)
};

/// Builds the problem of a validated configuration and writes it to o.out_dir (see the file comment).
/// Throws input_error for bad input files, inconsistent shapes or a rank larger than the problem allows (nothing is
/// written then), std::invalid_argument for an empty out_dir, std::runtime_error on I/O failure.
///
/// **Example**
/// ```
/// const loraflow::run_config c = loraflow::load_config("docs/examples/fig1.toml");
/// loraflow::export_problem(c, {"out/fig1-problem", true});  // W1.npy ... dY.txt
/// ```
problem_export_result export_problem(const run_config& c, const problem_export_options& o);

}  // namespace loraflow
