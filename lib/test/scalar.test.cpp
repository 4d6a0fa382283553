// Tests of scalar.hpp: parsing decimals at the working precision, printing every digit, and mpfr's run-time
// precision.
#include <loraflow/scalar.hpp>

#include "checks.hpp"

using namespace loraflow;

TEST_CASE_TEMPLATE_DEFINE("decimal strings parse at working precision and print back exactly", Real, parse_roundtrip) {
  test::precision_for_test<Real> prec;
  // 1/100 written as a string must equal Real(1)/100 exactly (correct rounding), unlike the widened double.
  CHECK(parse<Real>("0.01") == Real(1) / 100);
  // 10^30 is exact in the types with >= 70 mantissa bits, so there the quotient is correctly rounded too.
  if (digits10<Real>() > 20) CHECK(parse<Real>("1e-30") == Real(1) / pow(Real(10), 30));
  CHECK(test::rel_error(parse<Real>("1e-30"), Real(1) / pow(Real(10), 30)) <= eps<Real>());
  if (digits10<Real>() > 20) CHECK(Real(0.01) != Real(1) / 100);  // the trap this guards against is real
  const Real third = Real(1) / 3;
  CHECK(parse<Real>(to_string(third)) == third);
  CHECK_THROWS_AS(parse<Real>("abc"), std::invalid_argument);
  CHECK_THROWS_AS(parse<Real>("1e"), std::invalid_argument);
  CHECK_THROWS_AS(parse<Real>("nan"), std::invalid_argument);
  CHECK_THROWS_AS(parse<Real>(""), std::invalid_argument);
}
TEST_CASE_TEMPLATE_APPLY(parse_roundtrip, scalar_types);

TEST_CASE("mpfr precision is chosen at run time") {
  {
    mpfr_digits_scope s(120);
    CHECK(digits10<mpfr_float>() == 120);
    const mpfr_float x = mpfr_float(1) / 3;
    CHECK(to_string(x).size() > 120);
    CHECK(eps<mpfr_float>() < mpfr_float("1e-119"));
  }
  mpfr_digits_scope s2(25);
  CHECK(eps<mpfr_float>() > mpfr_float("1e-26"));
}

TEST_CASE_TEMPLATE_DEFINE("to_string of a built-in type prints what the stream prints, and reads back", Real, to_chars_text) {
  // to_string formats double and long double with std::to_chars (printf's %.*e); the stream it replaced is the
  // oracle: the same text, character for character, for normals, subnormals, exact powers, ties and both signs.
  auto stream = [](const Real& x) {
    std::ostringstream os;
    os.precision(max_digits10<Real>() - 1);
    os << std::scientific << x;
    return os.str();
  };
  std::vector<Real> xs{Real(0), -Real(0), Real(1), Real(-1) / 3, Real(2) / 3, Real(1) / 1024, Real(0.1), Real(1e-5),
                       std::numeric_limits<Real>::min(), std::numeric_limits<Real>::denorm_min(),
                       std::numeric_limits<Real>::max(), -std::numeric_limits<Real>::max(), Real(9.5), Real(123456789)};
  Real x = Real(1) / 7;
  for (int i = 0; i < 200; ++i) xs.push_back(x *= Real(-1.37));  // a spread of magnitudes and digit patterns
  for (const Real& v : xs) {
    CHECK(to_string(v) == stream(v));
    CHECK(parse<Real>(to_string(v)) == v);
  }
  CHECK(to_string(std::numeric_limits<Real>::quiet_NaN()) == "nan");
  CHECK(to_string(-std::numeric_limits<Real>::infinity()) == "-inf");
}
TEST_CASE_TEMPLATE_APPLY(to_chars_text, std::tuple<double, long double>);
