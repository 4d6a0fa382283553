// Tests of io/npy.hpp: the .npy reader and writer. The fixtures are built byte by byte from the format spec
// (numpy/lib/format.py), not by the code under test.
#include "loraflow/io/input_error.hpp"
#include "loraflow/io/npy.hpp"

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

namespace {
/// Little-endian float64 bytes of `values`, in the order given.
std::string le_doubles(const std::vector<double>& values) {
  std::string out;
  for (double v : values) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    for (int b = 0; b < 8; ++b) out += static_cast<char>((bits >> (8 * b)) & 0xffu);
  }
  return out;
}

/// A .npy file: magic, version major.0, header length (2 bytes for 1.0, 4 for 2.0/3.0), the dict padded with
/// spaces and ended by '\n' so that the data starts at a multiple of `align`, then `data`.
std::string npy_file(int major, const std::string& dict, const std::string& data, std::size_t align = 64) {
  const std::size_t len_bytes = major == 1 ? 2 : 4;
  std::string header = dict;
  const std::size_t unpadded = 6 + 2 + len_bytes + header.size() + 1;
  header.append((align - unpadded % align) % align, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (std::size_t b = 0; b < len_bytes; ++b) out += static_cast<char>((header.size() >> (8 * b)) & 0xffu);
  return out + header + data;
}

double value_at(std::size_t i, std::size_t j) { return 10.0 * static_cast<double>(i) + static_cast<double>(j) + 0.25; }

/// Row-major (C order) or column-major (Fortran order) listing of value_at over a rows x cols matrix.
std::vector<double> ordered_values(std::size_t rows, std::size_t cols, bool fortran) {
  std::vector<double> v;
  if (fortran) {
    for (std::size_t j = 0; j < cols; ++j)
      for (std::size_t i = 0; i < rows; ++i) v.push_back(value_at(i, j));
  } else {
    for (std::size_t i = 0; i < rows; ++i)
      for (std::size_t j = 0; j < cols; ++j) v.push_back(value_at(i, j));
  }
  return v;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

}  // namespace

TEST_CASE("write_npy then read_npy gives back every bit and writes the numpy header") {
  temp_dir tmp;
  const std::string path = tmp.file("W1.npy");
  const std::size_t rows = 3, cols = 4;
  std::vector<double> data(rows * cols);
  for (std::size_t k = 0; k < data.size(); ++k) data[k] = (static_cast<double>(k) + 1) / 3;  // inexact values
  data[1] = -0.0;
  data[2] = std::numeric_limits<double>::denorm_min();
  data[5] = std::numeric_limits<double>::max();
  data[7] = -std::numeric_limits<double>::min();
  loraflow::write_npy(path, rows, cols, data.data());

  const loraflow::npy_array a = loraflow::read_npy(path);
  CHECK(a.shape == std::vector<std::size_t>{rows, cols});
  CHECK(a.fortran_order);
  REQUIRE(a.data.size() == data.size());
  for (std::size_t k = 0; k < data.size(); ++k) CHECK_MESSAGE(same_bits(a.data[k], data[k]), "k = " << k);

  const std::string bytes = slurp(path);
  REQUIRE(bytes.size() > 10);
  CHECK(bytes.compare(0, 8, std::string("\x93NUMPY\x01\x00", 8)) == 0);
  const std::size_t header_len =
      static_cast<unsigned char>(bytes[8]) | (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
  CHECK((10 + header_len) % 64 == 0);
  CHECK(bytes.size() == 10 + header_len + 8 * rows * cols);
  const std::string dict = "{'descr': '<f8', 'fortran_order': True, 'shape': (3, 4), }";
  CHECK(bytes.substr(10, dict.size()) == dict);
  CHECK(bytes.find_first_not_of(' ', 10 + dict.size()) == 10 + header_len - 1);  // space padding, then '\n'
  CHECK(bytes[10 + header_len - 1] == '\n');
  CHECK(bytes.substr(10 + header_len) == le_doubles(data));  // column-major, little-endian
  CHECK(tmp.listing() == std::vector<std::string>{"W1.npy"});  // no temporary left behind
}

TEST_CASE("write_npy handles an empty matrix and a column vector") {
  temp_dir tmp;
  loraflow::write_npy(tmp.file("e.npy"), 0, 3, nullptr);
  const loraflow::npy_array e = loraflow::read_npy(tmp.file("e.npy"));
  CHECK(e.shape == std::vector<std::size_t>{0, 3});
  CHECK(e.data.empty());

  const std::vector<double> v{1.5, -2.5, 3.5};
  loraflow::write_npy(tmp.file("v.npy"), 3, 1, v.data());
  CHECK(loraflow::read_npy(tmp.file("v.npy")).data == v);
  CHECK_THROWS_AS(loraflow::write_npy(tmp.file("n.npy"), 2, 2, nullptr), std::invalid_argument);
}

TEST_CASE("read_npy converts a C-order file (version 1.0) to column-major") {
  temp_dir tmp;
  const std::size_t rows = 3, cols = 4;
  write_raw(tmp.file("c.npy"), npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }",
                                        le_doubles(ordered_values(rows, cols, false))));
  const loraflow::npy_array a = loraflow::read_npy(tmp.file("c.npy"));
  CHECK(a.shape == std::vector<std::size_t>{rows, cols});
  CHECK_FALSE(a.fortran_order);
  REQUIRE(a.data.size() == rows * cols);
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j)
      CHECK_MESSAGE(a.data[i + j * rows] == value_at(i, j), "(i,j) = (" << i << "," << j << ")");
}

