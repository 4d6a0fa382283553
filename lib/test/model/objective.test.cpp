// Tests of model/objective.hpp, and of the objectives inside the LoRA field (model/lora.hpp) and its Taylor series
// (model/lora_series.hpp).
// Oracles, in the order of the guide:
//  - closed forms: unit weights and the sensing operator 2 I (N = m n = 4) are frobenius exactly, bit for bit; the
//    softmax gradient's columns sum to zero (sum_c (Y - P)_ci = 0);
//  - the negative gradient is minus the derivative of the value (central differences, error O(eps^(2/3)));
//  - the Hessian-vector product: exact linearity for the quadratic kinds (E(X) - E(X + V) = H[V] to rounding),
//    central differences of the gradient for logistic;
//  - the LoRA field is minus the gradient of L = f(F) + lambda/2 ||x||^2, for every objective and scalar type;
//  - the LoRA Hessian-vector product is symmetric (w^T H v = v^T H w) and the derivative of the gradient;
//  - the Taylor series of a weighted and a noisy sensing run: first coefficient = the field, and the order of
//    convergence h^(K+1) against odeint's Bulirsch-Stoer (an independent integrator) in 50 digits;
//  - bad data: one message naming what is wrong; logistic refused by the Taylor method.
#include <loraflow/integrate/integrate.hpp>
#include <loraflow/linalg.hpp>
#include <loraflow/model/lora.hpp>
#include <loraflow/model/lora_series.hpp>
#include <loraflow/model/objective.hpp>
#include <loraflow/random.hpp>

#include "checks.hpp"
#include "model/gradient_check.hpp"
#include "model/objective_cases.hpp"

#include <functional>

using namespace loraflow;
using test::max_abs;
using test::data_of;

namespace {
constexpr Eigen::Index M = 3, N_ = 4;  // m x n of the adapted matrix in these tests

template <class Real> vector<Real> flat(const matrix<Real>& a) {
  return Eigen::Map<const vector<Real>>(a.data(), a.size());
}
}  // namespace

TEST_CASE("the objective table: names parse back, one summary each, the list for messages") {
  for (const objective_info& i : objective_table) {
    CHECK(parse_objective_kind(i.name) == i.kind);
    CHECK(std::string(i.summary).size() > 10);
    CHECK(&info_of(i.kind) == &i);
  }
  CHECK(!parse_objective_kind("Frobenius"));
  CHECK(objective_list() == "frobenius, weighted, sensing or logistic");
  CHECK(info_of(objective_kind::logistic).quadratic == false);
}

TEST_CASE_TEMPLATE_DEFINE("objectives: the negative gradient is minus the derivative of the value", Real, obj_grad) {
  test::precision_for_test<Real> prec;
  using std::cbrt;
  gaussian_stream g(4, 4);
  const matrix<Real> W2 = g.normal_matrix<Real>(M, 5), W1 = g.normal_matrix<Real>(5, N_);
  const matrix<Real> S = g.normal_matrix<Real>(M, N_), X = g.normal_matrix<Real>(M, N_) / 2;
  const Real h = cbrt(eps<Real>()), tol = 100 * h * h;
  for (const objective_info& info : objective_table) {
    const std::string name = info.name;
    CAPTURE(name);
    const objective<Real> f(data_of<Real>(info.kind, M, N_), W2, W1);
    matrix<Real> E(M, N_);
    f.negative_gradient(X, matrix<Real>(S - X), E);
    for (Eigen::Index j = 0; j < N_; ++j)
      for (Eigen::Index i = 0; i < M; ++i) {
        matrix<Real> Xp = X, Xm = X;
        Xp(i, j) += h;
        Xm(i, j) -= h;
        const Real fd = (f.value(Xp, matrix<Real>(S - Xp)) - f.value(Xm, matrix<Real>(S - Xm))) / (2 * h);
        LORAFLOW_CHECK_CLOSE(Real(-E(i, j)), fd, tol);
      }
  }
}
TEST_CASE_TEMPLATE_APPLY(obj_grad, scalar_types);

