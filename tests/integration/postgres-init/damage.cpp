// PG_REUSE and start failures: damaged data self-heals (moved aside, kept on disk); a
// configuration failure is reported and touches nothing.
#include <catch2/catch.hpp>

#include "tests/integration/postgres-init/cluster_util.hpp"

using namespace hectic::test;
using namespace hectic::test::cluster_util;

TEST_CASE("reuse of a cluster with a corrupt global/pg_control: moved aside, reinitialised, said on stderr") {
  Sandbox sb;
  auto url = sb.start_cluster();
  sb.psql(url, "create table precious(v text); insert into precious values ('before')");
  REQUIRE(sb.run("postgres-cleanup", {}).code == 0);

  auto control = sb.working_dir() / "data" / "global" / "pg_control";
  spit(control, std::string(8192, '\0'));

  auto healed = sb.run("postgres-init", {}, {{"PG_REUSE", "1"}});
  INFO(healed.err);
  REQUIRE(healed.code == 0);
  auto broken = find_prefixed(sb.working_dir(), "data.broken-");
  REQUIRE(broken);
  CHECK_THAT(healed.err, Catch::Contains("damaged") && Catch::Contains(broken->string()));
  // The broken data is still there, untouched, for a post-mortem.
  CHECK(std::filesystem::exists(*broken / "PG_VERSION"));
  CHECK(slurp(*broken / "global" / "pg_control") == std::string(8192, '\0'));
  // A fresh cluster answers, with the database and without the old table.
  CHECK(sb.psql(url, "select current_database()") == "testdb");
  CHECK(sb.psql(url, "select count(*) from pg_tables where tablename = 'precious'") == "0");
  CHECK(server_running(sb.working_dir()));
}

TEST_CASE("reuse with a configuration failure: reported (exit 2), data untouched, no server left") {
  Sandbox sb;
  auto url = sb.start_cluster();
  sb.psql(url, "create table precious(v text); insert into precious values ('kept')");
  REQUIRE(sb.run("postgres-cleanup", {}).code == 0);

  // A typo'd preload library in the kept postgresql.conf (PG_SHARED_PRELOAD_LIBRARIES is empty, so
  // the runtime settings do not override it): the server refuses to start.
  auto conf = sb.working_dir() / "data" / "postgresql.conf";
  auto original = slurp(conf);
  spit(conf, "shared_preload_libraries = 'pg_crom'\n" + original);
  auto failed = sb.run("postgres-init", {}, {{"PG_REUSE", "1"}});
  CHECK(failed.code == 2);
  CHECK_THAT(failed.err, Catch::Contains("postgres-init: error:") && Catch::Contains("could not start") &&
                             Catch::Contains("pg_crom"));
  CHECK_THAT(failed.err, Catch::Contains("left untouched"));
  CHECK_FALSE(find_prefixed(sb.working_dir(), "data.broken-"));
  CHECK_FALSE(server_running(sb.working_dir()));
  CHECK(std::filesystem::exists(sb.working_dir() / "data" / "PG_VERSION"));

  // The explicit typo is caught before the start: 127, still untouched.
  auto explicit_typo = sb.run("postgres-init", {}, {{"PG_REUSE", "1"}, {"PG_SHARED_PRELOAD_LIBRARIES", "pg_crom"}});
  CHECK(explicit_typo.code == 127);
  CHECK_THAT(explicit_typo.err, Catch::Contains("'pg_crom'"));
  CHECK_FALSE(find_prefixed(sb.working_dir(), "data.broken-"));

  // Fixed: the same data comes back.
  spit(conf, original);
  auto fixed = sb.run("postgres-init", {}, {{"PG_REUSE", "1"}});
  INFO(fixed.err);
  REQUIRE(fixed.code == 0);
  CHECK(sb.psql(url, "select v from precious") == "kept");
}

TEST_CASE("a crashed server (killed, stale postmaster.pid) is reused after crash recovery") {
  Sandbox sb;
  auto url = sb.start_cluster();
  sb.psql(url, "create table precious(v text); insert into precious values ('crash')");
  pid_t pid = postmaster_pid(sb.working_dir());
  REQUIRE(pid > 0);
  REQUIRE(::kill(pid, SIGKILL) == 0);
  for (int i = 0; i < 500 && hectic::cluster::detail::process_alive(pid); ++i) ::usleep(10000);
  // Its backends notice the postmaster's death and exit; the pidfile stays behind.
  REQUIRE(std::filesystem::exists(sb.working_dir() / "data" / "postmaster.pid"));

  auto again = sb.run("postgres-init", {}, {{"PG_REUSE", "1"}});
  INFO(again.err);
  REQUIRE(again.code == 0);
  CHECK(sb.psql(url, "select v from precious") == "crash");
  CHECK_FALSE(find_prefixed(sb.working_dir(), "data.broken-"));
}
