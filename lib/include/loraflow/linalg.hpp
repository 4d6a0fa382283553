// loraflow/linalg.hpp: small dense decompositions that work for every loraflow scalar.
//
// Provides: sym_eig (cyclic Jacobi, symmetric S = V diag(w) V^T, w descending), svd (one-sided Jacobi,
// A = U diag(s) V^T thin, s descending), and householder_q (the orthogonal factor of A = QR with diag(R) >= 0,
// which turns a Gaussian matrix into a Haar-distributed orthogonal one).
//
// Why our own: Boost 1.74's eigen.hpp lacks NumTraits members that Eigen 3.4's BDCSVD and SelfAdjointEigenSolver
// need, float128 breaks Eigen's decompositions, and variable-precision mpfr trips static_asserts
// (shared/notes/pitfalls.md 1.5-1.6). Jacobi methods are also the accurate choice: they give small singular values
// and vectors to high relative accuracy. The sizes here are small (r x r Gram matrices, the m x n target, one h x h
// Haar draw at set-up), so O(n^3) per sweep is fine. Not for large matrices in a hot loop.
// Large problems in double: above large_double (min dimension 64), svd and householder_q use Eigen's BDCSVD and
// HouseholderQR (blocked, vectorised; at 1024 x 1024 about 1 s and 0.2 s against about 30 s for the generic loops)
// and then apply the same conventions (descending s, the largest-magnitude entry of each right singular vector
// positive, diag(R) >= 0), so every precision still sees the same problem up to rounding. Small sizes, and every
// other scalar type, keep the Jacobi and Householder loops below.
#pragma once

#include <loraflow/scalar.hpp>

#include <Eigen/QR>
#include <Eigen/SVD>
#include <type_traits>

#include <algorithm>
#include <numeric>
#include <vector>

namespace loraflow::linalg {

template <class Real> struct sym_eig_result {
  vector<Real> values;   // descending
  matrix<Real> vectors;  // column k belongs to values(k)
};

/// Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations, to working precision.
template <class Real> sym_eig_result<Real> sym_eig(const matrix<Real>& S) {
  using std::abs;
  using std::sqrt;
  const Eigen::Index n = S.rows();
  if (S.cols() != n) throw std::invalid_argument("sym_eig: matrix is not square");
  matrix<Real> a = S;
  matrix<Real> v = matrix<Real>::Identity(n, n);
  const Real tiny = eps<Real>() * eps<Real>();
  for (int sweep = 0; sweep < 100; ++sweep) {
    Real off(0), diag(0);
    for (Eigen::Index j = 0; j < n; ++j) {
      diag += a(j, j) * a(j, j);
      for (Eigen::Index i = 0; i < j; ++i) off += a(i, j) * a(i, j);
    }
    if (off <= tiny * diag || off == 0) break;
    for (Eigen::Index p = 0; p < n; ++p)
      for (Eigen::Index q = p + 1; q < n; ++q) {
        if (a(p, q) == 0) continue;
        const Real theta = (a(q, q) - a(p, p)) / (2 * a(p, q));
        const Real t = (theta >= 0 ? Real(1) : Real(-1)) / (abs(theta) + sqrt(theta * theta + 1));
        const Real c = 1 / sqrt(t * t + 1), s = t * c;
        for (Eigen::Index k = 0; k < n; ++k) {  // a <- J^T a J
          const Real akp = a(k, p), akq = a(k, q);
          a(k, p) = c * akp - s * akq;
          a(k, q) = s * akp + c * akq;
        }
        for (Eigen::Index k = 0; k < n; ++k) {
          const Real apk = a(p, k), aqk = a(q, k);
          a(p, k) = c * apk - s * aqk;
          a(q, k) = s * apk + c * aqk;
        }
        for (Eigen::Index k = 0; k < n; ++k) {
          const Real vkp = v(k, p), vkq = v(k, q);
          v(k, p) = c * vkp - s * vkq;
          v(k, q) = s * vkp + c * vkq;
        }
      }
  }
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Eigen::Index(0));
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index i, Eigen::Index j) { return a(i, i) > a(j, j); });
  sym_eig_result<Real> r{vector<Real>(n), matrix<Real>(n, n)};
  for (Eigen::Index k = 0; k < n; ++k) {
    r.values(k) = a(order[k], order[k]);
    r.vectors.col(k) = v.col(order[k]);
  }
  return r;
}

