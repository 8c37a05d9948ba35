// migrator against real PostgreSQL servers: every command and exit code, rollback, history
// checks, concurrency, kill -9 / Ctrl-C, no-transaction files, --single-transaction,
// plan/apply, a database left by the shell tools, and password hygiene.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/base/fs.hpp"
#include "common/migrate/migrate.hpp"
#include "common/pg/pgbin.hpp"
#include "common/pg/pq.hpp"
#include "tests/support/harness.hpp"

using namespace hectic;
namespace stdfs = std::filesystem;

namespace {

// One cluster per TEST_CASE; each section-sized scenario gets its own database.
struct Fixture {
  test::Sandbox sandbox;
  std::string cluster_url;
  Fixture() : cluster_url(sandbox.start_cluster()) {}

  std::string database(const std::string& name) {
    sandbox.psql(cluster_url, "CREATE DATABASE " + name);
    auto keywords = pq::parse_conninfo(cluster_url);
    keywords["dbname"] = name;
    return pq::build_conninfo(keywords);
  }

  // A URL form of the database (postgresql://user@/db?host=...&port=...).
  std::string url_form(const std::string& name) {
    auto k = pq::parse_conninfo(cluster_url);
    return pq::socket_url(k["user"], name, k["host"], std::stoi(k["port"]));
  }

  stdfs::path migration(const std::string& dir, const std::string& name, const std::string& up,
                        const std::string& down = "SELECT 1;\n") {
    sandbox.write(stdfs::path(dir) / name / "up.sql", up);
    sandbox.write(stdfs::path(dir) / name / "down.sql", down);
    return sandbox.path() / dir / name;
  }

  test::Run migrator(const std::string& url, const std::string& dir, std::vector<std::string> args,
                     const std::map<std::string, std::string>& extra = {},
                     std::optional<std::string> stdin_data = {}) {
    args.insert(args.begin(), {"-u", url, "-d", (sandbox.path() / dir).string()});
    return sandbox.run("migrator", args, extra, std::move(stdin_data));
  }

  std::string sql(const std::string& url, const std::string& query) { return sandbox.psql(url, query); }
};

// Evaluates run once (it is often a migrator invocation).
#define REQUIRE_RUN(run, expected)                                                   \
  do {                                                                               \
    const test::Run& require_run_ = (run);                                           \
    INFO("stdout: " << require_run_.out << "\nstderr: " << require_run_.err);        \
    REQUIRE(require_run_.code == (expected));                                        \
  } while (0)

std::string table(const std::string& name) {
  return fmt::format("CREATE TABLE {} (id int PRIMARY KEY) INHERITS (hectic.created_at);\n", name);
}

} // namespace

