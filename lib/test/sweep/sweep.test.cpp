// Tests of sweep/sweep.hpp without spawning runs: the sweep-file grammar (load_sweep), the grid's expansion (order:
// axes in file order, the last fastest, seeds innermost) and the manifest. Oracles: the documented order, computed
// by hand from the point index, and the documented value grammars (logspace exponents, integer ranges).
#include <loraflow/io/input_error.hpp>
#include <loraflow/sweep/sweep.hpp>

#include "files.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace loraflow;
using loraflow::test::temp_dir;

namespace {

const char* base_toml = "[problem]\nseed = 10\n[lora]\nalpha = \"1e-3\"\nseed = 20\n";

std::string sweep_error(const temp_dir& d, const std::string& text) {
  loraflow::test::write_raw(d.file("s.toml"), text);
  try {
    (void)load_sweep(d.file("s.toml"));
  } catch (const input_error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("expand: axes in file order, the last fastest, seeds innermost; logspace and range values") {
  temp_dir d;
  loraflow::test::write_raw(d.file("base.toml"), base_toml);
  loraflow::test::write_raw(d.file("s.toml"),
                            "base = \"base.toml\"\nseeds = 2\n"
                            "[[axis]]\nkey = \"lora.alpha\"\nvalues = \"logspace:-3:-5:3\"\n"
                            "[[axis]]\nkey = \"lora.rank\"\nvalues = \"range:1:3\"\n");
  const sweep_spec s = load_sweep(d.file("s.toml"));
  REQUIRE(s.axes.size() == 2u);
  CHECK(s.axes[0].labels == std::vector<std::string>{"1e-3", "1e-4", "1e-5"});
  CHECK(s.axes[0].values == std::vector<std::string>{"\"1e-3\"", "\"1e-4\"", "\"1e-5\""});  // TOML strings
  CHECK(s.axes[1].values == std::vector<std::string>{"1", "2"});                               // TOML integers
  CHECK(s.seeds == 2);
  CHECK(s.base_problem_seed == 10);
  CHECK(s.base_lora_seed == 20);
  const std::vector<sweep_point> pts = expand(s);
  REQUIRE(pts.size() == 12u);
  const char* alphas[] = {"1e-3", "1e-4", "1e-5"};
  for (std::size_t i = 0; i < pts.size(); ++i) {
    CAPTURE(i);
    const std::size_t a = i / 4, r = (i / 2) % 2, k = i % 2;
    const sweep_point& p = pts[i];
    CHECK(p.index == i);
    CHECK(p.seed == static_cast<long>(k));
    CHECK(p.labels == std::vector<std::string>{alphas[a], std::to_string(r + 1)});
    CHECK(p.sets == std::vector<std::string>{std::string("lora.alpha=\"") + alphas[a] + "\"",
                                             "lora.rank=" + std::to_string(r + 1),
                                             "problem.seed=" + std::to_string(10 + k),
                                             "lora.seed=" + std::to_string(20 + k)});
  }
  // The manifest is deterministic and records the grid.
  CHECK(manifest_json(s) == manifest_json(load_sweep(d.file("s.toml"))));
  CHECK(manifest_json(s).find("\"points\": 12") != std::string::npos);
}

TEST_CASE("expand: no seeds, one list axis; seeds alone") {
  temp_dir d;
  loraflow::test::write_raw(d.file("base.toml"), base_toml);
  loraflow::test::write_raw(d.file("s.toml"), "base = \"base.toml\"\n[[axis]]\nkey = \"solve.method\"\n"
                                               "values = [\"dopri5\", \"fehlberg78\"]\n");
  const std::vector<sweep_point> pts = expand(load_sweep(d.file("s.toml")));
  REQUIRE(pts.size() == 2u);
  CHECK(pts[1].sets == std::vector<std::string>{"solve.method=\"fehlberg78\""});
  CHECK(pts[1].seed == -1);
  loraflow::test::write_raw(d.file("s.toml"), "base = \"base.toml\"\nseeds = 3\n");
  const std::vector<sweep_point> seeds = expand(load_sweep(d.file("s.toml")));
  REQUIRE(seeds.size() == 3u);
  CHECK(seeds[2].sets == std::vector<std::string>{"problem.seed=12", "lora.seed=22"});
  CHECK(seeds[2].labels.empty());
}

TEST_CASE("load_sweep: bad sweep files are one line naming the file and what was expected") {
  temp_dir d;
  loraflow::test::write_raw(d.file("base.toml"), base_toml);
  const std::string head = "base = \"base.toml\"\n";
  const std::string axis = "[[axis]]\nkey = \"lora.alpha\"\n";
  struct bad_case {
    std::string text, expected;
  };
  const std::vector<bad_case> cases = {
      {head + axis + "values = \"logspace:-3:-4:3\"\n", "axis 'lora.alpha': logspace exponents must be integers"},
      {head + axis + "values = \"logspace:-3:-5\"\n", "axis 'lora.alpha': expected \"logspace:A:B:N\""},
      {head + axis + "values = \"logspace:-3:-5:1\"\n", "logspace with 1 point needs A = B"},
      {head + "[[axis]]\nkey = \"lora.rank\"\nvalues = \"range:3:3\"\n", "axis 'lora.rank': empty range 'range:3:3'"},
      {head + axis + "values = \"1e-3\"\n", "axis 'lora.alpha': expected a list"},
      {head + axis, "axis 'lora.alpha': missing 'values'"},
      {head + "seedz = 3\n", "unknown key 'seedz'"},
      {head + "seeds = 0\n", "key 'seeds': expected an integer >= 1"},
      {head, "no [[axis]] and no seeds"},
      {head + "seeds = 2\n[[axis]]\nkey = \"lora.seed\"\nvalues = [1, 2]\n", "conflicts with seeds = 2"},
      // A point that is not a valid run config is reported with its index and axis values.
      {head + "[[axis]]\nkey = \"lora.rank\"\nvalues = [2, 0]\n", "point 1 (lora.rank = 0): "},
  };
  for (const bad_case& c : cases) {
    CAPTURE(c.text);
    const std::string msg = sweep_error(d, c.text);
    CHECK(msg.rfind(d.file("s.toml") + ": ", 0) == 0);
    CHECK(msg.find(c.expected) != std::string::npos);
    CHECK(msg.find('\n') == std::string::npos);
  }
  CHECK(sweep_error(d, head + axis + "values = [\"1e-3\"]\n") == "(no error)");
}
