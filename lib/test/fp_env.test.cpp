// fp_env.hpp: results do not depend on the floating-point environment a host program leaves behind.
//
// Hostile environments: directed rounding (FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO), flush-to-zero plus
// denormals-are-zero in MXCSR, and x87 precision control at 53 bits. integrate() opens an fp_environment_scope, so
// a run under any of them must be bitwise identical to the run in the default environment, for every scalar type,
// and the host's environment must be intact after integrate() returns.
// The tests can fail: the same kernels WITHOUT the guard give different results under those environments for
// exactly the types that use the hardware's rounding (checked below, not assumed): double (SSE), long double
// (x87 rounding and precision control) and float128 (GCC's soft-float __float128 reads the SSE rounding mode).
// float50, float100 (cpp_bin_float) and mpfr_float round in software and give the same bits in every environment.
// FTZ/DAZ only reach SSE arithmetic, i.e. double; the problem that shows it has subnormal adapters (~1e-310).
#include <loraflow/fp_env.hpp>
#include <loraflow/integrate/integrate.hpp>
#include <loraflow/model/lora.hpp>
#include <loraflow/model/lora_series.hpp>
#include <loraflow/random.hpp>

#include "checks.hpp"

#include <cfenv>
#include <cstring>
#include <string>
#include <type_traits>

using namespace loraflow;

#if LORAFLOW_FP_ENV_X86
namespace {

struct environment {
  const char* name;
  int rounding;
  bool ftz_daz;
  bool x87_double_precision;
};
constexpr environment hostile_environments[] = {
    {"FE_UPWARD", FE_UPWARD, false, false},
    {"FE_DOWNWARD", FE_DOWNWARD, false, false},
    {"FE_TOWARDZERO", FE_TOWARDZERO, false, false},
    {"FTZ+DAZ", FE_TONEAREST, true, false},
    {"x87 53-bit precision", FE_TONEAREST, false, true},
    {"FE_UPWARD+FTZ+DAZ+x87 53-bit", FE_UPWARD, true, true},
};
constexpr unsigned ftz_daz = fp_env::mxcsr_ftz | fp_env::mxcsr_daz;
constexpr unsigned short x87_pc_double = 0x200;

/// Installs a hostile environment for its lifetime (what a host program might leave), restores the default after.
class hostile_scope {
 public:
  explicit hostile_scope(const environment& e) : m_mxcsr(_mm_getcsr()), m_x87(fp_env::x87_control_word()) {
    std::fegetenv(&m_saved);
    REQUIRE(std::fesetround(e.rounding) == 0);
    if (e.ftz_daz) _mm_setcsr(_mm_getcsr() | ftz_daz);
    if (e.x87_double_precision)
      fp_env::set_x87_control_word(
          static_cast<unsigned short>((fp_env::x87_control_word() & ~fp_env::x87_precision_mask) | x87_pc_double));
  }
  ~hostile_scope() {
    std::fesetenv(&m_saved);
    _mm_setcsr(m_mxcsr);
    fp_env::set_x87_control_word(m_x87);
  }
  hostile_scope(const hostile_scope&) = delete;
  hostile_scope& operator=(const hostile_scope&) = delete;

