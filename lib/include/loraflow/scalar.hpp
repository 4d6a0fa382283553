// loraflow/scalar.hpp: the one registry of scalar types, and everything that depends on which one is used.
//
// The registry: LORAFLOW_SCALAR_SEQ lists every working precision once, in order of increasing precision, and
// scalar_traits<T> (the one extension point per type, as Eigen's NumTraits) gives its config spelling and label.
// Everything else is derived from these two: scalar_types (tests run one body per entry), the explicit
// instantiations (LORAFLOW_EXTERN_ALL here; lib/CMakeLists.txt reads LORAFLOW_SCALAR_SEQ from this file to make
// one instantiation unit per type), the precision grammar of configs and claims (parse_scalar_spec), the digit
// counts (from std::numeric_limits), the precision ladder (cheapest_scalar, used by precision = "auto" and by
// certify's reference) and the run-time dispatch (with_scalar). Adding a type: one entry in LORAFLOW_SCALAR_SEQ
// and one scalar_traits specialisation.
//
// Also here: Eigen vector/matrix aliases, the odeint fix for Boost 1.74, exact decimal parsing, full-precision
// printing, and tolerances derived from std::numeric_limits.
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
#include <boost/preprocessor/seq/enum.hpp>
#include <boost/preprocessor/seq/for_each.hpp>
#include <boost/multiprecision/eigen.hpp>
#include <Eigen/Core>

#include <charconv>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace loraflow {

namespace mp = boost::multiprecision;

using float128 = mp::float128;                                  // not raw __float128 (GUIDE 5.6)
using float50 = mp::number<mp::cpp_bin_float<50>, mp::et_off>;   // stack-allocated, expression templates off
using float100 = mp::number<mp::cpp_bin_float<100>, mp::et_off>;
using mpfr_float = mp::number<mp::mpfr_float_backend<0>, mp::et_off>;  // digits chosen at run time

/// THE list: every scalar type loraflow instantiates, in order of increasing precision (a Boost.Preprocessor
/// sequence, so that the instantiation macros below and lib/CMakeLists.txt can walk it).
#define LORAFLOW_SCALAR_SEQ \
  (double)(long double)(::loraflow::float128)(::loraflow::float50)(::loraflow::float100)(::loraflow::mpfr_float)

/// The same list as a type list. Tests run one body per entry.
using scalar_types = std::tuple<BOOST_PP_SEQ_ENUM(LORAFLOW_SCALAR_SEQ)>;

/// Explicit instantiation: every heavy template is compiled once per scalar type in lib/src/instantiate/, and
/// declared `extern template` in its header so no other translation unit instantiates it again (this keeps a
/// clean build within CI's budget on two cores). LORAFLOW_EXTERN_ALL(INST) expands INST(extern, T) for each type;
/// the instantiation units define LORAFLOW_NO_EXTERN_TEMPLATES and expand INST(, T) for their one type.
#define LORAFLOW_DETAIL_EXTERN_ONE(r, INST, T) INST(extern, T)
#define LORAFLOW_EXTERN_ALL(INST) BOOST_PP_SEQ_FOR_EACH(LORAFLOW_DETAIL_EXTERN_ONE, INST, LORAFLOW_SCALAR_SEQ)

template <class Real> using vector = Eigen::Matrix<Real, Eigen::Dynamic, 1>;
template <class Real> using matrix = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic>;

/// The registry entry of a scalar type. `name` is the spelling in configs, claims and reports (solve.precision);
/// `label` names the type in test names and files; `runtime_digits` marks the type whose digit count is chosen at
/// run time (spelled name:<digits>, e.g. "mpfr:60"). The digit count of the others is numeric_limits<T>::digits10.
template <class Real> struct scalar_traits;
template <> struct scalar_traits<double> {
  static constexpr const char* name = "double";
  static constexpr const char* label = "double";
  static constexpr bool runtime_digits = false;
};
template <> struct scalar_traits<long double> {
  static constexpr const char* name = "long_double";
  static constexpr const char* label = "long_double";
  static constexpr bool runtime_digits = false;
};
template <> struct scalar_traits<float128> {
  static constexpr const char* name = "float128";
  static constexpr const char* label = "float128";
  static constexpr bool runtime_digits = false;
};
template <> struct scalar_traits<float50> {
  static constexpr const char* name = "50";
  static constexpr const char* label = "float50";
  static constexpr bool runtime_digits = false;
};
template <> struct scalar_traits<float100> {
  static constexpr const char* name = "100";
  static constexpr const char* label = "float100";
  static constexpr bool runtime_digits = false;
};
template <> struct scalar_traits<mpfr_float> {
  static constexpr const char* name = "mpfr";
  static constexpr const char* label = "mpfr";
  static constexpr bool runtime_digits = true;
  static constexpr unsigned min_digits = 10, max_digits = 100000;  ///< accepted in name:<digits>
  static unsigned digits() { return mpfr_float::default_precision(); }
  static void set_digits(unsigned d) { mpfr_float::default_precision(d); }
};

