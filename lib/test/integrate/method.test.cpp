// Tests of loraflow/integrate/method.hpp: the method registry is the one list, and everything derived from it agrees.
#include <loraflow/integrate/method.hpp>

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace loraflow;

TEST_CASE("every method is in the table once, and name and parse are inverse") {
  std::set<std::string> names;
  std::set<int> ids;
  for (const method_info& m : method_table) {
    CHECK(names.insert(m.name).second);
    CHECK(ids.insert(static_cast<int>(m.id)).second);
    CHECK(parse_method(m.name) == m.id);
    CHECK(std::string(method_name(m.id)) == m.name);
    CHECK(is_adaptive(m.id) == m.adaptive);
    CHECK(find_method(m.name) == &m);
  }
  // The enum has exactly the table's entries: the last enumerator is taylor, numbered from 0.
  CHECK(ids.size() == static_cast<std::size_t>(method::taylor) + 1);
}

TEST_CASE("the adaptive and fixed-step methods are the ones integrate() treats so") {
  CHECK(is_adaptive(method::dopri5));
  CHECK(is_adaptive(method::fehlberg78));
  CHECK(is_adaptive(method::bulirsch_stoer));
  CHECK(is_adaptive(method::taylor));
  CHECK_FALSE(is_adaptive(method::rk4));
  CHECK_FALSE(is_adaptive(method::gd));
  CHECK_FALSE(info(method::taylor).singular_frame);  // the frame field has no Taylor series
}

TEST_CASE("an unknown method is rejected with every valid name listed") {
  CHECK(find_method("euler") == nullptr);
  try {
    parse_method("euler");
    FAIL("no exception");
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what();
    CHECK(msg.find("'euler'") != std::string::npos);
    for (const method_info& m : method_table) CHECK_MESSAGE(msg.find(m.name) != std::string::npos, m.name);
  }
  CHECK(method_list() == "dopri5, dop853, fehlberg78, bulirsch_stoer, rk4, gd or taylor");
}

TEST_CASE("status names") {
  CHECK(std::string(status_name(run_status::ok)) == "ok");
  CHECK(std::string(status_name(run_status::step_underflow)) == "step_underflow");
  CHECK(std::string(status_name(run_status::non_finite)) == "non_finite");
  CHECK(std::string(status_name(run_status::budget_exhausted)) == "budget_exhausted");
  CHECK(std::string(status_name(run_status::stopped)) == "stopped");
}
