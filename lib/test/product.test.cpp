// Tests of loraflow/product.hpp: the products of the hot loops in every scalar type, and the fixed-point
// dot-product kernel that float50, float100, float128 and mpfr_float (at any digit count) take.
// Oracles: (1) closed forms: operands built from small integers times powers of two, so that the exact result is
// representable and must come out bit for bit; (2) the kernel's stated error bound (product.hpp, header comment)
// against an exact reference in 1000 bits; (3) non-finite operands and results outside the exponent range give what
// the generic evaluation gives; (4) the kernel's two ways of reading operands (packed once per product, or in place
// past the packing limit) give the same bits; (5) the limb product and the shifted add in their flag-carry forms
// (x86-64) give the limbs of their portable forms.
#include <loraflow/product.hpp>
#include <loraflow/scalar.hpp>

#include <boost/multiprecision/cpp_int.hpp>

#include <random>
#include <utility>
#include <vector>

#include "checks.hpp"

using namespace loraflow;

namespace {

// Products of two mantissas exact up to the widest mpfr kernel (1008 bits) and beyond (mpfr:305 is 1013 bits).
using exact_type = mp::number<mp::cpp_bin_float<2100, mp::digit_base_2>, mp::et_off>;

/// x converted exactly (mantissa taken 32 bits at a time; every step is exact in both types).
template <class Real> exact_type exact(const Real& x) {
  using std::floor;
  using std::frexp;
  using std::ldexp;
  if (x == 0) return exact_type(0);
  int e = 0;
  Real m = frexp(x, &e);
  const bool negative = m < 0;
  if (negative) m = -m;
  exact_type r(0);
  int shift = 0;
  while (m != 0) {
    m = ldexp(m, 32);
    const Real chunk = floor(m);
    m -= chunk;
    r = ldexp(r, 32) + exact_type(static_cast<unsigned long>(chunk));
    shift += 32;
  }
  r = ldexp(r, e - shift);
  return negative ? exact_type(-r) : r;
}

/// Mantissa bits of the working precision (run time for mpfr_float).
template <class Real> int mantissa_bits() {
  if constexpr (std::is_same_v<Real, mpfr_float>)
    return static_cast<int>(mpfr_get_prec(Real(1).backend().data()));
  else
    return std::numeric_limits<Real>::digits;
}

// a(i,l) = p 2^(x_i + z_l), b(l,j) = q 2^(w_l + y_j) with |p|, |q| < 2^10 and 0 <= z_l + w_l <= span: every
// term is an integer times 2^(x_i + y_j), and so is the sum; with span + 27 <= mantissa bits it is representable.
template <class Real> struct exact_case {
  matrix<Real> a, b, d0;
  std::vector<int> x, y, zw;
  std::vector<std::vector<long>> p, q;  // p[i][l], q[l][j]
  std::vector<long> d0_int;             // d0(i,j) = d0_int 2^(x_i + y_j + span)

  exact_case(Eigen::Index m, Eigen::Index k, Eigen::Index n, int span, std::mt19937_64& g) {
    std::uniform_int_distribution<long> small(-1023, 1023);
    std::uniform_int_distribution<int> base(-40, 40), zdist(0, span), coin(0, 9);
    a.resize(m, k);
    b.resize(k, n);
    d0.resize(m, n);
    x.resize(static_cast<std::size_t>(m));
    y.resize(static_cast<std::size_t>(n));
    zw.resize(static_cast<std::size_t>(k));
    p.assign(static_cast<std::size_t>(m), std::vector<long>(static_cast<std::size_t>(k)));
    q.assign(static_cast<std::size_t>(k), std::vector<long>(static_cast<std::size_t>(n)));
    for (auto& v : x) v = base(g);
    for (auto& v : y) v = base(g);
    std::vector<int> z(static_cast<std::size_t>(k));
    for (Eigen::Index l = 0; l < k; ++l) {
      zw[static_cast<std::size_t>(l)] = zdist(g);
      z[static_cast<std::size_t>(l)] = base(g);  // split zw between a and b arbitrarily
    }
    for (Eigen::Index i = 0; i < m; ++i)
      for (Eigen::Index l = 0; l < k; ++l) {
        const long v = coin(g) == 0 ? 0 : small(g);  // one entry in ten is zero
        p[static_cast<std::size_t>(i)][static_cast<std::size_t>(l)] = v;
        a(i, l) = ldexp(Real(v), x[static_cast<std::size_t>(i)] + z[static_cast<std::size_t>(l)]);
      }
    for (Eigen::Index l = 0; l < k; ++l)
      for (Eigen::Index j = 0; j < n; ++j) {
        const long v = coin(g) == 0 ? 0 : small(g);
        q[static_cast<std::size_t>(l)][static_cast<std::size_t>(j)] = v;
        b(l, j) = ldexp(Real(v), zw[static_cast<std::size_t>(l)] - z[static_cast<std::size_t>(l)] +
                                     y[static_cast<std::size_t>(j)]);
      }
    for (Eigen::Index j = 0; j < n; ++j)
      for (Eigen::Index i = 0; i < m; ++i) {
        const long v = small(g);
        d0_int.push_back(v);
        d0(i, j) = ldexp(Real(v), x[static_cast<std::size_t>(i)] + y[static_cast<std::size_t>(j)] + span);
      }
  }

  // The exact value of c0 d0(i,j) + c1 (a b)(i,j), with c0 in {0, 1, -1} and c1 = +-2^c1_exp, as Real.
  Real expected(Eigen::Index i, Eigen::Index j, int c0, int c1_sign, int c1_exp, int span) const {
    mp::cpp_int s = 0;
    for (std::size_t l = 0; l < zw.size(); ++l)
      s += mp::cpp_int(p[static_cast<std::size_t>(i)][l] * q[l][static_cast<std::size_t>(j)]) << zw[l];
    s *= c1_sign;
    // Scale so both parts are integers: the product part carries 2^c1_exp, d0 carries 2^span.
    const int lo = std::min(c1_exp, span);
    mp::cpp_int total = (s << (c1_exp - lo)) +
                        (mp::cpp_int(c0 * d0_int[static_cast<std::size_t>(j * a.rows() + i)]) << (span - lo));
    return ldexp(parse<Real>(total.str()), x[static_cast<std::size_t>(i)] + y[static_cast<std::size_t>(j)] + lo);
  }
};

}  // namespace

