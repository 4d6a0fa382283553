// Claim:      Xu et al. (AISTATS 2025) Appendix G, Theorem G.1 (catalogue 1.4 (iii), typo 6): B = 0 with A orthogonal
//             to the dY direction is a stationary point that is not a global minimum. The example: W2 = W1 =
//             diag(10, 1), Y_pre = diag(100, 1), r = 1, A_i = a_i e1^T, B_i = 0. The paper prints Y_ft = Y_pre but
//             claims L = 1; the catalogue's fix Y_ft = diag(100, 1 + sqrt 2), i.e. dY = diag(0, sqrt 2), gives L = 1.
// Prediction: the gradient vanishes there, so gradient flow stays at the point and L(t) = 1 for all t.
// Check:      a1 = 3/10, a2 = 7/10; integrate to t = 100 in double and in 50 digits (dopri5, rtol = 1e3 eps);
//             record max |L(t) - 1| and max |x(t) - x(0)| over 100 observations. Control: the same point with B1
//             perturbed by 1e-6 e2 (a saddle: the flow must leave it and the loss drop below 1/2 by t = 100), so a
//             broken field or integrator that froze every state could not pass (control at rtol 1e-10).
//             Printed example: with the printed Y_ft = Y_pre, dY = 0 and L = 0, not 1 (typo 6): tested as printed, an
//             expected violation.
// Tolerance:  |L - 1| <= 8 eps (L = (sqrt 2)^2 / 2 rounds once in sqrt 2 and once in the square) and
//             |x(t) - x(0)| = 0 up to 8 eps (the exact field is 0: every term multiplies an exact zero).
// Which rows can fail: at this point every term of the vector field is a product with an exact zero (B = 0, and
//             E A_i^T, B_i^T E vanish because E = dY is orthogonal to A_i), so each stage of any integrator returns
//             x(0) bit for bit: the stationarity rows (|x(t) - x(0)|, and |L(t) - 1| beyond the value at t = 0) cannot
//             fail for a field that is zero there, whatever the dynamics elsewhere. |L - 1| can fail through the loss
//             convention (a loss without the 1/2, or a wrong dY, gives L = 2 or L != 1), and the printed-example row
//             can fail if the printed Y_ft gave L = 1. The control is the only row that tests the dynamics: it fails
//             for a field or integrator that freezes every state (L would stay at ~1 > 1/2).
#include "check/rows.hpp"

#include <loraflow/integrate/integrate.hpp>
#include <loraflow/model/lora.hpp>

#include <cmath>
#include <functional>
#include <limits>

