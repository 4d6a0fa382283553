// Tests of io/text_matrix.hpp: whitespace/comma separated matrices of decimals, read at full precision.
#include "loraflow/io/input_error.hpp"
#include "loraflow/io/text_matrix.hpp"

#include "files.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace loraflow::test;

TEST_CASE("text_matrix round trip keeps a 60-digit entry exactly") {
  temp_dir tmp;
  const std::string long_entry = "-1.23456789012345678901234567890123456789012345678901234567890e-30";
  loraflow::text_matrix m;
  m.rows = 2;
  m.cols = 3;
  // column-major: (0,0) (1,0) (0,1) (1,1) (0,2) (1,2)
  m.entries = {"1", long_entry, "0.1", "+5.", ".5", "2E+300"};
  loraflow::write_text_matrix(tmp.file("dY.txt"), m);
  CHECK(slurp(tmp.file("dY.txt")) == "1 0.1 .5\n" + long_entry + " +5. 2E+300\n");

  const loraflow::text_matrix r = loraflow::read_text_matrix(tmp.file("dY.txt"));
  CHECK(r.rows == 2);
  CHECK(r.cols == 3);
  CHECK(r.entries == m.entries);
  CHECK(tmp.listing() == std::vector<std::string>{"dY.txt"});
}

TEST_CASE("read_text_matrix accepts commas and comments and blank lines and CRLF and stores column-major") {
  temp_dir tmp;
  write_raw(tmp.file("X.txt"),
            "\xEF\xBB\xBF# a 3 x 2 matrix\r\n"
            "\r\n"
            "1.5, -2\t# first row\r\n"
            "   3e-5 ,4\n"
            "\n"
            "  # only a comment\n"
            "5,6");  // no final newline
  const loraflow::text_matrix m = loraflow::read_text_matrix(tmp.file("X.txt"));
  CHECK(m.rows == 3);
  CHECK(m.cols == 2);
  CHECK(m.entries == std::vector<std::string>{"1.5", "3e-5", "5", "-2", "4", "6"});
}

TEST_CASE("read_text_matrix names file and line and token on bad input") {
  temp_dir tmp;
  const std::string p = tmp.file("dY.txt");
  const auto expect = [&](const std::string& text, const std::string& message) {
    write_raw(p, text);
    CHECK_THROWS_WITH_AS(loraflow::read_text_matrix(p), contains(p + message), loraflow::input_error);
  };
  expect("1 2 3 4 5\n1 2 3 4 5\n1 2 3 4\n", ":3: row has 4 entries; expected 5 (as in row 1, line 1)");
  expect("# header\n1 2\n\n1 2 3\n", ":4: row has 3 entries; expected 2 (as in row 1, line 2)");
  expect("1 2\n3 abc\n", ":2: 'abc' is not a decimal number");
  expect("1 nan\n", ":1: 'nan' is not a decimal number (NaN and Inf are not allowed)");
  expect("1\n-inf\n", ":2: '-inf' is not a decimal number (NaN and Inf are not allowed)");
  for (const char* bad : {"1e", "0x1p3", "1.2.3", "--1", "e5", ".", "+", "1e+", "1_000", "1;2", "1d0"})
    expect(std::string("0 0\n0 ") + bad + "\n", std::string(":2: '") + bad + "' is not a decimal number");
  expect("1,,2\n", ":1: empty entry between two commas");
  expect(",1,2\n", ":1: empty entry: the row starts with ','");
  expect("1,2,\n", ":1: empty entry: the row ends with ','");
  expect("# nothing here\n\n", ": no rows found");
  CHECK_THROWS_WITH_AS(loraflow::read_text_matrix(tmp.file("none.txt")),
                       contains(tmp.file("none.txt") + ": cannot open file"), loraflow::input_error);
}

TEST_CASE("write_text_matrix rejects what the reader could not read back") {
  temp_dir tmp;
  loraflow::text_matrix m{2, 2, {"1", "2", "3"}};
  CHECK_THROWS_AS(loraflow::write_text_matrix(tmp.file("a.txt"), m), std::invalid_argument);
  m.entries.push_back("nan");
  CHECK_THROWS_AS(loraflow::write_text_matrix(tmp.file("a.txt"), m), std::invalid_argument);
  CHECK_THROWS_AS(loraflow::write_text_matrix(tmp.file("a.txt"), loraflow::text_matrix{}), std::invalid_argument);
  CHECK(tmp.listing().empty());
}
