// loraflow/decimal.hpp: the one grammar for decimal numbers in loraflow's inputs (configs, text matrices, parse<Real>).
//
//   [+-] digits [. digits] [(e|E) [+-] digits], with at least one mantissa digit; no nan, inf, hex or spaces.
// Kept light (no Boost, no Eigen) so that the I/O code can share it with the numerical core.
#pragma once

#include <cctype>
#include <string>

namespace loraflow::detail {

inline bool is_decimal_literal(const std::string& s) {
  std::size_t i = 0, n = s.size();
  if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t mantissa_digits = 0;
  while (i < n && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++mantissa_digits;
  if (i < n && s[i] == '.') {
    ++i;
    while (i < n && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++mantissa_digits;
  }
  if (mantissa_digits == 0) return false;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < n && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == n;
}

/// A decimal literal whose value is > 0 (no leading '-', some nonzero mantissa digit). Decided on the text, so
/// values below any type's range (1e-5000) still count as positive.
inline bool is_positive_decimal(const std::string& s) {
  if (!is_decimal_literal(s) || s[0] == '-') return false;
  for (char c : s) {
    if (c == 'e' || c == 'E') break;
    if (c >= '1' && c <= '9') return true;
  }
  return false;
}

}  // namespace loraflow::detail
