// database diff --generate / --sql / the engine's summary, and migrator create --from-diff
// (README "database diff", "migrator create --from-diff"), on real servers.
#include <catch2/catch.hpp>

#include "common/base/fs.hpp"
#include "common/pg/pgbin.hpp"
#include "common/project/dbdiff.hpp"
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

// The migration directories of dir whose name ends with -suffix.
std::vector<stdfs::path> migrations_named(const stdfs::path& dir, const std::string& suffix) {
  std::vector<stdfs::path> out;
  for (const auto& entry : stdfs::directory_iterator(dir)) {
    auto name = entry.path().filename().string();
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      out.push_back(entry.path());
  }
  return out;
}

std::size_t count_entries(const stdfs::path& dir) {
  return static_cast<std::size_t>(std::distance(stdfs::directory_iterator(dir), stdfs::directory_iterator()));
}

std::string schema_dump(const Sandbox& sandbox, const std::string& url) {
  auto dump = sandbox.run_program(hectic::pgbin::program("pg_dump"),
                                  {"--schema-only", "--no-owner", "--no-privileges", "--dbname=" + url});
  INFO(dump.err);
  REQUIRE(dump.code == 0);
  return hectic::dbdiff::normalize_dump(dump.out);
}

// "Production": the example project with its bundle and every migration, backed up.
std::map<std::string, std::string> production(Sandbox& sandbox) {
  stdfs::copy(source_dir() / "examples" / "project", sandbox.path(),
              stdfs::copy_options::recursive | stdfs::copy_options::overwrite_existing);
  auto url = sandbox.start_cluster();
  std::map<std::string, std::string> env{{"DB_URL", url}};
  for (const std::vector<std::string>& args : {std::vector<std::string>{"migrator", "init"},
                                               std::vector<std::string>{"migrator", "migrate", "up", "all"},
                                               std::vector<std::string>{"backup"}}) {
    auto run = sandbox.run("database", args, env);
    INFO(run.out << run.err);
    REQUIRE(run.code == 0);
  }
  return env;
}

const std::string k_paid_note = "    paid boolean NOT NULL DEFAULT false,\n    note text\n";

} // namespace

