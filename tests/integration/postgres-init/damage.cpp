// PG_REUSE and start failures: damaged data self-heals (moved aside, kept on disk); a
// configuration failure is reported and touches nothing.
#include <functional>

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

namespace {

namespace stdfs = std::filesystem;

// A stopped kept cluster holding a table, damaged by `damage(data_dir)`, then reused: it must be
// moved aside (kept for a post-mortem), a fresh cluster started (exit 0, PG_DATABASE answers),
// and stderr must say so.
void check_heals(const std::function<void(const stdfs::path&)>& damage) {
  Sandbox sb;
  auto url = sb.start_cluster();
  sb.psql(url, "create table precious(v text)");
  REQUIRE(sb.run("postgres-cleanup", {}).code == 0);
  damage(sb.working_dir() / "data");

  auto healed = sb.run("postgres-init", {}, {{"PG_REUSE", "1"}});
  INFO(healed.err);
  REQUIRE(healed.code == 0);
  auto broken = find_prefixed(sb.working_dir(), "data.broken-");
  REQUIRE(broken);
  CHECK_THAT(healed.err, Catch::Contains("damaged") && Catch::Contains(broken->string()));
  CHECK(std::filesystem::exists(*broken));
  CHECK(sb.psql(url, "select current_database()") == "testdb");
  CHECK(sb.psql(url, "select count(*) from pg_tables where tablename = 'precious'") == "0");
  CHECK(server_running(sb.working_dir()));
  // Only the fresh server runs: none was left behind on the moved-aside data.
  CHECK(processes_in(*broken).empty());
}

// Every WAL segment file of data_dir/pg_wal.
std::vector<stdfs::path> wal_segments(const stdfs::path& data_dir) {
  std::vector<stdfs::path> segments;
  for (const auto& entry : stdfs::directory_iterator(data_dir / "pg_wal"))
    if (entry.is_regular_file() && entry.path().filename().string().size() == 24) segments.push_back(entry.path());
  return segments;
}

} // namespace

// One test per class of the texts PostgreSQL 15 prints when it cannot read its own data
// (src/backend/postmaster/postmaster.c checkControlFile, access/transam/xlog.c ReadControlFile,
// xlogrecovery.c, utils/cache/relmapper.c, utils/init/postinit.c).
TEST_CASE("damage: global/pg_control deleted (could not find the database system)") {
  check_heals([](const stdfs::path& data) { stdfs::remove(data / "global" / "pg_control"); });
}

TEST_CASE("damage: global/ removed") {
  check_heals([](const stdfs::path& data) { stdfs::remove_all(data / "global"); });
}

TEST_CASE("damage: global/pg_control truncated (could not read file)") {
  check_heals([](const stdfs::path& data) { stdfs::resize_file(data / "global" / "pg_control", 100); });
}

TEST_CASE("damage: global/pg_filenode.map removed (the first connection fails)") {
  check_heals([](const stdfs::path& data) { stdfs::remove(data / "global" / "pg_filenode.map"); });
}

TEST_CASE("damage: pg_wal segments removed (no valid checkpoint record)") {
  check_heals([](const stdfs::path& data) {
    auto segments = wal_segments(data);
    REQUIRE_FALSE(segments.empty());
    for (const auto& segment : segments) stdfs::remove(segment);
  });
}

TEST_CASE("damage: pg_wal segment overwritten (invalid checkpoint record)") {
  check_heals([](const stdfs::path& data) {
    for (const auto& segment : wal_segments(data)) spit(segment, std::string(16 * 1024 * 1024, '\x7f'));
  });
}

TEST_CASE("damage: pg_wal removed (required WAL directory does not exist)") {
  check_heals([](const stdfs::path& data) { stdfs::remove_all(data / "pg_wal"); });
}

TEST_CASE("damage: base/ removed (database subdirectories missing)") {
  check_heals([](const stdfs::path& data) { stdfs::remove_all(data / "base"); });
}

// What a kill -9 during initdb leaves (issue 17): PG_VERSION and the bootstrap's template1 in
// base/1 without its PG_VERSION, no postgres database yet.
TEST_CASE("damage: half-made data dir (initdb killed during bootstrap), no server left behind") {
  check_heals([](const stdfs::path& data) {
    for (const auto& entry : stdfs::directory_iterator(data / "base"))
      if (entry.path().filename() != "1") stdfs::remove_all(entry.path());
    stdfs::remove(data / "base" / "1" / "PG_VERSION");
  });
}

