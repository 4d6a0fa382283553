// loraflow/io/npy.hpp: read and write NumPy .npy files holding a float64 vector or matrix.
//
// Provides: read_npy (format versions 1.0, 2.0 and 3.0; dtype '<f8' only; C or Fortran order; 1-D or 2-D) and
// write_npy (version 1.0, '<f8', Fortran order, 2-D, written atomically). Format: numpy's
// doc/neps/nep-0001-npy-format.rst and numpy/lib/format.py: magic "\x93NUMPY", version, header length, a Python
// dict literal {'descr', 'fortran_order', 'shape'} padded so the data starts at a multiple of 64, then the data.
//
// Why only '<f8': inputs are weights and data matrices; reading float32 or big-endian data silently would change
// the problem. A rejected file gets a one-line loraflow::input_error saying what was found and what is expected.
//
// Not for: multiprecision inputs (a double keeps ~16 digits); use text_matrix.hpp, which keeps every digit.
#pragma once

#include "loraflow/io/input_error.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace loraflow {

/// A float64 array read from a .npy file.
struct npy_array {
  std::vector<std::size_t> shape;  ///< {k} for a 1-D file, {rows, cols} for a 2-D one
  bool fortran_order = false;      ///< the order the *file* used; informational only, see `data`
  /// Always column-major after read_npy, whatever the file's order: element (i,j) of a 2-D array is
  /// data[i + j*rows]; element i of a 1-D array is data[i].
  std::vector<double> data;
};

/// Reads a .npy file (versions 1.0/2.0/3.0, dtype '<f8', C or Fortran order, 1-D or 2-D) and converts it to
/// column-major. Throws loraflow::input_error with a one-line message naming `path` on any problem: missing file,
/// bad magic, unsupported version or dtype, malformed header, other dimensionality, truncated or trailing data, or
/// a NaN/Inf entry (reported with its 0-based index, e.g. "entry (3,4) is NaN; expected a finite number").
npy_array read_npy(const std::string& path);

/// The same reader for the bytes of a .npy file already in memory (read_npy reads the file and calls this);
/// `source` names the input in messages. Used by the fuzz harness (tools/fuzz/) and by callers holding a buffer.
npy_array parse_npy(const std::string& bytes, const std::string& source);

/// Writes a rows x cols matrix given in column-major order as a version-1.0, '<f8', Fortran-order .npy file whose
/// data starts at a multiple of 64 bytes (as numpy writes it). The file appears complete or not at all
/// (atomic_file). Throws std::invalid_argument for a null `colmajor_data` with rows*cols > 0, std::runtime_error
/// on I/O failure. NaN/Inf are written as they are (read_npy will refuse them).
void write_npy(const std::string& path, std::size_t rows, std::size_t cols, const double* colmajor_data);

}  // namespace loraflow
