// bench/rhs.bench.cpp: the cost of ONE right-hand side of the LoRA gradient flow (lora_model::field), per scalar
// type, and against a naive dense evaluation of the same field.
//
// Problems:
//   fig1   Xu et al. (AISTATS 2025) Fig. 1: generate_xu2025 with m = n = 10, h = 100, c = 1.05, dY = 5 u1 v1^T,
//          seed 0; r = 4, both adapters, s = 1, lambda = 0. Every scalar type in scalar_types; mpfr_float at 30, 50,
//          70 and 150 digits (fig1/field/mpfrD: the case built and timed inside an mpfr_digits_scope of D digits).
//   n1024  m = n = h = 1024, r = 8, double only: the regime where the association of the products matters.
// State: A1, A2 from small_init(alpha = 1e-4, seed 0); B1, B2 i.i.d. N(0, 1e-4) (size 1e-2) from their own stream,
// so that no product in the field is trivially zero (small_init sets B = 0).
//
// Baseline ("naive"): the same field written the obvious way, with full matrices and temporaries,
//   W1~ = W1 + s B1 A1,  W2~ = W2 + s B2 A2,  E = Y_ft - W2~ W1~  (Y_ft = W2 W1 + dY, formed once),
//   B1' = s W2~^T E A1^T,  A1' = s B1^T W2~^T E,  B2' = s E W1~^T A2^T,  A2' = s B2^T E W1~^T,
// evaluated left to right, so it costs O(m n h) (three m x n x h products) where lora_model costs
// O((m + n) h r + m n r) and allocates nothing. Before timing, the program checks that both give the same field
// (per block, relative Frobenius difference <= 1e-10 in double, <= 1e-40 in float50) and exits non-zero otherwise,
// so the comparison is between two evaluations of the same function.
//
// Counters: time per iteration is the time of one call; "flop" is the matrix-product flop count of one call
// (2 per multiply-add, elementwise terms left out) and "FLOPS" the resulting rate.
// Objectives: the field under each objective of model/objective.hpp (frobenius, weighted with ratio 10, sensing with
// N = 200 measurements, logistic with N = 200 samples) on the Fig. 1 problem and state, in double and float50.
// Also timed: the singular-frame field (model/singular_frame.hpp) on the frame image of the same state, per type
// (fig1) and at n1024; one Taylor expansion (model/lora_series.hpp) of the order method taylor uses at rtol 1e-10 in
// double and 1e-37 in float50 (and the same order in mpfr:50), the whole per-step cost of that method.
// Run by hand (docs/performance.md); not a ctest test.
#include <loraflow/model/lora_series.hpp>
#include <loraflow/scalar.hpp>

#include "bench_cases.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <type_traits>
#include <utility>

