// Tests of observe/fit.hpp. Oracles: exact power laws and exponentials (slope recovered to rounding, zero standard
// error), and a line with known noise (the standard error matches the textbook formula computed independently).
#include <loraflow/observe/fit.hpp>

#include <doctest/doctest.h>

#include <cmath>

using namespace loraflow;

TEST_CASE("fits recover exact power laws and rates") {
  std::vector<double> a, y, t, z;
  for (int k = 5; k <= 30; k += 5) {
    a.push_back(std::pow(10.0, -k));
    y.push_back(3.7 * std::pow(10.0, -2.0 * k));  // y = 3.7 alpha^2
  }
  const line_fit p = fit_power_law(a, y);
  CHECK(std::abs(p.slope - 2) < 1e-12);
  CHECK(p.slope_se < 1e-12);
  CHECK(std::abs(std::exp(p.intercept) - 3.7) < 1e-9);
  for (int i = 0; i < 20; ++i) {
    t.push_back(0.1 * i);
    z.push_back(2.0 * std::exp(-24.42 * 0.1 * i));
  }
  const line_fit r = fit_rate(t, z);
  CHECK(std::abs(r.slope - 24.42) < 1e-10);
}

TEST_CASE("the standard error of the slope follows the residual variance") {
  // y = 1 + 2x + e with e = +-0.1 alternating on x = 0..5: sse = 6 * 0.01 - fitted part; compare with direct formula.
  std::vector<double> x{0, 1, 2, 3, 4, 5}, y;
  for (double xi : x) y.push_back(1 + 2 * xi + (static_cast<int>(xi) % 2 ? 0.1 : -0.1));
  const line_fit f = fit_line(x, y);
  double mx = 2.5, sxx = 0;
  for (double xi : x) sxx += (xi - mx) * (xi - mx);
  double sse = 0;
  for (std::size_t i = 0; i < x.size(); ++i) sse += std::pow(y[i] - f.intercept - f.slope * x[i], 2);
  CHECK(std::abs(f.slope_se - std::sqrt(sse / 4 / sxx)) < 1e-15);
  CHECK(f.slope_se > 0);
  CHECK(f.r2 < 1);
  CHECK_THROWS_AS(fit_line({1, 1}, {2, 3}), std::invalid_argument);
  CHECK_THROWS_AS(fit_power_law({1, 2}, {0, 3}), std::invalid_argument);
}
