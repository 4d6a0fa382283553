// loraflow/random.hpp: seeded Gaussian draws that are identical on every platform and for every scalar type.
//
// Draws are made in double by a counter-based generator (SplitMix64 over (seed, stream, index)) and the
// Box-Muller transform, then converted exactly to Real. So a float50 run and a double run start from the same
// numbers, and any single sweep point can be re-drawn from (seed, stream) alone, whatever the thread count.
// std::normal_distribution is not used: its output is implementation-defined.
#pragma once

#include <loraflow/scalar.hpp>

#include <cmath>
#include <cstdint>

namespace loraflow {

/// Counter-based stream of standard normal doubles.
class gaussian_stream {
 public:
  gaussian_stream(std::uint64_t seed, std::uint64_t stream) : m_key(mix(seed * 0x9E3779B97F4A7C15ULL ^ mix(stream + 0x632BE59BD9B4E019ULL))) {}

  /// The next N(0,1) draw.
  double next() {
    if (m_have_spare) {
      m_have_spare = false;
      return m_spare;
    }
    // Uniforms in (0, 1]: 53 random bits, offset by one ulp so log never sees 0.
    const double u1 = (static_cast<double>(mix(m_key + 2 * m_counter) >> 11) + 1.0) * 0x1.0p-53;
    const double u2 = static_cast<double>(mix(m_key + 2 * m_counter + 1) >> 11) * 0x1.0p-53;
    ++m_counter;
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 6.283185307179586476925286766559 * u2;
    m_spare = radius * std::sin(angle);
    m_have_spare = true;
    return radius * std::cos(angle);
  }

  /// A rows x cols matrix of N(0,1) draws, filled column by column, converted exactly to Real.
  template <class Real> matrix<Real> normal_matrix(Eigen::Index rows, Eigen::Index cols) {
    matrix<Real> m(rows, cols);
    for (Eigen::Index j = 0; j < cols; ++j)
      for (Eigen::Index i = 0; i < rows; ++i) m(i, j) = Real(next());
    return m;
  }

 private:
  static std::uint64_t mix(std::uint64_t z) {  // SplitMix64 finaliser
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::uint64_t m_key;
  std::uint64_t m_counter = 0;
  double m_spare = 0;
  bool m_have_spare = false;
};

/// Stream ids, so that the problem, the adapters and sweep points never share draws.
namespace streams {
constexpr std::uint64_t y_pre = 1, haar_g = 2, adapters = 3, spectral_rotation = 4, data = 5, objective = 6,
                        pretrained = 7, target = 8, constants = 9;
}

}  // namespace loraflow
