// Tests of run/network.hpp: a problem.kind = "network" run through execute(), one body per scalar type.
// Oracles: the GD map written out here from the model's field, with Xu et al. 2023's constants (model/xu2023.hpp,
// tested against closed forms in lib/test/model/xu2023.test.cpp) for the steps and the chained bound; closed forms
// of the balanced Fig. 2 initialization (W = W1 W2 of rank one: tau_min = s, tau_max = 2 s, sigma(W) = s); the GF
// bound's formula; and the export / recipe = "files" round trip, byte for byte.
#include <loraflow/model/factorization.hpp>
#include <loraflow/model/xu2023.hpp>
#include <loraflow/model/xu2025tmlr.hpp>
#include <loraflow/run/export.hpp>
#include <loraflow/run/network.hpp>
#include <loraflow/run/run.hpp>

#include "checks.hpp"
#include "files.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace loraflow;

namespace {

/// trajectory.csv as columns of decimal strings.
std::map<std::string, std::vector<std::string>> read_csv(const std::string& path) {
  std::istringstream in(test::slurp(path));
  std::string line;
  std::getline(in, line);
  std::vector<std::string> names;
  std::map<std::string, std::vector<std::string>> cols;
  {
    std::istringstream h(line);
    for (std::string f; std::getline(h, f, ',');) names.push_back(f);
  }
  while (std::getline(in, line)) {
    std::istringstream r(line);
    std::size_t i = 0;
    for (std::string f; std::getline(r, f, ',');) cols[names.at(i++)].push_back(f);
  }
  return cols;
}

/// Runs the config text in dir/out and returns the result.
run_result run_text(const std::string& text, const test::temp_dir& dir, const std::string& out = "out") {
  const run_config c = parse_config(text, dir.file("cfg.toml"), dir.root.string());
  run_options o;
  o.out_dir = dir.file(out);
  o.progress = false;
  return execute(c, o);
}

const std::string fig2_small = "[problem]\nkind = \"network\"\nrecipe = \"xu2023-fig2\"\nn = 4\nh = 6\nseed = 3\n";

}  // namespace

TEST_CASE_TEMPLATE_DEFINE("network GD: the pipeline's iterates, steps and chained bound are the GD map's", Real, network_gd) {
  test::precision_for_test<Real> prec;
  test::temp_dir dir;
  const std::size_t K = 20;
  const run_result r = run_text(fig2_small + "[solve]\nmethod = \"gd\"\nstep_rule = \"xu2023-adaptive\"\nsteps = " +
                                    std::to_string(K) + "\nprecision = \"" + scalar_name<Real>() + "\"\n",
                                dir);
  REQUIRE(r.ok());
  auto cols = read_csv(dir.file("out/trajectory.csv"));
  REQUIRE(cols["loss"].size() == K + 1);  // every iteration up to 1000 of them (the default observe.steps)

  // The oracle: the recipe's problem, P3's constants (c1 = 1/2, c2 = 3/2, the defaults), and the GD map
  // V_(k+1) = V_k + eta_k field(V_k) with Algorithm 1's step, Theorem 3.2's bound chained alongside.
  const xu2023_instance<Real> in = xu2023_fig2<Real>(parse<Real>("0.05"), 6, 3, 4);
  const factorization_model<Real> model(in.problem);
  const xu2023_constants<Real> k = xu2023_constants_of<Real>(in.problem, in.W1, in.W2, Real(1) / 2, Real(3) / 2);
  vector<Real> x = model.pack(in.W1, in.W2.transpose()), f(model.dimension());
  Real bound = k.L0, sum = 0;
  // The same operations in the same order; double and long double may contract a * b + c into one FMA in one of
  // the two loops and not in the other (-march=native), one rounding per entry and step: over 20 contracting steps
  // (f(eta, t) < 1) the difference stays within a few hundred eps.
  const Real tol = 256 * eps<Real>();
  for (std::size_t i = 0; i <= K; ++i) {
    CAPTURE(i);
    const Real L = model.loss(x);
    const Real eta = k.adaptive_step(L);
    CHECK(test::rel_close(parse<Real>(cols["loss"][i]), L, tol));
    CHECK(test::rel_close(parse<Real>(cols["eta"][i]), eta, tol));
    CHECK(test::rel_close(parse<Real>(cols["sum_eta"][i]), sum, tol));
    CHECK(test::rel_close(parse<Real>(cols["rate_bound"][i]), bound, tol));
    CHECK(cols["step"][i] == to_string(Real(static_cast<double>(i))));
    CHECK(L <= bound);  // Theorem 3.2 with Algorithm 1's steps (each <= eta_max)
    model.field(x, f);
    x = x + eta * f;
    bound *= k.f(eta, L);
    sum += eta;
  }
  const nlohmann::json s = nlohmann::json::parse(test::slurp(dir.file("out/summary.json")));
  CHECK(s["gd"]["iterations"] == K);
  CHECK(s["problem"]["h"] == 6);
  CHECK(s["xu2023"].contains("eta_max"));
  const std::string eta_max = s["xu2023"]["eta_max"].is_string() ? s["xu2023"]["eta_max"].get<std::string>()
                                                                   : s["xu2023"]["eta_max"].dump();
  CHECK(test::rel_close(parse<Real>(eta_max), k.eta_max, Real(4 * eps<Real>())));
  // The TMLR 2025 constants (X = I: l strongly convex), as model/xu2025tmlr.hpp computes them.
  const xu2025tmlr_constants<Real> k4 = xu2025tmlr_constants_of<Real>(in.problem, in.W1, in.W2);
  const nlohmann::json& a1 = s["xu2025tmlr"]["alpha1"];
  CHECK(test::rel_close(parse<Real>(a1.is_string() ? a1.get<std::string>() : a1.dump()), k4.alpha1, Real(4 * eps<Real>())));
}
TEST_CASE_TEMPLATE_APPLY(network_gd, scalar_types);