 private:
  std::fenv_t m_saved;
  unsigned m_mxcsr;
  unsigned short m_x87;
};

/// The control state a host can see: rounding mode, MXCSR control bits (masks, rounding, FTZ, DAZ), x87 control word.
struct control_state {
  int rounding;
  unsigned mxcsr_control;
  unsigned short x87;
  bool operator==(const control_state& o) const {
    return rounding == o.rounding && mxcsr_control == o.mxcsr_control && x87 == o.x87;
  }
};
control_state current_control() {
  return {std::fegetround(), _mm_getcsr() & ~0x3fu, fp_env::x87_control_word()};  // bits 0-5 are the flags
}

template <class Real> bool bitwise_equal(const vector<Real>& a, const vector<Real>& b, std::string& why) {
  if (a.size() != b.size()) {
    why = "sizes differ";
    return false;
  }
  for (Eigen::Index i = 0; i < a.size(); ++i)
    if (!(a(i) == b(i)) || to_string(a(i)) != to_string(b(i))) {
      why = "entry " + std::to_string(i) + ": " + to_string(a(i)) + " vs " + to_string(b(i));
      return false;
    }
  return true;
}

/// Types whose arithmetic follows the hardware's floating-point environment.
template <class Real> constexpr bool follows_hardware_environment =
    std::is_same_v<Real, double> || std::is_same_v<Real, long double> || std::is_same_v<Real, float128>;

/// A small two-layer LoRA problem; `tiny` scales the initial adapters (subnormal in double when 2^-1030).
template <class Real> struct small_problem {
  lora_model<Real> model;
  lora_series<Real> series{model};
  vector<Real> x0;
  small_problem(const Real& tiny)
      : model([] {
          gaussian_stream g(7, 1);
          lora_problem<Real> p{g.normal_matrix<Real>(10, 4), g.normal_matrix<Real>(5, 10), g.normal_matrix<Real>(5, 4),
                               2, true, true, Real(1), Real(1) / 100};
          return p;
        }()) {
    gaussian_stream g(7, 2);
    x0 = g.normal_matrix<Real>(model.dimension(), 1).col(0) * tiny;
  }
};

template <class Real> Real subnormal_in_double() {
  using std::pow;
  return pow(Real(2), Real(-1030));
}

struct run_result_bits {
  std::size_t steps = 0, rejected = 0, rhs_evals = 0, expansions = 0;
  int taylor_order = 0;
  run_status status = run_status::ok;
};

/// Everything a run is given, computed in the default environment (a quotient such as 1/10 computed under
/// FE_UPWARD is a different input, not a different result).
template <class Real> struct run_inputs {
  solve_options<Real> opt;
  std::vector<Real> times{Real(1) / 10, Real(1) / 3};
  Real t1 = Real(1) / 2;
  run_inputs(const small_problem<Real>& pr, method m) {
    opt.stepper = m;
    opt.rtol = Real(1) / Real(10000000000LL);
    opt.atol = Real(0);
    opt.series = &pr.series;
  }
};

template <class Real>
vector<Real> run_small(const small_problem<Real>& pr, const run_inputs<Real>& in, run_result_bits& bits,
                       std::vector<vector<Real>>* observed) {
  vector<Real> x = pr.x0;
  const run_stats<Real> st = integrate<Real>(
      std::cref(pr.model), x, Real(0), in.t1, in.times,
      [&](const Real&, const vector<Real>& xo) {
        if (observed) observed->push_back(xo);
      },
      in.opt);
  bits.steps = st.steps;
  bits.rejected = st.rejected;
  bits.rhs_evals = st.rhs_evals;
  bits.expansions = st.expansions;
  bits.taylor_order = st.taylor_order;
  bits.status = st.status;
  return x;
}

/// What integrate() runs, without integrate()'s guard: 20 Euler steps of the field and one Taylor expansion summed
/// at tau = 1/4.
template <class Real> vector<Real> raw_kernels(const small_problem<Real>& pr) {
  vector<Real> x = pr.x0, f(x.size());
  const Real dt = Real(1) / 64;
  for (int k = 0; k < 20; ++k) {
    pr.model.field(x, f);
    x += dt * f;
  }
  std::vector<vector<Real>> c(13, vector<Real>(x.size()));
  pr.series.expand(x, 12, c);
  vector<Real> y = c[12];
  for (int j = 11; j >= 0; --j) y = (y / 4 + c[static_cast<std::size_t>(j)]).eval();
  vector<Real> out(2 * x.size());
  out << x, y;
  return out;
}

}  // namespace

TEST_CASE("fp_environment_scope installs round-to-nearest, no FTZ/DAZ, extended x87 precision, masked traps, and restores the host's environment") {
  for (const environment& e : hostile_environments) {
    CAPTURE(e.name);
    hostile_scope host(e);
    std::feraiseexcept(FE_INEXACT);  // a flag the host has raised must survive the scope
    const control_state before = current_control();
    {
      const fp_environment_scope scope;
      const int flags_inside = std::fetestexcept(FE_ALL_EXCEPT);
      CHECK(flags_inside == 0);  // flags cleared inside
      CHECK(std::fegetround() == FE_TONEAREST);
      CHECK((_mm_getcsr() & ftz_daz) == 0u);
      CHECK((_mm_getcsr() & 0x6000u) == 0u);  // MXCSR rounding bits: nearest
      CHECK((fp_env::x87_control_word() & fp_env::x87_precision_mask) == fp_env::x87_precision_extended);
      CHECK((fp_env::x87_control_word() & 0x0c00u) == 0u);  // x87 rounding bits: nearest
      CHECK((_mm_getcsr() & 0x1f80u) == 0x1f80u);  // every SSE exception masked
      volatile double tiny = 0x1p-1030;
      volatile double half = 0.5;
      CHECK(tiny * half != 0.0);  // no DAZ/FTZ: a subnormal product survives
      volatile double third = 1.0 / 3.0;
      CHECK(third == 0x1.5555555555555p-2);  // rounded to nearest
    }
    const control_state after = current_control();
    CHECK(after == before);
    CHECK(std::fetestexcept(FE_INEXACT) != 0);
    CHECK(std::fegetround() == e.rounding);
    CHECK(((_mm_getcsr() & ftz_daz) != 0) == e.ftz_daz);
  }
}