TEST_CASE_TEMPLATE_DEFINE("objectives: Hessian-vector products (exact for the quadratic kinds)", Real, obj_hvp) {
  test::precision_for_test<Real> prec;
  using std::cbrt;
  gaussian_stream g(6, 2);
  const matrix<Real> W2 = g.normal_matrix<Real>(M, 5), W1 = g.normal_matrix<Real>(5, N_);
  const matrix<Real> S = g.normal_matrix<Real>(M, N_), X = g.normal_matrix<Real>(M, N_) / 2,
                     V = g.normal_matrix<Real>(M, N_);
  for (const objective_info& info : objective_table) {
    const std::string name = info.name;
    CAPTURE(name);
    const objective<Real> f(data_of<Real>(info.kind, M, N_), W2, W1);
    matrix<Real> HV(M, N_), E0(M, N_), Ep(M, N_), Em(M, N_);
    f.hessian_product(X, V, HV);
    if (info.quadratic) {
      // grad f(X + V) - grad f(X) = H[V] exactly in exact arithmetic; rounding is a few eps of the terms.
      f.negative_gradient(X, matrix<Real>(S - X), E0);
      f.negative_gradient(matrix<Real>(X + V), matrix<Real>(S - X - V), Ep);
      const matrix<Real> diff = E0 - Ep;
      const Real scale = max_abs(flat<Real>(E0)) + max_abs(flat<Real>(Ep));
      CHECK(max_abs(flat<Real>(matrix<Real>(diff - HV))) <= 256 * eps<Real>() * scale);
    } else {
      const Real h = cbrt(eps<Real>());
      f.negative_gradient(matrix<Real>(X + h * V), matrix<Real>(S - X - h * V), Ep);
      f.negative_gradient(matrix<Real>(X - h * V), matrix<Real>(S - X + h * V), Em);
      const matrix<Real> fd = (Em - Ep) / (2 * h);
      CHECK(max_abs(flat<Real>(matrix<Real>(fd - HV))) <= 100 * h * h * max_abs(flat<Real>(HV)));
    }
  }
}
TEST_CASE_TEMPLATE_APPLY(obj_hvp, scalar_types);

TEST_CASE_TEMPLATE_DEFINE("objectives: closed forms (unit weights and 2 I sensing are frobenius bit for bit)", Real, obj_closed) {
  test::precision_for_test<Real> prec;
  gaussian_stream g(8, 1);
  const matrix<Real> W2 = matrix<Real>::Identity(2, 2), W1 = g.normal_matrix<Real>(2, 2);
  const matrix<Real> S = g.normal_matrix<Real>(2, 2), X = g.normal_matrix<Real>(2, 2);
  const matrix<Real> R = S - X;
  objective_data<Real> w;
  w.kind = objective_kind::weighted;
  w.weights = matrix<Real>::Ones(2, 2);
  objective_data<Real> s;
  s.kind = objective_kind::sensing;
  s.sensing = 2 * matrix<Real>::Identity(4, 4);  // (1/2N) sum (2 R_k)^2 = 1/2 ||R||^2 with N = 4, all exact
  const objective<Real> fro(objective_data<Real>{}, W2, W1), wt(w, W2, W1), se(s, W2, W1);
  matrix<Real> E0(2, 2), E1(2, 2), E2(2, 2);
  fro.negative_gradient(X, R, E0);
  wt.negative_gradient(X, R, E1);
  se.negative_gradient(X, R, E2);
  CHECK(E0 == R);
  CHECK(E1 == R);
  CHECK(E2 == R);
  CHECK(fro.evaluated_value(R) == squared_norm(R) / 2);
  CHECK(wt.value(X, R) == fro.value(X, R));
  CHECK(se.value(X, R) == fro.value(X, R));
  using std::abs;
  // Logistic: each column of Y - P sums to zero, so the rows of E = (Y - P) Xf^T / N sum to zero.
  const objective<Real> lg(data_of<Real>(objective_kind::logistic, 2, 2), W2, W1);
  matrix<Real> E3(2, 2);
  lg.negative_gradient(X, R, E3);
  for (Eigen::Index j = 0; j < 2; ++j) CHECK(abs(E3.col(j).sum()) <= 16 * eps<Real>() * max_abs(flat<Real>(E3)));
  // The loss of the logits Z0 + X Xf: cross-entropy from its definition.
  const objective_data<Real>& d = lg.data();
  const matrix<Real> Z = (W2 * W1 + X) * d.features;
  Real ce(0);
  for (Eigen::Index i = 0; i < Z.cols(); ++i) {
    using std::exp;
    using std::log;
    ce += log(exp(Z(0, i)) + exp(Z(1, i))) - Z(d.labels[static_cast<std::size_t>(i)], i);
  }
  LORAFLOW_CHECK_REL(lg.value(X, R), Real(ce / Real(Z.cols())), 64 * eps<Real>());
}
TEST_CASE_TEMPLATE_APPLY(obj_closed, scalar_types);