TEST_CASE("commands, forms and exit codes") {
  Fixture f;
  auto url = f.database("cmds");
  const std::string dir = "migration";

  // No database needed for these.
  auto dry = f.sandbox.run("migrator", {"init", "--dry-run"}, {{"-DB_URL", ""}});
  REQUIRE_RUN(dry, 0);
  CHECK_THAT(dry.out, Catch::Contains("CREATE SCHEMA IF NOT EXISTS hectic") &&
                          Catch::Contains("-- ==== part: inheritance ===="));
  auto help = f.sandbox.run("migrator", {});
  REQUIRE_RUN(help, 0);
  for (const char* command : {"init", "migrate up", "migrate down", "migrate to", "create", "list",
                              "status", "plan", "apply", "mark-applied", "log"})
    CHECK_THAT(help.out, Catch::Contains(command));
  CHECK(f.sandbox.run("migrator", {"--help"}).out == help.out);
  CHECK(f.sandbox.run("migrator", {"help"}).out == help.out);
  auto version = f.sandbox.run("migrator", {"-V"});
  REQUIRE_RUN(version, 0);
  CHECK(version.out == "migrator version 0.1.0\n");

  auto two = f.sandbox.run("migrator", {"list", "status"});
  REQUIRE_RUN(two, 2);
  CHECK_THAT(two.err, Catch::Contains("migrator: error: ambiguous subcommand: decide list or status"));
  auto two_migrate = f.migrator(url, dir, {"migrate", "up", "down"});
  REQUIRE_RUN(two_migrate, 2);
  CHECK_THAT(two_migrate.err, Catch::Contains("ambiguous migrate subcommand"));
  auto unknown = f.sandbox.run("migrator", {"frobnicate"});
  REQUIRE_RUN(unknown, 9);
  CHECK_THAT(unknown.err, Catch::Contains("frobnicate"));
  auto unknown_option = f.sandbox.run("migrator", {"list", "--bogus"});
  REQUIRE_RUN(unknown_option, 9);
  CHECK_THAT(unknown_option.err, Catch::Contains("--bogus"));
  auto no_url = f.sandbox.run("migrator", {"migrate", "up"}, {{"-DB_URL", ""}});
  REQUIRE_RUN(no_url, 3);
  CHECK_THAT(no_url.err, Catch::Contains("DB_URL"));
  auto no_direction = f.migrator(url, dir, {"migrate"});
  REQUIRE_RUN(no_direction, 3);
  auto no_plan = f.migrator(url, dir, {"apply"});
  REQUIRE_RUN(no_plan, 3);
  CHECK_THAT(no_plan.err, Catch::Contains("--plan"));
  auto inherits = f.migrator(url, dir, {"--inherits", "public.x", "list"});
  REQUIRE_RUN(inherits, 0);
  CHECK_THAT(inherits.err, Catch::Contains("--inherits is deprecated"));

  // init, twice (idempotent), with DB_URL from the environment.
  REQUIRE_RUN(f.sandbox.run("migrator", {"init"}, {{"DB_URL", url}}), 0);
  REQUIRE_RUN(f.sandbox.run("migrator", {"init"}, {{"DB_URL", url}}), 0);
  CHECK(f.sql(url, "SELECT version FROM hectic.version") == "0.1.0");

  // create / list.
  auto created = f.migrator(url, dir, {"create", "--name", "two words"});
  REQUIRE_RUN(created, 0);
  CHECK_THAT(created.out, Catch::Contains("-two words"));
  auto lst = f.migrator(url, dir, {"list"});
  REQUIRE_RUN(lst, 0);
  CHECK_THAT(lst.out, Catch::EndsWith("-two words\n"));
  stdfs::remove_all(f.sandbox.path() / dir);

  f.migration(dir, "20250101000000-a", table("a"), "DROP TABLE a;\n");
  f.migration(dir, "20250102000000-b", table("b") + "INSERT INTO b (id) VALUES (:val);\n", "DROP TABLE b;\n");
  f.migration(dir, "20250103000000-c", table("c"), "DROP TABLE c;\n");
  f.migration(dir, "20250104000000-d", table("d"), "DROP TABLE d;\n");
  f.sandbox.write(stdfs::path(dir) / "20250105000000-incomplete" / "up.sql", "SELECT 1;\n");
  auto listed = f.migrator(url, dir, {"list"});
  REQUIRE_RUN(listed, 0);
  CHECK(listed.out == "20250101000000-a\n20250102000000-b\n20250103000000-c\n20250104000000-d\n"
                      "20250105000000-incomplete: missing down.sql\n");
  auto raw = f.migrator(url, dir, {"list", "--raw"});
  CHECK_THAT(raw.out, Catch::EndsWith("20250105000000-incomplete\n"));
  stdfs::remove_all(f.sandbox.path() / dir / "20250105000000-incomplete");

  auto applied = [&] { return f.sql(url, "SELECT string_agg(name, ',' ORDER BY name) FROM hectic.migration"); };

  // up (default 1), options after the subcommand, -v variables.
  auto up1 = f.migrator(url, dir, {"migrate", "up", "--lock-timeout", "2s", "--statement-timeout", "1min"});
  REQUIRE_RUN(up1, 0);
  CHECK(applied() == "20250101000000-a");
  auto up2 = f.sandbox.run("migrator", {"migrate", "up", "2", "-v", "val=42", "-u", url, "-d",
                                        (f.sandbox.path() / dir).string()});
  REQUIRE_RUN(up2, 0);
  CHECK(applied() == "20250101000000-a,20250102000000-b,20250103000000-c");
  CHECK(f.sql(url, "SELECT id FROM b") == "42");
  CHECK(f.sql(url, "SELECT application_name FROM pg_stat_activity WHERE false") == "");

  auto too_many = f.migrator(url, dir, {"migrate", "up", "5"});
  REQUIRE_RUN(too_many, 1);
  CHECK_THAT(too_many.err, Catch::Contains("cannot migrate up 5: only 1 pending migration"));
  auto bad_timeout = f.migrator(url, dir, {"migrate", "up", "--lock-timeout", "banana"});
  REQUIRE_RUN(bad_timeout, 9); // refused before connecting (issue 16)
  CHECK_THAT(bad_timeout.err, Catch::Contains("--lock-timeout") && Catch::Contains("'banana'"));
  auto bad_set = f.migrator(url, dir, {"migrate", "up", "-v", "novalue"});
  REQUIRE_RUN(bad_set, 1);
  CHECK_THAT(bad_set.err, Catch::Contains("'novalue'"));

  // to: backward, forward, unknown, already there; latest/head/last.
  REQUIRE_RUN(f.migrator(url, dir, {"migrate", "to", "20250101000000-a"}), 0);
  CHECK(applied() == "20250101000000-a");
  CHECK(f.sql(url, "SELECT count(*) FROM pg_tables WHERE tablename IN ('b', 'c')") == "0");
  auto same = f.migrator(url, dir, {"migrate", "to", "20250101000000-a"});
  REQUIRE_RUN(same, 0);
  CHECK_THAT(same.err, Catch::Contains("already at 20250101000000-a"));
  auto unknown_to = f.migrator(url, dir, {"migrate", "to", "20990101000000-nope"});
  REQUIRE_RUN(unknown_to, 1);
  CHECK_THAT(unknown_to.err, Catch::Contains("unknown migration '20990101000000-nope'"));
  REQUIRE_RUN(f.migrator(url, dir, {"-v", "val=7", "migrate", "to", "20250103000000-c"}), 0);
  CHECK(applied() == "20250101000000-a,20250102000000-b,20250103000000-c");
  REQUIRE_RUN(f.migrator(url, dir, {"-v", "val=7", "migrate", "to", "last"}), 0);
  CHECK(applied() == "20250101000000-a,20250102000000-b,20250103000000-c,20250104000000-d");
  auto at_head = f.migrator(url, dir, {"migrate", "up", "all"});
  REQUIRE_RUN(at_head, 0);
  CHECK_THAT(at_head.err, Catch::Contains("already at 20250104000000-d"));

  // down: default 1, N, too many, all, all again.
  REQUIRE_RUN(f.migrator(url, dir, {"migrate", "down"}), 0);
  CHECK(applied() == "20250101000000-a,20250102000000-b,20250103000000-c");
  REQUIRE_RUN(f.migrator(url, dir, {"migrate", "down", "2"}), 0);
  CHECK(applied() == "20250101000000-a");
  auto too_far = f.migrator(url, dir, {"migrate", "down", "3"});
  REQUIRE_RUN(too_far, 1);
  CHECK_THAT(too_far.err, Catch::Contains("cannot migrate down 3: only 1 applied migration"));
  REQUIRE_RUN(f.migrator(url, dir, {"migrate", "down", "all"}), 0);
  CHECK(f.sql(url, "SELECT count(*) FROM hectic.migration") == "0");
  auto clean = f.migrator(url, dir, {"migrate", "down", "all"});
  REQUIRE_RUN(clean, 0);
  CHECK_THAT(clean.err, Catch::Contains("database has no migrations applied; nothing to do"));
  REQUIRE_RUN(f.migrator(url, dir, {"migrate", "up", "latest", "-v", "val=1"}), 0);

  // status (and its alias), JSON.
  auto status = f.migrator(url, dir, {"fetch"});
  REQUIRE_RUN(status, 0);
  CHECK_THAT(status.out, Catch::Contains("4 applied, 0 pending, 0 drifted"));
  REQUIRE_RUN(f.migrator(url, dir, {"migrate", "down", "1"}), 0);
  auto json_status = f.migrator(url, dir, {"status", "--json"});
  REQUIRE_RUN(json_status, 0);
  auto parsed = nlohmann::json::parse(json_status.out);
  REQUIRE(parsed["applied"].size() == 3);
  CHECK(parsed["applied"][0]["name"] == "20250101000000-a");
  CHECK(parsed["applied"][0]["hash"] ==
        migrate::hash_file(f.sandbox.path() / dir / "20250101000000-a" / "up.sql"));
  REQUIRE(parsed["pending"].size() == 1);
  CHECK(parsed["pending"][0]["name"] == "20250104000000-d");
  CHECK(parsed["pending"][0]["hash"].get<std::string>().size() == 64);

  // mark-applied: unknown, not next, next, again.
  auto mark_unknown = f.migrator(url, dir, {"mark-applied", "20990101000000-x"});
  REQUIRE_RUN(mark_unknown, 1);
  CHECK_THAT(mark_unknown.err, Catch::Contains("unknown migration '20990101000000-x'"));
  auto mark = f.migrator(url, dir, {"mark-applied", "20250104000000-d"});
  REQUIRE_RUN(mark, 0);
  CHECK_THAT(mark.err, Catch::Contains("MARKED 20250104000000-d AS APPLIED WITHOUT RUNNING IT"));
  CHECK(f.sql(url, "SELECT count(*) FROM pg_tables WHERE tablename = 'd'") == "0");
  auto mark_again = f.migrator(url, dir, {"mark-applied", "20250104000000-d"});
  REQUIRE_RUN(mark_again, 0);
  CHECK_THAT(mark_again.err, Catch::Contains("already applied"));

  // The run log: one row per migrate run, with the CI build id.
  REQUIRE_RUN(f.migrator(url, dir, {"migrate", "up", "all"}, {{"GITHUB_RUN_ID", "gh-77"}}), 0);
  CHECK(f.sql(url, "SELECT build_id || ' ' || status || ' ' || command FROM hectic.migration_run "
                   "ORDER BY id DESC LIMIT 1") == "gh-77 success migrate up all");
  CHECK(f.sql(url, "SELECT count(*) > 10 FROM hectic.migration_run") == "t");
  CHECK(f.sql(url, "SELECT count(*) FROM hectic.migration_run WHERE status = 'failed'") != "0");
  auto log = f.migrator(url, dir, {"log", "-n", "3"});
  REQUIRE_RUN(log, 0);
  CHECK_THAT(log.out, Catch::Contains("STATUS") && Catch::Contains("gh-77") &&
                          Catch::Contains("migrate up all"));
  auto log_json = nlohmann::json::parse(f.migrator(url, dir, {"log", "--json", "-n", "2"}).out);
  REQUIRE(log_json.size() == 2);
  CHECK(log_json[0]["build_id"] == "gh-77");
  CHECK(log_json[0]["finished_at"].is_string());

  // Multi-file migrations: up/entrypoint.sql (with \\ir) and down/entrypoint.sql; the recorded
  // hash is the entrypoint's.
  f.sandbox.write("multi/20250101000000-multi/up/entrypoint.sql", "\\ir tables.sql\n\\ir ../shared/rows.sql\n");
  f.sandbox.write("multi/20250101000000-multi/up/tables.sql", table("multi_t"));
  f.sandbox.write("multi/20250101000000-multi/shared/rows.sql", "INSERT INTO multi_t (id) VALUES (:n);\n");
  f.sandbox.write("multi/20250101000000-multi/down/entrypoint.sql", "DROP TABLE multi_t;\n");
  auto multi_url = f.database("multi");
  REQUIRE_RUN(f.migrator(multi_url, "multi", {"migrate", "up", "-v", "n=5"}), 0);
  CHECK(f.sql(multi_url, "SELECT id FROM multi_t") == "5");
  CHECK(f.sql(multi_url, "SELECT hash FROM hectic.migration") ==
        migrate::hash_file(f.sandbox.path() / "multi" / "20250101000000-multi" / "up" / "entrypoint.sql"));
  REQUIRE_RUN(f.migrator(multi_url, "multi", {"migrate", "down"}), 0);
  CHECK(f.sql(multi_url, "SELECT to_regclass('multi_t') IS NULL") == "t");
}

