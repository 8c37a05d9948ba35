// `database` flows on real PostgreSQL servers with the example project: deploy, test, reuse,
// hydrate/patch, secrets, inherits, log, cleanup, check (success, failure, SIGINT).
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <thread>

#include "common/base/fs.hpp"
#include "common/pg/pgbin.hpp"
#include "tests/support/harness.hpp"

using namespace hectic::test;
namespace stdfs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void copy_example(const Sandbox& sandbox) {
  stdfs::copy(source_dir() / "examples" / "project", sandbox.path(),
              stdfs::copy_options::recursive | stdfs::copy_options::overwrite_existing);
}

std::string url_of(const Run& init) {
  auto url = exported(init.out, "PGURL");
  REQUIRE(url);
  return *url;
}

} // namespace

TEST_CASE("deploy, test, reuse keeps data, mock, inherits, log and cleanup on the example project") {
  Sandbox sandbox;
  copy_example(sandbox);
  // --reuse with nothing to keep deploys in full (hydrate and patch).
  auto deploy = sandbox.run("database", {"deploy", "--reuse"});
  INFO(deploy.err);
  REQUIRE(deploy.code == 0);
  CHECK(contains(deploy.err, "no cluster to keep"));
  auto init = sandbox.run("database", {"init", "--reuse"});
  REQUIRE(init.code == 0);
  auto url = url_of(init);
  CHECK(sandbox.psql(url, "SELECT count(*) FROM public.customer") == "2");
  CHECK(sandbox.psql(url, "SELECT count(*) FROM public.currency") == "3");
  CHECK(sandbox.psql(url, "SELECT to_regclass('hectic.version') IS NOT NULL") == "t");

  std::map<std::string, std::string> env{{"DB_URL", url}};
  auto test = sandbox.run("database", {"test"}, env);
  INFO(test.out << test.err);
  CHECK(test.code == 0);
  CHECK(contains(test.out, "ok 7"));
  CHECK_FALSE(contains(test.out, "not ok"));

  // A failing pgTAP test is exit 1.
  sandbox.write("db/test/test.sql", "CREATE EXTENSION IF NOT EXISTS pgtap;\nSELECT plan(1);\nSELECT ok(false, 'fails');\nSELECT * FROM finish();\n");
  auto failing = sandbox.run("database", {"test"}, env);
  CHECK(failing.code == 1);
  CHECK(contains(failing.out, "not ok 1"));
  CHECK(contains(failing.err, "1 of 1 test(s) failed"));
  // A plan that ran short fails; a failing TODO test does not (pgTAP's rules).
  sandbox.write("db/test/test.sql", "CREATE EXTENSION IF NOT EXISTS pgtap;\nSELECT plan(2);\nSELECT ok(true, 'one');\nSELECT * FROM finish();\n");
  auto short_plan = sandbox.run("database", {"test"}, env);
  CHECK(short_plan.code == 1);
  CHECK(contains(short_plan.err, "planned 2 test(s) but ran 1"));
  sandbox.write("db/test/test.sql", "CREATE EXTENSION IF NOT EXISTS pgtap;\nSELECT plan(2);\nSELECT ok(true, 'one');\n"
                                    "SELECT * FROM todo('not built yet', 1);\nSELECT ok(false, 'later');\nSELECT * FROM finish();\n");
  auto todo = sandbox.run("database", {"test"}, env);
  INFO(todo.out << todo.err);
  CHECK(todo.code == 0);
  CHECK(contains(todo.out, "# TODO not built yet"));

  sandbox.psql(url, "INSERT INTO public.customer (email, name) VALUES ('kept@example.com', 'Kept')");
  auto reuse = sandbox.run("database", {"deploy", "--reuse"});
  INFO(reuse.err);
  REQUIRE(reuse.code == 0);
  CHECK(sandbox.psql(url, "SELECT count(*) FROM public.customer WHERE email = 'kept@example.com'") == "1");
  // PG_REUSE exported (a shellHook's) means what --reuse means: the data stays.
  auto env_reuse = sandbox.run("database", {"deploy"}, {{"PG_REUSE", "1"}});
  INFO(env_reuse.err);
  REQUIRE(env_reuse.code == 0);
  CHECK(contains(env_reuse.err, "PG_REUSE is set"));
  CHECK(sandbox.psql(url, "SELECT count(*) FROM public.customer WHERE email = 'kept@example.com'") == "1");

  // Fresh deploy: the row is gone; --mock loads the mock branch, -P skips the test data.
  auto mock = sandbox.run("database", {"deploy", "-m", "-P"});
  INFO(mock.err);
  REQUIRE(mock.code == 0);
  CHECK(sandbox.psql(url, "SELECT string_agg(email, ',' ORDER BY email) FROM public.customer") ==
        "mock-1@example.com,mock-2@example.com");
  auto no_hydrate = sandbox.run("database", {"deploy", "-H", "-P"});
  REQUIRE(no_hydrate.code == 0);
  CHECK(sandbox.psql(url, "SELECT to_regclass('public.customer') IS NULL") == "t");

  // -i/--inherits: checked against the target database (exit 5 naming the table).
  auto hydrate = sandbox.run("database", {"hydrate"}, env);
  REQUIRE(hydrate.code == 0);
  auto inherits_ok = sandbox.run("database", {"-i", "public.customer", "patch"}, env);
  CHECK(inherits_ok.code == 0);
  auto inherits_bad = sandbox.run("database", {"-i", "public.nope", "patch"}, env);
  CHECK(inherits_bad.code == 5);
  CHECK(contains(inherits_bad.err, "table 'public.nope' given with --inherits does not exist"));
  auto deploy_inherits = sandbox.run("database", {"deploy", "--inherits", "public.nope"});
  CHECK(deploy_inherits.code == 5);

  auto migrator_inherits = sandbox.run("database", {"-i", "public.nope", "migrator", "status"}, env);
  CHECK(migrator_inherits.code == 5);
  CHECK(contains(migrator_inherits.err, "public.nope"));

  // --cleanup stops the server after a successful deploy; the data stays for --reuse.
  auto stopped = sandbox.run("database", {"deploy", "--cleanup"});
  INFO(stopped.err);
  REQUIRE(stopped.code == 0);
  auto refused = sandbox.run_program(hectic::pgbin::program("psql"), {"-XAtq", "-d", url, "-c", "SELECT 1"});
  CHECK(refused.code != 0);
  CHECK(stdfs::exists(sandbox.working_dir() / "data" / "PG_VERSION"));

  auto list = sandbox.run("database", {"log", "list"});
  CHECK(list.code == 0);
  CHECK(contains(list.out, "1  "));
  auto first = sandbox.run("database", {"log", "1"});
  CHECK(first.code == 0);

  auto cleanup = sandbox.run("database", {"cleanup"});
  INFO(cleanup.err);
  CHECK(cleanup.code == 0);
  CHECK_FALSE(stdfs::exists(sandbox.working_dir()));
  CHECK(sandbox.run("database", {"cleanup"}).code == 0);
}

