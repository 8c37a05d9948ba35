// Several inits at once: separate working dirs, and two processes racing to create the same
// template in an empty cache.
#include <thread>

#include <catch2/catch.hpp>

#include "tests/integration/postgres-init/cluster_util.hpp"

using namespace hectic::test;
using namespace hectic::test::cluster_util;

TEST_CASE("parallel inits in separate dirs all succeed, each with its own server") {
  Sandbox a, b, c;
  std::vector<Sandbox*> boxes = {&a, &b, &c};
  std::vector<Run> runs(boxes.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < boxes.size(); ++i)
    threads.emplace_back([&, i] { runs[i] = boxes[i]->run("postgres-init", {}); });
  for (auto& thread : threads) thread.join();
  std::set<pid_t> pids;
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    INFO(runs[i].err);
    REQUIRE(runs[i].code == 0);
    auto url = exported(runs[i].out, "PGURL");
    REQUIRE(url);
    CHECK(boxes[i]->psql(*url, "show unix_socket_directories") == (boxes[i]->working_dir() / "sock").string());
    pids.insert(postmaster_pid(boxes[i]->working_dir()));
  }
  CHECK(pids.size() == boxes.size());
}

TEST_CASE("racing template creation in an empty cache: both inits succeed, one template stays") {
  Sandbox a, b;
  auto cache = a.path() / "private-cache";
  std::map<std::string, std::string> env = {{"HECTIC_CACHE_DIR", cache.string()}, {"HECTIC_LOG", "info;cluster=debug"}};
  Run first, second;
  std::thread one([&] { first = a.run("postgres-init", {}, env); });
  std::thread two([&] { second = b.run("postgres-init", {}, env); });
  one.join();
  two.join();
  INFO(first.err << "\n---\n" << second.err);
  REQUIRE(first.code == 0);
  REQUIRE(second.code == 0);
  CHECK(a.psql(*exported(first.out, "PGURL"), "select 1") == "1");
  CHECK(b.psql(*exported(second.out, "PGURL"), "select 1") == "1");

  std::vector<std::string> entries;
  for (const auto& entry : std::filesystem::directory_iterator(cache / "templates"))
    if (entry.path().filename() != ".lock") // the cache lock (prune_templates) stays
      entries.push_back(entry.path().filename().string());
  REQUIRE(entries.size() == 1); // no .tmp-* leftovers of the loser
  CHECK_THAT(entries[0], Catch::StartsWith("pg15"));
  CHECK(std::filesystem::exists(cache / "templates" / entries[0] / "data" / "PG_VERSION"));
  // The stored template is pristine: no runtime settings, no pidfile.
  CHECK_FALSE(std::filesystem::exists(cache / "templates" / entries[0] / "data" / "postmaster.pid"));
  CHECK_FALSE(std::filesystem::exists(cache / "templates" / entries[0] / "data" / "hectic.runtime.conf"));

  // The next fresh init copies it instead of running initdb (no spares: they have their own test).
  env["PG_INIT_SPARES"] = "0";
  auto third = a.run("postgres-init", {}, env);
  INFO(third.err);
  REQUIRE(third.code == 0);
  CHECK_THAT(third.err, Catch::Contains("copied the cluster template"));

  // PG_INIT_CACHE=0: initdb, the cache is neither read nor written.
  auto uncached = b.run("postgres-init", {}, {{"HECTIC_CACHE_DIR", (b.path() / "unused").string()},
                                              {"PG_INIT_CACHE", "0"}, {"HECTIC_LOG", "info;cluster=debug"}});
  INFO(uncached.err);
  REQUIRE(uncached.code == 0);
  CHECK_THAT(uncached.err, Catch::Contains("running initdb"));
  CHECK_FALSE(std::filesystem::exists(b.path() / "unused"));
}
