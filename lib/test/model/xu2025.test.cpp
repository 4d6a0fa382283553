// Tests of model/xu2025.hpp. Oracle: the generator's construction identities (W2 W1 = Y_pre, delta_w = 1/c^2).
#include <loraflow/model/xu2025.hpp>
#include <loraflow/observe/metrics.hpp>

#include "checks.hpp"

using namespace loraflow;

TEST_CASE_TEMPLATE_DEFINE("the Xu et al. generator satisfies its construction identities", Real, generator) {
  test::precision_for_test<Real> prec;
  xu2025_spec<Real> spec;
  spec.m = 4;
  spec.n = 3;
  spec.h = 6;
  spec.c = Real(2);
  spec.dy = {dy_component<Real>{0, Real(5)}};
  const generated_problem<Real> gp = generate_xu2025(spec);
  const Real tol = 1000 * eps<Real>();
  CHECK(to_double((gp.W2 * gp.W1 - gp.Y_pre).cwiseAbs().maxCoeff()) <= to_double(tol * 10));
  CHECK(to_double((gp.G_full.transpose() * gp.G_full - matrix<Real>::Identity(6, 6)).cwiseAbs().maxCoeff()) <=
        to_double(tol));
  lora_problem<Real> p{gp.W1, gp.W2, gp.dY, 2, true, true, Real(1), Real(0)};
  const direction<Real> d = direction_of(p);
  LORAFLOW_CHECK_CLOSE(d.sigma, Real(5), tol);
  LORAFLOW_CHECK_CLOSE(d.delta_w, Real(1) / 4, tol);
  LORAFLOW_CHECK_CLOSE(Real(d.sigma_W1 * d.sigma_W2), gp.basis.s(0), tol);
  // Same seed, same draws in every precision: Y_pre(0,0) equals the double draw exactly.
  gaussian_stream ys(spec.seed, streams::y_pre);
  CHECK(gp.Y_pre(0, 0) == Real(ys.next()));
}
TEST_CASE_TEMPLATE_APPLY(generator, scalar_types);