template <class Real> void product_exact_body() {
  std::mt19937_64 g(20261129);
  const int span = std::min(mantissa_bits<Real>() - 40, 100);
  for (auto [m, k, n] : {std::tuple<int, int, int>{7, 100, 3}, {3, 1, 5}, {1, 40, 1}, {10, 4, 10}}) {
    CAPTURE(m);
    CAPTURE(k);
    CAPTURE(n);
    const exact_case<Real> ec(m, k, n, span, g);
    // Entries of c that differ from c0 d0 + c1 a b (c1 = sign 2^c1_exp), computed exactly.
    auto wrong = [&](const matrix<Real>& c, int c0, int c1_sign, int c1_exp) {
      int count = 0;
      for (int j = 0; j < n; ++j)
        for (int i = 0; i < m; ++i) count += c(i, j) != ec.expected(i, j, c0, c1_sign, c1_exp, span);
      return count;
    };
    const matrix<Real> at = ec.a.transpose();  // the kernel reads transposed operands in place too
    matrix<Real> c(m, n);
    detail::product_set(c, at.transpose(), ec.b);
    CHECK(wrong(c, 0, 1, 0) == 0);
    c = ec.d0;
    detail::product_add(c, ec.a, ec.b);
    CHECK(wrong(c, 1, 1, 0) == 0);
    c = ec.d0;
    detail::product_sub(c, ec.a, ec.b);
    CHECK(wrong(c, 1, -1, 0) == 0);
    c = ec.d0;
    detail::product_add(c, -ldexp(Real(1), -3), ec.a, ec.b);  // dst += c a b with c = -1/8
    CHECK(wrong(c, 1, -1, -3) == 0);
  }
  // An all-zero row and column give exact zeros.
  matrix<Real> a = matrix<Real>::Zero(2, 3), b = matrix<Real>::Ones(3, 2), c(2, 2);
  a(1, 1) = Real(3);
  b.col(0).setZero();
  detail::product_set(c, a, b);
  CHECK(c(0, 0) == 0);
  CHECK(c(0, 1) == 0);
  CHECK(c(1, 0) == 0);
  CHECK(c(1, 1) == 3);
}
TEST_CASE_TEMPLATE_DEFINE("products are exact where the exact result is representable (closed form)", Real,
                          product_exact) {
  test::precision_for_test<Real> prec;
  product_exact_body<Real>();
}
TEST_CASE_TEMPLATE_APPLY(product_exact, scalar_types);

