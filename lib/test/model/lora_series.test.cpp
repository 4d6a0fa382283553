// Tests of model/lora_series.hpp: the Taylor series of LoRA trajectories and the integrator built on it
// (method::taylor of integrate/integrate.hpp), checked against the engine's oracles:
//  - the series' first coefficient is the field, for every adapter setting, scale and weight decay;
//  - order of convergence: the order-K series at step h differs from the flow (odeint's Bulirsch-Stoer at rtol
//    1e-46) by O(h^(K+1)), so halving h divides the error by about 2^(K+1) (a wrong coefficient k <= K would show
//    as h^k);
//  - the one-matrix closed form t(p) (double, 50 digits, mpfr at 40 digits), like the odeint methods;
//  - conservation of C_i = B_i^T B_i - A_i A_i^T along a run, in every scalar type;
//  - agreement with odeint's Bulirsch-Stoer on a small Fig. 1-type problem through T1 at alpha = 1e-12 in 50
//    digits, T1 (located on the series' dense output) and misalign(T1) included: the W2 workload of issue 6 at
//    test size;
//  - bad arguments (too little coefficient storage, orders 1-3); the allocation count is in model/alloc.test.cpp.
#include <loraflow/integrate/integrate.hpp>
#include <loraflow/model/init.hpp>
#include <loraflow/model/lora_series.hpp>
#include <loraflow/model/xu2025.hpp>
#include <loraflow/observe/metrics.hpp>
#include <loraflow/random.hpp>

#include "checks.hpp"
#include "closed_forms.hpp"

#include <functional>

using namespace loraflow;

namespace {
using test::max_abs;

template <class Real> vector<Real> horner(const std::vector<vector<Real>>& c, int K, const Real& h) {
  vector<Real> out = c[static_cast<std::size_t>(K)];
  for (int j = K - 1; j >= 0; --j) {
    out *= h;
    out += c[static_cast<std::size_t>(j)];
  }
  return out;
}

template <class Real> generated_problem<Real> small_fig1_problem() {
  xu2025_spec<Real> spec;  // the Fig. 1 recipe (c = 1.05, dY = 5 u1 v1^T) at m = n = 4, h = 8
  spec.m = 4;
  spec.n = 4;
  spec.h = 8;
  spec.seed = 3;
  return generate_xu2025(spec);
}
}  // namespace

TEST_CASE_TEMPLATE_DEFINE("Taylor series: the first coefficient is the field (adapters, scale, weight decay)", Real, series_c1) {
  test::precision_for_test<Real> prec;
  gaussian_stream g(5, 1);
  for (int variant = 0; variant < 3; ++variant) {
    const lora_problem<Real> p{g.normal_matrix<Real>(7, 5), g.normal_matrix<Real>(6, 7), g.normal_matrix<Real>(6, 5), 2,
                               variant != 1, variant != 2, Real(3) / 2, Real(1) / 10};
    const lora_model<Real> model(p);
    const lora_series<Real> series(model);
    const vector<Real> x = g.normal_matrix<Real>(model.dimension(), 1).col(0);
    std::vector<vector<Real>> c(4, vector<Real>(model.dimension()));
    series.expand(x, 3, c);
    vector<Real> f;
    model.field(x, f);
    CHECK(max_abs(vector<Real>(c[0] - x)) == 0);
    const Real err = max_abs(vector<Real>(c[1] - f)) / max_abs(f);
    CHECK_MESSAGE(err <= 64 * eps<Real>(), "variant ", variant, ": ", to_string(err));
    // The second coefficient is (1/2) J f: compare with a central difference of the field along f.
    if constexpr (std::is_same_v<Real, double>) {
      const double d = 1e-5 / max_abs(f);  // a step of 1e-5 in the state's units, along f
      vector<Real> fp, fm;
      model.field(vector<Real>(x + d * f), fp);
      model.field(vector<Real>(x - d * f), fm);
      const vector<Real> c2 = (fp - fm) / (4 * d);
      // Central-difference error ~ (1e-5)^2 relative; rounding ~ eps / 1e-5.
      CHECK(max_abs(vector<Real>(c[2] - c2)) / max_abs(c2) < 1e-7);
    }
  }
}
TEST_CASE_TEMPLATE_APPLY(series_c1, scalar_types);

