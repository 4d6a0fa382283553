// The run-time dispatch from the config's precision to the typed pipeline (run/run.hpp, run/pipeline.hpp).
#include <loraflow/run/pipeline.hpp>
#include <loraflow/run/run.hpp>

namespace loraflow {

run_result execute(const run_config& c, const run_options& o) {
  const precision_plan plan = plan_precision(c);
  return with_scalar(plan.scalar, [&](auto zero) { return execute_typed<decltype(zero)>(c, o, plan); });
}

}  // namespace loraflow
