// loraflow/run/precision.hpp: the precision planning rule, usable without a config (checks, sweeps).
//
// A run that must keep k significant digits of a quantity of size alpha^p carried inside O(1) entries (p = 1 for
// misalignment at T1, whose O(alpha) components sit beside O(1) aligned ones; p = 2 for the loss floor, where
// E = dY - F ~ alpha^2 is left after O(1) cancellation in the state) needs
//   rtol = 10^-(k + L + 1)   and   D = k + L + 4 working digits,   L = ceil(p log10(1/alpha)),
// and takes the cheapest registered scalar type with D digits (cheapest_scalar in scalar.hpp: double (15),
// long double (18), float128 (33), 50, 100, else mpfr at D digits). docs/precision.md explains the rule and how it
// was validated.
#pragma once

#include <loraflow/run/config.hpp>
#include <loraflow/scalar.hpp>

#include <string>

namespace loraflow {

/// What precision = "auto" (or an explicit choice) resolved to.
struct precision_plan {
  scalar_spec scalar;  ///< the working precision
  std::string rtol;    ///< decimal
  bool automatic = false;
  std::string reason;  ///< one sentence: why this precision and tolerance
};

/// The plan for k = digits at the decimal alpha, for a quantity of size alpha^alpha_power.
precision_plan plan_for_alpha(const std::string& alpha, unsigned digits, int alpha_power = 1);

/// Chooses the working precision for a config (see docs/precision.md for the rule).
precision_plan plan_precision(const run_config& c);

}  // namespace loraflow