/// The name used in configs and reports ("double", "50", "mpfr:<digits>" ...).
template <class Real> std::string scalar_name() {
  if constexpr (scalar_traits<Real>::runtime_digits)
    return std::string(scalar_traits<Real>::name) + ":" + std::to_string(scalar_traits<Real>::digits());
  else
    return scalar_traits<Real>::name;
}

/// Machine epsilon of the working precision (run-time for mpfr_float).
template <class Real> Real eps() { return std::numeric_limits<Real>::epsilon(); }

/// Decimal digits the type carries (run-time for mpfr_float).
template <class Real> int digits10() {
  if constexpr (scalar_traits<Real>::runtime_digits)
    return static_cast<int>(scalar_traits<Real>::digits());
  else
    return std::numeric_limits<Real>::digits10;
}

/// Digits needed to print a value so that it reads back exactly.
template <class Real> int max_digits10() {
  if constexpr (scalar_traits<Real>::runtime_digits)
    return static_cast<int>(scalar_traits<Real>::digits()) + 3;
  else
    return std::numeric_limits<Real>::max_digits10;
}

/// Sets the digit count of a runtime-digits type for a scope and restores it afterwards. Note: Boost 1.74 keeps
/// mpfr_float's default precision in one process-wide variable, so two threads must not use different mpfr
/// precisions.
template <class Real> class runtime_digits_scope {
 public:
  explicit runtime_digits_scope(unsigned digits) : m_saved(scalar_traits<Real>::digits()) {
    scalar_traits<Real>::set_digits(digits);
  }
  ~runtime_digits_scope() { scalar_traits<Real>::set_digits(m_saved); }
  runtime_digits_scope(const runtime_digits_scope&) = delete;
  runtime_digits_scope& operator=(const runtime_digits_scope&) = delete;

 private:
  unsigned m_saved;
};
using mpfr_digits_scope = runtime_digits_scope<mpfr_float>;

// ---- Derived from the registry --------------------------------------------------------------------------------

/// A working precision named at run time: a registry name, plus the digit count for a runtime-digits type.
struct scalar_spec {
  std::string type;         ///< a scalar_traits<T>::name
  unsigned digits = 0;      ///< the runtime-digits type only (mpfr:<digits>); 0 otherwise
  /// The spelling: "double", "50", "mpfr:60".
  std::string spelling() const { return digits ? type + ":" + std::to_string(digits) : type; }
};

namespace detail {
template <class T> struct type_tag { using type = T; };
template <class F, std::size_t... I> void for_each_scalar_impl(F&& f, std::index_sequence<I...>) {
  (f(type_tag<std::tuple_element_t<I, scalar_types>>{}), ...);
}
}  // namespace detail

/// Calls f(detail::type_tag<T>{}) for every registered type, in registry order.
template <class F> void for_each_scalar(F&& f) {
  detail::for_each_scalar_impl(f, std::make_index_sequence<std::tuple_size_v<scalar_types>>{});
}

/// The registered types whose digit count is fixed at compile time (every type but the runtime-digits one).
namespace detail {
template <class... T> auto fixed_digit_types(std::tuple<T...>)
    -> decltype(std::tuple_cat(std::conditional_t<scalar_traits<T>::runtime_digits, std::tuple<>, std::tuple<T>>{}...));
}  // namespace detail
using fixed_digit_scalar_types = decltype(detail::fixed_digit_types(scalar_types{}));

/// The grammar of a precision, for messages and --help: "double, long_double, float128, 50, 100 or mpfr:<digits>
/// (10..100000)".
inline std::string scalar_spec_grammar() {
  std::vector<std::string> names;
  for_each_scalar([&](auto tag) {
    using T = typename decltype(tag)::type;
    using tr = scalar_traits<T>;
    if constexpr (tr::runtime_digits)
      names.push_back(std::string(tr::name) + ":<digits> (" + std::to_string(tr::min_digits) + ".." +
                      std::to_string(tr::max_digits) + ")");
    else
      names.push_back(tr::name);
  });
  std::string s;
  for (std::size_t i = 0; i < names.size(); ++i) s += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return s;
}

