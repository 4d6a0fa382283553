// Claim:      the LoRA scale and weight decay (catalogue 1.7 Test 4, from the substitution of Kim, Kim, Ryu's Sec. 1.1
//             loss; LoRA-alpha identity, catalogue 3.1): with W0 + s B A and weight decay lambda on the factors,
//             L_s,lambda(A, B) = f(s B A) + lambda/2 (||A||^2 + ||B||^2). Substituting A~ = sqrt(s) A, B~ = sqrt(s) B
//             gives s B A = B~ A~ and L_s,lambda(A, B) = f(B~ A~) + (lambda/s)/2 (||A~||^2 + ||B~||^2) = L_1,lambda/s(A~, B~),
//             and grad_A L_s,lambda = sqrt(s) grad_A~ L_1,lambda/s, so A~' = sqrt(s) A' = -s grad_A~ L_1,lambda/s.
// Prediction: (derived above) the gradient flow of (s, lambda) from (A0, B0) and that of (1, lambda/s) from
//             sqrt(s) (A0, B0) give the same adapted matrix at matched times: X_s,lambda(t) = X_1,lambda/s(s t), for
//             every t; so the effective nuclear-norm strength is lambda_eff = lambda/s, and the global minimiser of
//             either is the soft-thresholding of S at lambda/s (the oracle of observe/stationary.hpp uses lambda/s).
// Check:      one matrix 5 x 4 (sigma(S) = 2, 1, 0.5, seed 4), r = 2, lambda = 0.3, s in {4, 1/4} (rsLoRA-like and
//             LoRA-alpha-like scales), objectives frobenius and sensing (N = 40 Gaussian measurements, so the identity
//             is not special to f = 1/2 ||S - X||^2). Both runs integrated with the Taylor method in 50 digits at
//             rtol 1e-35 (quick: s = 4, frobenius and sensing, t up to 2; full: both s, t up to 8), the adapted matrix F
//             compared at 5 matched times.
// Tolerance:  max_t ||X_s(t) - X_1(s t)||_F / ||X_1(s t)||_F <= 1e3 rtol: each run's local error is controlled to
//             rtol relative per step; 1e3 covers the accumulation over the steps of these short runs (about 10^2
//             Taylor steps each), while any other lambda_eff (e.g. lambda instead of lambda/s) or time scale (t
//             instead of s t) differs at O(1).
// Which rows can fail: every row: a field that applied the scale or the weight decay differently from
//             model/lora.hpp's L (e.g. decay on s B A instead of on the factors) breaks the identity at O(1).
#include "check/rows.hpp"
#include "lora_scale/scale_problem.hpp"

#include <loraflow/integrate/integrate.hpp>
#include <loraflow/model/init.hpp>
#include <loraflow/model/lora.hpp>
#include <loraflow/model/lora_series.hpp>
#include <loraflow/model/one_matrix.hpp>
#include <loraflow/random.hpp>

#include <functional>

