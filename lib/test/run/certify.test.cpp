// Tests of run/certify.hpp: shared_digits, floor(-log10(|x - ref| / |ref|)) clamped to [0, cap]. Oracle: exact
// decimal cases whose relative error is far from a power of ten (so the floor is not a rounding question).
#include <loraflow/run/certify.hpp>

#include <doctest/doctest.h>

#include <stdexcept>

using namespace loraflow;

TEST_CASE("shared_digits: exact cases") {
  CHECK(shared_digits("1.5", "1.5", 15) == 15);       // equal: the cap
  CHECK(shared_digits("0", "0", 7) == 7);             // equal zeros: the cap
  CHECK(shared_digits("1e-30", "0", 15) == 0);        // reference 0, value not
  CHECK(shared_digits("1.5", "1", 15) == 0);          // rel 0.5: -log10 = 0.30
  CHECK(shared_digits("3", "1", 15) == 0);            // rel 2: negative, clamped to 0
  CHECK(shared_digits("-1", "1", 15) == 0);           // opposite signs: rel 2
  CHECK(shared_digits("1.0005", "1", 15) == 3);       // rel 5e-4: 3.30
  CHECK(shared_digits("-2.0000001", "-2", 15) == 7);  // rel 5e-8: 7.30
  CHECK(shared_digits("123456789", "123456780", 15) == 7);  // rel 7.29e-8: 7.14
  CHECK(shared_digits("1.00000000000000000005", "1", 30) == 19);  // rel 5e-20: 19.3, beyond double
  CHECK(shared_digits("1.00000000000000000005", "1", 15) == 15);  // ... capped
  CHECK(shared_digits("4.000000000000000000000000000000000000003e-200", "4e-200", 60) == 39);  // rel 7.5e-40
  CHECK(shared_digits("2e-5", "3e-5", 15) == 0);  // rel 1/3: 0.48
  CHECK(shared_digits("1.2345678e300", "1.2345679e300", 15) == 7);  // rel 8.1e-8: 7.09
  CHECK_THROWS_AS(shared_digits("abc", "1", 15), std::invalid_argument);
}
