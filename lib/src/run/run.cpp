// Precision planning and the run-time dispatch from the config's precision to the typed pipeline (run/run.hpp).
#include <loraflow/run/precision.hpp>
#include <loraflow/run/run.hpp>
#include <loraflow/run/run_impl.hpp>

#include <cmath>

#ifndef LORAFLOW_GIT_REVISION
#define LORAFLOW_GIT_REVISION "unknown"
#endif
#ifndef LORAFLOW_VERSION
#define LORAFLOW_VERSION "0"
#endif

namespace loraflow {

namespace {
// log10 of a positive decimal string, from its mantissa and exponent separately (so 1e-5000 works).
double decimal_log10(const std::string& s) {
  const auto e = s.find_first_of("eE");
  const long double mant = std::stold(s.substr(0, e));
  const long exp10 = e == std::string::npos ? 0 : std::stol(s.substr(e + 1));
  return static_cast<double>(std::log10(mant)) + static_cast<double>(exp10);
}
}  // namespace

std::string version_string() { return std::string("loraflow ") + LORAFLOW_VERSION + " (" + LORAFLOW_GIT_REVISION + ")"; }

precision_plan plan_for_alpha(const std::string& alpha, unsigned digits, int alpha_power) {
  // misalign(T1) ~ alpha^2 is carried by O(alpha) components inside O(1) entries of Z1, so its relative error is
  // about (rtol + eps) / alpha: k digits need rtol <= alpha 10^-(k+1) and eps a few digits below rtol. A quantity of
  // size alpha^p (p = 2: the loss floor's residual E) needs the same with alpha^p in place of alpha.
  precision_plan p;
  const int k = static_cast<int>(digits);
  const int L = std::max(0, static_cast<int>(std::ceil(-alpha_power * decimal_log10(alpha) - 1e-9)));
  const int rtol_exp = k + L + 1;
  const int D = k + L + 4;
  p.automatic = true;
  p.rtol = "1e-" + std::to_string(rtol_exp);
  if (D <= 15) p.type = "double";
  else if (D <= 18) p.type = "long_double";
  else if (D <= 33) p.type = "float128";
  else if (D <= 50) p.type = "50";
  else if (D <= 100) p.type = "100";
  else {
    p.type = "mpfr";
    p.mpfr_digits = static_cast<unsigned>(D);
  }
  const std::string type = p.type == "mpfr" ? "mpfr:" + std::to_string(D) : p.type;
  if (alpha_power == 0) {
    p.reason = std::to_string(k) + " digits asked in the singular frame, where they do not depend on alpha = " + alpha +
               ": rtol = 1e-" + std::to_string(rtol_exp) + " (k + 1) and " + std::to_string(D) +
               " working digits (k + 4) -> " + type;
    return p;
  }
  const std::string what = alpha_power == 1 ? "log10(1/alpha)" : std::to_string(alpha_power) + " log10(1/alpha)";
  p.reason = std::to_string(k) + " digits asked at alpha = " + alpha + ": rtol = 1e-" + std::to_string(rtol_exp) +
             " (k + " + what + " + 1) and " + std::to_string(D) + " working digits (k + " + what + " + 4) -> " + type;
  return p;
}

precision_plan plan_precision(const run_config& c) {
  precision_plan p;
  if (c.solve.precision != "auto") {
    p.type = c.solve.precision;
    if (p.type.rfind("mpfr:", 0) == 0) {
      p.mpfr_digits = static_cast<unsigned>(std::stoul(p.type.substr(5)));
      p.type = "mpfr";
    }
    p.rtol = c.solve.rtol;
    p.reason = "as configured";
    return p;
  }
  if (c.lora.alpha.empty())
    throw input_error(c.source + ": key 'lora.alpha': precision = \"auto\" needs the initialization scale alpha");
  return plan_for_alpha(c.lora.alpha, static_cast<unsigned>(c.solve.digits), c.solve.frame == "singular" ? 0 : 1);
}

run_result execute(const run_config& c, const run_options& o) {
  const precision_plan plan = plan_precision(c);
  return detail::with_precision(plan, [&](auto zero) { return execute_typed<decltype(zero)>(c, o, plan); });
}

}  // namespace loraflow
