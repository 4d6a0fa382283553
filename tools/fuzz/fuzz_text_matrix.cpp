// tools/fuzz/fuzz_text_matrix.cpp: libFuzzer harness for the text-matrix reader (loraflow::parse_text_matrix,
// which read_text_matrix wraps). Input: the text of a matrix file. Checks on success: rows, cols > 0, entries =
// rows*cols, every entry a decimal literal, and the round trip: the matrix written as write_text_matrix writes it
// (rows on lines, one space between entries) reads back to the same strings.
#include "fuzz_check.hpp"

#include <loraflow/decimal.hpp>
#include <loraflow/io/text_matrix.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = loraflow::fuzz::as_string(data, size);
  try {
    const loraflow::text_matrix m = loraflow::parse_text_matrix(text, "fuzz.txt");
    FUZZ_CHECK(m.rows > 0 && m.cols > 0);
    FUZZ_CHECK(m.entries.size() == m.rows * m.cols);
    for (const std::string& e : m.entries) FUZZ_CHECK(loraflow::detail::is_decimal_literal(e));

    std::string out;  // the layout of write_text_matrix
    for (std::size_t i = 0; i < m.rows; ++i) {
      for (std::size_t j = 0; j < m.cols; ++j) out += (j ? " " : "") + m.entries[i + j * m.rows];
      out += '\n';
    }
    const loraflow::text_matrix back = loraflow::parse_text_matrix(out, "roundtrip.txt");
    FUZZ_CHECK(back.rows == m.rows && back.cols == m.cols && back.entries == m.entries);
  }
  LORAFLOW_FUZZ_EXPECTED_ERRORS
  return 0;
}
