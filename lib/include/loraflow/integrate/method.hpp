// loraflow/integrate/method.hpp: the one list of time-stepping methods and run statuses.
//
// Every place that names a method (the config grammar, `--help`, certify's reference, the checks, the reports)
// reads this table: adding a method is one row here plus its loop in integrate.hpp.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace loraflow {

enum class method { dopri5, dop853, fehlberg78, bulirsch_stoer, rk4, gd, taylor };

/// What the rest of loraflow needs to know about a method.
struct method_info {
  method id;
  const char* name;      ///< the config spelling (solve.method)
  bool adaptive;         ///< error-controlled by rtol/atol; otherwise fixed step dt (eta for gd)
  bool singular_frame;   ///< available with solve.frame = "singular" (taylor needs the natural field's series)
  const char* summary;   ///< one line for --help and docs
};

inline constexpr method_info method_table[] = {
    {method::dopri5, "dopri5", true, true, "Dormand-Prince 5(4), adaptive, with dense output (odeint)"},
    {method::dop853, "dop853", true, true, "Dormand-Prince 8(5,3), adaptive, with 7th-order dense output (Hairer's DOP853)"},
    {method::fehlberg78, "fehlberg78", true, true, "Runge-Kutta-Fehlberg 7(8), adaptive (odeint)"},
    {method::bulirsch_stoer, "bulirsch_stoer", true, true, "Bulirsch-Stoer extrapolation, adaptive (odeint)"},
    {method::rk4, "rk4", false, true, "classical Runge-Kutta 4, fixed step dt (odeint)"},
    {method::gd, "gd", false, true, "gradient descent x <- x + eta f(x), step eta = dt (what the papers ran)"},
    {method::taylor, "taylor", true, false, "Taylor series of adaptive order and step, for tight tolerances"},
};

inline const method_info& info(method m) {
  for (const method_info& i : method_table)
    if (i.id == m) return i;
  throw std::invalid_argument("unknown method id");
}

inline const char* method_name(method m) { return info(m).name; }
inline bool is_adaptive(method m) { return info(m).adaptive; }

/// "dopri5, dop853, fehlberg78, bulirsch_stoer, rk4, gd or taylor" (for messages and --help).
inline std::string method_list(const char* last_join = " or ") {
  std::string s;
  const std::size_t n = sizeof(method_table) / sizeof(method_table[0]);
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) s += i + 1 == n ? last_join : ", ";
    s += method_table[i].name;
  }
  return s;
}

/// The method called s, or nullptr.
inline const method_info* find_method(const std::string& s) {
  for (const method_info& i : method_table)
    if (s == i.name) return &i;
  return nullptr;
}

/// Parses a method name; throws std::invalid_argument listing the valid names.
inline method parse_method(const std::string& s) {
  if (const method_info* i = find_method(s)) return i->id;
  throw std::invalid_argument("'" + s + "' is not a method; expected " + method_list());
}

/// How a run ended. Numerical failure is a status, not an exception. diverged: a GD iterate or its gradient became
/// non-finite (the run keeps the iterate before); non_finite is the ODE methods' failure of that kind.
enum class run_status { ok, step_underflow, non_finite, budget_exhausted, stopped, diverged };

inline const char* status_name(run_status s) {
  switch (s) {
    case run_status::ok: return "ok";
    case run_status::step_underflow: return "step_underflow";
    case run_status::non_finite: return "non_finite";
    case run_status::budget_exhausted: return "budget_exhausted";
    case run_status::stopped: return "stopped";
    case run_status::diverged: return "diverged";
  }
  return "?";
}

}  // namespace loraflow
