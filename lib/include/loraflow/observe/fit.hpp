// loraflow/observe/fit.hpp: least-squares fits of measured laws, with standard errors.
//
// fit_line(x, y): y = a + b x by ordinary least squares; returns b, a, the standard error of b (from the residual
// variance, n - 2 degrees of freedom) and R^2. fit_power_law(alpha, y): the exponent p of y ~ C alpha^p, i.e. the
// slope of ln y against ln alpha. fit_rate(t, y): the rate lambda of y ~ C exp(-lambda t), the negative slope of
// ln y against t.
// fit_rate_window / fit_slope_window: the same fits restricted to a window chosen by a stated rule: the points with
// t >= t_from and lo <= y <= hi; the window actually used (first and last t, number of points) is returned so
// that every reported rate names its window.
// Fits are statistics of measured values, so they are computed in long double from the values converted at the
// output boundary (their logarithms need no more than ~19 digits); the measurements themselves stay in Real.
#pragma once

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace loraflow {

struct line_fit {
  double slope = 0, intercept = 0;
  double slope_se = 0;  ///< standard error of the slope (0 for an exact fit or n = 2)
  double r2 = 1;
  std::size_t n = 0;
};

inline line_fit fit_line(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size()) throw std::invalid_argument("fit_line: x and y differ in length");
  const std::size_t n = x.size();
  if (n < 2) throw std::invalid_argument("fit_line: need at least 2 points, got " + std::to_string(n));
  long double mx = 0, my = 0;
  for (std::size_t i = 0; i < n; ++i) mx += x[i], my += y[i];
  mx /= n;
  my /= n;
  long double sxx = 0, sxy = 0, syy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const long double dx = x[i] - mx, dy = y[i] - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  if (!(sxx > 0)) throw std::invalid_argument("fit_line: all x values are equal");
  line_fit f;
  f.n = n;
  const long double b = sxy / sxx, a = my - b * mx;
  long double sse = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const long double r = y[i] - (a + b * x[i]);
    sse += r * r;
  }
  f.slope = static_cast<double>(b);
  f.intercept = static_cast<double>(a);
  f.slope_se = n > 2 ? static_cast<double>(std::sqrt(sse / (n - 2) / sxx)) : 0.0;
  f.r2 = syy > 0 ? static_cast<double>(1 - sse / syy) : 1.0;
  return f;
}

namespace detail {
inline std::vector<double> logs(const std::vector<double>& v, const char* who) {
  std::vector<double> r;
  r.reserve(v.size());
  for (double x : v) {
    if (!(x > 0)) throw std::invalid_argument(std::string(who) + ": values must be > 0 to take logarithms");
    r.push_back(std::log(x));
  }
  return r;
}
}  // namespace detail

/// Exponent p of y ~ C alpha^p (slope of ln y against ln alpha).
inline line_fit fit_power_law(const std::vector<double>& alpha, const std::vector<double>& y) {
  return fit_line(detail::logs(alpha, "fit_power_law"), detail::logs(y, "fit_power_law"));
}

/// Rate lambda of y ~ C exp(-lambda t): the fit of ln y against t, with the slope negated.
inline line_fit fit_rate(const std::vector<double>& t, const std::vector<double>& y) {
  line_fit f = fit_line(t, detail::logs(y, "fit_rate"));
  f.slope = -f.slope;
  return f;
}

/// A fit on a window of a series, with the window that was used.
struct window_fit {
  line_fit fit;
  double t_first = 0, t_last = 0;  ///< the first and last t inside the window
  bool ok = false;                 ///< false when fewer than 3 points fell inside (fit is then empty)
};

namespace detail {
inline window_fit fit_in_window(const std::vector<double>& t, const std::vector<double>& y, double lo, double hi,
                                double t_from, bool negate) {
  if (t.size() != y.size()) throw std::invalid_argument("fit window: t and y differ in length");
  std::vector<double> tw, yw;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i] >= t_from && y[i] >= lo && y[i] <= hi && y[i] > 0) {
      tw.push_back(t[i]);
      yw.push_back(std::log(y[i]));
    }
  window_fit w;
  if (tw.size() < 3) return w;
  w.fit = fit_line(tw, yw);
  if (negate) w.fit.slope = -w.fit.slope;
  w.t_first = tw.front();
  w.t_last = tw.back();
  w.ok = true;
  return w;
}
}  // namespace detail

/// Rate lambda of y ~ C exp(-lambda t) on the window {t >= t_from, lo <= y <= hi}.
inline window_fit fit_rate_window(const std::vector<double>& t, const std::vector<double>& y, double lo, double hi,
                                  double t_from = -1e300) {
  return detail::fit_in_window(t, y, lo, hi, t_from, true);
}

/// Slope of ln y against t on the window {t >= t_from, lo <= y <= hi} (growth rate; no sign change).
inline window_fit fit_slope_window(const std::vector<double>& t, const std::vector<double>& y, double lo, double hi,
                                   double t_from = -1e300) {
  return detail::fit_in_window(t, y, lo, hi, t_from, false);
}

}  // namespace loraflow