TEST_CASE("an unknown argument of a subcommand is named as the shell migrator names it") {
  // The shell tools' suite greps `<subcommand> argument <arg> does not exists` (sic), exit 9.
  test::Sandbox sandbox;
  const std::vector<std::vector<std::string>> commands = {
      {"init"}, {"migrate"}, {"migrate", "up"}, {"migrate", "down"}, {"migrate", "to"}, {"create"},
      {"list"}, {"status"}, {"plan"},           {"apply"},           {"mark-applied"},  {"log"}};
  for (const auto& command : commands) {
    auto args = command;
    args.push_back("--wat");
    auto name = fmt::format("{}", fmt::join(command, " "));
    INFO(name);
    auto run = sandbox.run("migrator", args, {{"DB_URL", "postgresql:///nowhere?host=/nonexistent"}});
    REQUIRE_RUN(run, 9);
    CHECK_THAT(run.err, Catch::Contains(name + " argument --wat does not exists"));
  }
  // Before the subcommand too, and with a value attached.
  auto before = sandbox.run("migrator", {"--wat=1", "list"});
  REQUIRE_RUN(before, 9);
  CHECK_THAT(before.err, Catch::Contains("list argument --wat=1 does not exists"));
  // A stray word and no subcommand keep their messages.
  auto stray = sandbox.run("migrator", {"list", "extra"});
  REQUIRE_RUN(stray, 9);
  CHECK_THAT(stray.err, Catch::Contains("extra"));
  auto alone = sandbox.run("migrator", {"--wat"});
  REQUIRE_RUN(alone, 9);
  CHECK_THAT(alone.err, Catch::Contains("--wat"));
}

TEST_CASE("a failing migration is rolled back with exit 4 and earlier ones stay") {
  Fixture f;
  struct Case {
    const char* db;
    std::string bad_up;
    const char* expect;
  };
  std::vector<Case> cases = {
      {"syntax", table("half") + "SELEC 1;\n", "syntax error"},
      {"missing", table("half") + "INSERT INTO no_such_table VALUES (1);\n", "no_such_table"},
      {"uniq", table("half") + "INSERT INTO half (id) VALUES (1);\nINSERT INTO half (id) VALUES (1);\n",
       "duplicate key"},
  };
  for (const auto& c : cases) {
    INFO("case " << c.db);
    auto url = f.database(c.db);
    std::string dir = std::string("m_") + c.db;
    f.migration(dir, "20250101000000-ok", table("ok"));
    f.migration(dir, "20250102000000-bad", c.bad_up);
    f.migration(dir, "20250103000000-later", table("later"));
    auto run = f.migrator(url, dir, {"migrate", "up", "all"});
    REQUIRE_RUN(run, 4);
    CHECK_THAT(run.err, Catch::Contains("migration 20250102000000-bad (up) failed and was rolled back"));
    CHECK_THAT(run.err, Catch::Contains(c.expect));
    CHECK_THAT(run.err, Catch::Contains("applied before it in this run (kept): 20250101000000-ok"));
    CHECK(f.sql(url, "SELECT string_agg(name, ',') FROM hectic.migration") == "20250101000000-ok");
    CHECK(f.sql(url, "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables "
                     "WHERE schemaname = 'public'") == "ok");
    CHECK(f.sql(url, "SELECT status || ':' || array_to_string(migrations, ',') FROM hectic.migration_run "
                     "ORDER BY id DESC LIMIT 1") == "failed:20250101000000-ok");
    CHECK_THAT(f.sql(url, "SELECT error FROM hectic.migration_run ORDER BY id DESC LIMIT 1"),
               Catch::Contains("20250102000000-bad"));
  }
  // A bookkeeping failure rolls back too: two up files with the same bytes (hash is UNIQUE).
  auto url = f.database("samehash");
  f.migration("m_same", "20250101000000-one", "SELECT 1;\n");
  f.migration("m_same", "20250102000000-two", "SELECT 1;\n");
  auto run = f.migrator(url, "m_same", {"migrate", "up", "all"});
  REQUIRE_RUN(run, 4);
  CHECK_THAT(run.err, Catch::Contains("20250102000000-two") && Catch::Contains("migration_hash_key"));
  CHECK(f.sql(url, "SELECT count(*) FROM hectic.migration") == "1");
}

