// Tests of the DOP853 method (integrate/dop853.hpp, stepped by integrate.hpp's dop853_loop).
// Oracles: the order conditions its coefficients must satisfy (exact rationals, checked in 100 digits against the
// 28-30 digits the coefficients carry); the order of convergence on closed forms (linear, nonlinear and
// non-autonomous) with the step fixed by max_dt, at the step ends and on the dense output; the exact field count;
// the tolerance floor it is offered at. Its two building blocks are checked against their definitions: the stage
// sums (linear_combination) bit for bit against the term-by-term loop, the error (dop853_error) against its rule
// component by component, special components included.
#include <loraflow/integrate/integrate.hpp>
#include <loraflow/random.hpp>

#include "checks.hpp"

#include <array>
#include <cmath>
#include <limits>

using namespace loraflow;

TEST_CASE("dop853's coefficients satisfy the order conditions to the digits they carry") {
  test::precision_for_test<float100> prec;
  const dop853_tableau<float100> T;
  // The coefficients are given to 28-30 significant digits (dop853.f): conditions exact in rationals hold to a few
  // units of 1e-29 (measured: row sums 5.8e-29, quadrature 6.6e-30, e5 4.6e-28); 1e-27 is that with a margin, and
  // 19 orders below double's eps, where a wrong or missing digit would show.
  const float100 tol = parse<float100>("1e-27");
  using std::abs;
  // Row sums: sum_j a_ij = c_i (stages 1-11, the solution row 12 with c = 1, the dense output's rows 13-15).
  for (std::size_t i = 1; i < 16; ++i) {
    float100 sum(0);
    for (std::size_t j = 0; j < i; ++j) sum += T.a[i][j];
    CAPTURE(i);
    CHECK(abs(sum - T.c[i]) <= tol);
  }
  // Quadrature conditions of order 8: sum_j b_j c_j^q = 1/(q + 1), q = 0..7 (b = row 12 of a); q = 8 fails (order
  // exactly 8: the check could not pass with a method of higher order by accident).
  for (int q = 0; q <= 8; ++q) {
    float100 sum(0);
    for (std::size_t j = 0; j < 12; ++j) sum += T.a[12][j] * pow(T.c[j], q);
    CAPTURE(q);
    if (q <= 7) CHECK(abs(sum - float100(1) / (q + 1)) <= tol);
    else CHECK(abs(sum - float100(1) / (q + 1)) > parse<float100>("1e-6"));
  }
  // The error estimators are differences of two consistent weight vectors: their sums vanish, and e5's moments up to
  // c^4 (a 5th-order estimate), e3's up to c^2 (3rd order); the next moment does not.
  float100 s5(0), s3(0);
  for (std::size_t j = 0; j < 13; ++j) s5 += T.e5[j], s3 += T.e3[j];
  CHECK(abs(s5) <= 10 * tol);
  CHECK(abs(s3) <= tol);
  for (int q = 1; q <= 5; ++q) {
    float100 m5(0), m3(0);
    for (std::size_t j = 0; j < 13; ++j) m5 += T.e5[j] * pow(T.c[j], q), m3 += T.e3[j] * pow(T.c[j], q);
    CAPTURE(q);
    if (q <= 4) CHECK(abs(m5) <= 10 * tol);
    else CHECK(abs(m5) > parse<float100>("1e-6"));
    if (q <= 2) CHECK(abs(m3) <= tol);
    else CHECK(abs(m3) > parse<float100>("1e-6"));
  }
}

