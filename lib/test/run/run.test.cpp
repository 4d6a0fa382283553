// Tests of run/run.hpp's in-process interface, the path the Python module takes through the library: matrices given
// in memory (run_config::arrays, file keys written "array:NAME"), run_options::keep_outputs, on_progress and cancel,
// and evaluate_field. Whole runs to files are tested through the CLI (tools/test/).
// Oracles: the LoRA field's closed form written out here in Real (F = (W2 + B2 A2)(W1 + B1 A1) - W2 W1, E = dY - F,
// J = 1/2 ||E||^2; Xu et al. 2025 eq. (2) and the chain rule), one body per scalar type; and the same run read from
// files, byte for byte.
#include <loraflow/run/config.hpp>
#include <loraflow/run/run.hpp>

#include "checks.hpp"
#include "files.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

using namespace loraflow;

namespace {

/// A small problem whose entries are dyadic (exact in every scalar type): m = 3, n = 2, h = 4, rank 2.
struct small_case {
  std::map<std::string, std::vector<std::vector<std::string>>> rows{
      {"W1", {{"1", "-0.5"}, {"0.25", "2"}, {"-1.5", "0.75"}, {"0.5", "1"}}},
      {"W2", {{"1", "0.5", "-0.25", "2"}, {"0", "1.5", "1", "-1"}, {"0.75", "-0.5", "0.5", "1"}}},
      {"dY", {{"2", "-1"}, {"0.5", "3"}, {"-1.25", "0.5"}}},
      {"A1", {{"0.125", "-0.25"}, {"0.5", "0.0625"}}},
      {"B1", {{"0.25", "0"}, {"-0.5", "0.125"}, {"1", "-0.25"}, {"0.375", "0.5"}}},
      {"A2", {{"0.5", "-0.125", "0.25", "0"}, {"-0.25", "0.75", "0.0625", "0.5"}}},
      {"B2", {{"-0.5", "0.25"}, {"0.125", "1"}, {"0.75", "-0.375"}}}};

  /// The arrays as run_config::arrays holds them: decimal strings (text) or float64, column-major.
  std::shared_ptr<const memory_arrays> arrays(bool text) const {
    auto a = std::make_shared<memory_arrays>();
    for (const auto& [name, rs] : rows) {
      memory_matrix m;
      m.rows = rs.size();
      m.cols = rs[0].size();
      for (std::size_t j = 0; j < m.cols; ++j)
        for (std::size_t i = 0; i < m.rows; ++i)
          text ? m.text.push_back(rs[i][j]) : m.f64.push_back(std::stod(rs[i][j]));
      (*a)[name] = std::move(m);
    }
    return a;
  }
  template <class Real> matrix<Real> at(const std::string& name) const {
    const auto& rs = rows.at(name);
    matrix<Real> m(static_cast<Eigen::Index>(rs.size()), static_cast<Eigen::Index>(rs[0].size()));
    for (Eigen::Index i = 0; i < m.rows(); ++i)
      for (Eigen::Index j = 0; j < m.cols(); ++j) m(i, j) = parse<Real>(rs[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)]);
    return m;
  }
  /// The config naming every matrix "array:NAME" (or, with dir, the text files written there).
  std::string toml(const std::string& precision, const std::string& dir = {}) const {
    auto path = [&](const char* k) { return dir.empty() ? std::string("array:") + k : dir + "/" + k + ".txt"; };
    std::string t = "[problem]\nkind = \"files\"\n";
    for (const char* k : {"W1", "W2", "dY"}) t += std::string(k) + " = \"" + path(k) + "\"\n";
    t += "[lora]\nrank = 2\ninit = \"files\"\n";
    for (const char* k : {"A1", "B1", "A2", "B2"}) t += std::string(k) + " = \"" + path(k) + "\"\n";
    t += "[solve]\nprecision = \"" + precision + "\"\nrtol = \"1e-12\"\nt_end = 2\n[observe]\ntimes = \"linspace:0:2:5\"\n";
    return t;
  }
};

}  // namespace

/// The closed form, once, in 100 digits (above every type's precision but mpfr's test digits, 60): J and -dJ/dX.
struct field_reference {
  float100 loss;
  std::map<std::string, matrix<float100>> field;
};

const field_reference& closed_form() {
  static const field_reference ref = [] {
    const small_case sc;
    using R = float100;
    const matrix<R> W1 = sc.at<R>("W1"), W2 = sc.at<R>("W2"), dY = sc.at<R>("dY");
    const matrix<R> A1 = sc.at<R>("A1"), B1 = sc.at<R>("B1"), A2 = sc.at<R>("A2"), B2 = sc.at<R>("B2");
    const matrix<R> P1 = W1 + B1 * A1, P2 = W2 + B2 * A2;
    const matrix<R> E = dY - (P2 * P1 - W2 * W1);
    return field_reference{R(squared_norm(E) / 2),
                           {{"A1", (P2 * B1).transpose() * E},
                            {"B1", P2.transpose() * E * A1.transpose()},
                            {"A2", B2.transpose() * E * P1.transpose()},
                            {"B2", E * (A2 * P1).transpose()}}};
  }();
  return ref;
}

