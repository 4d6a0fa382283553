// validation/check/rows.cpp: verdict rows and alpha sweeps (rows.hpp).
#include "check/rows.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace loraflow::check {

namespace {
std::string with_se(double m, double se) { return se >= 0 ? num_se(m, se) : num(m); }
}  // namespace

row within(const std::string& quantity, const std::string& predicted, double measured, double se, double target,
           double tol, const std::string& rule) {
  const double margin = tol - std::abs(measured - target);
  return row{quantity, predicted, with_se(measured, se), num(margin, 3),
             std::isfinite(measured) ? (margin >= 0 ? verdict::pass : verdict::fail) : verdict::inconclusive, rule,
             source_kind::none, {}, {}};
}

row at_least(const std::string& quantity, const std::string& predicted, double measured, double bound,
             const std::string& rule, double se) {
  const double margin = measured - bound;
  return row{quantity, predicted, with_se(measured, se), num(margin, 3),
             std::isfinite(measured) ? (margin >= 0 ? verdict::pass : verdict::fail) : verdict::inconclusive, rule,
             source_kind::none, {}, {}};
}

row at_most(const std::string& quantity, const std::string& predicted, double measured, double bound,
            const std::string& rule, double se) {
  const double margin = bound - measured;
  return row{quantity, predicted, with_se(measured, se), num(margin, 3),
             std::isfinite(measured) ? (margin >= 0 ? verdict::pass : verdict::fail) : verdict::inconclusive, rule,
             source_kind::none, {}, {}};
}

row reported(const std::string& quantity, const std::string& predicted, const std::string& measured,
             const std::string& note) {
  return row{quantity, predicted, measured, "", verdict::report, note, source_kind::none, {}, {}};
}

row decided(const std::string& quantity, const std::string& predicted, const std::string& measured,
            const std::string& margin, verdict v, const std::string& rule) {
  return row{quantity, predicted, measured, margin, v, rule, source_kind::none, {}, {}};
}

row inconclusive(const std::string& quantity, const std::string& predicted, const std::string& why) {
  return row{quantity, predicted, "not measured", "", verdict::inconclusive, why, source_kind::none, {}, {}};
}

std::vector<trajectory> sweep_alpha(const context& ctx, trajectory_request base, const std::vector<std::string>& alphas) {
  std::vector<trajectory> out;
  for (const std::string& a : alphas) {
    base.alpha = a;
    trajectory t = measure(base);
    ctx.say("alpha = " + a + ": " + t.precision + " rtol " + t.rtol + " " + t.method + ", " + t.status + ", T1 = " +
            num(t.T1, 8) + ", " + std::to_string(t.steps) + " steps, " + num(t.wall_s, 3) + " s");
    out.push_back(std::move(t));
  }
  return out;
}

bool all_ok(const std::vector<trajectory>& runs, const std::vector<std::string>& alphas, bool need_T1, std::string& why) {
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (!runs[i].ok()) {
      why = "alpha = " + alphas[i] + ": integration ended with " + runs[i].status + " (" + runs[i].message + ")";
      return false;
    }
    if (need_T1 && std::isnan(runs[i].T1)) {
      why = "alpha = " + alphas[i] + ": T1 not reached before t_end";
      return false;
    }
  }
  return true;
}

std::string plan_note(const std::vector<trajectory>& runs, const std::vector<std::string>& alphas) {
  std::string s = "precision per alpha: ";
  for (std::size_t i = 0; i < runs.size(); ++i)
    s += (i ? "; " : "") + alphas[i] + ": " + runs[i].precision + ", rtol " + runs[i].rtol + ", " + runs[i].method +
         ", " + std::to_string(runs[i].steps) + " steps, " + num(runs[i].wall_s, 3) + " s";
  return s;
}

xu_problem fig1_problem() { return xu_problem{}; }

corrected_fit fit_line_corrected(const std::vector<double>& x, const std::vector<double>& y,
                                 const std::vector<std::vector<double>>& z) {
  const std::size_t n = x.size(), m = 1 + z.size();  // unknowns besides the intercept: b, k_1 .. k_J
  if (y.size() != n || n < m + 1) throw std::invalid_argument("fit_line_corrected: too few points");
  for (const auto& zj : z)
    if (zj.size() != n) throw std::invalid_argument("fit_line_corrected: z differs in length");
  // Centred columns c_0 = x, c_j = z_j; normal matrix N = C^T C, right side C^T y.
  std::vector<std::vector<long double>> c(m, std::vector<long double>(n));
  long double my = 0;
  for (std::size_t i = 0; i < n; ++i) my += y[i];
  my /= n;
  std::vector<long double> mean(m, 0);
  for (std::size_t j = 0; j < m; ++j) {
    for (std::size_t i = 0; i < n; ++i) c[j][i] = j ? z[j - 1][i] : x[i];
    for (std::size_t i = 0; i < n; ++i) mean[j] += c[j][i];
    mean[j] /= n;
    for (std::size_t i = 0; i < n; ++i) c[j][i] -= mean[j];
  }
  // Invert N by Gauss-Jordan with partial pivoting.
  std::vector<std::vector<long double>> N(m, std::vector<long double>(2 * m, 0));
  for (std::size_t j = 0; j < m; ++j) {
    for (std::size_t l = 0; l < m; ++l)
      for (std::size_t i = 0; i < n; ++i) N[j][l] += c[j][i] * c[l][i];
    N[j][m + j] = 1;
  }
  for (std::size_t col = 0; col < m; ++col) {
    std::size_t piv = col;
    for (std::size_t r = col + 1; r < m; ++r)
      if (std::fabs(N[r][col]) > std::fabs(N[piv][col])) piv = r;
    std::swap(N[col], N[piv]);
    if (!(std::fabs(N[col][col]) > 0)) throw std::invalid_argument("fit_line_corrected: collinear columns");
    const long double d = N[col][col];
    for (auto& v : N[col]) v /= d;
    for (std::size_t r = 0; r < m; ++r) {
      if (r == col) continue;
      const long double f = N[r][col];
      for (std::size_t l = 0; l < 2 * m; ++l) N[r][l] -= f * N[col][l];
    }
  }
  std::vector<long double> rhs(m, 0), beta(m, 0);
  for (std::size_t j = 0; j < m; ++j)
    for (std::size_t i = 0; i < n; ++i) rhs[j] += c[j][i] * (y[i] - my);
  for (std::size_t j = 0; j < m; ++j)
    for (std::size_t l = 0; l < m; ++l) beta[j] += N[j][m + l] * rhs[l];
  long double a = my, sse = 0;
  for (std::size_t j = 0; j < m; ++j) a -= beta[j] * mean[j];
  for (std::size_t i = 0; i < n; ++i) {
    long double fit = my;
    for (std::size_t j = 0; j < m; ++j) fit += beta[j] * c[j][i];
    sse += (y[i] - fit) * (y[i] - fit);
  }
  const std::size_t dof = n - 1 - m;
  const long double s2 = dof > 0 ? sse / dof : 0;
  corrected_fit f;
  f.n = n;
  f.slope = static_cast<double>(beta[0]);
  f.intercept = static_cast<double>(a);
  f.slope_se = static_cast<double>(std::sqrt(s2 * N[0][m]));
  for (std::size_t j = 1; j < m; ++j) {
    f.k.push_back(static_cast<double>(beta[j]));
    f.k_se.push_back(static_cast<double>(std::sqrt(s2 * N[j][m + j])));
  }
  return f;
}