TEST_CASE_TEMPLATE_DEFINE("objectives: the affine map E = Q[R] + c of the Taylor method is the negative gradient", Real, obj_affine) {
  test::precision_for_test<Real> prec;
  gaussian_stream g(9, 4);
  const matrix<Real> W2 = g.normal_matrix<Real>(M, 5), W1 = g.normal_matrix<Real>(5, N_);
  const matrix<Real> R = g.normal_matrix<Real>(M, N_);
  for (const objective_info& info : objective_table) {
    const std::string name = info.name;
    CAPTURE(name);
    const objective<Real> f(data_of<Real>(info.kind, M, N_), W2, W1);
    if (!info.quadratic) {
      matrix<Real> RE = R;
      CHECK_THROWS_AS(f.apply_quadratic(RE, true), std::logic_error);
      continue;
    }
    matrix<Real> E(M, N_), RE = R;
    f.negative_gradient(matrix<Real>(-R), R, E);  // X = -R, S = 0
    f.apply_quadratic(RE, true);
    CHECK(max_abs(flat<Real>(matrix<Real>(RE - E))) <= 64 * eps<Real>() * max_abs(flat<Real>(E)));
  }
}
TEST_CASE_TEMPLATE_APPLY(obj_affine, scalar_types);

TEST_CASE_TEMPLATE_DEFINE("LoRA field under every objective is minus the gradient of f(F) + lambda/2 ||x||^2", Real, lora_obj_grad) {
  test::precision_for_test<Real> prec;
  gaussian_stream g(11, 5);
  for (const objective_info& info : objective_table) {
    for (int variant = 0; variant < 3; ++variant) {
      const std::string name = info.name;
      CAPTURE(name);
      CAPTURE(variant);
      lora_problem<Real> p;
      p.W1 = g.normal_matrix<Real>(5, N_);
      p.W2 = g.normal_matrix<Real>(M, 5);
      p.dY = g.normal_matrix<Real>(M, N_);
      p.rank = 2;
      p.adapt_W1 = variant != 2;
      p.adapt_W2 = variant != 1;
      p.scale = Real(3) / 2;
      p.weight_decay = variant == 0 ? Real(1) / 10 : Real(0);
      p.objective = data_of<Real>(info.kind, M, N_);
      const lora_model<Real> model(p);
      const vector<Real> x = g.normal_matrix<Real>(model.dimension(), 1).col(0) / 2;
      test::check_gradient<Real>(model, x);
      // The residual is dY - F for every objective; the field's E is -grad f(F).
      const matrix<Real> F = model.product(x);
      CHECK(model.residual(x) == matrix<Real>(p.dY - F));
      matrix<Real> E(M, N_);
      model.objective().negative_gradient(F, matrix<Real>(p.dY - F), E);
      CHECK(model.negative_gradient(x) == E);
    }
  }
}
TEST_CASE_TEMPLATE_APPLY(lora_obj_grad, scalar_types);

TEST_CASE_TEMPLATE_DEFINE("LoRA Hessian-vector product: symmetric, and the derivative of the gradient", Real, lora_hvp) {
  test::precision_for_test<Real> prec;
  using std::abs;
  using std::cbrt;
  gaussian_stream g(19, 7);
  for (const objective_info& info : objective_table) {
    for (int variant = 0; variant < 3; ++variant) {
      const std::string name = info.name;
      CAPTURE(name);
      CAPTURE(variant);
      lora_problem<Real> p{g.normal_matrix<Real>(5, N_), g.normal_matrix<Real>(M, 5), g.normal_matrix<Real>(M, N_), 2,
                           variant != 2, variant != 1, Real(3) / 2, Real(1) / 10};
      p.objective = data_of<Real>(info.kind, M, N_);
      const lora_model<Real> model(p);
      const Eigen::Index dim = model.dimension();
      const vector<Real> x = g.normal_matrix<Real>(dim, 1).col(0) / 2, v = g.normal_matrix<Real>(dim, 1).col(0),
                         w = g.normal_matrix<Real>(dim, 1).col(0);
      vector<Real> Hv, Hw, gp, gm;
      model.hessian_product(x, v, Hv);
      model.hessian_product(x, w, Hw);
      // Symmetry: w^T H v = v^T H w, to rounding.
      const Real scale = max_abs(Hv) * max_abs(w) + max_abs(Hw) * max_abs(v);
      CHECK(abs(Real(w.dot(Hv) - v.dot(Hw))) <= 64 * Real(dim) * eps<Real>() * scale);
      // Central difference of the gradient along v: error O(h^2) with h = eps^(1/3).
      const Real h = cbrt(eps<Real>());
      model.gradient(vector<Real>(x + h * v), gp);
      model.gradient(vector<Real>(x - h * v), gm);
      const vector<Real> fd = (gp - gm) / (2 * h);
      CHECK(max_abs(vector<Real>(fd - Hv)) <= 100 * h * h * (1 + max_abs(Hv)));
    }
  }
}
TEST_CASE_TEMPLATE_APPLY(lora_hvp, scalar_types);