TEST_CASE_TEMPLATE_DEFINE("network GF: the balanced Fig. 2 start's closed forms and the GF bound's formula", Real, network_gf) {
  test::precision_for_test<Real> prec;
  using std::exp;
  test::temp_dir dir;
  const run_result r = run_text(fig2_small + "[solve]\nmethod = \"dopri5\"\nrtol = \"1e-12\"\nt_end = \"2\"\nprecision = \"" +
                                    scalar_name<Real>() + "\"\n[observe]\ntimes = \"linspace:0:2:5\"\n",
                                dir);
  REQUIRE(r.ok());
  auto cols = read_csv(dir.file("out/trajectory.csv"));
  REQUIRE(cols["t"].size() == 5);
  const xu2023_instance<Real> in = xu2023_fig2<Real>(parse<Real>("0.05"), 6, 3, 4);
  // W1 = u s^(1/2) e1^T, W2 = s^(1/2) e1 (h x 1): W1 W1^T = s u u^T has eigenvalues s and 0, W2^T W2 = s, and W = W1 W2
  // is the n x 1 matrix s u. s = W2(0, 0)^2.
  const Real s = in.W2(0, 0) * in.W2(0, 0);
  const Real tol = 64 * eps<Real>();
  CHECK(test::close(parse<Real>(cols["tau_min"][0]), s, tol));
  CHECK(test::rel_close(parse<Real>(cols["tau_max"][0]), Real(2 * s), tol));
  CHECK(test::rel_close(parse<Real>(cols["W_sigma_min"][0]), s, tol));
  CHECK(test::rel_close(parse<Real>(cols["W_sigma_max"][0]), s, tol));
  CHECK(cols.count("eta") == 0);  // no GD step monitors on a gradient-flow run, but the state's: at t = 0
  {
    const factorization_model<Real> model(in.problem);
    const vector<Real> x0 = model.pack(in.W1, in.W2.transpose());
    vector<Real> f0(model.dimension());
    model.field(x0, f0);
    CHECK(test::rel_close(parse<Real>(cols["V_norm2"][0]), Real(in.W1.squaredNorm() + in.W2.squaredNorm()), tol));
    CHECK(test::rel_close(parse<Real>(cols["grad_norm2"][0]), Real(f0.squaredNorm()), tol));
  }
  const xu2023_constants<Real> k = xu2023_constants_of<Real>(in.problem, in.W1, in.W2, Real(1) / 2, Real(3) / 2);
  for (std::size_t i = 0; i < 5; ++i) {
    CAPTURE(i);
    const Real t = parse<Real>(cols["t"][i]);
    const Real bound = parse<Real>(cols["loss"][0]) * exp(-2 * k.mu * k.alpha0 * t);
    CHECK(test::rel_close(parse<Real>(cols["rate_bound"][i]), bound, tol));
  }
  // The GF baseline's premise lambda_min(tau_t) >= alpha0 (catalogue 6, eqs. (7)-(12)) fails here at t = 0: D = 0
  // (balanced) makes every Delta 0 and alpha0 = 2 p1 (Table 2), p1 = ||Y|| - ||E(0)|| (X = I, m = 1) is within the
  // noise of s, and lambda_min(tau_0) = s. So the flow is slower than exp(-2 mu alpha0 t) (the loss column crosses the
  // formula), and the summary flags it.
  const Real p1 = in.problem.Y.norm() - matrix<Real>(in.problem.Y - in.W1 * in.W2).norm();
  // D = 0 is formed through S^(1/2) (model/xu2023.hpp), whose rank-deficient S has eigenvalues at rounding level: their
  // square roots, of size sqrt(eps) s, are what the Delta's then hold, so alpha0 = 2 p1 to a few sqrt(eps).
  using std::sqrt;
  CHECK(test::rel_close(k.alpha0, Real(2 * p1), Real(64 * sqrt(eps<Real>()))));
  CHECK(s < k.alpha0);
  CHECK(parse<Real>(cols["loss"][4]) > parse<Real>(cols["rate_bound"][4]));
  const nlohmann::json sj = nlohmann::json::parse(test::slurp(dir.file("out/summary.json")));
  CHECK(sj["rate_bound"]["flag"].get<std::string>().find("fails at t = 0") != std::string::npos);
}
TEST_CASE_TEMPLATE_APPLY(network_gf, scalar_types);