/// k: the inner dimension (100; the kernels also run past the packing limit, where operands are read in place, on
/// a 2 x 2 result: m, n).
template <class Real> void product_bound_body(Eigen::Index k = 100, Eigen::Index m = 6, Eigen::Index n = 5) {
  std::mt19937_64 g(7);
  std::normal_distribution<double> nd;
  // Exponent spread of the operands: wide, but inside double's range for double and long double.
  const int spread = std::is_arithmetic_v<Real> ? 100 : 300;
  std::uniform_int_distribution<int> ed(-spread, spread);
  matrix<Real> a(m, k), b(k, n);
  auto draw = [&] {
    // Several double draws combined so that the low mantissa bits are filled in the wide types.
    Real v = Real(nd(g)) + ldexp(Real(nd(g)), -50) + ldexp(Real(nd(g)), -100) + ldexp(Real(nd(g)), -150);
    return ldexp(v, ed(g));
  };
  for (Eigen::Index l = 0; l < k; ++l) {
    for (Eigen::Index i = 0; i < m; ++i) a(i, l) = draw();
    for (Eigen::Index j = 0; j < n; ++j) b(l, j) = draw();
  }
  // Column 0 of b is made nearly orthogonal to row 0 of a: massive cancellation in c(0,0).
  {
    Real num(0), den(0);
    for (Eigen::Index l = 0; l < k; ++l) {
      a(0, l) = ldexp(Real(nd(g)), ed(g) / 10);
      b(l, 0) = ldexp(Real(nd(g)), ed(g) / 10);
    }
    for (Eigen::Index l = 0; l < k; ++l) {
      num += a(0, l) * b(l, 0);
      den += a(0, l) * a(0, l);
    }
    for (Eigen::Index l = 0; l < k; ++l) b(l, 0) -= num / den * a(0, l);
  }
  matrix<Real> c(m, n);
  detail::product_set(c, a, b);
  const detail::kernel_shape kernel = detail::kernel_shape_of<Real>();
  int outside = 0;
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < m; ++i) {
      exact_type ref(0), kmax(0), sum_abs(0);
      for (Eigen::Index l = 0; l < k; ++l) {
        const exact_type t = exact(a(i, l)) * exact(b(l, j));
        ref += t;
        sum_abs += abs(t);
        if (abs(t) > kmax) kmax = abs(t);
      }
      const exact_type err = abs(exact(c(i, j)) - ref);
      const exact_type u = exact(eps<Real>());
      exact_type bound;
      if (kernel.enabled()) {
        // Half an ulp of the result plus k NA 2^-w Kmax, w = 2 bits - 64 (NA - 1) - 2 (product.hpp).
        bound = u / 2 * abs(exact(c(i, j))) +
                k * kernel.NA * ldexp(kmax, -(2 * kernel.bits - 64 * (kernel.NA - 1) - 2));
      } else {
        bound = u * k * sum_abs;  // recursive summation, gamma_k
      }
      if (err > bound) {
        ++outside;
        MESSAGE("entry (" << i << "," << j << "): error " << err.str(6, std::ios::scientific) << " > bound "
                          << bound.str(6, std::ios::scientific));
      }
      if (i == 0 && j == 0) {  // the set-up did cancel: the result is far below the sum of the magnitudes
        CHECK(abs(ref) < ldexp(sum_abs, -20));
      }
    }
  CHECK(outside == 0);
}
TEST_CASE_TEMPLATE_DEFINE("products keep within their stated error bound over wide magnitudes and cancellation", Real,
                          product_bound) {
  test::precision_for_test<Real> prec;
  product_bound_body<Real>();
  const detail::kernel_shape kernel = detail::kernel_shape_of<Real>();
  if (kernel.enabled()) {  // one term more than the packed operands hold: the in-place path, against the same bound
    CAPTURE(detail::packed_terms_max(kernel.NA));
    product_bound_body<Real>(detail::packed_terms_max(kernel.NA) + 1, 2, 2);
  }
}
TEST_CASE_TEMPLATE_APPLY(product_bound, scalar_types);

/// The kernel's two ways of reading operands agree bit for bit: packed once per product (every product whose
/// terms fit the scratch) and read in place (one term more than that). The same 40 nonzero terms per entry, once
/// alone and once spread among zeros past the packing limit: zero terms add nothing in either path, so every
/// entry, in every mode (set, add, sub, and += c), must come out identical.
template <class Real> void product_paths_body() {
  const detail::kernel_shape kernel = detail::kernel_shape_of<Real>();
  if (!kernel.enabled()) return;
  std::mt19937_64 g(11);
  std::normal_distribution<double> nd;
  std::uniform_int_distribution<int> ed(-60, 60);
  auto draw = [&] {
    Real v = Real(nd(g)) + ldexp(Real(nd(g)), -50) + ldexp(Real(nd(g)), -100) + ldexp(Real(nd(g)), -150);
    return ldexp(v, ed(g));
  };
  const Eigen::Index m = 3, n = 4, few = 40, wide = detail::packed_terms_max(kernel.NA) + 1;
  const Eigen::Index gap = wide / few;
  matrix<Real> a(m, few), b(few, n), A = matrix<Real>::Zero(m, wide), B = matrix<Real>::Zero(wide, n);
  for (Eigen::Index l = 0; l < few; ++l) {
    for (Eigen::Index i = 0; i < m; ++i) A(i, l * gap) = a(i, l) = draw();
    for (Eigen::Index j = 0; j < n; ++j) B(l * gap, j) = b(l, j) = draw();
  }
  matrix<Real> d0(m, n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < m; ++i) d0(i, j) = draw();
  const Real scale = draw();
  for (int mode = 0; mode < 4; ++mode) {
    CAPTURE(mode);
    matrix<Real> packed = d0, in_place = d0;
    if (mode == 0) detail::product_set(packed, a, b), detail::product_set(in_place, A, B);
    if (mode == 1) detail::product_add(packed, a, b), detail::product_add(in_place, A, B);
    if (mode == 2) detail::product_sub(packed, a, b), detail::product_sub(in_place, A, B);
    if (mode == 3) detail::product_add(packed, scale, a, b), detail::product_add(in_place, scale, A, B);
    int differ = 0;
    for (Eigen::Index j = 0; j < n; ++j)
      for (Eigen::Index i = 0; i < m; ++i) differ += !(packed(i, j) == in_place(i, j));
    CHECK(differ == 0);
    CHECK(packed(0, 0) != d0(0, 0));  // the product did land
  }
}
TEST_CASE_TEMPLATE_DEFINE("the packed and the in-place reading of the operands give the same bits", Real, product_paths) {
  test::precision_for_test<Real> prec;
  product_paths_body<Real>();
}
TEST_CASE_TEMPLATE_APPLY(product_paths, scalar_types);

