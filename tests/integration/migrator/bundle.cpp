// The hectic bundle on a real server: idempotent apply (schema dump unchanged), concurrent
// appliers, the inheritance rules with their exemptions, the secret loader.
#include <catch2/catch.hpp>

#include <thread>

#include "common/migrate/bundle.hpp"
#include "common/base/error.hpp"
#include "common/pg/pgbin.hpp"
#include "common/pg/pq.hpp"
#include "tests/support/harness.hpp"

using namespace hectic;

namespace {

std::string database(test::Sandbox& sandbox, const std::string& cluster_url, const std::string& name) {
  sandbox.psql(cluster_url, "CREATE DATABASE " + name);
  auto keywords = pq::parse_conninfo(cluster_url);
  keywords["dbname"] = name;
  return pq::build_conninfo(keywords);
}

std::string schema_dump(const test::Sandbox& sandbox, const std::string& url) {
  auto result = sandbox.run_program(pgbin::program("pg_dump"), {"--schema-only", "-d", url});
  INFO(result.err);
  REQUIRE(result.code == 0);
  std::string out;
  size_t pos = 0;
  while (pos < result.out.size()) {
    auto end = result.out.find('\n', pos);
    if (end == std::string::npos) end = result.out.size();
    auto line = result.out.substr(pos, end - pos);
    if (line.rfind("\\restrict ", 0) != 0 && line.rfind("\\unrestrict ", 0) != 0) out += line + "\n";
    pos = end + 1;
  }
  return out;
}

// The SQLSTATE of a statement that must fail.
std::string fails_with(pq::Connection& c, const std::string& sql) {
  try {
    c.exec(sql);
  } catch (const pq::SqlError& e) {
    return e.sqlstate() + " " + e.server_message();
  }
  return "succeeded";
}

} // namespace