TEST_CASE_TEMPLATE_DEFINE("evaluate_field: the LoRA field's closed form at arrays given in memory", Real, field_closed_form) {
  const test::precision_for_test<Real> prec;
  const small_case sc;
  run_config c = parse_config(sc.toml(scalar_name<Real>()), "<test>", ".");
  c.arrays = sc.arrays(true);
  const field_result f = evaluate_field(c);
  CHECK(f.precision == scalar_name<Real>());
  const field_reference& want = closed_form();
  auto at_real = [](const float100& x) { return parse<Real>(to_string(x)); };  // the reference, rounded to Real
  const Real tol = 64 * eps<Real>();
  LORAFLOW_CHECK_CLOSE(parse<Real>(f.loss), at_real(want.loss), tol);
  REQUIRE(f.field.size() == 4);
  REQUIRE(f.state.size() == 4);
  for (std::size_t k = 0; k < f.field.size(); ++k) {
    const auto& [name, m] = f.field[k];
    CAPTURE(name);
    const matrix<float100>& w = want.field.at(name);
    REQUIRE(m.rows == static_cast<std::size_t>(w.rows()));
    REQUIRE(m.cols == static_cast<std::size_t>(w.cols()));
    for (std::size_t i = 0; i < m.text.size(); ++i)
      LORAFLOW_CHECK_CLOSE(parse<Real>(m.text[i]), at_real(w(static_cast<Eigen::Index>(i))), tol);
    CHECK(f.state[k].first == name);
    const auto& st = f.state[k].second;  // the state read back exactly (dyadic entries)
    const auto& rows = sc.rows.at(name);
    for (std::size_t i = 0; i < st.text.size(); ++i)
      CHECK(parse<Real>(st.text[i]) == parse<Real>(rows[i % st.rows][i / st.rows]));
  }
}
TEST_CASE_TEMPLATE_APPLY(field_closed_form, scalar_types);

TEST_CASE("execute: arrays in memory run as the same matrices from files, and keep_outputs returns the outputs") {
  const small_case sc;
  test::temp_dir dir;
  for (const auto& [name, rs] : sc.rows) {
    std::string text;
    for (const auto& r : rs) {
      for (std::size_t j = 0; j < r.size(); ++j) text += (j ? " " : "") + r[j];
      text += "\n";
    }
    test::write_raw(dir.file(name + ".txt"), text);
  }
  run_options from_files;
  from_files.out_dir = dir.file("out");
  from_files.progress = false;
  const run_result want = execute(parse_config(sc.toml("double", dir.root.string()), "<test>", "."), from_files);
  REQUIRE(want.ok());
  const std::string csv = test::slurp(dir.file("out/trajectory.csv"));
  CHECK(want.trajectory_csv.empty());  // the command's path: written, not also returned
  CHECK(want.state.empty());

  for (const bool text : {true, false}) {
    CAPTURE(text);
    run_config c = parse_config(sc.toml("double"), "<test>", ".");
    c.arrays = sc.arrays(text);
    run_options o;
    o.progress = false;
    o.keep_outputs = true;
    std::size_t calls = 0;
    double last = -1;
    o.on_progress = [&](double done, double total, std::size_t) {
      ++calls;
      CHECK(total == 2.0);
      CHECK(done >= last);
      last = done;
    };
    const run_result r = execute(c, o);
    REQUIRE(r.ok());
    CHECK(r.trajectory_csv == csv);
    CHECK(calls > 0);
    CHECK(last == 2.0);
    REQUIRE(r.state.size() == 4);
    CHECK(r.state[0].first == "A1");
    CHECK(r.state[0].second.rows == 2);
    CHECK(r.state[0].second.cols == 2);
    CHECK(r.state[0].second.f64.size() == 4);
    CHECK(r.state[0].second.text.size() == 4);
  }
  CHECK(dir.listing() == std::vector<std::string>{"A1.txt", "A2.txt", "B1.txt", "B2.txt", "W1.txt", "W2.txt", "dY.txt", "out"});

  run_config c = parse_config(sc.toml("double"), "<test>", ".");
  run_options quiet;
  quiet.progress = false;
  // Without keep_outputs and out_dir nothing is kept (the benchmarks' path).
  c.arrays = sc.arrays(true);
  const run_result bare = execute(c, quiet);
  CHECK(bare.ok());
  CHECK(bare.trajectory_csv.empty());
  CHECK(bare.state.empty());
  // A cancelled run stops at its first step with status stopped.
  std::atomic<bool> cancel{true};
  quiet.cancel = &cancel;
  CHECK(execute(c, quiet).status == run_status::stopped);
}

