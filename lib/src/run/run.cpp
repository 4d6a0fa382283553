// The run-time dispatch from the config's precision to the typed pipeline (run/run.hpp, run/pipeline.hpp).
#include <loraflow/run/network.hpp>
#include <loraflow/run/pipeline.hpp>
#include <loraflow/run/run.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace loraflow {

run_result execute(const run_config& c, const run_options& o) {
  const precision_plan plan = plan_precision(c);
  if (c.problem.kind == "network")  // the two-layer linear network's own pipeline (run/network.hpp)
    return with_scalar(plan.scalar, [&](auto zero) { return execute_network_typed<decltype(zero)>(c, o, plan); });
  return with_scalar(plan.scalar, [&](auto zero) { return execute_typed<decltype(zero)>(c, o, plan); });
}

field_result evaluate_field(const run_config& c) {
  const precision_plan plan = plan_precision(c);
  if (c.problem.kind == "network")
    return with_scalar(plan.scalar, [&](auto zero) { return network_field_typed<decltype(zero)>(c); });
  return with_scalar(plan.scalar, [&](auto zero) { return field_typed<decltype(zero)>(c); });
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
  if (c.problem.kind == "network")
    throw input_error(summary.string() + ": a run of problem.kind = \"network\"; the stationary-point analysis is the LoRA model's");
  // The analysis resolves the state as the run did: its own type, method and rtol as summary.json records them
  // (precision.type, .method, .rtol), not a plan made again from the config, which a later change of the auto rules
  // (precision, method or frame "auto") could resolve differently. Summaries without them fall back to the plan.
  precision_plan plan = plan_precision(c);
  if (j.contains("precision") && j["precision"].is_object()) {
    const nlohmann::ordered_json& pj = j["precision"];
    auto text = [&](const char* key) -> std::string {
      if (!pj.contains(key)) return {};
      if (!pj[key].is_string())
        throw input_error(summary.string() + ": key 'precision." + key + "': expected a string, got " + pj[key].dump());
      return pj[key].get<std::string>();
    };
    if (const std::string type = text("type"); !type.empty()) {
      const std::optional<scalar_spec> s = parse_scalar_spec(type);
      if (!s) throw input_error(summary.string() + ": key 'precision.type': expected " + scalar_spec_grammar() + ", got '" + type + "'");
      plan.scalar = *s;
    }
    if (const std::string m = text("method"); !m.empty()) {
      try {
        plan.method.stepper = parse_method(m);
      } catch (const std::invalid_argument& e) {
        throw input_error(summary.string() + ": key 'precision.method': " + e.what());
      }
    }
    if (const std::string r = text("rtol"); !r.empty()) plan.rtol = r;
  }
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
