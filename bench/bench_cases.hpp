// bench/bench_cases.hpp: the inputs shared by the benchmark programs (bench_rhs, bench_workloads): the Fig. 1 and
// m = n = h = 1024 cases of one right-hand side, and the naive dense field that both compare against.
//
// Cases: generate_xu2025 (c = 1.05, dY = 5 u1 v1^T, seed 0), both adapters, s = 1, lambda = 0. State: A1, A2 from
// small_init(alpha = 1e-4, seed 0); B1, B2 i.i.d. N(0, 1e-4) (size 1e-2) from their own stream, so that no
// product in the field is trivially zero (small_init sets B = 0).
// Naive field: full matrices and temporaries, W1~ = W1 + s B1 A1, W2~ = W2 + s B2 A2, E = Y_ft - W2~ W1~ with
// Y_ft = W2 W1 + dY formed once, then B1' = s W2~^T E A1^T, A1' = s B1^T W2~^T E, B2' = s E W1~^T A2^T,
// A2' = s B2^T E W1~^T, evaluated left to right: O(m n h), what a first implementation in Eigen looks like.
// Objective cases: the Fig. 1 problem and state under each objective of model/objective.hpp (fig1_objective_case).
// Frame cases: the same problem and state, rotated into the singular frame (model/singular_frame.hpp).
#pragma once

#include <loraflow/model/init.hpp>
#include <loraflow/model/lora.hpp>
#include <loraflow/model/objective.hpp>
#include <loraflow/model/singular_frame.hpp>
#include <loraflow/model/xu2025.hpp>
#include <loraflow/random.hpp>
#include <loraflow/scalar.hpp>

#include <cstdint>
#include <map>
#include <utility>

