// tools/fuzz/replay_main.cpp: replays a corpus through a fuzz harness without libFuzzer (g++ builds, ctest).
// Usage: fuzz_replay_<name> DIR_OR_FILE...   Every regular file (directories are read one level deep, in name
// order) is passed to LLVMFuzzerTestOneInput. An exception escaping the harness is a failure (exit 1, naming the
// file); a broken invariant aborts. Zero inputs is also a failure (a missing corpus must not pass silently).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (int a = 1; a < argc; ++a) {
    const fs::path p(argv[a]);
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> here;
      for (const auto& e : fs::directory_iterator(p))
        if (e.is_regular_file()) here.push_back(e.path());
      std::sort(here.begin(), here.end());
      files.insert(files.end(), here.begin(), here.end());
    } else if (fs::is_regular_file(p, ec)) {
      files.push_back(p);
    } else {
      std::fprintf(stderr, "%s: no such file or directory\n", argv[a]);
      return 2;
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: %s DIR_OR_FILE... (no inputs found)\n", argc ? argv[0] : "fuzz_replay");
    return 2;
  }
  for (const fs::path& f : files) {
    std::ifstream in(f, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in && !in.eof()) {
      std::fprintf(stderr, "%s: read error\n", f.c_str());
      return 2;
    }
    try {
      LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s: FINDING: uncaught exception: %s\n", f.c_str(), e.what());
      return 1;
    } catch (...) {
      std::fprintf(stderr, "%s: FINDING: uncaught non-std exception\n", f.c_str());
      return 1;
    }
  }
  std::printf("replayed %zu inputs: no finding\n", files.size());
  return 0;
}
