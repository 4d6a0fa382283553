// validation/check/main.cpp: loraflow-check, the theorem checks' own program (run as `loraflow check`).
//
//   loraflow-check [IDS...] [--quick] [--out DIR] [--json] [--strict] [--no-progress] | --list [--ids]
//
// The checks are evidence on top of the library (validation/), so they are a program of their own: the loraflow
// command (tools/loraflow.cpp) knows nothing of them and forwards `loraflow check ARGS...` here (the binary beside
// it), which keeps the layers pointing down (tools/check_layers.py).
// Exit status: 0 no claim failed; 1 a claim failed (or was inconclusive, with --strict), or another error; 2 bad
// input (unknown id, --out not a directory).
#include "check/report.hpp"

#include <loraflow/io/input_error.hpp>
#include <loraflow/run/run.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>

namespace {

struct check_args {
  std::vector<std::string> ids;
  std::string out;
  bool list = false, list_ids = false, quick = false, json = false, strict = false, no_progress = false;
};

int run_checks(const check_args& a) {
  namespace ck = loraflow::check;
  if (a.list) {
    for (const ck::claim& c : ck::registry()) {
      if (a.list_ids) std::cout << c.id << "\n";
      else std::cout << c.id << "\n    " << c.title << "\n    " << c.paper << ", " << c.location << "\n";
    }
    return 0;
  }
  for (const std::string& id : a.ids) {
    const auto& reg = ck::registry();
    if (std::none_of(reg.begin(), reg.end(), [&](const ck::claim& c) { return c.id == id; }))
      throw loraflow::input_error("claim id '" + id + "': unknown; expected one of the ids of loraflow check --list");
  }
  if (!a.out.empty() && std::filesystem::exists(a.out) && !std::filesystem::is_directory(a.out))
    throw loraflow::input_error("--out " + a.out + ": exists and is not a directory; expected a directory path");
  const std::vector<ck::claim_run> runs = ck::run_claims(a.ids, {a.quick, !a.no_progress});
  if (a.json) std::cout << ck::render_json(runs, a.quick) << std::flush;
  else std::cout << ck::render_table(runs, a.quick) << std::flush;
  if (!a.out.empty()) ck::write_outputs(a.out, runs, a.quick);
  int status = 0;
  for (const ck::claim_run& r : runs) {
    const ck::verdict v = ck::overall(r);
    if (v == ck::verdict::fail || (a.strict && v == ck::verdict::inconclusive)) status = 1;
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"loraflow check: check the papers' claims (Xu et al. 2025, Min et al. 2021, Kim et al. 2025): predict, measure, give a "
               "verdict"};
  app.name("loraflow check");
  app.set_version_flag("--version", loraflow::version_string());
  check_args a;
  app.add_option("IDS", a.ids, "Claim ids to run (default: all; see --list)");
  app.add_flag("--list", a.list, "List the claim ids with their paper locations and exit");
  app.add_flag("--ids", a.list_ids, "With --list: print the ids only, one per line");
  app.add_flag("--quick", a.quick, "The CI-sized versions (fewer alphas, smaller problems; minutes in all)");
  app.add_option("--out", a.out, "Also write check.json, check.md and the data CSVs here (replaced atomically)")
      ->type_name("DIR");
  app.add_flag("--json", a.json, "Print the verdicts as JSON instead of the table");
  app.add_flag("--strict", a.strict, "Exit 1 also when a claim is inconclusive (used by the ctest cases)");
  app.add_flag("--no-progress", a.no_progress, "Do not print progress lines on stderr");
  app.footer("Verdicts: pass, FAIL, inconclusive (the measurement is below what the run resolves; never a pass),\n"
             "violation (a printed statement the measurement contradicts, for the reason shown; expected, and\n"
             "asserted: if it stops occurring the row FAILs), report (a quantity the paper does not state, e.g.\n"
             "the sharp measured law beside a loose bound; not a test). Every row names its source (paper and\n"
             "equation, derived in the claim's header, or a measured reference). Exit status: 0 no claim\n"
             "failed, 1 a claim failed (or was inconclusive, with --strict), 2 bad input (unknown id).\n"
             "Example: loraflow check --quick --out out/check; loraflow check xu2025.t1-slope\n"
             "Every claim, its prediction and the last full run's numbers: docs/checks.md");
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "loraflow check: " << e.what() << " (see loraflow check --help)\n";
    return 2;
  }
  try {
    return run_checks(a);
  } catch (const loraflow::input_error& e) {
    std::cerr << "loraflow: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "loraflow: error: " << e.what() << "\n";
    return 1;
  }
}
