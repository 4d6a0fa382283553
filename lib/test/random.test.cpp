// Tests of random.hpp: reproducible, stream-independent standard normal draws.
#include <loraflow/random.hpp>

#include <doctest/doctest.h>

#include <cmath>

using namespace loraflow;

TEST_CASE("gaussian draws are reproducible, independent across streams and standard normal") {
  gaussian_stream a(7, 1), b(7, 1), c(7, 2);
  double sum = 0, sum2 = 0;
  bool differ = false;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const double x = a.next();
    CHECK(x == b.next());
    if (x != c.next()) differ = true;
    sum += x;
    sum2 += x * x;
  }
  CHECK(differ);
  // Mean within 5 standard errors of 0, variance within 5 standard errors of 1 (se = sqrt(2/n)).
  CHECK(std::abs(sum / n) < 5 / std::sqrt(double(n)));
  CHECK(std::abs(sum2 / n - 1) < 5 * std::sqrt(2.0 / n));
}
