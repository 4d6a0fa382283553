// Claim:      Xu et al. (AISTATS 2025) Lemma C.1 (catalogue 2.4): differential inequalities along the trajectory,
//             with the exact decomposition Z1' = (sigma sigma_W2 H1 + [[0, D1], [D1^T, 0]]) Z1:
//             (a) d/dt ln ||w1j||^2 <= 2 (sigma sigma_W2 + ||D1||) for every column w1j of Z1;
//             (b) d/dt ln ||Z1||_F^2 <= 2 (sigma sigma_W2 + ||D1||), and >= 2 (sigma sigma_W2 - ||D1||) (App. E.1);
//             (c) d/dt ln(||Z1||_F^2 / ||Z2||_F^2) >= 2 ((1-dw) sigma sigma_W2 - ||D1|| - ||D2||);
//             (d) d/dt ln(cos(gamma1, w1j) / cos(gamma1bar, w1j)) >= sigma sigma_W2 - 2 ||D1||.
// Prediction: (a) and the upper half of (b) hold at every t (||H1||_2 = 1, so they follow from the decomposition for
//             any state); (d) is measured to hold at every t as well and is tested. The lower bounds (b) and (c) need
//             Z1 already aligned with gamma1 (the Rayleigh quotient of H1 on Z1 near 1): under LoRA init B1 = 0 it is
//             0 at t = 0, where the left sides are O(alpha^2) and the right sides positive; (b)'s lower bound needs
//             the quotient within ||D1||/ss of 1, which the O(alpha) non-aligned part never allows before T1. Both
//             are reported with the time from which they hold.
// Check:      Fig. 1 problem, LoRA init, alpha = 1e-4 (quick; full adds 1e-6), precision planned for 6 digits;
//             at each of 600 observations up to T1 the left sides are evaluated exactly from the vector field at the
//             state (2 w^T w' / ||w||^2: no finite differences), the D_i from their definitions, spectral norms.
//             gamma1bar = [g; -v]/sqrt(2), the other eigenvector of H1.
// Tolerance:  margins in units of 2 sigma sigma_W2; (a), (b)-upper, (d) pass when every margin >= -1e3 eps (rounding of
//             the O(1) quantities entering the margin; eps of the working type).
#include "check/rows.hpp"

#include <cmath>
#include <limits>

namespace loraflow::check {

namespace {
void lemma_rows(const context& ctx, const std::string& alpha, result& r) {
  trajectory_request q;
  q.problem = fig1_problem();
  q.alpha = alpha;
  q.lemma_c1 = true;
  q.stop_at_T1 = true;
  q.t_end = "2";
  q.observations = 1200;
  const std::vector<trajectory> runs = sweep_alpha(ctx, q, {alpha});
  const trajectory& t = runs[0];
  const std::string tag = " (alpha = " + alpha + ")";
  std::string why;
  if (!all_ok(runs, {alpha}, true, why)) {
    r.rows.push_back(inconclusive("Lemma C.1" + tag, "every t", why));
    return;
  }
  const double tol = 1e3 * t.eps;
  struct item { const char* key; const char* name; const char* pred; bool always; };
  const item items[] = {
      {"c1_col_upper", "(a) d/dt ln||w1j||^2 <= 2(ss + ||D1||), min margin", "holds at every t", true},
      {"c1_Z1_upper", "(b) d/dt ln||Z1||^2 <= 2(ss + ||D1||), min margin", "holds at every t", true},
      {"c1_Z1_lower", "(b) d/dt ln||Z1||^2 >= 2(ss - ||D1||)", "after alignment", false},
      {"c1_ratio", "(c) d/dt ln(||Z1||^2/||Z2||^2) >= 2((1-dw)ss - ||D1|| - ||D2||)", "after alignment", false},
      {"c1_cos", "(d) d/dt ln(cos g1 / cos g1bar) >= ss - 2||D1||, min margin", "holds at every t", true},
  };
  table tb{"lemma_c1_alpha" + alpha, {"t", "misalign", "D1", "D2", "c1_col_upper", "c1_Z1_upper", "c1_Z1_lower", "c1_ratio", "c1_cos"}, {}};
  for (std::size_t i = 0; i < t.t.size(); ++i) {
    std::vector<std::string> row_{full(t.t[i])};
    for (const char* k : {"misalign", "D1", "D2", "c1_col_upper", "c1_Z1_upper", "c1_Z1_lower", "c1_ratio", "c1_cos"})
      row_.push_back(full(t.series.at(k)[i]));
    tb.rows.push_back(row_);
  }
  r.data.push_back(tb);
  for (const item& it : items) {
    const auto& s = t.series.at(it.key);
    double mn = std::numeric_limits<double>::infinity();
    double from = std::numeric_limits<double>::quiet_NaN();  // first t after which the margin stays >= -tol
    for (std::size_t i = 0; i < s.size(); ++i) {
      mn = std::min(mn, s[i]);
      if (s[i] < -tol) from = std::numeric_limits<double>::quiet_NaN();
      else if (std::isnan(from)) from = t.t[i];
    }
    if (it.always) {
      r.rows.push_back(at_least(std::string(it.name) + tag, it.pred, mn, -tol,
                                "margin >= -1e3 eps at all " + std::to_string(s.size()) + " observations up to T1"));
    } else {
      std::size_t k = 0;
      while (k < t.t.size() && t.t[k] < from) ++k;
      const std::string m = std::isnan(from) ? "never holds to T1"
                                             : "holds from t = " + num(from, 4) + " (misalign " +
                                                   num(t.series.at("misalign")[k], 3) + ") to T1 = " + num(t.T1, 5);
      r.rows.push_back(reported(std::string(it.name) + tag, it.pred, m,
                                "needs alignment (false at t = 0 under LoRA init); min margin " + num(mn, 3)));
    }
  }
  r.notes.push_back("alpha = " + alpha + ": " + t.precision + " rtol " + t.rtol + " " + t.method + ", T1 = " +
                    num(t.T1, 8) + ", margins in units of 2 sigma sigma_W2, tolerance 1e3 eps = " + num(tol, 3));
}
}  // namespace

claim make_xu2025_lemma_c1() {
  return claim{"xu2025.lemma-c1", "Xu et al., AISTATS 2025", "Lemma C.1 (and App. E.1); catalogue 2.4",
               "differential inequalities of the early phase, at every observation time", [](const context& ctx) {
                 result r;
                 lemma_rows(ctx, "1e-4", r);
                 if (!ctx.quick) lemma_rows(ctx, "1e-6", r);
                 return r;
               }};
}

}  // namespace loraflow::check
