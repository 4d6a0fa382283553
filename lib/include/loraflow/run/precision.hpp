// loraflow/run/precision.hpp: the precision planning rule, usable without a config (checks, sweeps).
//
// A run that must keep k significant digits of a quantity of size alpha^p carried inside O(1) entries (p = 1 for
// misalignment at T1, whose O(alpha) components sit beside O(1) aligned ones; p = 2 for the loss floor, where
// E = dY - F ~ alpha^2 is left after O(1) cancellation in the state) needs
//   rtol = 10^-(k + L + 1)   and   D = k + L + 4 working digits,   L = ceil(p log10(1/alpha)),
// and takes the cheapest registered scalar type with D digits (cheapest_scalar in scalar.hpp: double (15),
// long double (18), float128 (33), 50, 100, else mpfr at D digits). docs/precision.md explains the rule and how it
// was validated.
//
// The method rule (method = "auto", the default; choose_method): under the plan's rtol,
//   rtol >= 1e-14                                   -> dopri5 (5th order: the cheapest at loose tolerances)
//   rtol <  1e-14, natural frame, quadratic loss    -> taylor (its cost grows with the digits far more slowly than
//                                                      any fixed order's: 51 steps of order 44-65 where dopri5 needs
//                                                      millions at rtol 1e-37, docs/performance.md W2)
//   rtol <  1e-14, singular frame or a loss that is not polynomial (no Taylor series) -> bulirsch_stoer
// the rule `loraflow run --certify` has used for its reference since the Taylor method landed, and the checks'
// (validation/check/measure.cpp). Under precision = "auto" rtol < 1e-14 is the same as a type wider than long
// double (rtol = 10^-(D - 3)). An explicit method is kept as written.
#pragma once

#include <loraflow/integrate/method.hpp>
#include <loraflow/run/config.hpp>
#include <loraflow/scalar.hpp>

#include <string>

namespace loraflow {

/// The rtol below which method = "auto" leaves dopri5 (the rule above; a decimal, compared exactly). The one place
/// this threshold is written: choose_method, the --certify reference (run/certify.cpp) and their messages read it.
inline constexpr const char* tight_rtol_threshold = "1e-14";

/// The time stepper a run uses: solve.method as written, or what method = "auto" chose.
struct method_choice {
  method stepper = method::dopri5;
  bool automatic = false;
  std::string reason;  ///< one sentence: why this method ("as configured" when explicit)
};

/// The method rule above. configured: solve.method ("auto" or a method name; throws std::invalid_argument for
/// another); rtol: the plan's decimal; singular_frame and quadratic_loss: where the Taylor series exists.
method_choice choose_method(const std::string& configured, const std::string& rtol, bool singular_frame,
                            bool quadratic_loss);

/// What precision = "auto" and method = "auto" (or explicit choices) resolved to: the solve plan of a run.
struct precision_plan {
  scalar_spec scalar;  ///< the working precision
  std::string rtol;    ///< decimal
  bool automatic = false;
  std::string reason;  ///< one sentence: why this precision and tolerance
  method_choice method;  ///< the time stepper under that rtol
};

/// The plan for k = digits at the decimal alpha, for a quantity of size alpha^alpha_power.
precision_plan plan_for_alpha(const std::string& alpha, unsigned digits, int alpha_power = 1);

/// Chooses the working precision and the method for a config (see docs/precision.md for the rules).
precision_plan plan_precision(const run_config& c);

}  // namespace loraflow