TEST_CASE("damage: half-made data dir (initdb killed early: only PG_VERSION and empty dirs)") {
  check_heals([](const stdfs::path& data) {
    for (const auto& entry : stdfs::directory_iterator(data))
      if (entry.path().filename() != "PG_VERSION") stdfs::remove_all(entry.path());
    for (const char* dir : {"global", "base", "pg_wal"}) stdfs::create_directory(data / dir);
  });
}

TEST_CASE("not damage: a bad setting in postgresql.conf is exit 2, data untouched, no server left") {
  Sandbox sb;
  auto url = sb.start_cluster();
  sb.psql(url, "create table precious(v text); insert into precious values ('kept')");
  REQUIRE(sb.run("postgres-cleanup", {}).code == 0);
  auto conf = sb.working_dir() / "data" / "postgresql.conf";
  auto original = slurp(conf);
  for (const char* bad : {"max_files_per_process = 'many'\n", "no_such_setting = 1\n", "this is not a setting\n"}) {
    spit(conf, bad + original);
    auto failed = sb.run("postgres-init", {}, {{"PG_REUSE", "1"}});
    INFO(bad << failed.err);
    CHECK(failed.code == 2);
    CHECK_THAT(failed.err, Catch::Contains("could not start") && Catch::Contains("left untouched"));
    CHECK_FALSE(find_prefixed(sb.working_dir(), "data.broken-"));
    CHECK_FALSE(server_running(sb.working_dir()));
    sb.run("postgres-cleanup", {});
  }
  spit(conf, original);
  auto fixed = sb.run("postgres-init", {}, {{"PG_REUSE", "1"}});
  INFO(fixed.err);
  REQUIRE(fixed.code == 0);
  CHECK(sb.psql(url, "select v from precious") == "kept");
}

namespace {

// Processes whose command line mentions text (a killed init's orphans: initdb, postgres --boot).
std::vector<pid_t> processes_mentioning(const std::string& text) {
  std::vector<pid_t> pids;
  for (const auto& entry : stdfs::directory_iterator("/proc")) {
    auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    auto cmdline = slurp(entry.path() / "cmdline");
    if (cmdline.find(text) != std::string::npos && cmdline.find("timeout") == std::string::npos)
      pids.push_back(static_cast<pid_t>(std::stoi(name)));
  }
  return pids;
}

} // namespace

// Issue 17: kill -9 of postgres-init during initdb, then PG_REUSE=1 postgres-init.
TEST_CASE("kill -9 during init: the next PG_REUSE start makes a fresh cluster and leaves nothing half-made") {
  Sandbox sb;
  auto cache = sb.path() / "empty-cache"; // no template: the init runs initdb, long enough to be killed
  for (int delay_ms : {150, 400, 800}) {
    INFO("killed after " << delay_ms << " ms");
    auto killed = sb.run_program(hectic::process::find_program("timeout"),
                                 {"-s", "KILL", fmt::format("{:.3f}", delay_ms / 1000.0), tool("postgres-init").string()},
                                 {{"HECTIC_CACHE_DIR", cache.string()}});
    CHECK(killed.code != 0);
    // Its children may finish on their own (no parent-death signal here): let them.
    for (int i = 0; i < 300 && !processes_mentioning(sb.working_dir().string()).empty(); ++i) ::usleep(100000);
    REQUIRE(processes_mentioning(sb.working_dir().string()).empty());

    auto again = sb.run("postgres-init", {}, {{"PG_REUSE", "1"}, {"HECTIC_CACHE_DIR", cache.string()}});
    INFO(again.err);
    REQUIRE(again.code == 0);
    auto url = exported(again.out, "PGURL");
    REQUIRE(url);
    CHECK(sb.psql(*url, "select current_database()") == "testdb");
    REQUIRE(sb.run("postgres-cleanup", {}).code == 0);
    CHECK_FALSE(server_running(sb.working_dir()));
    std::error_code ec;
    stdfs::remove_all(cache, ec);
    stdfs::remove_all(sb.working_dir(), ec);
  }
}
