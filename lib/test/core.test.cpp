// Tests of scalar.hpp, random.hpp and linalg.hpp: parsing at working precision, printing every digit, and the
// Jacobi decompositions (oracle: reconstruction and orthogonality to a few hundred eps in every scalar type).
#include <loraflow/linalg.hpp>
#include <loraflow/random.hpp>
#include <loraflow/run/precision.hpp>
#include <loraflow/scalar.hpp>

#include "checks.hpp"

using namespace loraflow;

TEST_CASE_TEMPLATE_DEFINE("decimal strings parse at working precision and print back exactly", Real, parse_roundtrip) {
  test::precision_for_test<Real> prec;
  // 1/100 written as a string must equal Real(1)/100 exactly (correct rounding), unlike the widened double.
  CHECK(parse<Real>("0.01") == Real(1) / 100);
  // 10^30 is exact in the types with >= 70 mantissa bits, so there the quotient is correctly rounded too.
  if (digits10<Real>() > 20) CHECK(parse<Real>("1e-30") == Real(1) / pow(Real(10), 30));
  CHECK(test::rel_error(parse<Real>("1e-30"), Real(1) / pow(Real(10), 30)) <= eps<Real>());
  if (digits10<Real>() > 20) CHECK(Real(0.01) != Real(1) / 100);  // the trap this guards against is real
  const Real third = Real(1) / 3;
  CHECK(parse<Real>(to_string(third)) == third);
  CHECK_THROWS_AS(parse<Real>("abc"), std::invalid_argument);
  CHECK_THROWS_AS(parse<Real>("1e"), std::invalid_argument);
  CHECK_THROWS_AS(parse<Real>("nan"), std::invalid_argument);
  CHECK_THROWS_AS(parse<Real>(""), std::invalid_argument);
}
TEST_CASE_TEMPLATE_APPLY(parse_roundtrip, scalar_types);

TEST_CASE("mpfr precision is chosen at run time") {
  {
    mpfr_digits_scope s(120);
    CHECK(digits10<mpfr_float>() == 120);
    const mpfr_float x = mpfr_float(1) / 3;
    CHECK(to_string(x).size() > 120);
    CHECK(eps<mpfr_float>() < mpfr_float("1e-119"));
  }
  mpfr_digits_scope s2(25);
  CHECK(eps<mpfr_float>() > mpfr_float("1e-26"));
}

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

TEST_CASE_TEMPLATE_DEFINE("Jacobi SVD, symmetric eigensolver and Householder Q are accurate", Real, linalg_accuracy) {
  test::precision_for_test<Real> prec;
  using std::abs;
  gaussian_stream g(3, 9);
  const Real tol = 2000 * eps<Real>();
  for (auto shape : {std::pair<int, int>{7, 4}, std::pair<int, int>{4, 7}, std::pair<int, int>{5, 5}}) {
    const matrix<Real> A = g.normal_matrix<Real>(shape.first, shape.second);
    const linalg::svd_result<Real> f = linalg::svd<Real>(A);
    const matrix<Real> R = f.U * f.s.asDiagonal() * f.V.transpose() - A;
    CHECK(to_double(R.cwiseAbs().maxCoeff()) <= to_double(tol));
    const Eigen::Index k = f.s.size();
    CHECK(to_double((f.U.transpose() * f.U - matrix<Real>::Identity(k, k)).cwiseAbs().maxCoeff()) <= to_double(tol));
    CHECK(to_double((f.V.transpose() * f.V - matrix<Real>::Identity(k, k)).cwiseAbs().maxCoeff()) <= to_double(tol));
    for (Eigen::Index i = 1; i < k; ++i) CHECK(f.s(i - 1) >= f.s(i));
  }
  // Symmetric eigensolver on a matrix with known spectrum Q diag(5, 2, 2, -1) Q^T.
  const matrix<Real> Q = linalg::householder_q<Real>(g.normal_matrix<Real>(4, 4));
  CHECK(to_double((Q.transpose() * Q - matrix<Real>::Identity(4, 4)).cwiseAbs().maxCoeff()) <= to_double(tol));
  vector<Real> lam(4);
  lam << Real(5), Real(2), Real(2), Real(-1);
  const matrix<Real> S = Q * lam.asDiagonal() * Q.transpose();
  const linalg::sym_eig_result<Real> e = linalg::sym_eig<Real>(S);
  for (int i = 0; i < 4; ++i) LORAFLOW_CHECK_CLOSE(e.values(i), lam(i), tol);
  CHECK(to_double((S * e.vectors - e.vectors * e.values.asDiagonal()).cwiseAbs().maxCoeff()) <= to_double(tol * 5));
  // Rank-deficient input: the SVD still returns an orthonormal U.
  matrix<Real> D = matrix<Real>::Zero(5, 3);
  D(0, 0) = Real(2);
  const linalg::svd_result<Real> fd = linalg::svd<Real>(D);
  CHECK(to_double((fd.U.transpose() * fd.U - matrix<Real>::Identity(3, 3)).cwiseAbs().maxCoeff()) <= to_double(tol));
}
TEST_CASE_TEMPLATE_APPLY(linalg_accuracy, scalar_types);

