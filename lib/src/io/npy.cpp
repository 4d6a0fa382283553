// npy.cpp: NumPy .npy reader and writer for float64 vectors and matrices (see loraflow/io/npy.hpp).
#include "loraflow/io/npy.hpp"

#include "loraflow/io/atomic_file.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <utility>

namespace loraflow {
namespace detail {
namespace {

constexpr char npy_magic[] = "\x93NUMPY";
constexpr std::size_t npy_magic_len = 6;
constexpr std::size_t npy_align = 64;  // numpy >= 1.18 aligns the data to 64 bytes; readers must accept any

/// Makes untrusted header text safe for a one-line message: no control bytes, at most `max_len` characters.
std::string printable(const std::string& s, std::size_t max_len = 60) {
  std::string out;
  for (char c : s) {
    if (out.size() >= max_len) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  return out;
}

/// One value of the Python literal that forms a .npy header (a subset of Python: enough for any numpy header).
struct py_value {
  enum class kind { string, boolean, integer, none, tuple, list, dict };
  kind k = kind::none;
  std::string source;  // the literal as written, for messages
  std::string str;     // kind::string
  bool boolean = false;
  bool negative = false;  // kind::integer
  bool overflow = false;  // kind::integer: magnitude does not fit in std::uint64_t
  std::uint64_t magnitude = 0;
  std::vector<py_value> items;                             // kind::tuple, kind::list
  std::vector<std::pair<py_value, py_value>> entries;      // kind::dict
};

class header_parser {
 public:
  header_parser(const std::string& text, const std::string& file) : m_s(text), m_file(file) {}

  py_value parse_header() {
    skip_ws();
    py_value v = parse_value(0);
    skip_ws();
    if (m_pos != m_s.size()) fail("unexpected text after the dictionary");
    if (v.k != py_value::kind::dict) fail("expected a dictionary");
    return v;
  }

 private:
  const std::string& m_s;
  const std::string& m_file;
  std::size_t m_pos = 0;

  [[noreturn]] void fail(const std::string& what) const {
    throw input_error(m_file + ": malformed .npy header: " + what + " at offset " + std::to_string(m_pos) +
                      " of \"" + printable(m_s) + "\"");
  }
  bool at_end() const { return m_pos >= m_s.size(); }
  char peek() const { return at_end() ? '\0' : m_s[m_pos]; }
  void skip_ws() {
    while (!at_end() && (m_s[m_pos] == ' ' || m_s[m_pos] == '\t' || m_s[m_pos] == '\n' || m_s[m_pos] == '\r'))
      ++m_pos;
  }
  void expect(char c) {
    skip_ws();
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++m_pos;
  }

  py_value parse_value(int depth) {
    if (depth > 32) fail("nesting too deep");
    skip_ws();
    const std::size_t start = m_pos;
    py_value v;
    const char c = peek();
    if (c == '\'' || c == '"') {
      v.k = py_value::kind::string;
      v.str = parse_string();
    } else if (c == '{') {
      v.k = py_value::kind::dict;
      parse_dict(v, depth);
    } else if (c == '(' || c == '[') {
      v.k = c == '(' ? py_value::kind::tuple : py_value::kind::list;
      parse_sequence(v, c == '(' ? ')' : ']', depth);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      v.k = py_value::kind::integer;
      parse_integer(v);
    } else if (m_s.compare(m_pos, 4, "True") == 0) {
      v.k = py_value::kind::boolean, v.boolean = true, m_pos += 4;
    } else if (m_s.compare(m_pos, 5, "False") == 0) {
      v.k = py_value::kind::boolean, v.boolean = false, m_pos += 5;
    } else if (m_s.compare(m_pos, 4, "None") == 0) {
      v.k = py_value::kind::none, m_pos += 4;
    } else {
      fail(at_end() ? "unexpected end" : "unexpected character '" + printable(std::string(1, c)) + "'");
    }
    v.source = m_s.substr(start, m_pos - start);
    return v;
  }

  std::string parse_string() {
    const char quote = m_s[m_pos++];
    std::string out;
    while (true) {
      if (at_end()) fail("unterminated string");
      char c = m_s[m_pos++];
      if (c == quote) break;
      if (c == '\\') {  // escapes never occur in numpy's keys or dtype codes; keep the escaped character
        if (at_end()) fail("unterminated string");
        c = m_s[m_pos++];
      }
      out += c;
    }
    return out;
  }

  void parse_integer(py_value& v) {
    if (peek() == '-') v.negative = true, ++m_pos;
    if (!(peek() >= '0' && peek() <= '9')) fail("expected a digit");
    while (peek() >= '0' && peek() <= '9') {
      const unsigned d = static_cast<unsigned>(peek() - '0');
      if (v.magnitude > (std::numeric_limits<std::uint64_t>::max() - d) / 10) v.overflow = true;
      else v.magnitude = v.magnitude * 10 + d;
      ++m_pos;
    }
    if (peek() == 'L' || peek() == 'l') ++m_pos;  // Python 2 long suffix, seen in old files
  }

  void parse_sequence(py_value& v, char close, int depth) {
    ++m_pos;
    skip_ws();
    while (peek() != close) {
      v.items.push_back(parse_value(depth + 1));
      skip_ws();
      if (peek() == ',') ++m_pos, skip_ws();
      else if (peek() != close) fail(std::string("expected ',' or '") + close + "'");
    }
    ++m_pos;
  }

  void parse_dict(py_value& v, int depth) {
    ++m_pos;
    skip_ws();
    while (peek() != '}') {
      py_value key = parse_value(depth + 1);
      expect(':');
      py_value value = parse_value(depth + 1);
      v.entries.emplace_back(std::move(key), std::move(value));
      skip_ws();
      if (peek() == ',') ++m_pos, skip_ws();
      else if (peek() != '}') fail("expected ',' or '}'");
    }
    ++m_pos;
  }
};

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

std::uint64_t read_le(const unsigned char* p, int nbytes) {
  std::uint64_t v = 0;
  for (int b = nbytes - 1; b >= 0; --b) v = (v << 8) | p[b];
  return v;
}

void write_le64(char* out, std::uint64_t v) {
  for (int b = 0; b < 8; ++b) out[b] = static_cast<char>((v >> (8 * b)) & 0xffu);
}

}  // namespace
}  // namespace detail

npy_array read_npy(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw input_error(path + ": cannot open file (it is a directory)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw input_error(path + ": cannot open file");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw input_error(path + ": read error");
  return parse_npy(bytes, path);
}

npy_array parse_npy(const std::string& bytes, const std::string& path) {
  using detail::printable;
  using detail::py_value;

  const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());

  // --- magic and version
  if (bytes.empty()) throw input_error(path + ": not a .npy file (empty file)");
  if (bytes.compare(0, detail::npy_magic_len, detail::npy_magic, std::min(bytes.size(), detail::npy_magic_len)) != 0)
    throw input_error(path + ": not a .npy file (bad magic)");
  if (bytes.size() < detail::npy_magic_len + 2)
    throw input_error(path + ": truncated header: file has only " + std::to_string(bytes.size()) + " bytes");
  const unsigned major = u[6], minor = u[7];
  if (!((major == 1 || major == 2 || major == 3) && minor == 0))
    throw input_error(path + ": unsupported .npy format version " + std::to_string(major) + "." +
                      std::to_string(minor) + "; expected 1.0, 2.0 or 3.0");
  const int len_bytes = major == 1 ? 2 : 4;  // 2.0 and 3.0 widen the header length to 4 bytes
  const std::size_t prelude = detail::npy_magic_len + 2 + static_cast<std::size_t>(len_bytes);
  if (bytes.size() < prelude)
    throw input_error(path + ": truncated header: file has only " + std::to_string(bytes.size()) + " bytes");
  const std::size_t header_len = static_cast<std::size_t>(detail::read_le(u + 8, len_bytes));
  if (bytes.size() - prelude < header_len)
    throw input_error(path + ": truncated header: expected " + std::to_string(header_len) + " bytes, found " +
                      std::to_string(bytes.size() - prelude));

  // --- header dictionary
  const std::string header = bytes.substr(prelude, header_len);
  const py_value dict = detail::header_parser(header, path).parse_header();
  const py_value* descr = nullptr;
  const py_value* fortran = nullptr;
  const py_value* shape = nullptr;
  for (const auto& [key, value] : dict.entries) {
    if (key.k != py_value::kind::string)
      throw input_error(path + ": malformed .npy header: key " + printable(key.source) + " is not a string");
    const py_value** slot = key.str == "descr"           ? &descr
                            : key.str == "fortran_order" ? &fortran
                            : key.str == "shape"         ? &shape
                                                         : nullptr;
    if (!slot)
      throw input_error(path + ": malformed .npy header: unexpected key '" + printable(key.str) +
                        "'; expected 'descr', 'fortran_order' and 'shape'");
    if (*slot) throw input_error(path + ": malformed .npy header: duplicate key '" + key.str + "'");
    *slot = &value;
  }
  for (auto [slot, name] : {std::pair{descr, "descr"}, {fortran, "fortran_order"}, {shape, "shape"}})
    if (!slot) throw input_error(path + ": malformed .npy header: missing key '" + name + "'");

  if (descr->k != py_value::kind::string || descr->str != "<f8")
    throw input_error(path + ": expected dtype '<f8' (float64), found " +
                      (descr->k == py_value::kind::string ? "'" + printable(descr->str) + "'"
                                                          : printable(descr->source)));
  if (fortran->k != py_value::kind::boolean)
    throw input_error(path + ": malformed .npy header: 'fortran_order' is " + printable(fortran->source) +
                      "; expected True or False");
  if (shape->k != py_value::kind::tuple)
    throw input_error(path + ": malformed .npy header: 'shape' is " + printable(shape->source) +
                      "; expected a tuple of integers");

  npy_array a;
  a.fortran_order = fortran->boolean;
  for (const py_value& d : shape->items) {
    if (d.k != py_value::kind::integer || d.negative || d.overflow ||
        d.magnitude > std::numeric_limits<std::size_t>::max())
      throw input_error(path + ": malformed .npy header: 'shape' is " + printable(shape->source) +
                        "; expected a tuple of non-negative integers");
    a.shape.push_back(static_cast<std::size_t>(d.magnitude));
  }
  if (a.shape.size() != 1 && a.shape.size() != 2)
    throw input_error(path + ": expected a 1-D or 2-D array, found shape " + detail::shape_text(a.shape));

  // --- data
  std::size_t count = 1;
  for (std::size_t d : a.shape) {
    if (d != 0 && count > std::numeric_limits<std::size_t>::max() / 8 / d)
      throw input_error(path + ": shape " + detail::shape_text(a.shape) + " is too large");
    count *= d;
  }
  const std::size_t need = count * 8;
  const std::size_t have = bytes.size() - prelude - header_len;
  if (have < need)
    throw input_error(path + ": truncated data: expected " + std::to_string(need) + " bytes, found " +
                      std::to_string(have));
  if (have > need)
    throw input_error(path + ": unexpected bytes after the data: expected " + std::to_string(need) +
                      " bytes, found " + std::to_string(have));

  const bool two_d = a.shape.size() == 2;
  const std::size_t rows = a.shape[0];
  const std::size_t cols = two_d ? a.shape[1] : 1;
  const unsigned char* p = u + prelude + header_len;
  a.data.resize(count);
  for (std::size_t k = 0; k < count; ++k) {
    const std::uint64_t bits = detail::read_le(p + 8 * k, 8);  // byte order fixed by '<', whatever the host's
    double x;
    std::memcpy(&x, &bits, sizeof x);
    // Position of the k-th stored element: C order runs along rows, Fortran order down columns.
    const std::size_t i = !two_d ? k : a.fortran_order ? k % rows : k / cols;
    const std::size_t j = !two_d ? 0 : a.fortran_order ? k / rows : k % cols;
    if (!std::isfinite(x)) {
      const std::string where = two_d ? "(" + std::to_string(i) + "," + std::to_string(j) + ")" : std::to_string(i);
      const std::string what = std::isnan(x) ? "NaN" : x > 0 ? "+Inf" : "-Inf";
      throw input_error(path + ": entry " + where + " is " + what + "; expected a finite number");
    }
    a.data[i + j * rows] = x;
  }
  return a;
}

void write_npy(const std::string& path, std::size_t rows, std::size_t cols, const double* colmajor_data) {
  if (cols != 0 && rows > std::numeric_limits<std::size_t>::max() / 8 / cols)
    throw std::invalid_argument("write_npy: " + path + ": shape (" + std::to_string(rows) + ", " +
                                std::to_string(cols) + ") is too large");
  const std::size_t count = rows * cols;
  if (count > 0 && colmajor_data == nullptr)
    throw std::invalid_argument("write_npy: " + path + ": null data for a " + std::to_string(rows) + "x" +
                                std::to_string(cols) + " matrix");

  // Same dictionary text as numpy.lib.format (keys sorted, trailing ", "), padded with spaces and ended with '\n'
  // so that magic (6) + version (2) + length (2) + header is a multiple of 64.
  std::string header = "{'descr': '<f8', 'fortran_order': True, 'shape': (" + std::to_string(rows) + ", " +
                       std::to_string(cols) + "), }";
  const std::size_t prelude = detail::npy_magic_len + 2 + 2;
  const std::size_t unpadded = prelude + header.size() + 1;
  header.append((detail::npy_align - unpadded % detail::npy_align) % detail::npy_align, ' ');
  header += '\n';

  std::string head(detail::npy_magic, detail::npy_magic_len);
  head += '\x01';
  head += '\x00';
  head += static_cast<char>(header.size() & 0xffu);
  head += static_cast<char>((header.size() >> 8) & 0xffu);
  head += header;

  atomic_file f(path);
  std::ostream& os = f.stream();
  os.write(head.data(), static_cast<std::streamsize>(head.size()));
  char buf[8 * 512];
  for (std::size_t k = 0; k < count;) {
    const std::size_t n = std::min<std::size_t>(512, count - k);
    for (std::size_t m = 0; m < n; ++m) {
      std::uint64_t bits;
      std::memcpy(&bits, colmajor_data + k + m, sizeof bits);
      detail::write_le64(buf + 8 * m, bits);
    }
    os.write(buf, static_cast<std::streamsize>(8 * n));
    k += n;
  }
  f.commit();
}

}  // namespace loraflow
