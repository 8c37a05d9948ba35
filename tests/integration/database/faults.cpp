// Ordinary faults of the host (a path that cannot be created) are clear errors, never exit 13.
#include <catch2/catch.hpp>

#include "tests/support/harness.hpp"

using namespace hectic::test;

TEST_CASE("backup into a directory that cannot be created is exit 1 naming it") {
  Sandbox sandbox;
  auto url = sandbox.start_cluster();
  auto backup = sandbox.run("database", {"backup", "-u", url, "-o", "/sys/hectic-no-such/backup"});
  INFO(backup.out << backup.err);
  CHECK(backup.code == 1);
  CHECK(backup.err.find("/sys/hectic-no-such") != std::string::npos);
  CHECK(backup.err.find("this is a bug") == std::string::npos);
}
