// validation/check/claim.hpp: the claim registry behind `loraflow check` and the validation ctest cases.
//
// A claim is one checkable statement of a paper: an id, where the paper states it, the prediction, and a run
// function that measures it and returns rows. Each row gives one prediction, its source, the measured value, the
// margin and a verdict. The verdict rules (docs/validation.md, "Verdict rules"; enforced by check_rows()):
//   pass          the measurement satisfies the row's stated rule, resolved at working precision
//   fail          it does not (including an expected violation that no longer occurs)
//   inconclusive  the measurement could not be made at the resolution the rule needs (never counted as a pass)
//   violation     a statement printed in a paper that the measurement contradicts, for a reason that is understood
//                 and written in the row's `explanation` (hypothesis not met, paper typo, O(1) offset). Only
//                 expect_violation() makes one: the check then asserts that the violation still occurs, so a change
//                 in behaviour is caught both ways. Counted apart from passes.
//   report        a quantity the paper does not state (a sharp measured law beside a loose bound, a diagnostic):
//                 never a paper statement, never a test.
// Every row names its source: the paper and equation (source_kind::paper), a derivation in the claim's header
// block (derived), or a measured reference and how it was made (measured_reference). A report row may not have a
// paper source: a printed statement is tested (pass, fail, inconclusive or violation), never moved to a report.
// A claim's verdict: fail if any row fails, else inconclusive if any row is (or if no row is a test: reports
// alone test nothing), else violation if any row is an expected violation, else pass.
// Each claim lives in its own source file under validation/<paper>/ that opens with a header block: claim,
// prediction (with its source), check, tolerance and why.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace loraflow::check {

enum class verdict { pass, fail, inconclusive, violation, report };
const char* verdict_name(verdict v);

/// Where a row's prediction comes from.
enum class source_kind {
  none,                ///< not set: a bug in the claim (check_rows() rejects it)
  paper,               ///< printed in the paper: "Xu et al. 2025, Thm C.2, eq. (46)"
  derived,             ///< derived in the claim's header block: "derived (header: linearised rates)"
  measured_reference,  ///< a measured reference, and how it was made: "50-digit run at rtol 1e-30"
};
const char* source_kind_name(source_kind k);

struct row {
  std::string quantity;   ///< what is compared, e.g. "misalign(T1) exponent in alpha"
  std::string predicted;  ///< the prediction as printed, e.g. "2 (sharp law)" or ">= 0.4773 (Claim 3.2 bound)"
  std::string measured;   ///< the measured value with its standard error or range
  std::string margin;     ///< distance to the pass boundary, in the rule's terms (positive: inside)
  verdict v = verdict::report;
  std::string rule;       ///< the pass rule in the paper's terms
  source_kind kind = source_kind::none;
  std::string source;       ///< where the prediction comes from (see source_kind)
  std::string explanation;  ///< violation rows: why the printed statement does not hold here

  // Chained setters for the source: rows.push_back(at_most(...).paper("Thm 3.2, eq. (16)")).
  row& paper(const std::string& where);
  row& derived(const std::string& where);
  row& measured_reference(const std::string& how);
};

/// A paper statement that the measurement is expected to contradict, for the reason given. The row's pass rule is
/// the statement as printed: when the measurement contradicts it the row becomes a violation carrying the
/// explanation; when the statement holds the row fails ("expected violation did not occur"), so a change of
/// behaviour is caught; an inconclusive row stays inconclusive. The row must have a paper source.
row expect_violation(row r, const std::string& explanation);

/// The verdict rules a claim's rows must obey: every row names a source; no report row has a paper source; a
/// violation row has an explanation; an expected violation has a paper source. Returns the first broken rule, or ""
/// when all hold (run_claims() turns a broken rule into a claim error, which fails the claim).
std::string check_rows(const std::vector<row>& rows);

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
