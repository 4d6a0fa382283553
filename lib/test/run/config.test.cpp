// Tests of run/config.hpp: every bad input is one line naming the file and the key; observation-time counts; and
// config_json round-trips (the resolved config, written back as TOML, reads back to the same config).
// Oracles: the messages' stated format, the grammar of observe.times, and equality of the two JSON texts.
#include <loraflow/io/input_error.hpp>
#include <loraflow/run/config.hpp>

#include "files.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

using namespace loraflow;

namespace {

const std::string minimal = "[lora]\nalpha = \"1e-3\"\n";
/// A network config with every default (Xu et al. 2023's Fig. 1 recipe); no [lora].
const std::string net = "[problem]\nkind = \"network\"\nrecipe = \"xu2023-fig1\"\n";

/// The message of the input_error that parse_config throws for `text` (or "(no error)").
std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    (void)parse_config(text, "cfg.toml", "/nonexistent", overrides);
  } catch (const input_error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("parse_config: each bad input is one line naming the file and the key") {
  struct bad_case {
    std::string text;
    std::string key_part;  ///< what the message must name
  };
  const std::vector<bad_case> cases = {
      {"[lora]\nrank = 2\n", "key 'lora.alpha'"},                               // missing required key
      {"[lora]\nalpha = \"abc\"\n", "key 'lora.alpha'"},                         // not a decimal
      {"[lora]\nalpha = \"-1e-3\"\n", "key 'lora.alpha'"},                       // not > 0
      {minimal + "rank = 0\n", "key 'lora.rank'"},                               // out of range
      {minimal + "rank = \"2\"\n", "key 'lora.rank'"},                           // wrong type
      {minimal + "alhpa = 1\n", "unknown key 'lora.alhpa'"},                     // misspelt key
      {minimal + "[solver]\nrtol = 1\n", "unknown section 'solver'"},            // misspelt section
      {minimal + "[solve]\nprecision = \"quad\"\n", "key 'solve.precision'"},    // not a precision
      {minimal + "[solve]\nrtol = \"0\"\n", "key 'solve.rtol'"},                 // not > 0
      {minimal + "[solve]\nmethod = \"rk4\"\n", "key 'solve.dt'"},               // rk4 needs dt
      {minimal + "[solve]\nmethod = \"euler\"\n", "key 'solve.method'"},         // unknown method
      {minimal + "[solve]\ntaylor_order = 12\n", "key 'solve.taylor_order'"},    // only with taylor
      {minimal + "[observe]\ntimes = \"linspace:5:0:10\"\n", "key 'observe.times'"},
      {minimal + "[problem]\npair = [0]\n", "key 'problem.pair'"},              // pairs are 1-based
      {minimal + "[problem]\nsigma = [\"1\", \"2\"]\n", "key 'problem.sigma'"},  // one sigma per pair
      {minimal + "[problem]\nW0 = \"a.npy\"\n", "key 'problem.W0': only used with kind = \"one_matrix\""},
      {minimal + "[problem]\nkind = \"one_matrix\"\nh = 5\n", "key 'problem.h': only used with kind = \"network\" or \"xu2025\""},
      {minimal + "[problem]\nkind = \"one_matrix\"\nW0 = \"a.npy\"\n", "key 'problem.S': missing"},
      {minimal + "[problem]\nkind = \"one_matrix\"\nW0 = \"a\"\nS = \"b\"\nm = 3\n", "key 'problem.m': conflicts"},
      {minimal + "[problem]\nkind = \"one_matrix\"\nm = 3\nn = 3\nsigma = [1, 1, 1, 1]\n", "key 'problem.sigma'"},
      {minimal + "adapters = [\"W2\"]\n[problem]\nkind = \"one_matrix\"\n", "key 'lora.adapters'"},
      {minimal + "state = \"run/state\"\n", "key 'lora.state': only used with init = \"files\""},
      {"[lora]\ninit = \"files\"\nA1 = \"a\"\nstate = \"s\"\n", "key 'lora.state': conflicts"},
      {minimal + "[observe]\nstationary = 1\n", "key 'observe.stationary'"},
      {minimal + "[observe]\ngeneral_metrics = \"yes\"\n", "key 'observe.general_metrics'"},
      // GD step rules and runs by iterations (integrate/step_rule.hpp)
      {minimal + "[solve]\nstep_rule = \"adapt\"\nstep_c = \"0.1\"\nsteps = 10\n", "key 'solve.step_rule': only used with method = \"gd\""},
      {minimal + "[solve]\nmethod = \"gd\"\nstep_rule = \"armijo\"\nsteps = 10\n", "key 'solve.step_rule'"},
      {minimal + "[solve]\nmethod = \"gd\"\nstep_rule = \"adapt\"\nsteps = 10\n", "key 'solve.step_c': missing"},
      {minimal + "[solve]\nmethod = \"gd\"\nstep_rule = \"adapt\"\nstep_c = \"0\"\nsteps = 10\n", "key 'solve.step_c'"},
      {minimal + "[solve]\nmethod = \"gd\"\ndt = \"0.1\"\nstep_c = \"0.1\"\n", "key 'solve.step_c': only used with"},
      {minimal + "[solve]\nmethod = \"gd\"\nstep_rule = \"adapt\"\nstep_c = \"1\"\n", "key 'solve.steps': missing"},
      {minimal + "[solve]\nmethod = \"gd\"\nstep_rule = \"mu-klabjan\"\nsteps = 10\n", "key 'solve.step_rule': \"mu-klabjan\" is stated for one adapted matrix"},
      {minimal + "weight_decay = \"0.1\"\n[problem]\nkind = \"one_matrix\"\n[solve]\nmethod = \"gd\"\nstep_rule = \"mu-klabjan\"\nsteps = 10\n",
       "key 'solve.step_rule': \"mu-klabjan\" is stated without weight decay"},
      {minimal + "[problem]\nkind = \"one_matrix\"\n[solve]\nmethod = \"gd\"\nstep_rule = \"mu-klabjan\"\nsteps = 10\ndt = \"0.1\"\n", "key 'solve.dt': not used"},
      {minimal + "[solve]\nmethod = \"gd\"\ndt = \"0.1\"\nsmoothness = \"2\"\n", "key 'solve.smoothness': only used with"},
      {minimal + "[solve]\nmethod = \"dopri5\"\nsteps = 10\n", "key 'solve.steps': only used with method = \"gd\""},
      {minimal + "[solve]\nmethod = \"gd\"\ndt = \"0.1\"\nsteps = 0\n", "key 'solve.steps'"},
      {minimal + "[solve]\nmethod = \"gd\"\ndt = \"0.1\"\nsteps = 2000\nmax_steps = 1000\n", "key 'solve.steps': 2000 iterations exceed"},
      {minimal + "[solve]\nmethod = \"gd\"\ndt = \"0.1\"\nsteps = 10\nt_end = 5\n", "key 'solve.t_end': conflicts with solve.steps"},
      {minimal + "[solve]\nmethod = \"gd\"\ndt = \"0.1\"\nsteps = 10\n[observe]\ntimes = \"linspace:0:1:3\"\n", "key 'observe.times': not used"},
      {minimal + "[solve]\nmethod = \"gd\"\ndt = \"0.1\"\n[observe]\nsteps = [1, 2]\n", "key 'observe.steps': only used with solve.steps"},
      {minimal + "[solve]\nmethod = \"gd\"\ndt = \"0.1\"\nsteps = 10\n[observe]\nsteps = [1, 11]\n", "key 'observe.steps'"},
      {minimal + "[solve]\nmethod = \"gd\"\ndt = \"0.1\"\nsteps = 10\n[observe]\nsteps = \"logspace:0:2:3\"\n", "key 'observe.steps': the grid"},
      {minimal + "[solve]\nmethod = \"gd\"\ndt = \"0.1\"\nsteps = 10\n[observe]\nsteps = \"linspace:0:5\"\n", "key 'observe.steps': expected linspace"},
      // The two-layer linear network (problem.kind = "network", run/network.hpp)
      {net + "", "(no error)"},
      {"[problem]\nkind = \"network\"\n", "key 'problem.recipe': missing"},
      {"[problem]\nkind = \"network\"\nrecipe = \"fig3\"\n", "key 'problem.recipe': expected files, xu2023-fig1, xu2023-fig2 or xu2025tmlr, got 'fig3'"},
      {net + "noise = \"0.1\"\n", "key 'problem.noise': only used with recipe = \"xu2023-fig2\" or \"xu2025tmlr\""},
      {net + "X = \"x.npy\"\n", "key 'problem.X': only used with recipe = \"files\""},
      {net + "m = 3\n", "key 'problem.m': only used with kind = \"one_matrix\" or \"xu2025\""},
      {"[problem]\nkind = \"network\"\nrecipe = \"files\"\nX = \"x\"\nY = \"y\"\nW1 = \"a\"\n", "key 'problem.W2': missing"},
      {net + "[lora]\nalpha = \"1e-3\"\n", "key 'lora.alpha': not used with problem.kind = \"network\""},
      {net + "[objective]\nkind = \"weighted\"\nratio = 2\n", "key 'objective.kind': problem.kind = \"network\" has the squared loss"},
      {net + "[solve]\nprecision = \"auto\"\n", "key 'solve.precision': \"auto\" plans digits"},
      {net + "[solve]\nmethod = \"taylor\"\n", "key 'solve.method': \"taylor\" has no series"},
      {net + "[solve]\nmethod = \"gd\"\ndt = \"0.01\"\n", "key 'solve.steps': missing; GD on problem.kind = \"network\""},
      {net + "[solve]\nmethod = \"gd\"\nstep_rule = \"adapt\"\nstep_c = 1\nsteps = 5\n", "key 'solve.step_rule': \"adapt\" is stated for the LoRA model"},
      {minimal + "[solve]\nmethod = \"gd\"\nstep_rule = \"xu2023-max\"\nsteps = 5\n", "key 'solve.step_rule': \"xu2023-max\" is stated for the two-layer linear network"},
      {net + "[solve]\nc1 = \"1\"\n", "key 'solve.c1': expected 0 < c1 < 1"},
      {net + "[solve]\nc2 = \"0.9\"\n", "key 'solve.c2': expected c2 > 1"},
      {minimal + "[solve]\nc1 = \"0.3\"\n", "key 'solve.c1': only used with problem.kind = \"network\""},
      {net + "[solve]\nframe = \"singular\"\n", "key 'solve.frame'"},
      {net + "[observe]\nstationary = true\n", "key 'observe.stationary'"},
  };
  for (const bad_case& c : cases) {
    CAPTURE(c.text);
    const std::string msg = error_of(c.text);
    if (c.key_part == "(no error)") {
      CHECK(msg == c.key_part);
      continue;
    }
    CHECK(msg.rfind("cfg.toml: ", 0) == 0);
    CHECK(msg.find(c.key_part) != std::string::npos);
    CHECK(msg.find('\n') == std::string::npos);
  }
  // A TOML syntax error names the file and the line.
  const std::string syntax = error_of("[lora]\nalpha = = 1\n");
  CHECK(syntax.rfind("cfg.toml:2: ", 0) == 0);
  // A bad override names itself.
  const std::string ov = error_of(minimal, {"lora.alpha"});
  CHECK(ov.rfind("cfg.toml: --set 'lora.alpha'", 0) == 0);
  CHECK(error_of(minimal, {"lora.alpha=\"2e-3\""}) == "(no error)");
  CHECK(error_of(minimal) == "(no error)");
}

TEST_CASE("parse_time_grid: linspace/logspace give n, a list its length, anything else names observe.times") {
  observe_config o = parse_time_grid("linspace:0:5:501", "f");
  CHECK(o.spacing == "linspace");
  CHECK(o.a == "0");
  CHECK(o.b == "5");
  CHECK(o.count() == 501u);
  CHECK(o.grid_text() == "linspace:0:5:501");
  o = parse_time_grid("logspace:-3:0:4", "f");
  CHECK(o.spacing == "logspace");
  CHECK(o.count() == 4u);
  CHECK(parse_time_grid("linspace:0:1e-3:2", "f").count() == 2u);
  o.spacing = "list";
  o.list = {"0", "0.5", "1"};
  CHECK(o.count() == 3u);
  CHECK(o.grid_text().empty());
  for (const char* bad : {"linspace:0:5:1", "linspace:5:0:10", "linspace:1:1:10", "linspace:0:5", "cubic:0:5:10",
                          "linspace:a:5:10", "linspace:0:5:1e3", "linspace:0:5:-3", "linspace:0:5:10:1",
                          "linspace:1e18446744073709551621:1e6:5", "linspace:0:5:9999999999"}) {
    CAPTURE(bad);
    try {
      (void)parse_time_grid(bad, "f");
      FAIL("accepted");
    } catch (const input_error& e) {
      const std::string msg = e.what();
      CHECK(msg.rfind("f: key 'observe.times': ", 0) == 0);
      CHECK(msg.find(std::string("got '") + bad + "'") != std::string::npos);
    }
  }
}

TEST_CASE("an empty list of observation times is bad input naming observe.times") {
  CHECK(error_of(minimal + "[observe]\ntimes = []\n").find("key 'observe.times': expected at least one time") !=
        std::string::npos);
}

TEST_CASE("config_json round trip: the resolved config written as TOML reads back to the same config") {
  const std::vector<std::string> texts = {
      minimal,
      "[problem]\nm = 6\nn = 5\nh = 7\nsigma = [\"3\", \"1.000000000000000000000000001\"]\npair = [1, \"bottom\"]\n"
      "scale = \"1.25\"\nseed = 42\n"
      "[lora]\nrank = 2\nadapters = [\"W2\"]\ninit = \"spectral\"\nalpha = \"1e-30\"\nseed = 7\nscale = \"2\"\n"
      "weight_decay = \"1e-4\"\n"
      "[solve]\nmethod = \"taylor\"\nprecision = \"mpfr:60\"\nrtol = \"1e-40\"\natol = \"0\"\nt_end = \"12.5\"\n"
      "max_steps = 1000\ndigits = 9\ntaylor_order = 30\n"
      "[observe]\ntimes = [\"0\", \"0.25\", \"12.5\"]\n",
      minimal + "[solve]\nmethod = \"gd\"\ndt = \"1e-3\"\nprecision = \"auto\"\nframe = \"singular\"\n"
                "[observe]\ntimes = \"logspace:-2:1:31\"\nstationary = true\ngeneral_metrics = true\n",
      "[problem]\nkind = \"one_matrix\"\nm = 6\nn = 4\nsigma = [\"3\", \"1\"]\nseed = 5\n"
      "[lora]\nrank = 2\nalpha = \"1e-3\"\nweight_decay = \"0.1\"\n"
      "[objective]\nkind = \"weighted\"\nratio = \"10\"\n",
      "[problem]\nkind = \"one_matrix\"\nW0 = \"/d/W0.npy\"\nS = \"/d/S.txt\"\n"
      "[lora]\nrank = 2\ninit = \"files\"\nstate = \"/run/state\"\n",
      "[problem]\nkind = \"one_matrix\"\n[lora]\nrank = 2\nalpha = \"0.5\"\n"
      "[solve]\nmethod = \"gd\"\nstep_rule = \"mu-klabjan\"\nsmoothness = \"2\"\nsteps = 300\n"
      "[observe]\nsteps = \"logspace:0:2:21\"\n",
      minimal + "[solve]\nmethod = \"gd\"\nstep_rule = \"norm\"\nstep_c = \"0.01\"\nsteps = 5\n[observe]\nsteps = [0, 2, 5]\n",
      net + "scale = \"0.1\"\nh = 50\nseed = 2\n[solve]\nmethod = \"gd\"\nstep_rule = \"xu2023-adaptive\"\nsteps = 50\nc1 = \"0.25\"\n",
      "[problem]\nkind = \"network\"\nrecipe = \"files\"\nX = \"/d/X.npy\"\nY = \"/d/Y.txt\"\nW1 = \"/d/W1.npy\"\nW2 = \"/d/W2.npy\"\n"
      "[solve]\nmethod = \"dopri5\"\nprecision = \"50\"\n",
      minimal + "[solve]\nmethod = \"gd\"\ndt = \"0.01\"\nsteps = 5000\n",
  };
  for (const std::string& text : texts) {
    CAPTURE(text);
    const run_config a = parse_config(text, "a.toml", "/nonexistent");
    const std::string ja = config_json(a);
    const run_config b = config_from_json(ja, "b.json");
    CHECK(config_json(b) == ja);
  }
  // Decimal strings are kept verbatim (never through double), and pairs are written 1-based as they are read.
  const run_config c = parse_config(texts[1], "a.toml", "/nonexistent");
  CHECK(c.problem.sigma[1] == "1.000000000000000000000000001");
  CHECK(c.problem.pair == std::vector<long>{0, 4});  // "bottom" of min(m, n) = 5 pairs
  const nlohmann::ordered_json j = nlohmann::ordered_json::parse(config_json(c));
  CHECK(j["problem"]["pair"] == nlohmann::ordered_json::array({1, 5}));
  CHECK(j["lora"]["alpha"] == "1e-30");
  CHECK(j["lora"]["adapters"] == nlohmann::ordered_json::array({"W2"}));
  // A GD run by iterations: the default observed iterations, every one up to 1000 of them, else 1001 evenly spaced.
  const run_config g = parse_config(texts.back(), "a.toml", "/nonexistent");
  CHECK(g.observe.steps_grid_text() == "linspace:0:5000:1001");
  CHECK(parse_config(texts[texts.size() - 4], "a.toml", "/nonexistent").observe.steps_list == std::vector<long>{0, 2, 5});
  // The network: the recipe's paper sizes unless set; no [lora] section in the resolved config.
  const run_config nc = parse_config(net, "a.toml", "/nonexistent");
  CHECK(nc.problem.n == 20);
  CHECK(nc.problem.h == 1000);
  CHECK(nc.problem.scale == "2");
  CHECK_FALSE(nlohmann::ordered_json::parse(config_json(nc)).contains("lora"));
  CHECK(parse_config("[problem]\nkind = \"network\"\nrecipe = \"xu2025tmlr\"\n", "a.toml", "/nonexistent").problem.n == 10);
}
