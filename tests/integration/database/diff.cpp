// database diff: backup + migrations vs sources, on real servers.
#include <catch2/catch.hpp>

#include "common/base/fs.hpp"
#include "tests/support/harness.hpp"

using namespace hectic::test;
namespace stdfs = std::filesystem;

namespace {
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void replace_in(const stdfs::path& file, const std::string& from, const std::string& to) {
  auto text = hectic::fs::read_file(file);
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  hectic::fs::write_file_atomic(file, text);
}
} // namespace

TEST_CASE("diff: equal, column order only, schema differs, immutable row differs, diff log") {
  Sandbox sandbox;
  stdfs::copy(source_dir() / "examples" / "project", sandbox.path(),
              stdfs::copy_options::recursive | stdfs::copy_options::overwrite_existing);
  auto url = sandbox.start_cluster();
  std::map<std::string, std::string> env{{"DB_URL", url}};
  // "Production": the bundle and the first migration only.
  auto init = sandbox.run("database", {"migrator", "init"}, env);
  INFO(init.out << init.err);
  REQUIRE(init.code == 0);
  auto up = sandbox.run("database", {"migrator", "migrate", "up", "1"}, env);
  INFO(up.out << up.err);
  REQUIRE(up.code == 0);
  REQUIRE(sandbox.run("database", {"backup"}, env).code == 0);

  auto equal = sandbox.run("database", {"diff"}, {}, std::nullopt, 300);
  INFO(equal.out << equal.err);
  CHECK(equal.code == 0);
  CHECK(contains(equal.out, "no differences"));
  CHECK(contains(equal.out, "--- IMMUTABLE TABLE DATA ---"));
  CHECK_FALSE(stdfs::exists(sandbox.path() / "focus" / "postgresql-diff-db1"));
  CHECK_FALSE(stdfs::exists(sandbox.path() / "focus" / "postgresql-diff-db2"));

  auto logs = sandbox.run("database", {"diff", "log"});
  CHECK(logs.code == 0);
  CHECK(contains(logs.out, "==> db1/"));
  CHECK(contains(logs.out, "==> db2/"));

  // The migration appends invoice.note (ALTER ADD COLUMN); sources moving it up is not a change.
  auto tables = sandbox.path() / "db" / "src" / "schema" / "tables.sql";
  replace_in(tables, "    paid boolean NOT NULL DEFAULT false,\n    note text\n", "    note text,\n    paid boolean NOT NULL DEFAULT false\n");
  auto reordered = sandbox.run("database", {"diff"}, {}, std::nullopt, 300);
  INFO(reordered.out << reordered.err);
  CHECK(reordered.code == 0);
  CHECK(contains(reordered.out, "column order differs only (not a schema change): public.invoice"));

  replace_in(tables, "    note text,\n", "    note text,\n    due date,\n");
  auto schema = sandbox.run("database", {"diff", "-o", (sandbox.path() / "drift.diff").string()}, {}, std::nullopt, 300);
  INFO(schema.err);
  CHECK(schema.code == 1);
  auto drift = hectic::fs::read_file(sandbox.path() / "drift.diff");
  CHECK(contains(drift, "--- DB1 (backup + migrations)"));
  CHECK(contains(drift, "+    due date"));
  replace_in(tables, "    due date,\n", "");

  replace_in(sandbox.path() / "db" / "src" / "data" / "reference.sql", "    ('USD', 'US dollar');", "    ('USD', 'US dollars');");
  auto data = sandbox.run("database", {"diff"}, {}, std::nullopt, 300);
  INFO(data.out << data.err);
  CHECK(data.code == 1);
  CHECK(contains(data.out, "--- IMMUTABLE TABLE DATA ---"));
  CHECK(contains(data.out, "-(USD,\"US dollar\")"));
  CHECK(contains(data.out, "+(USD,\"US dollars\")"));
  CHECK_FALSE(stdfs::exists(sandbox.path() / "focus" / "postgresql-diff-db1"));
  replace_in(sandbox.path() / "db" / "src" / "data" / "reference.sql", "    ('USD', 'US dollars');", "    ('USD', 'US dollar');");

  // --tables: those tables' schema and data.
  auto some = sandbox.run("database", {"diff", "--tables", "public.customer,public.currency"}, {}, std::nullopt, 300);
  INFO(some.out << some.err);
  CHECK(some.code == 0);
  // A --tables name never becomes SQL text; one that names no table is exit 5 naming it.
  for (const std::string bad : {"public.nosuch", "public.customer; DROP TABLE public.customer"}) {
    auto unknown = sandbox.run("database", {"diff", "--tables", bad}, {}, std::nullopt, 300);
    INFO(unknown.out << unknown.err);
    CHECK(unknown.code == 5);
    CHECK(contains(unknown.err, bad));
  }

  // A failing migration stops the diff (exit 1, naming it) unless --ignore-migration-fail.
  sandbox.write("db/migration/20260201000000-broken/up.sql", "SELECT 1 / 0;\n");
  sandbox.write("db/migration/20260201000000-broken/down.sql", "SELECT 1;\n");
  auto broken = sandbox.run("database", {"diff"}, {}, std::nullopt, 300);
  CHECK(broken.code == 1);
  CHECK(contains(broken.err, "migrator migrate failed on DB1"));
  CHECK(contains(broken.err, "--ignore-migration-fail"));
  CHECK_FALSE(stdfs::exists(sandbox.path() / "focus" / "postgresql-diff-db1"));
  CHECK_FALSE(stdfs::exists(sandbox.path() / "focus" / "postgresql-diff-db2"));
  auto ignored = sandbox.run("database", {"diff", "--ignore-migration-fail"}, {}, std::nullopt, 300);
  INFO(ignored.out << ignored.err);
  CHECK(ignored.code == 0);

  // Ctrl-C while DB2 hydrates: both throw-away clusters are stopped and removed, exit 130.
  sandbox.write("db/src/data/mock.sql", "SELECT pg_sleep(120);\n");
  auto interrupted = sandbox.run_program("timeout", {"--preserve-status", "-s", "INT", "12",
                                                     tool("database").string(), "diff", "-m", "--ignore-migration-fail"});
  CHECK(interrupted.code == 130);
  CHECK_FALSE(stdfs::exists(sandbox.path() / "focus" / "postgresql-diff-db1"));
  CHECK_FALSE(stdfs::exists(sandbox.path() / "focus" / "postgresql-diff-db2"));
}
