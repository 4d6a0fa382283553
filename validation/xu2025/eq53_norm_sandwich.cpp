// Claim:      Xu et al. (AISTATS 2025) Lemma C.5, eq. (53) (catalogue 1.4(i)): with the conserved
//             A1 A1^T - B1^T B1 = alpha^2 Lambda1 (fixed at initialization),
//               (||Z1||_F^2 - 2 alpha^2 r^2 ||Lambda1||) / (2r)  <=  ||B1 A1||  <=  1/2 ||Z1||_F^2   at every t.
//             Which norm: the catalogue prints ||B1 A1|| and ||Lambda1|| without a subscript next to ||Z1||_F, so the
//             reading taken here is the spectral norm for both (the paper writes _F where it means Frobenius). The
//             spectral reading is the strictest one for the lower bound (smallest ||B1 A1||, smallest ||Lambda1||);
//             for the upper bound the Frobenius reading ||B1 A1||_F is stricter, so it is tested as well.
// Prediction: both inequalities hold at every t (source: the paper, Lemma C.5, eq. (53)).
// Check:      Fig. 1 problem, LoRA init, alpha = 1e-4 (quick; full adds 1e-6), precision planned for 6 digits; 600
//             observations on [0, t_end] with t_end past T1 (1.2 and 1.6), so the alignment, escape and local phases
//             are all covered. ||B1 A1||_2 from the Gram eigenvalues at working precision; alpha^2 ||Lambda1||_2 =
//             ||A1(0) A1(0)^T - B1(0)^T B1(0)||_2 from the initial state. Margins are relative to 1/2 ||Z1||_F^2.
// Tolerance:  every relative margin >= -(1e3 eps + 4 eps_double) (eps of the working type): rounding of the O(1)-conditioned norms
//             entering the margin, the same allowance as xu2025.lemma-c1. The upper bound is tight after alignment
//             (1/2 ||Z1||_F^2 - ||B1 A1|| = O(alpha^2 + misalignment) relatively), so a 1% error in ||B1 A1|| fails it;
//             the lower bound is loose by about a factor r and is not sensitive (the upper rows are).
//             eps_double: the compared values are converted to double at the measure boundary (4 ulps of double).
#include "check/rows.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace loraflow::check {

namespace {
void sandwich_rows(const context& ctx, const std::string& alpha, const std::string& t_end, result& r) {
  trajectory_request q;
  q.problem = fig1_problem();
  q.alpha = alpha;
  q.lemma_c2_d1 = true;
  q.t_end = t_end;
  q.observations = 600;
  const std::vector<trajectory> runs = sweep_alpha(ctx, q, {alpha});
  const trajectory& t = runs[0];
  const std::string tag = " (alpha = " + alpha + ")";
  const std::string src = "Xu et al. 2025, Lemma C.5, eq. (53)";
  std::string why;
  if (!all_ok(runs, {alpha}, true, why)) {
    r.rows.push_back(inconclusive("eq. (53)" + tag, "every t", why).paper(src));
    return;
  }
  const double a = std::stod(alpha);
  const double rk = static_cast<double>(fig1_problem().rank);
  const auto& z1 = t.series.at("Z1_sq");
  const auto& bs = t.series.at("BA1_spec");
  const auto& bf = t.series.at("BA1_fro");
  const double lam_a2 = t.series.at("lam1_a2")[0];  // alpha^2 ||Lambda1||_2
  double up_s = std::numeric_limits<double>::infinity(), up_f = up_s, lo = up_s, t_up = 0;
  table tb{"eq53_alpha" + alpha, {"t", "Z1_sq", "BA1_spec", "BA1_fro", "lower", "upper", "misalign"}, {}};
  for (std::size_t i = 0; i < t.t.size(); ++i) {
    const double half = z1[i] / 2;
    const double lower = (z1[i] - 2 * rk * rk * lam_a2) / (2 * rk);
    if ((half - bs[i]) / half < up_s) t_up = t.t[i];
    up_s = std::min(up_s, (half - bs[i]) / half);
    up_f = std::min(up_f, (half - bf[i]) / half);
    lo = std::min(lo, (bs[i] - lower) / half);
    tb.rows.push_back({full(t.t[i]), full(z1[i]), full(bs[i]), full(bf[i]), full(lower), full(half),
                       full(t.series.at("misalign")[i])});
  }
  r.data.push_back(tb);
  const double tol = 1e3 * t.eps + 4 * std::numeric_limits<double>::epsilon();  // + the conversion to double
  const std::string n = std::to_string(t.t.size());
  r.rows.push_back(at_least("||B1A1||_2 <= 1/2 ||Z1||_F^2: min relative margin" + tag, "holds at every t", up_s, -tol,
                            "min over " + n + " observations of (1/2||Z1||_F^2 - ||B1A1||_2)/(1/2||Z1||_F^2) >= -(1e3 eps + 4 eps_double) "
                            "(tightest at t = " + num(t_up, 4) + ")")
                       .paper(src));
  r.rows.push_back(at_least("||B1A1||_F <= 1/2 ||Z1||_F^2 (Frobenius reading): min relative margin" + tag,
                            "holds at every t", up_f, -tol, "as above with ||B1A1||_F (the stricter reading)")
                       .paper(src));
  r.rows.push_back(at_least("||B1A1||_2 >= (||Z1||_F^2 - 2 alpha^2 r^2 ||Lambda1||_2)/(2r): min relative margin" + tag,
                            "holds at every t", lo, -tol,
                            "min over " + n + " observations of (||B1A1||_2 - lower)/(1/2||Z1||_F^2) >= -(1e3 eps + 4 eps_double)")
                       .paper(src));
  r.notes.push_back("alpha = " + alpha + ": " + t.precision + " rtol " + t.rtol + " " + t.method + ", T1 = " +
                    num(t.T1, 8) + ", alpha^2 ||Lambda1||_2 = " + num(lam_a2, 4) + " (alpha^2 = " + num(a * a, 3) +
                    "), tolerance 1e3 eps + 4 eps_double = " + num(tol, 3));
}
}  // namespace

claim make_xu2025_eq53() {
  return claim{"xu2025.eq53-norm-sandwich", "Xu et al., AISTATS 2025", "Lemma C.5, eq. (53); catalogue 1.4(i)",
               "norm sandwich of B1 A1 by ||Z1||_F^2 and the conserved Lambda1, at every observation time",
               [](const context& ctx) {
                 result r;
                 sandwich_rows(ctx, "1e-4", "1.2", r);
                 if (!ctx.quick) sandwich_rows(ctx, "1e-6", "1.6", r);
                 return r;
               }};
}

}  // namespace loraflow::check
