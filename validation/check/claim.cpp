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
    case verdict::report: return "report";
  }
  return "?";
}

verdict result::overall() const {
  bool inconclusive = false;
  for (const row& r : rows) {
    if (r.v == verdict::fail) return verdict::fail;
    if (r.v == verdict::inconclusive) inconclusive = true;
  }
  return inconclusive ? verdict::inconclusive : verdict::pass;
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