TEST_CASE("network: the exported problem read back as recipe = \"files\" runs the same trajectory, byte for byte") {
  test::temp_dir dir;
  const std::string recipe = "[problem]\nkind = \"network\"\nrecipe = \"xu2023-fig1\"\nn = 3\nh = 5\nscale = \"0.5\"\nseed = 1\n";
  const std::string solve = "[solve]\nmethod = \"gd\"\ndt = \"0.002\"\nsteps = 30\n[observe]\nsteps = \"linspace:0:30:7\"\n";
  REQUIRE(run_text(recipe + solve, dir, "a").ok());
  problem_export_options eo;
  eo.out_dir = dir.file("problem");
  const problem_export_result pe = export_problem(parse_config(recipe, dir.file("cfg.toml"), dir.root.string()), eo);
  CHECK(pe.files == std::vector<std::string>{"X.npy", "Y.npy", "W1.npy", "W2.npy"});
  const std::string files = "[problem]\nkind = \"network\"\nrecipe = \"files\"\nX = \"problem/X.npy\"\nY = \"problem/Y.npy\"\n"
                            "W1 = \"problem/W1.npy\"\nW2 = \"problem/W2.npy\"\n";
  REQUIRE(run_text(files + solve, dir, "b").ok());
  CHECK(test::slurp(dir.file("a/trajectory.csv")) == test::slurp(dir.file("b/trajectory.csv")));
  // A shape that does not fit: W2 must be h x m.
  test::write_raw(dir.file("bad.txt"), "1 2\n3 4\n");
  try {
    std::string bad = files;
    bad.replace(bad.find("problem/W2.npy"), 14, "bad.txt");
    (void)run_text(bad + solve, dir, "c");
    FAIL("expected an input_error");
  } catch (const input_error& e) {
    CHECK(std::string(e.what()).find("key 'problem.W2'") != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(dir.file("c")));
}

TEST_CASE("network: a step rule that needs Xu et al.'s constants on a problem outside their setting is bad input") {
  test::temp_dir dir;
  // Width h = 1 < max(n, m) = 3: Table 2's lambda_n(D0) does not exist, so xu2023-max has no eta_max.
  const std::string text = "[problem]\nkind = \"network\"\nrecipe = \"xu2023-fig1\"\nn = 3\nh = 1\n"
                           "[solve]\nmethod = \"gd\"\nstep_rule = \"xu2023-max\"\nsteps = 5\n";
  try {
    (void)run_text(text, dir);
    FAIL("expected an input_error");
  } catch (const input_error& e) {
    CHECK(std::string(e.what()).find("key 'solve.step_rule'") != std::string::npos);
    CHECK(std::string(e.what()).find("width h >= max(n, m) = 3") != std::string::npos);
  }
  // A constant step runs there, its bound NaN (null) with the reason in summary.json.
  const run_result r = run_text("[problem]\nkind = \"network\"\nrecipe = \"xu2023-fig1\"\nn = 3\nh = 1\n"
                                "[solve]\nmethod = \"gd\"\ndt = \"0.001\"\nsteps = 5\n",
                                dir, "const");
  REQUIRE(r.ok());
  const nlohmann::json s = nlohmann::json::parse(test::slurp(dir.file("const/summary.json")));
  CHECK(s["xu2023"]["unavailable"].get<std::string>().find("width") != std::string::npos);
  CHECK(s["final"]["rate_bound"].is_null());
}

TEST_CASE("network: a constant step above eta_max has no Theorem 3.2 bound from that step on, and says so") {
  test::temp_dir dir;
  // Fig. 2's eta_max is about 0.07 at n = 4, h = 6 (seed 3); a step of 0.2 exceeds it from the first iteration.
  const xu2023_instance<double> in = xu2023_fig2<double>(0.05, 6, 3, 4);
  const xu2023_constants<double> k = xu2023_constants_of<double>(in.problem, in.W1, in.W2, 0.5, 1.5);
  REQUIRE(k.eta_max < 0.2);
  const run_result r = run_text(fig2_small + "[solve]\nmethod = \"gd\"\ndt = \"0.2\"\nsteps = 4\n", dir);
  REQUIRE(r.ok());
  auto cols = read_csv(dir.file("out/trajectory.csv"));
  CHECK(cols["rate_bound"][0] != "nan");  // iterate 0: L(0), before any step
  for (std::size_t i = 1; i < cols["rate_bound"].size(); ++i) CHECK(cols["rate_bound"][i] == "nan");
  const nlohmann::json s = nlohmann::json::parse(test::slurp(dir.file("out/summary.json")));
  CHECK(s["final"]["rate_bound"].is_null());
  CHECK(s["rate_bound"]["note"].get<std::string>().find("> eta_max") != std::string::npos);
  CHECK_FALSE(s["xu2023"].contains("f_eta_0"));  // f(dt, 0) is no rate above eta_max
}

TEST_CASE_TEMPLATE_DEFINE("network GD, step rule xu2025-growing: the steps, the chained bound and eta0 are Theorem 3.2's", Real, network_growing) {
  test::precision_for_test<Real> prec;
  test::temp_dir dir;
  // The TMLR 2025 Sec. 4 recipe at a small size: X 4 x 4 Haar-orthogonal, width 10 >= n + m (alpha1 > 0).
  const std::size_t K = 12;
  const std::string problem = "[problem]\nkind = \"network\"\nrecipe = \"xu2025tmlr\"\nn = 4\nh = 10\nnoise = \"0.1\"\nseed = 2\n";
  const run_result r = run_text(problem + "[solve]\nmethod = \"gd\"\nstep_rule = \"xu2025-growing\"\nsteps = " + std::to_string(K) +
                                    "\nprecision = \"" + scalar_name<Real>() + "\"\n",
                                dir);
  REQUIRE(r.ok());
  auto cols = read_csv(dir.file("out/trajectory.csv"));
  REQUIRE(cols["loss"].size() == K + 1);
  // The oracle: the recipe's instance, Table 2 and E.1's eta_max, eta0 = 0.99 eta_max (the default), and the GD map
  // with eta_k = min((1 + eta0^2)^(k/2) eta0, the root of eta K_k(eta) = 1), the bound chained with rho-bar.
  const xu2023_instance<Real> in = xu2025tmlr_recipe<Real>(parse<Real>("0.1"), 10, 2, 4);
  const factorization_model<Real> model(in.problem);
  vector<Real> x = model.pack(in.W1, in.W2.transpose()), f(model.dimension());
  const Real L0 = model.loss(x);
  const xu2025tmlr_constants<Real> k = xu2025tmlr_constants_of<Real>(in.problem, in.W1, in.W2);
  const xu2025tmlr_eta_max<Real> em = xu2025tmlr_eta_max_of<Real>(k, L0);
  REQUIRE(em.eta_max > 0);
  const xu2025tmlr_growing<Real> g = xu2025tmlr_growing_of<Real>(k, L0, Real(em.eta_max * 99 / 100));
  Real bound = L0;
  const Real tol = 256 * eps<Real>();
  for (std::size_t i = 0; i <= K; ++i) {
    CAPTURE(i);
    const Real L = model.loss(x);
    const xu2023_spectra<Real> sp = xu2023_spectra_of<Real>(model.U(x), matrix<Real>(model.V(x).transpose()));
    const Real limit = k.step_limit(L, sp.tau_max, sp.W_max), cap = g.cap(Real(static_cast<long>(i)));
    const Real eta = cap < limit ? cap : limit;
    CHECK(test::rel_close(parse<Real>(cols["loss"][i]), L, tol));
    CHECK(test::rel_close(parse<Real>(cols["eta"][i]), eta, tol));
    CHECK(test::rel_close(parse<Real>(cols["rate_bound"][i]), bound, tol));
    CHECK(eta >= g.eta0);
    CHECK(L <= bound);  // Theorem 3.2
    CHECK(bound <= L0 * pow(g.rho0, Real(static_cast<long>(i))) * (1 + tol));  // ... <= rho-bar(eta0, 0)^i L(0)
    model.field(x, f);
    x = x + eta * f;
    bound *= g.rho_bar(eta, Real(static_cast<long>(i)));
  }
  const nlohmann::json s = nlohmann::json::parse(test::slurp(dir.file("out/summary.json")));
  auto number = [&](const nlohmann::json& v) { return parse<Real>(v.is_string() ? v.get<std::string>() : v.dump()); };
  CHECK(test::rel_close(number(s["xu2025tmlr"]["eta_max"]), em.eta_max, Real(4 * eps<Real>())));
  CHECK(test::rel_close(number(s["xu2025tmlr"]["eta0"]), g.eta0, Real(4 * eps<Real>())));
  CHECK(test::rel_close(number(s["xu2025tmlr"]["rho_bar_0"]), g.rho0, Real(4 * eps<Real>())));
  CHECK(s["rate_bound"]["definition"].get<std::string>().find("TMLR 2025 Theorem 3.2") != std::string::npos);
}
TEST_CASE_TEMPLATE_APPLY(network_growing, scalar_types);

TEST_CASE("network: solve.eta0 at or above E.1's eta_max, or with another rule, is bad input naming the key") {
  test::temp_dir dir;
  const std::string problem = "[problem]\nkind = \"network\"\nrecipe = \"xu2025tmlr\"\nn = 4\nh = 10\nnoise = \"0.1\"\nseed = 2\n";
  try {
    (void)run_text(problem + "[solve]\nmethod = \"gd\"\nstep_rule = \"xu2025-growing\"\neta0 = \"1\"\nsteps = 3\n", dir);
    FAIL("expected an input_error");
  } catch (const input_error& e) {
    CHECK(std::string(e.what()).find("key 'solve.eta0'") != std::string::npos);
    CHECK(std::string(e.what()).find("eta_max") != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(dir.file("out")));  // nothing written
  CHECK_THROWS_AS(parse_config(problem + "[solve]\nmethod = \"gd\"\nstep_rule = \"xu2023-max\"\neta0 = \"1e-4\"\nsteps = 3\n",
                               dir.file("cfg.toml"), dir.root.string()),
                  input_error);
  // A given eta0 below eta_max runs with it.
  const run_result r = run_text(problem + "[solve]\nmethod = \"gd\"\nstep_rule = \"xu2025-growing\"\neta0 = \"1e-6\"\nsteps = 3\n", dir);
  REQUIRE(r.ok());
  const nlohmann::json s = nlohmann::json::parse(test::slurp(dir.file("out/summary.json")));
  CHECK(s["xu2025tmlr"]["eta0"].get<double>() == 1e-6);
  CHECK(s["config"]["solve"]["eta0"] == "1e-6");
}
