// Tests of observe/events.hpp and the window fits of observe/fit.hpp.
// Oracles:
//  - closed form: on one-matrix LoRA from a spectral start, p = u^T B A v follows the closed form t(p) of the theory
//    catalogue 1.4 (v); threshold_event must locate p = sigma/2 at t(sigma/2), to near the working precision, for
//    every scalar type;
//  - an identity through an independent code path: with r = n = h (A1, A2 square and invertible) the exact
//    decomposition B1' = (sigma sigma_W2 g v^T + D1) A1^T and B2' = (sigma sigma_W1 u g^T + D2) A2^T of Claim 3.1
//    recovers D1 and D2 from the model's vector field; their spectral norms must equal coupling_norms';
//  - window fits: an exponential with a kink, where only the window's rate is recovered exactly.
#include <loraflow/integrate/integrate.hpp>
#include <loraflow/linalg.hpp>
#include <loraflow/model/xu2025.hpp>
#include <loraflow/observe/events.hpp>
#include <loraflow/observe/fit.hpp>
#include <loraflow/random.hpp>

#include "../checks.hpp"
#include "../closed_forms.hpp"

#include <cmath>
#include <functional>

using namespace loraflow;
using test::closed_form_time;

namespace {
template <class Real> matrix<Real> inverse2(const matrix<Real>& M) {  // 2 x 2, by the adjugate
  matrix<Real> R(2, 2);
  const Real det = M(0, 0) * M(1, 1) - M(0, 1) * M(1, 0);
  R << M(1, 1), -M(0, 1), -M(1, 0), M(0, 0);
  return R / det;
}

template <class Real> Real spectral_norm(const matrix<Real>& M) {
  using std::sqrt;
  const matrix<Real> g = M.transpose() * M;
  return sqrt(linalg::sym_eig<Real>(g).values(0));
}
}  // namespace

TEST_CASE_TEMPLATE("threshold_event locates p = sigma/2 at the closed-form time", Real, double, long double,
                   loraflow::float128, loraflow::float50, loraflow::mpfr_float) {
  test::precision_for_test<Real> digits;
  const test::one_matrix_case<Real> k;
  const lora_model<Real>& model = k.model;
  const Real sigma = k.sigma;
  vector<Real> x = k.x0;
  const Real T = closed_form_time(sigma / 2, sigma, k.c);
  solve_options<Real> opt;
  opt.stepper = std::numeric_limits<Real>::digits10 > 20 ? method::bulirsch_stoer : method::dopri5;
  opt.rtol = 100 * eps<Real>();
  const auto p_of = [&](const vector<Real>& xs) { return k.p(xs); };
  std::vector<event_hit<Real>> hits;
  const run_stats<Real> st = integrate<Real>(std::cref(model), x, Real(0), 2 * T, {}, [](const Real&, const vector<Real>&) {},
                                             opt, {threshold_event<Real>("half", p_of, sigma / 2, true, true)}, &hits);
  REQUIRE(st.status == run_status::ok);
  REQUIRE(hits.at(0).found);
  // The event time carries the trajectory's error (~rtol times the conditioning of t(p), a few hundred here).
  LORAFLOW_CHECK_REL(hits[0].t, T, Real(1e5 * eps<Real>()));
  // The run stopped at the event (terminal) and p there is sigma/2 to the event's precision.
  LORAFLOW_CHECK_REL(p_of(x), Real(sigma / 2), Real(1e5 * eps<Real>()));
}

TEST_CASE_TEMPLATE("coupling_norms equals the D1, D2 recovered from the vector field", Real, double, loraflow::float50,
                   loraflow::mpfr_float) {
  test::precision_for_test<Real> digits;
  xu2025_spec<Real> spec;
  spec.m = 2;
  spec.n = 2;
  spec.h = 2;
  spec.seed = 3;
  const generated_problem<Real> gp = generate_xu2025(spec);
  const lora_model<Real> model(lora_problem<Real>{gp.W1, gp.W2, gp.dY, 2, true, true, Real(1), Real(0)});
  const direction<Real> dir = direction_of(model.problem());
  gaussian_stream s(9, 1);
  const vector<Real> x = s.normal_matrix<Real>(model.dimension(), 1).col(0) / 3;  // a generic state, all blocks O(1)
  vector<Real> dx(model.dimension());
  model(x, dx, Real(0));
  // B1' = (ss g v^T + D1) A1^T  =>  D1 = B1' A1^{-T} - ss g v^T; likewise for D2 with sigma sigma_W1 u g^T.
  const matrix<Real> A1 = model.A1(x), A2 = model.A2(x);
  const matrix<Real> D1 = matrix<Real>(model.B1(dx)) * inverse2<Real>(matrix<Real>(A1.transpose())) -
                          dir.sigma * dir.sigma_W2 * dir.g * dir.v.transpose();
  const matrix<Real> D2 = matrix<Real>(model.B2(dx)) * inverse2<Real>(matrix<Real>(A2.transpose())) -
                          dir.sigma * dir.sigma_W1 * dir.u * dir.g.transpose();
  const std::pair<Real, Real> d = coupling_norms(model, x);
  LORAFLOW_CHECK_REL(d.first, spectral_norm(D1), Real(1e4 * eps<Real>()));
  LORAFLOW_CHECK_REL(d.second, spectral_norm(D2), Real(1e4 * eps<Real>()));
}

TEST_CASE("window fits use only the window and report it") {
  // y = exp(-3 t) for t < 1, then exp(-3 - 50 (t - 1)): the window 1e-10 <= y <= 1e-3 after t = 1 sees rate 50.
  std::vector<double> t, y;
  for (int i = 0; i <= 200; ++i) {
    const double s = 0.01 * i;
    t.push_back(s);
    y.push_back(s < 1 ? std::exp(-3 * s) : std::exp(-3 - 50 * (s - 1)));
  }
  const window_fit w = fit_rate_window(t, y, 1e-10, 1e-3, 1.0);
  REQUIRE(w.ok);
  CHECK(std::abs(w.fit.slope - 50) < 1e-9);
  CHECK(w.t_first >= 1.0);
  CHECK(y[static_cast<std::size_t>(std::lround(w.t_last / 0.01))] >= 1e-10);
  const window_fit early = fit_slope_window(t, y, 0.06, 1.0, 0.0);  // y > exp(-3): the first phase only, slope -3
  REQUIRE(early.ok);
  CHECK(std::abs(early.fit.slope + 3) < 1e-9);
  CHECK(!fit_rate_window(t, y, 1e-300, 1e-299).ok);  // an empty window is reported, not fitted
}
