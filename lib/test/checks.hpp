// checks.hpp: comparison helpers for tests at any precision.
//
// doctest::Approx narrows to double and cannot check below ~1e-16 (pitfalls 4.1). close() is the mollified
// relative error of Boost.Math, |a - b| <= tol * max(1, |a|, |b|), evaluated in Real; rel_close() drops the 1 so
// that small numbers are compared relatively. Both explain a failure with every digit.
#pragma once

#include <loraflow/scalar.hpp>

#include <doctest/doctest.h>

#include <string>
#include <tuple>

// Test names carry each type's registry label (scalar.hpp), so a new scalar type is named without an edit here.
#define LORAFLOW_TEST_TYPE_NAME(r, data, T) TYPE_TO_STRING_AS(::loraflow::scalar_traits<T>::label, T);
BOOST_PP_SEQ_FOR_EACH(LORAFLOW_TEST_TYPE_NAME, _, LORAFLOW_SCALAR_SEQ)
#undef LORAFLOW_TEST_TYPE_NAME

namespace loraflow::test {

/// mpfr_float is tested at 60 digits, a precision no fixed type has.
constexpr unsigned mpfr_test_digits = 60;

/// Sets the mpfr working precision for the duration of a test body (no effect for other types).
template <class Real> struct precision_for_test {
  mpfr_digits_scope scope{mpfr_test_digits};
};

template <class Real> Real rel_error(const Real& a, const Real& b) {
  using std::abs;
  const Real scale = std::max(abs(a), abs(b));
  return scale == 0 ? Real(0) : Real(abs(a - b) / scale);
}

template <class Real> std::string explain(const Real& a, const Real& b, const Real& tol) {
  using std::abs;
  return "a = " + to_string(a) + "\nb = " + to_string(b) + "\n|a-b| = " + to_string(Real(abs(a - b))) +
         "\ntol = " + to_string(tol) + " (" + std::to_string(to_double(Real(tol / eps<Real>()))) + " eps of " +
         scalar_name<Real>() + ")";
}

/// max_i |v_i|, in Real.
template <class Real> Real max_abs(const vector<Real>& v) {
  using std::abs;
  Real m(0);
  for (Eigen::Index i = 0; i < v.size(); ++i) m = std::max(m, Real(abs(v(i))));
  return m;
}

/// |a - b| <= tol * max(1, |a|, |b|)
template <class Real> bool close(const Real& a, const Real& b, const Real& tol) {
  using std::abs;
  const Real scale = std::max({Real(1), Real(abs(a)), Real(abs(b))});
  return abs(a - b) <= tol * scale;
}

/// |a - b| <= tol * max(|a|, |b|)
template <class Real> bool rel_close(const Real& a, const Real& b, const Real& tol) {
  using std::abs;
  return abs(a - b) <= tol * std::max(abs(a), abs(b));
}

}  // namespace loraflow::test

#define LORAFLOW_CHECK_CLOSE(a, b, tol) CHECK_MESSAGE(::loraflow::test::close((a), (b), (tol)), ::loraflow::test::explain((a), (b), (tol)))
#define LORAFLOW_CHECK_REL(a, b, tol) CHECK_MESSAGE(::loraflow::test::rel_close((a), (b), (tol)), ::loraflow::test::explain((a), (b), (tol)))
