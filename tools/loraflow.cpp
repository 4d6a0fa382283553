// tools/loraflow.cpp: the loraflow command, a thin layer over the library (lib/include/loraflow/run).
//
//   loraflow run CONFIG [--set section.key=value]... [--out DIR] [--save-state] [--quiet] [--no-progress]
//   loraflow analyze RUN_DIR [--quiet]
//   loraflow problem CONFIG [--set section.key=value]... --out DIR [--text] [--quiet]
//   loraflow sweep SWEEP_FILE --out DIR [--jobs N] [--shard K/N] [--table] [--no-progress]
//   mpirun -np N loraflow sweep SWEEP_FILE --out DIR [...]   (the ranks share the points: tools/sweep_mpi.cpp)
//   loraflow table SWEEP_DIR [--quiet]
//   loraflow reproduce ID [--out DIR] [--quick] [--jobs N] [--no-progress] | --list
//   loraflow check [IDS...] [--quick] [--out DIR] [--json] [--strict] [--no-progress] | --list [--ids]
//     (forwarded to loraflow-check, the theorem checks' own program beside this binary: validation/check/main.cpp)
//
// Exit status: 0 success; 2 bad input (one line on stderr naming the file, key or value and what was expected;
// nothing written); 3 the run ended with a numerical failure (status in summary.json); 1 any other error, and for
// check: a claim failed (or, with --strict, was inconclusive).
#include <loraflow/io/input_error.hpp>
#include <loraflow/run/config.hpp>
#include <loraflow/run/export.hpp>
#include <loraflow/run/precision.hpp>
#include <loraflow/io/atomic_file.hpp>
#include <loraflow/report/table.hpp>
#include <loraflow/run/certify.hpp>
#include <loraflow/run/run.hpp>
#include <loraflow/sweep/sweep.hpp>

#include "sweep_mpi.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <tuple>
#include <utility>

#include <sys/wait.h>
#include <unistd.h>

