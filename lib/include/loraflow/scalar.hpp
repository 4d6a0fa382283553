// loraflow/scalar.hpp: the one list of scalar types, and everything that depends on which one is used.
//
// Provides: the six working precisions (double, long double, float128, float50, float100, mpfr_float with a
// run-time digit count), Eigen vector/matrix aliases, the odeint fix for Boost 1.74, exact decimal parsing,
// full-precision printing, and tolerances derived from std::numeric_limits.
//
// Why here: odeint's `has_value_type` walks into multiprecision's `number::value_type` on Boost 1.74 and breaks
// controlled steppers (shared/notes/pitfalls.md 1.1). The specialisation must come after odeint's
// extract_value_type.hpp and before <boost/numeric/odeint.hpp>, so every file that needs odeint or Eigen with a
// multiprecision scalar includes this header first.
//
// Precision rules kept everywhere: no double literal reaches a multiprecision computation. Decimal inputs go
// through parse<Real>(string); constants are written as Real(1)/100; tolerances come from eps<Real>().
#pragma once

#include <boost/multiprecision/cpp_bin_float.hpp>
#include <boost/multiprecision/float128.hpp>
#include <boost/multiprecision/mpfr.hpp>
#include <boost/numeric/odeint/algebra/detail/extract_value_type.hpp>

template <class Backend, boost::multiprecision::expression_template_option ET>
struct has_value_type<boost::multiprecision::number<Backend, ET>, boost::mpl::bool_<false>> : boost::mpl::false_ {};

#include <loraflow/decimal.hpp>

#include <boost/math/special_functions/fpclassify.hpp>
#include <boost/multiprecision/eigen.hpp>
#include <Eigen/Core>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>

namespace loraflow {

namespace mp = boost::multiprecision;

using float128 = mp::float128;                                  // not raw __float128 (GUIDE 5.6)
using float50 = mp::number<mp::cpp_bin_float<50>, mp::et_off>;   // stack-allocated, expression templates off
using float100 = mp::number<mp::cpp_bin_float<100>, mp::et_off>;
using mpfr_float = mp::number<mp::mpfr_float_backend<0>, mp::et_off>;  // digits chosen at run time

/// Every scalar type loraflow instantiates, in order of increasing precision. Tests run one body per entry.
using scalar_types = std::tuple<double, long double, float128, float50, float100, mpfr_float>;

/// Explicit instantiation: every heavy template is compiled once per scalar type in lib/src/instantiate/, and
/// declared `extern template` in its header so no other translation unit instantiates it again (this keeps a
/// clean build within CI's budget on two cores). LORAFLOW_EXTERN_ALL(INST) expands INST(extern, T) for each type;
/// the instantiation units define LORAFLOW_NO_EXTERN_TEMPLATES and expand INST(, T) for their one type.
#define LORAFLOW_EXTERN_ALL(INST)                                                                       \
  INST(extern, double) INST(extern, long double) INST(extern, ::loraflow::float128)                    \
  INST(extern, ::loraflow::float50) INST(extern, ::loraflow::float100) INST(extern, ::loraflow::mpfr_float)

template <class Real> using vector = Eigen::Matrix<Real, Eigen::Dynamic, 1>;
template <class Real> using matrix = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>;

template <class Real> struct scalar_traits;
template <> struct scalar_traits<double> { static constexpr const char* name = "double"; };
template <> struct scalar_traits<long double> { static constexpr const char* name = "long_double"; };
template <> struct scalar_traits<float128> { static constexpr const char* name = "float128"; };
template <> struct scalar_traits<float50> { static constexpr const char* name = "50"; };
template <> struct scalar_traits<float100> { static constexpr const char* name = "100"; };
template <> struct scalar_traits<mpfr_float> { static constexpr const char* name = "mpfr"; };

/// The name used in configs and reports ("double", "50", "mpfr:<digits>" ...).
template <class Real> std::string scalar_name() {
  if constexpr (std::is_same_v<Real, mpfr_float>)
    return "mpfr:" + std::to_string(mpfr_float::default_precision());
  else
    return scalar_traits<Real>::name;
}

/// Machine epsilon of the working precision (run-time for mpfr_float).
template <class Real> Real eps() { return std::numeric_limits<Real>::epsilon(); }

/// Decimal digits the type carries (run-time for mpfr_float).
template <class Real> int digits10() {
  if constexpr (std::is_same_v<Real, mpfr_float>)
    return static_cast<int>(mpfr_float::default_precision());
  else
    return std::numeric_limits<Real>::digits10;
}

/// Digits needed to print a value so that it reads back exactly.
template <class Real> int max_digits10() {
  if constexpr (std::is_same_v<Real, mpfr_float>)
    return static_cast<int>(mpfr_float::default_precision()) + 3;
  else
    return std::numeric_limits<Real>::max_digits10;
}

/// Sets the mpfr_float working precision for a scope and restores it afterwards. Note: Boost 1.74 keeps the
/// default precision in one process-wide variable, so two threads must not use different mpfr precisions.
class mpfr_digits_scope {
 public:
  explicit mpfr_digits_scope(unsigned digits) : m_saved(mpfr_float::default_precision()) {
    mpfr_float::default_precision(digits);
  }
  ~mpfr_digits_scope() { mpfr_float::default_precision(m_saved); }
  mpfr_digits_scope(const mpfr_digits_scope&) = delete;
  mpfr_digits_scope& operator=(const mpfr_digits_scope&) = delete;

