// validation/check/pipeline_run.cpp: see pipeline_run.hpp.
#include "check/pipeline_run.hpp"

#include <loraflow/run/config.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace loraflow::check {

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error(p.string() + ": cannot read the run's output");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A fresh directory under the system temporary directory, removed on destruction.
struct scratch_dir {
  std::filesystem::path path;
  scratch_dir() {
    static std::atomic<unsigned> counter{0};
    for (;;) {
      path = std::filesystem::temp_directory_path() /
             ("loraflow-check-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
      if (std::filesystem::create_directory(path)) break;
    }
  }
  ~scratch_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace

pipeline_output run_pipeline(const std::string& toml, const std::string& label) {
  const run_config c = parse_config(toml, label, std::filesystem::current_path().string());
  scratch_dir dir;
  run_options o;
  o.out_dir = (dir.path / "run").string();
  o.progress = false;
  pipeline_output out;
  out.result = execute(c, o);
  out.summary = nlohmann::json::parse(slurp(dir.path / "run" / "summary.json"));
  std::istringstream in(slurp(dir.path / "run" / "trajectory.csv"));
  std::string line;
  std::vector<std::string> names;
  if (std::getline(in, line)) {
    std::istringstream h(line);
    for (std::string f; std::getline(h, f, ',');) names.push_back(f);
  }
  for (const std::string& n : names) out.columns[n];
  while (std::getline(in, line)) {
    std::size_t i = 0, start = 0;
    for (std::size_t a = 0; a <= line.size(); ++a)
      if (a == line.size() || line[a] == ',') {
        out.columns[names.at(i++)].push_back(line.substr(start, a - start));
        start = a + 1;
      }
  }
  return out;
}

}  // namespace loraflow::check
