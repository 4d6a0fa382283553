// validation/check/claim.hpp: the claim registry behind `loraflow check` and the validation ctest cases.
//
// A claim is one checkable statement of a paper: an id, where the paper states it, the prediction, and a run
// function that measures it and returns rows. Each row gives one prediction, the measured value, the margin and
// a verdict:
//   pass          the measurement satisfies the pass rule (stated in the row's `rule`), resolved at working precision
//   fail          it does not
//   inconclusive  the measurement is below what the run can resolve (never counted as a pass)
//   report        a loose bound or a law printed beside the sharp measurement, not a test (the paper's constant is
//                 unknown, or the bound is a lower bound the sharp law is compared with)
// A claim's verdict: fail if any row fails, else inconclusive if any row is inconclusive, else pass.
// Each claim lives in its own source file under validation/<paper>/ that opens with a header block: claim,
// prediction, check, tolerance and why.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace loraflow::check {

enum class verdict { pass, fail, inconclusive, report };
const char* verdict_name(verdict v);

struct row {
  std::string quantity;   ///< what is compared, e.g. "misalign(T1) exponent in alpha"
  std::string predicted;  ///< the prediction as printed, e.g. "2 (sharp law)" or ">= 0.4773 (Claim 3.2 bound)"
  std::string measured;   ///< the measured value with its standard error or range
  std::string margin;     ///< distance to the pass boundary, in the rule's terms (positive: inside)
  verdict v = verdict::report;
  std::string rule;       ///< the pass rule in the paper's terms
};

/// One data series a claim measured (written as CSV under --out): column names and rows of numbers.
struct table {
  std::string name;  ///< file stem, e.g. "t1_vs_alpha"
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  ///< already formatted with all the digits kept
};

struct result {
  std::vector<row> rows;
  std::vector<table> data;
  std::vector<std::string> notes;  ///< setup, precision used, wall time of the parts
  verdict overall() const;
};

struct context {
  bool quick = false;        ///< the CI-sized version (fewer alphas, smaller problems)
  std::ostream* log = nullptr;  ///< progress lines (stderr), or null
  void say(const std::string& line) const;
};

struct claim {
  std::string id;        ///< e.g. "xu2025.t1-slope"
  std::string paper;     ///< e.g. "Xu et al., AISTATS 2025"
  std::string location;  ///< e.g. "Thm 3.1 (phase I time), Thm C.2; catalogue 2.5"
  std::string title;     ///< one line
  std::function<result(const context&)> run;
};

/// Every registered claim, in a fixed order (validation/check/registry.cpp).
const std::vector<claim>& registry();

// Formatting helpers for rows (significant digits, +- standard error).
std::string num(double x, int digits = 6);
std::string num_se(double x, double se, int digits = 6);
std::string full(double x);  ///< 17 significant digits, for data tables

}  // namespace loraflow::check
