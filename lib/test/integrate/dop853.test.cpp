// Tests of the DOP853 method (integrate/dop853.hpp, stepped by integrate.hpp's dop853_loop).
// Oracles: the order conditions its coefficients must satisfy (exact rationals, checked in 100 digits against the
// 28-30 digits the coefficients carry); the order of convergence on a closed form (x' = -k .* x) with the step fixed
// by max_dt, at the step ends and on the dense output; the tolerance floor it is offered at.
#include <loraflow/integrate/integrate.hpp>

#include "checks.hpp"

#include <cmath>

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
  using std::exp;
  using std::log2;
  // x' = -k .* x, x(0) = 1: x(t) = exp(-k t). rtol = 1 never rejects at these steps, so max_dt fixes the step h.
  vector<Real> k(2);
  k << Real(3) / 2, Real(1) / 2;
  const system_fn<Real> sys = [&](const vector<Real>& x, vector<Real>& d, const Real&) { d = -k.cwiseProduct(x); };
  const Real t1 = Real(4);
  std::vector<Real> times;  // 64 points at irrational-looking fractions of the steps
  for (int i = 1; i <= 64; ++i) times.push_back(t1 * Real(i) / Real(65));
  auto errors = [&](const Real& h) {
    solve_options<Real> opt;
    opt.stepper = method::dop853;
    opt.rtol = Real(1);
    opt.atol = Real(1);
    opt.dt = h;
    opt.max_dt = h;
    vector<Real> x = vector<Real>::Ones(2);
    Real dense_err(0);
    const run_stats<Real> st = integrate(sys, x, Real(0), t1, times, [&](const Real& t, const vector<Real>& xo) {
      for (int i = 0; i < 2; ++i) dense_err = std::max(dense_err, Real(abs(xo(i) - exp(-k(i) * t))));
    }, opt);
    CHECK(st.status == run_status::ok);
    CHECK(st.rejected == 0);
    Real end_err(0);
    for (int i = 0; i < 2; ++i) end_err = std::max(end_err, Real(abs(x(i) - exp(-k(i) * t1))));
    return std::pair<Real, Real>{end_err, dense_err};
  };
  // h = 4/5, 2/5, 1/5 (5, 10, 20 steps): errors from about 1e-8 down to 7e-14 at the end (4e-6 to 5e-11 on the dense
  // output; measured in double and float50 alike), at least 100 times every type's rounding (double: 1e-16 x the
  // 20 steps), so the measured order is the method's: 8.1-8.2 at the end, 7.9-8.1 on the dense output (orders 8
  // globally: the dense output's local error is O(h^8), order 7, the solution's global error O(h^8)).
  const auto [e1, d1] = errors(Real(4) / 5);
  const auto [e2, d2] = errors(Real(2) / 5);
  const auto [e3, d3] = errors(Real(1) / 5);
  const double p_end1 = to_double(log2(e1 / e2)), p_end2 = to_double(log2(e2 / e3));
  const double p_dense1 = to_double(log2(d1 / d2)), p_dense2 = to_double(log2(d2 / d3));
  MESSAGE("end errors ", to_double(e1), " ", to_double(e2), " ", to_double(e3), "; dense ", to_double(d1), " ",
          to_double(d2), " ", to_double(d3));
  CHECK(p_end1 > 7.5);
  CHECK(p_end2 > 7.5);
  CHECK(p_end2 < 8.5);
  CHECK(p_dense1 > 7.3);
  CHECK(p_dense2 > 7.3);
  CHECK(p_dense2 < 8.7);
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