TEST_CASE("Taylor series: the order-K truncation error falls as h^(K+1) (50 digits)") {
  using Real = float50;
  const generated_problem<Real> gp = small_fig1_problem<Real>();
  const lora_model<Real> model(lora_problem<Real>{gp.W1, gp.W2, gp.dY, 2, true, true, Real(1), Real(0)});
  const lora_series<Real> series(model);
  vector<Real> x = small_init(model, Real(1) / 10, 1);
  model.B1(x).setConstant(Real(1) / 20);  // a generic state: every product of the field is nonzero
  model.B2(x).setConstant(-Real(1) / 30);
  const int Kmax = 9;
  std::vector<vector<Real>> c(Kmax + 1, vector<Real>(model.dimension()));
  series.expand(x, Kmax, c);
  // Reference: the flow itself at each h, from odeint's Bulirsch-Stoer at rtol 1e-46 (independent of the series
  // code), so a wrong coefficient k <= K would show as an error of order h^k instead of h^(K+1).
  std::vector<vector<Real>> x_ref;
  for (int i = 0; i < 4; ++i) {
    vector<Real> xh = x;
    solve_options<Real> opt;
    opt.stepper = method::bulirsch_stoer;
    opt.rtol = parse<Real>("1e-46");
    const run_stats<Real> st = integrate<Real>(std::cref(model), xh, Real(0), Real(1) / Real(64 << i), {},
                                               [](const Real&, const vector<Real>&) {}, opt);
    REQUIRE(st.status == run_status::ok);
    x_ref.push_back(xh);
  }
  for (int K : {3, 6, 9}) {
    Real prev(0);
    for (int i = 0; i < 4; ++i) {
      const Real h = Real(1) / Real(64 << i);
      const Real err = max_abs(vector<Real>(horner(c, K, h) - x_ref[static_cast<std::size_t>(i)]));
      if (i > 0) {
        const double observed = to_double(Real(log(prev / err) / log(Real(2))));
        MESSAGE("K = ", K, ", h = 1/", (64 << i), ": observed order ", observed, " (expected ", K + 1, ")");
        CHECK(std::abs(observed - (K + 1)) < 0.35);
      }
      prev = err;
    }
  }
}

namespace {
template <class Real> void taylor_closed_form(const Real& rtol, const Real& tol) {
  const test::one_matrix_case<Real> k;
  const lora_series<Real> series(k.model);
  vector<Real> x = k.x0;
  const Real T = test::closed_form_time(k.sigma / 2, k.sigma, k.c);
  solve_options<Real> opt;
  opt.stepper = method::taylor;
  opt.series = &series;
  opt.rtol = rtol;
  const run_stats<Real> st =
      integrate<Real>(std::cref(k.model), x, Real(0), T, {}, [](const Real&, const vector<Real>&) {}, opt);
  REQUIRE(st.status == run_status::ok);
  CHECK(st.rhs_evals == 0);
  CHECK(st.expansions == st.steps);
  const Real t_of_p = test::closed_form_time(k.p(x), k.sigma, k.c);
  MESSAGE(scalar_name<Real>(), " taylor (order ", st.taylor_order, "): |t(p(T)) - T| / T = ",
          to_double(test::rel_error(t_of_p, T)), " in ", st.steps, " steps");
  LORAFLOW_CHECK_REL(t_of_p, T, tol);
}
}  // namespace

TEST_CASE("Taylor: one-matrix LoRA matches its closed form (double)") { taylor_closed_form<double>(1e-14, 1e-12); }

TEST_CASE("Taylor: one-matrix LoRA matches its closed form (50 digits)") {
  taylor_closed_form<float50>(float50("1e-46"), float50("1e-43"));
}

TEST_CASE("Taylor: one-matrix LoRA matches its closed form (mpfr at 40 digits)") {
  mpfr_digits_scope prec(40);
  taylor_closed_form<mpfr_float>(mpfr_float("1e-37"), mpfr_float("1e-34"));
}

