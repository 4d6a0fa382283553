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
//   rtol >= 1e-4                                    -> dopri5 (5th order: the cheapest at loose tolerances)
//   1e-14 <= rtol < 1e-4                            -> dop853 (8th order with a 7th-order dense output: on a
//                                                      rotation with an observation in every step, 1.15 times
//                                                      fewer fields than dopri5 at rtol 1e-5, 2.2 at 1e-8, 3.1 at
//                                                      1e-10, 6.9 at 1e-14; even at 1e-4; on the Fig. 1 problem
//                                                      docs/performance.md)
//   rtol <  1e-14, natural frame, quadratic loss    -> taylor (its cost grows with the digits far more slowly than
//                                                      any fixed order's: 51 steps of order 44-65 where dopri5 needs
//                                                      millions at rtol 1e-37, docs/performance.md W2)
//   rtol <  1e-14, singular frame or a loss that is not polynomial (no Taylor series) -> bulirsch_stoer
// the rule `loraflow run --certify` has used for its reference since the Taylor method landed, and the checks'
// (validation/check/measure.cpp). dopri5 and dop853 are "the RK methods" of the frame rule below. Under precision = "auto" (rtol = 10^-(D - 3) for D working digits) rtol < 1e-14
// is the same as D >= 18: long double at D = 18, float128 and wider above. An explicit method is kept as written.
//
// The frame rule (frame = "auto", the default; plan_precision): the singular frame (model/singular_frame.hpp) where it
// can integrate the run (singular_frame_unavailable in run/config.hpp: a generated xu2025 problem, the frobenius
// objective, a method the frame has) and where, under the frame's own plan, method "auto" lands on an RK method,
// dopri5 or dop853 (an explicit method the frame has counts too); the natural frame otherwise. Why that is safe: the quantities a plan is
// made for, T1 and misalign(T1), keep at least as many digits in the frame as in the natural frame at the same type
// and rtol (docs/config/solve.md, "The singular frame": 1.1e-11 against 1.8e-5 relative at alpha = 1e-6 with
// spectral initialization), and under precision = "auto" the frame's plan (alpha_power 0) resolves them at every
// alpha, where the natural frame needs L = log10(1/alpha) more digits. The loss near its floor (L ~ alpha^4) is a
// difference of O(1) numbers in both frames: about the same digits at the same type and rtol (half a digit apart in
// the measurement of docs/config/solve.md), and resolved by neither frame's auto plan (that needs
// rtol <= alpha^2 10^-k: docs/precision.md). Where the frame's
// rtol is below 1e-14 (an explicit tight rtol) the natural frame keeps its Taylor series, the fast path there.
// Every plan also takes a type whose exponent range holds alpha^4 as a normal number (alpha_min_exponent10), so
// that the loss floor and the products of four small adapters are not flushed: double holds alpha >= 1e-76.
#pragma once

#include <loraflow/integrate/method.hpp>
#include <loraflow/run/config.hpp>
#include <loraflow/scalar.hpp>

#include <string>

namespace loraflow {

/// The rtol below which method = "auto" leaves the RK methods (the rule above; a decimal, compared exactly). The one
/// place this threshold is written: choose_method, the --certify reference (run/certify.cpp) and their messages read it.
inline constexpr const char* tight_rtol_threshold = "1e-14";
/// The rtol below which method = "auto" takes dop853 instead of dopri5 (the rule above; compared exactly).
inline constexpr const char* high_order_rtol_threshold = "1e-4";

/// The time stepper a run uses: solve.method as written, or what method = "auto" chose.
struct method_choice {
  method stepper = method::dopri5;
  bool automatic = false;
  std::string reason;  ///< one sentence: why this method ("as configured" when explicit)
};

/// The method rule above. configured: solve.method ("auto" or a method name; throws std::invalid_argument for
/// another); rtol: the plan's decimal; singular_frame, quadratic_loss and network: where the Taylor series exists
/// (the LoRA model's natural frame with a quadratic loss; not the two-layer network, problem.kind = "network").
method_choice choose_method(const std::string& configured, const std::string& rtol, bool singular_frame,
                            bool quadratic_loss, bool network = false);

/// The coordinates a run integrates in: solve.frame as written, or what frame = "auto" chose.
struct frame_choice {
  bool singular = false;  ///< the singular-vector frame (model/singular_frame.hpp); else the natural one
  bool automatic = false;
  std::string reason;  ///< one sentence: why this frame ("as configured" when explicit)
  const char* name() const { return singular ? "singular" : "natural"; }
};

/// What precision = "auto", method = "auto" and frame = "auto" (or explicit choices) resolved to: the solve plan of
/// a run.
struct precision_plan {
  scalar_spec scalar;  ///< the working precision
  std::string rtol;    ///< decimal
  bool automatic = false;
  std::string reason;  ///< one sentence: why this precision and tolerance
  method_choice method;  ///< the time stepper under that rtol
  frame_choice frame;    ///< the coordinates (plan_precision; plan_for_alpha leaves the default, natural)
};

/// The smallest power of ten a run at the decimal alpha must hold as a normal number: alpha^4 (the loss floor, and
/// the product of four O(alpha) adapters), with a factor 100 of margin; 0 for alpha >= 1. The ladder
/// (cheapest_scalar) skips a type whose range is smaller: double below alpha = 1e-76.
long alpha_min_exponent10(const std::string& alpha);

/// The plan for k = digits at the decimal alpha, for a quantity of size alpha^alpha_power (alpha_power 0: the
/// singular frame, where no digit count depends on alpha); its type also holds alpha_min_exponent10(alpha).
precision_plan plan_for_alpha(const std::string& alpha, unsigned digits, int alpha_power = 1);

/// Chooses the working precision, the method and the frame for a config (the rules above; docs/precision.md,
/// docs/config/solve.md). Throws input_error for a config it cannot plan.
precision_plan plan_precision(const run_config& c);

}  // namespace loraflow
