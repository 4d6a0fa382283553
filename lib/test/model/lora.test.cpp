// Tests of model/lora.hpp.
// Oracles: central finite differences of the loss (gradient), the definition of the residual evaluated in a higher
// precision (digits of E), and the shapes named in the messages for bad arguments.
#include <loraflow/model/init.hpp>
#include <loraflow/model/lora.hpp>
#include <loraflow/random.hpp>
#include <loraflow/observe/metrics.hpp>

#include "checks.hpp"
#include "model/gradient_check.hpp"

using namespace loraflow;
using loraflow::test::check_gradient;

namespace {
template <class Real> lora_problem<Real> random_problem(bool w1, bool w2, Real s, Real lambda) {
  gaussian_stream g(11, 77);
  lora_problem<Real> p;
  p.W1 = g.normal_matrix<Real>(5, 3);  // h = 5, n = 3
  p.W2 = g.normal_matrix<Real>(4, 5);  // m = 4
  p.dY = g.normal_matrix<Real>(4, 3);
  p.rank = 2;
  p.adapt_W1 = w1;
  p.adapt_W2 = w2;
  p.scale = s;
  p.weight_decay = lambda;
  return p;
}
}  // namespace

TEST_CASE_TEMPLATE_DEFINE("the LoRA field is minus the gradient (finite differences)", Real, lora_gradient) {
  test::precision_for_test<Real> prec;
  for (int variant = 0; variant < 4; ++variant) {
    const bool w1 = variant != 2, w2 = variant != 1;
    const Real s = variant == 3 ? Real(3) / 2 : Real(1);
    const Real lambda = variant == 3 ? Real(1) / 10 : Real(0);
    CAPTURE(variant);
    lora_model<Real> model(random_problem<Real>(w1, w2, s, lambda));
    gaussian_stream g(5, 1);
    const vector<Real> x = g.normal_matrix<Real>(model.dimension(), 1).col(0) / 2;
    check_gradient<Real>(model, x);
  }
}
TEST_CASE_TEMPLATE_APPLY(lora_gradient, scalar_types);

TEST_CASE("the residual keeps its digits: E = dY - F agrees with the 100-digit E when E is tiny") {
  // Build a state whose product F nearly equals dY (||E|| ~ 1e-12 against ||F|| ~ 1), evaluate E in double both
  // ways, and compare with the exact residual from float100. dY - F keeps ~1e-16 absolute accuracy; forming
  // Y_ft - (W2 + B2 A2)(W1 + B1 A1) loses about log10(||Y_pre|| / ||E||) more digits.
  lora_problem<float100> p100 = random_problem<float100>(true, false, float100(1), float100(0));
  p100.W1 *= 1024;  // ||Y_pre|| ~ 1e3 ||F||: the naive form then loses three more digits (exact scaling by 2^10)
  gaussian_stream g(8, 8);
  const matrix<float100> B1 = g.normal_matrix<float100>(5, 2), A1 = g.normal_matrix<float100>(2, 3);
  // Choose dY = W2 B1 A1 + 1e-12 * N exactly representable in double.
  const matrix<float100> N = g.normal_matrix<float100>(4, 3);
  matrix<float100> dY = p100.W2 * B1 * A1 + N / float100("1e12");
  const matrix<double> dYd = dY.cast<double>();
  p100.dY = dYd.cast<float100>();  // the exact double values
  lora_model<float100> m100(p100);
  lora_problem<double> pd{p100.W1.cast<double>(), p100.W2.cast<double>(), dYd, 2, true, false, 1.0, 0.0};
  lora_model<double> md(pd);
  const vector<double> xd = md.pack(A1.cast<double>(), B1.cast<double>(), matrix<double>(), matrix<double>());
  const vector<float100> x100 = xd.cast<float100>();
  const matrix<float100> E_exact = m100.residual(x100);
  const matrix<double> E = md.residual(xd);
  const double scale = std::sqrt(to_double(squared_norm(E_exact)));
  const double err = (E.cast<float100>() - E_exact).cwiseAbs().maxCoeff().convert_to<double>();
  CHECK(scale < 1e-10);
  CHECK(err / scale < 1e-3);  // dY - F: absolute error ~ eps * ||F|| ~ 1e-15, relative ~ 1e-4 of a 1e-11 residual
  // The naive form, for contrast (documents why the library does not use it).
  const matrix<double> Ypre = pd.W2 * pd.W1;
  const matrix<double> Yft = Ypre + dYd;
  const matrix<double> naive = Yft - pd.W2 * (pd.W1 + xd.segment(6, 10).reshaped(5, 2) * xd.head(6).reshaped(2, 3));
  const double err_naive = (naive.cast<float100>() - E_exact).cwiseAbs().maxCoeff().convert_to<double>();
  CHECK(err_naive > 10 * err);
}

TEST_CASE("bad model arguments are rejected with a message naming the shapes") {
  lora_problem<double> p = random_problem<double>(true, true, 1.0, 0.0);
  p.dY = matrix<double>::Zero(3, 3);
  CHECK_THROWS_WITH_AS(lora_model<double>{p}, doctest::Contains("dY is 3x3; expected 4x3"), std::invalid_argument);
  lora_problem<double> q = random_problem<double>(true, true, 1.0, 0.0);
  lora_model<double> model(q);
  CHECK_THROWS_WITH_AS(model.pack(matrix<double>::Zero(2, 2), matrix<double>::Zero(5, 2), matrix<double>::Zero(2, 5),
                                  matrix<double>::Zero(4, 2)),
                       doctest::Contains("A1 is 2x2; expected 2x3"), std::invalid_argument);
  CHECK_THROWS_AS(small_init(model, 0.0, 1), std::invalid_argument);
}
