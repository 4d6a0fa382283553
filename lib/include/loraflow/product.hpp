// loraflow/product.hpp: the matrix products of the hot loops (dst = a b, dst += a b, dst -= a b, dst += c a b),
// and the fixed-point dot-product kernel that computes them for float50, float100, float128 and mpfr_float at any
// digit count.
//
// Why a kernel of our own: a generic multiply-add of cpp_bin_float<50> costs about 60 ns (it normalises and rounds
// after every operation, and Eigen's coefficient-wise product adds copies of the 48-byte numbers), so one Fig. 1
// right-hand side in 50 digits cost about 380 times its double cost (docs/performance.md). In a dot product the
// rounding after every term is not needed: each product of two mantissas is formed in integer limbs, shifted to
// the exponent of the largest term and added into a fixed-point accumulator, and the sum is rounded once.
//
// mpfr_float (run-time precision): its digit count is not known when this is compiled, so the kernel is compiled
// for every limb count NA = 2..16 (src/product.cpp, once) and each product picks, at run time, the smallest NA whose
// mantissa field of b = 64 NA - 16 bits holds the precision of every operand and of the destination (up to 1008 bits,
// 303 digits; wider products take the generic path). Operands are read into that field exactly (MPFR keeps the bits
// below a number's precision zero), and the sum is rounded once, directly to the destination's own precision.
//
// Accuracy (stated here because the precision plan relies on it): let b = the kernel's mantissa bits (168 for
// float50, 334 for float100, 113 for float128, 64 NA - 16 for mpfr_float), NA = its 64-bit limbs, Kmax = the largest
// |a_l b_l| of a dot product of k terms, and w = 2b - 64(NA - 1) - 2 (206 for float50, 346 for float100, 160 for
// float128, 64 NA + 30 for mpfr_float). Each term enters the accumulator truncated by less than NA units of
// 2^-w Kmax (the product's dropped low limbs and their carries, and the bits shifted out), and the accumulated sum is
// rounded once to nearest, ties to even, at the result's precision. So
//     |computed - exact| <= ulp(computed) / 2 + k NA 2^-w Kmax,
// far inside the bound of the recursive summation it replaces, k 2^(1-b) sum |a_l b_l| (for float50 the second term
// is about 2^-38 of it), and independent of the order of the terms. It is not always the correctly rounded value:
// the truncated bits do not reach the sticky bit, so a sum within k NA 2^-w Kmax of a rounding boundary may round
// the other way. Under heavy cancellation (a result far below Kmax) the relative error grows as 2^-w Kmax / |result|,
// as it does (from a larger start) for any floating-point summation; an exactly cancelling sum gives +0.
// lib/test/product.test.cpp checks the bound against an exact 2100-bit reference (random magnitudes, signs,
// cancellation, full-mantissa operands that maximise the truncation), exact results and ties bit for bit, and zeros,
// non-finite entries and the exponent range's ends.
//
// Each product reads its operands once: every entry is unpacked into its mantissa field, exponent and sign, in the
// order the dot products read them (fixed_point_kernel::packed; in blocks of rows and columns that fit a per-thread
// scratch of 2 x 1 MiB, allocated on a thread's first product in each kernel), instead of once for every entry
// of the result it enters. A dot product too long for one block reads its terms in place; both give the same bits.
//
// Non-finite operands (inf, nan) make the whole product fall back to the generic coefficient-wise evaluation, so
// they propagate exactly as before; so does one result entry outside the exponent range (or, in float128, in the
// subnormal range). Intermediate overflow cannot happen (the terms are exact integers), so a sum whose exact value
// is in range comes out finite even where the generic evaluation would overflow to inf. Nothing here allocates but
// the packing scratch, once per thread and kernel. The kernel needs unsigned __int128 (GCC and Clang on 64-bit targets)
// and 64-bit limbs in Boost's cpp_int (and in GMP, for mpfr_float); where either is missing, every product takes the
// generic path, as do double and long double (hardware arithmetic).
#pragma once

#include <loraflow/scalar.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