TEST_CASE("read_npy reads a Fortran-order file (version 2.0) as it is") {
  temp_dir tmp;
  const std::size_t rows = 4, cols = 3;
  write_raw(tmp.file("f.npy"), npy_file(2, "{'descr': '<f8', 'fortran_order': True, 'shape': (4, 3), }",
                                        le_doubles(ordered_values(rows, cols, true))));
  const loraflow::npy_array a = loraflow::read_npy(tmp.file("f.npy"));
  CHECK(a.shape == std::vector<std::size_t>{rows, cols});
  CHECK(a.fortran_order);
  REQUIRE(a.data.size() == rows * cols);
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j)
      CHECK_MESSAGE(a.data[i + j * rows] == value_at(i, j), "(i,j) = (" << i << "," << j << ")");
}

TEST_CASE("read_npy reads 1-D files and version 3.0 with other key orders and 16-byte alignment") {
  temp_dir tmp;
  const std::vector<double> v{0.5, -1.25, 3.0, 1e-300, 7.0};
  write_raw(tmp.file("v3.npy"),
            npy_file(3, "{\"shape\": (5,), \"fortran_order\": False, \"descr\": \"<f8\"}", le_doubles(v), 16));
  loraflow::npy_array a = loraflow::read_npy(tmp.file("v3.npy"));
  CHECK(a.shape == std::vector<std::size_t>{5});
  CHECK(a.data == v);

  // Python 2 era header: long suffix on the dimension.
  write_raw(tmp.file("v1.npy"), npy_file(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (5L,), }",
                                         le_doubles(v), 16));
  a = loraflow::read_npy(tmp.file("v1.npy"));
  CHECK(a.shape == std::vector<std::size_t>{5});
  CHECK(a.data == v);
}