TEST_CASE("history mismatch and changed applied files stop the run unless --force") {
  Fixture f;
  auto url = f.database("hist");
  const std::string dir = "migration";
  f.migration(dir, "20250101000000-a", table("a"));
  f.migration(dir, "20250103000000-c", table("c"));
  REQUIRE_RUN(f.migrator(url, dir, {"migrate", "up", "all"}), 0);

  // A migration appears before the applied ones: the history is no longer a prefix.
  f.migration(dir, "20250102000000-b", table("b"));
  auto mismatch = f.migrator(url, dir, {"migrate", "up"});
  REQUIRE_RUN(mismatch, 2);
  CHECK_THAT(mismatch.err, Catch::Contains("Migration history mismatch at position 2: database has "
                                           "20250103000000-c, filesystem has 20250102000000-b"));
  CHECK_THAT(mismatch.err, Catch::Contains("Database has:") && Catch::Contains("Filesystem has:"));
  // The shell migrator's full lists, numbered, after them (its test suite greps these).
  CHECK_THAT(mismatch.err, Catch::Contains("Full filesystem migrations (in order):\n"
                                           "  1. 20250101000000-a\n"
                                           "  2. 20250102000000-b\n"
                                           "  3. 20250103000000-c\n"
                                           "Full database migrations (in order):\n"
                                           "  1. 20250101000000-a\n"
                                           "  2. 20250103000000-c"));
  CHECK(mismatch.err.find("Filesystem has:") < mismatch.err.find("Full filesystem migrations"));
  CHECK_THAT(mismatch.err, Catch::Contains("--force"));
  CHECK(f.sql(url, "SELECT count(*) FROM hectic.migration") == "2");
  auto plan = f.migrator(url, dir, {"plan"});
  REQUIRE_RUN(plan, 2);
  auto forced = f.migrator(url, dir, {"migrate", "up", "--force"});
  REQUIRE_RUN(forced, 1); // nothing after the last applied one: not enough migrations
  stdfs::remove_all(f.sandbox.path() / dir / "20250102000000-b");

  // The up file of an applied migration changed.
  f.sandbox.write(stdfs::path(dir) / "20250101000000-a" / "up.sql", table("a") + "-- edited\n");
  f.migration(dir, "20250104000000-d", table("d"));
  auto tampered = f.migrator(url, dir, {"migrate", "up"});
  REQUIRE_RUN(tampered, 2);
  CHECK_THAT(tampered.err, Catch::Contains("applied migration 20250101000000-a changed since it was applied"));
  auto status = f.migrator(url, dir, {"status"});
  REQUIRE_RUN(status, 0);
  CHECK_THAT(status.out, Catch::Contains("drifted  20250101000000-a"));
  auto forced_up = f.migrator(url, dir, {"-f", "migrate", "up"});
  REQUIRE_RUN(forced_up, 0);
  CHECK_THAT(forced_up.err, Catch::Contains("--force: applied migration 20250101000000-a changed"));
  CHECK(f.sql(url, "SELECT count(*) FROM hectic.migration") == "3");
}

