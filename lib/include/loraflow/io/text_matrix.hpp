// loraflow/io/text_matrix.hpp: a plain-text matrix format that keeps every digit, for multiprecision inputs.
//
// Provides: text_matrix (the entries as decimal strings, column-major), read_text_matrix and write_text_matrix.
// Format: one row per line; entries separated by whitespace and/or single commas; '#' starts a comment that runs
// to the end of the line; blank lines are ignored; every row has the same number of entries. Each entry is a
// decimal literal: [+-] digits [. digits] [(e|E) [+-] digits] with at least one mantissa digit ("5", "-0.1",
// ".5", "-1.2345678901234567890123456789e-30"); nan, inf, hex floats and empty entries are rejected.
//
// Why strings: a .npy file holds doubles, so a 50-digit input would lose ~34 digits on the way in. Here the text
// is kept as written and converted once, straight into the working scalar (loraflow::parse<Real>).
//
// Example file:
//   # dY, 2 x 3
//   1.0, 2.5e-3, -7
//   0.1  0.2     0.30000000000000000000000000000000000000000001
#pragma once

#include "loraflow/io/input_error.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace loraflow {

/// A matrix of decimal strings; entries[i + j*rows] is row i, column j (column-major, as Eigen stores matrices).
struct text_matrix {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<std::string> entries;
};

/// Reads a text matrix file (format above). Throws loraflow::input_error with file and 1-based line number, e.g.
/// "dY.txt:3: row has 4 entries; expected 5 (as in row 1, line 1)" or "dY.txt:2: 'abc' is not a decimal number";
/// also for a missing file or a file with no rows.
text_matrix read_text_matrix(const std::string& path);

/// The same reader for the file's text already in memory (read_text_matrix reads the file and calls this);
/// `source` names the input in messages ("<source>:<line>: ..."). Used by the fuzz harness (tools/fuzz/).
text_matrix parse_text_matrix(const std::string& text, const std::string& source);

/// Writes `m` one row per line, entries separated by one space, atomically (atomic_file); read_text_matrix gives
/// the same strings back. Throws std::invalid_argument if m.rows or m.cols is 0, if entries.size() !=
/// rows*cols, or if an entry is not a decimal literal; std::runtime_error on I/O failure.
void write_text_matrix(const std::string& path, const text_matrix& m);

}  // namespace loraflow
