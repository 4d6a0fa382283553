// Tests of decimal.hpp: the one grammar for decimal numbers, [+-] digits [. digits] [(e|E) [+-] digits] with at least
// one mantissa digit. Oracle: the grammar, case by case.
#include <loraflow/decimal.hpp>

#include <doctest/doctest.h>

#include <string>

using loraflow::detail::is_decimal_literal;
using loraflow::detail::is_positive_decimal;

TEST_CASE("is_decimal_literal accepts exactly the grammar") {
  for (const char* ok : {"0", "5", "-5", "+5", "1.", ".5", "-.5", "1.25", "1e5", "1E5", "1e+5", "1e-5", "-1.5e-300",
                         "007", "1e0007", "0.0"})
    CHECK_MESSAGE(is_decimal_literal(ok), ok);
  for (const char* bad : {"", "+", "-", ".", "e5", ".e5", "1e", "1e+", "1.5.2", "1e5.0", " 1", "1 ", "1,5", "0x10",
                          "nan", "inf", "-inf", "1f", "--1", "+-1", "1e5e5", "١"})
    CHECK_MESSAGE(!is_decimal_literal(bad), bad);
}

TEST_CASE("is_positive_decimal: a nonzero mantissa digit and no minus sign, decided on the text") {
  for (const char* pos : {"1", "+1", "0.001", "1e-5000", ".5", "5.", "00.01"}) CHECK_MESSAGE(is_positive_decimal(pos), pos);
  for (const char* not_pos : {"0", "-1", "-0.5", "0.000", "0e0", "0e5", "+0", "abc", "", "-1e-5000"})
    CHECK_MESSAGE(!is_positive_decimal(not_pos), not_pos);
}