/// Parses a precision spelling ("double", "50", "mpfr:60"); nothing if it is not one.
inline std::optional<scalar_spec> parse_scalar_spec(const std::string& text) {
  std::optional<scalar_spec> out;
  for_each_scalar([&](auto tag) {
    using tr = scalar_traits<typename decltype(tag)::type>;
    if (out) return;
    if constexpr (tr::runtime_digits) {
      const std::string prefix = std::string(tr::name) + ":";
      if (text.rfind(prefix, 0) != 0) return;
      const std::string d = text.substr(prefix.size());
      if (d.empty() || d.size() > 6 || d.find_first_not_of("0123456789") != std::string::npos) return;
      const unsigned long v = std::stoul(d);
      if (v < tr::min_digits || v > tr::max_digits) return;
      out = scalar_spec{tr::name, static_cast<unsigned>(v)};
    } else if (text == tr::name) {
      out = scalar_spec{tr::name, 0};
    }
  });
  return out;
}

/// The decimal digits a precision carries (numeric_limits<T>::digits10, or the runtime digit count).
inline int scalar_digits10(const scalar_spec& s) {
  int d = -1;
  for_each_scalar([&](auto tag) {
    using T = typename decltype(tag)::type;
    if (s.type != scalar_traits<T>::name) return;
    if constexpr (scalar_traits<T>::runtime_digits) d = static_cast<int>(s.digits);
    else d = std::numeric_limits<T>::digits10;
  });
  if (d < 0) throw std::invalid_argument("'" + s.type + "' is not a scalar type; expected " + scalar_spec_grammar());
  return d;
}

/// The precision ladder: the cheapest registered type with at least `digits` decimal digits, skipping a type that
/// is not strictly wider than the one before it (long double where it equals double); the runtime-digits type at
/// that many digits when no fixed type has them. min_exponent10 (<= 0): the smallest power of ten the type must
/// hold as a normal number (std::numeric_limits<T>::min_exponent10 <= it; the runtime-digits type, mpfr, holds
/// any), so that a quantity of that size is not flushed or denormalised.
inline scalar_spec cheapest_scalar(int digits, long min_exponent10 = 0) {
  std::optional<scalar_spec> out;
  int previous = 0;
  for_each_scalar([&](auto tag) {
    using T = typename decltype(tag)::type;
    using tr = scalar_traits<T>;
    if (out) return;
    if constexpr (tr::runtime_digits) {
      out = scalar_spec{tr::name, static_cast<unsigned>(std::max<int>(digits, static_cast<int>(tr::min_digits)))};
    } else {
      const int d = std::numeric_limits<T>::digits10;
      if (std::numeric_limits<T>::digits <= previous) return;  // not wider than the type before it
      previous = std::numeric_limits<T>::digits;
      if (d >= digits && std::numeric_limits<T>::min_exponent10 <= min_exponent10) out = scalar_spec{tr::name, 0};
    }
  });
  return *out;
}

/// Calls f(T{}) with the scalar type of s (the runtime-digits type at s.digits for the duration of the call) and
/// returns its result. f must return the same type for every registered T. Throws std::invalid_argument for an
/// unknown type name.
namespace detail {
template <std::size_t I, class R, class F> R with_scalar_at(const scalar_spec& s, F& f) {
  if constexpr (I == std::tuple_size_v<scalar_types>) {
    throw std::invalid_argument("'" + s.type + "' is not a scalar type; expected " + scalar_spec_grammar());
  } else {
    using T = std::tuple_element_t<I, scalar_types>;
    if (s.type != scalar_traits<T>::name) return with_scalar_at<I + 1, R>(s, f);
    if constexpr (scalar_traits<T>::runtime_digits) {
      runtime_digits_scope<T> scope(s.digits);
      return f(T{});
    } else {
      return f(T{});
    }
  }
}
}  // namespace detail

template <class F> decltype(auto) with_scalar(const scalar_spec& s, F&& f) {
  using R = std::invoke_result_t<F&, double>;
  return detail::with_scalar_at<0, R>(s, f);
}

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
    // Boost 1.74 reads the exponent into an intmax_t without overflow checks (cpp_bin_float read
    // 1e18446744073709551621 as 1e5; 20+ exponent digits are undefined behaviour), so values beyond every type's
    // range, and zeros, are decided on the text (found by tools/fuzz, the decimal harness; corpus regress-*).
    const std::size_t sign = text[0] == '-' || text[0] == '+' ? 1 : 0;
    const long order = detail::decimal_order(text);
    if (!detail::is_positive_decimal(text.substr(sign))) value = Real(0);
    else if (order >= detail::decimal_order_limit) value = std::numeric_limits<Real>::infinity();
    else if (order <= -detail::decimal_order_limit) value = Real(0);
    else value = Real(text);
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
  if constexpr (std::is_floating_point_v<Real>) {
    // The same text as the stream below (printf's %.*e, correctly rounded), without a stream per number: writing
    // trajectory.csv formats every metric at every observation.
    char buf[64];
    const std::to_chars_result r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific, max_digits10<Real>() - 1);
    return std::string(buf, r.ptr);
  } else {
    std::ostringstream os;
    os.precision(max_digits10<Real>() - 1);
    os << std::scientific << x;
    return os.str();
  }
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