namespace {

using loraflow::matrix;
using loraflow::vector;
using namespace loraflow::bench;

/// Matrix-product flops of one lora_model::field call with both adapters (2 per multiply-add).
double field_flop(double m, double n, double h, double r) {
  return 2 * (m * h * r + r * h * n + r * h * r + r * r * n + m * r * r + m * r * n + m * r * n  // F, E
              + m * n * r + h * m * r + r * m * r + h * r * r + r * m * n                       // B1', A1'
              + m * n * r + r * m * n + r * n * h + r * r * h);                                 // B2', A2'
}

/// Matrix-product flops of one naive_field call (2 per multiply-add).
double naive_flop(double m, double n, double h, double r) {
  return 2 * (m * r * h + h * r * n + m * h * n  // W2~, W1~, W2~ W1~
              + h * m * n + h * n * r            // B1' = (W2~^T E) A1^T
              + r * h * m + r * m * n            // A1' = (B1^T W2~^T) E
              + m * n * h + m * h * r            // B2' = (E W1~^T) A2^T
              + r * m * n + r * n * h);          // A2' = (B2^T E) W1~^T
}

template <class Real> double case_flop(const rhs_case<Real>& c, double (*flop)(double, double, double, double)) {
  const loraflow::lora_model<Real>& md = c.model;
  return flop(static_cast<double>(md.m()), static_cast<double>(md.n()), static_cast<double>(md.h()),
              static_cast<double>(md.r()));
}

void set_counters(benchmark::State& state, double flop) {
  state.counters["flop"] = benchmark::Counter(flop);
  state.counters["FLOPS"] = benchmark::Counter(flop, benchmark::Counter::kIsIterationInvariantRate);
}

/// The timing loop of one field call: a case is a model with field(x, dxdt) and a state x (rhs_case, frame_case).
template <class Case> void time_model_field(benchmark::State& state, const Case& c) {
  vector<typename std::decay_t<decltype(c.x)>::Scalar> dxdt(c.model.dimension());
  for (auto _ : state) {
    c.model.field(c.x, dxdt);
    benchmark::DoNotOptimize(dxdt.data());
    benchmark::ClobberMemory();
  }
}

template <class Real> void time_field(benchmark::State& state, const rhs_case<Real>& c) {
  time_model_field(state, c);
  set_counters(state, case_flop(c, field_flop));
}

template <class Real> void time_naive(benchmark::State& state, const rhs_case<Real>& c, const matrix<Real>& Y_ft) {
  vector<Real> dxdt(c.model.dimension());
  for (auto _ : state) {
    naive_field(c, Y_ft, c.x, dxdt);
    benchmark::DoNotOptimize(dxdt.data());
    benchmark::ClobberMemory();
  }
  set_counters(state, case_flop(c, naive_flop));
}

template <class Real> void bm_fig1_field(benchmark::State& state) { time_field(state, fig1_case<Real>()); }

/// The timing loop of one Taylor expansion of order K (method taylor's whole per-step cost).
template <class Real> void time_series(benchmark::State& state, const rhs_case<Real>& c, int K) {
  const loraflow::lora_series<Real> series(c.model);
  std::vector<vector<Real>> coeffs(static_cast<std::size_t>(K) + 1, vector<Real>(c.model.dimension()));
  for (auto _ : state) {
    series.expand(c.x, K, coeffs);
    benchmark::DoNotOptimize(coeffs.back().data());
    benchmark::ClobberMemory();
  }
}

/// The Fig. 1 field in mpfr_float at state.range(0) digits: the case is built at that precision (not the cached
/// fig1_case, whose numbers would keep the digits of the first call) and timed under the same scope.
void bm_fig1_field_mpfr(benchmark::State& state) {
  const loraflow::mpfr_digits_scope digits(static_cast<unsigned>(state.range(0)));
  time_field(state, make_case(xu2025_problem<loraflow::mpfr_float>(10, 10, 100, 4), 0));
}

/// One Taylor expansion of order state.range(1) in mpfr_float at state.range(0) digits, Fig. 1 case.
void bm_fig1_series_mpfr(benchmark::State& state) {
  using loraflow::mpfr_float;
  const loraflow::mpfr_digits_scope digits(static_cast<unsigned>(state.range(0)));
  time_series(state, make_case(xu2025_problem<mpfr_float>(10, 10, 100, 4), 0), static_cast<int>(state.range(1)));
}

/// One Taylor expansion of order state.range(0), Fig. 1 case.
template <class Real> void bm_fig1_series(benchmark::State& state) {
  time_series(state, fig1_case<Real>(), static_cast<int>(state.range(0)));
}

template <class Real> void bm_fig1_naive(benchmark::State& state) {
  time_naive(state, fig1_case<Real>(), fig1_target<Real>());
}

/// The field under objective kind state.range(0) (model/objective.hpp), Fig. 1 problem and state.
template <class Real> void bm_fig1_objective(benchmark::State& state) {
  time_model_field(state, fig1_objective_case<Real>(static_cast<loraflow::objective_kind>(state.range(0))));
}

/// The singular-frame field (model/singular_frame.hpp) on the frame image of the same state.
template <class Real> void bm_fig1_frame(benchmark::State& state) { time_model_field(state, fig1_frame_case<Real>()); }
void bm_n1024_frame(benchmark::State& state) { time_model_field(state, n1024_frame_case()); }

void bm_n1024_field(benchmark::State& state) { time_field(state, n1024_case()); }

void bm_n1024_naive(benchmark::State& state) { time_naive(state, n1024_case(), n1024_target()); }

/// Per block, ||naive - field||_F / ||field||_F <= tol; prints the differences. False (with a message) otherwise.
template <class Real>
bool naive_agrees(const char* label, const rhs_case<Real>& c, const matrix<Real>& Y_ft, const Real& tol) {
  using std::sqrt;
  const loraflow::lora_model<Real>& md = c.model;
  vector<Real> fast, slow;
  md.field(c.x, fast);
  naive_field(c, Y_ft, c.x, slow);
  const vector<Real>& cf = fast;
  const vector<Real>& cs = slow;
  const Real diff[4] = {
      sqrt(loraflow::squared_norm(matrix<Real>(md.A1(cs) - md.A1(cf))) / loraflow::squared_norm(md.A1(cf))),
      sqrt(loraflow::squared_norm(matrix<Real>(md.B1(cs) - md.B1(cf))) / loraflow::squared_norm(md.B1(cf))),
      sqrt(loraflow::squared_norm(matrix<Real>(md.A2(cs) - md.A2(cf))) / loraflow::squared_norm(md.A2(cf))),
      sqrt(loraflow::squared_norm(matrix<Real>(md.B2(cs) - md.B2(cf))) / loraflow::squared_norm(md.B2(cf)))};
  const char* names[4] = {"A1'", "B1'", "A2'", "B2'"};
  bool ok = true;
  std::fprintf(stderr, "check %s: naive vs lora_model::field, relative difference per block:", label);
  for (int i = 0; i < 4; ++i) {
    std::fprintf(stderr, " %s %.2e", names[i], loraflow::to_double(diff[i]));
    if (!(diff[i] <= tol)) ok = false;
  }
  std::fprintf(stderr, " (tolerance %.0e)\n", loraflow::to_double(tol));
  if (!ok)
    std::fprintf(stderr, "bench_rhs: the naive baseline disagrees with lora_model::field for %s; not timing it\n",
                 label);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  // The naive baseline must compute the same field before its time means anything. The tolerances leave room for
  // the digits the naive E = Y_ft - W2~ W1~ loses to cancellation (lora_model forms E = dY - F instead).
  using loraflow::float50;
  if (!naive_agrees<double>("fig1/double", fig1_case<double>(), fig1_target<double>(),
                            loraflow::parse<double>("1e-10")) ||
      !naive_agrees<float50>("fig1/float50", fig1_case<float50>(), fig1_target<float50>(),
                             loraflow::parse<float50>("1e-40")) ||
      !naive_agrees<double>("n1024/double", n1024_case(), n1024_target(), loraflow::parse<double>("1e-10")))
    return 1;

  benchmark::RegisterBenchmark("fig1/field/double", bm_fig1_field<double>)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("fig1/field/long_double", bm_fig1_field<long double>)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("fig1/field/float128", bm_fig1_field<loraflow::float128>)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("fig1/field/float50", bm_fig1_field<loraflow::float50>)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("fig1/field/float100", bm_fig1_field<loraflow::float100>)
      ->Unit(benchmark::kMicrosecond);
  for (long digits : {30, 50, 70, 150})
    benchmark::RegisterBenchmark(("fig1/field/mpfr" + std::to_string(digits)).c_str(), bm_fig1_field_mpfr)
        ->Arg(digits)
        ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("fig1/frame/double", bm_fig1_frame<double>)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("fig1/frame/long_double", bm_fig1_frame<long double>)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("fig1/frame/float128", bm_fig1_frame<loraflow::float128>)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("fig1/frame/float50", bm_fig1_frame<loraflow::float50>)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("fig1/frame/float100", bm_fig1_frame<loraflow::float100>)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("n1024/frame/double", bm_n1024_frame)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("fig1/naive/double", bm_fig1_naive<double>)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("fig1/naive/float50", bm_fig1_naive<loraflow::float50>)
      ->Unit(benchmark::kMicrosecond);
  // Orders that taylor_auto_order picks for rtol 1e-10 (13) and 1e-37 (44).
  benchmark::RegisterBenchmark("fig1/series/double", bm_fig1_series<double>)->Arg(13)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("fig1/series/float50", bm_fig1_series<loraflow::float50>)
      ->Arg(44)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("fig1/series/mpfr50", bm_fig1_series_mpfr)->Args({50, 44})->Unit(benchmark::kMillisecond);
  for (const loraflow::objective_info& o : loraflow::objective_table) {
    const long k = static_cast<long>(o.kind);
    benchmark::RegisterBenchmark((std::string("fig1/objective/") + o.name + "/double").c_str(), bm_fig1_objective<double>)
        ->Arg(k)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark((std::string("fig1/objective/") + o.name + "/float50").c_str(),
                                 bm_fig1_objective<loraflow::float50>)
        ->Arg(k)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::RegisterBenchmark("n1024/field/double", bm_n1024_field)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("n1024/naive/double", bm_n1024_naive)->Unit(benchmark::kMillisecond);

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