TEST_CASE_TEMPLATE_DEFINE("Taylor series under weighted and sensing objectives: the first coefficient is the field", Real, series_obj_c1) {
  test::precision_for_test<Real> prec;
  gaussian_stream g(13, 2);
  for (objective_kind kind : {objective_kind::weighted, objective_kind::sensing}) {
    const std::string name = info_of(kind).name;
    CAPTURE(name);
    lora_problem<Real> p{g.normal_matrix<Real>(5, N_), g.normal_matrix<Real>(M, 5), g.normal_matrix<Real>(M, N_), 2,
                         true, true, Real(3) / 2, Real(1) / 10};
    p.objective = data_of<Real>(kind, M, N_);
    const lora_model<Real> model(p);
    const lora_series<Real> series(model);
    const vector<Real> x = g.normal_matrix<Real>(model.dimension(), 1).col(0);
    std::vector<vector<Real>> c(4, vector<Real>(model.dimension()));
    series.expand(x, 3, c);
    vector<Real> f;
    model.field(x, f);
    CHECK(max_abs(vector<Real>(c[1] - f)) <= 256 * eps<Real>() * max_abs(f));
  }
}
TEST_CASE_TEMPLATE_APPLY(series_obj_c1, scalar_types);

TEST_CASE("Taylor series under weighted and noisy sensing objectives: error falls as h^(K+1) (50 digits)") {
  using Real = float50;
  gaussian_stream g(17, 9);
  for (objective_kind kind : {objective_kind::weighted, objective_kind::sensing}) {
    const std::string name = info_of(kind).name;
    CAPTURE(name);
    lora_problem<Real> p{g.normal_matrix<Real>(5, N_), g.normal_matrix<Real>(M, 5), g.normal_matrix<Real>(M, N_), 2,
                         true, true, Real(1), Real(1) / 20};
    p.objective = data_of<Real>(kind, M, N_);
    const lora_model<Real> model(p);
    const lora_series<Real> series(model);
    const vector<Real> x = g.normal_matrix<Real>(model.dimension(), 1).col(0) / 3;
    const int K = 6;
    std::vector<vector<Real>> c(K + 1, vector<Real>(model.dimension()));
    series.expand(x, K, c);
    Real prev(0);
    for (int i = 0; i < 3; ++i) {
      const Real h = Real(1) / Real(32 << i);
      vector<Real> xh = x;
      solve_options<Real> opt;
      opt.stepper = method::bulirsch_stoer;
      opt.rtol = parse<Real>("1e-46");
      REQUIRE(integrate<Real>(std::cref(model), xh, Real(0), h, {}, [](const Real&, const vector<Real>&) {}, opt)
                  .status == run_status::ok);
      vector<Real> sum = c[K];
      for (int j = K - 1; j >= 0; --j) sum = vector<Real>(sum * h + c[static_cast<std::size_t>(j)]);
      const Real err = max_abs(vector<Real>(sum - xh));
      if (i > 0) {
        const double observed = to_double(Real(log(prev / err) / log(Real(2))));
        MESSAGE(std::string(info_of(kind).name), " h = 1/", (32 << i), ": observed order ", observed, " (expected ", K + 1, ")");
        CHECK(std::abs(observed - (K + 1)) < 0.35);
      }
      prev = err;
    }
  }
}

