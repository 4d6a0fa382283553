// Analytic and reduced-model oracles for the integrated LoRA flow (shared/theory/xu2025-and-linear-nets.md 1.4).
//  (v)  one-matrix LoRA from a spectral start has the closed form t(p) for p = u^T B A v; the integrated solution
//       matches it to near the working precision (double, and 50 digits with Bulirsch-Stoer);
//  (iv) under the spectral initialization the full matrix ODE equals the per-direction 4-D ODE, and the
//       off-diagonal entries of U^T F V stay at rounding level;
//  cross-precision: a double run and a 50-digit run of the same trajectory agree to double's tolerance times the
//       flow's conditioning.
#include <loraflow/integrate/integrate.hpp>
#include <loraflow/model/init.hpp>
#include <loraflow/model/xu2025.hpp>
#include <loraflow/observe/metrics.hpp>

#include "checks.hpp"
#include "closed_forms.hpp"

#include <functional>

using namespace loraflow;
using test::closed_form_time;

namespace {
template <class Real> void one_matrix_closed_form(method m, const Real& rtol, const Real& tol) {
  const test::one_matrix_case<Real> k;
  const lora_model<Real>& model = k.model;
  const Real sigma = k.sigma, c = k.c;
  vector<Real> x = k.x0;
  const Real T = closed_form_time(sigma / 2, sigma, c);  // the middle of the transition, p = sigma / 2
  solve_options<Real> opt;
  opt.stepper = m;
  opt.rtol = rtol;
  opt.atol = Real(0);
  const run_stats<Real> st = integrate<Real>(std::cref(model), x, Real(0), T, {}, [](const Real&, const vector<Real>&) {}, opt);
  REQUIRE(st.status == run_status::ok);
  const Real p = k.p(x);
  // The time at which the closed form reaches the integrated p must equal T.
  const Real t_of_p = closed_form_time(p, sigma, c);
  MESSAGE(scalar_name<Real>(), " ", std::string(method_name(m)), ": |t(p(T)) - T| / T = ", to_double(test::rel_error(t_of_p, T)),
          " in ", st.steps, " steps");
  LORAFLOW_CHECK_REL(t_of_p, T, tol);
  // And the conserved a^2 - b^2 = c holds, relative to ||A||^2 + ||B||^2 (a difference of O(1) numbers).
  const Real a2 = squared_norm(model.A1(x)), b2 = squared_norm(model.B1(x));
  CHECK_MESSAGE(abs(a2 - b2 - c) <= tol * (a2 + b2), to_string(Real(abs(a2 - b2 - c) / (a2 + b2))));
}

template <class Real> generated_problem<Real> rank2_problem() {
  xu2025_spec<Real> spec;
  spec.m = 4;
  spec.n = 4;
  spec.h = 6;
  spec.c = Real(2);
  spec.dy = {dy_component<Real>{0, Real(5)}, dy_component<Real>{2, Real(3)}};
  spec.seed = 12;
  return generate_xu2025(spec);
}
}  // namespace

TEST_CASE("one-matrix LoRA matches its closed form to near working precision (double, dopri5)") {
  one_matrix_closed_form<double>(method::dopri5, 1e-14, 1e-12);
}

TEST_CASE("one-matrix LoRA matches its closed form to near working precision (50 digits, Bulirsch-Stoer)") {
  one_matrix_closed_form<float50>(method::bulirsch_stoer, float50("1e-46"), float50("1e-43"));
}

TEST_CASE("one-matrix LoRA matches its closed form (mpfr at 40 digits, a run-time precision, Bulirsch-Stoer)") {
  mpfr_digits_scope prec(40);
  one_matrix_closed_form<mpfr_float>(method::bulirsch_stoer, mpfr_float("1e-37"), mpfr_float("1e-34"));
}