namespace loraflow::check {

namespace {
/// L at the App. G point with the printed Y_ft = Y_pre (dY = 0), in double.
double printed_example_loss() {
  matrix<double> W = matrix<double>::Zero(2, 2);
  W(0, 0) = 10;
  W(1, 1) = 1;
  const lora_model<double> model(lora_problem<double>{W, W, matrix<double>::Zero(2, 2), 1, true, true, 1.0, 0.0});
  matrix<double> A1 = matrix<double>::Zero(1, 2), A2 = matrix<double>::Zero(1, 2);
  A1(0, 0) = 0.3;
  A2(0, 0) = 0.7;
  return model.loss(model.pack(A1, matrix<double>::Zero(2, 1), A2, matrix<double>::Zero(2, 1)));
}

template <class Real> void app_g_rows(const std::string& name, result& r) {
  using std::abs;
  using std::sqrt;
  matrix<Real> W = matrix<Real>::Zero(2, 2);
  W(0, 0) = 10;
  W(1, 1) = 1;
  matrix<Real> dY = matrix<Real>::Zero(2, 2);
  dY(1, 1) = sqrt(Real(2));
  const lora_model<Real> model(lora_problem<Real>{W, W, dY, 1, true, true, Real(1), Real(0)});
  matrix<Real> A1 = matrix<Real>::Zero(1, 2), A2 = matrix<Real>::Zero(1, 2);
  A1(0, 0) = Real(3) / 10;
  A2(0, 0) = Real(7) / 10;
  const vector<Real> x0 = model.pack(A1, matrix<Real>::Zero(2, 1), A2, matrix<Real>::Zero(2, 1));
  solve_options<Real> opt;
  opt.rtol = 1000 * eps<Real>();
  opt.atol = opt.rtol;
  std::vector<Real> times;
  for (int k = 0; k <= 100; ++k) times.push_back(Real(k));
  Real dL = 0, dx = 0;
  vector<Real> x = x0;
  const run_stats<Real> st = integrate<Real>(std::cref(model), x, Real(0), Real(100), times,
                                             [&](const Real&, const vector<Real>& xs) {
                                               using std::max;
                                               dL = max(dL, Real(abs(model.loss(xs) - 1)));
                                               dx = max(dx, Real((xs - x0).cwiseAbs().maxCoeff()));
                                             },
                                             opt);
  const double e = static_cast<double>(eps<Real>());
  if (st.status != run_status::ok) {
    r.rows.push_back(inconclusive("stationary point (" + name + ")", "L = 1", std::string("integration: ") + status_name(st.status))
                         .paper("Xu et al. 2025, App. G, Thm G.1"));
    return;
  }
  r.rows.push_back(at_most("max |L(t) - 1| on [0, 100] (" + name + ")", "0 (L = 1 for all t)", static_cast<double>(dL),
                           8 * e, "<= 8 eps")
                       .paper("Xu et al. 2025, App. G, Thm G.1 (L(t) = 1 for all t), with Y_ft = diag(100, 1 + sqrt 2) "
                              "(catalogue 1.4 (iii), typo 6)"));
  r.rows.push_back(at_most("max |x(t) - x(0)| on [0, 100] (" + name + ")", "0 (stationary)", static_cast<double>(dx), 8 * e,
                           "<= 8 eps")
                       .paper("Xu et al. 2025, App. G, proof of Thm G.1, eq. (210): the initialization is a stationary point"));
  // Control: a saddle, so a small perturbation along the dY direction escapes.
  vector<Real> y = x0;
  model.B1(y)(1, 0) = Real(1) / 1000000;
  opt.rtol = Real(1) / 10000000000;  // the control only has to show the escape: rtol 1e-10 in every type
  opt.atol = opt.rtol * Real(1) / 1000000000000;
  const run_stats<Real> sp =
      integrate<Real>(std::cref(model), y, Real(0), Real(100), {}, [](const Real&, const vector<Real>&) {}, opt);
  const double Lp = static_cast<double>(model.loss(y));
  if (sp.status != run_status::ok) {
    r.rows.push_back(inconclusive("control: perturbed point (" + name + ")", "L < 1/2", status_name(sp.status))
                         .derived("header: the point is a saddle (control)"));
    return;
  }
  r.rows.push_back(at_most("control: L(100) from B1 + 1e-6 e2 (" + name + ")", "< 1/2 (a saddle, not a minimum)", Lp, 0.5,
                           "the flow leaves the perturbed point")
                       .derived("header: the point is a saddle (control); L = 0 is reached with B1 A1 along e2 e2^T"));
}
}  // namespace

claim make_xu2025_app_g() {
  return claim{"xu2025.appg-stationary", "Xu et al., AISTATS 2025", "App. G, Thm G.1; catalogue 1.4 (iii), typo 6",
               "B = 0, A orthogonal to dY: a stationary point with L = 1 that gradient flow never leaves",
               [](const context&) {
                 result r;
                 app_g_rows<double>("double", r);
                 app_g_rows<float50>("50 digits", r);
                 r.rows.push_back(expect_violation(
                     within("L at the point with the printed Y_ft = diag(100, 1) = Y_pre", "1 (Thm G.1 as printed)",
                            printed_example_loss(), -1, 1.0, 8 * std::numeric_limits<double>::epsilon(), "|L - 1| <= 8 eps")
                         .paper("Xu et al. 2025, App. G, Thm G.1 as printed (Y_ft = diag(100, 1))"),
                     "typo (catalogue 1.4 (iii), inconsistency 6): the printed Y_ft equals Y_pre, so dY = 0 and L = 0; the "
                     "other rows use Y_ft = diag(100, 1 + sqrt 2), which gives the claimed L = 1"));
                 return r;
               }};
}

}  // namespace loraflow::check