TEST_CASE("two migrators started together apply each migration exactly once") {
  Fixture f;
  auto url = f.database("race");
  const std::string dir = "migration";
  f.sql(url, "CREATE TABLE public.applied_log (name text) ");
  for (int i = 1; i <= 4; ++i)
    f.migration(dir, fmt::format("2025010100000{}-m{}", i, i),
                fmt::format("INSERT INTO public.applied_log VALUES ('m{}');\nSELECT pg_sleep(0.3);\n", i));
  auto m = test::tool("migrator").string();
  auto d = (f.sandbox.path() / dir).string();
  auto both = f.sandbox.run_program(
      "/bin/sh",
      {"-c",
       "\"$1\" -u \"$2\" -d \"$3\" migrate up all >o1 2>e1 & p1=$!; "
       "\"$1\" -u \"$2\" -d \"$3\" migrate up all >o2 2>e2 & p2=$!; "
       "wait $p1; r1=$?; wait $p2; r2=$?; cat e1 e2 >&2; echo \"$r1 $r2\"",
       "sh", m, url, d});
  INFO(both.err);
  REQUIRE(both.out == "0 0\n");
  CHECK_THAT(both.err, Catch::Contains("already at 20250101000004-m4"));
  CHECK(f.sql(url, "SELECT count(*) || '/' || count(DISTINCT name) FROM public.applied_log") == "4/4");
  CHECK(f.sql(url, "SELECT count(*) FROM hectic.migration") == "4");
  CHECK(f.sql(url, "SELECT count(*) FROM hectic.migration_run WHERE status = 'success'") == "2");

  // --lock-wait bounds the wait for a lock someone else holds.
  auto holder = f.sandbox.run_program(
      "/bin/sh",
      {"-c",
       "psql -XAtq -d \"$2\" -c \"SELECT pg_advisory_lock(x'686563746963006D'::bigint), pg_sleep(4)\" "
       ">/dev/null & sleep 1; \"$1\" -u \"$2\" -d \"$3\" migrate up all --lock-wait 1s; r=$?; wait; "
       "exit $r",
       "sh", m, url, d},
      {{"PATH", std::string(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin") +
                    ":/usr/lib/postgresql/15/bin"}});
  REQUIRE_RUN(holder, 1);
  CHECK_THAT(holder.err, Catch::Contains("timed out after 1s waiting for the migration lock") &&
                             Catch::Contains("held by pid"));

  // A lock timeout (55P03) inside a migration is retried with backoff, then succeeds.
  f.migration(dir, "20250101000005-m5", "ALTER TABLE public.applied_log ADD COLUMN extra int;\n");
  auto retried = f.sandbox.run_program(
      "/bin/sh",
      {"-c",
       "\"$4\" -XAtq -d \"$2\" -c 'BEGIN; LOCK TABLE public.applied_log; SELECT pg_sleep(1.2); COMMIT;' "
       ">/dev/null & sleep 0.3; \"$1\" -u \"$2\" -d \"$3\" migrate up --lock-timeout 200ms; r=$?; wait; "
       "exit $r",
       "sh", m, url, d, pgbin::program("psql").string()});
  REQUIRE_RUN(retried, 0);
  CHECK_THAT(retried.err, Catch::Contains("lock timeout (55P03) in 20250101000005-m5; retry 1 of 3"));
  CHECK(f.sql(url, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'extra'") == "1");
}

TEST_CASE("kill -9 and Ctrl-C during a long migration leave a consistent database") {
  Fixture f;
  auto url = f.database("crash");
  const std::string dir = "migration";
  f.migration(dir, "20250101000000-first", table("first"));
  f.migration(dir, "20250102000000-slow",
              table("slow") + "\\if :{?slow}\nSELECT pg_sleep(60);\n\\endif\n", "DROP TABLE slow;\n");
  auto m = test::tool("migrator").string();
  auto d = (f.sandbox.path() / dir).string();
  auto settle = [&] {
    for (int i = 0; i < 100; ++i) {
      if (f.sql(url, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'migrator'") == "0") return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL("a migrator backend is still running");
  };

  auto killed = f.sandbox.run_program("/usr/bin/timeout", {"-s", "KILL", "2", m, "-u", url, "-d", d,
                                                           "migrate", "up", "all", "-v", "slow=1"});
  CHECK(killed.code == 137);
  settle();
  CHECK(f.sql(url, "SELECT string_agg(name, ',') FROM hectic.migration") == "20250101000000-first");
  CHECK(f.sql(url, "SELECT to_regclass('public.slow') IS NULL") == "t");
  CHECK(f.sql(url, "SELECT status FROM hectic.migration_run ORDER BY id DESC LIMIT 1") == "running");

  auto interrupted = f.sandbox.run_program(
      "/usr/bin/timeout", {"--preserve-status", "-s", "INT", "2", m, "-u", url, "-d", d, "migrate",
                           "up", "all", "-v", "slow=1"});
  CHECK(interrupted.code == 130);
  CHECK_THAT(interrupted.err, Catch::Contains("interrupted"));
  settle();
  CHECK(f.sql(url, "SELECT string_agg(status, ',' ORDER BY id) FROM hectic.migration_run") ==
        "aborted,interrupted");
  CHECK(f.sql(url, "SELECT to_regclass('public.slow') IS NULL") == "t");

  auto rerun = f.migrator(url, dir, {"migrate", "up", "all"});
  REQUIRE_RUN(rerun, 0);
  CHECK(f.sql(url, "SELECT string_agg(name, ',' ORDER BY name) FROM hectic.migration") ==
        "20250101000000-first,20250102000000-slow");
  CHECK(f.sql(url, "SELECT to_regclass('public.slow') IS NOT NULL") == "t");
}

TEST_CASE("no-transaction migrations run in autocommit and --single-transaction is all or nothing") {
  Fixture f;
  auto url = f.database("notx");
  const std::string dir = "migration";
  f.migration(dir, "20250101000000-table", table("items") + "INSERT INTO items (id) SELECT generate_series(1, 1000);\n");
  f.migration(dir, "20250102000000-index",
              "-- migrator: no-transaction\nCREATE INDEX CONCURRENTLY items_id_idx ON items (id);\n",
              "-- migrator: no-transaction\nDROP INDEX CONCURRENTLY items_id_idx;\n");
  REQUIRE_RUN(f.migrator(url, dir, {"migrate", "up", "all"}), 0);
  CHECK(f.sql(url, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_id_idx'::regclass") == "t");
  REQUIRE_RUN(f.migrator(url, dir, {"migrate", "down"}), 0);
  CHECK(f.sql(url, "SELECT to_regclass('items_id_idx') IS NULL") == "t");
  REQUIRE_RUN(f.migrator(url, dir, {"migrate", "up"}), 0);

  // A no-transaction file failing midway: what ran stays, and the message says what is left.
  f.migration(dir, "20250103000000-partial",
              "-- migrator: no-transaction\nCREATE INDEX CONCURRENTLY items_a ON items (id);\n"
              "CREATE INDEX CONCURRENTLY items_b ON nowhere (id);\n"
              "CREATE INDEX CONCURRENTLY items_c ON items (id);\n");
  auto partial = f.migrator(url, dir, {"migrate", "up"});
  REQUIRE_RUN(partial, 4);
  CHECK_THAT(partial.err, Catch::Contains("no-transaction migration 20250103000000-partial failed at"));
  CHECK_THAT(partial.err, Catch::Contains("before line 3 ran in autocommit and stay committed"));
  CHECK_THAT(partial.err, Catch::Contains("mark-applied 20250103000000-partial"));
  CHECK(f.sql(url, "SELECT to_regclass('items_a') IS NOT NULL AND to_regclass('items_c') IS NULL") == "t");
  CHECK(f.sql(url, "SELECT count(*) FROM hectic.migration") == "2");
  stdfs::remove_all(f.sandbox.path() / dir / "20250103000000-partial");

  // --single-transaction: the third of three fails, none stays.
  f.migration(dir, "20250104000000-s1", table("s1"));
  f.migration(dir, "20250105000000-s2", table("s2"));
  f.migration(dir, "20250106000000-s3", "INSERT INTO s1 (id) VALUES (1), (1);\n");
  auto atomic = f.migrator(url, dir, {"migrate", "up", "all", "--single-transaction"});
  REQUIRE_RUN(atomic, 4);
  CHECK_THAT(atomic.err, Catch::Contains("--single-transaction rolled back the whole batch (3 migrations)"));
  CHECK(f.sql(url, "SELECT count(*) FROM hectic.migration") == "2");
  CHECK(f.sql(url, "SELECT to_regclass('s1') IS NULL AND to_regclass('s2') IS NULL") == "t");
  f.migration(dir, "20250106000000-s3", "INSERT INTO s1 (id) VALUES (1), (2);\n");
  REQUIRE_RUN(f.migrator(url, dir, {"--single-transaction", "migrate", "up", "all"}), 0);
  CHECK(f.sql(url, "SELECT count(*) FROM hectic.migration") == "5");

  // A no-transaction file cannot join a single transaction.
  f.migration(dir, "20250107000000-cic", "-- migrator: no-transaction\nCREATE INDEX CONCURRENTLY s1_x ON s1 (id);\n");
  auto refused = f.migrator(url, dir, {"migrate", "up", "--single-transaction"});
  REQUIRE_RUN(refused, 2);
  CHECK_THAT(refused.err, Catch::Contains("20250107000000-cic") && Catch::Contains("--single-transaction"));
}

TEST_CASE("plan then drift then apply refuses, a fresh plan applies") {
  Fixture f;
  auto url = f.database("plan");
  const std::string dir = "migration";
  f.migration(dir, "20250101000000-a", table("a"));
  REQUIRE_RUN(f.migrator(url, dir, {"migrate", "up"}), 0);
  f.migration(dir, "20250102000000-b", table("b"));
  f.migration(dir, "20250103000000-c", table("c"));
  auto json_path = (f.sandbox.path() / "plan.json").string();
  auto text_path = (f.sandbox.path() / "plan.txt").string();
  auto plan = f.migrator(url, dir, {"plan", "--output-json", json_path, "--output-human", text_path});
  REQUIRE_RUN(plan, 0);
  auto parsed = nlohmann::json::parse(fs::read_file(json_path));
  REQUIRE(parsed["pending"].size() == 2);
  CHECK(parsed["pending"][0]["name"] == "20250102000000-b");
  CHECK(parsed["pending"][0]["hash"].get<std::string>().size() == 64);
  CHECK(parsed["applied"].size() == 1);
  CHECK(parsed["fingerprint"].get<std::string>().size() == 64);
  CHECK(fs::read_file(text_path) == plan.out);
  CHECK_THAT(plan.out, Catch::Contains("+ 20250102000000-b") && Catch::Contains("Schema fingerprint:"));

  // Drift: someone changes the schema by hand.
  f.sql(url, "CREATE TABLE hand_made (x int) INHERITS (hectic.created_at)");
  auto refused = f.migrator(url, dir, {"apply", "--plan", json_path, "--auto-approve"});
  REQUIRE_RUN(refused, 2);
  CHECK_THAT(refused.err, Catch::Contains("schema fingerprint mismatch: expected " +
                                          parsed["fingerprint"].get<std::string>() + ", actual "));
  CHECK_THAT(refused.err, Catch::Contains("the database schema changed since the plan was made"));
  CHECK(f.sql(url, "SELECT count(*) FROM hectic.migration") == "1");

  // A fresh plan; a changed pending file is drift too.
  REQUIRE_RUN(f.migrator(url, dir, {"plan", "--output-json", json_path}), 0);
  f.migration(dir, "20250103000000-c", table("c") + "-- changed\n");
  auto files_changed = f.migrator(url, dir, {"apply", "--plan", json_path, "--auto-approve"});
  REQUIRE_RUN(files_changed, 2);
  CHECK_THAT(files_changed.err, Catch::Contains("pending migration files changed"));

  REQUIRE_RUN(f.migrator(url, dir, {"plan", "--output-json", json_path}), 0);
  auto unapproved = f.migrator(url, dir, {"apply", "--plan", json_path});
  REQUIRE_RUN(unapproved, 3);
  CHECK_THAT(unapproved.err, Catch::Contains("--auto-approve"));
  auto applied = f.migrator(url, dir, {"apply", "--plan", json_path, "--auto-approve"});
  REQUIRE_RUN(applied, 0);
  CHECK(f.sql(url, "SELECT count(*) FROM hectic.migration") == "3");
  CHECK(f.sql(url, "SELECT command || ' ' || status FROM hectic.migration_run ORDER BY id DESC LIMIT 1") ==
        "apply success");
  // The same plan again: the database moved on.
  REQUIRE_RUN(f.migrator(url, dir, {"apply", "--plan", json_path, "--auto-approve"}), 2);
  auto garbage = f.sandbox.write("garbage.json", "{not json");
  REQUIRE_RUN(f.migrator(url, dir, {"apply", "--plan", garbage.string(), "--auto-approve"}), 1);
}

namespace {

// A database with a applied and b, c pending, a plan of it, and an edit of that plan applied
// with --auto-approve; nothing may run when the edit is refused.
struct EditedPlan {
  Fixture f;
  std::string url = f.database("edited");
  std::string dir = "migration";
  std::string path = (f.sandbox.path() / "plan.json").string();
  nlohmann::json plan;

  EditedPlan() {
    f.migration(dir, "20250101000000-a", table("a"));
    f.migration(dir, "20250102000000-b", table("b"));
    f.migration(dir, "20250103000000-c", table("c"));
    REQUIRE_RUN(f.migrator(url, dir, {"migrate", "up", "1"}), 0);
    REQUIRE_RUN(f.migrator(url, dir, {"plan", "--output-json", path}), 0);
    plan = nlohmann::json::parse(fs::read_file(path));
  }

  test::Run apply() {
    fs::write_file_atomic(path, plan.dump(2));
    return f.migrator(url, dir, {"apply", "--plan", path, "--auto-approve"});
  }

  // The edit is refused with expected_code, its message contains part, nothing ran.
  void refused(int expected_code, const std::string& part) {
    auto run = apply();
    REQUIRE_RUN(run, expected_code);
    CHECK_THAT(run.err, Catch::Contains(part));
    CHECK_FALSE(run.err.find("internal") != std::string::npos);
    CHECK(f.sql(url, "SELECT count(*) FROM hectic.migration") == "1");
  }
};

} // namespace

TEST_CASE("apply --plan refuses a plan with a pending entry removed") {
  EditedPlan e;
  e.plan["pending"].erase(1);
  e.refused(2, "plan field pending: entry 20250103000000-c was removed");
}

TEST_CASE("apply --plan refuses a plan with pending entries reordered") {
  EditedPlan e;
  std::swap(e.plan["pending"][0], e.plan["pending"][1]);
  e.refused(2, "plan field pending: reordered: position 1 is 20250103000000-c");
}

TEST_CASE("apply --plan refuses a plan with a pending entry duplicated") {
  EditedPlan e;
  e.plan["pending"].push_back(e.plan["pending"][0]);
  e.refused(2, "plan field pending: entry 20250102000000-b is duplicated");
}

TEST_CASE("apply --plan refuses a plan with a hash zeroed") {
  EditedPlan e;
  e.plan["pending"][1]["hash"] = std::string(64, '0');
  e.refused(2, "plan field pending[1].hash of 20250103000000-c is '" + std::string(64, '0'));
}

TEST_CASE("apply --plan refuses a plan with its format changed") {
  EditedPlan e;
  e.plan["format"] = "hectic-migrator-plan/9";
  e.refused(2, "plan field format: 'hectic-migrator-plan/9' is not a known plan format");
}

TEST_CASE("apply --plan refuses a plan with its bundle_version changed") {
  EditedPlan e;
  e.plan["bundle_version"] = "0.0.1";
  e.refused(2, "plan field bundle_version: '0.0.1' differs");
}

TEST_CASE("apply --plan: a field of the wrong JSON type is exit 1 not a migrator plan naming it") {
  EditedPlan e;
  const auto original = e.plan;
  e.plan["pending"] = "all of them";
  e.refused(1, "not a migrator plan: pending");
  e.plan = original;
  e.plan["pending"][0]["name"] = 5;
  e.refused(1, "not a migrator plan: pending[0].name");
  e.plan = original;
  e.plan["pending"][1]["no_transaction"] = "no";
  e.refused(1, "not a migrator plan: pending[1].no_transaction");
  e.plan = original;
  e.plan["fingerprint"] = 1;
  e.refused(1, "not a migrator plan: fingerprint");
  e.plan = original;
  e.plan["database"] = nlohmann::json::array();
  e.refused(1, "not a migrator plan: database");
  e.plan = original;
  e.plan["applied"][0] = 3;
  e.refused(1, "not a migrator plan: applied[0]");
  e.plan = nlohmann::json::array();
  e.refused(1, "not a migrator plan: the top level is not a JSON object");
  // The untouched plan still applies.
  e.plan = original;
  REQUIRE_RUN(e.apply(), 0);
  CHECK(e.f.sql(e.url, "SELECT count(*) FROM hectic.migration") == "3");
}

TEST_CASE("apply --plan: the approval prompt lists what will run") {
  EditedPlan e;
  // script(1) gives the migrator a terminal; "no" declines after the prompt was shown.
  auto run = e.f.sandbox.run_program(
      "script", {"-qec",
                 fmt::format("'{}' -u '{}' -d '{}' apply --plan '{}'", test::tool("migrator").string(), e.url,
                             (e.f.sandbox.path() / e.dir).string(), e.path),
                 "/dev/null"},
      {}, std::string("no\n"));
  INFO(run.out << run.err);
  if (run.code == 127) {
    WARN("script(1) is not installed: the prompt is not checked");
    return;
  }
  CHECK_THAT(run.out, Catch::Contains("Pending: 2 migrations to apply, in order:\r\n  + 20250102000000-b") &&
                          Catch::Contains("  + 20250103000000-c"));
  CHECK(e.f.sql(e.url, "SELECT count(*) FROM hectic.migration") == "1");
}

TEST_CASE("directories named almost like migrations are ignored with a warning naming each") {
  test::Sandbox sandbox;
  const auto dir = sandbox.path() / "migration";
  for (const char* name : {"20260101000000-ok", "2026010100000-short", "20260102000000", "20260103000000_under"}) {
    sandbox.write(dir / name / "up.sql", "SELECT 1;\n");
    sandbox.write(dir / name / "down.sql", "SELECT 1;\n");
  }
  sandbox.write(dir / "lib" / "helpers.sql", "SELECT 1;\n");
  auto list = sandbox.run("migrator", {"-d", dir.string(), "list"}, {{"-DB_URL", ""}});
  REQUIRE_RUN(list, 0);
  CHECK_THAT(list.out, Catch::Contains("20260101000000-ok"));
  for (const char* name : {"2026010100000-short", "20260102000000", "20260103000000_under"}) {
    CHECK_THAT(list.err, Catch::Contains(fmt::format("ignoring {}: not a migration name", (dir / name).string())));
    CHECK_THAT(list.out, !Catch::Contains(name));
  }
  CHECK_THAT(list.err, !Catch::Contains("lib"));
}

TEST_CASE("a database left by the shell tools (bundle 0.1.0) keeps migrating") {
  Fixture f;
  auto url = f.database("shell");
  auto golden = test::source_dir() / "tests" / "golden" / "migrator";
  auto load = f.sandbox.run_program(pgbin::program("psql"),
                                    {"-XAtq", "-v", "ON_ERROR_STOP=1", "-d", url, "-f",
                                     (golden / "shell-0.1.0.sql").string()});
  REQUIRE_RUN(load, 0);
  stdfs::copy(golden / "shell-0.1.0" / "migration", f.sandbox.path() / "migration",
              stdfs::copy_options::recursive);
  const std::string dir = "migration";
  CHECK(f.sql(url, "SELECT to_regclass('hectic.migration_run') IS NULL") == "t");

  auto status = f.migrator(url, dir, {"status"});
  REQUIRE_RUN(status, 0);
  CHECK_THAT(status.out, Catch::Contains("2 applied, 0 pending, 0 drifted"));
  auto nothing = f.migrator(url, dir, {"migrate", "up", "all"});
  REQUIRE_RUN(nothing, 0);
  CHECK_THAT(nothing.err, Catch::Contains("already at 20250102000000-add-email"));
  // The run log was added in place; nothing else changed.
  CHECK(f.sql(url, "SELECT to_regclass('hectic.migration_run') IS NOT NULL") == "t");
  CHECK(f.sql(url, "SELECT name || '=' || version FROM hectic.version") == "hectic=0.1.0");
  CHECK(f.sql(url, "SELECT login || ' ' || email FROM accounts") == "alice alice@example.org");

  f.migration(dir, "20250103000000-notes", "CREATE TABLE public.notes (body text) INHERITS (hectic.created_at);\n",
              "DROP TABLE public.notes;\n");
  REQUIRE_RUN(f.migrator(url, dir, {"migrate", "up"}), 0);
  REQUIRE_RUN(f.migrator(url, dir, {"migrate", "down", "2"}), 0);
  CHECK(f.sql(url, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts' "
                   "AND column_name = 'email'") == "0");
  REQUIRE_RUN(f.migrator(url, dir, {"migrate", "to", "head"}), 0);
  CHECK(f.sql(url, "SELECT count(*) FROM hectic.migration") == "3");
  // The shell's inheritance rules still hold after our bundle replaced the function bodies.
  CHECK(f.sandbox.run_program(pgbin::program("psql"), {"-XAtq", "-v", "ON_ERROR_STOP=1", "-d", url, "-c",
                                                        "CREATE TABLE loose (x int)"}).code != 0);
  CHECK(f.sql(url, "UPDATE accounts SET login = 'bob' RETURNING updated_at > created_at") == "t");

  // Same objects, by name and signature, as a database initialised by this suite.
  auto fresh = f.database("fresh");
  REQUIRE_RUN(f.migrator(fresh, dir, {"init"}), 0);
  const std::string objects =
      "SELECT string_agg(x, ' ' ORDER BY x) FROM ("
      " SELECT p.oid::regprocedure::text AS x FROM pg_proc p WHERE p.pronamespace = 'hectic'::regnamespace"
      " UNION ALL SELECT c.relname || ':' || c.relkind::text FROM pg_class c WHERE c.relnamespace = 'hectic'::regnamespace"
      " UNION ALL SELECT t.typname FROM pg_type t WHERE t.typnamespace = 'hectic'::regnamespace AND t.typtype = 'd'"
      " UNION ALL SELECT evtname || ':' || evtfoid::regproc FROM pg_event_trigger"
      " UNION ALL SELECT tgname FROM pg_trigger WHERE tgrelid = 'hectic.migration'::regclass AND NOT tgisinternal"
      ") AS o";
  CHECK(f.sql(url, objects) == f.sql(fresh, objects));
  const std::string columns =
      "SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ' ' ORDER BY table_name, "
      "ordinal_position) FROM information_schema.columns WHERE table_schema = 'hectic'";
  CHECK(f.sql(url, columns) == f.sql(fresh, columns));

  // A database at another bundle version: exit 13 naming both.
  f.sql(url, "UPDATE hectic.version SET version = '0.0.9' WHERE name = 'hectic'");
  auto mismatch = f.migrator(url, dir, {"init"});
  REQUIRE_RUN(mismatch, 13);
  CHECK_THAT(mismatch.err, Catch::Contains("hectic bundle version mismatch: database has 0.0.9, this build has 0.1.0"));
  REQUIRE_RUN(f.migrator(url, dir, {"migrate", "up", "all"}), 13);
}

TEST_CASE("the password of the URL never appears in any output, at any log level") {
  Fixture f;
  f.database("secret");
  auto keywords = pq::parse_conninfo(f.cluster_url);
  const std::string password = "Pa55-w0rd-never-shown";
  std::string url = f.url_form("secret");
  auto at = url.find("@/");
  REQUIRE(at != std::string::npos);
  url.insert(at, ":" + password);
  keywords["dbname"] = "secret";
  keywords["password"] = password;
  const std::string conninfo = pq::build_conninfo(keywords);
  keywords["port"] = "1";
  const std::string unreachable = pq::build_conninfo(keywords);
  std::string unreachable_url = url;
  unreachable_url.replace(unreachable_url.find("port=") + 5, std::string::npos, "1");

  const std::string dir = "migration";
  f.migration(dir, "20250101000000-a", table("a"), "DROP TABLE a;\n");
  f.migration(dir, "20250102000000-bad", "SELECT no_such_column FROM a;\n");
  auto plan = (f.sandbox.path() / "plan.json").string();
  std::vector<std::pair<std::string, std::vector<std::string>>> runs = {
      {url, {"init"}},
      {url, {"migrate", "up"}},
      {conninfo, {"migrate", "up"}},
      {url, {"status", "--json"}},
      {url, {"plan", "--output-json", plan}},
      {url, {"log"}},
      {url, {"migrate", "up", "--lock-timeout", "nonsense"}},
      {unreachable, {"status"}},
      {unreachable_url, {"migrate", "up"}},
  };
  for (const char* level : {"trace", "debug", "info"}) {
    for (const auto& [target, args] : runs) {
      auto run = f.migrator(target, dir, args, {{"HECTIC_LOG", level}});
      INFO("level " << level << ", args " << args[0] << ", code " << run.code << "\n" << run.err);
      CHECK(run.out.find(password) == std::string::npos);
      CHECK(run.err.find(password) == std::string::npos);
    }
  }
  auto failing = f.migrator(url, dir, {"migrate", "up"}, {{"HECTIC_LOG", "trace"}});
  REQUIRE_RUN(failing, 4);
  // The psql fallback too (it gets the password through PGPASSWORD, not its command line).
  for (const auto& target : {url, conninfo}) {
    REQUIRE_RUN(f.migrator(target, dir, {"migrate", "down", "all"}), 0);
    auto via_psql = f.migrator(target, dir, {"migrate", "up"}, {{"HECTIC_LOG", "trace"}, {"SQL_RUNNER", "psql"}});
    REQUIRE_RUN(via_psql, 0);
    CHECK(via_psql.err.find(password) == std::string::npos);
    CHECK(via_psql.out.find(password) == std::string::npos);
  }
  CHECK(fs::read_file(plan).find(password) == std::string::npos);
  CHECK(f.sql(f.cluster_url.substr(0, 0) + conninfo, "SELECT count(*) FROM hectic.migration_run WHERE "
                                                     "error LIKE '%" + password + "%'") == "0");
  auto unreachable_run = f.migrator(unreachable_url, dir, {"status"});
  REQUIRE_RUN(unreachable_run, 1);
}

TEST_CASE("init --dry-run and --help match their golden files") {
  // Regenerate (an explicit, reviewed step): HECTIC_UPDATE_GOLDEN=1 ctest -R 'golden files'
  test::Sandbox sandbox;
  auto golden = test::source_dir() / "tests" / "golden" / "migrator";
  const bool update = std::getenv("HECTIC_UPDATE_GOLDEN") != nullptr;
  struct Golden {
    std::vector<std::string> args;
    const char* file;
  };
  for (const auto& g : {Golden{{"init", "--dry-run"}, "init-dry-run.sql"}, Golden{{"--help"}, "help.txt"}}) {
    auto run = sandbox.run("migrator", g.args, {{"-DB_URL", ""}});
    REQUIRE_RUN(run, 0);
    if (update) fs::write_file_atomic(golden / g.file, run.out);
    INFO("golden file " << g.file << " (regenerate with HECTIC_UPDATE_GOLDEN=1)");
    CHECK(run.out == fs::read_file(golden / g.file));
  }
}
