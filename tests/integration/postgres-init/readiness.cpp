// Readiness polling leaves the server log clean (issue 16 point 7): no connection is tried
// before postmaster.pid says "ready", so no FATAL "the database system is starting up".
#include <catch2/catch.hpp>

#include "common/base/fs.hpp"
#include "tests/integration/postgres-init/cluster_util.hpp"

using namespace hectic::test;
namespace stdfs = std::filesystem;

namespace {

// server.log and every collector file under data/log, concatenated.
std::string all_server_logs(const Sandbox& sandbox) {
  std::string text = hectic::fs::read_file(sandbox.working_dir() / "server.log");
  for (const auto& entry : stdfs::directory_iterator(sandbox.working_dir() / "data" / "log"))
    text += hectic::fs::read_file(entry.path());
  return text;
}

} // namespace

TEST_CASE("a fresh start and a reused restart log no FATAL starting-up line") {
  Sandbox sandbox;
  auto fresh = sandbox.run("postgres-init", {});
  INFO(fresh.err);
  REQUIRE(fresh.code == 0);
  REQUIRE(sandbox.run("postgres-cleanup", {}).code == 0);
  auto reused = sandbox.run("postgres-init", {}, {{"PG_REUSE", "1"}});
  INFO(reused.err);
  REQUIRE(reused.code == 0);
  auto logs = all_server_logs(sandbox);
  INFO(logs);
  CHECK(logs.find("database system is ready to accept connections") != std::string::npos);
  CHECK(logs.find("the database system is starting up") == std::string::npos);
  CHECK(logs.find("FATAL") == std::string::npos);
}