template <class Real> void product_ties_body() {
  const Real u = eps<Real>();  // the ulp of [1, 2)
  const Real half = u / 2;
  // Sums of exactly representable terms whose exact value lies half-way between two neighbours.
  struct tie {
    Real a, b, expected;
  };
  const tie ties[] = {
      {Real(1), half, Real(1)},                    // 1 + u/2: down to the even 1
      {Real(1) + u, half, Real(1) + 2 * u},        // (1 + u) + u/2: up to the even 1 + 2u
      {Real(2) - u, half, Real(2)},                // all ones + u/2: up, carrying into a new power of two
      {-Real(1), -half, -Real(1)},                 // the same, negative
      {-(Real(1) + u), -half, -(Real(1) + 2 * u)},
      {-(Real(2) - u), -half, -Real(2)},
  };
  for (const tie& t : ties) {
    matrix<Real> a(1, 2), b(2, 1), c(1, 1);
    a << t.a, t.b;
    b << 1, 1;
    detail::product_set(c, a, b);
    CHECK_MESSAGE(c(0, 0) == t.expected, to_string(t.a) << " + " << to_string(t.b) << " gave " << to_string(c(0, 0)));
    c(0, 0) = t.a;  // and as dst += a b with dst folded in
    matrix<Real> one(1, 1), h(1, 1);
    one << 1;
    h << t.b;
    detail::product_add(c, h, one);
    CHECK(c(0, 0) == t.expected);
  }
  // A default-constructed destination is resized (as the generic assignment does).
  matrix<Real> a = matrix<Real>::Ones(3, 2), b = matrix<Real>::Ones(2, 4), c;
  detail::product_set(c, a, b);
  CHECK(c.rows() == 3);
  CHECK(c.cols() == 4);
  CHECK(c(2, 3) == 2);
}
TEST_CASE_TEMPLATE_DEFINE("exact ties round to even, and a destination is sized as Eigen sizes it", Real,
                          product_ties) {
  test::precision_for_test<Real> prec;
  product_ties_body<Real>();
}
TEST_CASE_TEMPLATE_APPLY(product_ties, scalar_types);

template <class Real> void product_truncation_body() {
  const detail::kernel_shape fp = detail::kernel_shape_of<Real>();
  if (fp.enabled()) {
    // x = (2^(p-1) + 2^(64(NA-1)) - 1) 2^(1-p), p the precision (the kernel's bits for the fixed types): every low
    // limb of x full, so the dropped columns of x * x carry the most; each pair of terms x * x - fl(x * x) leaves
    // only that truncated part (found by review, 2026-11-29).
    const int p = mantissa_bits<Real>();
    Real x = ldexp(Real(1), -1);
    for (int t = 0; t < 64 * (fp.NA - 1) && t + 34 <= p; t += 32)  // x stays in [1/2, 1)
      x += ldexp(Real(static_cast<unsigned long>(0xffffffffu)), t + 1 - p);
    const Real sq = x * x;
    for (int k : {1, 10, 100}) {
      CAPTURE(k);
      matrix<Real> a(1, 2 * k), b(2 * k, 1), c(1, 1);
      for (int l = 0; l < k; ++l) {
        a(0, 2 * l) = x;
        b(2 * l, 0) = x;
        a(0, 2 * l + 1) = -sq;
        b(2 * l + 1, 0) = 1;
      }
      detail::product_set(c, a, b);
      const exact_type ref = k * (exact(x) * exact(x) - exact(sq));
      const exact_type kmax = exact(x) * exact(x);
      const exact_type err = abs(exact(c(0, 0)) - ref);
      const exact_type bound = exact(eps<Real>()) / 2 * abs(exact(c(0, 0))) +
                               2 * k * fp.NA * ldexp(kmax, -(2 * fp.bits - 64 * (fp.NA - 1) - 2));
      CHECK_MESSAGE(err <= bound, "error " << err.str(6, std::ios::scientific) << " > bound "
                                           << bound.str(6, std::ios::scientific));
      CHECK(ref != 0);  // the set-up leaves the rounding residue of x * x, not an exact zero
    }
  }
}
TEST_CASE_TEMPLATE_DEFINE("full-mantissa operands that maximise the truncation keep within the bound", Real,
                          product_truncation) {
  test::precision_for_test<Real> prec;
  product_truncation_body<Real>();
}
TEST_CASE_TEMPLATE_APPLY(product_truncation, scalar_types);

