// The run-time dispatch from the config's precision to the typed pipeline (run/run.hpp, run/pipeline.hpp).
#include <loraflow/run/pipeline.hpp>
#include <loraflow/run/run.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace loraflow {

run_result execute(const run_config& c, const run_options& o) {
  const precision_plan plan = plan_precision(c);
  return with_scalar(plan.scalar, [&](auto zero) { return execute_typed<decltype(zero)>(c, o, plan); });
}

analyze_result analyze_run(const std::string& run_dir, bool write) {
  namespace fs = std::filesystem;
  const fs::path dir(run_dir), summary = dir / "summary.json", state = dir / "state";
  std::ifstream in(summary, std::ios::binary);
  if (!in) throw input_error(summary.string() + ": cannot open; expected the output directory of loraflow run");
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::ordered_json j;
  try {
    j = nlohmann::ordered_json::parse(ss.str());
  } catch (const nlohmann::json::exception& e) {
    throw input_error(summary.string() + ": not JSON (" + e.what() + ")");
  }
  if (!j.contains("config")) throw input_error(summary.string() + ": no \"config\" block; expected a summary.json of loraflow run");
  if (!fs::is_directory(state))
    throw input_error(state.string() + ": missing; run again with loraflow run --save-state to keep the final state");
  const run_config c = config_from_json(j["config"].dump(), summary.string() + " (config)");
  const precision_plan plan = plan_precision(c);
  analyze_result r = with_scalar(plan.scalar, [&](auto zero) {
    return analyze_typed<decltype(zero)>(c, plan, fs::absolute(state).lexically_normal().string());
  });
  if (write) {
    write_file_atomic((dir / "stationary.json").string(), r.json + "\n");
    r.human += "  wrote " + (dir / "stationary.json").string() + "\n";
  }
  return r;
}

}  // namespace loraflow
