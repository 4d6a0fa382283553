// Claim:      the LoRA scale under gradient descent (catalogue ../shared/theory/lora-weight-decay-gd-scaling.md 3.1 and
//             oracles O10, O14). (a) LoRAM (Zhang et al., NeurIPS 2025, arXiv 2507.06558) Prop. 1, SGD row: the model
//             s B A trained from (A0, B0) with step eta equals the model B~ A~ trained from (sqrt(s) A0, sqrt(s) B0)
//             with step s eta (alpha_A = alpha_B = sqrt(s), eta_A~ = alpha_A^2 eta); full-batch GD is its
//             deterministic case. (b) With weight decay lambda on the factors the same holds with lambda/s (derived,
//             catalogue O10 [D]: L_s,lambda(A, B) = f(s B A) + lambda/2 (||A||^2 + ||B||^2) = L_1,lambda/s(A~, B~) and
//             grad_A L_s,lambda = sqrt(s) grad_A~ L_1,lambda/s, so A~_(k+1) = sqrt(s) A_(k+1) = A~_k - s eta grad_A~).
//             (c) The first step from B0 = 0 (derived, catalogue O14): B_1 = -eta s G0 A0^T, A_1 = A0, so
//             X_1 = s B_1 A_1 = -eta s^2 G0 A0^T A0 exactly (G0 = grad f(0)). (d) rsLoRA (Kalajdzievski, arXiv
//             2312.03732) at the first GD step (derived, catalogue 3.1): with A0 of i.i.d. N(0, sigma_A^2) entries,
//             E[A0^T A0] = r sigma_A^2 I, so E[X_1] = -eta s^2 r sigma_A^2 G0: linear in r s^2, rank-independent
//             iff s is proportional to r^(-1/2).
// Check:      (a), (b): one matrix 5 x 4 (sigma(S) = 2, 1, 1/2, seed 4), r = 2, frobenius and sensing (N = 40), 200 GD
//             steps of the library's GD (integrate.hpp) at s = 4, 3, 1/4 (lambda = 0 for (a), 0.3 for (b)), eta =
//             0.05 / s, double and 50 digits; the adapted matrices compared at every step. (c) X_1 of the library's
//             first GD step against the formula, double and 50 digits. (d) n = m = 64, sigma(S) = 1 (x64, seed 6),
//             sigma_A = 1/4, r = 1, 2, 4, 8, 16, 400 draws of A0 per r; the component of X_1 along -G0,
//             c = <X_1, -G0> / (eta ||G0||^2) = s^2 sum_i ||G0 a_i||^2 / ||G0||^2 (a_i the rows of A0: r i.i.d. terms of
//             mean sigma_A^2): the slope of log mean c against log r for s = 1 (prediction 1); s = r^(-1/2) (rsLoRA: 0)
//             and s = 1/r (-1) follow.
// Tolerance:  (a), (b): 64 K eps relative (K = 200 steps): each step rounds both runs a few times and the GD map at
//             these steps does not expand differences, so rounding adds up at most linearly; a slip in the step or
//             the decay shows at O(eta lambda) ~ 1e-2 after one step. (c) 64 eps: one step, a few roundings.
//             (d) 3 standard errors of the fitted slope (from the draws' spread, propagated through the fit).
//             Report rows beside (d): the per-draw Frobenius norm ||X_1|| against r. For orthogonal S,
//             ||X_1||_F = eta s^2 ||A0^T A0||_F and E ||A0 A0^T||_F^2 = n sigma_A^4 r (n + r + 1) (diagonal entries with
//             E ||a_i||^4 = (n^2 + 2 n) sigma_A^4, off-diagonal second moment n sigma_A^4), so ||X_1||_F grows like
//             s^2 sqrt(r) for r << n, not s^2 r: rsLoRA's rank independence is a statement about the mean update.
//             The three laws are one measurement (the same draws; they differ by the exact exponent of s): the s = 1
//             row tests the law, the rsLoRA and 1/r rows report what follows from it.
// Which rows can fail: all test rows: a field or GD step that applied the scale or the decay otherwise than
//             L_s,lambda; a generator whose A0 is not i.i.d. with variance sigma_A^2.
#include "check/rows.hpp"
#include "lora_scale/scale_problem.hpp"

