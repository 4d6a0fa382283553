// Tests of io/atomic_file.hpp: files and output directories that appear in one step, or not at all.
#include "loraflow/io/atomic_file.hpp"
#include "loraflow/io/npy.hpp"  // staging_dir tests write .npy files into the directory

#include "files.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace loraflow::test;

// ---------------------------------------------------------------------------------------------- atomic_file

TEST_CASE("atomic_file without commit leaves neither the file nor a temporary") {
  temp_dir tmp;
  {
    loraflow::atomic_file f(tmp.file("out.csv"));
    f.stream() << "partial";
    CHECK(fs::exists(f.temporary_path()));
    CHECK_FALSE(fs::exists(tmp.file("out.csv")));
  }
  CHECK(tmp.listing().empty());
}

TEST_CASE("atomic_file commit replaces the target in one step") {
  temp_dir tmp;
  const std::string p = tmp.file("out.csv");
  loraflow::write_file_atomic(p, "old\n");
  {
    loraflow::atomic_file f(p);
    f.stream() << "new contents\n";
    CHECK(slurp(p) == "old\n");  // the target is untouched until commit
    f.commit();
    CHECK_THROWS_AS(f.commit(), std::logic_error);
  }
  CHECK(slurp(p) == "new contents\n");
  CHECK(tmp.listing() == std::vector<std::string>{"out.csv"});

  // Two writers to the same target get different temporaries.
  loraflow::atomic_file a(p), b(p);
  CHECK(a.temporary_path() != b.temporary_path());
}

TEST_CASE("atomic_file failures throw runtime_error naming the path and leave nothing behind") {
  temp_dir tmp;
  CHECK_THROWS_WITH_AS(loraflow::write_file_atomic(tmp.file("no/such/dir/x.txt"), "x"),
                       contains(tmp.file("no/such/dir/x.txt")), std::runtime_error);
  fs::create_directory(tmp.file("a_dir"));
  CHECK_THROWS_WITH_AS(loraflow::write_file_atomic(tmp.file("a_dir"), "x"), contains(tmp.file("a_dir")),
                       std::runtime_error);  // rename onto a directory fails
  CHECK(tmp.listing() == std::vector<std::string>{"a_dir"});
}

// ---------------------------------------------------------------------------------------------- staging_dir

TEST_CASE("staging_dir without commit leaves nothing") {
  temp_dir tmp;
  const std::string out = tmp.file("nested/run1");
  {
    loraflow::staging_dir s(out);
    CHECK(s.staging_path() == out + ".tmp." + std::to_string(::getpid()));
    loraflow::write_file_atomic(s.path("table.csv"), "a,b\n");
    std::ofstream(s.path("log.txt")) << "partial";
    CHECK(fs::is_directory(s.staging_path()));
  }
  CHECK_FALSE(fs::exists(out));
  CHECK(tmp.listing(tmp.file("nested")).empty());  // the parent was created; nothing is left inside it
}

TEST_CASE("staging_dir commit makes the directory appear with its files") {
  temp_dir tmp;
  const std::string out = tmp.file("run1");
  {
    loraflow::staging_dir s(out + "/");  // a trailing slash names the same directory
    loraflow::write_file_atomic(s.path("table.csv"), "a,b\n1,2\n");
    const double w[] = {1.0, 2.0};
    loraflow::write_npy(s.path("W.npy"), 1, 2, w);
    CHECK_FALSE(fs::exists(out));
    s.commit();
    CHECK_THROWS_AS(s.commit(), std::logic_error);
    CHECK_THROWS_AS(s.path("x"), std::logic_error);
  }
  CHECK(tmp.listing() == std::vector<std::string>{"run1"});
  CHECK(tmp.listing(out) == std::vector<std::string>{"W.npy", "table.csv"});
  CHECK(slurp(out + "/table.csv") == "a,b\n1,2\n");
  CHECK(loraflow::read_npy(out + "/W.npy").data == std::vector<double>{1.0, 2.0});
}

TEST_CASE("staging_dir commit replaces an existing output directory") {
  temp_dir tmp;
  const std::string out = tmp.file("run1");
  fs::create_directory(out);
  write_raw(out + "/stale.csv", "old");
  {
    loraflow::staging_dir s(out);
    loraflow::write_file_atomic(s.path("table.csv"), "new");
    s.commit();
  }
  CHECK(tmp.listing() == std::vector<std::string>{"run1"});  // no .old. or .tmp. left
  CHECK(tmp.listing(out) == std::vector<std::string>{"table.csv"});
}

TEST_CASE("staging_dir refuses to replace a file and checks names") {
  temp_dir tmp;
  const std::string out = tmp.file("run1");
  write_raw(out, "I am a file");
  {
    loraflow::staging_dir s(out);
    CHECK_THROWS_AS(s.path("../escape"), std::invalid_argument);
    CHECK_THROWS_AS(s.path("/abs"), std::invalid_argument);
    CHECK_THROWS_AS(s.path(""), std::invalid_argument);
    CHECK(s.path("sub/file.txt") == s.staging_path() + "/sub/file.txt");
    CHECK_THROWS_AS(loraflow::staging_dir{out}, std::logic_error);  // same target while s is alive
    CHECK_THROWS_WITH_AS(s.commit(), contains(out + ": exists and is not a directory"),
                         std::runtime_error);
  }
  CHECK(tmp.listing() == std::vector<std::string>{"run1"});
  CHECK(slurp(out) == "I am a file");
  CHECK_THROWS_AS(loraflow::staging_dir{""}, std::invalid_argument);
}

TEST_CASE("staging_dir removes a stale staging directory left by a killed run with the same pid") {
  temp_dir tmp;
  const std::string out = tmp.file("run1");
  const std::string stale = out + ".tmp." + std::to_string(::getpid());
  fs::create_directory(stale);
  write_raw(stale + "/leftover.csv", "x");
  {
    loraflow::staging_dir s(out);
    CHECK(tmp.listing(s.staging_path()).empty());
    s.commit();
  }
  CHECK(tmp.listing() == std::vector<std::string>{"run1"});
  CHECK(tmp.listing(out).empty());
  // After commit, a new staging_dir for the same target may be made.
  loraflow::staging_dir again(out);
  CHECK(fs::is_directory(again.staging_path()));
}
