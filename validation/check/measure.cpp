// validation/check/measure.cpp: the typed measurement behind check::measure (one instantiation per scalar type,
// dispatched from the precision plan). See measure.hpp. A request becomes a run configuration, and the problem,
// the initial state and the solver settings come from the stages a user's `loraflow run` takes
// (run/pipeline.hpp: setup_problem, initialize, solver_options, observation_times); only the observers and the
// events are the claims' own.
#include "check/measure.hpp"

#include <loraflow/integrate/integrate.hpp>
#include <loraflow/linalg.hpp>
#include <loraflow/model/init.hpp>
#include <loraflow/model/lora_series.hpp>
#include <loraflow/model/xu2025.hpp>
#include <loraflow/observe/events.hpp>
#include <loraflow/observe/metrics.hpp>
#include <loraflow/run/precision.hpp>
#include <loraflow/run/pipeline.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

namespace loraflow::check {
namespace {

template <class Real> double dbl(const Real& x) { return static_cast<double>(x); }

template <class Real> Real spectral_norm(const matrix<Real>& M) {
  using std::sqrt;
  const matrix<Real> g = M.cols() <= M.rows() ? matrix<Real>(M.transpose() * M) : matrix<Real>(M * M.transpose());
  using std::max;
  return sqrt(max(Real(0), linalg::sym_eig<Real>(g).values(0)));
}

/// ||P - diag(P)||_F / ||P||_F (0 when P = 0).
template <class Real> Real off_diagonal(const matrix<Real>& P) {
  using std::sqrt;
  const Real all = squared_norm(P);
  if (!(all > 0)) return Real(0);
  Real d = 0;
  for (Eigen::Index i = 0; i < std::min(P.rows(), P.cols()); ++i) d += P(i, i) * P(i, i);
  using std::max;
  return sqrt(max(Real(0), Real(all - d)) / all);
}

template <class Real> Real rel_residual(const matrix<Real>& M, const matrix<Real>& approx) {
  using std::sqrt;
  const Real n = squared_norm(M);
  if (!(n > 0)) return Real(0);
  return sqrt(squared_norm(matrix<Real>(M - approx)) / n);
}

/// The frame of a spectral initialization: Abar1 = G11^T A1 VS, Bbar1 = GS^T B1 G11, Abar2 = G21^T A2 GS,
/// Bbar2 = US^T B2 G21 stay diagonal (shared/theory 1.4 (iv), with the G11 typo fixed).
template <class Real> struct spectral_frame {
  matrix<Real> G11, G21, US, VS, GS;
  std::vector<Eigen::Index> S;
};

/// The run configuration a request stands for: the Xu et al. generator, both adapters, LoRA scale 1, no weight
/// decay, atol = rtol min(alpha, 1)^2 (the run's default), a uniform observation grid of q.observations intervals.
run_config config_of(const trajectory_request& q, const std::string& rtol) {
  run_config c;
  c.source = "check request";
  c.problem.kind = "xu2025";
  c.problem.m = q.problem.m;
  c.problem.n = q.problem.n;
  c.problem.h = q.problem.h;
  c.problem.scale = q.problem.c;
  c.problem.seed = q.problem.seed;
  c.problem.pair.clear();
  c.problem.sigma.clear();
  for (const auto& d : q.problem.dy) {
    c.problem.pair.push_back(d.first);
    c.problem.sigma.push_back(d.second);
  }
  if (q.init != "small" && q.init != "spectral")
    throw std::invalid_argument("measure: init must be small or spectral, got " + q.init);
  c.lora.rank = q.problem.rank;
  c.lora.init = q.init;
  c.lora.alpha = q.alpha;
  c.lora.seed = q.init_seed;
  c.solve.rtol = rtol;
  c.solve.t_end = q.t_end;
  c.solve.method = q.method;  // resolved with the runs' rule (run/precision.hpp, choose_method) by measure()
  if (q.observations > 0) {
    c.observe.spacing = "linspace";
    c.observe.a = "0";
    c.observe.b = q.t_end;
    c.observe.n = q.observations + 1;
  } else {
    c.observe.spacing = "list";
    c.observe.list.clear();
  }
  return c;
}

template <class Real> trajectory measure_typed(const trajectory_request& q, const precision_plan& plan) {
  using std::abs;
  using std::min;
  using std::sqrt;
  const fp_environment_scope fp_scope;  // as a run does (run/pipeline.hpp, execute_typed)
  const auto wall0 = std::chrono::steady_clock::now();
  trajectory out;
  out.precision = plan.scalar.spelling();
  out.rtol = plan.rtol;
  out.plan_reason = plan.reason;
  out.eps = dbl(eps<Real>());

  const run_config c = config_of(q, plan.rtol);
  out.method = method_name(plan.method.stepper);
  const problem_setup<Real> ps = setup_problem<Real>(c);
  const lora_model<Real> model(ps.problem);
  const direction<Real>& dir = ps.dir;
  const spectral_basis<Real>& basis = ps.basis;
  const matrix<Real>& W1 = ps.problem.W1;
  const matrix<Real>& W2 = ps.problem.W2;
  const matrix<Real>& dY = ps.problem.dY;
  out.sigma = dbl(dir.sigma);
  out.sigma_W1 = dbl(dir.sigma_W1);
  out.sigma_W2 = dbl(dir.sigma_W2);
  out.delta_w = dbl(dir.delta_w);
  out.W1_spec = dbl(spectral_norm<Real>(W1));
  out.W2_spec = dbl(spectral_norm<Real>(W2));
  const initial_state<Real> init = initialize<Real>(c, model, basis);
  const Real& alpha = init.alpha;
  const Real ss = dir.sigma * dir.sigma_W2;

  spectral_frame<Real> fr;
  vector<Real> x = init.x0;
  if (q.init == "spectral") {
    fr.G11 = init.G11;
    fr.G21 = init.G21;
    fr.S = init.S;
    const Eigen::Index r = model.r();
    fr.US.resize(model.m(), r);
    fr.VS.resize(model.n(), r);
    fr.GS.resize(model.h(), r);
    for (Eigen::Index j = 0; j < r; ++j) {
      const Eigen::Index s = fr.S[static_cast<std::size_t>(j)];
      fr.US.col(j) = basis.U.col(s);
      fr.VS.col(j) = basis.V.col(s);
      fr.GS.col(j) = basis.G.col(s);
    }
  }
  if (q.rotation_seed != 0) {
    // Orthogonal equivariance (shared/theory 1.4 (iii)): (A_i, B_i) -> (R_i^T A_i, B_i R_i) with R_i the eigenvectors
    // of a symmetric Gaussian r x r matrix (orthogonal to rounding); B_i A_i is unchanged at t = 0.
    gaussian_stream gs(q.rotation_seed, 0x7e07a7e);
    auto rotation = [&]() {
      const matrix<Real> G = gs.normal_matrix<Real>(model.r(), model.r());
      return matrix<Real>(linalg::sym_eig<Real>(matrix<Real>(G + G.transpose())).vectors);
    };
    const matrix<Real> R1 = rotation(), R2 = rotation();
    const matrix<Real> A1r = R1.transpose() * model.A1(x), B1r = model.B1(x) * R1;
    const matrix<Real> A2r = R2.transpose() * model.A2(x), B2r = model.B2(x) * R2;
    x = model.pack(A1r, B1r, A2r, B2r);
  }
  const lora_observer<Real> obs(model, dir, x);

  const std::optional<lora_series<Real>> series = series_for(plan, model);
  const solve_options<Real> opt = solver_options<Real>(c, plan, alpha, series ? &*series : nullptr);
  const Real t_end = end_time<Real>(c);

  // Per-direction quantities of the spectral frame.
  std::vector<Eigen::Index> active_dirs;
  std::vector<Real> dir_threshold;
  auto z1_of = [&](const vector<Real>& xs, Eigen::Index i) {
    const Real a = fr.G11.col(i).dot(model.A1(xs) * fr.VS.col(i));
    const Real b = fr.GS.col(i).dot(model.B1(xs) * fr.G11.col(i));
    return Real(a * a + b * b);
  };
  if (q.spectral_frame) {
    if (q.init != "spectral") throw std::invalid_argument("measure: spectral_frame needs init = spectral");
    for (Eigen::Index i = 0; i < model.r(); ++i) {
      const Real sdy = fr.US.col(i).dot(dY * fr.VS.col(i));
      if (!(abs(sdy) > 64 * eps<Real>() * dir.sigma)) continue;
      const Real sw1 = sqrt(squared_norm(vector<Real>(W1 * fr.VS.col(i))));
      const Real sw2 = sqrt(squared_norm(vector<Real>(W2 * fr.GS.col(i))));
      active_dirs.push_back(i);
      out.dir_sigma.push_back(dbl(sdy));
      out.dir_sigma_W1.push_back(dbl(sw1));
      out.dir_sigma_W2.push_back(dbl(sw2));
      out.dir_z1_0.push_back(dbl(z1_of(x, i)));
      // Appendix F.1 / proof (189): the time z1^(i) reaches (1 - delta_w^(i)) sigma_dY^(i) / (8 sigma_W2^(i)).
      dir_threshold.push_back((1 - sw1 / sw2) * sdy / (8 * sw2));
    }
  }

  std::vector<event_spec<Real>> events{t1_event(obs, q.stop_at_T1)};
  if (q.early_event) events.push_back(early_alignment_end_event(model, alpha));
  for (std::size_t k = 0; k < active_dirs.size(); ++k) {
    const Eigen::Index i = active_dirs[k];
    events.push_back(threshold_event<Real>("T1_dir" + std::to_string(i),
                                           [&, i](const vector<Real>& xs) { return z1_of(xs, i); }, dir_threshold[k]));
  }

  auto snapshot = [&](const vector<Real>& xs, std::map<std::string, double>& into) {
    const metrics<Real> m = obs(xs);
    const std::vector<std::string> names = metrics<Real>::names();
    const std::vector<Real> vals = m.values();
    for (std::size_t i = 0; i < names.size(); ++i) into[names[i]] = dbl(vals[i]);
    into["E_norm"] = dbl(sqrt(2 * m.loss));
    into["F_spec"] = dbl(spectral_norm<Real>(model.product(xs)));
    const matrix<Real> Z1 = stack_Z<Real>(model.B1(xs), model.A1(xs));
    into["gamma1_Z1"] = dbl(sqrt(squared_norm(vector<Real>(Z1.transpose() * dir.gamma1))));
    const matrix<Real> Z2 = stack_Z<Real>(model.B2(xs), model.A2(xs));
    into["gamma2_Z2"] = dbl(sqrt(squared_norm(vector<Real>(Z2.transpose() * dir.gamma2))));
    into["Z1_fro"] = dbl(sqrt(squared_norm(Z1)));
    into["Z2_fro"] = dbl(sqrt(squared_norm(Z2)));
  };

  vector<Real> dx(model.dimension());
  // Lemma C.1 margins at state xs, in units of 2 sigma sigma_W2 (negative margin = inequality violated).
  vector<Real> gbar(dir.gamma1.size());
  gbar << dir.g, -dir.v;
  gbar /= sqrt(Real(2));
  auto lemma = [&](const vector<Real>& xs, std::map<std::string, double>& into) {
    const std::pair<Real, Real> d = coupling_norms(model, xs);
    model(xs, dx, Real(0));
    const matrix<Real> Z1 = stack_Z<Real>(model.B1(xs), model.A1(xs));
    const matrix<Real> Z2 = stack_Z<Real>(model.B2(xs), model.A2(xs));
    const matrix<Real> dZ1 = stack_Z<Real>(model.B1(dx), model.A1(dx));
    const matrix<Real> dZ2 = stack_Z<Real>(model.B2(dx), model.A2(dx));
    const Real unit = 2 * ss;
    Real col_up = -std::numeric_limits<Real>::infinity(), cos_min = std::numeric_limits<Real>::infinity();
    for (Eigen::Index j = 0; j < Z1.cols(); ++j) {
      const Real w2 = squared_norm(vector<Real>(Z1.col(j)));
      const Real dlog = 2 * Z1.col(j).dot(dZ1.col(j)) / w2;
      using std::max;
      col_up = max(col_up, Real(dlog - 2 * (ss + d.first)));
      const Real c1 = dir.gamma1.dot(Z1.col(j)), c2 = gbar.dot(Z1.col(j));
      const Real dratio = dir.gamma1.dot(dZ1.col(j)) / c1 - gbar.dot(dZ1.col(j)) / c2;
      cos_min = min(cos_min, Real(dratio - (ss - 2 * d.first)));
    }
    const Real z1 = squared_norm(Z1), z2 = squared_norm(Z2);
    const Real dlog1 = 2 * (Z1.array() * dZ1.array()).sum() / z1;
    const Real dlog2 = 2 * (Z2.array() * dZ2.array()).sum() / z2;
    into["D1"] = dbl(d.first);
    into["D2"] = dbl(d.second);
    into["c1_col_upper"] = dbl(Real(-col_up / unit));                          // >= 0 required
    into["c1_Z1_upper"] = dbl(Real((2 * (ss + d.first) - dlog1) / unit));      // >= 0 required
    into["c1_Z1_lower"] = dbl(Real((dlog1 - 2 * (ss - d.first)) / unit));      // >= 0 claimed (App. E.1)
    into["c1_ratio"] = dbl(Real((dlog1 - dlog2 - 2 * ((1 - dir.delta_w) * ss - d.first - d.second)) / unit));
    into["c1_cos"] = dbl(Real(cos_min / unit));
  };
  // Lemmas C.2, C.4, C.6, eqs. (53), (73) and Lemma D.1 of Xu et al. at state xs (validation/xu2025/lemma_c2.cpp,
  // eq53_norm_sandwich.cpp, lemmas_c4_c6.cpp, lemma_d1.cpp). Derivatives come from the vector field at the state
  // (no finite differences); unsubscripted norms are spectral; the LoRA scale is 1 here.
  const Real lam1_a2 = q.lemma_c2_d1 ? spectral_norm<Real>(matrix<Real>(-lora_observer<Real>::imbalance_matrix(
                                           model.B1(x), model.A1(x))))
                                     : Real(0);  // alpha^2 ||Lambda1||_2 at t = 0 (eq. (53))
  auto lemmas = [&](const vector<Real>& xs, std::map<std::string, double>& into) {
    using std::max;
    const lora_problem<Real>& p = model.problem();
    const matrix<Real> F = model.product(xs);
    const matrix<Real> E = model.residual(xs);
    const matrix<Real> A1 = model.A1(xs), B1 = model.B1(xs), A2 = model.A2(xs), B2 = model.B2(xs);
    // D1 = A2^T B2^T E - W2^T F (h x n), the coupling of dZ1/dt = (sigma sigma_W2 H1 + [[0, D1], [D1^T, 0]]) Z1.
    const matrix<Real> D1 = matrix<Real>(A2.transpose() * matrix<Real>(B2.transpose() * E)) -
                            matrix<Real>(p.W2.transpose() * F);
    const std::pair<Real, Real> dn = coupling_norms(model, xs);
    model(xs, dx, Real(0));
    const matrix<Real> dA1 = model.A1(dx), dB1 = model.B1(dx);
    const matrix<Real> Z1 = stack_Z<Real>(B1, A1), Z2 = stack_Z<Real>(B2, A2);
    const Real z1 = squared_norm(Z1), z2 = squared_norm(Z2);
    Real cos2_min = std::numeric_limits<Real>::infinity(), sin2_max = 0, cot_min = std::numeric_limits<Real>::infinity();
    for (Eigen::Index j = 0; j < Z1.cols(); ++j) {
      const vector<Real> w = Z1.col(j);
      const Real w2 = squared_norm(w), c = dir.gamma1.dot(w);
      const Real s2 = squared_norm(vector<Real>(w - dir.gamma1 * c)) / w2;  // sin^2 from the projection
      cos2_min = min(cos2_min, Real(c * c / w2));
      sin2_max = max(sin2_max, s2);
      cot_min = min(cot_min, Real(abs(c) / sqrt(w2 * s2)));
    }
    const vector<Real> Btg = B1.transpose() * dir.g, Av = A1 * dir.v;  // r, r
    // eq. (73): d/dt g^T B1 A1 v from the field, and its right side.
    const Real esc = Btg.dot(Av);
    const Real t1 = dir.g.dot(vector<Real>(dB1 * Av)), t2 = Btg.dot(vector<Real>(dA1 * dir.v));
    const Real q73 = ss * (squared_norm(Btg) + squared_norm(Av));
    const Real u1 = dir.g.dot(vector<Real>(D1 * vector<Real>(A1.transpose() * Av)));
    const Real u2 = vector<Real>(B1 * Btg).dot(vector<Real>(D1 * dir.v));
    // Lemma C.6 and eq. (53).
    const matrix<Real> P1 = B1 * A1;  // h x n
    const matrix<Real> gP = P1 - dir.g * vector<Real>(P1.transpose() * dir.g).transpose();
    const matrix<Real> Pv = P1 - vector<Real>(P1 * dir.v) * dir.v.transpose();
    // Lemma D.1: L_S = (u^T E v)^2 / 2; grad of L_S in (A1, B1) with M = W2 + B2 A2:
    // dL_S/dB1 = -e_S M^T u (A1 v)^T, dL_S/dA1 = -e_S B1^T M^T u v^T, so |grad|^2 / L_S = 2 (|M^T u|^2 |A1 v|^2 + |B1^T M^T u|^2).
    const matrix<Real> M = p.W2 + B2 * A2;
    const vector<Real> Mtu = M.transpose() * dir.u;
    const Real eS = dir.u.dot(vector<Real>(E * dir.v));
    into["D1"] = dbl(dn.first);
    into["D2"] = dbl(dn.second);
    into["Z1_sq"] = dbl(z1);
    into["Z2_sq"] = dbl(z2);
    into["g1Z1_sq"] = dbl(squared_norm(vector<Real>(Z1.transpose() * dir.gamma1)));  // unit gamma1
    into["gb1Z1_sq"] = dbl(squared_norm(vector<Real>(Z1.transpose() * gbar)));
    into["cos2_min"] = dbl(cos2_min);
    into["sin2_max"] = dbl(sin2_max);
    into["cot_min"] = dbl(cot_min);
    into["BA1_spec"] = dbl(spectral_norm<Real>(P1));
    into["BA1_fro"] = dbl(sqrt(squared_norm(P1)));
    into["lam1_a2"] = dbl(lam1_a2);
    into["esc"] = dbl(esc);
    into["desc"] = dbl(Real(t1 + t2));
    into["eq73_rhs"] = dbl(Real(q73 + u1 + u2));
    into["eq73_scale"] = dbl(Real(abs(t1) + abs(t2) + q73 + abs(u1) + abs(u2)));
    into["gperp_BA"] = dbl(spectral_norm<Real>(gP));
    into["BA_vperp"] = dbl(spectral_norm<Real>(Pv));
    into["LS"] = dbl(Real(eS * eS / 2));
    into["pl_ratio"] = dbl(Real(2 * (squared_norm(Mtu) * squared_norm(Av) + squared_norm(vector<Real>(B1.transpose() * Mtu)))));
    into["BA2_spec"] = dbl(spectral_norm<Real>(matrix<Real>(B2 * A2)));
    // The parts of the Lemma D.1 margin (lemma_d1.cpp): |A1 v|^2, |B1^T g|^2, |M^T u|^2, |B1^T M^T u|^2 and
    // sum_j (g^T b_j - v^T a_j)^2 (b_j, a_j the j-th column of B1 and row of A1).
    into["Av_sq"] = dbl(squared_norm(Av));
    into["Btg_sq"] = dbl(squared_norm(Btg));
    into["Mtu_sq"] = dbl(squared_norm(Mtu));
    into["BtMtu_sq"] = dbl(squared_norm(vector<Real>(B1.transpose() * Mtu)));
    into["col_imb"] = dbl(squared_norm(vector<Real>(Btg - Av)));
    // Lemma D.1 cross-check (lemma_d1.cpp): |grad L_S|^2 / L_S from the field's formulas (lora.hpp, s = 1) with the
    // residual E replaced by E_S = e_S u v^T: B1' = W2^T (E_S A1^T) + A2^T (B2^T E_S A1^T), A1' = M1^T E_S with
    // M1 = W2 B1 + B2 (A2 B1); and nu = (||W2||_F + ||B2||_F ||A2||_F)^2 (||A1||_F^2 + ||B1||_F^2) for its rounding bound.
    {
      const matrix<Real> ES = eS * dir.u * dir.v.transpose();
      const matrix<Real> EAt = ES * A1.transpose();
      const matrix<Real> gB1 = matrix<Real>(p.W2.transpose() * EAt) + matrix<Real>(A2.transpose() * matrix<Real>(B2.transpose() * EAt));
      const matrix<Real> M1 = matrix<Real>(p.W2 * B1) + matrix<Real>(B2 * matrix<Real>(A2 * B1));
      const matrix<Real> gA1 = M1.transpose() * ES;
      into["pl_direct"] = dbl(Real((squared_norm(gB1) + squared_norm(gA1)) / (eS * eS / 2)));
      const Real mu = sqrt(squared_norm(p.W2)) + sqrt(squared_norm(B2)) * sqrt(squared_norm(A2));
      into["pl_nu"] = dbl(Real(mu * mu * z1));
      // eq. (73) rounding scale (lemmas_c4_c6.cpp header): with Fsc the factor-norm bound of F's entries, Esc =
      // ||E|| + ||dY|| + Fsc scales E and its rounding (E = dY - F), Dsc = ||A2|| ||B2|| Esc + ||W2|| (||F|| + Fsc)
      // bounds D1 and its rounding; the five terms of (73) are bounded by z1 (mu Esc + ss + Dsc) (Frobenius norms).
      const Real nA1 = sqrt(squared_norm(A1)), nB1 = sqrt(squared_norm(B1)), nA2 = sqrt(squared_norm(A2)), nB2 = sqrt(squared_norm(B2));
      const Real nW2 = sqrt(squared_norm(p.W2)), nW1 = sqrt(squared_norm(p.W1));
      const Real Fsc = nW2 * nB1 * nA1 + nB2 * nA2 * (nW1 + nB1 * nA1);
      const Real Esc = sqrt(squared_norm(E)) + sqrt(squared_norm(p.dY)) + Fsc;
      const Real Dsc = nA2 * nB2 * Esc + nW2 * (sqrt(squared_norm(F)) + Fsc);
      into["eq73_nscale"] = dbl(Real(z1 * (mu * Esc + abs(ss) + Dsc)));
    }
  };
  // Per active direction k: the diagonal entries of the projected adapters and their derivatives from the full
  // vector field (measure.hpp, dir_at_T1), under keys prefix + k + "_a1", ..., prefix + k + "_db2".
  vector<Real> dir_field(model.dimension());
  auto dir_entries = [&](const vector<Real>& xs, std::map<std::string, double>& into, const std::string& prefix) {
    model(xs, dir_field, Real(0));
    for (std::size_t k = 0; k < active_dirs.size(); ++k) {
      const Eigen::Index i = active_dirs[k];
      const std::string pre = prefix + std::to_string(k) + "_";
      for (int d = 0; d < 2; ++d) {
        const vector<Real>& v = d ? dir_field : xs;
        const std::string D = d ? "d" : "";
        into[pre + D + "a1"] = dbl(Real(fr.G11.col(i).dot(model.A1(v) * fr.VS.col(i))));
        into[pre + D + "b1"] = dbl(Real(fr.GS.col(i).dot(model.B1(v) * fr.G11.col(i))));
        into[pre + D + "a2"] = dbl(Real(fr.G21.col(i).dot(model.A2(v) * fr.GS.col(i))));
        into[pre + D + "b2"] = dbl(Real(fr.US.col(i).dot(model.B2(v) * fr.G21.col(i))));
      }
    }
  };
  auto frame = [&](const vector<Real>& xs, std::map<std::string, double>& into) {
    const matrix<Real> A1 = model.A1(xs), B1 = model.B1(xs), A2 = model.A2(xs), B2 = model.B2(xs);
    const matrix<Real> a1 = fr.G11.transpose() * A1 * fr.VS, b1 = fr.GS.transpose() * B1 * fr.G11;
    const matrix<Real> a2 = fr.G21.transpose() * A2 * fr.GS, b2 = fr.US.transpose() * B2 * fr.G21;
    using std::max;
    into["offdiag"] = dbl(max(max(off_diagonal(a1), off_diagonal(b1)), max(off_diagonal(a2), off_diagonal(b2))));
    const Real leak = max(max(rel_residual<Real>(A1, fr.G11 * a1 * fr.VS.transpose()),
                              rel_residual<Real>(B1, fr.GS * b1 * fr.G11.transpose())),
                          max(rel_residual<Real>(A2, fr.G21 * a2 * fr.GS.transpose()),
                              rel_residual<Real>(B2, fr.US * b2 * fr.G21.transpose())));
    into["leak"] = dbl(leak);
    // Directions with sigma_dY = 0 must stay exactly stationary: B stays 0.
    Real null_B = 0;
    for (Eigen::Index i = 0; i < model.r(); ++i)
      if (std::find(active_dirs.begin(), active_dirs.end(), i) == active_dirs.end())
        null_B = max(null_B, max(abs(b1(i, i)), abs(b2(i, i))));
    const Real scale_B = max(max(sqrt(squared_norm(b1)), sqrt(squared_norm(b2))), std::numeric_limits<Real>::min());
    into["null_B"] = dbl(Real(null_B / scale_B));  // relative to the active directions' B
    dir_entries(xs, into, "dir");
  };

  const std::vector<Real> times = observation_times<Real>(c, t_end);
  auto observe = [&](const Real& t, const vector<Real>& xs) {
    std::map<std::string, double> row;
    snapshot(xs, row);
    if (q.lemma_c1) lemma(xs, row);
    else if (q.early_event) {
      const std::pair<Real, Real> d = coupling_norms(model, xs);
      row["D1"] = dbl(d.first);
      row["D2"] = dbl(d.second);
    }
    if (q.spectral_frame) frame(xs, row);
    if (q.lemma_c2_d1) lemmas(xs, row);
    out.t.push_back(dbl(t));
    for (const auto& kv : row) out.series[kv.first].push_back(kv.second);
  };
  snapshot(x, out.initial);
  std::vector<event_hit<Real>> hits;
  const run_stats<Real> st = integrate<Real>(std::cref(model), x, Real(0), t_end, times, observe, opt, events, &hits);
  out.status = status_name(st.status);
  out.message = st.message;
  out.steps = st.steps;
  out.rhs_evals = st.rhs_evals;
  for (const event_hit<Real>& h : hits) {
    if (!h.found) continue;
    if (h.name == "T1") {
      out.T1 = dbl(h.t);
      snapshot(h.x, out.at_T1);
    } else if (h.name == "T_hat1") {
      out.T_hat = dbl(h.t);
      snapshot(h.x, out.at_T_hat);
    }
  }
  for (std::size_t k = 0; k < active_dirs.size(); ++k) {
    out.dir_T1.push_back(std::numeric_limits<double>::quiet_NaN());
    out.dir_at_T1.emplace_back();
    for (const event_hit<Real>& h : hits)
      if (h.found && h.name == "T1_dir" + std::to_string(active_dirs[k])) {
        out.dir_T1.back() = dbl(h.t);
        std::map<std::string, double> all;
        dir_entries(h.x, all, "dir");
        const std::string pre = "dir" + std::to_string(k) + "_";
        for (const auto& kv : all)
          if (kv.first.rfind(pre, 0) == 0) out.dir_at_T1.back()[kv.first.substr(pre.size())] = kv.second;
      }
  }
  snapshot(x, out.final);
  if (q.record_products) {
    const matrix<Real> P1 = model.B1(x) * model.A1(x), P2 = model.B2(x) * model.A2(x);
    for (const matrix<Real>* P : {&P1, &P2})
      for (Eigen::Index j = 0; j < P->cols(); ++j)
        for (Eigen::Index i = 0; i < P->rows(); ++i) out.products.push_back(dbl((*P)(i, j)));
  }
  out.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return out;
}

}  // namespace

trajectory measure(const trajectory_request& q) {
  precision_plan plan = plan_for_alpha(q.alpha, q.digits, q.alpha_power);
  if (!q.precision.empty()) {
    const std::optional<scalar_spec> s = parse_scalar_spec(q.precision);
    if (!s) throw std::invalid_argument("measure: precision '" + q.precision + "': expected " + scalar_spec_grammar());
    plan.scalar = *s;
    plan.reason = "precision set by the claim: " + q.precision;
  }
  if (!q.rtol.empty()) plan.rtol = q.rtol;
  plan.method = choose_method(q.method, plan.rtol, false, true);  // natural frame, squared loss; throws for an unknown method
  return with_scalar(plan.scalar, [&](auto zero) { return measure_typed<decltype(zero)>(q, plan); });
}

}  // namespace loraflow::check