namespace loraflow::bench {

/// Stream id of the B1, B2 draws: distinct from loraflow::streams (1-5), so no draw is shared with the problem or A.
constexpr std::uint64_t b_stream = 101;

/// One benchmark input: the model and the state.
template <class Real> struct rhs_case {
  loraflow::lora_model<Real> model;
  vector<Real> x;
};

template <class Real> rhs_case<Real> make_case(loraflow::lora_problem<Real> p, std::uint64_t seed) {
  loraflow::lora_model<Real> model(std::move(p));
  vector<Real> x = loraflow::small_init(model, loraflow::parse<Real>("1e-4"), seed);
  loraflow::gaussian_stream b(seed, b_stream);
  const Real b_size = loraflow::parse<Real>("1e-2");
  model.B1(x) = b_size * b.normal_matrix<Real>(model.h(), model.r());
  model.B2(x) = b_size * b.normal_matrix<Real>(model.m(), model.r());
  return rhs_case<Real>{std::move(model), std::move(x)};
}

/// The naive baseline's target Y_ft = W2 W1 + dY, formed once per case outside the timing. Only the types with a
/// naive benchmark instantiate it (Eigen products over multiprecision types are slow to compile).
template <class Real> matrix<Real> target_of(const rhs_case<Real>& c) {
  const loraflow::lora_problem<Real>& p = c.model.problem();
  matrix<Real> Y_ft = p.W2 * p.W1;
  Y_ft += p.dY;
  return Y_ft;
}

template <class Real> loraflow::lora_problem<Real> xu2025_problem(Eigen::Index m, Eigen::Index n, Eigen::Index h,
                                                                  Eigen::Index r) {
  loraflow::xu2025_spec<Real> spec;  // default dY: 5 u1 v1^T on the top singular pair; seed 0
  spec.m = m;
  spec.n = n;
  spec.h = h;
  spec.c = Real(105) / 100;
  loraflow::generated_problem<Real> g = loraflow::generate_xu2025(spec);
  return loraflow::lora_problem<Real>{std::move(g.W1), std::move(g.W2), std::move(g.dY), r, true, true, Real(1),
                                      Real(0)};
}

/// The Fig. 1 case, built once per type (mpfr_float, whose digits vary by benchmark, builds its own: rhs.bench.cpp).
template <class Real> const rhs_case<Real>& fig1_case() {
  static const rhs_case<Real> c = make_case(xu2025_problem<Real>(10, 10, 100, 4), 0);
  return c;
}

template <class Real> const matrix<Real>& fig1_target() {
  static const matrix<Real> Y_ft = target_of(fig1_case<Real>());
  return Y_ft;
}

/// The Fig. 1 case with objective k (model/objective.hpp), built once per type and kind. Data from the seeded
/// generators (seed 0): weighted w_max/w_min = 10; sensing N = 200 Gaussian measurements of the 10 x 10 F (2 mn),
/// no noise; logistic N = 200 samples labelled from the softmax of the teacher W2 W1 + dY (not separable).
template <class Real> const rhs_case<Real>& fig1_objective_case(loraflow::objective_kind k) {
  static std::map<loraflow::objective_kind, rhs_case<Real>> cases;
  auto it = cases.find(k);
  if (it == cases.end()) {
    loraflow::lora_problem<Real> p = xu2025_problem<Real>(10, 10, 100, 4);
    p.objective.kind = k;
    if (k == loraflow::objective_kind::weighted) p.objective.weights = loraflow::weights_with_ratio<Real>(10, 10, Real(10), 0);
    if (k == loraflow::objective_kind::sensing) loraflow::gaussian_sensing<Real>(200, 10, 10, Real(0), 0, p.objective);
    if (k == loraflow::objective_kind::logistic)
      loraflow::teacher_logistic<Real>(200, matrix<Real>(p.W2 * p.W1 + p.dY), false, 0, p.objective);
    it = cases.emplace(k, make_case(std::move(p), 0)).first;
  }
  return it->second;
}

/// The m = n = h = 1024, r = 8 case in double, built once.
inline const rhs_case<double>& n1024_case() {
  static const rhs_case<double> c = make_case(xu2025_problem<double>(1024, 1024, 1024, 8), 0);
  return c;
}

inline const matrix<double>& n1024_target() {
  static const matrix<double> Y_ft = target_of(n1024_case());
  return Y_ft;
}

/// One benchmark input in the singular frame: the frame model and the frame image of make_case's state.
template <class Real> struct frame_case {
  loraflow::frame_model<Real> model;
  vector<Real> x;
};

template <class Real> frame_case<Real> make_frame_case(Eigen::Index m, Eigen::Index n, Eigen::Index h, Eigen::Index r) {
  loraflow::xu2025_spec<Real> spec;  // as xu2025_problem
  spec.m = m;
  spec.n = n;
  spec.h = h;
  spec.c = Real(105) / 100;
  const loraflow::generated_problem<Real> g = loraflow::generate_xu2025(spec);
  const rhs_case<Real> nat =
      make_case(loraflow::lora_problem<Real>{g.W1, g.W2, g.dY, r, true, true, Real(1), Real(0)}, 0);
  loraflow::frame_model<Real> fm(loraflow::xu2025_frame(g, spec, nat.model.problem()));
  vector<Real> xf = fm.to_frame(nat.x);
  return frame_case<Real>{std::move(fm), std::move(xf)};
}

template <class Real> const frame_case<Real>& fig1_frame_case() {
  static const frame_case<Real> c = make_frame_case<Real>(10, 10, 100, 4);
  return c;
}

inline const frame_case<double>& n1024_frame_case() {
  static const frame_case<double> c = make_frame_case<double>(1024, 1024, 1024, 8);
  return c;
}

/// The field computed the obvious way: full W~ matrices, temporaries, products left to right (O(m n h)).
template <class Real> void naive_field(const rhs_case<Real>& c, const matrix<Real>& Y_ft, const vector<Real>& x,
                                      vector<Real>& dxdt) {
  const loraflow::lora_model<Real>& model = c.model;  // used for the state layout only
  const loraflow::lora_problem<Real>& p = model.problem();
  const Real& s = p.scale;
  const matrix<Real> W1_full = p.W1 + s * model.B1(x) * model.A1(x);
  const matrix<Real> W2_full = p.W2 + s * model.B2(x) * model.A2(x);
  const matrix<Real> E = Y_ft - W2_full * W1_full;
  const matrix<Real> dA1 = s * model.B1(x).transpose() * W2_full.transpose() * E;
  const matrix<Real> dB1 = s * W2_full.transpose() * E * model.A1(x).transpose();
  const matrix<Real> dA2 = s * model.B2(x).transpose() * E * W1_full.transpose();
  const matrix<Real> dB2 = s * E * W1_full.transpose() * model.A2(x).transpose();
  dxdt.resize(model.dimension());
  model.A1(dxdt) = dA1;
  model.B1(dxdt) = dB1;
  model.A2(dxdt) = dA2;
  model.B2(dxdt) = dB2;
}

}  // namespace loraflow::bench