TEST_CASE("hydrate and patch: error names file and line, logs, PATCH_SQL creation and --edit") {
  Sandbox sandbox;
  auto url = sandbox.start_cluster();
  std::map<std::string, std::string> env{{"DB_URL", url}};
  sandbox.write("db/src/entrypoint.sql", "\\echo start\n\\ir part/broken.sql\n");
  sandbox.write("db/src/part/broken.sql",
                "CREATE TABLE public.ok_table (id int) INHERITS (hectic.created_at);\n\nSELECT 1;\nSELECT no_such_column FROM public.ok_table;\n");
  auto broken = sandbox.run("database", {"hydrate"}, env);
  CHECK(broken.code == 1);
  CHECK(contains(broken.err, "broken.sql:4"));
  CHECK(contains(broken.err, "no_such_column"));

  sandbox.write("db/src/part/broken.sql", "SELECT 'hydrated' AS word;\n");
  auto log = sandbox.path() / "logs" / "hydrate.log";
  auto logged = sandbox.run("database", {"hydrate", "--no-hook"}, {{"DB_URL", url}, {"HYDRATE_LOG", log.string()}});
  INFO(logged.err);
  CHECK(logged.code == 0);
  CHECK(contains(hectic::fs::read_file(log), "hydrated"));
  auto pg_log_path = sandbox.run("database", {"hydrate"}, {{"DB_URL", url}, {"PG_LOG_PATH", (sandbox.path() / "pglogs").string()}});
  CHECK(pg_log_path.code == 0);
  CHECK(contains(hectic::fs::read_file(sandbox.path() / "pglogs" / "hydrate.stdout.log"), "hydrated"));

  // PATCH_SQL is created empty when missing.
  auto patch_path = sandbox.path() / "profile" / "data.sql";
  auto patch = sandbox.run("database", {"patch"}, {{"DB_URL", url}, {"PATCH_SQL", patch_path.string()}});
  INFO(patch.err);
  CHECK(patch.code == 0);
  CHECK(stdfs::exists(patch_path));
  CHECK(hectic::fs::read_file(patch_path).empty());
  // --edit runs $EDITOR on it (a script standing in for vi).
  auto editor = sandbox.write("editor.sh", "#!/bin/sh\necho \"INSERT INTO public.ok_table (id) VALUES (42);\" >> \"$1\"\n"
                                            "printf '%s\\n' '\\echo patched' >> \"$1\"\n");
  stdfs::permissions(editor, stdfs::perms::owner_all, stdfs::perm_options::add);
  auto edit = sandbox.run_program("script", {"-qec", tool("database").string() + " patch --edit", "/dev/null"},
                                  {{"DB_URL", url}, {"PATCH_SQL", patch_path.string()}, {"EDITOR", editor.string()}});
  CHECK(edit.code == 0);
  CHECK(contains(hectic::fs::read_file(patch_path), "VALUES (42)"));
  auto patch_log = sandbox.path() / "patch.log";
  auto applied = sandbox.run("database", {"patch"}, {{"DB_URL", url}, {"PATCH_SQL", patch_path.string()}, {"PATCH_LOG", patch_log.string()}});
  INFO(applied.err);
  CHECK(applied.code == 0);
  CHECK(sandbox.psql(url, "SELECT id FROM public.ok_table") == "42");
  CHECK(contains(hectic::fs::read_file(patch_log), "patched"));
  CHECK_FALSE(contains(applied.out, "patched"));
  sandbox.write("bad-patch.sql", "SELECT 1;\nINSERT INTO public.missing VALUES (1);\n");
  auto bad = sandbox.run("database", {"patch"}, {{"DB_URL", url}, {"PATCH_SQL", (sandbox.path() / "bad-patch.sql").string()}});
  CHECK(bad.code == 1);
  CHECK(contains(bad.err, "bad-patch.sql:2"));
}

