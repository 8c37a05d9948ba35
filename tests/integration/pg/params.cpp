// Bound parameters reach the server whole, or not at all.
#include <catch2/catch.hpp>

#include "common/base/error.hpp"
#include "common/pg/pq.hpp"
#include "tests/support/harness.hpp"

using namespace hectic;

TEST_CASE("a bound parameter with a NUL byte is refused naming it, never cut") {
  test::Sandbox sandbox;
  pq::Connection connection(sandbox.start_cluster());
  CHECK(connection.exec_params("SELECT $1::text", {std::string("whole")}).scalar() == "whole");
  try {
    connection.exec_params("SELECT $1::text, $2::text", {std::string("ok"), std::string("cut\0here", 8)});
    FAIL("a NUL byte was sent");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::generic);
    CHECK_THAT(e.what(), Catch::Contains("parameter $2") && Catch::Contains("NUL"));
  }
}