template <class Real> void product_sums_body() {
  std::mt19937_64 g(11);
  std::normal_distribution<double> nd;
  std::uniform_int_distribution<int> ed(-60, 60);
  auto draw = [&] { return ldexp(Real(nd(g)) + ldexp(Real(nd(g)), -60) + ldexp(Real(nd(g)), -120), ed(g)); };
  const Eigen::Index m = 4, n = 3;
  const int count = 5;
  std::vector<matrix<Real>> as, bts;  // a_j (m x k_j) and b_j stored transposed (n x k_j): the kernel reads b_j^T^T
  for (int j = 0; j < count; ++j) {
    const Eigen::Index k = 1 + 3 * j;
    as.emplace_back(m, k);
    bts.emplace_back(n, k);
    for (Eigen::Index l = 0; l < k; ++l) {
      for (Eigen::Index i = 0; i < m; ++i) as.back()(i, l) = draw();
      for (Eigen::Index i = 0; i < n; ++i) bts.back()(i, l) = draw();
    }
  }
  matrix<Real> d0(m, n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < m; ++i) d0(i, j) = draw();
  auto a = [&](int j) -> const matrix<Real>& { return as[static_cast<std::size_t>(j)]; };
  auto b = [&](int j) { return bts[static_cast<std::size_t>(j)].transpose(); };
  const Real c3 = Real(3);
  const exact_type u = exact(eps<Real>());
  // mode: 0 set, 1 add, 2 sub, 3 add with c = 3
  for (int mode = 0; mode < 4; ++mode) {
    CAPTURE(mode);
    matrix<Real> c = d0;
    if (mode == 0) detail::product_sum(c, detail::product_mode::set, count, a, b);
    if (mode == 1) detail::product_sum(c, detail::product_mode::add, count, a, b);
    if (mode == 2) detail::product_sum(c, detail::product_mode::sub, count, a, b);
    if (mode == 3) detail::product_sum_add(c, c3, count, a, b);
    int outside = 0;
    for (Eigen::Index j = 0; j < n; ++j)
      for (Eigen::Index i = 0; i < m; ++i) {
        exact_type sum(0), sum_abs(0), kmax(0);
        Eigen::Index terms = 0;
        for (int q = 0; q < count; ++q)
          for (Eigen::Index l = 0; l < as[static_cast<std::size_t>(q)].cols(); ++l, ++terms) {
            const exact_type t = exact(as[static_cast<std::size_t>(q)](i, l)) * exact(bts[static_cast<std::size_t>(q)](j, l));
            sum += t;
            sum_abs += abs(t);
            if (abs(t) > kmax) kmax = abs(t);
          }
        const exact_type dd = exact(d0(i, j));
        const exact_type ref = mode == 0 ? sum : mode == 1 ? dd + sum : mode == 2 ? dd - sum : dd + 3 * sum;
        const exact_type err = abs(exact(c(i, j)) - ref);
        exact_type bound;
        if (const detail::kernel_shape fp = detail::kernel_shape_of<Real>(); fp.enabled()) {
          const exact_type window =
              (terms + 1) * fp.NA * ldexp(std::max(kmax, abs(dd)), -(2 * fp.bits - 64 * (fp.NA - 1) - 2));
          // one rounding for set, add and sub; with c: the sum rounded, times c rounded, plus d0 rounded
          bound = mode < 3 ? u / 2 * abs(exact(c(i, j))) + window
                           : u * (3 * abs(sum) + 3 * abs(sum) + abs(dd) + abs(ref)) + 3 * window;
        } else {
          bound = u * (terms + 2) * (3 * sum_abs + abs(dd));
        }
        if (err > bound) {
          ++outside;
          MESSAGE("entry (" << i << "," << j << "): error " << err.str(6, std::ios::scientific) << " > bound "
                            << bound.str(6, std::ios::scientific));
        }
      }
    CHECK(outside == 0);
  }
}
TEST_CASE_TEMPLATE_DEFINE("sums of products (the Taylor method's Cauchy products) keep within the error bound", Real,
                          product_sums) {
  test::precision_for_test<Real> prec;
  product_sums_body<Real>();
}
TEST_CASE_TEMPLATE_APPLY(product_sums, scalar_types);