template <class Real> struct svd_result {
  matrix<Real> U;  // m x k, orthonormal columns
  vector<Real> s;  // k singular values, descending, >= 0
  matrix<Real> V;  // n x k, orthonormal columns
};

/// Thin SVD by one-sided Jacobi (Hestenes) on the columns of A (or of A^T when A is wide), k = min(m, n).
/// Sign convention: the largest-magnitude entry of each right singular vector is positive, so the result is
/// deterministic for a given input.
/// The sign convention of svd: the largest-magnitude entry of each right singular vector is positive (U follows).
template <class Real> void fix_signs(svd_result<Real>& r) {
  using std::abs;
  for (Eigen::Index k = 0; k < r.V.cols(); ++k) {
    Eigen::Index imax = 0;
    for (Eigen::Index i = 1; i < r.V.rows(); ++i)
      if (abs(r.V(i, k)) > abs(r.V(imax, k))) imax = i;
    if (r.V(imax, k) < 0) {
      r.V.col(k) = -r.V.col(k);
      r.U.col(k) = -r.U.col(k);
    }
  }
}

/// Sizes from which double uses Eigen's blocked decompositions (see the header).
constexpr Eigen::Index large_double = 64;

template <class Real> svd_result<Real> svd(const matrix<Real>& A) {
  using std::abs;
  using std::sqrt;
  if constexpr (std::is_same_v<Real, double>) {
    if (std::min(A.rows(), A.cols()) >= large_double) {
      Eigen::BDCSVD<matrix<double>> f(A, Eigen::ComputeThinU | Eigen::ComputeThinV);
      svd_result<Real> r{f.matrixU(), f.singularValues(), f.matrixV()};
      fix_signs(r);
      return r;
    }
  }
  if (A.rows() < A.cols()) {
    svd_result<Real> t = svd<Real>(A.transpose());
    // A^T = U' S V'^T  =>  A = V' S U'^T; re-normalise the sign on the new V.
    svd_result<Real> r{t.V, t.s, t.U};
    fix_signs(r);
    return r;
  }
  const Eigen::Index m = A.rows(), n = A.cols();
  matrix<Real> u = A;
  matrix<Real> v = matrix<Real>::Identity(n, n);
  const Real tol = eps<Real>();
  for (int sweep = 0; sweep < 100; ++sweep) {
    bool rotated = false;
    for (Eigen::Index p = 0; p < n; ++p)
      for (Eigen::Index q = p + 1; q < n; ++q) {
        Real alpha(0), beta(0), gamma(0);
        for (Eigen::Index i = 0; i < m; ++i) {
          alpha += u(i, p) * u(i, p);
          beta += u(i, q) * u(i, q);
          gamma += u(i, p) * u(i, q);
        }
        if (gamma == 0 || abs(gamma) <= tol * sqrt(alpha * beta)) continue;
        rotated = true;
        const Real zeta = (beta - alpha) / (2 * gamma);
        const Real t = (zeta >= 0 ? Real(1) : Real(-1)) / (abs(zeta) + sqrt(zeta * zeta + 1));
        const Real c = 1 / sqrt(t * t + 1), s = t * c;
        for (Eigen::Index i = 0; i < m; ++i) {
          const Real up = u(i, p), uq = u(i, q);
          u(i, p) = c * up - s * uq;
          u(i, q) = s * up + c * uq;
        }
        for (Eigen::Index i = 0; i < n; ++i) {
          const Real vp = v(i, p), vq = v(i, q);
          v(i, p) = c * vp - s * vq;
          v(i, q) = s * vp + c * vq;
        }
      }
    if (!rotated) break;
  }
  vector<Real> s(n);
  for (Eigen::Index k = 0; k < n; ++k) s(k) = sqrt(squared_norm(u.col(k)));
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Eigen::Index(0));
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index i, Eigen::Index j) { return s(i) > s(j); });
  svd_result<Real> r{matrix<Real>::Zero(m, n), vector<Real>(n), matrix<Real>(n, n)};
  for (Eigen::Index k = 0; k < n; ++k) {
    const Eigen::Index o = order[k];
    r.s(k) = s(o);
    r.V.col(k) = v.col(o);
    if (s(o) > 0) r.U.col(k) = u.col(o) / s(o);
  }
  fix_signs(r);
  // Columns belonging to zero singular values: complete U to an orthonormal set by Gram-Schmidt on unit vectors.
  for (Eigen::Index k = 0; k < n; ++k) {
    if (r.s(k) > 0) continue;
    for (Eigen::Index e = 0; e < m; ++e) {
      vector<Real> c = vector<Real>::Zero(m);
      c(e) = 1;
      for (int pass = 0; pass < 2; ++pass)
        for (Eigen::Index j = 0; j < n; ++j)
          if (j != k && (r.s(j) > 0 || j < k)) c -= r.U.col(j) * r.U.col(j).dot(c);
      const Real nc = sqrt(squared_norm(c));
      if (nc > Real(1) / 2) {
        r.U.col(k) = c / nc;
        break;
      }
    }
  }
  return r;
}

