// Long work is visible on a terminal and silent when piped (issue 16 point 7): backup shows
// pg_basebackup's own --progress and each phase with its elapsed time; restore,
// normalize-backup and diff their phases.
#include <catch2/catch.hpp>

#include "tests/support/harness.hpp"

using namespace hectic::test;

namespace {
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
} // namespace

TEST_CASE("backup, restore and normalize-backup: phases on a terminal, nothing extra when piped") {
  Sandbox sandbox;
  auto url = sandbox.start_cluster();
  auto piped = sandbox.run("database", {"backup"}, {{"DB_URL", url}});
  INFO(piped.err);
  REQUIRE(piped.code == 0);
  CHECK_FALSE(contains(piped.err, "done in"));
  CHECK_FALSE(contains(piped.err, " kB ("));
  auto database = tool("database").string();
  auto terminal = sandbox.run_program(
      "script", {"-qec", database + " backup && " + database + " restore >/dev/null && " + database + " normalize-backup",
                 "/dev/null"},
      {{"DB_URL", url}});
  INFO(terminal.out);
  REQUIRE(terminal.code == 0);
  CHECK(contains(terminal.out, "-> pg_basebackup done in "));
  CHECK(contains(terminal.out, " kB (100%)")); // pg_basebackup --progress
  CHECK(contains(terminal.out, "-> starting the restored cluster done in "));
  CHECK(contains(terminal.out, "-> packing "));
  auto restore = sandbox.run("database", {"restore"});
  REQUIRE(restore.code == 0);
  CHECK_FALSE(contains(restore.err, "done in"));
}
