// loraflow/run/certify.hpp: `loraflow run --certify`: how many significant digits of each reported number are right.
//
// The run is repeated at a higher precision and a tighter tolerance (the reference: at least twice the working
// digits D and at least the digits run/precision.hpp plans for D digits at the run's alpha, the cheapest scalar
// type with them, and the smaller of rtol / 1000 and the plan's rtol; the Taylor method of automatic order when
// that rtol is below 1e-14), and every number of summary.json's `events`, `at` and `final` is compared with the
// reference's: the digits the two share, floor(-log10(|x - x_ref| / |x_ref|)), capped at the working type's
// digits10. With precision = "auto" the run was planned for solve.digits = k digits, so min(D, 2k) digits are
// certified (capped there) and the reference is planned for that many digits at alpha, in a strictly wider type
// than the run's. A number whose run lost its digits
// (double at alpha = 1e-20: misalign(T1) ~ 1e-38 carried by 1e-20 components of O(1) entries) reports few or
// zero digits instead of printing wrong digits as if they were right. Fixed-step methods (rk4, gd) are compared at
// the same step, so only rounding is certified there.
#pragma once

#include <loraflow/run/config.hpp>
#include <loraflow/run/run.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace loraflow {

struct certified_number {
  std::string name;       ///< e.g. "at.T1.misalign"
  std::string value;      ///< as reported by the run
  std::string reference;  ///< the reference run's value
  int digits = 0;         ///< shared significant digits (capped at the run's digits10; -1: reference missing)
};

struct certify_result {
  std::string reference_precision, reference_rtol, reference_method, reference_frame;
  std::vector<certified_number> numbers;
  std::string json;   ///< certify.json
  std::string human;  ///< a table for stdout
};

/// The reference run of a config and how its comparison is read.
struct certify_plan {
  run_config reference;  ///< the reference configuration
  int cap = 0;           ///< digits certified at most (the run's digits10; min(it, 2 x solve.digits) under auto)
  std::string precision, rtol, method, frame;  ///< of the reference, for the report (frame: the run's own)
  bool concurrent_ok = false;  ///< neither run uses mpfr_float (whose precision is process-wide): they may overlap
};

certify_plan plan_certify(const run_config& c);

/// Significant digits that x shares with its reference ref, floor(-log10(|x - ref| / |ref|)) clamped to [0, cap],
/// computed in 100 digits from the printed decimals (cap when they are equal, 0 when ref is 0 and x is not).
int shared_digits(const std::string& x, const std::string& ref, int cap);

/// Compares a run's summary.json with its reference run's result, number by number.
certify_result compare_certified(const certify_plan& p, const std::string& summary_json, const run_result& reference);

/// Runs the reference for config c (whose run produced summary_json) and compares.
certify_result certify(const run_config& c, const std::string& summary_json);

/// A run and its certification (`loraflow run --certify`).
struct certified_run {
  run_result run;
  std::optional<certify_result> certified;  ///< empty when the run did not end with status ok
};

/// Runs c and its reference, the reference on a second thread beside the run when plan.concurrent_ok (two cores
/// then give both for the price of the longer one), else after it; a run that fails or throws stops the reference
/// at its next step. note() receives one-line progress messages; on_run() the run's result as soon as it ends,
/// before the reference is waited for. o.cancel stops the reference too; a reference stopped that way gives no
/// certificate (certified_run::certified stays empty).
certified_run execute_certified(const run_config& c, const run_options& o,
                                const std::function<void(const std::string&)>& note = {},
                                const std::function<void(const run_result&)>& on_run = {});

}  // namespace loraflow
