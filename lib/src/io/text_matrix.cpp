// text_matrix.cpp: reader and writer for decimal-string matrices (see loraflow/io/text_matrix.hpp).
#include "loraflow/io/text_matrix.hpp"

#include "loraflow/io/atomic_file.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <loraflow/decimal.hpp>

namespace loraflow {
namespace detail {
namespace {

/// The token as it may appear in a one-line message: control bytes replaced, long tokens shortened.
std::string quoted_token(const std::string& s) {
  std::string out = "'";
  for (std::size_t k = 0; k < s.size(); ++k) {
    if (k == 40) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(s[k]);
    out += (u < 0x20 || u == 0x7f) ? '?' : s[k];
  }
  return out + "'";
}

bool is_nonfinite_word(std::string s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.erase(0, 1);
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s == "nan" || s == "inf" || s == "infinity";
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string entries_text(std::size_t n) { return std::to_string(n) + (n == 1 ? " entry" : " entries"); }

}  // namespace
}  // namespace detail

text_matrix read_text_matrix(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw input_error(path + ": cannot open file (it is a directory)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw input_error(path + ": cannot open file");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw input_error(path + ": read error");
  return parse_text_matrix(text, path);
}

text_matrix parse_text_matrix(const std::string& text, const std::string& path) {
  std::istringstream in(text);
  std::vector<std::string> row_major;
  std::size_t rows = 0, cols = 0, first_row_line = 0;
  std::string line;
  for (std::size_t line_no = 1; std::getline(in, line); ++line_no) {
    const std::string where = path + ":" + std::to_string(line_no) + ": ";
    if (line_no == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);  // UTF-8 byte order mark
    if (const std::size_t hash = line.find('#'); hash != std::string::npos) line.erase(hash);

    std::vector<std::string> tokens;
    bool comma_pending = false;  // a ',' was read and the entry after it has not come yet
    for (std::size_t i = 0; i < line.size();) {
      if (detail::is_blank(line[i])) {
        ++i;
      } else if (line[i] == ',') {
        if (tokens.empty()) throw input_error(where + "empty entry: the row starts with ','");
        if (comma_pending) throw input_error(where + "empty entry between two commas");
        comma_pending = true;
        ++i;
      } else {
        std::size_t end = i;
        while (end < line.size() && !detail::is_blank(line[end]) && line[end] != ',') ++end;
        std::string token = line.substr(i, end - i);
        if (!detail::is_decimal_literal(token))
          throw input_error(where + detail::quoted_token(token) + " is not a decimal number" +
                            (detail::is_nonfinite_word(token) ? " (NaN and Inf are not allowed)" : ""));
        tokens.push_back(std::move(token));
        comma_pending = false;
        i = end;
      }
    }
    if (comma_pending) throw input_error(where + "empty entry: the row ends with ','");
    if (tokens.empty()) continue;  // blank or comment-only line

    if (rows == 0) {
      cols = tokens.size();
      first_row_line = line_no;
    } else if (tokens.size() != cols) {
      throw input_error(where + "row has " + detail::entries_text(tokens.size()) + "; expected " +
                        std::to_string(cols) + " (as in row 1, line " + std::to_string(first_row_line) + ")");
    }
    ++rows;
    for (std::string& t : tokens) row_major.push_back(std::move(t));
  }
  if (rows == 0) throw input_error(path + ": no rows found; expected at least one row of numbers");

  text_matrix m;
  m.rows = rows;
  m.cols = cols;
  m.entries.resize(rows * cols);
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) m.entries[i + j * rows] = std::move(row_major[i * cols + j]);
  return m;
}

void write_text_matrix(const std::string& path, const text_matrix& m) {
  if (m.rows == 0 || m.cols == 0)
    throw std::invalid_argument("write_text_matrix: " + path + ": a " + std::to_string(m.rows) + "x" +
                                std::to_string(m.cols) + " matrix cannot be written (the format has no empty rows)");
  if (m.entries.size() != m.rows * m.cols)
    throw std::invalid_argument("write_text_matrix: " + path + ": " + std::to_string(m.entries.size()) +
                                " entries for a " + std::to_string(m.rows) + "x" + std::to_string(m.cols) +
                                " matrix");
  std::string out;
  for (std::size_t i = 0; i < m.rows; ++i) {
    for (std::size_t j = 0; j < m.cols; ++j) {
      const std::string& e = m.entries[i + j * m.rows];
      if (!detail::is_decimal_literal(e))
        throw std::invalid_argument("write_text_matrix: " + path + ": entry (" + std::to_string(i) + "," +
                                    std::to_string(j) + ") " + detail::quoted_token(e) +
                                    " is not a decimal number");
      if (j) out += ' ';
      out += e;
    }
    out += '\n';
  }
  write_file_atomic(path, out);
}

}  // namespace loraflow
