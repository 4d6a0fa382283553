// validation/check/rows.cpp: verdict rows and alpha sweeps (rows.hpp).
#include "check/rows.hpp"

#include <cmath>

namespace loraflow::check {

namespace {
std::string with_se(double m, double se) { return se >= 0 ? num_se(m, se) : num(m); }
}  // namespace

row within(const std::string& quantity, const std::string& predicted, double measured, double se, double target,
           double tol, const std::string& rule) {
  const double margin = tol - std::abs(measured - target);
  return row{quantity, predicted, with_se(measured, se), num(margin, 3),
             std::isfinite(measured) ? (margin >= 0 ? verdict::pass : verdict::fail) : verdict::inconclusive, rule};
}

row at_least(const std::string& quantity, const std::string& predicted, double measured, double bound,
             const std::string& rule, double se) {
  const double margin = measured - bound;
  return row{quantity, predicted, with_se(measured, se), num(margin, 3),
             std::isfinite(measured) ? (margin >= 0 ? verdict::pass : verdict::fail) : verdict::inconclusive, rule};
}

row at_most(const std::string& quantity, const std::string& predicted, double measured, double bound,
            const std::string& rule, double se) {
  const double margin = bound - measured;
  return row{quantity, predicted, with_se(measured, se), num(margin, 3),
             std::isfinite(measured) ? (margin >= 0 ? verdict::pass : verdict::fail) : verdict::inconclusive, rule};
}

row reported(const std::string& quantity, const std::string& predicted, const std::string& measured,
             const std::string& note) {
  return row{quantity, predicted, measured, "", verdict::report, note};
}

row inconclusive(const std::string& quantity, const std::string& predicted, const std::string& why) {
  return row{quantity, predicted, "not measured", "", verdict::inconclusive, why};
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

xu_problem small_problem() {
  xu_problem p;
  p.m = 4;
  p.n = 4;
  p.h = 8;
  p.rank = 2;
  return p;
}

}  // namespace loraflow::check