TEST_CASE("arrays in memory: bad input names the key and the array") {
  const small_case sc;
  run_config c = parse_config(sc.toml("double"), "<test>", ".");
  CHECK_THROWS_WITH_AS(execute(c, run_options{}),
                       test::contains("<test>: key 'problem.W1': no array named 'W1' was given"), input_error);
  auto a = std::make_shared<memory_arrays>(*sc.arrays(false));
  a->at("dY").f64[1] = std::numeric_limits<double>::quiet_NaN();
  c.arrays = a;
  CHECK_THROWS_WITH_AS(evaluate_field(c), test::contains("key 'problem.dY': array 'dY' entry (1,0) is not finite"), input_error);
  a = std::make_shared<memory_arrays>(*sc.arrays(true));
  a->at("A1").text[0] = "1x";
  c.arrays = a;
  CHECK_THROWS_WITH_AS(evaluate_field(c), test::contains("key 'lora.A1': array 'A1' entry (0,0)"), input_error);
  a = std::make_shared<memory_arrays>(*sc.arrays(false));
  a->at("B1").rows = 3;  // 3 x 2 = 6 entries named, 8 given
  c.arrays = a;
  CHECK_THROWS_WITH_AS(evaluate_field(c), test::contains("key 'lora.B1': array 'B1' is empty or its entries do not match its shape 3 x 2"), input_error);
  a = std::make_shared<memory_arrays>(*sc.arrays(false));
  a->at("B2") = a->at("A1");  // 2 x 2 where m x rank = 3 x 2 is expected
  c.arrays = a;
  CHECK_THROWS_WITH_AS(evaluate_field(c), test::contains("lora.B2"), input_error);
  // The parser keeps array:NAME verbatim (no directory prepended) and refuses an empty name or a state folder.
  CHECK(parse_config(sc.toml("double"), "<test>", "/somewhere").problem.W1 == "array:W1");
  CHECK_THROWS_WITH_AS(parse_config("[problem]\nkind = \"files\"\nW1 = \"array:\"\n", "<t>", "."),
                       test::contains("key 'problem.W1': expected array:NAME"), input_error);
  CHECK_THROWS_WITH_AS(parse_config("[lora]\ninit = \"files\"\nstate = \"array:x\"\n", "<t>", "."),
                       test::contains("key 'lora.state': expected a state folder"), input_error);
}

TEST_CASE("file_keys: every key of the list is read as a path, and array:NAME is kept for each") {
  // One config per way a file key is used (run/config.cpp); each key of file_keys() must parse in one of them.
  const std::vector<std::pair<std::string, std::vector<std::string>>> configs{
      {"[problem]\nkind = \"files\"\nW1 = \"array:a\"\nW2 = \"array:a\"\ndY = \"array:a\"\n[lora]\ninit = \"files\"\n"
       "A1 = \"array:a\"\nB1 = \"array:a\"\nA2 = \"array:a\"\nB2 = \"array:a\"\n",
       {"problem.W1", "problem.W2", "problem.dY", "lora.A1", "lora.B1", "lora.A2", "lora.B2"}},
      {"[problem]\nkind = \"one_matrix\"\nW0 = \"array:a\"\nS = \"array:a\"\n[lora]\nalpha = \"1e-3\"\n", {"problem.W0", "problem.S"}},
      {"[problem]\nkind = \"network\"\nrecipe = \"files\"\nX = \"array:a\"\nY = \"array:a\"\nW1 = \"array:a\"\nW2 = \"array:a\"\n",
       {"problem.X", "problem.Y"}},
      {"[lora]\nalpha = \"1e-3\"\n[objective]\nkind = \"weighted\"\nweights = \"array:a\"\n", {"objective.weights"}},
      {"[lora]\nalpha = \"1e-3\"\n[objective]\nkind = \"sensing\"\noperator = \"array:a\"\n", {"objective.operator"}},
      {"[lora]\nalpha = \"1e-3\"\n[objective]\nkind = \"logistic\"\nfeatures = \"array:a\"\nlabels = \"array:a\"\n",
       {"objective.features", "objective.labels"}},
      {"[lora]\ninit = \"files\"\nstate = \"st\"\n", {"lora.state"}}};
  std::vector<std::string> seen;
  for (const auto& [text, keys] : configs) {
    CAPTURE(text);
    const run_config c = parse_config(text, "<t>", "/base");
    const nlohmann::json j = nlohmann::json::parse(config_json(c));
    for (const std::string& k : keys) {
      const std::string sec = k.substr(0, k.find('.')), key = k.substr(k.find('.') + 1);
      CAPTURE(k);
      if (k == "lora.state") CHECK(j.at(sec).at(key) == "/base/st");
      else CHECK(j.at(sec).at(key) == "array:a");
      seen.push_back(k);
    }
  }
  std::vector<std::string> listed = file_keys();
  std::sort(listed.begin(), listed.end());
  std::sort(seen.begin(), seen.end());
  CHECK(seen == listed);
}