TEST_CASE_TEMPLATE_DEFINE("integrate() (dopri5, taylor) is bitwise the same under a hostile environment, and leaves it in place", Real, same_bits) {
  test::precision_for_test<Real> prec;
  for (const bool subnormal : {false, true}) {
    CAPTURE(subnormal);
    const small_problem<Real> pr(subnormal ? subnormal_in_double<Real>() : Real(1) / 10);
    for (method m : {method::dopri5, method::taylor}) {
      const std::string method_text = method_name(m);
      CAPTURE(method_text);
      const run_inputs<Real> in(pr, m);
      run_result_bits ref_bits;
      std::vector<vector<Real>> ref_obs;
      const vector<Real> ref = run_small(pr, in, ref_bits, &ref_obs);
      REQUIRE(ref_bits.status == run_status::ok);
      REQUIRE(ref_obs.size() == 2);
      for (const environment& e : hostile_environments) {
        CAPTURE(e.name);
        run_result_bits bits;
        std::vector<vector<Real>> obs;
        vector<Real> x;
        control_state before{}, after{};
        {
          hostile_scope host(e);
          before = current_control();
          x = run_small(pr, in, bits, &obs);
          after = current_control();
        }
        CHECK(after == before);  // the host's environment is back after integrate()
        std::string why;
        CHECK_MESSAGE(bitwise_equal(x, ref, why), why);
        REQUIRE(obs.size() == ref_obs.size());
        for (std::size_t k = 0; k < obs.size(); ++k) CHECK_MESSAGE(bitwise_equal(obs[k], ref_obs[k], why), why);
        CHECK(bits.steps == ref_bits.steps);
        CHECK(bits.rejected == ref_bits.rejected);
        CHECK(bits.rhs_evals == ref_bits.rhs_evals);
        CHECK(bits.expansions == ref_bits.expansions);
        CHECK(bits.taylor_order == ref_bits.taylor_order);
      }
    }
  }
}
TEST_CASE_TEMPLATE_APPLY(same_bits, scalar_types);

TEST_CASE_TEMPLATE_DEFINE("without the guard the kernels follow the environment for double, long double and float128 only (the test above can fail)", Real, unguarded) {
  test::precision_for_test<Real> prec;
  const small_problem<Real> pr(Real(1) / 10);
  const vector<Real> ref = raw_kernels(pr);
  std::string why;
  for (const environment& e : hostile_environments) {
    if (e.ftz_daz && !e.x87_double_precision && e.rounding == FE_TONEAREST) continue;  // subnormals: case below
    if (e.x87_double_precision && e.rounding == FE_TONEAREST && !std::is_same_v<Real, long double>) continue;
    CAPTURE(e.name);
    vector<Real> bare, guarded;
    {
      hostile_scope host(e);
      bare = raw_kernels(pr);
      const fp_environment_scope scope;
      guarded = raw_kernels(pr);
    }
    CHECK_MESSAGE(bitwise_equal(guarded, ref, why), why);
    if (follows_hardware_environment<Real>)
      CHECK_MESSAGE(!bitwise_equal(bare, ref, why), "the environment " << e.name << " did not change " << scalar_name<Real>());
    else
      CHECK_MESSAGE(bitwise_equal(bare, ref, why), why);
  }
  // FTZ+DAZ with subnormal adapters: only SSE arithmetic (double) reads MXCSR's FTZ/DAZ.
  const small_problem<Real> tiny(subnormal_in_double<Real>());
  const vector<Real> tiny_ref = raw_kernels(tiny);
  vector<Real> bare, guarded;
  {
    hostile_scope host(hostile_environments[3]);
    REQUIRE(std::string(hostile_environments[3].name) == "FTZ+DAZ");
    bare = raw_kernels(tiny);
    const fp_environment_scope scope;
    guarded = raw_kernels(tiny);
  }
  CHECK_MESSAGE(bitwise_equal(guarded, tiny_ref, why), why);
  if (std::is_same_v<Real, double>)
    CHECK_MESSAGE(!bitwise_equal(bare, tiny_ref, why), "FTZ+DAZ did not change double");
  else
    CHECK_MESSAGE(bitwise_equal(bare, tiny_ref, why), why);
}
TEST_CASE_TEMPLATE_APPLY(unguarded, scalar_types);

TEST_CASE("problem set-up also follows the environment: random draws differ under FE_UPWARD unless guarded") {
  // gaussian_stream uses log, sqrt, sin and cos in double: a run's set-up needs the guard as much as integrate().
  const double ref = [] {
    gaussian_stream g(3, 4);
    double s = 0;
    for (int k = 0; k < 64; ++k) s += g.next();
    return s;
  }();
  double bare = 0, guarded = 0;
  {
    hostile_scope host(hostile_environments[0]);
    gaussian_stream g1(3, 4), g2(3, 4);
    for (int k = 0; k < 64; ++k) bare += g1.next();
    const fp_environment_scope scope;
    for (int k = 0; k < 64; ++k) guarded += g2.next();
  }
  CHECK(bare != ref);
  CHECK(guarded == ref);
}
#else
TEST_CASE("fp_environment_scope: FTZ/DAZ and x87 checks need x86-64 (documented no-op elsewhere)") {
  { const fp_environment_scope scope; CHECK(std::fegetround() == FE_TONEAREST); }
}
#endif