resolved_slope_fit fit_slope_resolved(const std::vector<double>& x, const std::vector<double>& y,
                                      const std::vector<double>& delta, double q) {
  const std::size_t n = x.size();
  resolved_slope_fit f;
  f.c1 = f.tol = NAN;
  if (n < 3) return f;
  auto basis = [&](std::size_t i, int j) -> long double {
    return j == 0 ? x[i] : j == 1 ? 1.0L : std::exp(-static_cast<long double>(q) * x[i]);
  };
  // (A^T A)^-1 by Gauss-Jordan; then w = row 0 of (A^T A)^-1 A^T.
  long double N[3][6] = {};
  for (int a = 0; a < 3; ++a) {
    for (int b = 0; b < 3; ++b)
      for (std::size_t i = 0; i < n; ++i) N[a][b] += basis(i, a) * basis(i, b);
    N[a][3 + a] = 1;
  }
  for (int c = 0; c < 3; ++c) {
    int p = c;
    for (int r = c + 1; r < 3; ++r)
      if (std::fabs(N[r][c]) > std::fabs(N[p][c])) p = r;
    for (int k = 0; k < 6; ++k) std::swap(N[c][k], N[p][k]);
    const long double d = N[c][c];
    for (int k = 0; k < 6; ++k) N[c][k] /= d;
    for (int r = 0; r < 3; ++r)
      if (r != c) {
        const long double m = N[r][c];
        for (int k = 0; k < 6; ++k) N[r][k] -= m * N[c][k];
      }
  }
  long double coef[3] = {0, 0, 0};
  std::vector<long double> w(n, 0);
  for (std::size_t i = 0; i < n; ++i)
    for (int a = 0; a < 3; ++a) {
      long double wa = 0;
      for (int b = 0; b < 3; ++b) wa += N[a][3 + b] * basis(i, b);
      coef[a] += wa * y[i];
      if (a == 0) w[i] = wa;
    }
  long double tol = 0, rss = 0;
  f.max_resid = 0;
  for (std::size_t i = 0; i < n; ++i) {
    tol += std::fabs(w[i]) * delta[i];
    const long double res = y[i] - coef[0] * basis(i, 0) - coef[1] - coef[2] * basis(i, 2);
    rss += res * res;
    f.max_resid = std::fmax(f.max_resid, static_cast<double>(std::fabs(res)));
  }
  if (n > 3) tol += 3 * std::sqrt(rss / (n - 3) * N[0][3]);  // se of c1 = sqrt(s^2 (A^T A)^-1_00)
  f.c1 = static_cast<double>(coef[0]);
  f.tol = static_cast<double>(tol);
  return f;
}

xu_early_constants xu_early_constants_of(const trajectory& t, const xu_problem& p, double alpha) {
  const double z1_0 = t.series.at("Z1_sq").at(0), z2_0 = t.series.at("Z2_sq").at(0);
  xu_early_constants k;
  k.zmax2 = std::max(z1_0, z2_0) / (alpha * alpha);
  k.z_max = std::sqrt(k.zmax2);
  k.d1 = std::sqrt(z1_0 / z2_0);
  k.c_min = t.series.at("cot_min").at(0);
  k.d2 = static_cast<double>(p.m + p.h - 1) / k.c_min;
  k.K = t.initial.at("E_norm") + t.W2_spec * t.W2_spec + t.W1_spec * t.W2_spec + std::sqrt(t.W2_spec);
  k.d3 = 1 / (k.zmax2 * k.K);
  return k;
}

xu_problem small_problem() {
  xu_problem p;
  p.m = 4;
  p.n = 4;
  p.h = 8;
  p.rank = 2;
  return p;
}

spread stats(const std::vector<double>& v) {
  spread s;
  for (double x : v) s.mean += x / static_cast<double>(v.size());
  for (double x : v) s.sd += (x - s.mean) * (x - s.mean) / static_cast<double>(v.size() - 1);
  s.sd = std::sqrt(s.sd);
  return s;
}

}  // namespace loraflow::check