TEST_CASE_TEMPLATE_DEFINE("Taylor: C_i = B^T B - A A^T is conserved to the tolerance", Real, taylor_conserved) {
  test::precision_for_test<Real> prec;
  const generated_problem<Real> gp = small_fig1_problem<Real>();
  const lora_model<Real> model(lora_problem<Real>{gp.W1, gp.W2, gp.dY, 2, true, true, Real(1), Real(0)});
  const lora_series<Real> series(model);
  vector<Real> x = small_init(model, Real(1) / 100, 2);
  const direction<Real> dir = direction_of(model.problem());
  const lora_observer<Real> obs(model, dir, x);
  solve_options<Real> opt;
  opt.stepper = method::taylor;
  opt.series = &series;
  opt.rtol = std::max(Real(1000 * eps<Real>()), parse<Real>("1e-40"));
  opt.atol = opt.rtol / 10000;
  const run_stats<Real> st = integrate<Real>(std::cref(model), x, Real(0), Real(2), {},
                                             [](const Real&, const vector<Real>&) {}, opt);
  REQUIRE(st.status == run_status::ok);
  const metrics<Real> mt = obs(x);
  MESSAGE(scalar_name<Real>(), ": ", st.steps, " steps of order ", st.taylor_order, ", drift_C1 ", to_double(mt.drift_C1),
          ", drift_C2 ", to_double(mt.drift_C2), ", loss ", to_double(mt.loss));
  CHECK(mt.drift_C1 <= 100 * opt.rtol);
  CHECK(mt.drift_C2 <= 100 * opt.rtol);
  CHECK(mt.loss < model.loss(small_init(model, Real(1) / 100, 2)) / 100);  // the run did learn
}
TEST_CASE_TEMPLATE_APPLY(taylor_conserved, scalar_types);

TEST_CASE("Taylor and Bulirsch-Stoer agree through T1 at alpha = 1e-12 in 50 digits (W2 at test size)") {
  using Real = float50;
  const generated_problem<Real> gp = small_fig1_problem<Real>();
  const lora_model<Real> model(lora_problem<Real>{gp.W1, gp.W2, gp.dY, 2, true, true, Real(1), Real(0)});
  const direction<Real> dir = direction_of(model.problem());
  const Real alpha = parse<Real>("1e-12");
  const vector<Real> x0 = small_init(model, alpha, 4);
  const lora_observer<Real> obs(model, dir, x0);
  const lora_series<Real> series(model);
  struct result {
    Real t1, misalign, loss;
    vector<Real> x;
    run_stats<Real> st;
  };
  auto run = [&](method m) {
    solve_options<Real> opt;
    opt.stepper = m;
    opt.series = &series;
    opt.rtol = parse<Real>("1e-26");
    opt.atol = opt.rtol * alpha * alpha;
    vector<Real> x = x0;
    std::vector<event_spec<Real>> ev{{"T1", [&](const Real&, const vector<Real>& xs) { return obs.t1_gap(xs); }, false}};
    std::vector<event_hit<Real>> hits;
    result r;
    r.st = integrate<Real>(std::cref(model), x, Real(0), Real(4), {}, [](const Real&, const vector<Real>&) {}, opt, ev,
                           &hits);
    REQUIRE(r.st.status == run_status::ok);
    REQUIRE(hits.at(0).found);
    r.t1 = hits[0].t;
    r.misalign = obs(hits[0].x).misalign;
    r.loss = model.loss(x);
    r.x = x;
    return r;
  };
  const result ta = run(method::taylor), bs = run(method::bulirsch_stoer);
  MESSAGE("T1 = ", to_string(ta.t1), " (taylor, ", ta.st.steps, " steps of order ", ta.st.taylor_order, ") vs ",
          to_string(bs.t1), " (bulirsch_stoer, ", bs.st.steps, " steps, ", bs.st.rhs_evals, " RHS)");
  MESSAGE("misalign(T1) = ", to_string(ta.misalign), " vs ", to_string(bs.misalign));
  // rtol 1e-26 per step; perturbations grow through the escape by a factor of about 1/alpha = 1e12, so 1e-12
  // relative is what the two runs can certify, and far below anything they could agree on by accident (double
  // alone cannot represent misalign(T1) ~ 1e-23 next to the O(1) entries it is computed from).
  const Real tol = parse<Real>("1e-12");
  LORAFLOW_CHECK_REL(ta.t1, bs.t1, tol);
  LORAFLOW_CHECK_REL(ta.misalign, bs.misalign, tol);
  LORAFLOW_CHECK_REL(ta.loss, bs.loss, tol);
  CHECK(max_abs(vector<Real>(ta.x - bs.x)) <= tol * max_abs(bs.x));
  CHECK(ta.misalign < Real(1e-20));  // the alpha^2 regime: far below double precision
}