TEST_CASE("secrets from each dotenv source with nasty values") {
  Sandbox sandbox;
  auto url = sandbox.start_cluster();
  sandbox.write("db/src/entrypoint.sql", "SELECT 1;\n");
  const std::string nasty =
      "# comment\nPLAIN=value\nQUOTED=\"it's \\\"quoted\\\"\"\nSINGLE='a=b=c'\nDOLLAR=$tag$'); DROP TABLE hectic.secret; --$tag$\n"
      "  SPACED  =  padded value  \nEMPTY=\n";
  auto secret = [&](const std::string& key) {
    return sandbox.psql(url, "SELECT value FROM hectic.secret WHERE key = '" + key + "'");
  };
  auto check_all = [&](const std::string& plain) {
    CHECK(secret("PLAIN") == plain);
    CHECK(secret("QUOTED") == "it's \\\"quoted\\\"");
    CHECK(secret("SINGLE") == "a=b=c");
    CHECK(secret("DOLLAR") == "$tag$'); DROP TABLE hectic.secret; --$tag$");
    CHECK(secret("SPACED") == "padded value");
    CHECK(sandbox.psql(url, "SELECT count(*) FROM hectic.secret") == "6");
  };
  std::map<std::string, std::string> env{{"DB_URL", url}};

  env["HECTIC_DOTENV_CONTENT"] = nasty;
  auto content = sandbox.run("database", {"hydrate"}, env);
  INFO(content.err);
  REQUIRE(content.code == 0);
  check_all("value");

  env.erase("HECTIC_DOTENV_CONTENT");
  auto file = sandbox.write("secrets/dev.env", nasty + "PLAIN=from-file\n");
  env["HECTIC_DOTENV_FILE"] = file.string();
  auto from_file = sandbox.run("database", {"hydrate"}, env);
  REQUIRE(from_file.code == 0);
  CHECK(secret("PLAIN") == "from-file");

  env.erase("HECTIC_DOTENV_FILE");
  sandbox.write(".env.ci", nasty + "PLAIN=from-environment\n");
  env["ENVIRONMENT"] = "ci";
  auto from_environment = sandbox.run("database", {"hydrate"}, env);
  REQUIRE(from_environment.code == 0);
  CHECK(secret("PLAIN") == "from-environment");

  // secrets load: -f wins over ENVIRONMENT; touches no cluster.
  auto load = sandbox.run("database", {"secrets", "load", "-f", file.string()}, env);
  INFO(load.err);
  REQUIRE(load.code == 0);
  check_all("from-file");
  auto load_content = sandbox.run("database", {"-u", url, "secrets", "load"}, {{"HECTIC_DOTENV_CONTENT", "ONLY=one"}});
  REQUIRE(load_content.code == 0);
  CHECK(sandbox.psql(url, "SELECT string_agg(key || '=' || value, ',') FROM hectic.secret") == "ONLY=one");
  CHECK_FALSE(contains(load_content.err + load.err, "DROP TABLE"));
}

