// postgres-init end to end: fresh and reused clusters, forced settings, exports, errors.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "common/pg/pgbin.hpp"
#include "tests/integration/postgres-init/cluster_util.hpp"

using namespace hectic::test;
using namespace hectic::test::cluster_util;

TEST_CASE("fresh cluster: exports, socket only, forced settings, logs, json, PG_URL_VAR") {
  Sandbox sb;
  auto run = sb.run("postgres-init", {});
  INFO(run.err);
  REQUIRE(run.code == 0);
  const auto sock = (sb.working_dir() / "sock").string();
  const auto data = (sb.working_dir() / "data").string();
  CHECK(exported(run.out, "POSTGRESQL_HOST") == sock);
  CHECK(exported(run.out, "POSTGRESQL_PORT") == "5432");
  CHECK(exported(run.out, "POSTGRESQL_USER") == expected_user());
  CHECK(exported(run.out, "POSTGRESQL_DATABASE") == "testdb");
  auto url = exported(run.out, "PGURL");
  REQUIRE(url);
  CHECK_THAT(*url, Catch::StartsWith("postgresql://" + expected_user() + "@/testdb?"));
  // stdout carries nothing but the exports.
  CHECK(std::count(run.out.begin(), run.out.end(), '\n') == 5);

  CHECK(sb.psql(*url, "select current_user || '|' || current_database()") == expected_user() + "|testdb");
  CHECK(sb.psql(*url, "show listen_addresses").empty());
  CHECK(sb.psql(*url, "show unix_socket_directories") == sock);
  CHECK(sb.psql(*url, "show hba_file") == data + "/pg_hba.conf");
  CHECK(sb.psql(*url, "show ident_file") == data + "/pg_ident.conf");
  CHECK(sb.psql(*url, "show logging_collector") == "on");
  CHECK(sb.psql(*url, "show server_encoding") == "UTF8");
  CHECK(sb.psql(*url, "select datcollate from pg_database where datname = 'testdb'") == "C");
  CHECK(sb.psql(*url, "show shared_preload_libraries").empty()); // the sandbox sets it empty
  CHECK(stdfs::exists(sb.working_dir() / "server.log"));
  CHECK(find_prefixed(sb.working_dir() / "data" / "log", "postgresql-"));
  CHECK(server_running(sb.working_dir()));

  // --format json, another URL variable, another database and port: all in one fresh init.
  auto json_run = sb.run("postgres-init", {"--format", "json"},
                         {{"PG_URL_VAR", "DB_URL"}, {"PG_DATABASE", "app db"}, {"PG_PORT", "6543"}});
  INFO(json_run.err);
  REQUIRE(json_run.code == 0);
  auto json = nlohmann::json::parse(json_run.out);
  CHECK(json["POSTGRESQL_HOST"] == sock);
  CHECK(json["POSTGRESQL_PORT"] == "6543");
  CHECK(json["POSTGRESQL_USER"] == expected_user());
  CHECK(json["POSTGRESQL_DATABASE"] == "app db");
  CHECK(json["DB_URL"] == json["PGURL"]);
  auto app_url = json["PGURL"].get<std::string>();
  CHECK_THAT(app_url, Catch::Contains("app%20db") && Catch::Contains("port=6543"));
  CHECK(sb.psql(app_url, "select current_database()") == "app db");
  CHECK(sb.psql(app_url, "show port") == "6543");
  CHECK_FALSE(stdfs::exists(cluster_util::stdfs::path(sock) / ".s.PGSQL.5432")); // old server stopped

  auto shell = sb.run("postgres-init", {}, {{"PG_URL_VAR", "DB_URL"}});
  REQUIRE(shell.code == 0);
  CHECK(exported(shell.out, "DB_URL") == exported(shell.out, "PGURL"));
}

