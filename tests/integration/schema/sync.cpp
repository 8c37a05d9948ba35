// migrator diff --env FILE: syncing two live databases the `ddp sync` way (README "migrator
// diff: sync two databases"): dotenv sides, schema mapping, rename-before-drop, its errors.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "common/pg/conninfo.hpp"
#include "tests/support/harness.hpp"

using namespace hectic;

namespace {

struct Fixture {
  test::Sandbox sandbox;
  std::string cluster_url = sandbox.start_cluster();
  std::map<std::string, std::string> server = pq::parse_conninfo(cluster_url);

  // A dotenv file naming the two databases of this cluster (host = its socket directory).
  std::string env_file(const std::string& source_db, const std::string& target_db, const std::string& extra = "") {
    auto side = [&](const char* prefix, const std::string& db) {
      return fmt::format("{0}_DB_HOST={1}\n{0}_DB_PORT={2}\n{0}_DB_NAME={3}\n{0}_DB_USER={4}\n"
                         "{0}_DB_PASSWORD=\"s3cret-{3}\"\n",
                         prefix, server["host"], server["port"], db, server["user"]);
    };
    return sandbox.write("sync.env", "# ddp sync\n" + side("SOURCE", source_db) + side("TARGET", target_db) + extra)
        .string();
  }
  test::Run diff(std::vector<std::string> args) const {
    args.insert(args.begin(), "diff");
    return sandbox.run("migrator", args, {}, {}, 300);
  }
};

} // namespace

TEST_CASE("sync with a dotenv file: the ddp layout, and what the source lacks renamed aside with its rows") {
  Fixture f;
  auto source = test::create_database(f.sandbox, f.cluster_url, "source",
                                      "CREATE TABLE item (id int PRIMARY KEY, label text, price numeric(12,2));\n"
                                      "CREATE INDEX item_label ON item (label);\n"
                                      "CREATE FUNCTION total() RETURNS numeric LANGUAGE sql AS 'SELECT sum(price) FROM item';\n");
  auto target = test::create_database(f.sandbox, f.cluster_url, "target",
                                      "CREATE TABLE item (id int PRIMARY KEY, label text);\n"
                                      "CREATE TABLE legacy (id int);\nINSERT INTO legacy VALUES (1), (2), (3);\n");
  auto env = f.env_file("source", "target");
  auto dry = f.diff({"--env", env, "--dry-run"});
  INFO(dry.err);
  CHECK(dry.code == 1);
  for (const char* part : {"SCHEMA SYNC SCRIPT", "-- source: ", "-- target: ", "TABLE OPERATIONS", "COLUMN OPERATIONS",
                           "INDEX OPERATIONS", "FUNCTION OPERATIONS", "END OF SYNC SCRIPT", "legacy_dropped_"})
    CHECK_THAT(dry.out, Catch::Contains(part));
  CHECK_THAT(dry.out + dry.err, !Catch::Contains("s3cret"));
  CHECK(f.sandbox.psql(target, "SELECT to_regclass('public.item_label') IS NULL") == "t"); // dry run: unchanged

  auto applied = f.diff({"--env", env, "--apply"});
  INFO(applied.err);
  CHECK(applied.code == 0);
  CHECK(f.sandbox.psql(target, "SELECT relname FROM pg_class WHERE relname LIKE 'legacy_dropped_%'").size() > 0);
  CHECK(f.sandbox.psql(target, "SELECT count(*) FROM pg_class c WHERE relname LIKE 'legacy_dropped_%' AND "
                               "(xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I', relname), "
                               "false, true, '')))[1]::text = '3'") == "1");
  CHECK(f.diff({"--from", target, "--to", source}).code == 1); // only the renamed-aside table is left
  CHECK(f.diff({"--env", env, "--apply", "--dry-run"}).code == 2);
}

TEST_CASE("sync one schema of each side, names mapped: --source-schema / --target-schema and _SCHEMA variables") {
  Fixture f;
  test::create_database(f.sandbox, f.cluster_url, "source",
                        "CREATE SCHEMA app;\nCREATE TABLE app.customer (id int PRIMARY KEY, name text);\n"
                        "CREATE VIEW app.named AS SELECT name FROM app.customer;\n"
                        "CREATE TABLE public.unrelated (id int);\n");
  auto target = test::create_database(f.sandbox, f.cluster_url, "target",
                                      "CREATE SCHEMA app_copy;\nCREATE TABLE app_copy.customer (id int PRIMARY KEY);\n");
  auto env = f.env_file("source", "target");
  auto run = f.diff({"--env", env, "--source-schema", "app", "--target-schema", "app_copy", "--apply"});
  INFO(run.err << run.out);
  CHECK(run.code == 0);
  CHECK(f.sandbox.psql(target, "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'app_copy' "
                               "AND table_name = 'customer'") == "2");
  CHECK(f.sandbox.psql(target, "SELECT to_regclass('app_copy.named') IS NOT NULL, to_regclass('public.unrelated') IS NULL") ==
        "t|t");
  // The same mapping from the file's variables; a second diff is empty.
  auto mapped = f.env_file("source", "target", "SOURCE_DB_SCHEMA=app\nTARGET_DB_SCHEMA=app_copy\n");
  auto again = f.diff({"--env", mapped});
  INFO(again.err << again.out);
  CHECK(again.code == 0);
}

TEST_CASE("sync errors: a missing variable, a refused connection, a schema not found") {
  Fixture f;
  test::create_database(f.sandbox, f.cluster_url, "source");
  test::create_database(f.sandbox, f.cluster_url, "target");
  auto env = f.sandbox.write("missing.env", "SOURCE_DB_HOST=/tmp\nSOURCE_DB_NAME=a\nSOURCE_DB_USER=u\n"
                                            "TARGET_DB_HOST=/tmp\nTARGET_DB_USER=u\n");
  auto missing = f.diff({"--env", env.string()});
  CHECK(missing.code == 3);
  CHECK_THAT(missing.err, Catch::Contains("target database: TARGET_DB_NAME is not set in " + env.string()));

  auto refused = f.sandbox.write("refused.env", "SOURCE_DB_HOST=127.0.0.1\nSOURCE_DB_PORT=1\nSOURCE_DB_NAME=a\n"
                                                "SOURCE_DB_USER=u\nSOURCE_DB_PASSWORD=hunter2\n"
                                                "TARGET_DB_HOST=127.0.0.1\nTARGET_DB_PORT=1\nTARGET_DB_NAME=b\n"
                                                "TARGET_DB_USER=u\nTARGET_DB_PASSWORD=hunter2\n");
  auto run = f.diff({"--env", refused.string()});
  CHECK(run.code == 1);
  CHECK_THAT(run.err, Catch::Contains("127.0.0.1") && Catch::Contains("port 1"));
  CHECK_THAT(run.out + run.err, !Catch::Contains("hunter2"));

  auto no_schema = f.diff({"--env", f.env_file("source", "target"), "--source-schema", "nope", "--target-schema", "public"});
  CHECK(no_schema.code == 1);
  CHECK_THAT(no_schema.err, Catch::Contains("schema nope not found"));
  CHECK(f.diff({"--env", f.env_file("source", "target"), "--from", "x"}).code == 2);
}