TEST_CASE("Taylor: events on the dense output agree with dopri5's (double)") {
  using Real = double;
  const generated_problem<Real> gp = small_fig1_problem<Real>();
  const lora_model<Real> model(lora_problem<Real>{gp.W1, gp.W2, gp.dY, 2, true, true, 1.0, 0.0});
  const direction<Real> dir = direction_of(model.problem());
  const vector<Real> x0 = small_init(model, 1e-4, 4);
  const lora_observer<Real> obs(model, dir, x0);
  const lora_series<Real> series(model);
  auto t1_of = [&](method m, std::vector<vector<Real>>* seen) {
    solve_options<Real> opt;
    opt.stepper = m;
    opt.series = &series;
    opt.rtol = 1e-13;
    opt.atol = 1e-21;
    vector<Real> x = x0;
    std::vector<event_spec<Real>> ev{{"T1", [&](const Real&, const vector<Real>& xs) { return obs.t1_gap(xs); }, true}};
    std::vector<event_hit<Real>> hits;
    const std::vector<double> times{0.25, 0.5, 0.75, 1.0, 1.25};
    const run_stats<Real> st = integrate<Real>(
        std::cref(model), x, 0.0, 3.0, times, [&](const Real&, const vector<Real>& xs) { seen->push_back(xs); }, opt, ev,
        &hits);
    REQUIRE(st.status == run_status::ok);
    REQUIRE(hits.at(0).found);
    CHECK(st.t_final == hits[0].t);  // terminal: the run stops exactly there
    return hits[0].t;
  };
  std::vector<vector<Real>> seen_t, seen_d;
  const double t_taylor = t1_of(method::taylor, &seen_t), t_dopri = t1_of(method::dopri5, &seen_d);
  MESSAGE("T1: taylor ", t_taylor, ", dopri5 ", t_dopri);
  CHECK(std::abs(t_taylor - t_dopri) <= 1e-10 * t_dopri);
  // The observations before the terminal event (T1 ~ 0.7: t = 0.25 and 0.5), on the series' dense output and on
  // dopri5's, agree to the tolerances' level.
  REQUIRE(seen_t.size() == 2);
  REQUIRE(seen_d.size() == 2);
  for (std::size_t i = 0; i < 2; ++i)
    CHECK(max_abs(vector<Real>(seen_t[i] - seen_d[i])) <= 1e-9 * max_abs(seen_d[i]));
}

TEST_CASE("Taylor: too little coefficient storage, and orders below 4, are bad arguments (float50)") {
  // (That an expansion allocates nothing once its storage exists is counted in test_alloc.)
  using Real = float50;
  const generated_problem<Real> gp = small_fig1_problem<Real>();
  const lora_model<Real> model(lora_problem<Real>{gp.W1, gp.W2, gp.dY, 2, true, true, Real(1), Real(0)});
  const lora_series<Real> series(model);
  const vector<Real> x = small_init(model, Real(1) / 10, 1);
  std::vector<vector<Real>> short_c(3, vector<Real>(model.dimension()));
  CHECK_THROWS_AS(series.expand(x, 8, short_c), std::invalid_argument);
  // Orders 1 to 3 cannot estimate a step from two coefficients: bad arguments, not a run that fails.
  solve_options<Real> opt;
  opt.stepper = method::taylor;
  opt.series = &series;
  opt.rtol = parse<Real>("1e-20");
  for (int K : {1, 2, 3}) {
    opt.taylor_order = K;
    vector<Real> xs = x;
    CHECK_THROWS_AS(integrate<Real>(std::cref(model), xs, Real(0), Real(1), {}, [](const Real&, const vector<Real>&) {}, opt),
                    std::invalid_argument);
  }
}