TEST_CASE("reuse: keeps rows, recreates a dropped database, leaves a healthy running server alone") {
  Sandbox sb;
  auto url = sb.start_cluster();
  sb.psql(url, "create table kept(v text); insert into kept values ('row')");
  pid_t first = postmaster_pid(sb.working_dir());
  REQUIRE(first > 0);

  // Running, same socket and port, same settings: not restarted.
  Run again;
  long ms = elapsed_ms([&] { again = sb.run("postgres-init", {}, {{"PG_REUSE", "1"}}); });
  INFO(again.err);
  REQUIRE(again.code == 0);
  CHECK(postmaster_pid(sb.working_dir()) == first);
  CHECK(sb.psql(url, "select v from kept") == "row");
  CHECK(ms < 2000);
  CHECK_THAT(again.err, Catch::Contains("reusing the running server"));

  // Dropped database: recreated (empty) without a restart.
  auto postgres_url = exported(again.out, "PGURL")->replace(url.find("/testdb"), 7, "/postgres");
  sb.psql(postgres_url, "drop database testdb");
  auto recreate = sb.run("postgres-init", {}, {{"PG_REUSE", "yes"}});
  INFO(recreate.err);
  REQUIRE(recreate.code == 0);
  CHECK(postmaster_pid(sb.working_dir()) == first);
  CHECK(sb.psql(url, "select count(*) from pg_tables where tablename = 'kept'") == "0");
  sb.psql(url, "create table kept(v text); insert into kept values ('row2')");

  // Stopped cluster: reused, data kept.
  REQUIRE(sb.run("postgres-cleanup", {}).code == 0);
  CHECK_FALSE(server_running(sb.working_dir()));
  auto stopped = sb.run("postgres-init", {}, {{"PG_REUSE", "true"}});
  INFO(stopped.err);
  REQUIRE(stopped.code == 0);
  CHECK(postmaster_pid(sb.working_dir()) != first);
  CHECK(sb.psql(url, "select v from kept") == "row2");

  // Changed settings with PG_REUSE: restarted with them, data kept.
  pid_t second = postmaster_pid(sb.working_dir());
  auto changed = sb.run("postgres-init", {}, {{"PG_REUSE", "1"}, {"PG_DISABLE_LOGGING", "1"}});
  INFO(changed.err);
  REQUIRE(changed.code == 0);
  CHECK(postmaster_pid(sb.working_dir()) != second);
  CHECK(sb.psql(url, "show logging_collector") == "off");
  CHECK(sb.psql(url, "select v from kept") == "row2");

  // PG_REUSE unset or falsy: fresh, the row is gone.
  auto fresh = sb.run("postgres-init", {}, {{"PG_REUSE", "0"}});
  REQUIRE(fresh.code == 0);
  CHECK(sb.psql(url, "select count(*) from pg_tables where tablename = 'kept'") == "0");
}

TEST_CASE("PG_CONF_FILE on fresh inits only, runtime settings always forced, pg_cron") {
  Sandbox sb;
  auto conf = sb.write("custom.conf", "listen_addresses = '*'\nport = 1234\nwork_mem = '7MB'\nmax_connections = 30\n");
  auto url = sb.start_cluster({{"PG_CONF_FILE", conf.string()}});
  CHECK(sb.psql(url, "show work_mem") == "7MB");
  CHECK(sb.psql(url, "show listen_addresses").empty()); // a conf file cannot turn TCP on
  CHECK(sb.psql(url, "show port") == "5432");

  // Reused: the conf file is not applied again (the restart proves the settings were re-read).
  sb.write("custom.conf", "work_mem = '9MB'\n");
  auto reused = sb.run("postgres-init", {}, {{"PG_CONF_FILE", conf.string()}, {"PG_REUSE", "1"}, {"PG_PORT", "5433"}});
  INFO(reused.err);
  REQUIRE(reused.code == 0);
  auto url5433 = *exported(reused.out, "PGURL");
  CHECK(sb.psql(url5433, "show work_mem") == "7MB");
  CHECK(sb.psql(url5433, "show port") == "5433");

  // PG_LOG_PATH: the server's own log goes there (created when missing).
  auto logs = sb.path() / "logs";
  auto logged = sb.run("postgres-init", {}, {{"PG_REUSE", "1"}, {"PG_PORT", "5433"}, {"PG_LOG_PATH", logs.string()},
                                             {"PG_DISABLE_LOGGING", "1"}});
  INFO(logged.err);
  REQUIRE(logged.code == 0);
  CHECK_THAT(slurp(logs / "server.log"), Catch::Contains("database system is ready"));

  // A missing PG_CONF_FILE is named, before anything is touched.
  auto missing = sb.run("postgres-init", {}, {{"PG_CONF_FILE", (sb.path() / "nope.conf").string()}});
  CHECK(missing.code == 3);
  CHECK_THAT(missing.err, Catch::Contains("PG_CONF_FILE") && Catch::Contains("nope.conf"));
  CHECK(server_running(sb.working_dir()));

  // Explicit preload library that does not exist: 127 naming it, nothing touched.
  auto typo = sb.run("postgres-init", {}, {{"PG_SHARED_PRELOAD_LIBRARIES", "pg_crom"}});
  CHECK(typo.code == 127);
  CHECK_THAT(typo.err, Catch::Contains("postgres-init: error:") && Catch::Contains("'pg_crom'"));
  CHECK(sb.psql(url5433, "show port") == "5433");

  // The default preload (pg_cron): loaded when installed, with cron.host on the socket dir.
  auto pkglib = std::filesystem::path("/usr/lib/postgresql/15/lib");
  if (std::filesystem::exists(pkglib / "pg_cron.so")) {
    auto cron = sb.run("postgres-init", {}, {{"-PG_SHARED_PRELOAD_LIBRARIES", ""}});
    INFO(cron.err);
    REQUIRE(cron.code == 0);
    auto cron_url = *exported(cron.out, "PGURL");
    CHECK(sb.psql(cron_url, "show shared_preload_libraries") == "pg_cron");
    CHECK(sb.psql(cron_url, "show cron.host") == (sb.working_dir() / "sock").string());
    CHECK(sb.psql(cron_url, "show cron.database_name") == "testdb");
    sb.psql(cron_url, "create extension pg_cron");
    CHECK(sb.psql(cron_url, "select count(*) from cron.job") == "0");
  } else {
    WARN("pg_cron is not installed: the default-preload check only sees the warning");
    auto cron = sb.run("postgres-init", {}, {{"-PG_SHARED_PRELOAD_LIBRARIES", ""}});
    CHECK(cron.code == 0);
    CHECK_THAT(cron.err, Catch::Contains("pg_cron") && Catch::Contains("starting without it"));
  }
}

