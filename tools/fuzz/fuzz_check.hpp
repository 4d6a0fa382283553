// tools/fuzz/fuzz_check.hpp: what every loraflow fuzz harness shares.
//
// A harness feeds one input to a parser. The documented bad-input outcomes (loraflow::input_error, and
// std::invalid_argument from parse<Real>) are normal and are caught by LORAFLOW_FUZZ_EXPECTED_ERRORS; anything else
// is a finding: another exception escapes LLVMFuzzerTestOneInput (libFuzzer reports it as a crash, the replay main
// as a failure), a sanitizer report, a hang, or a broken invariant checked with FUZZ_CHECK (which aborts).
#pragma once

#include <loraflow/io/input_error.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#define FUZZ_CHECK(cond)                                                                          \
  do {                                                                                            \
    if (!(cond)) {                                                                                \
      std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond);      \
      std::abort();                                                                               \
    }                                                                                             \
  } while (0)

namespace loraflow::fuzz {

inline std::string as_string(const std::uint8_t* data, std::size_t size) {
  return size ? std::string(reinterpret_cast<const char*>(data), size) : std::string();
}

}  // namespace loraflow::fuzz

// Usage: try { ... } LORAFLOW_FUZZ_EXPECTED_ERRORS
#define LORAFLOW_FUZZ_EXPECTED_ERRORS          \
  catch (const ::loraflow::input_error&) {     \
  }                                            \
  catch (const std::invalid_argument&) {       \
  }