template <class Real> void product_special_body() {
  using std::isinf;
  using std::isnan;
  const Real inf = std::numeric_limits<Real>::infinity();
  const Real big = std::numeric_limits<Real>::max();
  const Real tiny = (std::numeric_limits<Real>::min)();
  matrix<Real> a(2, 2), b(2, 2), c(2, 2);
  a << 1, 2, 3, 4;
  b << 1, 0, 0, 1;
  // A NaN poisons its row; inf times zero is NaN, inf times a number is inf.
  a(0, 1) = std::numeric_limits<Real>::quiet_NaN();
  detail::product_set(c, a, b);
  CHECK(isnan(c(0, 0)));
  CHECK(isnan(c(0, 1)));
  CHECK(c(1, 0) == 3);
  CHECK(c(1, 1) == 4);
  a << inf, 2, 3, 4;
  detail::product_set(c, a, b);
  CHECK(isnan(c(0, 1)));  // inf * 0 + 2 * 1
  CHECK(isinf(c(0, 0)));
  // A NaN already in dst survives dst += a b.
  a << 1, 2, 3, 4;
  c.setZero();
  c(1, 1) = std::numeric_limits<Real>::quiet_NaN();
  detail::product_add(c, a, b);
  CHECK(isnan(c(1, 1)));
  CHECK(c(0, 0) == 1);
  // Overflow and underflow of one entry: the generic arithmetic decides (inf, and zero or a subnormal).
  a << big, 0, 0, tiny;  // c(0,0) = big * 2 overflows; c(1,0) = tiny * tiny underflows
  b << 2, 0, tiny, 0;
  detail::product_set(c, a, b);
  matrix<Real> generic = a.lazyProduct(b);
  CHECK(isinf(c(0, 0)));
  CHECK(c(1, 0) == generic(1, 0));
  CHECK(c(1, 0) <= tiny);
  CHECK(c(0, 1) == 0);
}
TEST_CASE_TEMPLATE_DEFINE("non-finite operands and out-of-range results give what the generic product gives", Real,
                          product_special) {
  test::precision_for_test<Real> prec;
  product_special_body<Real>();
}
TEST_CASE_TEMPLATE_APPLY(product_special, scalar_types);

template <class Real> void gd_helpers_body() {
  using std::abs;
  constexpr bool kernel = detail::kernel_operands<vector<Real>, vector<Real>, Eigen::Matrix<Real, 1, 1>>();
  std::mt19937_64 g(20261205);
  std::uniform_real_distribution<double> unit(0.5, 2.0);
  const Eigen::Index n = 300;
  vector<Real> x(n), y(n), dst;
  for (Eigen::Index i = 0; i < n; ++i) {  // positive terms: no cancellation, so one rounding is a relative error
    x(i) = Real(unit(g)) / 3;
    y(i) = ldexp(Real(unit(g)) / 7, static_cast<int>(i % 40) - 20);
  }
  const Real c = Real(1) / 1000;
  detail::axpy_kernel(dst, x, c, y);
  const Real norm2 = detail::squared_norm_kernel(y);
  if constexpr (kernel) {  // each entry and the norm rounded once: within half an ulp and the kernel's tiny truncation
    const exact_type u = exact(eps<Real>());
    int worse = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      const exact_type e = exact(x(i)) + exact(c) * exact(y(i));
      worse += abs(exact(dst(i)) - e) > u * abs(e);
    }
    CHECK(worse == 0);
    exact_type e2(0);
    for (Eigen::Index i = 0; i < n; ++i) e2 += exact(y(i)) * exact(y(i));
    CHECK(abs(exact(norm2) - e2) <= u * e2);
  } else {  // double and long double: Eigen's own evaluation, bit for bit
    const vector<Real> eigen_update = x + c * y;
    CHECK((dst.array() == eigen_update.array()).all());
    CHECK(norm2 == y.squaredNorm());
  }
  // Exact where the exact result is representable; a zero step leaves x as it is; non-finite entries propagate.
  vector<Real> xi = vector<Real>::Constant(3, Real(5)), yi(3);
  yi << Real(8), Real(-16), Real(0);
  detail::axpy_kernel(dst, xi, ldexp(Real(1), -3), yi);
  CHECK(dst(0) == 6);
  CHECK(dst(1) == 3);
  CHECK(dst(2) == 5);
  CHECK(detail::squared_norm_kernel(yi) == 320);
  yi(2) = std::numeric_limits<Real>::infinity();
  detail::axpy_kernel(dst, xi, Real(1), yi);
  CHECK(dst(0) == 13);
  CHECK(!is_finite(dst(2)));
  CHECK(!is_finite(detail::squared_norm_kernel(yi)));
}
TEST_CASE_TEMPLATE_DEFINE("GD's update and squared norm (axpy_kernel, squared_norm_kernel) round once in the kernel "
                          "types and are Eigen's elsewhere", Real, gd_helpers) {
  test::precision_for_test<Real> prec;
  gd_helpers_body<Real>();
}
TEST_CASE_TEMPLATE_APPLY(gd_helpers, scalar_types);