namespace loraflow::check {

namespace {

using R = float50;

/// F at each time of `times` along the flow of model from x0.
std::vector<matrix<R>> products_at(const lora_model<R>& model, const vector<R>& x0, const std::vector<R>& times,
                                   const R& rtol, std::string& status) {
  const lora_series<R> series(model);
  solve_options<R> opt;
  opt.stepper = method::taylor;
  opt.series = &series;
  opt.rtol = rtol;
  opt.atol = rtol * R(1) / 10000;
  std::vector<matrix<R>> out;
  vector<R> x = x0;
  const run_stats<R> st = integrate<R>(std::cref(model), x, R(0), times.back(), times,
                                       [&](const R&, const vector<R>& xs) { out.push_back(model.product(xs)); }, opt);
  status = status_name(st.status);
  return out;
}

}  // namespace

claim make_kim2025_scale_equivalence() {
  return claim{
      "kim2025.scale-equivalence", "Kim, Kim, Ryu, ICML 2025 (with the LoRA-alpha identity)",
      "Sec. 1.1 loss; catalogue 1.7 Test 4, 3.1",
      "LoRA scale s with weight decay lambda is the flow of scale 1 with lambda/s, time s t, init sqrt(s) x0: "
      "lambda_eff = lambda/s, exactly",
      [](const context& ctx) {
        result res;
        const R rtol = parse<R>("1e-35"), lambda = parse<R>("0.3");
        const std::vector<R> scales = ctx.quick ? std::vector<R>{R(4)} : std::vector<R>{R(4), R(1) / 4};
        const R t_end = ctx.quick ? R(2) : R(8);
        for (const R& s : scales)
          for (objective_kind k : {objective_kind::frobenius, objective_kind::sensing}) {
            const lora_model<R> ms = scale_problem<R>(s, lambda, k), m1 = scale_problem<R>(R(1), R(lambda / s), k);
            const vector<R> x0 = small_init(ms, R(1) / 10, 3);
            std::vector<R> t_s, t_1;
            for (int i = 1; i <= 5; ++i) {
              t_s.push_back(t_end * R(i) / 5);
              t_1.push_back(s * t_s.back());
            }
            std::string st_s, st_1;
            const std::vector<matrix<R>> Fs = products_at(ms, x0, t_s, rtol, st_s);
            const std::vector<matrix<R>> F1 = products_at(m1, vector<R>(sqrt(s) * x0), t_1, rtol, st_1);
            const std::string q = std::string("max_t ||X_s(t) - X_1(s t)|| / ||X_1(s t)|| (") + info_of(k).name +
                                  ", s = " + num(to_double(s), 3) + ")";
            if (st_s != "ok" || st_1 != "ok" || Fs.size() != 5 || F1.size() != 5) {
              res.rows.push_back(inconclusive(q, "0", "integration: " + st_s + " / " + st_1)
                                     .derived("header: substitution A~ = sqrt(s) A, B~ = sqrt(s) B"));
              continue;
            }
            R worst(0);
            for (std::size_t i = 0; i < 5; ++i)
              worst = std::max(worst, R(sqrt(squared_norm(matrix<R>(Fs[i] - F1[i]))) / sqrt(squared_norm(F1[i]))));
            res.rows.push_back(at_most(q, "0 (an exact identity)", to_double(worst), to_double(R(1000 * rtol)),
                                       "<= 1e3 rtol (rtol = 1e-35, 50 digits)")
                                   .derived("header: substitution A~ = sqrt(s) A, B~ = sqrt(s) B (catalogue 1.7 Test 4)"));
            ctx.say(std::string(info_of(k).name) + " s = " + num(to_double(s), 3) + ": max relative difference " +
                    num(to_double(worst), 3));
          }
        // The control (a rule that could fail): with lambda (not lambda/s) in the scale-1 run, the trajectories part.
        {
          const R s(4);
          const lora_model<R> ms = scale_problem<R>(s, lambda, objective_kind::frobenius),
                              m1 = scale_problem<R>(R(1), lambda, objective_kind::frobenius);
          const vector<R> x0 = small_init(ms, R(1) / 10, 3);
          std::string a, b;
          const std::vector<matrix<R>> Fs = products_at(ms, x0, {t_end}, rtol, a);
          const std::vector<matrix<R>> F1 = products_at(m1, vector<R>(sqrt(s) * x0), {R(s * t_end)}, rtol, b);
          const double d = to_double(R(sqrt(squared_norm(matrix<R>(Fs[0] - F1[0]))) / sqrt(squared_norm(F1[0]))));
          res.rows.push_back(at_least("control: the same with lambda instead of lambda/s (frobenius, s = 4)",
                                      "O(1) (lambda_eff = lambda is wrong)", d, 1e-3, ">= 1e-3")
                                 .derived("header: the identity needs lambda/s; any other decay breaks it"));
        }
        res.notes.push_back("one matrix 5 x 4, sigma(S) = 2, 1, 0.5 (seed 4), r = 2, lambda = 0.3, init small (alpha 0.1, "
                            "seed 3); Taylor method in 50 digits at rtol 1e-35; sensing: N = 40 Gaussian measurements (seed 9)");
        return res;
      }};
}

}  // namespace loraflow::check