TEST_CASE("objectives: bad data is refused with a message naming it") {
  const matrix<double> W2 = matrix<double>::Identity(3, 3), W1 = matrix<double>::Ones(3, 4);
  auto message = [&](const objective_data<double>& d) {
    try {
      objective<double> f(d, W2, W1);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  objective_data<double> w = data_of<double>(objective_kind::weighted, 3, 4);
  w.weights(1, 2) = 0;
  CHECK(message(w) == "objective weighted: weight (1, 2) is 0.0000000000000000e+00; expected a finite value > 0");
  w.weights = matrix<double>::Ones(4, 3);
  CHECK(message(w) == "objective weighted: weights are 4x3; expected 3x4 (the shape of dY)");
  objective_data<double> s = data_of<double>(objective_kind::sensing, 3, 4);
  s.sensing = matrix<double>::Ones(5, 11);
  CHECK(message(s) ==
        "objective sensing: the measurement matrix is 5x11; expected N x 12 (N >= 1 rows, one vec(M_k) of a 3x4 "
        "matrix per row)");
  s = data_of<double>(objective_kind::sensing, 3, 4);
  s.noise = vector<double>::Ones(3);
  CHECK(message(s) == "objective sensing: noise has 3 entries; expected N = 24 or none");
  objective_data<double> l = data_of<double>(objective_kind::logistic, 3, 4);
  l.labels[4] = 3;
  CHECK(message(l) == "objective logistic: label 4 is 3; expected a class in [0, 3)");
  l.labels.pop_back();
  CHECK(message(l) == "objective logistic: 6 labels for 7 samples; expected one per sample");
  l = data_of<double>(objective_kind::logistic, 3, 4);
  l.features = matrix<double>::Ones(2, 7);
  CHECK(message(l) == "objective logistic: features are 2x7; expected 4 x N (one column per sample, N >= 1)");
  // The Taylor method refuses logistic (not polynomial).
  lora_problem<double> p{W1, W2, matrix<double>::Zero(3, 4), 1, true, false, 1.0, 0.0};
  p.objective = data_of<double>(objective_kind::logistic, 3, 4);
  const lora_model<double> model(p);
  CHECK_THROWS_WITH_AS(lora_series<double>{model},
                       "lora_series: the objective 'logistic' is not polynomial, so the Taylor method cannot expand "
                       "it; use an odeint method or gd",
                       std::invalid_argument);
}

TEST_CASE_TEMPLATE_DEFINE("objectives: the smoothness constant L_f bounds the Hessian, exactly for the quadratic kinds", Real, obj_smooth) {
  test::precision_for_test<Real> prec;
  // Oracles: the constants by a second algorithm (the largest eigenvalue of a Gram matrix by sym_eig, or the largest
  // weight), and <V, H[V]> <= L_f ||V||^2 at random X and V (equality approached by the top eigenvector for the
  // quadratic kinds).
  gaussian_stream g(8, 2);
  const matrix<Real> W2 = g.normal_matrix<Real>(M, 5), W1 = g.normal_matrix<Real>(5, N_);
  const Real tol = 1024 * eps<Real>();
  for (const objective_info& info : objective_table) {
    CAPTURE(std::string(info.name));
    const objective_data<Real> d = data_of<Real>(info.kind, M, N_);
    const objective<Real> f(d, W2, W1);
    const auto [L, exact] = f.smoothness();
    CHECK(exact == info.quadratic);
    Real want(1);
    if (info.kind == objective_kind::weighted) want = d.weights.maxCoeff();
    if (info.kind == objective_kind::sensing)
      want = linalg::sym_eig<Real>(matrix<Real>(d.sensing.transpose() * d.sensing)).values(0) / Real(d.sensing.rows());
    if (info.kind == objective_kind::logistic)
      want = linalg::sym_eig<Real>(matrix<Real>(d.features * d.features.transpose())).values(0) / Real(2 * d.features.cols());
    LORAFLOW_CHECK_REL(L, want, tol);
    matrix<Real> HV(M, N_);
    for (int trial = 0; trial < 5; ++trial) {
      const matrix<Real> X = g.normal_matrix<Real>(M, N_), V = g.normal_matrix<Real>(M, N_);
      f.hessian_product(X, V, HV);
      CHECK(Real(V.cwiseProduct(HV).sum()) <= L * V.squaredNorm() * (1 + tol));
    }
  }
}
TEST_CASE_TEMPLATE_APPLY(obj_smooth, scalar_types);
