// The fixed-point product kernel for mpfr_float (product.hpp), compiled once for every limb count it may need.
// mpfr_float's precision is chosen at run time, so each product picks the smallest kernel whose mantissa field
// (64 NA - 16 bits) holds the precision of every number it reads or writes.
#include <loraflow/product.hpp>

#include <array>
#include <utility>

namespace loraflow {
namespace detail {

#if defined(__SIZEOF_INT128__)
namespace {

constexpr int min_limbs = mpfr_kernel_min_limbs, max_limbs = mpfr_kernel_max_limbs;

using gemm_function = bool (*)(strided_destination<mpfr_float>&, const strided_operand<mpfr_float>*,
                               const strided_operand<mpfr_float>*, int, product_mode, const mpfr_float*);

template <int NA>
bool gemm_in(strided_destination<mpfr_float>& dst, const strided_operand<mpfr_float>* a,
             const strided_operand<mpfr_float>* b, int count, product_mode mode, const mpfr_float* c) {
  using kernel = fixed_point_kernel<mpfr_fixed_point_format<NA>>;
  if constexpr (kernel::enabled) return kernel::template gemm<0>(dst, a, b, count, mode, c);
  else return false;
}

template <int... I> constexpr std::array<gemm_function, sizeof...(I)> make_table(std::integer_sequence<int, I...>) {
  return {&gemm_in<min_limbs + I>...};
}
constexpr auto kernels = make_table(std::make_integer_sequence<int, max_limbs - min_limbs + 1>{});

mpfr_prec_t precision(const mpfr_float& x) { return mpfr_get_prec(x.backend().data()); }

}  // namespace

bool mpfr_fixed_point_gemm(strided_destination<mpfr_float> dst, const strided_operand<mpfr_float>* a,
                           const strided_operand<mpfr_float>* b, int count, product_mode mode, const mpfr_float* c) {
  // Exponent sums and the accumulator's unit are int64, and the packed operands mark zeros with an exponent far
  // below every real one (fixed_point_kernel::packed): decline an exponent range extended beyond +-2^58 (MPFR's
  // default is about +-2^30).
  if (mpfr_get_emin() < -(mpfr_exp_t(1) << 58) || mpfr_get_emax() > (mpfr_exp_t(1) << 58)) return false;
  // The widest precision read or written: every operand, the destination, and a new number (the kernel's sum
  // before the scaling by c takes the default precision).
  mpfr_prec_t p = precision(mpfr_float());
  for (int q = 0; q < count; ++q) {
    for (Eigen::Index j = 0; j < a[q].cols; ++j)
      for (Eigen::Index i = 0; i < a[q].rows; ++i) p = std::max(p, precision(a[q](i, j)));
    for (Eigen::Index j = 0; j < b[q].cols; ++j)
      for (Eigen::Index i = 0; i < b[q].rows; ++i) p = std::max(p, precision(b[q](i, j)));
  }
  for (Eigen::Index j = 0; j < dst.cols(); ++j)
    for (Eigen::Index i = 0; i < dst.rows(); ++i) p = std::max(p, precision(dst.coeff(i, j)));
  const int limbs = mpfr_kernel_limbs(p);
  if (limbs == 0) return false;
  return kernels[static_cast<std::size_t>(limbs - min_limbs)](dst, a, b, count, mode, c);
}
#else
bool mpfr_fixed_point_gemm(strided_destination<mpfr_float>, const strided_operand<mpfr_float>*,
                           const strided_operand<mpfr_float>*, int, product_mode, const mpfr_float*) {
  return false;
}
#endif

}  // namespace detail
}  // namespace loraflow