TEST_CASE_TEMPLATE_DEFINE("dop853 converges at order 8, at the step ends and on its dense output", Real, dop853_order) {
  test::precision_for_test<Real> prec;
  using std::abs;
  using std::cos;
  using std::exp;
  using std::log2;
  using std::sin;
  // Three closed forms in one system: a linear decay x0' = -3/2 x0 (exp(-3t/2)), a nonlinear one x1' = -x1^2 / 4
  // (1 / (1 + t/4): the order conditions of the nonlinear trees) and a non-autonomous one x2' = cos t (1 + sin t:
  // the stage times c_i h). rtol = atol = 1 never rejects at these steps, so max_dt fixes the step h.
  const system_fn<Real> sys = [](const vector<Real>& x, vector<Real>& d, const Real& t) {
    d(0) = -Real(3) / 2 * x(0);
    d(1) = -x(1) * x(1) / 4;
    d(2) = cos(t);
  };
  auto exact = [](const Real& t) {
    vector<Real> e(3);
    e << exp(-Real(3) / 2 * t), Real(1) / (1 + t / 4), 1 + sin(t);
    return e;
  };
  const Real t1 = Real(4);
  std::vector<Real> times;  // 64 points at fractions of the steps that vary from step to step
  for (int i = 1; i <= 64; ++i) times.push_back(t1 * Real(i) / Real(65));
  struct result {
    vector<Real> end;  // |error| per component at t1
    Real dense;        // max |error| over the observations and components
    std::size_t steps, evals;
  };
  auto run = [&](const Real& h) {
    solve_options<Real> opt;
    opt.stepper = method::dop853;
    opt.rtol = Real(1);
    opt.atol = Real(1);
    opt.dt = h;
    opt.max_dt = h;
    vector<Real> x = vector<Real>::Ones(3);
    Real dense_err(0);
    const run_stats<Real> st = integrate(sys, x, Real(0), t1, times, [&](const Real& t, const vector<Real>& xo) {
      dense_err = std::max(dense_err, Real((xo - exact(t)).cwiseAbs().maxCoeff()));
    }, opt);
    CHECK(st.status == run_status::ok);
    CHECK(st.rejected == 0);
    return result{(x - exact(t1)).cwiseAbs(), dense_err, st.steps, st.rhs_evals};
  };
  // h = 4/5, 2/5, 1/5 (5, 10, 20 steps). Measured errors at t1 (float50; double the same to 3 digits where above its
  // rounding): decay 5.6e-9, 1.9e-11, 6.9e-14; nonlinear 1.7e-11, 7.3e-14, 3.0e-16; cos 8.3e-11, 3.2e-13, 1.3e-15;
  // orders 7.8-8.2. In double the last two components' errors at h = 1/5 are at its rounding (1e-16 x 20 steps), so
  // there only the first halving is checked for them. The dense output: 3.5e-6, 1.5e-8, 5.3e-11 (orders 7.9-8.1;
  // both are order 8 globally: the dense output's local error is O(h^8), order 7, the solution's global error
  // O(h^8)).
  const result r1 = run(Real(4) / 5), r2 = run(Real(2) / 5), r3 = run(Real(1) / 5);
  const bool resolves_third = std::numeric_limits<Real>::digits10 > 16;
  for (int i = 0; i < 3; ++i) {
    CAPTURE(i);
    const double p1 = to_double(log2(r1.end(i) / r2.end(i))), p2 = to_double(log2(r2.end(i) / r3.end(i)));
    MESSAGE("component ", i, ": errors ", to_double(r1.end(i)), " ", to_double(r2.end(i)), " ", to_double(r3.end(i)));
    CHECK(p1 > 7.5);
    CHECK(p1 < 8.5);
    if (i == 0 || resolves_third) {
      CHECK(p2 > 7.5);
      CHECK(p2 < 8.5);
    }
  }
  const double pd1 = to_double(log2(r1.dense / r2.dense)), pd2 = to_double(log2(r2.dense / r3.dense));
  MESSAGE("dense ", to_double(r1.dense), " ", to_double(r2.dense), " ", to_double(r3.dense));
  CHECK(pd1 > 7.3);
  CHECK(pd2 > 7.3);
  CHECK(pd2 < 8.7);
  // Work: 12 fields per step after the first, and 3 more for every step asked for a point inside it (here every
  // step: 64 observations over 5 to 20 steps).
  CHECK(r1.evals == 1 + 15 * r1.steps);
  CHECK(r3.evals == 1 + 15 * r3.steps);
  // Without observations the dense output is never built: exactly 1 + 12 per attempt.
  solve_options<Real> opt;
  opt.stepper = method::dop853;
  opt.rtol = parse<Real>("1e-10");
  vector<Real> x = vector<Real>::Ones(3);
  const run_stats<Real> st = integrate(sys, x, Real(0), t1, {}, [](const Real&, const vector<Real>&) {}, opt);
  CHECK(st.status == run_status::ok);
  CHECK(st.rhs_evals == 1 + 12 * (st.steps + st.rejected));
  CHECK((x - exact(t1)).cwiseAbs().maxCoeff() <= parse<Real>("1e-8"));
}
TEST_CASE_TEMPLATE_APPLY(dop853_order, scalar_types);

TEST_CASE("dop853 is refused below the tolerance its coefficients serve") {
  const system_fn<double> sys = [](const vector<double>& x, vector<double>& d, const double&) { d = -x; };
  solve_options<double> opt;
  opt.stepper = method::dop853;
  opt.rtol = 1e-25;
  vector<double> x = vector<double>::Ones(1);
  CHECK_THROWS_WITH_AS(integrate(sys, x, 0.0, 1.0, {}, [](const double&, const vector<double>&) {}, opt),
                       doctest::Contains("rtol >= 1e-24"), std::invalid_argument);
  // At the floor itself it runs (in a type that resolves it) and meets the tolerance.
  test::precision_for_test<float100> prec;
  const system_fn<float100> sys100 = [](const vector<float100>& y, vector<float100>& d, const float100&) { d = -y; };
  solve_options<float100> opt100;
  opt100.stepper = method::dop853;
  opt100.rtol = parse<float100>("1e-24");
  vector<float100> y = vector<float100>::Ones(1);
  CHECK(integrate(sys100, y, float100(0), float100(1), {}, [](const float100&, const vector<float100>&) {}, opt100).status ==
        run_status::ok);
  using std::exp;
  LORAFLOW_CHECK_CLOSE(y(0), float100(exp(float100(-1))), parse<float100>("1e-22"));
}

