// Tests of run/precision.hpp: plan_for_alpha follows its stated rule. Oracle: the rule itself, evaluated by hand
// (L = ceil(p log10(1/alpha)), rtol = 10^-(k+L+1), D = k + L + 4 digits, the cheapest type with D digits:
// double 15, long double 18, float128 33, 50, 100, else mpfr at D).
#include <loraflow/run/precision.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace loraflow;

// The precision plan of run/precision.hpp follows its stated rule: L = ceil(p log10(1/alpha)), rtol = 10^-(k+L+1),
// D = k + L + 4 digits, and the cheapest type with D digits.

TEST_CASE("plan_for_alpha follows the stated rule") {
  const precision_plan a = plan_for_alpha("1e-4", 6, 1);  // L = 4, D = 14
  CHECK(a.scalar.type == "double");
  CHECK(a.rtol == "1e-11");
  const precision_plan b = plan_for_alpha("1e-5", 3, 2);  // the loss floor: L = 10, D = 17
  CHECK(b.scalar.type == "long_double");
  CHECK(b.rtol == "1e-14");
  const precision_plan c = plan_for_alpha("1e-30", 6, 1);  // L = 30, D = 40
  CHECK(c.scalar.type == "50");
  CHECK(c.rtol == "1e-37");
  const precision_plan d = plan_for_alpha("1e-200", 6, 1);  // D = 210: mpfr at run time
  CHECK(d.scalar.type == "mpfr");
  CHECK(d.scalar.digits == 210u);
  const precision_plan e = plan_for_alpha("3", 6, 1);  // alpha >= 1: L = 0
  CHECK(e.scalar.type == "double");
  CHECK(e.rtol == "1e-7");
  const precision_plan f = plan_for_alpha("1e-30", 6, 0);  // the singular frame: no alpha term, D = 10
  CHECK(f.scalar.type == "double");
  CHECK(f.rtol == "1e-7");
  CHECK(f.reason.find("singular frame") != std::string::npos);
  const precision_plan h = plan_for_alpha("1e-30", 14, 0);  // D = 18
  CHECK(h.scalar.type == "long_double");
  CHECK(h.rtol == "1e-15");
}

TEST_CASE("plan_for_alpha: the ladder changes type exactly at D = 16, 19, 34, 51 and 101") {
  // k = 1, alpha = 10^-L, p = 1: D = L + 5, rtol = 10^-(L + 2).
  struct step {
    int L;
    const char* type;
  };
  const step ladder[] = {{10, "double"}, {11, "long_double"},  // D = 15 | 16
                         {13, "long_double"}, {14, "float128"},  // D = 18 | 19
                         {28, "float128"}, {29, "50"},  // D = 33 | 34
                         {45, "50"}, {46, "100"},  // D = 50 | 51
                         {95, "100"}, {96, "mpfr"}};  // D = 100 | 101
  for (const step& s : ladder) {
    const std::string alpha = "1e-" + std::to_string(s.L);
    CAPTURE(alpha);
    const precision_plan p = plan_for_alpha(alpha, 1, 1);
    CHECK(p.scalar.type == s.type);
    CHECK(p.rtol == "1e-" + std::to_string(s.L + 2));
    CHECK(p.automatic);
    CHECK(p.scalar.digits == (p.scalar.type == "mpfr" ? unsigned(s.L + 5) : 0u));
  }
  // L rounds up: alpha = 2e-11 has log10(1/alpha) = 10.7, so L = 11 (D = 16, long double) ...
  CHECK(plan_for_alpha("2e-11", 1, 1).scalar.type == "long_double");
  // ... and an exact power of ten is not rounded past itself (L = 10, D = 15: double).
  CHECK(plan_for_alpha("1e-10", 1, 1).scalar.type == "double");
  CHECK(plan_for_alpha("0.0000000001", 1, 1).scalar.type == "double");
  // p = 2 doubles L: alpha = 1e-5 for the loss floor is L = 10.
  CHECK(plan_for_alpha("1e-5", 1, 2).rtol == "1e-12");
}
