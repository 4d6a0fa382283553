// The build's version string (run/run.hpp). Kept in its own translation unit, the only one that includes the
// generated loraflow_version_stamp.hpp (lib/CMakeLists.txt): a new commit recompiles this one small file.
#include <loraflow/run/run.hpp>

#include <loraflow_version_stamp.hpp>

namespace loraflow {

std::string version_string() { return std::string("loraflow ") + LORAFLOW_VERSION + " (" + LORAFLOW_GIT_REVISION + ")"; }

}  // namespace loraflow