TEST_CASE("diff summary and --sql, then --generate, diff equal, migrate down returns to the old schema") {
  Sandbox sandbox;
  auto env = production(sandbox);
  auto tables = sandbox.path() / "db" / "src" / "schema" / "tables.sql";
  replace_in(tables, "    amount numeric(12, 2) NOT NULL", "    amount numeric(14, 2) NOT NULL");
  replace_in(tables, k_paid_note, "    paid boolean NOT NULL DEFAULT false,\n    note text,\n    due date\n");
  hectic::fs::write_file_atomic(tables, hectic::fs::read_file(tables) +
                                            "\nCREATE INDEX invoice_due_idx ON public.invoice (due);\n"
                                            // the bundle's event trigger gives it hectic_set_updated_at
                                            "CREATE TABLE public.invoice_tag (\n    id bigserial PRIMARY KEY,\n"
                                            "    invoice_id bigint NOT NULL REFERENCES public.invoice (id),\n"
                                            "    tag text NOT NULL\n) INHERITS (hectic.created_at, hectic.updated_at);\n");

  // The dump diff on stdout as before; the engine's lines on stderr.
  auto plain = sandbox.run("database", {"diff"}, {}, std::nullopt, 300);
  INFO(plain.out << plain.err);
  CHECK(plain.code == 1);
  CHECK(plain.out.rfind("--- DB1 (backup + migrations)\n+++ DB2 (sources)\n", 0) == 0);
  CHECK(contains(plain.out, "+    due date"));
  CHECK_FALSE(contains(plain.out, "column due added"));
  CHECK(contains(plain.err, "table public.invoice: column amount numeric(12,2) -> numeric(14,2)\n"));
  CHECK(contains(plain.err, "table public.invoice: column due added (date)\n"));
  CHECK(contains(plain.err, "index public.invoice_due_idx: created\n"));
  CHECK(contains(plain.err, "table public.invoice_tag: created\n"));

  // --sql: the engine's script on stdout; -o still gets the dump diff, byte for byte.
  auto drift = sandbox.path() / "drift.diff";
  auto sql = sandbox.run("database", {"diff", "--sql", "-o", drift.string()}, {}, std::nullopt, 300);
  INFO(sql.out << sql.err);
  CHECK(sql.code == 1);
  CHECK(contains(sql.out, "-- from: DB1 (backup + migrations)"));
  CHECK(contains(sql.out, "ALTER TABLE public.invoice ADD COLUMN due date;"));
  CHECK(contains(sql.out, "CREATE INDEX invoice_due_idx ON public.invoice USING btree (due);"));
  CHECK(contains(sql.out, "DROP TRIGGER IF EXISTS hectic_set_updated_at ON public.invoice_tag;"));
  CHECK(hectic::fs::read_file(drift) == plain.out);

  auto migrations = sandbox.path() / "db" / "migration";
  auto generate = sandbox.run("database", {"diff", "--generate", "add-due"}, {}, std::nullopt, 300);
  INFO(generate.out << generate.err);
  CHECK(generate.code == 0);
  auto written = migrations_named(migrations, "-add-due");
  REQUIRE(written.size() == 1);
  auto up = hectic::fs::read_file(written[0] / "up.sql");
  auto down = hectic::fs::read_file(written[0] / "down.sql");
  CHECK(up.rfind("-- migration " + written[0].filename().string() + ": up", 0) == 0); // runs in a transaction
  CHECK(contains(up, "-- hazards:\n"));
  CHECK(contains(up, "\n--   table rewrite: public.invoice.amount numeric(12,2) -> numeric(14,2)"));
  CHECK(contains(up, "ALTER TABLE public.invoice ADD COLUMN due date;"));
  CHECK(contains(up, "DROP TRIGGER IF EXISTS hectic_set_updated_at ON public.invoice_tag;"));
  CHECK(contains(down, "-- hazards:\n"));
  CHECK(contains(down, "\n--   data loss: drops column public.invoice.due"));
  CHECK(contains(down, "DROP COLUMN due"));
  CHECK(contains(generate.err, "proved: with " + written[0].filename().string()));

  auto equal = sandbox.run("database", {"diff"}, {}, std::nullopt, 300);
  INFO(equal.out << equal.err);
  CHECK(equal.code == 0);
  CHECK(contains(equal.out, "no differences"));

  // On "production": up gives the new column, down returns to the old schema exactly.
  auto before = schema_dump(sandbox, env["DB_URL"]);
  auto migrate_up = sandbox.run("database", {"migrator", "migrate", "up"}, env);
  INFO(migrate_up.out << migrate_up.err);
  REQUIRE(migrate_up.code == 0);
  CHECK(contains(schema_dump(sandbox, env["DB_URL"]), "due date"));
  auto migrate_down = sandbox.run("database", {"migrator", "migrate", "down"}, env);
  INFO(migrate_down.out << migrate_down.err);
  REQUIRE(migrate_down.code == 0);
  CHECK(schema_dump(sandbox, env["DB_URL"]) == before);
}

