// validation/mu2025/gd_runs.hpp: the GD runs of the Mu-Klabjan claims, shared by lemma3_4_descent.cpp and
// thm3_5_rate.cpp: three one-matrix LoRA problems, one per regime of catalogue lora-weight-decay-gd-scaling.md 2.4,
// run with the library's mu-klabjan step rule (integrate/step_rule.hpp) through integrate's GD by iterations, and
// every iterate's J, ||grad J||^2, eta, ||V||^2 and <E, X> kept at the working precision.
//
// The problems (L* = inf J, each exact):
//   whitened MF  frobenius, W0 6 x 5, sigma(S) = 3, 2, 1 (seed 11), r = 2: L* = sigma_3^2 / 2 = 1/2 exactly
//                (Eckart-Young: f = 1/2 ||S - X||^2 over rank(X) <= 2), attained: the bounded regime.
//   sensing      5 x 4, sigma(S) = 2, 1 (seed 12), N = 40 noiseless Gaussian measurements (seed 9), r = 2: L* = 0
//                attained at X = S: bounded.
//   logistic     3 classes, 5 features, sigma(S) = 2, 1 (seed 13), N = 60 samples labelled by argmax of the teacher
//                W0 + S (separable), r = 2: L* = 0, an infimum not attained: softmax is unchanged by adding one vector
//                to every row, so the centred teacher P (W0 + S) (P = I - 1 1^T / 3, rank <= 2) labels the data as the
//                teacher does, and X = c P (W0 + S) with c -> infinity drives every sample's loss to 0 at rank 2.
//                The unbounded regime: J(V_t) -> 0 forces ||V_t|| -> infinity.
// Initialization: LoRA's (A ~ N(0, alpha^2) entries, B = 0; model/init.hpp small_init), alpha = 1/2, seed 5.
#pragma once

#include <loraflow/scalar.hpp>

#include "check/claim.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace loraflow::check::mu2025 {

enum class regime { whitened_mf, sensing, logistic };
inline constexpr regime all_regimes[] = {regime::whitened_mf, regime::sensing, regime::logistic};
const char* name_of(regime g);

/// Every iterate t = 0 .. K of one run, at the working precision.
template <class Real> struct gd_record {
  std::string status = "ok", message;
  std::vector<Real> J, g2, eta, V2, EX;  ///< J(V_t), ||grad J(V_t)||^2, eta_t, ||V_t||^2, <E_t, X_t> (E = -grad f)
  Real L_star = Real(0);                  ///< inf J (see the header)
  Real smoothness = Real(0);              ///< L = s^2 L_f used by the rule
  std::string smoothness_source;          ///< the objective's exact L_f, or its upper bound (logistic)
  double wall_s = 0;
};

/// K iterations of GD with step rule `rule` (integrate/step_rule.hpp: "mu-klabjan", or a schedule "adapt",
/// "adapt2", "norm" with its constant c) on the problem of regime g.
/// inflate: every step multiplied by this factor (1: the rule itself; > 1: the controls of the claims, which show
/// how far a rule can be off before the checked inequality breaks); the recorded eta is the step taken.
template <class Real>
gd_record<Real> run_gd(regime g, const std::string& rule, const Real& c, std::size_t K, double inflate = 1.0);

/// The control of the Mu-Klabjan claims: a row giving the smallest k = 2^j (j = 1 .. 10) for which GD on regime g with
/// every step of the rule multiplied by k (double, 600 steps) makes `breaks` true or ends the run early; it passes
/// when some k <= 1024 does (else the checked inequality could not tell a rule 1000 times too large from the paper's).
/// `what` names the inequality in the row ("the inequality", "the bound").
row control_row(const context& ctx, regime g, const std::string& what,
                const std::function<bool(const gd_record<double>&)>& breaks);

/// The schedules of Mu and Klabjan's experiments as run beside the rule (their constants were not published,
/// catalogue 2.5; these are chosen so that each runs stably on the three problems at first): adapt c = 1/2,
/// adapt2 c = 1/2, norm c = 1/20.
struct schedule {
  const char* rule;
  double c;
};
inline constexpr schedule schedules[] = {{"adapt", 0.5}, {"adapt2", 0.5}, {"norm", 0.05}};

}  // namespace loraflow::check::mu2025