 private:
  unsigned m_saved;
};


/// Parses a decimal string straight into Real, correctly rounded at the working precision (never through double
/// for the multiprecision types). Throws std::invalid_argument naming the text if it is not a finite decimal.
template <class Real> Real parse(const std::string& text) {
  if (!detail::is_decimal_literal(text))
    throw std::invalid_argument("'" + text + "' is not a decimal number");
  Real value;
  if constexpr (std::is_same_v<Real, double>) {
    value = std::strtod(text.c_str(), nullptr);
  } else if constexpr (std::is_same_v<Real, long double>) {
    value = std::strtold(text.c_str(), nullptr);
  } else {
    value = Real(text);
  }
  using boost::math::isfinite;
  if (!isfinite(value)) throw std::invalid_argument("'" + text + "' overflows the working precision");
  if (value == 0 && (detail::is_positive_decimal(text) || (text[0] == '-' && detail::is_positive_decimal(text.substr(1)))))
    throw std::invalid_argument("'" + text + "' underflows the working precision (" + scalar_name<Real>() +
                                "); choose a wider precision");
  return value;
}

/// Prints every digit the type carries (scientific, max_digits10 significant digits), so the text reads back to
/// the same value. Non-finite values print as nan / inf / -inf.
template <class Real> std::string to_string(const Real& x) {
  using boost::math::isinf;
  using boost::math::isnan;
  if (isnan(x)) return "nan";
  if (isinf(x)) return x > 0 ? "inf" : "-inf";
  std::ostringstream os;
  os.precision(max_digits10<Real>() - 1);
  os << std::scientific << x;
  return os.str();
}

/// Converts to double at the output boundary (plots, progress lines). Never used inside a computation.
template <class Real> double to_double(const Real& x) { return static_cast<double>(x); }

template <class Real> bool is_finite(const Real& x) {
  using boost::math::isfinite;
  return isfinite(x);
}

/// True when every entry of an Eigen object is finite.
template <class Derived> bool all_finite(const Eigen::MatrixBase<Derived>& m) {
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i)
      if (!is_finite(m(i, j))) return false;
  return true;
}

/// Squared Frobenius norm accumulated in Real without Eigen's scaling heuristics (whose NumTraits hints are
/// unreliable for multiprecision types).
template <class Derived> typename Derived::Scalar squared_norm(const Eigen::MatrixBase<Derived>& m) {
  typename Derived::Scalar s(0);
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i) s += m(i, j) * m(i, j);
  return s;
}

}  // namespace loraflow
