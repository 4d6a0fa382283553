// tools/fuzz/fuzz_decimal.cpp: libFuzzer harness for the decimal grammar (loraflow/decimal.hpp) and
// loraflow::parse<Real> (scalar.hpp) for double, long double and float50.
// Input: one candidate decimal string (any bytes). Checks:
//  - is_decimal_literal agrees with an independent reference (mantissa/exponent split), and is_positive_decimal
//    with its definition (a literal, no leading '-', a nonzero mantissa digit);
//  - parse<Real> throws std::invalid_argument for every non-literal; for a literal it returns a finite value of the
//    literal's sign (zero for a zero mantissa) or throws std::invalid_argument (overflow/underflow);
//  - the order of magnitude: decimal_order agrees with a reference; a value returned is within one order of it;
//    a literal whose order is beyond every type's range (|order| >= decimal_order_limit) is refused by every type
//    (Boost 1.74 read 1e18446744073709551621 as 1e5: its exponent arithmetic wraps);
//  - a literal that double accepts, long double and float50 accept too (wider ranges), and both round to within
//    one double ulp of the double result (the double is correctly rounded; a second rounding moves at most 1 ulp).
#include "fuzz_check.hpp"

#include <loraflow/decimal.hpp>
#include <loraflow/scalar.hpp>

#include <cmath>
#include <optional>

namespace {

bool all_digits(const std::string& s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Reference grammar, written differently from decimal.hpp on purpose: split at the first e/E, then check parts.
bool ref_literal(const std::string& s) {
  const std::size_t e = s.find_first_of("eE");
  std::string mant = s.substr(0, e);
  if (e != std::string::npos) {
    std::string ex = s.substr(e + 1);
    if (!ex.empty() && (ex[0] == '+' || ex[0] == '-')) ex.erase(0, 1);
    if (ex.empty() || !all_digits(ex)) return false;
  }
  if (!mant.empty() && (mant[0] == '+' || mant[0] == '-')) mant.erase(0, 1);
  const std::size_t dot = mant.find('.');
  if (dot != std::string::npos) mant.erase(dot, 1);  // at most one '.': a second one fails all_digits below
  return !mant.empty() && all_digits(mant);
}

bool ref_positive(const std::string& s) {
  if (!ref_literal(s) || s[0] == '-') return false;
  const std::string mant = s.substr(0, s.find_first_of("eE"));
  return mant.find_first_of("123456789") != std::string::npos;
}

// Reference order of magnitude (10^e <= |value| < 10^(e+1)), saturated like decimal_order; 0 for a zero mantissa.
long ref_order(const std::string& s) {
  const long limit = loraflow::detail::decimal_order_limit;
  std::string t = (s[0] == '+' || s[0] == '-') ? s.substr(1) : s;
  const std::size_t e = t.find_first_of("eE");
  long long exponent = 0;
  if (e != std::string::npos) {
    const std::string ex = t.substr(e + 1);
    const bool neg = ex[0] == '-';
    const std::string digits = (ex[0] == '-' || ex[0] == '+') ? ex.substr(1) : ex;
    const std::size_t nz = digits.find_first_not_of('0');
    if (nz != std::string::npos) {
      const std::string sig = digits.substr(nz);
      exponent = sig.size() > 12 ? 10LL * limit : std::stoll(sig);
      if (neg) exponent = -exponent;
    }
    t.erase(e);
  }
  const std::size_t dot = t.find('.');
  const long long int_digits = static_cast<long long>(dot == std::string::npos ? t.size() : dot);
  if (dot != std::string::npos) t.erase(dot, 1);
  const std::size_t first = t.find_first_not_of('0');
  if (first == std::string::npos) return 0;
  const long long order = int_digits - static_cast<long long>(first) - 1 + exponent;
  return order > limit ? limit : order < -limit ? -limit : static_cast<long>(order);
}

template <class Real> long order_of(const Real& v) {
  using std::abs;
  using std::floor;
  using std::log10;
  return static_cast<long>(floor(log10(abs(v))));
}

template <class Real> void check_order(const std::optional<Real>& v, long order, bool nonzero) {
  const long limit = loraflow::detail::decimal_order_limit;
  if (nonzero && (order >= limit || order <= -limit)) FUZZ_CHECK(!v);
  if (v && *v != 0) FUZZ_CHECK(std::labs(order_of(*v) - order) <= 1);
}

template <class Real> std::optional<Real> try_parse(const std::string& s, bool literal) {
  try {
    Real v = loraflow::parse<Real>(s);
    FUZZ_CHECK(literal);  // a non-literal must be refused
    return v;
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
}

template <class Real> void check_sign(const std::optional<Real>& v, const std::string& s) {
  if (!v) return;
  FUZZ_CHECK(loraflow::is_finite(*v));
  const bool pos = ref_positive(s), neg = s[0] == '-' && ref_positive(s.substr(1));
  if (pos) FUZZ_CHECK(*v > 0);
  else if (neg) FUZZ_CHECK(*v < 0);
  else FUZZ_CHECK(*v == 0);
}

bool within_one_ulp(double ref, double x) {
  return x == ref || x == std::nextafter(ref, HUGE_VAL) || x == std::nextafter(ref, -HUGE_VAL);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string s = loraflow::fuzz::as_string(data, size);
  const bool literal = loraflow::detail::is_decimal_literal(s);
  FUZZ_CHECK(literal == ref_literal(s));
  FUZZ_CHECK(loraflow::detail::is_positive_decimal(s) == ref_positive(s));

  const auto d = try_parse<double>(s, literal);
  const auto ld = try_parse<long double>(s, literal);
  const auto f50 = try_parse<loraflow::float50>(s, literal);
  check_sign(d, s);
  check_sign(ld, s);
  check_sign(f50, s);
  if (literal) {
    const long order = ref_order(s);
    FUZZ_CHECK(loraflow::detail::decimal_order(s) == order);
    const bool nonzero = ref_positive(s) || (s[0] == '-' && ref_positive(s.substr(1)));
    check_order(d, order, nonzero);
    check_order(ld, order, nonzero);
    check_order(f50, order, nonzero);
  }
  if (d) {
    FUZZ_CHECK(ld && f50);
    FUZZ_CHECK(within_one_ulp(*d, static_cast<double>(*ld)));
    FUZZ_CHECK(within_one_ulp(*d, static_cast<double>(*f50)));
  }
  return 0;
}