TEST_CASE("generate: a destructive diff is refused without --allow-drop, nothing written, written with it") {
  Sandbox sandbox;
  production(sandbox);
  replace_in(sandbox.path() / "db" / "src" / "schema" / "tables.sql", k_paid_note,
             "    paid boolean NOT NULL DEFAULT false\n");
  auto migrations = sandbox.path() / "db" / "migration";
  auto count = count_entries(migrations);
  // Refused before any cluster starts (exit 2).
  for (const std::vector<std::string>& args : {std::vector<std::string>{"diff", "--generate", "x", "--tables", "public.invoice"},
                                               std::vector<std::string>{"diff", "--sql", "--tables", "public.invoice"},
                                               std::vector<std::string>{"diff", "--generate", "x", "--ignore-migration-fail"},
                                               std::vector<std::string>{"diff", "--allow-drop"}}) {
    auto bad = sandbox.run("database", args);
    INFO(bad.out << bad.err);
    CHECK(bad.code == 2);
  }

  auto refused = sandbox.run("database", {"diff", "--generate", "drop-note"}, {}, std::nullopt, 300);
  INFO(refused.out << refused.err);
  CHECK(refused.code == 2);
  CHECK(contains(refused.err, "ALTER TABLE public.invoice DROP COLUMN note;"));
  CHECK(contains(refused.err, "--allow-drop"));
  CHECK(count_entries(migrations) == count);
  CHECK(contains(refused.err, "table public.invoice: column note dropped"));

  auto allowed = sandbox.run("database", {"diff", "--generate", "drop-note", "--allow-drop"}, {}, std::nullopt, 300);
  INFO(allowed.out << allowed.err);
  CHECK(allowed.code == 0);
  auto written = migrations_named(migrations, "-drop-note");
  REQUIRE(written.size() == 1);
  auto up = hectic::fs::read_file(written[0] / "up.sql");
  CHECK(contains(up, "-- hazards:\n"));
  CHECK(contains(up, "\n--   data loss: drops column public.invoice.note"));
  CHECK(contains(up, "ALTER TABLE public.invoice DROP COLUMN note;"));
  CHECK(contains(hectic::fs::read_file(written[0] / "down.sql"), "ADD COLUMN note text"));

  auto equal = sandbox.run("database", {"diff"}, {}, std::nullopt, 300);
  INFO(equal.out << equal.err);
  CHECK(equal.code == 0);

  // Nothing left to generate: exit 0, nothing written.
  count = count_entries(migrations);
  auto nothing = sandbox.run("database", {"diff", "--generate", "again"}, {}, std::nullopt, 300);
  INFO(nothing.out << nothing.err);
  CHECK(nothing.code == 0);
  CHECK(contains(nothing.err, "nothing to generate"));
  CHECK(count_entries(migrations) == count);
}