TEST_CASE("applying the bundle is idempotent, ordered, and serialised between appliers") {
  test::Sandbox sandbox;
  auto cluster = sandbox.start_cluster();
  auto url = database(sandbox, cluster, "idem");
  {
    pq::Connection c(url);
    CHECK_FALSE(bundle::installed_version(c));
    bundle::apply(c);
    CHECK(bundle::installed_version(c) == std::optional<std::string>("0.1.0"));
  }
  auto first = schema_dump(sandbox, url);
  {
    pq::Connection c(url);
    bundle::apply(c);
    bundle::apply(c);
  }
  CHECK(schema_dump(sandbox, url) == first);
  CHECK(sandbox.psql(url, "SELECT count(*) FROM hectic.version") == "1");
  {
    // ensure(): nothing to do on a complete database; a missing part brings the full apply.
    pq::Connection c(url);
    CHECK_FALSE(bundle::ensure(c));
    c.exec("DROP TABLE hectic.migration_run");
    CHECK(bundle::ensure(c));
    CHECK(c.exec("SELECT to_regclass('hectic.migration_run') IS NOT NULL").scalar() == "t");
  }
  CHECK(schema_dump(sandbox, url) == first);

  // A production-like role: no CREATE on the database, owns nothing of the bundle, yet
  // `migrate` works (the bundle is complete, so no DDL is attempted on it).
  sandbox.psql(url, "CREATE ROLE deployer LOGIN; REVOKE CREATE ON DATABASE idem FROM PUBLIC; "
                    "GRANT USAGE, CREATE ON SCHEMA public TO deployer; GRANT USAGE ON SCHEMA hectic TO deployer; "
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA hectic TO deployer; "
                    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA hectic TO deployer");
  auto keywords = pq::parse_conninfo(url);
  keywords["user"] = "deployer";
  auto deployer = pq::build_conninfo(keywords);
  // (A CREATE TABLE ... INHERITS would need to own hectic.created_at: PostgreSQL's rule.)
  sandbox.write("m/20250101000000-t/up.sql", "CREATE FUNCTION public.t() RETURNS int LANGUAGE sql AS 'SELECT 1';\n");
  sandbox.write("m/20250101000000-t/down.sql", "DROP FUNCTION public.t();\n");
  auto run = sandbox.run("migrator", {"-u", deployer, "-d", (sandbox.path() / "m").string(), "migrate", "up"});
  INFO(run.err);
  CHECK(run.code == 0);
  CHECK(sandbox.psql(url, "SELECT proowner::regrole FROM pg_proc WHERE proname = 't'") == "deployer");
  auto init = sandbox.run("migrator", {"-u", deployer, "init"});
  CHECK(init.code == 1); // an explicit init re-applies everything: it needs the privileges
  CHECK_THAT(init.err, Catch::Contains("permission denied"));

  // In the caller's transaction: applied there, rolled back with it.
  auto url2 = database(sandbox, cluster, "callertx");
  {
    pq::Connection c(url2);
    c.exec("BEGIN");
    bundle::apply(c);
    CHECK(c.exec("SELECT to_regclass('hectic.migration') IS NOT NULL").scalar() == "t");
    c.exec("ROLLBACK");
    CHECK(c.exec("SELECT to_regnamespace('hectic') IS NULL").scalar() == "t");
  }

  // Four appliers at once on a fresh database: all succeed, one version row.
  auto url3 = database(sandbox, cluster, "race");
  std::vector<std::thread> threads;
  std::vector<std::string> errors(4);
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      try {
        pq::Connection c(url3);
        bundle::apply(c);
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  for (auto& t : threads) t.join();
  for (const auto& e : errors) CHECK(e.empty());
  CHECK(sandbox.psql(url3, "SELECT count(*) FROM hectic.version") == "1");

  // Another version recorded: Error(internal) naming both; nothing applied.
  sandbox.psql(url3, "UPDATE hectic.version SET version = '9.9.9'; DROP TABLE hectic.migration_run");
  pq::Connection c(url3);
  try {
    bundle::apply(c);
    FAIL("a version mismatch must throw");
  } catch (const pq::SqlError&) {
    FAIL("a version mismatch is not a SqlError");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::internal);
    CHECK(std::string(e.what()) == "hectic bundle version mismatch: database has 9.9.9, this build has 0.1.0");
  }
  CHECK(sandbox.psql(url3, "SELECT to_regclass('hectic.migration_run') IS NULL") == "t");
  // The plain SQL says it too, for psql -f users.
  auto plain = sandbox.run_program(pgbin::program("psql"), {"-XAtq", "-v", "ON_ERROR_STOP=1", "-d", url3},
                                   {}, bundle::full_sql());
  CHECK(plain.code != 0);
  CHECK_THAT(plain.err, Catch::Contains("hectic bundle version mismatch: database has 9.9.9, bundle is 0.1.0"));
}

TEST_CASE("the inheritance rules, their exemptions, and the secret loader") {
  test::Sandbox sandbox;
  auto cluster = sandbox.start_cluster();
  auto url = database(sandbox, cluster, "rules");
  pq::Connection c(url);
  bundle::apply(c);

  CHECK_THAT(fails_with(c, "CREATE TABLE loose (x int)"),
             Catch::StartsWith("P0001 hectic: table public.loose must INHERITS (hectic.created_at)"));
  c.exec("CREATE TABLE tracked (id int PRIMARY KEY, v text) INHERITS (hectic.created_at, hectic.updated_at)");
  c.exec("INSERT INTO tracked (id, v, updated_at) VALUES (1, 'a', now() - interval '1 day')");
  CHECK(c.exec("UPDATE tracked SET v = 'b' RETURNING updated_at > now() - interval '1 hour'").scalar() == "t");

  c.exec("CREATE TABLE frozen (id int) INHERITS (hectic.created_at, hectic.immutable)");
  for (const char* dml : {"INSERT INTO frozen (id) VALUES (1)", "UPDATE frozen SET id = 2",
                          "DELETE FROM frozen", "TRUNCATE frozen"})
    CHECK_THAT(fails_with(c, dml), Catch::StartsWith("42501 hectic:") && Catch::Contains("hectic.immutable"));
  c.exec("BEGIN; SET LOCAL hectic.migration_mode = 'on'; INSERT INTO frozen (id) VALUES (1); "
         "UPDATE frozen SET id = 2; COMMIT");
  CHECK(c.exec("SELECT id FROM frozen").scalar() == "2");
  // SET LOCAL ended with the transaction.
  CHECK_THAT(fails_with(c, "DELETE FROM frozen"), Catch::StartsWith("42501"));

  // Exempt: temporary tables, partitions, schema hectic and pg_*, the GUC's schemas.
  c.exec("CREATE TEMP TABLE scratch (x int)");
  c.exec("CREATE TABLE hectic_free (x int) INHERITS (hectic.created_at)");
  c.exec("SET hectic.inheritance_extra_excluded_schemas = 'legacy, etl'");
  c.exec("CREATE SCHEMA etl; CREATE TABLE etl.raw (x int)");
  // A partitioned parent cannot use INHERITS, so it lives in an excluded schema; its
  // partitions are exempt wherever they are.
  c.exec("CREATE TABLE etl.parted (k int) PARTITION BY RANGE (k)");
  c.exec("CREATE TABLE public.parted_1 PARTITION OF etl.parted FOR VALUES FROM (0) TO (10)");
  CHECK_THAT(fails_with(c, "CREATE SCHEMA other; CREATE TABLE other.raw (x int)"),
             Catch::Contains("other.raw must INHERITS"));

  // Secrets: a bound parameter, trimmed, comments skipped, split at the first '=', quotes.
  bundle::load_secrets(c, "# comment\n\n  A = 1 \nB=\"two=2\"\nC='it''s'\nD=\"unbalanced'\r\nnot a pair\n"
                          "E=x'); DROP TABLE tracked; --\nA=3\n");
  CHECK(c.exec("SELECT string_agg(key || '=' || value, '|' ORDER BY key) FROM hectic.secret").scalar() ==
        "A=3|B=two=2|C=it''s|D=\"unbalanced'|E=x'); DROP TABLE tracked; --");
  CHECK(c.exec("SELECT hectic.get_secret('B')").scalar() == "two=2");
  CHECK(c.exec("SELECT hectic.get_secret('missing') IS NULL").scalar() == "t");
  CHECK(c.exec("SELECT to_regclass('tracked') IS NOT NULL").scalar() == "t");
  bundle::load_secrets(c, "ONLY=1");
  CHECK(c.exec("SELECT count(*) FROM hectic.secret").scalar() == "1");
}
