// Tests of observe/metrics.hpp: the problem's alignment defect and the metrics of any problem (general_observer).
// Oracles: closed forms. A hand-built 2 x 2 problem whose only defect is W1 = [[1, e], [0, 1]] (dY = sigma e1 e1^T,
// W2 = I): v = g = u = e1, W1^T g = (1, e), so the defect is e / sqrt(1 + e^2) exactly; and states of one-matrix LoRA
// (F = s B1 A1, rank one) whose left singular vector is tilted by a known angle theta from dY's, with ||B||, ||A||
// chosen so the singular value and the balance are known. With axis-aligned factors the SVDs are exact, so a tiny
// angle (1e-30) shows that the sines come from projections, not from 1 - cos (which would be 0 below sqrt(eps)); with
// randomly rotated factors the sine carries the error of the computed singular vectors, about eps ||F|| / gap (gap =
// sigma_1 here: rank one), which the rotated case's tolerance states.
#include <loraflow/model/lora.hpp>
#include <loraflow/model/one_matrix.hpp>
#include <loraflow/observe/metrics.hpp>
#include <loraflow/random.hpp>

#include "checks.hpp"

using namespace loraflow;

TEST_CASE_TEMPLATE_DEFINE("metrics: the alignment defect of a hand-built problem is e / sqrt(1 + e^2)", Real, mt_defect) {
  test::precision_for_test<Real> prec;
  using std::sqrt;
  lora_problem<Real> p;
  p.W1 = matrix<Real>::Identity(2, 2);
  p.W2 = matrix<Real>::Identity(2, 2);
  p.dY = matrix<Real>::Zero(2, 2);
  p.dY(0, 0) = 3;
  p.rank = 1;
  CHECK(direction_of<Real>(p).alignment_defect == 0);  // the aligned form exactly
  for (const char* e_text : {"1e-3", "1e-20"}) {
    const Real e = parse<Real>(e_text);
    p.W1(0, 1) = e;
    const direction<Real> d = direction_of<Real>(p);
    LORAFLOW_CHECK_REL(d.alignment_defect, Real(e / sqrt(1 + e * e)), 16 * eps<Real>());
  }
  p.W1.setZero();  // no direction: NaN, never a refusal
  CHECK_FALSE(direction_of<Real>(p).alignment_defect == direction_of<Real>(p).alignment_defect);
}
TEST_CASE_TEMPLATE_APPLY(mt_defect, scalar_types);

TEST_CASE_TEMPLATE_DEFINE("metrics: principal-angle sines, rank, singular values and balance (general_observer)", Real,
                          mt_general) {
  test::precision_for_test<Real> prec;
  using std::cos;
  using std::sin;
  const Real s = Real(3) / 2;
  matrix<Real> S = matrix<Real>::Zero(3, 3);
  S(0, 0) = 2;
  const lora_model<Real> model(one_matrix_problem<Real>(matrix<Real>::Zero(3, 3), S, 1, s, Real(0)));
  const general_observer<Real> obs(model);
  CHECK(obs.k() == 1);
  CHECK(general_metrics<Real>::names(1) ==
        std::vector<std::string>{"sin_angle_left", "sin_angle_right", "rank_F", "sigma_F_1", "balance1", "balance2"});
  vector<Real> x = vector<Real>::Zero(model.dimension());
  {  // F = 0: rank 0, the angles undefined (NaN), balance 0
    const general_metrics<Real> g = obs(x);
    CHECK(g.rank == 0);
    CHECK_FALSE(g.sin_left == g.sin_left);
    CHECK(g.balance1 == 0);
  }
  for (const char* th_text : {"0.3", "1e-30"}) {
    const Real th = parse<Real>(th_text);
    // B1 = (cos th, sin th, 0)^T, A1 = (2, 0, 0): F = s B1 A1 = 2 s (cos th, sin th, 0)^T e1^T.
    model.B1(x)(0, 0) = cos(th);
    model.B1(x)(1, 0) = sin(th);
    model.A1(x)(0, 0) = 2;
    const general_metrics<Real> g = obs(x);
    CHECK(g.rank == 1);
    LORAFLOW_CHECK_REL(g.sin_left, Real(sin(th)), 64 * eps<Real>());
    CHECK(g.sin_right <= 64 * eps<Real>());
    LORAFLOW_CHECK_REL(Real(g.sigma(0)), Real(2 * s), 64 * eps<Real>());
    LORAFLOW_CHECK_REL(g.balance1, Real(3), 64 * eps<Real>());  // |B^T B - A A^T| = |1 - 4|
    CHECK_FALSE(g.balance2 == g.balance2);                        // one adapter: NaN
  }
  // Rotated: S = 2 q1 p1^T and F = 2 s (cos th q1 + sin th q2) p1^T for random orthonormal q (left) and p (right).
  gaussian_stream gs(11, 3);
  const matrix<Real> Q = linalg::householder_q<Real>(gs.normal_matrix<Real>(3, 3));
  const matrix<Real> P = linalg::householder_q<Real>(gs.normal_matrix<Real>(3, 3));
  const Real th = parse<Real>("0.3");
  const lora_model<Real> rot(
      one_matrix_problem<Real>(matrix<Real>::Zero(3, 3), matrix<Real>(2 * Q.col(0) * P.col(0).transpose()), 1, s, Real(0)));
  vector<Real> y = vector<Real>::Zero(rot.dimension());
  rot.B1(y) = cos(th) * Q.col(0) + sin(th) * Q.col(1);
  rot.A1(y) = 2 * P.col(0).transpose();
  const general_metrics<Real> g = general_observer<Real>(rot)(y);
  LORAFLOW_CHECK_CLOSE(g.sin_left, Real(sin(th)), Real(64 * eps<Real>()));
  CHECK(g.sin_right <= 64 * eps<Real>());
}
TEST_CASE_TEMPLATE_APPLY(mt_general, scalar_types);