TEST_CASE("the fixed-point kernel is what float50, float100 and float128 use, and it rounds where the generic sum "
          "does not") {
  CHECK(detail::kernel_shape_of<float50>().NA == 3);
  CHECK(!detail::kernel_shape_of<double>().enabled());
  CHECK(!detail::kernel_shape_of<long double>().enabled());
  CHECK(detail::fixed_point_product<float50>::enabled);
  CHECK(detail::fixed_point_product<float100>::enabled);
  CHECK(detail::fixed_point_product<float128>::enabled);
  CHECK(!detail::fixed_point_product<double>::enabled);
  CHECK(!detail::fixed_point_product<mpfr_float>::enabled);
  CHECK(detail::fixed_point_product<float50>::bits == 168);
  // float128 operands may be subnormal: the smallest one times 2^200 is exactly 2^(200 - 16494).
  {
    matrix<float128> s(1, 2), t(2, 1), u(1, 1);
    s << std::numeric_limits<float128>::denorm_min(), float128(0);
    t << ldexp(float128(1), 200), float128(1);
    detail::product_set(u, s, t);
    CHECK(u(0, 0) == ldexp(float128(1), 200 - 16494));
  }
  // 1 + 2^-200 - 1 over three terms: recursive summation loses the small term (1 + 2^-200 rounds to 1); the
  // fixed-point accumulator holds 206 bits below the largest term, so it returns 2^-200 exactly.
  matrix<float50> a(1, 3), b(3, 1), c(1, 1);
  a << float50(1), ldexp(float50(1), -200), float50(-1);
  b << 1, 1, 1;
  detail::product_set(c, a, b);
  CHECK(c(0, 0) == ldexp(float50(1), -200));
  const matrix<float50> generic = a.lazyProduct(b);
  CHECK(generic(0, 0) == 0);
}

// The kernel's limb arithmetic in its flag-carry forms (fixed_point_kernel::product: mulx with the carries in the
// flags, where the build targets x86-64 with BMI2; add_shifted_signed: an adc chain, on x86-64) against the portable
// forms, which every bound and closed-form test above validated before the flag-carry forms existed: the same limbs
// for every limb count, on random limbs and on the extremes (all ones: the most carries; single high bits; zeros).
// Where the build lacks them, each function is its portable form and this test compares it with itself.
template <class Format> void limb_product_body() {
  using kernel = detail::fixed_point_kernel<Format>;
  constexpr int NA = kernel::NA, NP = kernel::NP;
  std::mt19937_64 g(1234 + NA);
  std::vector<std::vector<detail::limb>> operands;
  for (int r = 0; r < 200; ++r) {
    std::vector<detail::limb> v(NA);
    for (auto& l : v) l = g();
    operands.push_back(v);
  }
  operands.push_back(std::vector<detail::limb>(NA, ~detail::limb(0)));
  operands.push_back(std::vector<detail::limb>(NA, 0));
  std::vector<detail::limb> high(NA, 0);
  high[NA - 1] = detail::limb(1) << 63;
  operands.push_back(high);
  std::vector<detail::limb> low(NA, 0);
  low[0] = 1;
  operands.push_back(low);
  int differing = 0;
  for (std::size_t i = 0; i < operands.size(); ++i)
    for (std::size_t j = 0; j < operands.size(); j += 7) {
      detail::limb p[NP], q[NP];
      kernel::product(operands[i].data(), operands[j].data(), p);
      kernel::product_portable(operands[i].data(), operands[j].data(), q);
      for (int t = 0; t < NP; ++t) differing += p[t] != q[t];
    }
  CHECK(differing == 0);
  // The shifted add (two's complement: mask ~0 subtracts) at every shift, of random and all-ones limbs (the longest
  // carry chains), into random and all-ones accumulators.
  int differing_sums = 0;
  for (int r = 0; r < 64 * NP; ++r) {
    detail::limb term[kernel::PP] = {}, acc[NP], acc_portable[NP];
    for (int t = 0; t < NP; ++t) {
      term[t] = r % 3 == 0 ? ~detail::limb(0) : g();
      acc[t] = acc_portable[t] = r % 5 == 0 ? ~detail::limb(0) : g();
    }
    const detail::limb mask = r % 2 ? ~detail::limb(0) : 0;
    kernel::add_shifted_signed(acc, term, r, mask);
    kernel::add_shifted_signed_portable(acc_portable, term, r, mask);
    for (int t = 0; t < NP; ++t) differing_sums += acc[t] != acc_portable[t];
  }
  CHECK(differing_sums == 0);
}

template <int... NA> void limb_product_all(std::integer_sequence<int, NA...>) {
  (limb_product_body<detail::mpfr_fixed_point_format<NA + 2>>(), ...);
}

TEST_CASE("the kernel's limb product and shifted add give the limbs of their portable forms at every limb count") {
  limb_product_body<detail::fixed_point_format<float50>>();
  limb_product_body<detail::fixed_point_format<float100>>();
  limb_product_body<detail::fixed_point_format<mp::float128>>();
  limb_product_all(std::make_integer_sequence<int, 15>{});  // NA = 2 .. 16, the mpfr kernels of src/product.cpp
}

