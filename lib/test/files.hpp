// files.hpp: test support for code that reads and writes files: a private temporary directory, reading and writing
// raw bytes, and doctest's Contains for std::string. Shared by io/, run/, sweep/ and report/ tests.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

namespace loraflow::test {

/// A fresh directory under the system temp dir, unique per test case and per run; removed at the end.
struct temp_dir {
  std::filesystem::path root;
  temp_dir() {
    static std::atomic<unsigned> counter{0};
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    for (;;) {
      root = std::filesystem::temp_directory_path() / ("loraflow-io-test-" + std::to_string(::getpid()) + "-" +
                                          std::to_string(stamp) + "-" + std::to_string(counter++));
      if (std::filesystem::create_directory(root)) break;
    }
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
  std::string file(const std::string& name) const { return (root / name).string(); }
  /// Names of the entries of `dir` (default: root), sorted.
  std::vector<std::string> listing(const std::filesystem::path& dir) const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  std::vector<std::string> listing() const { return listing(root); }
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void write_raw(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

/// doctest::Contains takes a doctest::String, which std::string does not convert to by itself.
inline doctest::Contains contains(const std::string& s) { return doctest::Contains(s.c_str()); }

}  // namespace loraflow::test
