// The precision planning rule (run/precision.hpp).
#include <loraflow/run/precision.hpp>

#include <loraflow/integrate/dop853.hpp>
#include <loraflow/io/input_error.hpp>
#include <loraflow/model/objective.hpp>

#include <algorithm>
#include <cmath>

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
  const long range = alpha_min_exponent10(alpha);
  p.scalar = cheapest_scalar(D, range);
  // The type, and why it is wider than D digits need where the exponent range decided.
  std::string type = p.scalar.spelling();
  if (p.scalar.spelling() != cheapest_scalar(D).spelling())
    type += " (the first type whose exponent range holds alpha^4 ~ 1e" + std::to_string(range + 2) + ")";
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

long alpha_min_exponent10(const std::string& alpha) {
  const double l = decimal_log10(alpha);
  return l >= 0 ? 0 : static_cast<long>(std::floor(4 * l)) - 2;
}

method_choice choose_method(const std::string& configured, const std::string& rtol, bool singular_frame,
                            bool quadratic_loss, bool network) {
  method_choice m;
  if (configured != "auto") {
    m.stepper = parse_method(configured);
    m.reason = "as configured";
    return m;
  }
  m.automatic = true;
  const std::string threshold = tight_rtol_threshold;
  const std::string high = high_order_rtol_threshold;
  const float100 value = parse<float100>(rtol);
  if (value >= parse<float100>(high)) {  // exact decimal comparisons (the thresholds are loose)
    m.stepper = method::dopri5;
    m.reason = "rtol " + rtol + " >= " + high + ": dopri5, the cheapest at loose tolerances";
  } else if (value >= parse<float100>(threshold)) {
    m.stepper = method::dop853;
    m.reason = "rtol " + rtol + " in [" + threshold + ", " + high + "): dop853, whose 8th order takes the fewest fields there";
  } else if (!singular_frame && quadratic_loss && !network) {
    m.stepper = method::taylor;
    m.reason = "rtol " + rtol + " < " + threshold + ": taylor, whose cost grows slowest with the digits";
  } else {
    m.stepper = method::bulirsch_stoer;
    m.reason = "rtol " + rtol + " < " + threshold + " and no Taylor series (" +
               std::string(singular_frame ? "singular frame" : network ? "the two-layer network" : "the loss is not polynomial") +
               "): bulirsch_stoer, extrapolation of rising order";
  }
  return m;
}

namespace {
precision_plan plan_precision_only(const run_config& c, bool singular) {
  precision_plan p;
  if (c.solve.precision != "auto") {
    const std::optional<scalar_spec> s = parse_scalar_spec(c.solve.precision);
    if (!s)
      throw input_error(c.source + ": key 'solve.precision': expected " + scalar_spec_grammar() + ", or auto, got '" +
                        c.solve.precision + "'");
    p.scalar = *s;
    p.rtol = c.solve.rtol;
    p.reason = "as configured";
    return p;
  }
  if (c.lora.alpha.empty())
    throw input_error(c.source + ": key 'lora.alpha': precision = \"auto\" needs the initialization scale alpha");
  return plan_for_alpha(c.lora.alpha, static_cast<unsigned>(c.solve.digits), singular ? 0 : 1);
}

// The plan in one frame: precision, then the method under its rtol.
precision_plan plan_in_frame(const run_config& c, bool singular) {
  precision_plan p = plan_precision_only(c, singular);
  const std::optional<objective_kind> k = parse_objective_kind(c.objective.kind);
  if (!k) throw input_error(c.source + ": key 'objective.kind': unknown kind '" + c.objective.kind + "'");
  try {
    p.method = choose_method(c.solve.method, p.rtol, singular, info_of(*k).quadratic, c.problem.kind == "network");
  } catch (const std::invalid_argument& e) {
    throw input_error(c.source + ": key 'solve.method': " + e.what());
  }
  if (p.method.stepper == method::dop853 && parse<float100>(p.rtol) < parse<float100>(dop853_min_rtol))
    throw input_error(c.source + ": key 'solve.method': \"dop853\" needs rtol >= " + dop853_min_rtol +
                      " (its coefficients carry 28-30 digits), and the run's rtol is " + p.rtol +
                      (p.automatic ? " (planned by precision = \"auto\")" : " (solve.rtol)") +
                      "; use method = \"auto\", taylor, fehlberg78 or bulirsch_stoer, or a looser rtol");
  p.frame.singular = singular;
  return p;
}
}  // namespace

precision_plan plan_precision(const run_config& c) {
  if (c.solve.frame != "auto") {
    const bool singular = c.solve.frame == "singular";
    if (singular) {  // parse_config rejects this already; a config built in code reaches here unchecked
      const std::string why = singular_frame_unavailable(c);
      if (!why.empty()) throw input_error(c.source + ": key 'solve.frame': \"singular\" is not available: " + why);
    }
    precision_plan p = plan_in_frame(c, singular);
    p.frame.reason = "as configured";
    return p;
  }
  // frame = "auto" (run/precision.hpp, the frame rule).
  const std::string why_not = singular_frame_unavailable(c);
  if (why_not.empty()) {
    precision_plan p = plan_in_frame(c, true);
    if (!(p.method.automatic && p.method.stepper != method::dopri5 && p.method.stepper != method::dop853)) {
      p.frame.automatic = true;
      p.frame.reason = "singular: a generated problem, whose singular-vector frame is known exactly; T1 and misalign(T1) "
                       "keep their digits there at any alpha" +
                       std::string(p.automatic ? " (the plan needs no digits for log10(1/alpha))" : "") +
                       ", and one field costs O((m + n + h) r^2)";
      return p;
    }
  }
  precision_plan p = plan_in_frame(c, false);
  p.frame.automatic = true;
  p.frame.reason = why_not.empty()
                       ? "natural: rtol " + plan_in_frame(c, true).rtol + " < " + tight_rtol_threshold +
                             " in the singular frame, which has no Taylor series; the natural frame has"
                       : "natural: " + why_not;
  return p;
}

}  // namespace loraflow
