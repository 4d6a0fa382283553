// validation/check/claim.cpp: verdict logic and number formatting shared by the claims (claim.hpp).
#include "check/claim.hpp"

#include <cmath>
#include <cstdio>
#include <ostream>

namespace loraflow::check {

const char* verdict_name(verdict v) {
  switch (v) {
    case verdict::pass: return "pass";
    case verdict::fail: return "FAIL";
    case verdict::inconclusive: return "inconclusive";
    case verdict::violation: return "violation";
    case verdict::report: return "report";
  }
  return "?";
}

const char* source_kind_name(source_kind k) {
  switch (k) {
    case source_kind::none: return "none";
    case source_kind::paper: return "paper";
    case source_kind::derived: return "derived";
    case source_kind::measured_reference: return "measured reference";
  }
  return "?";
}

row& row::paper(const std::string& where) {
  kind = source_kind::paper;
  source = where;
  return *this;
}

row& row::derived(const std::string& where) {
  kind = source_kind::derived;
  source = where;
  return *this;
}

row& row::measured_reference(const std::string& how) {
  kind = source_kind::measured_reference;
  source = how;
  return *this;
}

row expect_violation(row r, const std::string& explanation) {
  r.explanation = explanation;
  if (r.v == verdict::fail) {
    r.v = verdict::violation;
  } else if (r.v == verdict::pass) {
    r.v = verdict::fail;
    r.rule += " [expected violation did not occur: " + explanation + "]";
  }
  return r;
}

std::string check_rows(const std::vector<row>& rows) {
  for (const row& r : rows) {
    if (r.kind == source_kind::none || r.source.empty())
      return "row '" + r.quantity + "' names no source for its prediction (paper, derived or measured reference)";
    if (r.v == verdict::report && r.kind == source_kind::paper)
      return "row '" + r.quantity + "' is a report row with a paper source: a printed statement must be tested";
    if (r.v == verdict::violation && r.explanation.empty())
      return "row '" + r.quantity + "' is a violation without an explanation";
    if (!r.explanation.empty() && r.kind != source_kind::paper)
      return "row '" + r.quantity + "' is an expected violation of something no paper prints (source: " +
             source_kind_name(r.kind) + "): only a printed statement can be violated";
  }
  return "";
}

verdict result::overall() const {
  bool inconclusive = false, violation = false, tested = false;
  for (const row& r : rows) {
    if (r.v == verdict::fail) return verdict::fail;
    if (r.v == verdict::inconclusive) inconclusive = true;
    if (r.v == verdict::violation) violation = true;
    if (r.v == verdict::pass || r.v == verdict::violation) tested = true;
  }
  // A claim whose rows are all reports tested nothing: that is no pass.
  return inconclusive || !tested ? verdict::inconclusive : violation ? verdict::violation : verdict::pass;
}

void context::say(const std::string& line) const {
  if (log) *log << "  .. " << line << std::endl;
}

std::string num(double x, int digits) {
  if (std::isnan(x)) return "nan";
  char b[64];
  std::snprintf(b, sizeof b, "%.*g", digits, x);
  return b;
}

std::string num_se(double x, double se, int digits) { return num(x, digits) + " +- " + num(se, 2); }

std::string full(double x) { return num(x, 17); }

}  // namespace loraflow::check
