// database backup / restore / normalize-backup on real servers.
#include <catch2/catch.hpp>

#include "common/base/fs.hpp"
#include "common/pg/pgbin.hpp"
#include "common/pg/pq.hpp"
#include "common/pg/quote.hpp"
#include "tests/support/harness.hpp"

using namespace hectic::test;
namespace stdfs = std::filesystem;

namespace {
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
} // namespace

TEST_CASE("backup -> restore keeps a row, normalize-backup round trip and a production-like backup") {
  Sandbox sandbox;
  auto url = sandbox.start_cluster();
  std::map<std::string, std::string> env{{"DB_URL", url}};
  sandbox.psql(url, "CREATE TABLE public.keep (v text); INSERT INTO public.keep VALUES ('before backup')");

  auto backup = sandbox.run("database", {"backup"}, env);
  INFO(backup.err);
  REQUIRE(backup.code == 0);
  auto dir = sandbox.path() / "focus" / "postgresql-backup";
  CHECK(stdfs::exists(dir / "base.tar.gz"));
  CHECK(stdfs::exists(dir / "pg_wal.tar.gz"));
  CHECK(hectic::fs::read_file(dir / "database_name") == "testdb\n");

  sandbox.psql(url, "DELETE FROM public.keep; INSERT INTO public.keep VALUES ('after backup')");
  auto restore = sandbox.run("database", {"restore"});
  INFO(restore.err);
  REQUIRE(restore.code == 0);
  CHECK(sandbox.psql(url, "SELECT string_agg(v, ',') FROM public.keep") == "before backup");
  CHECK_FALSE(stdfs::exists(sandbox.working_dir() / "data" / "standby.signal"));

  // normalize: input untouched, output holds base.tar.gz + database_name, restorable.
  auto before = hectic::fs::read_file(dir / "base.tar.gz");
  auto normalize = sandbox.run("database", {"normalize-backup", "--database", "appdb"});
  INFO(normalize.err);
  REQUIRE(normalize.code == 0);
  CHECK(hectic::fs::read_file(dir / "base.tar.gz") == before);
  auto out = sandbox.path() / "focus" / "postgresql-backup-normalized";
  CHECK(stdfs::exists(out / "base.tar.gz"));
  CHECK(hectic::fs::read_file(out / "database_name") == "appdb\n");
  for (const auto& entry : stdfs::directory_iterator(sandbox.path() / "focus"))
    CHECK_FALSE(contains(entry.path().filename().string(), ".normalize-"));

  sandbox.psql(url, "DELETE FROM public.keep");
  auto round_trip = sandbox.run("database", {"restore", out.string()});
  INFO(round_trip.err);
  REQUIRE(round_trip.code == 0);
  CHECK(sandbox.psql(url, "SELECT string_agg(v, ',') FROM public.keep") == "before backup");
  auto app_url = hectic::test::exported(round_trip.out, "PGURL");
  REQUIRE(app_url);
  CHECK(contains(*app_url, "appdb"));
  CHECK(sandbox.psql(*app_url, "SELECT current_database()") == "appdb");

  // An archive file works too (--archive).
  auto archive = sandbox.path() / "backup.tar";
  auto tar = sandbox.run_program("tar", {"-cf", archive.string(), "-C", dir.string(), "."});
  REQUIRE(tar.code == 0);
  sandbox.psql(url, "DELETE FROM public.keep");
  auto from_archive = sandbox.run("database", {"restore", "--archive", archive.string()});
  INFO(from_archive.err);
  REQUIRE(from_archive.code == 0);
  CHECK(sandbox.psql(url, "SELECT string_agg(v, ',') FROM public.keep") == "before backup");

  // --admin-role connects as a superuser of the backup's own; --role is the role ensured.
  sandbox.psql(url, "CREATE ROLE prod_admin LOGIN SUPERUSER");
  auto with_admin = sandbox.path() / "focus" / "with-admin";
  REQUIRE(sandbox.run("database", {"backup", "-o", with_admin.string()}, env).code == 0);
  auto admin_out = sandbox.path() / "focus" / "admin-normalized";
  auto as_admin = sandbox.run("database", {"normalize-backup", "--admin-role", "prod_admin", "--role", "app_owner",
                                           "-o", admin_out.string(), with_admin.string()});
  INFO(as_admin.err);
  REQUIRE(as_admin.code == 0);
  auto restored_admin = sandbox.run("database", {"restore", admin_out.string()});
  INFO(restored_admin.err);
  REQUIRE(restored_admin.code == 0);
  CHECK(sandbox.psql(url, "SELECT rolsuper AND rolcanlogin FROM pg_roles WHERE rolname = 'app_owner'") == "t");
  CHECK(sandbox.psql(url, "SELECT string_agg(v, ',') FROM public.keep") == "before backup");

  // A "production" backup: standby leftovers, TCP-only scram access, a primary_conninfo.
  // normalize-backup turns it into one that restores locally.
  auto prod = sandbox.path() / "prod-extract";
  stdfs::create_directories(prod);
  REQUIRE(sandbox.run_program("tar", {"-xzf", (dir / "base.tar.gz").string(), "-C", prod.string()}).code == 0);
  sandbox.write("prod-extract/standby.signal", "");
  sandbox.write("prod-extract/pg_hba.conf", "hostssl all all 0.0.0.0/0 scram-sha-256\n");
  sandbox.write("prod-extract/postgresql.auto.conf", "primary_conninfo = 'host=prod.example.com user=replicator'\nssl = on\n");
  auto prod_backup = sandbox.path() / "prod-backup";
  stdfs::create_directories(prod_backup);
  REQUIRE(sandbox.run_program("tar", {"-czf", (prod_backup / "base.tar.gz").string(), "-C", prod.string(), "."}).code == 0);
  stdfs::copy_file(dir / "pg_wal.tar.gz", prod_backup / "pg_wal.tar.gz");
  auto local = sandbox.path() / "prod-local";
  auto normalized = sandbox.run("database", {"normalize-backup", "-o", local.string(), prod_backup.string()});
  INFO(normalized.err);
  REQUIRE(normalized.code == 0);
  CHECK(hectic::fs::read_file(local / "database_name") == "testdb\n");
  sandbox.psql(url, "DELETE FROM public.keep");
  auto restored_prod = sandbox.run("database", {"restore", local.string()});
  INFO(restored_prod.err);
  REQUIRE(restored_prod.code == 0);
  CHECK(sandbox.psql(url, "SELECT string_agg(v, ',') FROM public.keep") == "before backup");
  CHECK(sandbox.psql(url, "SELECT pg_is_in_recovery()") == "f");
  CHECK_FALSE(stdfs::exists(sandbox.working_dir() / "data" / "standby.signal"));

  // A failed restore never costs the cluster its data: the server keeps running with its rows.
  sandbox.psql(url, "INSERT INTO public.keep VALUES ('not in any backup')");
  const std::string rows = "before backup,not in any backup";
  auto bad = sandbox.write("not-a-backup/readme", "x");
  auto refused = sandbox.run("database", {"restore", bad.parent_path().string()});
  CHECK(refused.code == 1);
  CHECK(contains(refused.err, "has no base.tar.gz"));
  CHECK(sandbox.psql(url, "SELECT string_agg(v, ',' ORDER BY v) FROM public.keep") == rows);

  sandbox.write("corrupt-backup/base.tar.gz", "this is not a tar archive\n");
  auto corrupt = sandbox.run("database", {"restore", (sandbox.path() / "corrupt-backup").string()});
  INFO(corrupt.err);
  CHECK(corrupt.code == 1);
  CHECK(contains(corrupt.err, "tar"));
  CHECK(sandbox.psql(url, "SELECT string_agg(v, ',' ORDER BY v) FROM public.keep") == rows);

  // A valid tar that holds no data directory: never a fresh, empty cluster.
  sandbox.write("not-pgdata/content/readme.txt", "hello\n");
  auto not_pgdata = sandbox.path() / "not-pgdata-backup";
  stdfs::create_directories(not_pgdata);
  REQUIRE(sandbox.run_program("tar", {"-czf", (not_pgdata / "base.tar.gz").string(), "-C",
                                      (sandbox.path() / "not-pgdata" / "content").string(), "."}).code == 0);
  auto no_pgdata = sandbox.run("database", {"restore", not_pgdata.string()});
  CHECK(no_pgdata.code == 1);
  CHECK(contains(no_pgdata.err, "holds no PostgreSQL data directory"));
  CHECK(sandbox.psql(url, "SELECT string_agg(v, ',' ORDER BY v) FROM public.keep") == rows);

  // A backup that extracts but cannot start (no pg_control): exit 2, never a fresh empty
  // cluster; the previous data is put back and its server started again.
  stdfs::remove(prod / "global" / "pg_control");
  stdfs::remove(prod / "standby.signal");
  auto damaged = sandbox.path() / "damaged-backup";
  stdfs::create_directories(damaged);
  REQUIRE(sandbox.run_program("tar", {"-czf", (damaged / "base.tar.gz").string(), "-C", prod.string(), "."}).code == 0);
  auto unstartable = sandbox.run("database", {"restore", damaged.string()});
  INFO(unstartable.err);
  CHECK(unstartable.code == 2);
  CHECK(contains(unstartable.err, "could not start"));
  CHECK(contains(unstartable.err, "is back in place and its server running again"));
  CHECK(sandbox.psql(url, "SELECT string_agg(v, ',' ORDER BY v) FROM public.keep") == rows);
  for (const auto& entry : stdfs::directory_iterator(sandbox.working_dir()))
    CHECK_FALSE(contains(entry.path().filename().string(), ".restore"));
}

