// Tests of linalg.hpp: the Jacobi decompositions (oracle: reconstruction and orthogonality to a few thousand eps in
// every scalar type) and the double fast path's conventions.
#include <loraflow/linalg.hpp>
#include <loraflow/random.hpp>

#include "checks.hpp"

using namespace loraflow;

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
