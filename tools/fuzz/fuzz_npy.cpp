// tools/fuzz/fuzz_npy.cpp: libFuzzer harness for the .npy reader (loraflow::parse_npy, which read_npy wraps).
// Input: the bytes of a .npy file. Checks on success: 1-D or 2-D shape, data size = product of the shape, every
// entry finite (read_npy promises to refuse NaN/Inf).
#include "fuzz_check.hpp"

#include <loraflow/io/npy.hpp>

#include <cmath>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes = loraflow::fuzz::as_string(data, size);
  try {
    const loraflow::npy_array a = loraflow::parse_npy(bytes, "fuzz.npy");
    FUZZ_CHECK(a.shape.size() == 1 || a.shape.size() == 2);
    std::size_t count = 1;
    for (std::size_t d : a.shape) count *= d;
    FUZZ_CHECK(a.data.size() == count);
    FUZZ_CHECK(count * 8 <= bytes.size());
    for (double x : a.data) FUZZ_CHECK(std::isfinite(x));
  }
  LORAFLOW_FUZZ_EXPECTED_ERRORS
  return 0;
}