TEST_CASE("check: isolated cluster removed after success, failure and SIGINT") {
  Sandbox sandbox;
  copy_example(sandbox);
  auto url = sandbox.start_cluster();
  sandbox.psql(url, "CREATE TABLE public.marker (id int)");
  auto check_dir = sandbox.path() / "focus" / "postgresql-check-tmp";

  auto ok = sandbox.run("database", {"check"});
  INFO(ok.err);
  CHECK(ok.code == 0);
  CHECK_FALSE(stdfs::exists(check_dir));
  CHECK(sandbox.psql(url, "SELECT to_regclass('public.marker') IS NOT NULL") == "t");
  CHECK(sandbox.psql(url, "SELECT to_regclass('public.customer') IS NULL") == "t");

  sandbox.write("test-data.sql", "INSERT INTO public.nope VALUES (1);\n");
  auto failed = sandbox.run("database", {"check"});
  CHECK(failed.code == 1);
  CHECK(contains(failed.err, "test-data.sql:1"));
  CHECK_FALSE(stdfs::exists(check_dir));

  sandbox.write("test-data.sql", "SELECT pg_sleep(120);\n");
  auto started = std::chrono::steady_clock::now();
  auto interrupted = sandbox.run_program("timeout", {"--preserve-status", "-s", "INT", "12",
                                                     hectic::test::tool("database").string(), "check"});
  CHECK(interrupted.code == 130);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(60));
  CHECK_FALSE(stdfs::exists(check_dir));
  CHECK(sandbox.psql(url, "SELECT 1") == "1");

  auto terminated = sandbox.run_program("timeout", {"--preserve-status", "-s", "TERM", "10",
                                                    hectic::test::tool("database").string(), "check"});
  CHECK(terminated.code == 130);
  CHECK_FALSE(stdfs::exists(check_dir));
  CHECK(sandbox.psql(url, "SELECT to_regclass('public.marker') IS NOT NULL") == "t");
}

