// postgres-init with the spare pool: the database made offline in the template, a spare moved
// into place, the pool refilled in the background, PG_INIT_SPARES.
#include <thread>

#include <catch2/catch.hpp>

#include "tests/integration/postgres-init/cluster_util.hpp"

using namespace hectic::test;
using namespace hectic::test::cluster_util;

namespace {

std::vector<std::string> names_in(const stdfs::path& dir, std::string_view prefix) {
  std::vector<std::string> names;
  std::error_code ec;
  for (auto it = stdfs::directory_iterator(dir, ec); !ec && it != stdfs::directory_iterator(); it.increment(ec))
    if (it->path().filename().string().rfind(prefix, 0) == 0) names.push_back(it->path().filename().string());
  return names;
}

// The one template (and its spare pool) of a private cache. The pool is made by the filler, a
// process of its own started in the background: wait for it to appear, bounded.
stdfs::path only_entry(const stdfs::path& dir) {
  auto names = names_in(dir, "pg");
  for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
       names.empty() && std::chrono::steady_clock::now() < deadline; names = names_in(dir, "pg"))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(names.size() == 1);
  return dir / names[0];
}

// The background filler is bounded by its copy; wait for it without timing anything.
bool wait_for_spares(const stdfs::path& pool, std::size_t count) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (names_in(pool, "ready-").size() >= count && names_in(pool, ".tmp-").empty()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

} // namespace

TEST_CASE("fresh inits take a ready spare, which already holds the database, and the pool is refilled") {
  Sandbox sb;
  auto cache = sb.path() / "private-cache";
  std::map<std::string, std::string> env = {{"HECTIC_CACHE_DIR", cache.string()},
                                            {"HECTIC_LOG", "info;cluster=debug"},
                                            {"PG_DATABASE", "app \"odd\" db"}};
  // A template of the first layout (no database inside) is dropped when a new one is stored.
  auto outdated = cache / "templates" / "pg15.20-postgres-utf8-nolocale-trust-v1";
  stdfs::create_directories(outdated / "data");
  auto first = sb.run("postgres-init", {}, env);
  INFO(first.err);
  REQUIRE(first.code == 0);
  CHECK_THAT(first.err, Catch::Contains("running initdb"));
  CHECK_THAT(first.err, Catch::Contains("(single-user mode)"));
  auto url = exported(first.out, "PGURL");
  REQUIRE(url);
  CHECK(sb.psql(*url, "select current_database()") == "app \"odd\" db");

  CHECK_FALSE(stdfs::exists(outdated));
  auto pool = only_entry(cache / "spares");
  CHECK(pool.filename() == only_entry(cache / "templates").filename());
  REQUIRE(wait_for_spares(pool, 2));
  sb.psql(*url, "create table kept_by_the_old_cluster (id int)");

  auto second = sb.run("postgres-init", {}, env);
  INFO(second.err);
  REQUIRE(second.code == 0);
  CHECK_THAT(second.err, Catch::Contains("moved the spare"));
  CHECK_THAT(second.err, !Catch::Contains("created database")); // neither offline nor online
  url = exported(second.out, "PGURL");
  REQUIRE(url);
  CHECK(sb.psql(*url, "select current_database()") == "app \"odd\" db");
  CHECK(sb.psql(*url, "select to_regclass('kept_by_the_old_cluster') is null") == "t"); // fresh data
  CHECK(sb.psql(*url, "show unix_socket_directories") == (sb.working_dir() / "sock").string());
  REQUIRE(wait_for_spares(pool, 2));
  CHECK(names_in(cache / "spares", "pg").size() == 1);
}

TEST_CASE("a spare left incomplete (its cache removed while it was taken) is not used: the init still succeeds") {
  Sandbox sb;
  auto cache = sb.path() / "private-cache";
  std::map<std::string, std::string> env = {{"HECTIC_CACHE_DIR", cache.string()}, {"HECTIC_LOG", "info;cluster=debug"}};
  REQUIRE(sb.run("postgres-init", {}, env).code == 0);
  auto pool = only_entry(cache / "spares");
  REQUIRE(wait_for_spares(pool, 2));
  for (const auto& name : names_in(pool, "ready-")) stdfs::remove(pool / name / "PG_VERSION");

  auto again = sb.run("postgres-init", {}, env);
  INFO(again.err);
  REQUIRE(again.code == 0);
  CHECK_THAT(again.err, Catch::Contains("was incomplete") && !Catch::Contains("moved the spare"));
  CHECK(sb.psql(*exported(again.out, "PGURL"), "select current_database()") == "testdb");
}

TEST_CASE("PG_INIT_SPARES=0 copies the template and keeps no spares, and a bad value is refused") {
  Sandbox sb;
  auto cache = sb.path() / "private-cache";
  std::map<std::string, std::string> env = {
      {"HECTIC_CACHE_DIR", cache.string()}, {"HECTIC_LOG", "info;cluster=debug"}, {"PG_INIT_SPARES", "0"}};
  auto first = sb.run("postgres-init", {}, env);
  INFO(first.err);
  REQUIRE(first.code == 0);
  auto second = sb.run("postgres-init", {}, env);
  INFO(second.err);
  REQUIRE(second.code == 0);
  CHECK_THAT(second.err, Catch::Contains("copied the cluster template"));
  CHECK(sb.psql(*exported(second.out, "PGURL"), "select current_database()") == "testdb");
  CHECK_FALSE(stdfs::exists(cache / "spares"));

  for (const char* bad : {"-1", "many", "9"}) {
    auto refused = sb.run("postgres-init", {}, {{"PG_INIT_SPARES", bad}});
    INFO(refused.err);
    CHECK(refused.code == 3);
    CHECK_THAT(refused.err, Catch::Contains(fmt::format("invalid PG_INIT_SPARES: '{}'", bad)));
  }
  CHECK(server_running(sb.working_dir())); // a refused init touches nothing
}
