// tools/fuzz/fuzz_config.cpp: libFuzzer harness for the run-config reader (loraflow::parse_config, which
// load_config wraps).
// Input: TOML text, optionally followed by a line "#--set"; each line after it is one `section.key=value`
// override, as `loraflow run --set` passes them. Paths resolve against a scratch directory made once per process;
// parse_config must not create, read or write files, so the directory must stay empty (checked after every input).
// Checks on success: config_json succeeds and gives valid JSON (it is written into summary.json and sweep.json).
#include "fuzz_check.hpp"

#include <loraflow/run/config.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <vector>

namespace {

// The scratch directory: made on first use, removed at a normal exit (it must still be empty then).
struct scratch {
  std::string dir;
  scratch() {
    dir = (std::filesystem::temp_directory_path() / "loraflow-fuzz-config-XXXXXX").string();
    if (!mkdtemp(dir.data())) {
      std::perror("mkdtemp");
      std::abort();
    }
  }
  ~scratch() {
    std::error_code ec;
    std::filesystem::remove(dir, ec);
  }
};

const std::string& scratch_dir() {
  static const scratch s;
  return s.dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input = loraflow::fuzz::as_string(data, size);
  static const std::string marker = "\n#--set\n";
  const std::size_t cut = input.find(marker);
  const std::string toml = input.substr(0, cut);
  std::vector<std::string> overrides;
  if (cut != std::string::npos) {
    const std::string rest = input.substr(cut + marker.size());
    std::size_t start = 0;
    for (std::size_t i = 0; i <= rest.size(); ++i)
      if (i == rest.size() || rest[i] == '\n') {
        if (i > start) overrides.push_back(rest.substr(start, i - start));
        start = i + 1;
      }
  }
  const std::string& dir = scratch_dir();
  try {
    const loraflow::run_config c = loraflow::parse_config(toml, "fuzz.toml", dir, overrides);
    const std::string json = loraflow::config_json(c);
    FUZZ_CHECK(nlohmann::json::accept(json));
  }
  LORAFLOW_FUZZ_EXPECTED_ERRORS
  FUZZ_CHECK(std::filesystem::is_empty(dir));
  return 0;
}
