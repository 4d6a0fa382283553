// The right-hand side allocates nothing after construction (GUIDE: "no heap allocation in the hot loop").
// Oracle: a global operator new that counts calls. Checked for every fixed-size scalar; mpfr_float is excluded
// because MPFR allocates the limbs of every temporary inside the library (documented in model/lora.hpp).
#include <loraflow/model/factorization.hpp>
#include <loraflow/model/lora.hpp>
#include <loraflow/model/lora_series.hpp>
#include <loraflow/model/singular_frame.hpp>
#include <loraflow/random.hpp>

#include "checks.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<long> g_allocations{0};
}
void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

using namespace loraflow;
using fixed_scalar_types = std::tuple<double, long double, float128, float50, float100>;

TEST_CASE_TEMPLATE_DEFINE("one right-hand side (natural and singular frame), and one Taylor expansion, allocate nothing", Real, no_alloc) {
  gaussian_stream g(1, 1);
  for (int variant = 0; variant < 3; ++variant) {
    lora_problem<Real> p{g.normal_matrix<Real>(30, 8), g.normal_matrix<Real>(9, 30), g.normal_matrix<Real>(9, 8), 3,
                         variant != 1, variant != 2, Real(3) / 2, Real(1) / 10};
    lora_model<Real> model(p);
    const vector<Real> x = g.normal_matrix<Real>(model.dimension(), 1).col(0);
    vector<Real> dxdt(model.dimension());
    model.field(x, dxdt);  // warm-up
    const long before = g_allocations.load();
    for (int k = 0; k < 3; ++k) model(x, dxdt, Real(0));
    const Real l = model.loss(x);
    CHECK(g_allocations.load() - before == 0);
    CHECK(l > 0);
    // A Taylor expansion (method taylor): its series storage is sized by the first expansion of an order.
    const lora_series<Real> series(model);
    std::vector<vector<Real>> c(13, vector<Real>(model.dimension()));
    series.expand(x, 12, c);
    const long before_series = g_allocations.load();
    series.expand(x, 12, c);
    CHECK(g_allocations.load() - before_series == 0);
  }
  // The singular frame's field (model/singular_frame.hpp): the frame's lora_model plus the split pairs.
  for (int variant = 0; variant < 3; ++variant) {
    xu2025_spec<Real> spec;
    spec.m = 6;
    spec.n = 4;
    spec.h = 9;
    const generated_problem<Real> gp = generate_xu2025(spec);
    const lora_problem<Real> p{gp.W1, gp.W2, gp.dY, 2, variant != 1, variant != 2, Real(3) / 2, Real(1) / 10};
    const frame_model<Real> fr(xu2025_frame(gp, spec, p));
    const vector<Real> x = g.normal_matrix<Real>(fr.dimension(), 1).col(0);
    vector<Real> dxdt(fr.dimension());
    fr.field(x, dxdt);
    const long before = g_allocations.load();
    for (int k = 0; k < 3; ++k) fr(x, dxdt, Real(0));
    CHECK(g_allocations.load() - before == 0);
  }
  factorization_model<Real> fm(factorization_problem<Real>{g.normal_matrix<Real>(6, 9), g.normal_matrix<Real>(6, 4), 5, Real(0)});
  const vector<Real> x = g.normal_matrix<Real>(fm.dimension(), 1).col(0);
  vector<Real> dxdt(fm.dimension());
  fm.field(x, dxdt);
  const long before = g_allocations.load();
  fm(x, dxdt, Real(0));
  CHECK(g_allocations.load() - before == 0);
}
TEST_CASE_TEMPLATE_APPLY(no_alloc, fixed_scalar_types);