TEST_CASE_TEMPLATE_DEFINE("linear_combination is the term-by-term sum, bit for bit", Real, linear_combination_exact) {
  test::precision_for_test<Real> prec;
  // Vectors of every length around the groups of four terms and the vector width, and every term count dop853 uses
  // (0 to 15), with and without a base: the result must equal `out = base; out += c_t v_t` exactly (the same
  // operations in the same order, integrate.hpp).
  gaussian_stream g(3, 1);
  for (Eigen::Index dim : {1, 3, 4, 7, 8, 13, 33}) {
    std::array<vector<Real>, 16> v;
    for (auto& vt : v) vt = g.normal_matrix<Real>(dim, 1).col(0);
    const vector<Real> base = g.normal_matrix<Real>(dim, 1).col(0);
    const matrix<Real> cm = g.normal_matrix<Real>(16, 1);
    std::array<Real, 16> c;
    std::array<const vector<Real>*, 16> pv;
    for (std::size_t t = 0; t < 16; ++t) {
      c[t] = cm(static_cast<Eigen::Index>(t), 0);
      pv[t] = &v[t];
    }
    for (int terms = 0; terms < 16; ++terms)
      for (bool with_base : {true, false}) {
        CAPTURE(dim);
        CAPTURE(terms);
        CAPTURE(with_base);
        vector<Real> ref = with_base ? base : vector<Real>(vector<Real>::Zero(dim));
        for (std::size_t t = 0; t < static_cast<std::size_t>(terms); ++t) ref.noalias() += c[t] * v[t];
        vector<Real> out(dim);
        detail::linear_combination<Real>(out, with_base ? &base : nullptr, c.data(), pv.data(), terms);
        CHECK(out == ref);
      }
  }
}
TEST_CASE_TEMPLATE_APPLY(linear_combination_exact, scalar_types);

TEST_CASE_TEMPLATE_DEFINE("dop853_error follows its rule component by component", Real, dop853_error_rule) {
  test::precision_for_test<Real> prec;
  using std::abs;
  using std::sqrt;
  const Real h = Real(1) / 4, atol(0), rtol = parse<Real>("1e-6");
  // The rule (integrate.hpp): sc_i = atol + rtol (|x_i| + h |f_i|); err_i = h e5^2 / sqrt(e5^2 + e3^2 / 100) with
  // e = estimate / sc_i; 0 where sc_i = 0 or both estimates are 0; err = max_i.
  auto rule = [&](const vector<Real>& x, const vector<Real>& f, const vector<Real>& e5v, const vector<Real>& e3v) {
    Real err(0);
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      const Real sc = atol + rtol * (abs(x(i)) + h * abs(f(i)));
      if (sc == 0 || (e5v(i) == 0 && e3v(i) == 0)) continue;
      const Real e5 = e5v(i) / sc, e3 = e3v(i) / sc;
      err = std::max(err, Real(h * e5 * e5 / sqrt(e5 * e5 + e3 * e3 / 100)));
    }
    return err;
  };
  gaussian_stream g(5, 2);
  const Eigen::Index dim = 11;  // two groups of four and a tail
  vector<Real> x = g.normal_matrix<Real>(dim, 1).col(0), f = g.normal_matrix<Real>(dim, 1).col(0);
  vector<Real> e5v = parse<Real>("1e-7") * g.normal_matrix<Real>(dim, 1).col(0),
               e3v = parse<Real>("1e-5") * g.normal_matrix<Real>(dim, 1).col(0);
  x(2) = 0;  // no scale (atol = 0): its estimate, however large, does not count
  f(2) = 0;
  e5v(2) = Real(1);
  e5v(5) = 0;  // both estimates zero
  e3v(5) = 0;
  e5v(9) = 0;  // the 3rd-order estimate alone: err_i = 0
  vector<Real> q;
  const Real err = detail::dop853_error(x, f, e5v, e3v, h, atol, rtol, q);
  const Real expected = rule(x, f, e5v, e3v);
  CHECK(expected > 0);
  LORAFLOW_CHECK_REL(err, expected, Real(16 * eps<Real>()));
  // The largest component decides, wherever it sits (a tail entry included).
  e5v(10) = parse<Real>("1e-3");
  LORAFLOW_CHECK_REL(detail::dop853_error(x, f, e5v, e3v, h, atol, rtol, q), rule(x, f, e5v, e3v),
                     Real(16 * eps<Real>()));
  // All estimates zero: 0.
  const vector<Real> zero = vector<Real>::Zero(dim);
  CHECK(detail::dop853_error(x, f, zero, zero, h, atol, rtol, q) == 0);
  // A NaN in any component, or an estimate whose square overflows (inf / inf), makes the error NaN: never dropped
  // by the max, whichever component follows it.
  for (Eigen::Index i : {Eigen::Index(0), Eigen::Index(6), Eigen::Index(10)}) {
    CAPTURE(i);
    vector<Real> bad = e5v;
    bad(i) = std::numeric_limits<Real>::quiet_NaN();
    CHECK(!is_finite(detail::dop853_error(x, f, bad, e3v, h, atol, rtol, q)));
    bad(i) = std::numeric_limits<Real>::max();
    CHECK(!is_finite(detail::dop853_error(x, f, bad, e3v, h, atol, rtol, q)));
  }
}
TEST_CASE_TEMPLATE_APPLY(dop853_error_rule, scalar_types);
