// Exporting the problem of a configuration (run/export.hpp): the W1, W2, dY that execute() would integrate.
#include <loraflow/run/export.hpp>

#include <loraflow/io/atomic_file.hpp>
#include <loraflow/io/npy.hpp>
#include <loraflow/io/text_matrix.hpp>
#include <loraflow/model/xu2025.hpp>
#include <loraflow/run/network.hpp>   // build_network, shared with execute()
#include <loraflow/run/pipeline.hpp>  // build_problem, shared with execute()
#include <loraflow/run/run.hpp>

#include <sstream>

namespace loraflow {

namespace {

template <class Real> problem_export_result export_typed(const run_config& c, const problem_export_options& o) {
  const fp_environment_scope fp_scope;  // the same problem a run builds, whatever the host's environment
  problem_export_result r;
  r.precision = scalar_name<Real>();
  std::vector<std::pair<const char*, matrix<Real>>> named;
  if (c.problem.kind == "network") {  // X, Y and the initial W1, W2: a problem.recipe = "files" run reads them back
    xu2023_instance<Real> in = build_network<Real>(c);
    r.m = static_cast<long>(in.problem.Y.cols());
    r.n = static_cast<long>(in.problem.X.cols());
    r.h = static_cast<long>(in.W1.cols());
    named = {{"X", std::move(in.problem.X)}, {"Y", std::move(in.problem.Y)}, {"W1", std::move(in.W1)}, {"W2", std::move(in.W2)}};
  } else {
    lora_problem<Real> p = build_problem<Real>(c, nullptr);  // exactly what a run integrates
    r.m = static_cast<long>(p.W2.rows());
    r.n = static_cast<long>(p.W1.cols());
    r.h = static_cast<long>(p.W1.rows());
    named = {{"W1", std::move(p.W1)}, {"W2", std::move(p.W2)}, {"dY", std::move(p.dY)}};
  }

  staging_dir stage(o.out_dir);
  for (const auto& [name, a] : named) {
    detail::write_npy_matrix(stage.path(std::string(name) + ".npy"), a);
    r.files.push_back(std::string(name) + ".npy");
  }
  if (o.text)
    for (const auto& [name, a] : named) {
      detail::write_text_matrix_of(stage.path(std::string(name) + ".txt"), a);
      r.files.push_back(std::string(name) + ".txt");
    }
  stage.commit();

  std::ostringstream hs;
  hs << "loraflow problem: " << c.problem.kind << " m=" << r.m << " n=" << r.n << " h=" << r.h << ", built in "
     << r.precision << "\n";
  if (!std::is_same_v<Real, double>)
    hs << "  the .npy files hold float64 (entries rounded from " << r.precision << ")"
       << (o.text ? "; the .txt files keep every digit\n" : "; add --text to keep every digit\n");
  hs << "  wrote";
  for (std::size_t i = 0; i < r.files.size(); ++i) hs << (i ? ", " : " ") << o.out_dir << "/" << r.files[i];
  hs << "\n";
  r.human = hs.str();
  return r;
}

}  // namespace

problem_export_result export_problem(const run_config& c, const problem_export_options& o) {
  if (o.out_dir.empty()) throw std::invalid_argument("export_problem: out_dir must not be empty");
  // The same precision choice and dispatch as execute() (run/run.cpp), planned in the natural frame: the exported
  // matrices are read back as a problem from files, which always integrates there (frame = "auto" would plan a
  // generated problem's digits in the singular frame, where they do not grow with log10(1/alpha)).
  run_config natural = c;
  natural.solve.frame = "natural";
  return with_scalar(plan_precision(natural).scalar, [&](auto zero) { return export_typed<decltype(zero)>(c, o); });
}

}  // namespace loraflow