// Above linalg::large_double, double uses Eigen's BDCSVD and HouseholderQR with the same conventions; the problem
// generator relies on every precision seeing the same factors. Oracle: the float50 Jacobi and Householder loops on
// the same (exactly converted) matrix; factors agree column by column to rounding, signs included.
TEST_CASE("large double SVD and Householder Q follow the generic conventions (against float50)") {
  const Eigen::Index n = linalg::large_double + 8;
  gaussian_stream g(4, 2);
  const matrix<double> A = g.normal_matrix<double>(n, n - 3), S = g.normal_matrix<double>(n, n);
  const matrix<float50> A50 = A.cast<float50>(), S50 = S.cast<float50>();
  const linalg::svd_result<double> f = linalg::svd<double>(A);
  const linalg::svd_result<float50> f50 = linalg::svd<float50>(A50);
  const matrix<double> Q = linalg::householder_q<double>(S);
  const matrix<double> Q50 = linalg::householder_q<float50>(S50).cast<double>();
  // Singular vectors of a Gaussian matrix are conditioned by the gaps of its spectrum (about 1/n here): 1e-10 leaves
  // room for that and is 1e4 below any sign or ordering difference (O(1)).
  CHECK((f.s - f50.s.cast<double>()).cwiseAbs().maxCoeff() <= 1e-12 * f.s(0));
  CHECK((f.U - f50.U.cast<double>()).cwiseAbs().maxCoeff() <= 1e-10);
  CHECK((f.V - f50.V.cast<double>()).cwiseAbs().maxCoeff() <= 1e-10);
  CHECK((Q - Q50).cwiseAbs().maxCoeff() <= 1e-12);
  CHECK((f.U * f.s.asDiagonal() * f.V.transpose() - A).cwiseAbs().maxCoeff() <= 1e-12);
}

// The precision plan of run/precision.hpp follows its stated rule: L = ceil(p log10(1/alpha)), rtol = 10^-(k+L+1),
// D = k + L + 4 digits, and the cheapest type with D digits.

TEST_CASE("plan_for_alpha follows the stated rule") {
  const precision_plan a = plan_for_alpha("1e-4", 6, 1);  // L = 4, D = 14
  CHECK(a.type == "double");
  CHECK(a.rtol == "1e-11");
  const precision_plan b = plan_for_alpha("1e-5", 3, 2);  // the loss floor: L = 10, D = 17
  CHECK(b.type == "long_double");
  CHECK(b.rtol == "1e-14");
  const precision_plan c = plan_for_alpha("1e-30", 6, 1);  // L = 30, D = 40
  CHECK(c.type == "50");
  CHECK(c.rtol == "1e-37");
  const precision_plan d = plan_for_alpha("1e-200", 6, 1);  // D = 210: mpfr at run time
  CHECK(d.type == "mpfr");
  CHECK(d.mpfr_digits == 210u);
  const precision_plan e = plan_for_alpha("3", 6, 1);  // alpha >= 1: L = 0
  CHECK(e.type == "double");
  CHECK(e.rtol == "1e-7");
  const precision_plan f = plan_for_alpha("1e-30", 6, 0);  // the singular frame: no alpha term, D = 10
  CHECK(f.type == "double");
  CHECK(f.rtol == "1e-7");
  CHECK(f.reason.find("singular frame") != std::string::npos);
  const precision_plan h = plan_for_alpha("1e-30", 14, 0);  // D = 18
  CHECK(h.type == "long_double");
  CHECK(h.rtol == "1e-15");
}
