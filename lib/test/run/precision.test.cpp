// Tests of run/precision.hpp: plan_for_alpha and choose_method follow their stated rules. Oracle: the rules,
// evaluated by hand (L = ceil(p log10(1/alpha)), rtol = 10^-(k+L+1), D = k + L + 4 digits, the cheapest type with
// D digits: double 15, long double 18, float128 33, 50, 100, else mpfr at D; the method rule of the header).
#include <loraflow/io/input_error.hpp>
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

// method = "auto" (the default): the rule of run/precision.hpp, pinned choice by choice, so that a change of default
// is a deliberate change of this test. Oracle: the rule as stated in the header.
TEST_CASE("choose_method: the auto rule's choices") {
  struct row {
    const char* rtol;
    bool singular, quadratic;
    method expected;
  };
  const row rows[] = {
      {"1e-3", false, true, method::dopri5},            // loose: dopri5 in any frame, for any loss
      {"1e-3", true, false, method::dopri5},
      {"1e-4", false, true, method::dopri5},            // the boundary is loose (exact decimal comparison)
      {"0.0001", true, true, method::dopri5},
      {"9.99e-5", false, true, method::dop853},         // below it: dop853 in any frame, for any loss
      {"1e-10", false, true, method::dop853},
      {"1e-10", true, true, method::dop853},
      {"1e-10", false, false, method::dop853},
      {"1e-14", false, true, method::dop853},           // the tight boundary itself is loose too
      {"0.00000000000001", false, true, method::dop853},
      {"9.99e-15", false, true, method::taylor},        // tight, natural frame, quadratic loss: the Taylor series
      {"1e-37", false, true, method::taylor},
      {"1e-300", false, true, method::taylor},
      {"1e-17", true, true, method::bulirsch_stoer},    // tight, no series: extrapolation
      {"1e-17", false, false, method::bulirsch_stoer},
  };
  for (const row& r : rows) {
    CAPTURE(r.rtol);
    CAPTURE(r.singular);
    CAPTURE(r.quadratic);
    const method_choice m = choose_method("auto", r.rtol, r.singular, r.quadratic);
    CHECK(m.stepper == r.expected);
    CHECK(m.automatic);
    CHECK(m.reason.find(method_name(r.expected)) != std::string::npos);
  }
  // An explicit method is kept as written, whatever the tolerance and frame.
  for (const method_info& i : method_table) {
    const method_choice m = choose_method(i.name, "1e-40", true, false);
    CHECK(m.stepper == i.id);
    CHECK_FALSE(m.automatic);
  }
  CHECK_THROWS_AS(choose_method("rk45", "1e-10", false, true), std::invalid_argument);
}