/// Q of A = QR (Householder), with the signs fixed so that diag(R) >= 0. For square A with i.i.d. N(0,1) entries
/// the result is Haar-distributed on the orthogonal group (Mezzadri 2007). Returns the m x m matrix Q.
template <class Real> matrix<Real> householder_q(const matrix<Real>& A) {
  using std::sqrt;
  const Eigen::Index m = A.rows(), n = A.cols();
  if constexpr (std::is_same_v<Real, double>) {
    if (std::min(m, n) >= large_double) {
      Eigen::HouseholderQR<matrix<double>> f(A);
      matrix<double> q = f.householderQ() * matrix<double>::Identity(m, m);
      const auto& qr = f.matrixQR();
      for (Eigen::Index k = 0; k < std::min(m, n); ++k)
        if (qr(k, k) < 0) q.col(k) = -q.col(k);
      return q;
    }
  }
  matrix<Real> r = A;
  matrix<Real> q = matrix<Real>::Identity(m, m);
  vector<Real> w(m);
  for (Eigen::Index k = 0; k < std::min(m - 1, n); ++k) {
    const Eigen::Index len = m - k;
    Real norm_x = sqrt(squared_norm(r.col(k).tail(len)));
    if (norm_x == 0) continue;
    w.head(len) = r.col(k).tail(len);
    const Real alpha = r(k, k) >= 0 ? Real(-norm_x) : Real(norm_x);
    w(0) -= alpha;
    const Real wn2 = squared_norm(w.head(len));
    if (wn2 == 0) continue;
    // r <- (I - 2 w w^T / w^T w) r ; q <- q (I - 2 w w^T / w^T w)
    for (Eigen::Index j = 0; j < n; ++j) {
      const Real f = 2 * w.head(len).dot(r.col(j).tail(len)) / wn2;
      r.col(j).tail(len) -= f * w.head(len);
    }
    for (Eigen::Index i = 0; i < m; ++i) {
      const Real f = 2 * q.row(i).tail(len).dot(w.head(len).transpose()) / wn2;
      q.row(i).tail(len) -= f * w.head(len).transpose();
    }
  }
  for (Eigen::Index k = 0; k < std::min(m, n); ++k)
    if (r(k, k) < 0) q.col(k) = -q.col(k);
  return q;
}

#define LORAFLOW_INST_LINALG(EXT, T)                          \
  EXT template sym_eig_result<T> sym_eig<T>(const matrix<T>&); \
  EXT template svd_result<T> svd<T>(const matrix<T>&);          \
  EXT template matrix<T> householder_q<T>(const matrix<T>&);
#ifndef LORAFLOW_NO_EXTERN_TEMPLATES
LORAFLOW_EXTERN_ALL(LORAFLOW_INST_LINALG)
#endif

}  // namespace loraflow::linalg