TEST_CASE("read_npy rejects bad files with a one-line message naming the file") {
  temp_dir tmp;
  const std::string p = tmp.file("W1.npy");
  const auto expect = [&](const std::string& bytes, const std::string& message) {
    write_raw(p, bytes);
    CHECK_THROWS_WITH_AS(loraflow::read_npy(p), contains(p + ": " + message), loraflow::input_error);
    CHECK(message_of([&] { loraflow::read_npy(p); }).find('\n') == std::string::npos);
  };
  const std::string data12 = le_doubles(ordered_values(3, 4, false));

  SUBCASE("wrong dtype") {
    expect(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }", data12),
           "expected dtype '<f8' (float64), found '<f4'");
    expect(npy_file(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (3, 4), }", data12),
           "expected dtype '<f8' (float64), found '>f8'");
    expect(npy_file(1, "{'descr': '|f8', 'fortran_order': False, 'shape': (3, 4), }", data12),
           "expected dtype '<f8' (float64), found '|f8'");
    expect(npy_file(1, "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3, 4), }", data12),
           "expected dtype '<f8' (float64), found [('a', '<f8')]");
  }
  SUBCASE("bad magic, empty, unsupported version") {
    expect("PK\x03\x04 this is a zip file, not an npy file", "not a .npy file (bad magic)");
    expect("", "not a .npy file (empty file)");
    std::string v4 = npy_file(2, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }", data12);
    v4[6] = '\x04';
    expect(v4, "unsupported .npy format version 4.0; expected 1.0, 2.0 or 3.0");
  }
  SUBCASE("truncated header or data, trailing bytes") {
    expect(npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (10, 10), }",
                    le_doubles(std::vector<double>(80, 1.0))),
           "truncated data: expected 800 bytes, found 640");
    const std::string whole = npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }", data12);
    expect(whole.substr(0, 40), "truncated header: expected 118 bytes, found 30");
    expect(whole.substr(0, 9), "truncated header: file has only 9 bytes");
    expect(whole + "xyz", "unexpected bytes after the data: expected 96 bytes, found 99");
  }
  SUBCASE("shape and header content") {
    expect(npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3, 4), }", data12 + data12),
           "expected a 1-D or 2-D array, found shape (2, 3, 4)");
    expect(npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", le_doubles({1.0})),
           "expected a 1-D or 2-D array, found shape ()");
    expect(npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (-3, 4), }", data12),
           "malformed .npy header: 'shape' is (-3, 4); expected a tuple of non-negative integers");
    expect(npy_file(1, "{'descr': '<f8', 'fortran_order': False, }", data12),
           "malformed .npy header: missing key 'shape'");
    expect(npy_file(1, "{'descr': '<f8', 'fortran_order': 0, 'shape': (3, 4), }", data12),
           "malformed .npy header: 'fortran_order' is 0; expected True or False");
    expect(npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), 'x': 1}", data12),
           "malformed .npy header: unexpected key 'x'");
    expect(npy_file(1, "{'descr': '<f8' 'fortran_order': False, 'shape': (3, 4)}", data12),
           "malformed .npy header: expected ',' or '}'");
    expect(npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4)", data12),
           "malformed .npy header: expected ',' or '}'");
  }
  SUBCASE("non-finite entries are named by their (row,col) index in either order") {
    std::vector<double> c = ordered_values(3, 4, false);
    c[1 * 4 + 2] = std::numeric_limits<double>::quiet_NaN();  // (1,2) in C order
    expect(npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }", le_doubles(c)),
           "entry (1,2) is NaN; expected a finite number");
    std::vector<double> f = ordered_values(3, 4, true);
    f[1 * 3 + 2] = std::numeric_limits<double>::infinity();  // (2,1) in Fortran order
    expect(npy_file(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (3, 4), }", le_doubles(f)),
           "entry (2,1) is +Inf; expected a finite number");
    expect(npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
                    le_doubles({1.0, 2.0, -std::numeric_limits<double>::infinity()})),
           "entry 2 is -Inf; expected a finite number");
  }
  SUBCASE("missing file or a directory") {
    CHECK_THROWS_WITH_AS(loraflow::read_npy(tmp.file("nope.npy")),
                         contains(tmp.file("nope.npy") + ": cannot open file"), loraflow::input_error);
    CHECK_THROWS_WITH_AS(loraflow::read_npy(tmp.root.string()), contains(": cannot open file"),
                         loraflow::input_error);
  }
}

TEST_CASE("write_npy into a missing directory throws and creates nothing") {
  temp_dir tmp;
  const double x = 1.0;
  CHECK_THROWS_AS(loraflow::write_npy(tmp.file("missing/W.npy"), 1, 1, &x), std::runtime_error);
  CHECK(tmp.listing().empty());
}
