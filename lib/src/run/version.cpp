// The build's version string (run/run.hpp). Kept in its own translation unit: CMake stamps the git revision into
// this file alone, so a new commit recompiles one small file.
#include <loraflow/run/run.hpp>

#ifndef LORAFLOW_GIT_REVISION
#define LORAFLOW_GIT_REVISION "unknown"
#endif
#ifndef LORAFLOW_VERSION
#define LORAFLOW_VERSION "0"
#endif

namespace loraflow {

std::string version_string() { return std::string("loraflow ") + LORAFLOW_VERSION + " (" + LORAFLOW_GIT_REVISION + ")"; }

}  // namespace loraflow