TEST_CASE("errors: missing variables, invalid PG_URL_VAR and PG_PORT, a file as PG_WORKING_DIR, long socket path, unknown option") {
  Sandbox sb;
  auto none = sb.run("postgres-init", {}, {{"-PG_WORKING_DIR", ""}, {"-LOCAL_DIR", ""}});
  CHECK(none.code == 3);
  CHECK_THAT(none.err, Catch::Contains("postgres-init: error:") && Catch::Contains("PG_WORKING_DIR") &&
                           Catch::Contains("LOCAL_DIR"));
  CHECK(none.out.empty());

  auto bad_var = sb.run("postgres-init", {}, {{"PG_URL_VAR", "9-lives"}});
  CHECK(bad_var.code == 3);
  CHECK_THAT(bad_var.err, Catch::Contains("PG_URL_VAR") && Catch::Contains("9-lives"));

  auto bad_port = sb.run("postgres-init", {}, {{"PG_PORT", "http"}});
  CHECK(bad_port.code == 3);
  CHECK_THAT(bad_port.err, Catch::Contains("PG_PORT") && Catch::Contains("http"));

  auto file = sb.write("not-a-dir", "x");
  auto regular = sb.run("postgres-init", {}, {{"PG_WORKING_DIR", file.string()}});
  CHECK(regular.code == 13);
  CHECK_THAT(regular.err, Catch::Contains("not a directory") && Catch::Contains(file.string()));
  CHECK(slurp(file) == "x");

  auto long_dir = sb.path() / std::string(100, 'a');
  auto too_long = sb.run("postgres-init", {}, {{"PG_WORKING_DIR", long_dir.string()}});
  CHECK(too_long.code == 3);
  auto socket_path = (long_dir / "sock" / ".s.PGSQL.5432").string();
  CHECK_THAT(too_long.err, Catch::Contains(socket_path) &&
                               Catch::Contains(std::to_string(socket_path.size()) + " bytes") &&
                               Catch::Contains("107"));
  CHECK_FALSE(std::filesystem::exists(long_dir));

  auto unknown = sb.run("postgres-init", {"--bogus"});
  CHECK(unknown.code == 9);
  CHECK_THAT(unknown.err, Catch::Contains("--bogus"));

  auto missing_bin = sb.run("postgres-init", {}, {{"PG_BIN_DIR", (sb.path() / "nobin").string()}});
  CHECK(missing_bin.code == 127);
  CHECK_THAT(missing_bin.err, Catch::Contains("pg_ctl") && Catch::Contains("nobin"));

  CHECK_FALSE(std::filesystem::exists(sb.working_dir() / "data"));
}

TEST_CASE("help documents every variable with its default, and --version") {
  Sandbox sb;
  auto help = sb.run("postgres-init", {"--help"});
  CHECK(help.code == 0);
  for (const char* name : {"PG_WORKING_DIR", "LOCAL_DIR", "PG_DATABASE", "PG_PORT", "PG_URL_VAR", "PG_REUSE",
                           "PG_CONF_FILE", "PG_SHARED_PRELOAD_LIBRARIES", "PG_DISABLE_LOGGING", "PG_LOG_PATH",
                           "PG_BIN_DIR", "PG_RUN_AS", "HECTIC_CACHE_DIR", "PG_INIT_CACHE", "PG_INIT_SPARES", "NO_TTY", "HECTIC_LOG",
                           "[testdb]", "[5432]", "[PGURL]", "[pg_cron]", "Examples:", "eval \"$(postgres-init)\""})
    CHECK_THAT(help.out, Catch::Contains(name));
  auto cleanup_help = sb.run("postgres-cleanup", {"--help"});
  CHECK(cleanup_help.code == 0);
  for (const char* name : {"PG_WORKING_DIR", "LOCAL_DIR", "HECTIC_LOG", "Examples:"})
    CHECK_THAT(cleanup_help.out, Catch::Contains(name));
  auto version = sb.run("postgres-init", {"--version"});
  CHECK(version.code == 0);
  CHECK_THAT(version.out, Catch::StartsWith("postgres-init "));
}
