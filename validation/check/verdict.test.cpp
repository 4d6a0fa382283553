// validation/check/verdict.test.cpp: the verdict rules of the claim harness (claim.hpp), which every claim and
// `loraflow check` rely on: expected violations are asserted both ways, sources are required, a printed statement
// cannot be a report row, and an inconclusive row never lets a claim pass.
#include "check/claim.hpp"
#include "check/rows.hpp"

#include <doctest/doctest.h>

#include <limits>

using namespace loraflow::check;

TEST_CASE("rows: the pass rules decide pass, fail and inconclusive") {
  CHECK(at_most("q", "p", 1.0, 2.0, "r").v == verdict::pass);
  CHECK(at_most("q", "p", 3.0, 2.0, "r").v == verdict::fail);
  CHECK(at_least("q", "p", 1.0, 2.0, "r").v == verdict::fail);
  CHECK(within("q", "p", 1.05, 0.01, 1.0, 0.1, "r").v == verdict::pass);
  CHECK(within("q", "p", 1.2, 0.01, 1.0, 0.1, "r").v == verdict::fail);
  CHECK(at_most("q", "p", std::numeric_limits<double>::quiet_NaN(), 2.0, "r").v == verdict::inconclusive);
}

TEST_CASE("expect_violation: a contradicted statement is a violation, a holding one fails") {
  const row contradicted = expect_violation(at_most("q", "p", 3.0, 2.0, "r").paper("eq. (1)"), "typo");
  CHECK(contradicted.v == verdict::violation);
  CHECK(contradicted.explanation == "typo");
  const row holds = expect_violation(at_most("q", "p", 1.0, 2.0, "r").paper("eq. (1)"), "typo");
  CHECK(holds.v == verdict::fail);
  CHECK(holds.rule.find("expected violation did not occur") != std::string::npos);
  const row unmeasured = expect_violation(inconclusive("q", "p", "no run").paper("eq. (1)"), "typo");
  CHECK(unmeasured.v == verdict::inconclusive);
}

TEST_CASE("check_rows: every row names a source, and no printed statement is a report row") {
  CHECK(check_rows({at_most("q", "p", 1.0, 2.0, "r")}).find("names no source") != std::string::npos);
  CHECK(check_rows({at_most("q", "p", 1.0, 2.0, "r").paper("Thm 1")}).empty());
  CHECK(check_rows({reported("q", "p", "m", "n").derived("header")}).empty());
  CHECK(check_rows({reported("q", "p", "m", "n").paper("Thm 1")}).find("report row with a paper source") !=
        std::string::npos);
  row bare = at_most("q", "p", 3.0, 2.0, "r").paper("Thm 1");
  bare.v = verdict::violation;  // a violation made by hand, without expect_violation's explanation
  CHECK(check_rows({bare}).find("without an explanation") != std::string::npos);
  const row derived_violation = expect_violation(at_most("q", "p", 3.0, 2.0, "r").derived("header"), "why");
  CHECK(check_rows({derived_violation}).find("no paper prints") != std::string::npos);
}

TEST_CASE("overall: fail beats inconclusive beats violation beats pass") {
  const row pass = at_most("q", "p", 1.0, 2.0, "r").paper("s");
  const row fail = at_most("q", "p", 3.0, 2.0, "r").paper("s");
  const row inc = inconclusive("q", "p", "why").paper("s");
  const row viol = expect_violation(fail, "why");
  const row rep = reported("q", "p", "m", "n").derived("s");
  CHECK(result{{pass, rep}, {}, {}}.overall() == verdict::pass);
  CHECK(result{{pass, viol}, {}, {}}.overall() == verdict::violation);
  CHECK(result{{pass, viol, inc}, {}, {}}.overall() == verdict::inconclusive);
  CHECK(result{{pass, viol, inc, fail}, {}, {}}.overall() == verdict::fail);
  CHECK(result{{rep}, {}, {}}.overall() == verdict::inconclusive);  // reports alone test nothing
  CHECK(result{{}, {}, {}}.overall() == verdict::inconclusive);
}