TEST_CASE("plan_precision: a config that names no method gets the auto rule under its precision plan") {
  const std::string base = "[problem]\nkind = \"xu2025\"\n[lora]\nalpha = \"1e-10\"\n";
  // The issue-16 case: precision = "auto" at alpha = 1e-10 plans float128 at rtol 1e-17, where dopri5 took 25 264
  // steps (102 s); auto now takes the Taylor series.
  // (In the natural frame: frame = "auto" takes the singular frame for a generated problem; the next case.)
  const run_config deep = parse_config(base + "[solve]\nprecision = \"auto\"\nframe = \"natural\"\n", "deep", ".");
  CHECK(deep.solve.method == "auto");
  const precision_plan p = plan_precision(deep);
  CHECK(p.scalar.type == "float128");
  CHECK(p.rtol == "1e-17");
  CHECK(p.method.stepper == method::taylor);
  CHECK(p.method.automatic);
  // The defaults (double, rtol 1e-10): dop853 (dopri5 before issue 16).
  CHECK(plan_precision(parse_config(base, "default", ".")).method.stepper == method::dop853);
  // dop853 is refused below its coefficients' 28-30 digits, naming the key; the auto rule never goes there.
  CHECK_THROWS_WITH_AS(plan_precision(parse_config(base + "[solve]\nprecision = \"50\"\nrtol = \"1e-25\"\nmethod = \"dop853\"\n", "d", ".")),
                       doctest::Contains("key 'solve.method': \"dop853\" needs rtol >= 1e-24 (its coefficients carry 28-30 digits), and the run's rtol is 1e-25 (solve.rtol)"), input_error);
  // Under precision = "auto" the message says the rtol was planned (alpha = 1e-10 in the natural frame: 1e-17 is fine).
  CHECK_THROWS_WITH_AS(plan_precision(parse_config("[problem]\nkind = \"xu2025\"\n[lora]\nalpha = \"1e-25\"\n[solve]\nprecision = \"auto\"\nframe = \"natural\"\nmethod = \"dop853\"\n", "d", ".")),
                       doctest::Contains("(planned by precision = \"auto\")"), input_error);
  CHECK(plan_precision(parse_config(base + "[solve]\nprecision = \"auto\"\nframe = \"natural\"\nmethod = \"dop853\"\n", "d", ".")).method.stepper == method::dop853);
  CHECK(plan_precision(parse_config(base + "[solve]\nprecision = \"50\"\nrtol = \"1e-24\"\nmethod = \"dop853\"\n", "d", ".")).method.stepper == method::dop853);
  // The singular frame at the same depth: no Taylor series there.
  const run_config frame = parse_config(base + "[solve]\nprecision = \"50\"\nrtol = \"1e-30\"\nframe = \"singular\"\n", "frame", ".");
  CHECK(plan_precision(frame).method.stepper == method::bulirsch_stoer);
  // An explicit method is kept.
  const run_config rk = parse_config(base + "[solve]\nprecision = \"auto\"\nmethod = \"fehlberg78\"\n", "rk", ".");
  CHECK(plan_precision(rk).method.stepper == method::fehlberg78);
  CHECK_FALSE(plan_precision(rk).method.automatic);
}