namespace loraflow {
namespace detail {

enum class product_mode { set, add, sub };

#if defined(__SIZEOF_INT128__)
using limb = mp::limb_type;  // Boost's cpp_int limb: the kernel needs it 64 bits wide
using wide = unsigned __int128;

/// dst (nd limbs) = src (ns limbs) times 2^s, s of either sign; bits shifted out at either end are dropped.
inline void shift_limbs(const limb* src, int ns, limb* dst, int nd, int s) {
  for (int t = 0; t < nd; ++t) {
    const int from = 64 * t - s;  // the bit of src that lands on bit 64 t of dst
    const int q = from >= 0 ? from / 64 : -((-from + 63) / 64), b = from - 64 * q;
    const limb lo = q >= 0 && q < ns ? src[q] : 0;
    const limb hi = q + 1 >= 0 && q + 1 < ns ? src[q + 1] : 0;
    dst[t] = b == 0 ? lo : (lo >> b) | (hi << (64 - b));
  }
}

/// How the kernel reads and writes one scalar type: a finite nonzero x is M 2^(e - bits + 1), with the mantissa
/// M < 2^bits held in NA 64-bit limbs (least significant first; top bit set unless x is subnormal) and the exponent
/// e. Not defined for types without the kernel.
template <class Real> struct fixed_point_format;

/// cpp_bin_float: the mantissa is read in place from Boost's backend (bits(), exponent(), sign()); no subnormals.
template <unsigned Digits> struct fixed_point_format<mp::number<mp::cpp_bin_float<Digits>, mp::et_off>> {
  using backend_type = mp::cpp_bin_float<Digits>;
  using number_type = mp::number<backend_type, mp::et_off>;
  static constexpr int bits = static_cast<int>(backend_type::bit_count);
  static constexpr int NA = (bits + 63) / 64;
  static constexpr bool usable = sizeof(limb) == 8;
  static constexpr bool fixed_precision = true;  // every number has the type's precision
  static bool fits(const number_type&) { return true; }
  static int round_bits(const number_type&) { return bits; }
  static void set_zero(number_type& x) { x = number_type(0); }

  static bool is_zero(const number_type& x) { return x.backend().exponent() == backend_type::exponent_zero; }
  static bool is_nonfinite(const number_type& x) {
    return x.backend().exponent() == backend_type::exponent_infinity ||
           x.backend().exponent() == backend_type::exponent_nan;
  }
  static bool is_negative(const number_type& x) { return x.backend().sign(); }
  static std::int64_t exponent(const number_type& x) { return x.backend().exponent(); }
  /// The mantissa's limbs (in place here; `buffer` is for formats that must unpack).
  static const limb* mantissa(const number_type& x, limb* /*buffer*/) {
    return x.backend().bits().limbs();
  }
  /// out = (-1)^negative m 2^(e - bits + 1), m normalised; false if e is outside the type's exponent range.
  static bool pack(const limb* m, std::int64_t e, bool negative, number_type& out) {
    if (e > backend_type::max_exponent || e < backend_type::min_exponent) return false;
    auto& backend = out.backend();
    backend.bits().resize(NA, NA);
    auto* d = backend.bits().limbs();
    for (int t = 0; t < NA; ++t) d[t] = m[t];
    backend.bits().normalize();
    backend.exponent() = static_cast<typename backend_type::exponent_type>(e);
    backend.sign() = negative;
    return true;
  }
};

/// float128 (IEEE binary128 in libquadmath): the 113-bit mantissa is unpacked from the bit pattern; subnormal
/// operands are read exactly, subnormal results are left to the generic arithmetic.
template <> struct fixed_point_format<mp::float128> {
  using number_type = mp::float128;
  static constexpr int bits = 113;
  static constexpr int NA = 2;
  static constexpr bool usable = sizeof(limb) == 8 && sizeof(number_type) == 16;
  static constexpr int bias = 16383;
  static constexpr bool fixed_precision = true;  // every number has the type's precision
  static bool fits(const number_type&) { return true; }
  static int round_bits(const number_type&) { return bits; }
  static void set_zero(number_type& x) { x = number_type(0); }

  static wide pattern(const number_type& x) {
    wide u;
    std::memcpy(&u, &x.backend().value(), sizeof u);
    return u;
  }
  static int biased_exponent(const wide& u) { return static_cast<int>((u >> 112) & 0x7fff); }
  static constexpr wide fraction_mask = (wide(1) << 112) - 1;
  static bool is_zero(const number_type& x) { return (pattern(x) << 1) == 0; }
  static bool is_nonfinite(const number_type& x) { return biased_exponent(pattern(x)) == 0x7fff; }
  static bool is_negative(const number_type& x) { return (pattern(x) >> 127) != 0; }
  static std::int64_t exponent(const number_type& x) {
    const int be = biased_exponent(pattern(x));
    return be == 0 ? 1 - bias : be - bias;
  }
  static const limb* mantissa(const number_type& x, limb* buffer) {
    const wide u = pattern(x);
    const wide m = (u & fraction_mask) | (biased_exponent(u) == 0 ? wide(0) : wide(1) << 112);
    buffer[0] = static_cast<limb>(m);
    buffer[1] = static_cast<limb>(m >> 64);
    return buffer;
  }
  static bool pack(const limb* m, std::int64_t e, bool negative, number_type& out) {
    if (e > bias || e < 1 - bias) return false;
    const wide mant = (static_cast<wide>(m[1]) << 64) | m[0];
    const wide u = (static_cast<wide>(negative) << 127) | (static_cast<wide>(e + bias) << 112) | (mant & fraction_mask);
    std::memcpy(&out.backend().value(), &u, sizeof u);
    return true;
  }
};

/// mpfr_float at run-time precision, in a kernel of NA limbs (chosen per product: mpfr_fixed_point_gemm). A finite
/// nonzero MPFR number is 0.d 2^E with the significand d in ceil(p / 64) limbs, top bit set and the bits below its
/// precision p zero; it is read into the b = 64 NA - 16 bit field (p <= b: `fits`) exactly, and a result is rounded
/// at the destination's own precision (`round_bits`) and written into its limbs in place (its precision and storage
/// are kept: a set-mode product keeps each destination entry's precision, as add and sub do). The exponent range is
/// MPFR's current one (mpfr_fixed_point_gemm declines a range extended beyond +-2^58, which the packed operands'
/// zero marker needs below it: fixed_point_kernel::packed); MPFR has no subnormals.
template <int Limbs> struct mpfr_fixed_point_format {
  using number_type = mpfr_float;
  static constexpr int NA = Limbs;
  static constexpr int bits = 64 * Limbs - 16;  // 32 bits of headroom in the accumulator: 2^32 terms
  static constexpr bool usable = sizeof(limb) == 8 && sizeof(mp_limb_t) == 8 && GMP_NUMB_BITS == 64;
  static constexpr bool fixed_precision = false;

  static mpfr_srcptr get(const number_type& x) { return x.backend().data(); }
  static int precision(const number_type& x) { return static_cast<int>(mpfr_get_prec(get(x))); }
  static bool fits(const number_type& x) { return precision(x) <= bits; }
  static int round_bits(const number_type& out) { return precision(out); }
  static bool is_zero(const number_type& x) { return mpfr_zero_p(get(x)) != 0; }
  static bool is_nonfinite(const number_type& x) { return mpfr_number_p(get(x)) == 0; }
  static bool is_negative(const number_type& x) { return mpfr_signbit(get(x)) != 0; }
  static std::int64_t exponent(const number_type& x) { return static_cast<std::int64_t>(mpfr_get_exp(get(x))) - 1; }
  // MPFR's limbs are mp_limb_t, a different type of the same width as limb: copied, not read through limb*.
  static const limb* mantissa(const number_type& x, limb* buffer) {
    const int n = (precision(x) + 63) / 64;  // <= NA
    limb d[NA];
    std::memcpy(d, mpfr_custom_get_significand(get(x)), sizeof(limb) * static_cast<std::size_t>(n));
    shift_limbs(d, n, buffer, NA, bits - 64 * n);  // top bit 64 n - 1 -> bits - 1
    return buffer;
  }
  static bool pack(const limb* m, std::int64_t e, bool negative, number_type& out) {
    const std::int64_t E = e + 1;  // m 2^(e - bits + 1) with m in [2^(bits - 1), 2^bits) is 0.d 2^(e + 1)
    if (E < mpfr_get_emin() || E > mpfr_get_emax()) return false;
    mpfr_ptr o = out.backend().data();
    const mpfr_prec_t p = mpfr_get_prec(o);
    const int n = static_cast<int>((p + 63) / 64);  // <= NA (p <= bits)
    limb d[NA];
    shift_limbs(m, NA, d, n, 64 * n - bits);  // top bit bits - 1 -> 64 n - 1; m has p significant bits
    void* significand = mpfr_custom_get_significand(o);
    std::memcpy(significand, d, sizeof(limb) * static_cast<std::size_t>(n));
    mpfr_custom_init_set(o, negative ? -MPFR_REGULAR_KIND : MPFR_REGULAR_KIND, static_cast<mpfr_exp_t>(E), p,
                         significand);
    return true;
  }
  static void set_zero(number_type& x) { mpfr_set_zero(x.backend().data(), 1); }
};
#endif

/// An operand with direct access, read in place: element (i, j) at data[i rs + j cs].
template <class Real> struct strided_operand {
  const Real* data;
  Eigen::Index rs, cs, rows, cols;
  const Real& operator()(Eigen::Index i, Eigen::Index j) const { return data[i * rs + j * cs]; }
  template <class M> static strided_operand of(const M& a) {
    const Eigen::Index inner = a.innerStride(), outer = a.outerStride();
    if (M::IsRowMajor) return {a.data(), outer, inner, a.rows(), a.cols()};
    return {a.data(), inner, outer, a.rows(), a.cols()};
  }
};

/// A destination with direct access, written in place (the form in which the compiled mpfr kernel takes it).
template <class Real> struct strided_destination {
  Real* data;
  Eigen::Index rs, cs, nrows, ncols;
  Eigen::Index rows() const { return nrows; }
  Eigen::Index cols() const { return ncols; }
  Real& coeffRef(Eigen::Index i, Eigen::Index j) { return data[i * rs + j * cs]; }
  const Real& coeff(Eigen::Index i, Eigen::Index j) const { return data[i * rs + j * cs]; }
  void resize([[maybe_unused]] Eigen::Index r, [[maybe_unused]] Eigen::Index c) const {
    eigen_assert(r == nrows && c == ncols);
  }
  template <class M> static strided_destination of(M& a) {
    const Eigen::Index inner = a.innerStride(), outer = a.outerStride();
    if (std::decay_t<M>::IsRowMajor) return {a.data(), outer, inner, a.rows(), a.cols()};
    return {a.data(), inner, outer, a.rows(), a.cols()};
  }
};

/// The limb counts the mpfr kernel is compiled for, and the one a precision of p bits takes: the smallest NA >= 2
/// with 64 NA - 16 >= p, or 0 (the generic path) above the widest.
constexpr int mpfr_kernel_min_limbs = 2, mpfr_kernel_max_limbs = 16;
constexpr int mpfr_kernel_limbs(long p) {
  const long na = std::max<long>(mpfr_kernel_min_limbs, (p + 16 + 63) / 64);
  return na > mpfr_kernel_max_limbs ? 0 : static_cast<int>(na);
}

/// The compiled kernel for mpfr_float (src/product.cpp): dst (mode)= sum_p a[p] b[p], or dst += c sum_p a[p] b[p],
/// in the kernel of the smallest limb count that holds every operand's and the destination's precision. Returns
/// false (dst untouched) where the kernel does not apply (a non-finite operand, a precision above 1008 bits, a
/// platform without the kernel); the caller then takes the generic path.
bool mpfr_fixed_point_gemm(strided_destination<mpfr_float> dst, const strided_operand<mpfr_float>* a,
                           const strided_operand<mpfr_float>* b, int count, product_mode mode, const mpfr_float* c);

/// The bytes of one block of packed operands (fixed_point_kernel::pack_scratch holds two: left and right factors),
/// and the most terms a dot product of a kernel of NA limbs may have for its operands to be packed (an entry takes
/// NA + 2 limbs: mantissa, exponent, sign). Longer dot products read their operands in place. 1 MiB holds the
/// Taylor method's longest Cauchy sums on the Fig. 1 problem (inner dimension h = 100, up to 160 products: 16 000
/// terms) up to 110 digits (NA = 6: 16 384 terms); with 128 KiB, the sums with inner dimension h read their
/// operands in place from order 20 (mpfr:110) or 33 (float50) on.
constexpr Eigen::Index pack_block_bytes = Eigen::Index(1) << 20;
constexpr Eigen::Index packed_terms_max(int NA) { return pack_block_bytes / (8 * (Eigen::Index(NA) + 2)); }

/// Whether Real has the fixed-point kernel: the types with a fixed_point_format, where unsigned __int128 exists.
template <class Real, class = void> struct fixed_point_product {
  static constexpr bool enabled = false;
};

#if defined(__SIZEOF_INT128__)
/// The kernel for one mantissa format (fixed_point_format<Real>, or mpfr_fixed_point_format<NA>).
template <class Format> struct fixed_point_kernel {
  using format = Format;
  using number_type = typename Format::number_type;

  static constexpr int bits = format::bits;  // mantissa bits
  static constexpr int NA = format::NA;      // limbs of one mantissa
  static constexpr int NP = NA + 1;          // limbs kept of a product: the top NA + 1 of its 2 NA
  static constexpr int headroom = 128 * NA - 2 * bits;  // free bits above a kept product: 2^headroom - 1 terms fit
  static constexpr int one_shift = bits - 1 - 64 * (NA - 1);  // a single value as a kept product: mantissa << this
  static constexpr bool enabled = format::usable && NA >= 2 && headroom >= 16;

  static bool is_zero(const number_type& x) { return format::is_zero(x); }
  static bool is_nonfinite(const number_type& x) { return format::is_nonfinite(x); }
  static std::int64_t exponent(const number_type& x) { return format::exponent(x); }
  static bool usable(const number_type& x) { return !format::is_nonfinite(x) && format::fits(x); }

  // The top NP limbs of the 2 NA-limb product a b (product scanning; columns below NA - 2 are dropped, and column
  // NA - 2 contributes only its carry). The dropped part is below NA units of p[0]. Where the compiler targets
  // x86-64 with BMI2 (a native build on Intel since 2013, AMD since 2015), each partial product is one mulx and its
  // carries stay in the flags (add, adc, adc into the three-limb column sum), which GCC does not generate from the
  // portable form (it compares the 128-bit sum to find each carry, and spills the accumulator): 10-25 % of a Fig. 1
  // field in 50 and 150 digits (docs/performance.md). Both forms compute the same limbs
  // (lib/test/product.test.cpp); the loops are unrolled so that the column sums stay in registers.
  static void product(const limb* a, const limb* b, limb* p) {
#if defined(__x86_64__) && defined(__BMI2__) && defined(__GNUC__)
    limb c0 = 0, c1 = 0, c2 = 0;  // the column sum, least significant limb first
#pragma GCC unroll 32
    for (int c = NA - 2; c <= 2 * NA - 2; ++c) {
      const int i0 = c - (NA - 1) > 0 ? c - (NA - 1) : 0;
      const int i1 = c < NA - 1 ? c : NA - 1;
#pragma GCC unroll 16
      for (int i = i0; i <= i1; ++i) {
        limb lo, hi;
        __asm__("mulx %[y], %[lo], %[hi]\n\t"
                "addq %[lo], %[c0]\n\t"
                "adcq %[hi], %[c1]\n\t"
                "adcq $0, %[c2]"
                : [c0] "+r"(c0), [c1] "+r"(c1), [c2] "+r"(c2), [lo] "=&r"(lo), [hi] "=&r"(hi)
                : "d"(a[i]), [y] "m"(b[c - i])
                : "cc");
      }
      if (c >= NA - 1) p[c - (NA - 1)] = c0;
      c0 = c1;
      c1 = c2;
      c2 = 0;
    }
    p[NP - 1] = c0;
#else
    product_portable(a, b, p);
#endif
  }
  static void product_portable(const limb* a, const limb* b, limb* p) {
    wide acc = 0;
    limb top = 0;
    for (int c = NA - 2; c <= 2 * NA - 2; ++c) {
      const int i0 = c - (NA - 1) > 0 ? c - (NA - 1) : 0;
      const int i1 = c < NA - 1 ? c : NA - 1;
      for (int i = i0; i <= i1; ++i) {
        const wide pr = static_cast<wide>(a[i]) * b[c - i];
        acc += pr;
        top += acc < pr;
      }
      if (c >= NA - 1) p[c - (NA - 1)] = static_cast<limb>(acc);
      acc = (acc >> 64) | (static_cast<wide>(top) << 64);
      top = 0;
    }
    p[NP - 1] = static_cast<limb>(acc);
  }

  // acc +-= p >> sh, 0 <= sh < 64 NP (NP limbs; the bits shifted out are dropped). p is padded: its limbs NP .. 2 NP
  // are zero (PP limbs in all), so the shifted limbs are read without a branch on the shift (the shifts of the
  // terms of a dot product vary from term to term, and a branch on them mispredicts). (x << 1) << (63 - b) is
  // x << (64 - b) without the undefined shift by 64 when b = 0.
  static constexpr int PP = 2 * NP + 1;
  // acc += (p >> sh) when mask = 0, acc -= (p >> sh) when mask = ~0 (two's complement over the NP limbs: the
  // shifted value is complemented and one carried in). A single accumulator whose indices are all constants stays
  // in registers, where a pair selected by the term's sign would be read and written through memory.
  // On x86-64 the additions are an adc chain through the flags (four limbs per asm statement, the carry between
  // statements in a register), where GCC would build each 128-bit sum on the stack: 5-15 % of a Fig. 1 field in 50
  // and 150 digits on top of the product's flag carries (docs/performance.md). Both forms give the same limbs
  // (lib/test/product.test.cpp).
  static void add_shifted_signed(limb* acc, const limb* p, int sh, limb mask) {
#if defined(__x86_64__) && defined(__GNUC__)
    const int q = sh >> 6, b = sh & 63;
    const limb* src = p + q;
    limb v[NP];
#pragma GCC unroll 32
    for (int t = 0; t < NP; ++t) {
      v[t] = ((src[t] >> b) | ((src[t + 1] << 1) << (63 - b))) ^ mask;
      __asm__("" : "+r"(v[t]));  // each limb in a register: no vector load of the limbs product() has just stored
    }
    limb k = mask & 1;
    adc_from<0>(acc, v, k);
#else
    add_shifted_signed_portable(acc, p, sh, mask);
#endif
  }
  static void add_shifted_signed_portable(limb* acc, const limb* p, int sh, limb mask) {
    const int q = sh >> 6, b = sh & 63;
    const limb* src = p + q;
    wide c = mask & 1;
    for (int t = 0; t < NP; ++t) {
      c += static_cast<wide>(acc[t]) + (((src[t] >> b) | ((src[t + 1] << 1) << (63 - b))) ^ mask);
      acc[t] = static_cast<limb>(c);
      c >>= 64;
    }
  }
#if defined(__x86_64__) && defined(__GNUC__)
  // acc[T ..] += v[T ..] + (k & 1), the carries through the flags; k holds the carry between asm statements.
  template <int T> static void adc_from(limb* acc, const limb* v, limb& k) {
    if constexpr (NP - T >= 4) {
      __asm__("btq $0, %[k]\n\t"
              "adcq %[v0], %[a0]\n\t"
              "adcq %[v1], %[a1]\n\t"
              "adcq %[v2], %[a2]\n\t"
              "adcq %[v3], %[a3]\n\t"
              "setc %b[k]"
              : [a0] "+r"(acc[T]), [a1] "+r"(acc[T + 1]), [a2] "+r"(acc[T + 2]), [a3] "+r"(acc[T + 3]), [k] "+q"(k)
              : [v0] "r"(v[T]), [v1] "r"(v[T + 1]), [v2] "r"(v[T + 2]), [v3] "r"(v[T + 3])
              : "cc");
      adc_from<T + 4>(acc, v, k);
    } else if constexpr (NP - T >= 1) {
      __asm__("btq $0, %[k]\n\t"
              "adcq %[v0], %[a0]\n\t"
              "setc %b[k]"
              : [a0] "+r"(acc[T]), [k] "+q"(k)
              : [v0] "r"(v[T])
              : "cc");
      adc_from<T + 1>(acc, v, k);
    }
  }
#endif
  // Rounds the two's complement sum acc (units of 2^unit) to out, as round_to.
  static bool round_signed(const limb* acc, std::int64_t unit, number_type& out) {
    const limb zero[NP] = {};
    if (!(acc[NP - 1] >> 63)) return round_to(acc, zero, unit, out);
    limb magnitude[NP];
    wide c = 1;
    for (int t = 0; t < NP; ++t) {
      c += static_cast<wide>(~acc[t]);
      magnitude[t] = static_cast<limb>(c);
      c >>= 64;
    }
    return round_to(zero, magnitude, unit, out);
  }

  // Rounds pos - neg, in units of 2^unit, to out, at out's precision pb <= bits (format::round_bits; bits for the
  // fixed types). Returns false if the result leaves the exponent range.
  static bool round_to(const limb* pos, const limb* neg, std::int64_t unit, number_type& out) {
    bool negative = false;
    for (int t = NP - 1; t >= 0; --t) {
      if (pos[t] != neg[t]) {
        negative = neg[t] > pos[t];
        break;
      }
    }
    const limb* x = negative ? neg : pos;
    const limb* y = negative ? pos : neg;
    limb r[NP];
    limb borrow = 0;
    for (int t = 0; t < NP; ++t) {
      const limb d = x[t] - y[t];
      const limb b1 = x[t] < y[t];
      r[t] = d - borrow;
      borrow = b1 | (d < borrow);
    }
    int top = NP - 1;
    while (top >= 0 && r[top] == 0) --top;
    if (top < 0) {
      format::set_zero(out);
      return true;
    }
    const int high = 64 * top + 63 - __builtin_clzll(r[top]);  // position of the leading bit
    const std::int64_t e = unit + high;
    const int pb = format::round_bits(out);
    // Mantissa = bits [high - pb + 1, high] of r, then round to nearest, ties to even.
    const int low = high - pb + 1;
    limb m[NA + 1] = {};
    bool round_up = false;
    shift_limbs(r, NP, m, NA, -low);  // low < 0: fewer significant bits than the mantissa holds, exact
    if (low > 0) {
      const int rb = low - 1;  // the round bit
      const bool half = (r[rb >> 6] >> (rb & 63)) & 1;
      bool sticky = false;
      for (int t = 0; t < (rb >> 6); ++t) sticky |= r[t] != 0;
      if (rb & 63) sticky |= (r[rb >> 6] & ((limb(1) << (rb & 63)) - 1)) != 0;
      round_up = half && (sticky || (m[0] & 1));
    }
    std::int64_t exponent_out = e;
    if (round_up) {
      wide c = 1;
      for (int t = 0; t <= NA; ++t) {
        c += m[t];
        m[t] = static_cast<limb>(c);
        c >>= 64;
      }
      if ((m[pb >> 6] >> (pb & 63)) & 1) {  // carry out of the mantissa: it became 2^pb
        for (int t = 0; t <= NA; ++t) m[t] = 0;
        m[(pb - 1) >> 6] = limb(1) << ((pb - 1) & 63);
        ++exponent_out;
      }
    }
    if constexpr (!format::fixed_precision) {
      if (pb != bits) {  // leading bit pb - 1 -> bits - 1, as pack expects
        limb u[NA + 1];
        for (int t = 0; t <= NA; ++t) u[t] = m[t];
        shift_limbs(u, NA, m, NA, bits - pb);
      }
    }
    return format::pack(m, exponent_out, negative, out);
  }

  using strided = strided_operand<number_type>;
  template <class M> static strided view(const M& a) { return strided::of(a); }

  // Calls f(x, y) for every term of entry (i, j) of sum_p a[p] b[p], p < count (Count > 0: count = Count, known
  // at compile time; the single products take Count = 1).
  template <int Count, class F>
  static void for_each_term(const strided* a, const strided* b, int count, Eigen::Index i, Eigen::Index j, F&& f) {
    const int n = Count > 0 ? Count : count;
    for (int q = 0; q < n; ++q) {
      const number_type* x = a[q].data + i * a[q].rs;
      const number_type* y = b[q].data + j * b[q].cs;
      const Eigen::Index xs = a[q].cs, ys = b[q].rs, k = a[q].cols;
      for (Eigen::Index l = 0; l < k; ++l) f(x[l * xs], y[l * ys]);
    }
  }

  // Operands packed once per product (gemm): every entry read into its mantissa field, exponent and sign, in the
  // order the dot products read them (rows of the left factors, columns of the right ones, the terms of every
  // product of a sum one after another). A product of an r x k and a k x c operand then reads and unpacks each entry
  // once instead of c (or r) times, and the dot products run over contiguous memory. A zero entry gets a zero
  // mantissa and the exponent zero_exponent, so far below every real exponent (|e| <= 2^58: mpfr_fixed_point_gemm
  // declines wider exponent ranges; the fixed types' are far narrower) that a term with a zero factor never sets
  // the accumulator's scale and is always shifted out.
  struct packed {
    limb m[NA];
    std::int64_t e;
    limb negative;
  };
  static constexpr std::int64_t zero_exponent = -(std::int64_t(1) << 61);
  static constexpr std::int64_t no_term = -(std::int64_t(1) << 60);  // emax below this: every term has a zero factor
  static void pack_entry(const number_type& x, packed& out) {
    if (is_zero(x)) {
      for (int t = 0; t < NA; ++t) out.m[t] = 0;
      out.e = zero_exponent;
      out.negative = 0;
      return;
    }
    limb buffer[NA];
    const limb* m = format::mantissa(x, buffer);
    for (int t = 0; t < NA; ++t) out.m[t] = m[t];
    out.e = exponent(x);
    out.negative = format::is_negative(x) ? 1 : 0;
  }
  static_assert(sizeof(packed) == 8 * (NA + 2), "packed_terms_max counts NA + 2 limbs per packed entry");
  static constexpr Eigen::Index pack_entries = packed_terms_max(NA);
  // Scratch for two blocks, one per thread and kernel, allocated at its first use and never resized.
  static packed* pack_scratch() {
    thread_local std::vector<packed> scratch(static_cast<std::size_t>(2 * pack_entries));
    return scratch.data();
  }

  // out = extra + sign * (the sum of the terms x y), sign = -1 if negate else 1, rounded once (extra may be null).
  // for_terms(f) calls f(x, y) with every term's two packed factors (it is called twice: once for the largest
  // exponent, once to accumulate). Operands must be finite. Returns false if the result leaves the exponent range
  // (the caller then evaluates this entry generically).
  template <class Terms>
  static bool dot_terms(Terms&& for_terms, const number_type* extra, bool negate, number_type& out) {
    std::int64_t emax = zero_exponent + zero_exponent;
    for_terms([&](const packed& x, const packed& y) { emax = std::max(emax, x.e + y.e); });
    const bool with_extra = extra && !is_zero(*extra);
    if (emax < no_term) {
      if (!with_extra) {
        format::set_zero(out);
        return true;
      }
      emax = exponent(*extra);
    } else if (with_extra && exponent(*extra) > emax) {
      emax = exponent(*extra);
    }
    limb acc[NP] = {};  // two's complement (gemm's limit on the term count leaves its top bit for the sign)
    constexpr int width = 64 * NP;
    limb p[PP] = {};  // a kept product in p[0 .. NP), zeros above (add_shifted_signed)
    const limb flip = negate ? ~limb(0) : 0;
    for_terms([&](const packed& x, const packed& y) {
      const std::int64_t sh = emax - (x.e + y.e);
      if (sh >= width) return;  // below the accumulator, and every term with a zero factor
      product(x.m, y.m, p);
      add_shifted_signed(acc, p, static_cast<int>(sh), (limb(0) - (x.negative ^ y.negative)) ^ flip);
    });
    if (with_extra) add_extra(acc, *extra, emax);
    // Term values are kept-product units times 2^(emax - 2 bits + 2 + 64 (NA - 1)).
    return round_signed(acc, emax - 2 * bits + 2 + 64 * (NA - 1), out);
  }

  // Entry (i, j) of sum_p a[p] b[p], its terms read and unpacked in place (where the packed operands would not fit
  // the scratch).
  template <int Count>
  static bool dot(const strided* a, const strided* b, int count, Eigen::Index i, Eigen::Index j,
                  const number_type* extra, bool negate, number_type& out) {
    auto terms = [&](auto&& f) {
      for_each_term<Count>(a, b, count, i, j, [&](const number_type& x, const number_type& y) {
        packed px, py;
        pack_entry(x, px);
        pack_entry(y, py);
        f(px, py);
      });
    };
    return dot_terms(terms, extra, negate, out);
  }

  // The same entry over packed operands: x holds the terms of row i of the left factors, y those of column j of
  // the right ones, both contiguous.
  static bool packed_dot(const packed* x, const packed* y, Eigen::Index n, const number_type* extra, bool negate,
                         number_type& out) {
    auto terms = [&](auto&& f) {
      for (Eigen::Index l = 0; l < n; ++l) f(x[l], y[l]);
    };
    return dot_terms(terms, extra, negate, out);
  }

  // acc += extra (two's complement), in the units of a dot product whose largest term has exponent emax.
  static void add_extra(limb* acc, const number_type& extra, std::int64_t emax) {
    constexpr int width = 64 * NP;
    const std::int64_t sh = emax - exponent(extra);
    if (sh >= width) return;
    // extra as a kept product: its mantissa times 2^(bits - 1), i.e. mantissa << one_shift in kept limbs.
    limb bx[NA];
    const limb* mx = format::mantissa(extra, bx);
    limb v[PP] = {};
    for (int t = NA - 1; t >= 0; --t) {
      v[t + 1] |= one_shift == 0 ? 0 : mx[t] >> (64 - one_shift);
      v[t] |= mx[t] << one_shift;
    }
    add_shifted_signed(acc, v, static_cast<int>(sh), format::is_negative(extra) ? ~limb(0) : 0);
  }

  // Entry (i, j) of dst (mode)= sum_p a[p] b[p] (or += c ...), rounded once (twice with c): dot(extra, negate,
  // out) is the kernel's dot product of this entry (dot_terms), and the generic evaluation stands in where its
  // result leaves the exponent range.
  template <int Count, class D, class Dot>
  static void write_entry(D& dst, Eigen::Index i, Eigen::Index j, const strided* a, const strided* b, int count,
                          product_mode mode, const number_type* c, number_type& v, Dot&& dot) {
    number_type& d = dst.coeffRef(i, j);
    if (c) {
      if (!dot(nullptr, false, v)) v = generic_dot<Count>(a, b, count, i, j);
      d += *c * v;
    } else if (mode == product_mode::set) {
      if (!dot(nullptr, false, d)) d = generic_dot<Count>(a, b, count, i, j);
    } else {
      const bool negated = mode == product_mode::sub;
      // d is read in full (as the accumulator's extra term) before the rounded sum is written back into it, at d's
      // own precision (mpfr_float: a copy from a temporary would also take the temporary's precision).
      if (!dot(&d, negated, d)) {
        v = generic_dot<Count>(a, b, count, i, j);
        if (negated) d -= v;
        else d += v;
      }
    }
  }

  // Packs lines o0 .. o1 of the factors into out, each line's terms contiguous (the terms of every product in turn):
  // rows of the left factors (columns = false) or columns of the right ones (columns = true).
  static void pack_lines(const strided* v, int count, Eigen::Index o0, Eigen::Index o1, Eigen::Index terms,
                         bool columns, packed* out) {
    for (Eigen::Index o = o0; o < o1; ++o) {
      packed* line = out + (o - o0) * terms;
      for (int q = 0; q < count; ++q) {
        const Eigen::Index n = columns ? v[q].rows : v[q].cols;
        for (Eigen::Index l = 0; l < n; ++l) pack_entry(columns ? v[q](l, o) : v[q](o, l), *line++);
      }
    }
  }

  template <int Count>
  static number_type generic_dot(const strided* a, const strided* b, int count, Eigen::Index i, Eigen::Index j) {
    number_type s(0);
    for_each_term<Count>(a, b, count, i, j, [&](const number_type& x, const number_type& y) { s += x * y; });
    return s;
  }

  static bool all_usable(const strided& a) {
    for (Eigen::Index j = 0; j < a.cols; ++j)
      for (Eigen::Index i = 0; i < a.rows; ++i)
        if (!usable(a(i, j))) return false;
    return true;
  }

  // dst (mode)= sum_p a[p] b[p], or dst += c sum_p a[p] b[p] when c is given, one rounding per entry (two with c).
  // Returns false (dst untouched) if an operand is not finite, a precision exceeds the kernel's (mpfr_float), or
  // the terms could overflow the accumulator.
  template <int Count = 0, class D>
  static bool gemm(D& dst, const strided* a, const strided* b, int count, product_mode mode, const number_type* c) {
    Eigen::Index terms = 0;
    for (int q = 0; q < count; ++q) {
      if (!all_usable(a[q]) || !all_usable(b[q])) return false;
      terms += a[q].cols;
    }
    // The sum of terms + 1 kept products (the destination's value is the extra one) fits the accumulator with a
    // bit to spare: the packed dot products keep a two's complement sum.
    if (terms + 1 >= (Eigen::Index(1) << std::min(headroom - 1, 62))) return false;
    if (c && !is_finite(*c)) return false;
    for (int q = 0; q < count; ++q)
      eigen_assert(a[q].rows == a[0].rows && b[q].cols == b[0].cols && a[q].cols == b[q].rows);
    number_type v;
    if (!format::fits(v)) return false;  // v holds the sum before the scaling by c
    if (mode == product_mode::set) dst.resize(a[0].rows, b[0].cols);  // as Eigen's assignment (no-op when sized)
    eigen_assert(dst.rows() == a[0].rows && dst.cols() == b[0].cols);
    for (Eigen::Index j = 0; j < dst.cols(); ++j)  // the destination is read (add, sub) and rounded to (set)
      for (Eigen::Index i = 0; i < dst.rows(); ++i)
        if (mode == product_mode::set ? !format::fits(dst.coeff(i, j)) : !usable(dst.coeff(i, j))) return false;
    if (terms <= pack_entries) {
      // Blocks of rows and columns whose packed terms fit the scratch; the left block is packed once when every row
      // fits, else once per column block.
      const Eigen::Index rows = dst.rows(), cols = dst.cols();
      const Eigen::Index row_block = std::max<Eigen::Index>(1, pack_entries / std::max<Eigen::Index>(terms, 1));
      const Eigen::Index col_block = row_block;
      packed* const left = pack_scratch();
      packed* const right = left + pack_entries;
      const bool left_once = rows <= row_block;
      if (left_once) pack_lines(a, count, 0, rows, terms, false, left);
      for (Eigen::Index j0 = 0; j0 < cols; j0 += col_block) {
        const Eigen::Index j1 = std::min(cols, j0 + col_block);
        pack_lines(b, count, j0, j1, terms, true, right);
        for (Eigen::Index i0 = 0; i0 < rows; i0 += row_block) {
          const Eigen::Index i1 = std::min(rows, i0 + row_block);
          if (!left_once) pack_lines(a, count, i0, i1, terms, false, left);
          for (Eigen::Index j = j0; j < j1; ++j) {
            const packed* y = right + (j - j0) * terms;
            for (Eigen::Index i = i0; i < i1; ++i) {
              const packed* x = left + (i - i0) * terms;
              write_entry<Count>(dst, i, j, a, b, count, mode, c, v, [&](const number_type* extra, bool neg, number_type& out) {
                return packed_dot(x, y, terms, extra, neg, out);
              });
            }
          }
        }
      }
      return true;
    }
    // Operands too wide for the scratch: every term read in place, once per entry it enters.
    for (Eigen::Index j = 0; j < dst.cols(); ++j)
      for (Eigen::Index i = 0; i < dst.rows(); ++i)
        write_entry<Count>(dst, i, j, a, b, count, mode, c, v, [&](const number_type* extra, bool neg, number_type& out) {
          return dot<Count>(a, b, count, i, j, extra, neg, out);
        });
    return true;
  }

  template <class D, class A, class B>
  static bool gemm(D& dst, const A& a, const B& b, product_mode mode, const number_type* c) {
    const strided va = view(a), vb = view(b);
    return gemm<1>(dst, &va, &vb, 1, mode, c);
  }
};

template <class Real>
struct fixed_point_product<Real, std::void_t<decltype(fixed_point_format<Real>::bits)>>
    : fixed_point_kernel<fixed_point_format<Real>> {};
#endif

/// The kernel reads operands in place through their data pointer and strides, so it takes only expressions with
/// direct access (matrices, maps, blocks and their transposes); anything else takes the generic path.
template <class A, class B> constexpr bool fixed_point_operands() {
  using Real = typename A::Scalar;
  return fixed_point_product<Real>::enabled && std::is_same_v<Real, typename B::Scalar> &&
         (Eigen::internal::traits<A>::Flags & Eigen::DirectAccessBit) != 0 &&
         (Eigen::internal::traits<B>::Flags & Eigen::DirectAccessBit) != 0;
}

/// Eigen's lazyProduct (coefficient by coefficient: no packing, no allocation) for the software scalar types
/// without the kernel, whose GEMM path copies every number into packed panels. For double and long double, Eigen's
/// blocked GEMM except for the small products (small_product below).
template <class A> constexpr bool lazy_product() { return !std::is_arithmetic<typename A::Scalar>::value; }

/// In double and long double, a product whose result has at most 100 entries and whose inner dimension is at most
/// 16 takes lazyProduct too: there GEMM's blocking heuristics and packing cost more than the arithmetic. Measured
/// on the Fig. 1 problem (2-core AMD EPYC, AVX2 and FMA, g++ 12.2 -O3 -march=native, 2026-12-05): the singular
/// frame's field, made of such products (inner dimensions r, q = 2r, m, n), about 5 % less for the whole W1
/// batch; the natural frame's field unchanged (5.0-5.1 us either way). Not wider: with every product of at most
/// 100 entries lazy (inner dimension 100 included), the natural field takes 6.1 us instead of 5.0; with every
/// product of inner dimension <= 16 lazy (large results included), W1 is slower.
template <class A, class B> bool small_product(const A& a, const B& b) {
  return a.rows() * b.cols() <= 100 && a.cols() <= 16;
}

/// The kernel a product in Real takes at the working precision: its limbs NA and mantissa field bits (NA = 0: no
/// kernel, the generic path). For mpfr_float, at the precision of a new number; wider operands take a wider kernel.
struct kernel_shape {
  int NA = 0, bits = 0;
  bool enabled() const { return NA > 0; }
};
template <class Real> kernel_shape kernel_shape_of() {
  if constexpr (fixed_point_product<Real>::enabled) {
    return {fixed_point_product<Real>::NA, fixed_point_product<Real>::bits};
  } else if constexpr (std::is_same_v<Real, mpfr_float>) {
#if defined(__SIZEOF_INT128__)
    const int na = mpfr_kernel_limbs(mpfr_get_prec(Real().backend().data()));
    if (na > 0) return {na, 64 * na - 16};
#endif
    return {};
  } else {
    return {};
  }
}

/// mpfr_float operands and a writable destination, all with direct access, take the compiled mpfr kernel.
template <class D, class A, class B> constexpr bool mpfr_kernel_operands() {
#if defined(__SIZEOF_INT128__)
  using Real = typename A::Scalar;
  using Dst = std::decay_t<D>;
  return std::is_same_v<Real, mpfr_float> && std::is_same_v<Real, typename B::Scalar> &&
         std::is_same_v<Real, typename Dst::Scalar> &&
         (Eigen::internal::traits<A>::Flags & Eigen::DirectAccessBit) != 0 &&
         (Eigen::internal::traits<B>::Flags & Eigen::DirectAccessBit) != 0 &&
         (Eigen::internal::traits<Dst>::Flags & Eigen::DirectAccessBit) != 0 &&
         (Eigen::internal::traits<Dst>::Flags & Eigen::LvalueBit) != 0;
#else
  return false;
#endif
}

/// Whether dst (mode)= a b has a kernel in these types.
template <class D, class A, class B> constexpr bool kernel_operands() {
  return fixed_point_operands<A, B>() || mpfr_kernel_operands<D, A, B>();
}

/// dst (mode)= sum_p a[p] b[p] (dst += c sum_p ... when c is given) in the types' kernel; false (dst untouched)
/// where the kernel declines, and the caller takes the generic path.
template <int Count, class D, class A, class B>
bool kernel_gemm(D& dst, const strided_operand<typename A::Scalar>* va, const strided_operand<typename A::Scalar>* vb,
                 int count, product_mode mode, const typename A::Scalar* c) {
  using Real = typename A::Scalar;
  if constexpr (fixed_point_operands<A, B>()) {
    return fixed_point_product<Real>::template gemm<Count>(dst, va, vb, count, mode, c);
  } else if constexpr (mpfr_kernel_operands<D, A, B>()) {
    if (mode == product_mode::set) dst.resize(va[0].rows, vb[0].cols);  // as Eigen's assignment (no-op when sized)
    return mpfr_fixed_point_gemm(strided_destination<Real>::of(dst), va, vb, count, mode, c);
  } else {
    return false;
  }
}

template <class D, class A, class B>
bool kernel_product(D& dst, const A& a, const B& b, product_mode mode, const typename A::Scalar* c) {
  using Real = typename A::Scalar;
  const auto va = strided_operand<Real>::of(a), vb = strided_operand<Real>::of(b);
  return kernel_gemm<1, D, A, B>(dst, &va, &vb, 1, mode, c);
}

template <class D, class A, class B> void product_set(D&& dst, const A& a, const B& b) {
  if constexpr (kernel_operands<D, A, B>()) {
    if (kernel_product(dst, a, b, product_mode::set, nullptr)) return;
  }
  if constexpr (lazy_product<A>()) dst.noalias() = a.lazyProduct(b);
  else if (small_product(a, b)) dst.noalias() = a.lazyProduct(b);
  else dst.noalias() = a * b;
}
template <class D, class A, class B> void product_add(D&& dst, const A& a, const B& b) {
  if constexpr (kernel_operands<D, A, B>()) {
    if (kernel_product(dst, a, b, product_mode::add, nullptr)) return;
  }
  if constexpr (lazy_product<A>()) dst.noalias() += a.lazyProduct(b);
  else if (small_product(a, b)) dst.noalias() += a.lazyProduct(b);
  else dst.noalias() += a * b;
}
template <class D, class A, class B> void product_sub(D&& dst, const A& a, const B& b) {
  if constexpr (kernel_operands<D, A, B>()) {
    if (kernel_product(dst, a, b, product_mode::sub, nullptr)) return;
  }
  if constexpr (lazy_product<A>()) dst.noalias() -= a.lazyProduct(b);
  else if (small_product(a, b)) dst.noalias() -= a.lazyProduct(b);
  else dst.noalias() -= a * b;
}
template <class D, class C, class A, class B> void product_add(D&& dst, const C& c, const A& a, const B& b) {
  using Real = typename A::Scalar;
  if constexpr (kernel_operands<D, A, B>()) {
    const Real scale = c;  // c = 1 folds dst into the accumulator: one rounding per entry
    if (kernel_product(dst, a, b, product_mode::add, scale == 1 ? nullptr : &scale)) return;
  }
  if constexpr (lazy_product<A>()) dst.noalias() += c * a.lazyProduct(b);
  else if (small_product(a, b)) dst.noalias() += c * a.lazyProduct(b);
  else dst.noalias() += c * (a * b);
}

/// ||v||^2 of a column vector (GD's squared gradient norm): in the kernel types one dot product v^T v, rounded once
/// (every term is >= 0, so the bound above is a relative one); elsewhere Eigen's squaredNorm, as before.
template <class Real> Real squared_norm_kernel(const vector<Real>& v) {
  using scalar_matrix = Eigen::Matrix<Real, 1, 1>;
  if constexpr (kernel_operands<scalar_matrix, Eigen::Transpose<const vector<Real>>, vector<Real>>()) {
    scalar_matrix s;
    product_set(s, v.transpose(), v);
    return s(0, 0);
  } else {
    return v.squaredNorm();
  }
}

/// dst = x + c y for column vectors (GD's update x + eta f): in the kernel types each entry is x_i + c y_i rounded
/// once (the product c y_i is formed exactly in the accumulator, x_i folded in); elsewhere x + c * y as Eigen
/// evaluates it (two roundings per entry in double, as before). dst must not alias x or y.
template <class Real> void axpy_kernel(vector<Real>& dst, const vector<Real>& x, const Real& c, const vector<Real>& y) {
  using scalar_matrix = Eigen::Matrix<Real, 1, 1>;
  if constexpr (kernel_operands<vector<Real>, vector<Real>, scalar_matrix>()) {
    dst = x;
    scalar_matrix cm;
    cm(0, 0) = c;
    product_add(dst, y, cm);  // y (n x 1) times c (1 x 1), added to x
  } else {
    dst = x + c * y;
  }
}

/// The kernel keeps pointers to the operands a getter returns: a matrix returned by value would be a temporary.
template <class T> constexpr bool getter_keeps_storage() {
  using U = std::decay_t<T>;
  return std::is_reference_v<T> || !std::is_base_of_v<Eigen::PlainObjectBase<U>, U>;
}

/// Sums of products, the Cauchy products of Taylor coefficients (model/lora_series.hpp): dst (mode)= sum_j a(j) b(j)
/// over j < count, or dst += c sum_j a(j) b(j) when c is given, where a(j) and b(j) return matrix expressions (or
/// references to matrices). In the kernel types each entry is accumulated over all count products and rounded once
/// (twice with c); elsewhere it is the loop of the products above.
template <class D, class Real, class GetA, class GetB>
void product_sum_impl(D&& dst, product_mode mode, const Real* c, int count, GetA&& a, GetB&& b) {
  using A = std::decay_t<decltype(a(0))>;
  using B = std::decay_t<decltype(b(0))>;
  static_assert(getter_keeps_storage<decltype(a(0))>() && getter_keeps_storage<decltype(b(0))>(),
                "product_sum: a getter returns a matrix by value; return a reference or a map/block/transpose");
  if (count <= 0) {
    if (mode == product_mode::set) dst.setZero();
    return;
  }
  if constexpr (kernel_operands<D, A, B>()) {
    using operand = strided_operand<typename A::Scalar>;
    constexpr int max_count = 256;  // the Taylor method's orders stay at or below 200
    if (count <= max_count) {
      operand va[max_count], vb[max_count];
      for (int j = 0; j < count; ++j) {
        va[j] = operand::of(a(j));
        vb[j] = operand::of(b(j));
      }
      if (kernel_gemm<0, D, A, B>(dst, va, vb, count, mode, c && *c == 1 ? nullptr : c)) return;  // c = 1 folds dst in
    }
  }
  for (int j = 0; j < count; ++j) {
    if (c) product_add(dst, *c, a(j), b(j));
    else if (j == 0 && mode == product_mode::set) product_set(dst, a(0), b(0));
    else if (mode == product_mode::sub) product_sub(dst, a(j), b(j));
    else product_add(dst, a(j), b(j));
  }
}

template <class D, class GetA, class GetB> void product_sum(D&& dst, product_mode mode, int count, GetA&& a, GetB&& b) {
  using Real = typename std::decay_t<decltype(a(0))>::Scalar;
  product_sum_impl(dst, mode, static_cast<const Real*>(nullptr), count, a, b);
}

/// dst += c sum_j a(j) b(j) over j < count.
template <class D, class C, class GetA, class GetB>
void product_sum_add(D&& dst, const C& c, int count, GetA&& a, GetB&& b) {
  using Real = typename std::decay_t<decltype(a(0))>::Scalar;
  const Real scale = c;
  product_sum_impl(dst, product_mode::add, &scale, count, a, b);
}

}  // namespace detail
}  // namespace loraflow