#include <loraflow/integrate/integrate.hpp>
#include <loraflow/model/init.hpp>
#include <loraflow/model/lora.hpp>
#include <loraflow/model/one_matrix.hpp>
#include <loraflow/observe/fit.hpp>
#include <loraflow/random.hpp>

#include <cmath>
#include <algorithm>
#include <functional>
#include <limits>

namespace loraflow::check {

namespace {

/// The adapted matrix F after each of K GD steps of step eta from x0 (status "ok" or why not).
template <class Real>
std::vector<matrix<Real>> gd_products(const lora_model<Real>& model, vector<Real> x, std::size_t K, const Real& eta,
                                      std::string& status) {
  solve_options<Real> opt;
  opt.stepper = method::gd;
  opt.dt = eta;
  opt.gd_steps = K;
  for (std::size_t k = 0; k <= K; ++k) opt.gd_observe_steps.push_back(k);
  std::vector<matrix<Real>> F;
  const run_stats<Real> st = integrate<Real>(std::cref(model), x, Real(0), std::numeric_limits<Real>::max(), {},
                                             [&](const Real&, const vector<Real>& xs) { F.push_back(model.product(xs)); }, opt);
  status = status_name(st.status);
  return F;
}

template <class Real> void scale_rows(const context& ctx, result& res) {
  using std::sqrt;
  const std::size_t K = 200;
  for (const Real& lambda : {Real(0), Real(3) / 10})
    for (const Real& s : {Real(4), Real(3), Real(1) / 4})
      for (objective_kind k : {objective_kind::frobenius, objective_kind::sensing}) {
        const lora_model<Real> ms = scale_problem<Real>(s, lambda, k), m1 = scale_problem<Real>(Real(1), Real(lambda / s), k);
        vector<Real> x0 = small_init<Real>(ms, Real(1) / 2, 3);
        gaussian_stream gb(8, 1);
        ms.B1(x0) = gb.normal_matrix<Real>(5, 2) / 2;  // B0 != 0: the identity holds from any (A0, B0)
        const Real eta = Real(1) / 20 / s;
        std::string a, b;
        const std::vector<matrix<Real>> Fs = gd_products(ms, x0, K, eta, a);
        const std::vector<matrix<Real>> F1 = gd_products(m1, vector<Real>(sqrt(s) * x0), K, Real(s * eta), b);
        const std::string q = std::string("max_k ||X_s,k - X~_k|| / ||X~_k|| (") + info_of(k).name + ", s = " +
                              num(to_double(s), 3) + ", lambda = " + num(to_double(lambda), 2) + ", " + scalar_name<Real>() + ")";
        const bool decayed = lambda != 0;
        auto source = [&](row r) {
          return decayed ? r.derived("header (b): lambda -> lambda/s (catalogue O10)")
                         : r.paper("LoRAM Prop. 1, SGD row (catalogue 3.1)");
        };
        if (a != "ok" || b != "ok" || Fs.size() != K + 1 || F1.size() != K + 1) {
          res.rows.push_back(source(inconclusive(q, "0 (exact)", "GD: " + a + " / " + b)));
          continue;
        }
        Real worst(0);
        for (std::size_t i = 0; i <= K; ++i)
          worst = std::max(worst, Real((Fs[i] - F1[i]).norm() / F1[i].norm()));
        res.rows.push_back(source(at_most(q, "0 (an exact identity)", to_double(Real(worst / eps<Real>())),
                                          64.0 * static_cast<double>(K), "<= 64 K eps (K = 200 steps; measured in eps)")));
        ctx.say(q + ": " + num(to_double(Real(worst / eps<Real>())), 3) + " eps");
      }
}

/// The control (a rule that could fail): the scale-1 run with step eta instead of s eta, compared by the test rows'
/// statistic (max over k of the relative difference of the adapted matrices), must exceed their limit 64 K eps.
void control_row(result& res) {
  const double s = 3, eta = 0.05 / s;
  const std::size_t K = 200;
  const lora_model<double> ms = scale_problem<double>(s, 0.0, objective_kind::frobenius), m1 = scale_problem<double>(1.0, 0.0, objective_kind::frobenius);
  const vector<double> x0 = small_init<double>(ms, 0.5, 3);
  std::string a, b;
  const std::vector<matrix<double>> Fs = gd_products(ms, x0, K, eta, a);
  const std::vector<matrix<double>> F1 = gd_products(m1, vector<double>(std::sqrt(s) * x0), K, eta, b);
  double worst = 0;
  for (std::size_t k = 0; k < std::min(Fs.size(), F1.size()); ++k)
    worst = std::max(worst, (Fs[k] - F1[k]).norm() / F1[k].norm());
  const double limit = 64.0 * static_cast<double>(K);
  const double measured = worst / std::numeric_limits<double>::epsilon();
  res.rows.push_back(at_least("control: max_k ||X_s,k - X~_k|| / ||X~_k|| with step eta instead of s eta (frobenius, s = 3, double; in eps)",
                              "above the test rows' limit 64 K eps (the step must be rescaled)", measured, limit,
                              ">= 64 K eps = " + num(limit, 6))
                         .derived("header (a): the identity needs step s eta; any other step breaks it"));
}

template <class Real> void first_step_rows(result& res) {
  const Real s = Real(3) / 2, eta = Real(1) / 20;
  const lora_model<Real> model = scale_problem<Real>(s, Real(0), objective_kind::frobenius);
  const vector<Real> x0 = small_init<Real>(model, Real(1) / 2, 6);  // B0 = 0
  std::string st;
  const std::vector<matrix<Real>> F = gd_products(model, x0, 1, eta, st);
  const std::string q = std::string("||X_1 + eta s^2 G0 A0^T A0|| / ||X_1|| (") + scalar_name<Real>() + ")";
  if (st != "ok" || F.size() != 2) {
    res.rows.push_back(inconclusive(q, "0", "GD: " + st).derived("header (c)"));
    return;
  }
  const matrix<Real> A0 = model.A1(x0);
  const matrix<Real> G0 = -model.negative_gradient(x0);
  const matrix<Real> want = -eta * s * s * G0 * A0.transpose() * A0;
  res.rows.push_back(at_most(q, "0: X_1 = -eta s^2 G0 A0^T A0 exactly", to_double(Real((F[1] - want).norm() / want.norm() / eps<Real>())),
                             64.0, "<= 64 eps (measured in eps)")
                         .derived("header (c): catalogue O14"));
}

void rslora_rows(const context& ctx, result& res) {
  const std::vector<int> ranks{1, 2, 4, 8, 16};
  const int draws = 400;
  const double sigma_A = 0.25, eta = 0.05;
  one_matrix_spec<double> spec;
  spec.m = 64;
  spec.n = 64;
  spec.sigma = std::vector<double>(64, 1.0);
  spec.seed = 6;
  matrix<double> W0, S;
  generate_one_matrix(spec, W0, S);
  struct law {
    const char* name;
    double predicted;
    double (*scale)(int r);
  };
  const law laws[] = {{"s = 1", 1.0, [](int) { return 1.0; }},
                      {"s = r^(-1/2) (rsLoRA)", 0.0, [](int r) { return 1.0 / std::sqrt(static_cast<double>(r)); }},
                      {"s = 1/r (alpha/r, LoRA's default)", -1.0, [](int r) { return 1.0 / static_cast<double>(r); }}};
  std::vector<std::vector<std::string>> rows;
  for (const law& L : laws) {
    std::vector<double> lx, ly, w, lf;
    for (int r : ranks) {
      const double s = L.scale(r);
      const lora_model<double> model(one_matrix_problem<double>(W0, S, r, s, 0.0));
      const matrix<double> G0 = -model.negative_gradient(vector<double>::Zero(model.dimension()));
      double sum = 0, sum2 = 0, fro = 0;
      for (int d = 0; d < draws; ++d) {
        const vector<double> x0 = small_init<double>(model, sigma_A, 1000 + static_cast<std::uint64_t>(d));
        std::string st;
        const std::vector<matrix<double>> F = gd_products(model, x0, 1, eta, st);
        const double c = -(F.at(1).cwiseProduct(G0)).sum() / (eta * G0.squaredNorm());
        sum += c, sum2 += c * c, fro += F.at(1).norm();
      }
      const double mean = sum / draws, var = (sum2 - draws * mean * mean) / (draws - 1);
      lx.push_back(std::log(static_cast<double>(r)));
      ly.push_back(std::log(mean));
      w.push_back(std::sqrt(var / draws) / mean);  // standard error of log mean
      lf.push_back(std::log(fro / draws));
      rows.push_back({L.name, std::to_string(r), full(s), full(mean), full(std::sqrt(var / draws)),
                      full(s * s * r * sigma_A * sigma_A), full(fro / draws)});
    }
    // Weighted least squares for the slope of log mean c against log r, and its standard error.
    double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (std::size_t i = 0; i < lx.size(); ++i) {
      const double wi = 1 / (w[i] * w[i]);
      sw += wi, sx += wi * lx[i], sy += wi * ly[i], sxx += wi * lx[i] * lx[i], sxy += wi * lx[i] * ly[i];
    }
    const double det = sw * sxx - sx * sx;
    const double slope = (sw * sxy - sx * sy) / det, se = std::sqrt(sw / det);
    // One measurement: c = s^2 ||A0 G0^T||^2 / ||G0||^2 from the same draws for every law, so the laws differ only by
    // the exact exponent of s. The law's test is the s = 1 row (the mean update linear in r); the others are reports.
    if (L.predicted == 1.0)
      res.rows.push_back(within("slope of log E<X_1, -G0> / (eta ||G0||^2) against log r, s = 1 (r = 1 .. 16)",
                                "1 (E X_1 = -eta s^2 r sigma_A^2 G0)", slope, se, 1.0, 3 * se,
                                "|slope - 1| <= 3 se (400 draws per r)")
                             .derived("header (d): E[A0^T A0] = r sigma_A^2 I (catalogue 3.1)"));
    else
      res.rows.push_back(reported(std::string("slope of log E<X_1, -G0> against log r, ") + L.name,
                                  num(L.predicted, 2) + " (follows from the s = 1 law: slope 1 + 2 d log s / d log r)",
                                  num_se(slope, se, 4), "the same draws as the s = 1 row")
                             .derived("header (d): report row"));
    const line_fit ff = fit_line(lx, lf);
    res.rows.push_back(reported(std::string("slope of log mean ||X_1||_F against log r, ") + L.name,
                                "not stated (the mean over draws of one draw's Frobenius norm)", num(ff.slope, 3),
                                "S orthogonal: ||X_1||_F ~ eta s^2 sigma_A^2 sqrt(n r (n + r + 1)), the slope of the mean "
                                "law minus 1/2 (r << n) to minus 0: one draw is not its mean")
                           .derived("header (d): report row"));
    ctx.say(std::string(L.name) + ": slope " + num_se(slope, se, 4) + " (predicted " + num(L.predicted, 2) +
            "), Frobenius slope " + num(ff.slope, 3));
  }
  res.data.push_back(table{"rslora_first_step", {"law", "r", "s", "mean_c", "se_c", "predicted_c", "mean_frobenius"}, rows});
}

}  // namespace

claim make_lora_scale_gd_identities() {
  return claim{"lora-scale.gd-identities", "LoRAM (Zhang et al., NeurIPS 2025); rsLoRA (Kalajdzievski 2023)",
               "LoRAM Prop. 1; catalogue 3.1, O10, O14",
               "under GD, LoRA scale s equals scale 1 with step s eta, init sqrt(s) x0 and decay lambda/s, exactly; "
               "the first step from B0 = 0 is -eta s^2 G0 A0^T A0; its mean is rank-independent iff s ~ r^(-1/2)",
               [](const context& ctx) {
                 result res;
                 scale_rows<double>(ctx, res);
                 if (!ctx.quick) scale_rows<float50>(ctx, res);
                 control_row(res);
                 first_step_rows<double>(res);
                 first_step_rows<float50>(res);
                 rslora_rows(ctx, res);
                 res.notes.push_back("(a), (b): one matrix 5 x 4, sigma(S) = 2, 1, 1/2 (seed 4), r = 2, A0 ~ N(0, 1/4) "
                                     "(seed 3), B0 ~ N(0, 1/4) (seed 8), 200 steps, eta = 0.05/s; quick: double only. "
                                     "(d): 64 x 64, S orthogonal (sigma = 1 x64), sigma_A = 1/4, 400 draws per rank");
                 return res;
               }};
}

}  // namespace loraflow::check