namespace {

struct cli_args {
  std::string config, out;
  std::vector<std::string> sets;
  bool quiet = false, no_progress = false, text = false;
  bool list = false, quick = false;
  unsigned jobs = 0;  // sweep, reproduce
  std::string shard;  // sweep --shard K/N
  bool table = false, certify = false, save_state = false;
  std::string preset;
};

#ifndef LORAFLOW_SOURCE_DIR
#define LORAFLOW_SOURCE_DIR "."
#endif

// loraflow-check, the theorem checks' program (validation/check/main.cpp), from the directory of this binary.
std::string check_program() {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::filesystem::path exe = (ec ? std::filesystem::path(".") : self.parent_path()) / "loraflow-check";
  if (access(exe.c_str(), X_OK) != 0)
    throw loraflow::input_error("check: " + exe.string() + " not found; expected the theorem checks' program beside "
                                "loraflow (build with -DLORAFLOW_BUILD_VALIDATION=ON)");
  return exe.string();
}

// Runs loraflow-check with args and returns its exit status.
int run_check_program(const std::vector<std::string>& args) {
  const std::string exe = check_program();
  std::vector<std::string> all{exe};
  all.insert(all.end(), args.begin(), args.end());
  std::cout << std::flush;
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("check: fork failed");
  if (pid == 0) {
    std::vector<char*> argv;
    for (std::string& s : all) argv.push_back(s.data());
    argv.push_back(nullptr);
    execv(exe.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) throw std::runtime_error("check: waitpid failed");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// `loraflow check ARGS...`: becomes loraflow-check ARGS... (the same process: exit status, output and signals are
// the checks' own).
[[noreturn]] void exec_check(const std::vector<std::string>& args) {
  const std::string exe = check_program();
  std::vector<std::string> all{exe};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : all) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::cout << std::flush;
  execv(exe.c_str(), argv.data());
  throw std::runtime_error("check: cannot run " + exe);
}

// The reproduction presets: docs/presets/<id>.sweep.toml (and <id>.quick.sweep.toml), plotted by tools/plot_sweep.py.
/// A reproduction preset: a sweep under docs/presets/ (claim empty), or the data tables of one claim of
/// `loraflow check` (claim set: a model or an analysis the sweep engine does not run); plotted by tools/plot_sweep.py.
struct preset {
  std::string id, summary, claim;
};

const std::vector<preset>& presets() {
  static const std::vector<preset> p{
      {"xu2025-fig1", "Xu et al. 2025 Fig. 1: loss, alignment, escape; 3 alphas x 2 inits x 30 seeds, GF and GD", ""},
      {"xu2025-fig3", "Xu et al. 2025 Fig. 3: the three delta_w rows, dY on the top singular pair", ""},
      {"xu2025-fig4", "Xu et al. 2025 Fig. 4: the three delta_w rows, dY on the bottom singular pair", ""},
      {"min2021-a1",
       "Min et al. 2021 App. A.1: convergence against imbalance with Theorem 1's bound (the claim min2021.thm1's curves)",
       "min2021.thm1"},
      {"kim2025-fails-loudly",
       "Kim, Kim, Ryu 2025 Sec. 4 / Fig. 2 and Table 1 in miniature: where zero-B and large inits end (global or "
       "spurious, ||X||_F, rank) on generic-regime problems, and the rank of the nuclear-norm minimiser against lambda "
       "(the claim kim2025.implicit-bias's runs)",
       "kim2025.implicit-bias"},
      {"mu2025-rates",
       "Mu, Klabjan: min ||grad J||^2 sum eta against T for the step rule of Lemma 3.4 and the experiments' schedules, "
       "on bounded (whitened MF, sensing) and unbounded (separable logistic) problems, and ||V_t||^2 (the claim "
       "mu2025.thm3_5-rate's runs)",
       "mu2025.thm3_5-rate"},
      {"xu2023-fig1",
       "Xu, Min, Tarmoun, Mallada, Vidal 2023 Fig. 1: GD with the fixed step eta_max against Algorithm 1's adaptive "
       "step, with Theorem 3.2's bound, and Theorem 3.1's spectra, for init scales sigma = 0.1, 2, 10 (the claim "
       "xu2023.thm3_2-rate's runs)",
       "xu2023.thm3_2-rate"},
      {"xu2023-fig2",
       "Xu, Min, Tarmoun, Mallada, Vidal 2023 Fig. 2: the step-size comparison on X = I with a balanced init (fixed "
       "eta_max, Algorithm 1, Theorem 3.2's bound; the Du et al. and Arora et al. steps are left out, the catalogue "
       "does not state them) (the claim xu2023.thm3_2-rate's runs)",
       "xu2023.thm3_2-rate"},
      {"xu2025tmlr-fig1",
       "Xu, Min, Tarmoun, Mallada, Vidal, TMLR 2025 Sec. 4 (Fig. 1's runs): GD with Theorem 3.2's growing step on the "
       "paper's problem (h = 500, 1000, 4000), the loss against the chained and the overall bound, the steps against "
       "the cap and 1/K_t, and Lemma 3.1's spectral bounds (the claim xu2025tmlr.thm3_2-growing-step's runs)",
       "xu2025tmlr.thm3_2-growing-step"},
  };
  return p;
}

/// What `loraflow table` and `sweep --table` say about points without a result: how many, and which.
std::string missing_note(const loraflow::table_result& t, const std::string& out) {
  std::string list;
  for (std::size_t i = 0; i < t.missing_points.size() && i < 10; ++i) list += (i ? ", " : "") + t.missing_points[i];
  if (t.missing_points.size() > 10) list += ", ...";
  return "loraflow: table: " + std::to_string(t.missing) + " of " + std::to_string(t.points) + " points of " + out +
         " have no result yet (" + list + "): their rows count them as missing; run the sweep (or its other shards) "
         "again, then loraflow table " + out + "\n";
}

int sweep_and_table(const std::string& file, const std::string& out, unsigned jobs, bool progress, bool table,
                    bool quiet, const std::string& shard = {}, loraflow::sweep_share* share = nullptr) {
  const loraflow::sweep_spec spec = loraflow::load_sweep(file);
  loraflow::sweep_options o;
  o.out_dir = out;
  o.jobs = jobs;
  o.progress = progress;
  o.share = share;
  o.point_command = {"/proc/self/exe", "run"};  // each point is `loraflow run` in its own process (this binary)
  if (!shard.empty()) std::tie(o.shard, o.shards) = loraflow::parse_shard(shard);
  const loraflow::sweep_result r = loraflow::run_sweep(spec, o);
  if (!quiet) {
    std::cout << "sweep " << file << " -> " << out << ": " << r.total << " points";
    if (o.shards > 1) std::cout << " (shard " << o.shard + 1 << "/" << o.shards << ": " << r.total - r.other_shards << " of them)";
    std::cout << ", " << r.already_done << " already done, " << r.ran << " run now (" << r.numerical_failures
              << " numerical failures, status in their summary.json), " << r.errors << " errors";
    if (r.claimed_elsewhere) std::cout << ", " << r.claimed_elsewhere << " left to another runner on the same directory";
    std::cout << "\n";
  }
  for (const std::string& m : r.error_messages) std::cerr << "loraflow: sweep: " << m << "\n";
  if (table && r.table_waits) {
    // Other shards (or runners) still owe points: the table is written once, when they are all in.
    if (!quiet)
      std::cout << "table not written: " << r.missing << " points of the sweep have no result yet (other shards or "
                << "runners); when they are in: loraflow table " << out << "\n";
  } else if (table) {
    const loraflow::table_result t = loraflow::write_tables(out);
    if (!quiet)
      std::cout << "wrote " << out << "/table.{md,csv,tex,json} and curves.csv (" << t.groups << " groups)\n";
    if (t.missing) std::cerr << missing_note(t, out);
  }
  if (r.errors) {
    std::cerr << "loraflow: " << r.errors << " points failed to run (logs in " << out
              << "/logs/); run the same command again to retry them\n";
    return 1;
  }
  return 0;
}

#ifdef LORAFLOW_HAVE_MPI
/// `mpirun -np N loraflow sweep ...` (tools/sweep_mpi.hpp): the ranks share the points; rank 0 leads, prints and
/// writes the table once every rank is done. Bad input on any rank ends the whole job (the others would wait).
int cmd_sweep_mpi(const cli_args& a) {
  loraflow_cli::mpi_session mpi;
  const bool lead = mpi.rank() == 0;
  try {
    return sweep_and_table(a.config, a.out, a.jobs ? a.jobs : mpi.default_jobs(), lead && !a.no_progress,
                           lead && a.table, !lead || a.quiet, a.shard, mpi.share());
  } catch (const loraflow::input_error& e) {
    std::cerr << "loraflow: " << e.what() << "\n";
    mpi.abort(2);
  } catch (const std::exception& e) {
    std::cerr << "loraflow: error (rank " << mpi.rank() << "): " << e.what() << "\n";
    mpi.abort(1);
  }
}
#endif

int cmd_sweep(const cli_args& a) {
  if (loraflow_cli::launched_by_mpi()) {
#ifdef LORAFLOW_HAVE_MPI
    return cmd_sweep_mpi(a);
#else
    std::cerr << "loraflow: sweep: started by an MPI launcher, but this loraflow was built without MPI: each rank runs "
                 "the sweep on its own, the ranks sharing DIR through its claims (install libopenmpi-dev and rebuild "
                 "for one shared queue: tools/setup.sh)\n";
#endif
  }
  return sweep_and_table(a.config, a.out, a.jobs, !a.no_progress, a.table, a.quiet, a.shard);
}

int cmd_table(const cli_args& a) {
  const loraflow::table_result t = loraflow::write_tables(a.config);
  if (!a.quiet) std::cout << t.markdown;
  if (t.missing) std::cerr << missing_note(t, a.config);
  return 0;
}

int cmd_reproduce(const cli_args& a) {
  if (a.list) {
    for (const preset& p : presets()) std::cout << p.id << "\n    " << p.summary << "\n";
    return 0;
  }
  const auto it = std::find_if(presets().begin(), presets().end(), [&](const preset& p) { return p.id == a.preset; });
  if (it == presets().end())
    throw loraflow::input_error("preset '" + a.preset + "': unknown; expected one of loraflow reproduce --list");
  const std::filesystem::path src(LORAFLOW_SOURCE_DIR);
  const std::string out = a.out.empty() ? "out/" + a.preset + (a.quick ? "-quick" : "") : a.out;
  const std::string plot = "/usr/bin/python3 '" + (src / "tools" / "plot_sweep.py").string() + "' '" + out +
                           "' --preset " + a.preset + " --out '" + out + "/figures'";
  if (!it->claim.empty()) {  // the data tables of a claim (its verdicts print too; exit 1 if it fails)
    std::vector<std::string> args{it->claim, "--out", out};
    if (a.quick) args.push_back("--quick");
    if (a.no_progress) args.push_back("--no-progress");
    const int rc = run_check_program(args);
    if (rc == 2) return 2;
    if (std::system(plot.c_str()) != 0) {
      std::cerr << "loraflow: plotting failed (" << plot << "); the data are in " << out << "\n";
      return 1;
    }
    std::cout << "figures: " << out << "/figures/" << a.preset << ".png and .pdf\n";
    return rc;
  }
  const std::string file =
      (src / "docs" / "presets" / (a.preset + (a.quick ? ".quick" : "") + ".sweep.toml")).string();
  const int rc = sweep_and_table(file, out, a.jobs, !a.no_progress, true, false);
  if (rc != 0) return rc;
  if (std::system(plot.c_str()) != 0) {
    std::cerr << "loraflow: plotting failed (" << plot << "); the data and tables are in " << out
              << " (install python3-matplotlib: tools/setup.sh)\n";
    return 1;
  }
  std::cout << "figures: " << out << "/figures/" << a.preset << ".png and .pdf\n";
  return 0;
}

int cmd_run(const cli_args& a) {
  const loraflow::run_config c = loraflow::load_config(a.config, a.sets);
  loraflow::run_options o;
  o.out_dir = a.out.empty() ? (std::filesystem::path("out") / std::filesystem::path(a.config).stem()).string() : a.out;
  o.progress = !a.no_progress;
  o.save_state = a.save_state;
  // --certify: the reference run (run/certify.hpp) runs beside the run on a second thread when neither uses
  // mpfr_float (whose precision is process-wide), else after it.
  auto show = [&](const loraflow::run_result& r) {
    if (!a.quiet) std::cout << r.human << std::flush;
  };
  loraflow::certified_run out;
  if (a.certify) {
    out = loraflow::execute_certified(
        c, o, [&](const std::string& line) { if (o.progress && !a.quiet) std::cerr << line << std::endl; }, show);
  } else {
    out.run = loraflow::execute(c, o);
    show(out.run);
  }
  const loraflow::run_result& r = out.run;
  if (!r.ok()) {
    std::cerr << "loraflow: run ended with status " << loraflow::status_name(r.status) << ": " << r.message << "\n";
    return 3;
  }
  if (out.certified) {
    loraflow::write_file_atomic((std::filesystem::path(o.out_dir) / "certify.json").string(), out.certified->json);
    if (!a.quiet) std::cout << out.certified->human << "  wrote " << o.out_dir << "/certify.json\n" << std::flush;
  }
  return 0;
}

int cmd_analyze(const cli_args& a) {
  const loraflow::analyze_result r = loraflow::analyze_run(a.config, true);
  if (!a.quiet) std::cout << r.human << std::flush;
  return 0;
}

int cmd_problem(const cli_args& a) {
  const loraflow::run_config c = loraflow::load_config(a.config, a.sets);
  const loraflow::problem_export_result r = loraflow::export_problem(c, {a.out, a.text});
  if (!a.quiet) std::cout << r.human << std::flush;
  return 0;
}

// CONFIG and --set, common to the subcommands that read a configuration.
void add_config_options(CLI::App* sub, cli_args& a) {
  sub->add_option("CONFIG", a.config, "TOML config file (keys: docs/config.md)")->required();
  sub->add_option("--set", a.sets, "Override a config key, e.g. --set lora.alpha=1e-6 (repeatable)")
      ->type_name("SECTION.KEY=VALUE");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"loraflow: LoRA gradient flow on matrix factorization, integrated at high and arbitrary precision,\n"
               "with the theorems' predictions checked number by number. Documentation: docs/index.md"};
  app.require_subcommand(1);
  app.set_version_flag("--version", loraflow::version_string());
  app.footer("Exit status: 0 ok; 2 bad input (one line on stderr, nothing written); 3 numerical failure (run: outputs\n"
             "written, status in summary.json); 1 any other error. Per subcommand: loraflow SUBCOMMAND --help");
  cli_args a;

  auto* run = app.add_subcommand("run", "Integrate one configuration and write trajectory.csv and summary.json");
  add_config_options(run, a);
  run->add_option("--out", a.out, "Output directory (default: out/<config name>); replaced atomically on success")
      ->type_name("DIR");
  run->add_flag("--quiet", a.quiet, "Do not print the human summary on stdout");
  run->add_flag("--no-progress", a.no_progress, "Do not print the progress line on stderr");
  run->add_flag("--save-state", a.save_state,
                "Also write the adapters at t_final under DIR/state/ (<name>.npy float64 and <name>.txt with every "
                "digit): continue from them with [lora] init = \"files\", state = \"DIR/state\", or analyse them "
                "with loraflow analyze DIR; for problem.kind = \"network\", W1 and W2 (a recipe = \"files\" run reads "
                "them back)");
  run->add_flag("--certify", a.certify,
                std::string("Run a reference at higher precision and a tighter rtol (at most rtol/1000; below ") +
                    loraflow::tight_rtol_threshold +
                    " the method that method = \"auto\" picks there: the Taylor series, or Bulirsch-Stoer where there "
                    "is none), beside the run on a second thread unless mpfr is used, and report for every number of "
                    "the summary how many significant digits the two share (certify.json; docs/precision.md)");
  run->footer("Exit status: 0 ok, 2 bad input (nothing written), 3 numerical failure (outputs written, status in "
              "summary.json).\nExample: loraflow run docs/examples/fig1.toml --set lora.alpha=1e-5 --out out/a5\n"
              "Example: loraflow run docs/examples/network_fig2.toml   (the two-layer linear network of Xu et al. 2023, by GD)\n"
              "See also: loraflow --help (every subcommand), loraflow --version");

  auto* analyze = app.add_subcommand(
      "analyze", "Classify the final state of a run saved with --save-state: gradient, Hessian spectrum, rank, "
                 "balance, dual certificate, distance to the global minimum");
  analyze->add_option("RUN_DIR", a.config, "Output directory of loraflow run --save-state (summary.json and state/)")
      ->required();
  analyze->add_flag("--quiet", a.quiet, "Do not print the summary on stdout");
  analyze->footer("Writes RUN_DIR/stationary.json (the \"stationary\" block of docs/outputs.md). The analysis and its "
                  "tolerances:\ndocs/stationary.md. Exit status: 0 ok, 2 bad input (no summary.json or no state/; "
                  "nothing written).\nExample: loraflow run docs/examples/kim_special.toml --save-state --out out/k && "
                  "loraflow analyze out/k");

  auto* problem = app.add_subcommand(
      "problem", "Build the problem of a configuration as run does and write W1.npy, W2.npy, dY.npy (float64); "
                 "for kind = \"network\": X, Y and the initial W1, W2");
  add_config_options(problem, a);
  problem->add_option("--out", a.out, "Output directory; replaced atomically on success")
      ->type_name("DIR")
      ->required();
  problem->add_flag("--text", a.text,
                    "Also write W1.txt, W2.txt, dY.txt with every digit of the working precision (solve.precision)");
  problem->add_flag("--quiet", a.quiet, "Do not print the summary on stdout");
  problem->footer("Feed the files back with [problem] kind = \"files\" and W1, W2, dY set to their paths: the same "
                  "problem, exactly\n(beyond precision double only from the .txt files; .npy entries are rounded to "
                  "float64). A network (kind = \"network\"): X, Y, W1, W2 for recipe = \"files\".\n"
                  "Exit status: 0 ok, 2 bad input (nothing written).\n"
                  "Example: loraflow problem docs/examples/fig1.toml --out out/fig1-problem --text\n"
                  "See also: loraflow --help (every subcommand), loraflow --version");

  auto* sweep = app.add_subcommand(
      "sweep", "Run a grid of configurations (any config key as an axis), in parallel, resumable after a kill");
  sweep->add_option("SWEEP_FILE", a.config, "Sweep file: base config and [[axis]] tables (docs/sweep.md)")->required();
  sweep->add_option("--out", a.out, "Sweep directory (points/, sweep.json, logs/); run again to finish a sweep")
      ->type_name("DIR")
      ->required();
  sweep->add_option("--jobs", a.jobs, "Points run at once (default: all cores); results do not depend on it");
  sweep->add_option("--shard", a.shard,
                    "Run only share K of N (1 <= K <= N) of the points, e.g. one task of a job array: the points with "
                    "index i mod N = K - 1. Shards share DIR; the table is written once all are in (loraflow table DIR)")
      ->type_name("K/N");
  sweep->add_flag("--table", a.table, "Also write the tables and curves.csv (as loraflow table does)");
  sweep->add_flag("--no-progress", a.no_progress, "Do not print the progress line on stderr");
  sweep->add_flag("--quiet", a.quiet, "Do not print the summary on stdout");
  sweep->footer("Exit status: 0 every point ran (numerical failures are recorded in their rows), 1 a point's process "
                "failed (run\nagain to retry), 2 bad input (unknown axis key, empty range, a DIR from another sweep; "
                "nothing written).\nUnder MPI (mpirun -np N loraflow sweep ...) the ranks share the points, rank 0 "
                "printing and writing the table;\n--jobs per rank defaults to the node's cores divided among its "
                "ranks. Runners may share DIR (job arrays, a second\ncommand): each point runs once (docs/sweep.md).\n"
                "Example: loraflow sweep docs/examples/sweep_alpha.sweep.toml --out out/sweep --table");

  auto* table = app.add_subcommand("table", "Write convergence-rate tables (md, csv, tex, json) and curves.csv of a sweep");
  table->add_option("SWEEP_DIR", a.config, "A directory written by loraflow sweep")->required();
  table->add_flag("--quiet", a.quiet, "Do not print the Markdown table on stdout");
  table->footer("Columns and fits: docs/sweep.md. Example: loraflow table out/sweep");

  auto* reproduce = app.add_subcommand("reproduce", "Reproduce a paper figure end to end: sweep, table, figure");
  reproduce->add_option("ID", a.preset, "Preset id (see --list)");
  reproduce->add_flag("--list", a.list, "List the presets and exit");
  reproduce->add_option("--out", a.out, "Output directory (default: out/ID, or out/ID-quick)")->type_name("DIR");
  reproduce->add_flag("--quick", a.quick, "Fewer seeds (a minute instead of several)");
  reproduce->add_option("--jobs", a.jobs, "Points run at once (default: all cores)");
  reproduce->add_flag("--no-progress", a.no_progress, "Do not print the progress line on stderr");
  reproduce->footer("Presets live in docs/presets/; figures are drawn by tools/plot_sweep.py with /usr/bin/python3.\n"
                    "Example: loraflow reproduce xu2025-fig1 --out out/fig1-repro. Gallery: docs/gallery.md");

  auto* check = app.add_subcommand(
      "check", "Check the papers' claims (Xu et al. 2025, Min et al. 2021, Kim et al. 2025): predict, measure, give a verdict.\n"
               "  Usage: loraflow check [IDS...] [--quick] [--out DIR] [--json] [--strict] [--no-progress]\n"
               "         loraflow check --list [--ids]\n"
               "  (run by loraflow-check, the checks' own program; loraflow check --help explains each option)");
  check->prefix_command();  // every argument, in order (--help too), goes to loraflow-check
  check->set_help_flag();

  // Top-level --help shows every subcommand with all its options (subcommands keep their own -h,--help, made above).
  app.set_help_flag();
  app.set_help_all_flag("-h,--help", "Print this help message (every subcommand and option) and exit");

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    std::cerr << "loraflow: " << e.what() << " (see loraflow --help)\n";
    return 2;
  }
  try {
    if (*run) return cmd_run(a);
    if (*problem) return cmd_problem(a);
    if (*analyze) return cmd_analyze(a);
    if (*sweep) return cmd_sweep(a);
    if (*table) return cmd_table(a);
    if (*reproduce) {
      if (!a.list && a.preset.empty()) throw loraflow::input_error("reproduce: expected a preset ID (see --list)");
      return cmd_reproduce(a);
    }
    if (*check) {
      exec_check(check->remaining());
    }
  } catch (const loraflow::input_error& e) {
    std::cerr << "loraflow: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "loraflow: error: " << e.what() << "\n";
    return 1;
  }
  return 1;
}