TEST_CASE("migrator create --from-diff: no backup, empty database + migrations vs the sources") {
  Sandbox sandbox;
  stdfs::copy(source_dir() / "examples" / "project", sandbox.path(),
              stdfs::copy_options::recursive | stdfs::copy_options::overwrite_existing);
  auto tables = sandbox.path() / "db" / "src" / "schema" / "tables.sql";
  replace_in(tables, k_paid_note, "    paid boolean NOT NULL DEFAULT false,\n    note text,\n    due date\n");
  auto migrations = sandbox.path() / "db" / "migration";
  auto source = (sandbox.path() / "db" / "src").string();
  std::map<std::string, std::string> env{{"MIGRATION_DIR", migrations.string()}};

  auto create = sandbox.run("migrator", {"create", "--name", "add-due", "--from-diff", "--to", source}, env,
                            std::nullopt, 300);
  INFO(create.out << create.err);
  CHECK(create.code == 0);
  auto written = migrations_named(migrations, "-add-due");
  REQUIRE(written.size() == 1);
  // The path is the last line (the sources' \echo lines come before it).
  CHECK(create.out.size() > written[0].string().size());
  CHECK(create.out.substr(create.out.size() - written[0].string().size() - 1) == written[0].string() + "\n");
  CHECK(contains(hectic::fs::read_file(written[0] / "up.sql"), "ALTER TABLE public.invoice ADD COLUMN due date;"));
  CHECK(contains(create.err, "table public.invoice: column due added (date)"));

  // --to must be given with --from-diff, and --from-diff with --to.
  auto no_to = sandbox.run("migrator", {"create", "--name", "x", "--from-diff"}, env);
  CHECK(no_to.code == 3);
  CHECK(contains(no_to.err, "--to"));

  // A project with no migrations at all: the first one from an empty database (a .sql file).
  auto fresh = sandbox.path() / "fresh";
  auto schema = sandbox.write("schema.sql", "CREATE TABLE public.t (id bigint PRIMARY KEY, v text NOT NULL)\n"
                                            "    INHERITS (hectic.created_at, hectic.updated_at);\n"
                                            "CREATE VIEW public.v AS SELECT id FROM public.t;\n");
  auto first = sandbox.run("migrator", {"-d", fresh.string(), "create", "-n", "initial", "--from-diff", "--to",
                                        schema.string()}, {}, std::nullopt, 300);
  INFO(first.out << first.err);
  CHECK(first.code == 0);
  REQUIRE(migrations_named(fresh, "-initial").size() == 1);

  // An enum value used by a later statement commits on its own: a no-transaction migration,
  // proved under the migrator like any other.
  auto enums = sandbox.path() / "enums";
  auto s1 = sandbox.write("s1.sql", "CREATE TYPE public.state AS ENUM ('open', 'paid');\n"
                                    "CREATE TABLE public.bill (id bigint PRIMARY KEY, state public.state NOT NULL "
                                    "DEFAULT 'open') INHERITS (hectic.created_at);\n");
  auto s2 = sandbox.write("s2.sql", "CREATE TYPE public.state AS ENUM ('open', 'paid', 'late');\n"
                                    "CREATE TABLE public.bill (id bigint PRIMARY KEY, state public.state NOT NULL "
                                    "DEFAULT 'late') INHERITS (hectic.created_at);\n");
  for (const auto& [name, to] : {std::pair<std::string, stdfs::path>{"states", s1}, {"late", s2}}) {
    auto run = sandbox.run("migrator", {"-d", enums.string(), "create", "-n", name, "--from-diff", "--to", to.string()},
                           {}, std::nullopt, 300);
    INFO(run.out << run.err);
    REQUIRE(run.code == 0);
    CHECK(contains(run.err, "proved: with "));
  }
  auto late = migrations_named(enums, "-late");
  REQUIRE(late.size() == 1);
  auto late_up = hectic::fs::read_file(late[0] / "up.sql");
  CHECK(late_up.rfind("-- migrator: no-transaction\n", 0) == 0);
  CHECK(contains(late_up, "ALTER TYPE public.state ADD VALUE 'late' AFTER 'paid';"));

  // migrate up on a real server gives the sources' schema (the engine says so).
  auto url = sandbox.start_cluster();
  env["DB_URL"] = url;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"init"}, std::vector<std::string>{"migrate", "up", "all"}}) {
    auto run = sandbox.run("migrator", args, env);
    INFO(run.out << run.err);
    REQUIRE(run.code == 0);
  }
  auto same = sandbox.run("migrator", {"diff", "--from", url, "--to", source, "--hook"}, env, std::nullopt, 300);
  INFO(same.out << same.err);
  CHECK(same.code == 0);
  sandbox.psql(url, "CREATE DATABASE fresh");
  auto query = url.find('?'); // the socket dir is a query value and may hold '/'
  auto base = url.substr(0, query);
  auto fresh_url = base.substr(0, base.rfind('/')) + "/fresh" + (query == std::string::npos ? "" : url.substr(query));
  auto fresh_env = std::map<std::string, std::string>{{"DB_URL", fresh_url}, {"MIGRATION_DIR", fresh.string()}};
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"init"}, std::vector<std::string>{"migrate", "up", "all"}}) {
    auto run = sandbox.run("migrator", args, fresh_env);
    INFO(run.out << run.err);
    REQUIRE(run.code == 0);
  }
  auto same_fresh = sandbox.run("migrator", {"diff", "--from", fresh_url, "--to", schema.string(), "--hook"}, fresh_env,
                                std::nullopt, 300);
  INFO(same_fresh.out << same_fresh.err);
  CHECK(same_fresh.code == 0);
}
