// `loraflow run --certify`: a reference run at higher precision, compared number by number (run/certify.hpp).
#include <loraflow/run/certify.hpp>
#include <loraflow/model/objective.hpp>
#include <loraflow/run/precision.hpp>
#include <loraflow/scalar.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <future>
#include <iomanip>
#include <cmath>
#include <limits>
#include <sstream>

namespace loraflow {

namespace {
using json = nlohmann::ordered_json;

std::string text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

}  // namespace

int shared_digits(const std::string& x, const std::string& ref, int cap) {
  const float100 a = parse<float100>(x), b = parse<float100>(ref);
  using std::abs;
  if (a == b) return cap;
  if (b == 0) return 0;
  const float100 rel = abs(a - b) / abs(b);
  const double d = -static_cast<double>(log10(rel));
  return std::max(0, std::min(cap, static_cast<int>(std::floor(d))));
}

namespace {

void walk(const json& run, const json& ref, const std::string& prefix, int cap, std::vector<certified_number>& out) {
  for (auto it = run.begin(); it != run.end(); ++it) {
    const std::string name = prefix + it.key();
    if (it->is_object()) {
      walk(*it, ref.contains(it.key()) ? ref[it.key()] : json::object(), name + ".", cap, out);
      continue;
    }
    if (!(it->is_number() || it->is_string()) || it.key() == "t") continue;
    certified_number c;
    c.name = name;
    c.value = text(*it);
    if (!ref.contains(it.key()) || ref[it.key()].is_null()) {
      c.reference = "missing";
      c.digits = -1;
    } else {
      c.reference = text(ref[it.key()]);
      c.digits = shared_digits(c.value, c.reference, cap);
    }
    out.push_back(c);
  }
}
}  // namespace

certify_plan plan_certify(const run_config& c) {
  const precision_plan plan = plan_precision(c);
  const int D = scalar_digits10(plan.scalar);
  certify_plan cp;
  cp.reference = c;
  run_config& r = cp.reference;
  // T: the digits to certify. An explicit precision asks for all of its D digits; precision = "auto" was planned
  // for solve.digits = k digits, so 2k of them (at most D) are certified: enough to show the k asked for, and a
  // reference planned for 2k digits instead of D costs a fraction of one planned for D.
  const int T = plan.automatic ? std::min(D, static_cast<int>(2 * c.solve.digits)) : D;
  cp.cap = T;
  // The reference must resolve what the run cannot: at least twice the run's digits for an explicit precision, a
  // strictly wider type than the run's for auto (so that rounding is never common to both), and, when alpha is
  // known, the plan of run/precision.hpp for T digits at that alpha (misalign(T1) ~ alpha^2 needs
  // T + log10(1/alpha) + 4 digits).
  int want = plan.automatic ? D + 1 : 2 * D;
  std::string plan_rtol;
  if (!c.lora.alpha.empty()) {
    const precision_plan p2 = plan_for_alpha(c.lora.alpha, static_cast<unsigned>(T), plan.frame.singular ? 0 : 1);
    want = std::max(want, scalar_digits10(p2.scalar));
    plan_rtol = p2.rtol;
  }
  // The cheapest registered type with `want` digits (scalar.hpp's ladder; long double only where it is wider than
  // double). The run's own type has D < want digits, so the reference's is strictly wider.
  const scalar_spec ref_scalar = cheapest_scalar(want, c.lora.alpha.empty() ? 0 : alpha_min_exponent10(c.lora.alpha));
  // The reference integrates in the run's frame (a frame run is certified against a frame run in a wider type; the
  // frame itself is checked by the tests and validation/xu2025/frame_cross_formulation.cpp).
  r.solve.frame = plan.frame.name();
  r.solve.precision = ref_scalar.spelling();
  const bool adaptive = is_adaptive(plan.method.stepper);
  if (adaptive) {
    const std::string rtol = plan.rtol;  // a decimal like 1e-12
    float100 tight = parse<float100>(rtol) / 1000;
    if (!plan_rtol.empty()) tight = std::min(tight, parse<float100>(plan_rtol));
    std::ostringstream os;  // 3 significant digits, through float100 (a double would underflow below 1e-308)
    if (tight >= float100("1e-300")) os << std::setprecision(3) << static_cast<double>(tight);
    else os << std::setprecision(2) << std::scientific << tight;
    r.solve.rtol = os.str();
    // Below tight_rtol_threshold (1e-14) the reference's method is the one method = "auto" picks at its rtol
    // (run/precision.hpp, choose_method): a Taylor series of automatic order where one exists, whose cost grows with
    // the digits asked for far more slowly than any fixed-order method's, else Bulirsch-Stoer. The Taylor
    // coefficients are the run's own code when the run is a Taylor run too; that code is checked against odeint's
    // methods and closed forms by the tests (lib/test/model/lora_series.test.cpp), while the reference's wider type
    // and tighter rtol certify the run's rounding and truncation. At looser tolerances the reference keeps the run's
    // method (an "auto" run's reference resolves "auto" again, at its own rtol).
    if (tight < parse<float100>(tight_rtol_threshold) || c.solve.method == "auto") {
      const std::optional<objective_kind> k = parse_objective_kind(c.objective.kind);
      const method_choice mc = choose_method("auto", r.solve.rtol, plan.frame.singular, k && info_of(*k).quadratic,
                                                    c.problem.kind == "network");
      r.solve.method = method_name(mc.stepper);
      r.solve.taylor_order = 0;
    }
    r.solve.atol.clear();  // rtol' min(alpha, 1)^2
  }
  cp.precision = r.solve.precision;
  cp.rtol = adaptive ? r.solve.rtol : "-";
  cp.method = r.solve.method;
  cp.frame = r.solve.frame;
  // A runtime-digits type (mpfr) keeps its digit count in one process-wide variable: such runs must not overlap.
  cp.concurrent_ok = plan.scalar.digits == 0 && ref_scalar.digits == 0;
  return cp;
}

certify_result compare_certified(const certify_plan& cp, const std::string& summary_json, const run_result& ref) {
  certify_result res;
  res.reference_precision = cp.precision;
  res.reference_rtol = cp.rtol;
  res.reference_method = cp.method;
  res.reference_frame = cp.frame;
  const json a = json::parse(summary_json), b = json::parse(ref.summary_json);
  for (const char* section : {"events", "at", "final"})
    if (a.contains(section)) walk(a[section], b.contains(section) ? b[section] : json::object(), std::string(section) + ".", cp.cap, res.numbers);
  json j;
  j["reference"] = {{"precision", res.reference_precision}, {"rtol", res.reference_rtol}, {"method", res.reference_method},
                    {"frame", res.reference_frame}, {"status", status_name(ref.status)}};
  j["rule"] = "digits = floor(-log10(|x - x_ref| / |x_ref|)), capped at " + std::to_string(cp.cap) +
              " (the digits certified: the run's digits10, or min(digits10, 2 x solve.digits) for precision = auto)";
  j["numbers"] = json::array();
  std::ostringstream h;
  h << "certify: reference run in " << res.reference_precision << ", rtol " << res.reference_rtol << ", "
    << res.reference_method << " in the " << res.reference_frame << " frame (status " << status_name(ref.status)
    << "); digits capped at " << cp.cap << "\n";
  for (const certified_number& n : res.numbers) {
    j["numbers"].push_back({{"name", n.name}, {"value", n.value}, {"reference", n.reference}, {"digits", n.digits}});
    h << "  " << n.name << std::string(n.name.size() < 28 ? 28 - n.name.size() : 1, ' ') << n.value << "  "
      << (n.digits < 0 ? std::string("(no reference)") : std::to_string(n.digits) + " digits") << "\n";
  }
  res.json = j.dump(2) + "\n";
  res.human = h.str();
  return res;
}

certify_result certify(const run_config& c, const std::string& summary_json) {
  const certify_plan cp = plan_certify(c);
  run_options o;
  o.progress = false;
  return compare_certified(cp, summary_json, execute(cp.reference, o));
}

certified_run execute_certified(const run_config& c, const run_options& o,
                                const std::function<void(const std::string&)>& note,
                                const std::function<void(const run_result&)>& on_run) {
  const certify_plan cp = plan_certify(c);
  auto say = [&](const std::string& s) {
    if (note) note(s);
  };
  std::atomic<bool> cancel{false};
  run_options quiet;
  quiet.progress = false;
  quiet.cancel = &cancel;
  // The caller's cancel (o.cancel: a Ctrl-C in the Python module) stops the reference too, at its next step.
  if (o.cancel)
    quiet.on_progress = [&cancel, stop = o.cancel](double, double, std::size_t) {
      if (stop->load(std::memory_order_relaxed)) cancel.store(true);
    };
  const std::string what = cp.precision + ", rtol " + cp.rtol + ", " + cp.method;
  std::future<run_result> reference;
  if (cp.concurrent_ok) {
    say("certify: reference run (" + what + ") started beside the run");
    reference = std::async(std::launch::async, [&cp, quiet] { return execute(cp.reference, quiet); });
  }
  // Declared after the future, so destroyed before it: when the run fails or throws, the reference is told to stop
  // (at its next step) before anything waits for it.
  struct stop_reference {
    std::atomic<bool>& flag;
    bool armed = true;
    ~stop_reference() {
      if (armed) flag.store(true);
    }
  };
  certified_run out;
  {
    stop_reference guard{cancel};
    out.run = execute(c, o);
    if (on_run) on_run(out.run);
    if (out.run.ok()) guard.armed = false;
  }
  if (!out.run.ok()) {
    if (reference.valid()) reference.wait();  // stopped at its next step
    return out;
  }
  run_result ref;
  if (reference.valid()) {
    say("certify: waiting for the reference run");
    ref = reference.get();
  } else {
    say("certify: running the reference (" + what + ")");
    ref = execute(cp.reference, quiet);
  }
  if (o.cancel && o.cancel->load() && !ref.ok()) return out;  // cancelled while the reference ran: no certificate
  out.certified = compare_certified(cp, out.run.summary_json, ref);
  return out;
}

}  // namespace loraflow
