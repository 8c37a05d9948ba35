// The template cache is bounded: the HECTIC_CACHE_MAX_KEYS most recently used keys stay (with
// their spare pools), a key another process holds is never pruned, and an init that failed
// leaves nothing in the cache. Real inits, each test with its own HECTIC_CACHE_DIR.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <thread>

#include <catch2/catch.hpp>

#include "common/base/fd.hpp"
#include "tests/integration/postgres-init/cluster_util.hpp"

using namespace hectic::test;
using namespace hectic::test::cluster_util;

namespace {

std::vector<std::string> names_in(const stdfs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (auto it = stdfs::directory_iterator(dir, ec); !ec && it != stdfs::directory_iterator(); it.increment(ec))
    names.push_back(it->path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// The databases whose template (or spare pool) dir holds, in name order: "db_a-v2" -> "a".
std::vector<std::string> cached_databases(const stdfs::path& dir) {
  std::vector<std::string> databases;
  for (const auto& name : names_in(dir)) {
    auto at = name.find("-db_");
    if (at == std::string::npos || name.size() < 3 || name.compare(name.size() - 3, 3, "-v2") != 0) continue;
    databases.push_back(name.substr(at + 4, name.size() - 3 - (at + 4)));
  }
  std::sort(databases.begin(), databases.end());
  return databases;
}

using Names = std::vector<std::string>;

// The filler holds the key while it copies: wait until every pool is full and idle.
void wait_for_fillers(const stdfs::path& spares, std::size_t size) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    // The filler is a fresh process: its pool may not exist yet.
    bool idle = names_in(spares).size() >= names_in(spares.parent_path() / "templates").size() - 1;
    for (const auto& pool : names_in(spares)) {
      std::size_t ready = 0;
      for (const auto& name : names_in(spares / pool)) {
        if (name.rfind(".tmp-", 0) == 0) idle = false;
        if (name.rfind("ready-", 0) == 0) ++ready;
      }
      if (ready < size) idle = false;
    }
    if (idle || std::chrono::steady_clock::now() > deadline) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

} // namespace

TEST_CASE("cache: the most recently used HECTIC_CACHE_MAX_KEYS keys stay, with their spares") {
  Sandbox sb;
  auto cache = sb.path() / "private-cache";
  std::map<std::string, std::string> env = {{"HECTIC_CACHE_DIR", cache.string()},
                                            {"HECTIC_CACHE_MAX_KEYS", "2"},
                                            {"PG_INIT_SPARES", "1"}};
  auto init = [&](const std::string& database) {
    auto extra = env;
    extra["PG_DATABASE"] = database;
    auto run = sb.run("postgres-init", {}, extra);
    INFO(run.err);
    REQUIRE(run.code == 0);
    wait_for_fillers(cache / "spares", 1);
  };
  init("a");
  init("b");
  CHECK(cached_databases(cache / "templates") == Names{"a", "b"});
  init("a"); // a is now more recent than b
  init("c");
  CHECK(cached_databases(cache / "templates") == Names{"a", "c"});
  CHECK(cached_databases(cache / "spares") == Names{"a", "c"});
  // Nothing but the keys (and the lock) stays: no staged copy, no trash.
  for (const auto& name : names_in(cache / "templates")) CHECK((name.rfind("pg", 0) == 0 || name == ".lock"));
}

TEST_CASE("cache: a key another process holds is never pruned") {
  Sandbox sb;
  auto cache = sb.path() / "private-cache";
  std::map<std::string, std::string> env = {
      {"HECTIC_CACHE_DIR", cache.string()}, {"HECTIC_CACHE_MAX_KEYS", "1"}, {"PG_INIT_SPARES", "0"}};
  auto init = [&](const std::string& database) {
    auto extra = env;
    extra["PG_DATABASE"] = database;
    auto run = sb.run("postgres-init", {}, extra);
    INFO(run.err);
    REQUIRE(run.code == 0);
  };
  init("a");
  REQUIRE(cached_databases(cache / "templates") == Names{"a"});
  auto key = cache / "templates" / names_in(cache / "templates").back(); // after ".lock"
  {
    // What a process copying the template holds.
    hectic::UniqueFd held(::open(key.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(held);
    REQUIRE(::flock(held.get(), LOCK_SH) == 0);
    init("b");
    CHECK(cached_databases(cache / "templates") == Names{"a", "b"});
    CHECK(stdfs::exists(key / "data" / "PG_VERSION"));
  }
  init("c");
  CHECK(cached_databases(cache / "templates") == Names{"c"});
}

TEST_CASE("cache: a bad HECTIC_CACHE_MAX_KEYS is refused, naming it") {
  Sandbox sb;
  for (const char* bad : {"0", "-1", "many", "4x"}) {
    auto refused = sb.run("postgres-init", {}, {{"HECTIC_CACHE_MAX_KEYS", bad}});
    INFO(refused.err);
    CHECK(refused.code == 3);
    CHECK_THAT(refused.err, Catch::Contains(fmt::format("invalid HECTIC_CACHE_MAX_KEYS: '{}'", bad)));
  }
  CHECK_FALSE(stdfs::exists(sb.working_dir() / "data"));
}

TEST_CASE("cache: an init that fails leaves no template and no spares behind") {
  Sandbox sb;
  auto cache = sb.path() / "private-cache";
  // A newline in the database name: the server refuses the pg_cron setting that names it.
  auto failed = sb.run("postgres-init", {},
                       {{"HECTIC_CACHE_DIR", cache.string()},
                        {"PG_DATABASE", "a\nb"},
                        {"PG_SHARED_PRELOAD_LIBRARIES", "pg_cron"},
                        {"PG_INIT_SPARES", "1"}});
  INFO(failed.err);
  REQUIRE(failed.code != 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(500)); // a filler would have started by now
  CHECK(cached_databases(cache / "templates").empty());
  CHECK(names_in(cache / "spares").empty());
  for (const auto& name : names_in(cache / "templates")) CHECK(name == ".lock");
}
