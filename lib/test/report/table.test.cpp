// Tests of report/table.hpp on sweep directories whose content is known exactly: a directory without sweep.json is
// bad input naming it; a sweep whose points have not run yet gives one group per axis combination (seeds pooled),
// every point counted missing, and every table file written.
#include <loraflow/io/input_error.hpp>
#include <loraflow/report/table.hpp>
#include <loraflow/sweep/sweep.hpp>

#include "files.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

using namespace loraflow;
using loraflow::test::temp_dir;

TEST_CASE("write_tables: a directory without sweep.json is bad input naming it") {
  temp_dir d;
  CHECK_THROWS_WITH_AS(write_tables(d.root.string()),
                       (d.root.string() + ": no sweep.json; expected a directory written by loraflow sweep").c_str(),
                       input_error);
}

TEST_CASE("write_tables: points not run yet are counted missing, one group per axis combination") {
  temp_dir d;
  loraflow::test::write_raw(d.file("base.toml"), "[lora]\nalpha = \"1e-3\"\n");
  loraflow::test::write_raw(d.file("s.toml"), "base = \"base.toml\"\nseeds = 2\n"
                                               "[[axis]]\nkey = \"lora.alpha\"\nvalues = \"logspace:-3:-5:3\"\n"
                                               "[[axis]]\nkey = \"lora.rank\"\nvalues = [1, 2]\n");
  const sweep_spec s = load_sweep(d.file("s.toml"));
  const std::filesystem::path out = d.root / "out";
  std::filesystem::create_directory(out);
  loraflow::test::write_raw((out / "sweep.json").string(), manifest_json(s));
  const table_result r = write_tables(out.string());
  CHECK(r.points == 12u);
  CHECK(r.groups == 6u);  // 3 alphas x 2 ranks, the 2 seeds pooled
  CHECK(r.missing == 12u);
  CHECK(r.failed == 0u);
  for (const char* f : {"table.csv", "table.md", "table.tex", "table.json", "curves.csv"})
    CHECK_MESSAGE(std::filesystem::exists(out / f), f);
  // Tables hold no timings: writing them again gives the same bytes.
  const std::string md = loraflow::test::slurp((out / "table.md").string());
  const table_result again = write_tables(out.string());
  CHECK(loraflow::test::slurp((out / "table.md").string()) == md);
  CHECK(again.markdown == r.markdown);
}