namespace {

// A "production" cluster whose only superuser is prodadmin (the bootstrap role, oid 10) and
// which has no role named after our server account, as `initdb -U prodadmin` makes it:
// postgres-init's cluster with its bootstrap role renamed by a helper superuser, which is then
// dropped. Returns prodadmin's URL of database proddb, holding public.prod.
std::string production_cluster(Sandbox& sandbox, const std::string& working_dir) {
  auto started = sandbox.run("postgres-init", {}, {{"PG_WORKING_DIR", working_dir}, {"PG_DATABASE", "proddb"}});
  INFO(started.err);
  REQUIRE(started.code == 0);
  auto url = exported(started.out, "PGURL");
  REQUIRE(url);
  auto keywords = hectic::pq::parse_conninfo(*url);
  const auto local = keywords["user"];
  sandbox.psql(*url, "CREATE ROLE helper LOGIN SUPERUSER");
  auto as = [&](const std::string& user) {
    auto k = keywords;
    k["user"] = user;
    return hectic::pq::build_conninfo(k);
  };
  sandbox.psql(as("helper"), "ALTER ROLE " + hectic::pq::quote_identifier(local) + " RENAME TO prodadmin");
  sandbox.psql(as("prodadmin"), "DROP ROLE helper");
  sandbox.psql(as("prodadmin"), "CREATE TABLE public.prod (v text); INSERT INTO public.prod VALUES ('from production')");
  REQUIRE(sandbox.psql(as("prodadmin"),
                       "SELECT string_agg(rolname, ',') FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%'") == "prodadmin");
  return as("prodadmin");
}

// Restores backup into the sandbox cluster; the data is the local user's, a superuser there.
void check_restored_for_local_user(Sandbox& sandbox, const stdfs::path& backup, const std::string& database) {
  auto restored = sandbox.run("database", {"restore", backup.string()});
  INFO(restored.err);
  REQUIRE(restored.code == 0);
  auto url = exported(restored.out, "PGURL");
  REQUIRE(url);
  CHECK(sandbox.psql(*url, "SELECT current_database()") == database);
  CHECK(sandbox.psql(*url, "SELECT string_agg(v, ',') FROM public.prod") == "from production");
  CHECK(sandbox.psql(*url, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user") == "t");
  CHECK(sandbox.psql(*url, "SELECT pg_get_userbyid(datdba) = current_user FROM pg_database "
                           "WHERE datname = current_database()") == "t");
}

} // namespace

TEST_CASE("normalize-backup --admin-role of a backup without our account's role") {
  Sandbox sandbox;
  sandbox.start_cluster();
  auto prod_url = production_cluster(sandbox, (sandbox.path() / "prod-pg").string());

  // A `database backup` of it (database_name: proddb): another server only with -u (issue 16).
  auto backup = sandbox.path() / "prod-backup";
  auto made = sandbox.run("database", {"-u", prod_url, "backup", "-o", backup.string()});
  INFO(made.err);
  REQUIRE(made.code == 0);
  auto normalized = sandbox.path() / "prod-normalized";
  auto normalize = sandbox.run("database", {"normalize-backup", "--admin-role", "prodadmin", "-o",
                                            normalized.string(), backup.string()});
  INFO(normalize.err);
  REQUIRE(normalize.code == 0);
  check_restored_for_local_user(sandbox, normalized, "proddb");

  // A plain pg_basebackup (no database_name): the database is --database, else PG_DATABASE.
  auto base = sandbox.path() / "prod-basebackup";
  auto basebackup = sandbox.run_program(hectic::pgbin::program("pg_basebackup"),
                                        {"-d", prod_url, "-D", base.string(), "-F", "t", "-z", "-X", "stream"});
  INFO(basebackup.err);
  REQUIRE(basebackup.code == 0);
  REQUIRE(stdfs::exists(base / "base.tar.gz"));
  REQUIRE_FALSE(stdfs::exists(base / "database_name"));
  auto by_flag = sandbox.path() / "by-flag";
  auto with_flag = sandbox.run("database", {"normalize-backup", "--admin-role", "prodadmin", "--database", "proddb",
                                            "-o", by_flag.string(), base.string()});
  INFO(with_flag.err);
  REQUIRE(with_flag.code == 0);
  check_restored_for_local_user(sandbox, by_flag, "proddb");
  auto by_env = sandbox.path() / "by-env";
  auto with_env = sandbox.run("database", {"normalize-backup", "--admin-role", "prodadmin", "-o", by_env.string(),
                                           base.string()},
                              {{"PG_DATABASE", "proddb"}});
  INFO(with_env.err);
  REQUIRE(with_env.code == 0);
  CHECK(hectic::fs::read_file(by_env / "database_name") == "proddb\n");
  check_restored_for_local_user(sandbox, by_env, "proddb");
}