TEST_CASE("plan_precision: frame = \"auto\" takes the singular frame where it can integrate the run with an RK method") {
  const std::string gen = "[problem]\nkind = \"xu2025\"\n[lora]\nalpha = \"1e-10\"\n";
  const std::string files = "[problem]\nkind = \"files\"\nW1 = \"W1.npy\"\nW2 = \"W2.npy\"\ndY = \"dY.npy\"\n[lora]\nalpha = \"1e-10\"\n";
  auto plan = [](const std::string& toml) { return plan_precision(parse_config(toml, "t", ".")); };
  CHECK(parse_config(gen, "t", ".").solve.frame == "auto");  // the default

  // A generated problem, precision auto: the frame's plan (no digits for alpha): double at rtol 1e-7, dop853.
  const precision_plan a = plan(gen + "[solve]\nprecision = \"auto\"\n");
  CHECK(a.frame.singular);
  CHECK(a.frame.automatic);
  CHECK(std::string(a.frame.name()) == "singular");
  CHECK(a.frame.reason.find("generated problem") != std::string::npos);
  CHECK(a.scalar.type == "double");
  CHECK(a.rtol == "1e-7");
  CHECK(a.method.stepper == method::dop853);
  // Explicit double at the default rtol (1e-10): the same plan in either frame, so the frame.
  const precision_plan d = plan(gen);
  CHECK(d.frame.singular);
  CHECK(d.scalar.type == "double");
  CHECK(d.method.stepper == method::dop853);
  // A loose rtol: dopri5, in the frame too.
  const precision_plan loose = plan(gen + "[solve]\nrtol = \"1e-4\"\n");
  CHECK(loose.frame.singular);
  CHECK(loose.method.stepper == method::dopri5);
  // An explicit method the frame has is kept, in the frame.
  CHECK(plan(gen + "[solve]\nmethod = \"fehlberg78\"\n").frame.singular);

  // The natural frame, with the reason naming the key: a problem from files; another objective; taylor.
  const precision_plan f = plan(files + "[solve]\nprecision = \"auto\"\n");
  CHECK_FALSE(f.frame.singular);
  CHECK(f.frame.automatic);
  CHECK(f.frame.reason.find("problem.kind") != std::string::npos);
  CHECK(f.scalar.type == "float128");  // the natural plan: 6 + 10 + 4 digits
  CHECK(f.method.stepper == method::taylor);
  const precision_plan o = plan(gen + "[objective]\nkind = \"weighted\"\nratio = \"2\"\n");
  CHECK_FALSE(o.frame.singular);
  CHECK(o.frame.reason.find("objective.kind") != std::string::npos);
  const precision_plan t = plan(gen + "[solve]\nmethod = \"taylor\"\n");
  CHECK_FALSE(t.frame.singular);
  CHECK(t.frame.reason.find("method = \"taylor\"") != std::string::npos);
  // A tight explicit rtol: the frame would need bulirsch_stoer; the natural frame keeps its Taylor series.
  const precision_plan tight = plan(gen + "[solve]\nprecision = \"50\"\nrtol = \"1e-30\"\n");
  CHECK_FALSE(tight.frame.singular);
  CHECK(tight.frame.reason.find("1e-14") != std::string::npos);
  CHECK(tight.method.stepper == method::taylor);
  // An explicit method the frame has stays in the frame at any rtol (the rule moves only method "auto").
  const precision_plan bs = plan(gen + "[solve]\nmethod = \"bulirsch_stoer\"\nprecision = \"50\"\nrtol = \"1e-30\"\n");
  CHECK(bs.frame.singular);
  CHECK(bs.method.stepper == method::bulirsch_stoer);
  // k = 13 digits under auto: the frame's rtol 1e-14 is at the threshold (dop853, the frame); k = 14 leaves it.
  CHECK(plan(gen + "[solve]\nprecision = \"auto\"\ndigits = 13\n").frame.singular);
  CHECK_FALSE(plan(gen + "[solve]\nprecision = \"auto\"\ndigits = 14\n").frame.singular);

  // Explicit frames are kept as written, and reported as configured.
  const precision_plan n = plan(gen + "[solve]\nframe = \"natural\"\n");
  CHECK_FALSE(n.frame.singular);
  CHECK_FALSE(n.frame.automatic);
  CHECK(n.frame.reason == "as configured");
  const precision_plan s = plan(gen + "[solve]\nframe = \"singular\"\n");
  CHECK(s.frame.singular);
  CHECK_FALSE(s.frame.automatic);
  // An explicit "singular" the frame cannot integrate is a config error naming the key.
  CHECK_THROWS_WITH_AS(parse_config(files + "[solve]\nframe = \"singular\"\n", "t", "."),
                       doctest::Contains("solve.frame"), input_error);
}

TEST_CASE("plan_for_alpha: the type also holds alpha^4 as a normal number") {
  CHECK(alpha_min_exponent10("1") == 0);
  CHECK(alpha_min_exponent10("1e-5") == -22);
  CHECK(alpha_min_exponent10("1e-76") == -306);  // double's min_exponent10 is -307: still double
  CHECK(plan_for_alpha("1e-76", 6, 0).scalar.type == "double");
  // alpha = 1e-77: alpha^4 = 1e-308 is below double's normal range; the frame's 10 digits go to the next type
  // whose range holds it (long double where it is wider than double, else float128).
  const precision_plan p = plan_for_alpha("1e-77", 6, 0);
  CHECK(p.scalar.type != "double");
  CHECK(p.reason.find("exponent range") != std::string::npos);
  CHECK(plan_for_alpha("1e-100", 6, 0).rtol == "1e-7");
  // The natural frame's plan already needs more digits than double there (k + 100 + 4): unchanged by the range.
  CHECK(plan_for_alpha("1e-100", 6, 1).scalar.type == "mpfr");
}
