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

/// Orders of magnitude beyond every scalar type's range (long double: 10^+-4951, cpp_bin_float: about 10^+-6.4e8,
/// mpfr with its default exponent range: about 10^+-3.2e8). decimal_order saturates here.
constexpr long decimal_order_limit = 1000000000L;

/// For a decimal literal with a nonzero mantissa: the order e with 10^e <= |value| < 10^(e+1), computed on the
/// text, saturated to [-decimal_order_limit, decimal_order_limit]; an exponent of any number of digits is safe.
/// 0 for a zero mantissa or a non-literal. Lets parse<Real> refuse 1e99999999999999999999 before a conversion
/// routine whose exponent arithmetic would overflow (Boost 1.74 cpp_bin_float: signed overflow on 20+ digits).
inline long decimal_order(const std::string& s) {
  if (!is_decimal_literal(s)) return 0;
  std::size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
  long long int_digits = 0, digit_index = 0, first_nonzero = -1;  // over the mantissa digits, point removed
  bool after_point = false;
  for (; i < s.size() && s[i] != 'e' && s[i] != 'E'; ++i) {
    if (s[i] == '.') {
      after_point = true;
      continue;
    }
    if (!after_point) ++int_digits;
    if (first_nonzero < 0 && s[i] != '0') first_nonzero = digit_index;
    ++digit_index;
  }
  if (first_nonzero < 0) return 0;
  long long order = int_digits - first_nonzero - 1;  // |order| <= the length of the text
  constexpr long long cap = 4LL * decimal_order_limit;
  if (i < s.size()) {  // the exponent, saturated at cap (it may have any number of digits)
    ++i;
    const bool negative = s[i] == '-';
    if (s[i] == '+' || s[i] == '-') ++i;
    long long e = 0;
    for (; i < s.size(); ++i) e = e > cap ? e : e * 10 + (s[i] - '0');
    order += negative ? -e : e;
  }
  if (order > decimal_order_limit) return decimal_order_limit;
  if (order < -decimal_order_limit) return -decimal_order_limit;
  return static_cast<long>(order);
}

}  // namespace loraflow::detail