TEST_CASE("database migrator: a SIGTERM to database reaches the migrator, which rolls back before we exit") {
  Sandbox sandbox;
  auto url = sandbox.start_cluster();
  sandbox.write("db/migration/20260101000000-slow/up.sql",
                "CREATE TABLE public.slow_marker (id int) INHERITS (hectic.created_at);\nSELECT pg_sleep(120);\n");
  sandbox.write("db/migration/20260101000000-slow/down.sql", "DROP TABLE public.slow_marker;\n");
  // Only database gets the signal (kill PID, not the process group as a terminal or timeout
  // would), once the migration is running.
  const std::string script =
      "\"$0\" migrator migrate up & pid=$!\n"
      "for i in $(seq 300); do\n"
      "  n=$(\"$1\" -XAtq -d \"$DB_URL\" -c \"SELECT count(*) FROM pg_stat_activity WHERE application_name = "
      "'migrator' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()\")\n"
      "  [ \"$n\" = 1 ] && break; sleep 0.1\n"
      "done\n"
      "kill -TERM $pid; wait $pid\n";
  auto started = std::chrono::steady_clock::now();
  auto run = sandbox.run_program(
      "bash", {"-c", script, hectic::test::tool("database").string(), hectic::pgbin::program("psql").string()},
      {{"DB_URL", url}});
  INFO(run.err);
  CHECK(run.code == 130);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(60));
  // The migrator is gone with us: its session ends, its transaction rolled back, no row.
  std::string sessions;
  for (int i = 0; i < 50; ++i) {
    sessions = sandbox.psql(url, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'migrator'");
    if (sessions == "0") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(sessions == "0");
  CHECK(sandbox.psql(url, "SELECT to_regclass('public.slow_marker') IS NULL") == "t");
  CHECK(sandbox.psql(url, "SELECT count(*) FROM hectic.migration") == "0");
  CHECK(sandbox.psql(url, "SELECT status FROM hectic.migration_run ORDER BY id DESC LIMIT 1") == "interrupted");
}

TEST_CASE("init, deploy -u, check flags, hydrate --mock, -i on every subcommand of an existing database") {
  Sandbox sandbox;
  copy_example(sandbox);
  auto init = sandbox.run("database", {"init"});
  INFO(init.err);
  REQUIRE(init.code == 0);
  auto url = url_of(init);
  CHECK(sandbox.psql(url, "SELECT to_regclass('public.customer') IS NULL") == "t");
  // init creates its database, then checks -i there.
  auto init_inherits = sandbox.run("database", {"-i", "public.customer", "init"});
  CHECK(init_inherits.code == 5);
  CHECK(contains(init_inherits.err, "public.customer"));

  std::map<std::string, std::string> env{{"DB_URL", url}, {"HECTIC_DOTENV_CONTENT", "A=1"}};
  auto mock = sandbox.run("database", {"hydrate", "--mock"}, env);
  INFO(mock.err);
  REQUIRE(mock.code == 0);
  CHECK(sandbox.psql(url, "SELECT string_agg(email, ',' ORDER BY email) FROM public.customer") ==
        "mock-1@example.com,mock-2@example.com");
  for (std::vector<std::string> sub : {std::vector<std::string>{"test"}, {"hydrate"}, {"secrets", "load"}}) {
    INFO(sub.front());
    std::vector<std::string> args{"-i", "public.nope"};
    args.insert(args.end(), sub.begin(), sub.end());
    auto r = sandbox.run("database", args, env);
    CHECK(r.code == 5);
    CHECK(contains(r.err, "public.nope"));
  }

  // deploy -u fills another database: here a second cluster's.
  auto other = sandbox.run("postgres-init", {}, {{"PG_WORKING_DIR", (sandbox.path() / "other").string()}});
  REQUIRE(other.code == 0);
  auto other_url = url_of(other);
  auto deploy_other = sandbox.run("database", {"deploy", "-u", other_url});
  INFO(deploy_other.err);
  REQUIRE(deploy_other.code == 0);
  CHECK(sandbox.psql(other_url, "SELECT count(*) FROM public.customer") == "2");
  CHECK(sandbox.psql(url, "SELECT to_regclass('public.customer') IS NULL") == "t");

  // check with -P, -m and -H.
  auto check_mock = sandbox.run("database", {"check", "-P", "-m"});
  INFO(check_mock.err);
  CHECK(check_mock.code == 0);
  CHECK(contains(check_mock.err, "skipping patch"));
  auto check_bare = sandbox.run("database", {"check", "-H", "-P"});
  CHECK(check_bare.code == 0);
  CHECK(contains(check_bare.err, "skipping hydrate"));

  // A failing hydrate fails the deploy (exit 1, file and line) and --cleanup does not run.
  sandbox.write("db/src/data/reference.sql", "INSERT INTO public.nope VALUES (1);\n");
  auto failed = sandbox.run("database", {"deploy", "--cleanup"});
  CHECK(failed.code == 1);
  CHECK(contains(failed.err, "reference.sql:1"));
  auto after = sandbox.run("database", {"init", "--reuse"});
  CHECK(after.code == 0);

  auto bad_log = sandbox.run("database", {"log"}, {{"HECTIC_LOG", "info;db deploy=loud"}});
  CHECK(bad_log.code == 3);
  CHECK(contains(bad_log.err, "loud"));
}
