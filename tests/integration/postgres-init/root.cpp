// Root mode end to end (the server runs as PG_RUN_AS / postgres) and the library entry points
// other tools use in-process (TempCluster). The root-only parts are skipped for other users.
#include <sys/stat.h>

#include <cstdlib>

#include <catch2/catch.hpp>

#include "common/cluster/cluster.hpp"
#include "common/base/error.hpp"
#include "common/base/process.hpp"
#include "tests/integration/postgres-init/cluster_util.hpp"

using namespace hectic::test;
using namespace hectic::test::cluster_util;

TEST_CASE("root: the server runs as postgres, owns the working dir, and is the exported role") {
  if (!hectic::process::running_as_root()) {
    WARN("not root: root mode is not exercised in this pass");
    return;
  }
  auto postgres = hectic::process::lookup_account("postgres");
  REQUIRE(postgres);
  Sandbox sb;
  auto run = sb.run("postgres-init", {});
  INFO(run.err);
  REQUIRE(run.code == 0);
  CHECK(exported(run.out, "POSTGRESQL_USER") == "postgres");
  auto url = *exported(run.out, "PGURL");
  CHECK(sb.psql(url, "select current_user") == "postgres");
  CHECK(sb.psql(url, "select rolsuper from pg_roles where rolname = current_user") == "t");

  struct stat st {};
  pid_t pid = postmaster_pid(sb.working_dir());
  REQUIRE(::stat(fmt::format("/proc/{}", pid).c_str(), &st) == 0);
  CHECK(st.st_uid == postgres->uid);
  for (const auto& dir : {sb.working_dir(), sb.working_dir() / "data", sb.working_dir() / "sock"}) {
    REQUIRE(::stat(dir.c_str(), &st) == 0);
    CHECK(st.st_uid == postgres->uid);
  }

  // An account that does not exist: 3 with a hint; root itself is refused too.
  auto unknown = sb.run("postgres-init", {}, {{"PG_RUN_AS", "no-such-account-hectic"}});
  CHECK(unknown.code == 3);
  CHECK_THAT(unknown.err, Catch::Contains("PG_RUN_AS") && Catch::Contains("no-such-account-hectic") &&
                              Catch::Contains("hint:"));
  auto as_root = sb.run("postgres-init", {}, {{"PG_RUN_AS", "root"}});
  CHECK(as_root.code == 3);
  CHECK(server_running(sb.working_dir())); // refusals touch nothing

  // A parent the server account cannot traverse is named.
  auto closed = sb.path() / "closed";
  std::filesystem::create_directories(closed);
  ::chmod(closed.c_str(), 0700);
  auto blocked = sb.run("postgres-init", {}, {{"PG_WORKING_DIR", (closed / "pg").string()}});
  CHECK(blocked.code == 1);
  CHECK_THAT(blocked.err, Catch::Contains(closed.string()) && Catch::Contains("not traversable") &&
                              Catch::Contains("postgres"));

  // Another account: the data dir changes hands on reuse, and the exported role follows it.
  if (auto nobody = hectic::process::lookup_account("nobody")) {
    REQUIRE(sb.run("postgres-cleanup", {}).code == 0);
    auto other = sb.run("postgres-init", {}, {{"PG_RUN_AS", "nobody"}});
    INFO(other.err);
    REQUIRE(other.code == 0);
    CHECK(exported(other.out, "POSTGRESQL_USER") == "nobody");
    CHECK(sb.psql(*exported(other.out, "PGURL"), "select current_user") == "nobody");
    REQUIRE(::stat((sb.working_dir() / "data").c_str(), &st) == 0);
    CHECK(st.st_uid == nobody->uid);

    // Reused by the default account: handed over to postgres, and the exported role is still
    // the one initdb created (twice: the second run sees postgres as the owner).
    for (int round = 0; round < 2; ++round) {
      auto reused = sb.run("postgres-init", {}, {{"PG_REUSE", "1"}});
      INFO(reused.err);
      REQUIRE(reused.code == 0);
      CHECK(exported(reused.out, "POSTGRESQL_USER") == "nobody");
      CHECK(sb.psql(*exported(reused.out, "PGURL"), "select current_user") == "nobody");
      REQUIRE(::stat((sb.working_dir() / "data").c_str(), &st) == 0);
      CHECK(st.st_uid == postgres->uid);
    }
  }
}

TEST_CASE("TempCluster: started in the constructor, stopped and removed by the destructor") {
  Sandbox sb;
  // The library reads the environment of this process.
  for (const auto& [name, value] : sb.env()) ::setenv(name.c_str(), value.c_str(), 1);
  auto dir = sb.path() / "focus" / "postgresql-check-tmp";
  pid_t pid = 0;
  std::string url;
  {
    hectic::cluster::TempCluster temp(hectic::cluster::Config::for_working_dir(dir));
    url = temp.endpoint().url;
    CHECK(temp.endpoint().user == expected_user());
    CHECK(temp.endpoint().socket_dir == (dir / "sock").string());
    CHECK(sb.psql(url, "select current_database()") == "testdb");
    pid = postmaster_pid(dir);
    REQUIRE(pid > 0);
    CHECK(sb.psql(temp.endpoint().url_for("postgres"), "select current_database()") == "postgres");
  }
  CHECK_FALSE(hectic::cluster::detail::process_alive(pid));
  CHECK_FALSE(std::filesystem::exists(dir));

  // A failing start cleans up as well (an explicit preload library that does not exist).
  auto bad = sb.path() / "focus" / "bad-tmp";
  std::filesystem::create_directories(bad);
  cluster_util::spit(bad / "leftover", "x");
  auto config = hectic::cluster::Config::for_working_dir(bad);
  config.preload_libraries = "pg_crom";
  config.preload_explicit = true;
  auto failure = [&]() -> std::pair<int, std::string> {
    try {
      hectic::cluster::TempCluster failing(config);
    } catch (const hectic::Error& error) {
      return {static_cast<int>(error.code()), error.what()};
    }
    return {0, ""};
  }();
  CHECK(failure.first == 127);
  CHECK_THAT(failure.second, Catch::Contains("pg_crom"));
  CHECK_FALSE(std::filesystem::exists(bad));

  // stop() on nothing: outcomes, never an exception.
  CHECK(hectic::cluster::stop(sb.path() / "nothing") == hectic::cluster::StopOutcome::no_cluster);
}