TEST_CASE_TEMPLATE_DEFINE("spectral initialization: the matrix ODE equals the per-direction scalar ODE", Real, spectral_reduction) {
  test::precision_for_test<Real> prec;
  const generated_problem<Real> gp = rank2_problem<Real>();
  const Eigen::Index r = 3;
  lora_model<Real> model(lora_problem<Real>{gp.W1, gp.W2, gp.dY, r, true, true, Real(1), Real(0)});
  matrix<Real> G11, G21;
  std::vector<Eigen::Index> S;
  vector<Real> x = spectral_init(model, gp.basis, Real(1) / 100, 7, &G11, &G21, &S);
  REQUIRE(S.size() == 3);
  CHECK(S[0] == 0);
  CHECK(S[1] == 2);  // the two directions of dY come first, then the padding
  matrix<Real> US(4, r), VS(4, r), GS(6, r);
  for (Eigen::Index j = 0; j < r; ++j) {
    US.col(j) = gp.basis.U.col(S[j]);
    VS.col(j) = gp.basis.V.col(S[j]);
    GS.col(j) = gp.basis.G.col(S[j]);
  }
  // Reduced state per direction j: (sB1, sA1, sB2, sA2).
  vector<Real> sW1(r), sW2(r), sdY(r), y(4 * r);
  const matrix<Real> A1bar = G11.transpose() * model.A1(x) * VS, A2bar = G21.transpose() * model.A2(x) * GS;
  for (Eigen::Index j = 0; j < r; ++j) {
    sW1(j) = GS.col(j).dot(gp.W1 * VS.col(j));
    sW2(j) = US.col(j).dot(gp.W2 * GS.col(j));
    sdY(j) = US.col(j).dot(gp.dY * VS.col(j));
    y.segment(4 * j, 4) << Real(0), A1bar(j, j), Real(0), A2bar(j, j);
  }
  auto reduced = [&](const vector<Real>& z, vector<Real>& dz, const Real&) {
    dz.resize(z.size());
    for (Eigen::Index j = 0; j < r; ++j) {
      const Real b1 = z(4 * j), a1 = z(4 * j + 1), b2 = z(4 * j + 2), a2 = z(4 * j + 3);
      const Real p1 = b1 * a1, p2 = b2 * a2;
      const Real e = sdY(j) - (sW2(j) * p1 + sW1(j) * p2 + p1 * p2);
      dz(4 * j) = (sW2(j) + p2) * e * a1;
      dz(4 * j + 1) = (sW2(j) + p2) * e * b1;
      dz(4 * j + 2) = (sW1(j) + p1) * e * a2;
      dz(4 * j + 3) = (sW1(j) + p1) * e * b2;
    }
  };
  solve_options<Real> opt;
  opt.rtol = std::max(Real(1000 * eps<Real>()), parse<Real>("1e-13"));
  const Real T = Real(3) / 2;
  integrate<Real>(std::cref(model), x, Real(0), T, {}, [](const Real&, const vector<Real>&) {}, opt);
  integrate<Real>(reduced, y, Real(0), T, {}, [](const Real&, const vector<Real>&) {}, opt);
  const matrix<Real> F = model.product(x);
  const matrix<Real> Fbar = gp.basis.U.transpose() * F * gp.basis.V;  // full 4 x 4 projection
  const Real Fnorm = sqrt(squared_norm(F));
  for (Eigen::Index i = 0; i < 4; ++i)
    for (Eigen::Index k = 0; k < 4; ++k) {
      const bool diag_in_S = i == k && std::find(S.begin(), S.end(), i) != S.end();
      if (!diag_in_S) CHECK_MESSAGE(abs(Fbar(i, k)) <= 1000 * eps<Real>() * Fnorm, "Fbar(" << i << "," << k << ") = " << to_string(Fbar(i, k)));
    }
  for (Eigen::Index j = 0; j < r; ++j) {
    const Real p1 = y(4 * j) * y(4 * j + 1), p2 = y(4 * j + 2) * y(4 * j + 3);
    const Real sF = sW2(j) * p1 + sW1(j) * p2 + p1 * p2;
    LORAFLOW_CHECK_CLOSE(Fbar(S[j], S[j]), sF, Real(1000 * opt.rtol));
  }
  // The padded direction (no target) stays exactly stationary: its F component is zero up to rounding.
  CHECK(abs(Fbar(S[2], S[2])) <= 1000 * eps<Real>() * Fnorm);
  // The learned directions did move (the check is not vacuous).
  CHECK(abs(Fbar(0, 0)) > Real(1) / 10);
}
TEST_CASE_TEMPLATE_APPLY(spectral_reduction, scalar_types);

TEST_CASE("a double run and a 50-digit run of the same trajectory agree to double's accuracy") {
  // Same problem and same initial numbers (draws are identical across types). Double dopri5 at rtol 1e-13 against
  // 50-digit fehlberg78 at rtol 1e-20 (seven orders tighter, so its error is invisible here), alpha = 1e-3, over
  // the alignment phase and beyond (t in [0, 1.5]).
  auto run = [](auto zero, method m, const auto& rtol) {
    using Real = decltype(zero);
    const generated_problem<Real> gp = rank2_problem<Real>();
    lora_model<Real> model(lora_problem<Real>{gp.W1, gp.W2, gp.dY, 2, true, true, Real(1), Real(0)});
    vector<Real> x = small_init(model, Real(1) / 1000, 2);
    solve_options<Real> opt;
    opt.stepper = m;
    opt.rtol = rtol;
    opt.atol = Real(0);
    std::vector<Real> losses;
    std::vector<Real> times{Real(1) / 2, Real(1), Real(3) / 2};
    integrate<Real>(std::cref(model), x, Real(0), Real(3) / 2, times,
                    [&](const Real&, const vector<Real>& xt) { losses.push_back(model.loss(xt)); }, opt);
    return std::make_pair(losses, x);
  };
  const auto [ld, xd] = run(0.0, method::dopri5, 1e-13);
  const auto [lq, xq] = run(float50(0), method::fehlberg78, float50("1e-20"));
  REQUIRE(ld.size() == 3);
  REQUIRE(lq.size() == 3);
  for (int i = 0; i < 3; ++i) {
    const double rel = to_double(test::rel_error(float50(ld[i]), lq[i]));
    MESSAGE("loss at t = ", 0.5 * (i + 1), ": double ", ld[i], ", relative difference ", rel);
    // Tolerance 1e-13 times the growth of perturbations through the escape (e^{sigma sigma_W2 t} ~ 1e3 here):
    // agreement to 1e-9 relative is what double can certify on this trajectory.
    CHECK(rel < 1e-9);
  }
  const double state_rel = to_double(float50((xd.cast<float50>() - xq).cwiseAbs().maxCoeff() / xq.cwiseAbs().maxCoeff()));
  MESSAGE("final state max difference relative to max entry: ", state_rel);
  CHECK(state_rel < 1e-9);
}