TEST_CASE("mpfr_float takes the kernel at every digit count up to 303, each product in the limbs its precision needs") {
  // Digit counts on both sides of limb boundaries (mpfr:33 is 111 bits: NA 2; mpfr:34 is 114 bits: NA 3), whole
  // limbs (mpfr:38 is 128 bits, mpfr:96 320: no zero bits below the precision in the top limb), the
  // widest kernel (mpfr:303, 1008 bits: NA 16) and past it (mpfr:305, 1013 bits: the generic path). Every body above
  // runs at each (mpfr:16, 55 bits, is the least the closed-form body handles), against its exact reference and the
  // kernel's bound at that NA.
  for (unsigned digits : {16u, 33u, 34u, 38u, 50u, 77u, 96u, 150u, 300u, 303u, 305u}) {
    CAPTURE(digits);
    mpfr_digits_scope scope{digits};
    const int p = mantissa_bits<mpfr_float>();
    const detail::kernel_shape k = detail::kernel_shape_of<mpfr_float>();
    CAPTURE(p);
    CHECK(k.enabled() == (p <= 1008));
    if (k.enabled()) {
      CHECK(k.bits >= p);                                 // the operands fit the mantissa field
      CHECK((k.NA == 2 || k.bits - 64 < p));              // and the next narrower kernel would not hold them
      // The kernel is taken: 1 + 2^-(p + 20) - 1 in three terms is 2^-(p + 20) exactly (the accumulator holds
      // 64 NA + 30 bits below the largest term); the generic sum rounds 1 + 2^-(p + 20) to 1 and returns 0.
      matrix<mpfr_float> a(1, 3), b(3, 1), c(1, 1);
      a << mpfr_float(1), ldexp(mpfr_float(1), -(p + 20)), mpfr_float(-1);
      b << 1, 1, 1;
      detail::product_set(c, a, b);
      CHECK(c(0, 0) == ldexp(mpfr_float(1), -(p + 20)));
      const matrix<mpfr_float> generic = a.lazyProduct(b);
      CHECK(generic(0, 0) == 0);
    }
    product_exact_body<mpfr_float>();
    product_bound_body<mpfr_float>();
    product_ties_body<mpfr_float>();
    product_truncation_body<mpfr_float>();
    product_sums_body<mpfr_float>();
    product_special_body<mpfr_float>();
    product_paths_body<mpfr_float>();
    if (k.enabled()) product_bound_body<mpfr_float>(detail::packed_terms_max(k.NA) + 1, 2, 2);
  }
}

TEST_CASE("an mpfr product reads every operand at its own precision and rounds at the destination's") {
  mpfr_float wide;
  {
    mpfr_digits_scope scope{100};
    wide = 1 + ldexp(mpfr_float(1), -300);  // 333 bits: not representable at 30 digits
  }
  mpfr_digits_scope scope{30};
  const int p30 = mantissa_bits<mpfr_float>();
  matrix<mpfr_float> a(1, 2), b(2, 1), c(1, 1);
  a(0, 0) = wide;
  a(0, 1) = -1;
  b << 1, 1;
  REQUIRE(mpfr_get_prec(a(0, 0).backend().data()) > p30);  // the copy kept its 100 digits
  detail::product_set(c, a, b);  // (1 + 2^-300) - 1: exact only if the wide operand is read in full
  CHECK(c(0, 0) == ldexp(mpfr_float(1), -300));
  CHECK(mpfr_get_prec(c(0, 0).backend().data()) == p30);
  b(1, 0) = 0;
  detail::product_set(c, a, b);  // 1 + 2^-300 rounded at the destination's 30 digits: 1
  CHECK(c(0, 0) == 1);
  CHECK(mpfr_get_prec(c(0, 0).backend().data()) == p30);
  // dst += a b and dst -= a b keep a destination's own precision, wider or narrower than the working one, and
  // round there: d = 1 + 2^-300 at 100 digits, a b = 2^-200.
  matrix<mpfr_float> u(1, 1), v(1, 1), d(1, 1);
  u(0, 0) = ldexp(mpfr_float(1), -100);
  v(0, 0) = ldexp(mpfr_float(1), -100);
  const mpfr_prec_t p100 = mpfr_get_prec(wide.backend().data());
  d(0, 0) = wide;
  REQUIRE(mpfr_get_prec(d(0, 0).backend().data()) == p100);
  detail::product_add(d, u, v);  // 1 + 2^-200 + 2^-300: exact at 100 digits, 1 at 30
  CHECK(mpfr_get_prec(d(0, 0).backend().data()) == p100);
  mpfr_float expected;
  {
    mpfr_digits_scope scope100{100};
    expected = wide + ldexp(mpfr_float(1), -200);  // exact at 100 digits (333 bits)
  }
  CHECK(d(0, 0) == expected);
  detail::product_sub(d, u, v);
  CHECK(mpfr_get_prec(d(0, 0).backend().data()) == p100);
  CHECK(d(0, 0) == wide);
  mpfr_float narrow;
  {
    mpfr_digits_scope scope16{16};
    narrow = mpfr_float(1);  // moved from a 16-digit temporary: narrow takes its precision
  }
  const mpfr_prec_t p16 = mpfr_get_prec(narrow.backend().data());
  REQUIRE(p16 < p30);
  d(0, 0) = narrow;
  REQUIRE(mpfr_get_prec(d(0, 0).backend().data()) == p16);
  u(0, 0) = ldexp(mpfr_float(1), -30);
  v(0, 0) = ldexp(mpfr_float(1), -30);
  detail::product_add(d, u, v);  // 1 + 2^-60 rounded at d's 16 digits (55 bits): 1
  CHECK(mpfr_get_prec(d(0, 0).backend().data()) == p16);
  CHECK(d(0, 0) == 1);
}
