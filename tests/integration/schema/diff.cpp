// migrator diff beyond convergence: sources of every kind, self-diffs of real schemas, what
// --apply refuses, --rename-before-drop, --online, JSON, exit codes, unsupported kinds.
#include <catch2/catch.hpp>

#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/base/fs.hpp"
#include "common/pg/conninfo.hpp"
#include "common/pg/pgbin.hpp"
#include "tests/support/harness.hpp"

using namespace hectic;
namespace stdfs = std::filesystem;

namespace {

struct Fixture {
  test::Sandbox sandbox;
  std::string cluster_url;
  int databases = 0;
  Fixture() : cluster_url(sandbox.start_cluster()) {}

  std::string database(const std::string& sql = "") {
    auto name = fmt::format("db_{}", ++databases);
    sandbox.psql(cluster_url, "CREATE DATABASE " + name + " TEMPLATE template0");
    auto keywords = pq::parse_conninfo(cluster_url);
    keywords["dbname"] = name;
    auto url = pq::build_conninfo(keywords);
    if (!sql.empty()) sandbox.psql(url, sql);
    return url;
  }

  test::Run diff(std::vector<std::string> args) {
    args.insert(args.begin(), "diff");
    return sandbox.run("migrator", args, {}, {}, 300);
  }
};

} // namespace

TEST_CASE("a diff of a schema with itself is empty: pgTAP's functions, the example project") {
  Fixture f;
  auto pgtap = f.sandbox.write("pgtap.sql", fs::read_file("/usr/share/postgresql/15/extension/pgtap--1.2.0.sql"));
  auto run = f.diff({"--from", pgtap.string(), "--to", pgtap.string()});
  INFO(run.err);
  CHECK(run.code == 0);
  CHECK_THAT(run.out, Catch::Contains("no differences"));
  auto src = (test::source_dir() / "examples/project/db/src").string();
  run = f.diff({"--from", src, "--to", src, "--hook"});
  INFO(run.err);
  CHECK(run.code == 0);
  auto migrations = (test::source_dir() / "examples/project/db/migration").string();
  run = f.diff({"--from", migrations, "--to", migrations});
  INFO(run.err);
  CHECK(run.code == 0);
}

TEST_CASE("a rental-store schema (pagila's features) diffs empty with itself and converges from and to nothing") {
  Fixture f;
  const auto rental = (test::source_dir() / "tests/golden/schema/rental.sql").string();
  auto run = f.diff({"--from", rental, "--to", rental});
  INFO(run.err);
  CHECK(run.code == 0);
  auto live = f.database();
  f.sandbox.psql(live, fs::read_file(rental));
  CHECK(f.diff({"--from", live, "--to", rental}).code == 0);

  auto empty = f.database();
  run = f.diff({"--from", empty, "--to", rental, "--apply"});
  INFO(run.out << run.err);
  REQUIRE(run.code == 0);
  CHECK(f.diff({"--from", empty, "--to", live}).code == 0);
  // The cycle of foreign keys (store <-> staff) and the partitions come apart too.
  auto blank = f.database();
  run = f.diff({"--from", live, "--to", blank, "--apply", "--allow-drop"});
  INFO(run.out << run.err);
  CHECK(run.code == 0);
  CHECK(f.sandbox.psql(live, "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace") == "0");
}

TEST_CASE("the rental-store schema evolves with its rows: a column under views retyped, an enum value, a partition") {
  Fixture f;
  const auto rental = fs::read_file(test::source_dir() / "tests/golden/schema/rental.sql");
  auto live = f.database(rental + "INSERT INTO language (name) VALUES ('English');\n"
                                  "INSERT INTO film (title, language_id, length, fulltext) VALUES ('Alien', 1, 117, '');\n");
  auto retyped = rental;
  retyped.replace(retyped.find("length smallint,"), 16, "length integer, ");
  auto next = f.sandbox.write("next.sql", retyped + R"(
ALTER TYPE public.mpaa_rating ADD VALUE 'X' AFTER 'NC-17';
ALTER TABLE public.film ADD COLUMN imdb_id text;
CREATE TABLE public.payment_p2022_03 PARTITION OF public.payment
  FOR VALUES FROM ('2022-03-01 00:00:00+00') TO ('2022-04-01 00:00:00+00');
CREATE OR REPLACE VIEW public.active_customer_list AS
  SELECT id, name, city, country, sid FROM public.customer_list WHERE notes = 'active';
)");
  auto run = f.diff({"--from", live, "--to", next.string(), "--apply"});
  INFO(run.out << run.err);
  REQUIRE(run.code == 0);
  CHECK(f.diff({"--from", live, "--to", next.string()}).code == 0);
  CHECK(f.sandbox.psql(live, "SELECT title || length FROM film") == "Alien117");
  CHECK(f.sandbox.psql(live, "SELECT count(*) FROM film_list") == "0");
}

TEST_CASE("every source kind: a .sql file, an entrypoint directory, a migration directory") {
  Fixture f;
  auto empty = f.database();
  f.sandbox.write("state/entrypoint.sql", "\\ir tables.sql\n");
  f.sandbox.write("state/tables.sql", "CREATE TABLE item (id int PRIMARY KEY, label text);\n");
  auto file = f.sandbox.write("state.sql", "CREATE TABLE item (id int PRIMARY KEY, label text);\n");
  // The hectic bundle (loaded with migrations) has tables inherit hectic.created_at.
  f.sandbox.write("migration/20260101000000-item/up.sql",
                  "CREATE TABLE item (id int PRIMARY KEY, label text) INHERITS (hectic.created_at);\n");
  f.sandbox.write("migration/20260101000000-item/down.sql", "DROP TABLE item;\n");
  for (const auto& source : {file, f.sandbox.path() / "state", f.sandbox.path() / "migration"}) {
    auto run = f.diff({"--from", empty, "--to", source.string()});
    INFO(source << "\n" << run.err);
    CHECK(run.code == 1);
    CHECK_THAT(run.out, Catch::Contains("CREATE TABLE public.item"));
  }
  auto run = f.diff({"--from", empty, "--to", file.string(), "--apply"});
  INFO(run.err);
  CHECK(run.code == 0);
  CHECK(f.diff({"--from", empty, "--to", (f.sandbox.path() / "state").string()}).code == 0);
}

TEST_CASE("a schema file with statements that cannot run in a transaction block loads") {
  Fixture f;
  auto empty = f.database();
  // A new enum value used in the same transaction is an error (55P04); CONCURRENTLY too (25001).
  for (const auto& [name, sql] :
       {std::pair<std::string, std::string>{"enum.sql", "CREATE TYPE mood AS ENUM ('ok');\n"
                                                        "ALTER TYPE mood ADD VALUE 'meh';\n"
                                                        "CREATE TABLE feel (m mood DEFAULT 'meh');\n"},
        {"concurrently.sql", "CREATE TABLE feel (m text);\nCREATE INDEX CONCURRENTLY feel_m ON feel (m);\n"}}) {
    auto file = f.sandbox.write(name, sql);
    auto run = f.diff({"--from", empty, "--to", file.string()});
    INFO(name << "\n" << run.err);
    CHECK(run.code == 1);
    CHECK_THAT(run.out, Catch::Contains("CREATE TABLE public.feel"));
  }
  // A failing file names the file and line of its failing statement.
  auto broken = f.sandbox.write("broken.sql", "CREATE TABLE ok (id int);\nCREATE TABLE ok (id int);\n");
  auto run = f.diff({"--from", empty, "--to", broken.string()});
  CHECK(run.code == 1);
  CHECK_THAT(run.err, Catch::Contains("broken.sql:2") && Catch::Contains("already exists"));
}

TEST_CASE("a destructive diff without --allow-drop prints the script but --apply runs nothing") {
  Fixture f;
  auto a = f.database("CREATE TABLE keep (id int); INSERT INTO keep VALUES (1), (2); CREATE TABLE other (x int);");
  auto b = f.database("CREATE TABLE other (x int, y int);");
  auto run = f.diff({"--from", a, "--to", b});
  CHECK(run.code == 1);
  CHECK_THAT(run.out, Catch::Contains("-- hazard: data loss: drops table public.keep"));
  run = f.diff({"--from", a, "--to", b, "--apply"});
  CHECK(run.code == 2);
  CHECK_THAT(run.err, Catch::Contains("--allow-drop") && Catch::Contains("DROP TABLE public.keep;"));
  CHECK(f.sandbox.psql(a, "SELECT count(*) FROM keep") == "2");
  CHECK(f.sandbox.psql(a, "SELECT count(*) FROM pg_attribute WHERE attrelid = 'other'::regclass AND attname = 'y'") ==
        "0"); // not even the harmless part ran
}

TEST_CASE("renaming before dropping (--rename-before-drop) keeps the rows and prints the final drops as a commented cleanup") {
  Fixture f;
  auto a = f.database("CREATE TABLE gone (id int); INSERT INTO gone VALUES (7); "
                      "CREATE TABLE kept (id int, old_col text); INSERT INTO kept VALUES (1, 'precious');");
  auto b = f.database("CREATE TABLE kept (id int);");
  auto run = f.diff({"--from", a, "--to", b, "--rename-before-drop"});
  CHECK(run.code == 1);
  CHECK_THAT(run.out, Catch::Contains("-- ==== cleanup") && Catch::Contains("-- DROP TABLE public."));
  run = f.diff({"--from", a, "--to", b, "--rename-before-drop", "--apply"});
  INFO(run.err);
  REQUIRE(run.code == 0);
  CHECK(f.sandbox.psql(a, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'gone_dropped_%'") == "1");
  auto column = f.sandbox.psql(a, "SELECT attname FROM pg_attribute WHERE attrelid = 'kept'::regclass AND attname "
                                  "LIKE 'old_col_dropped_%'");
  REQUIRE(!column.empty());
  CHECK(f.sandbox.psql(a, fmt::format("SELECT \"{}\" FROM kept", column)) == "precious");
}

TEST_CASE("online mode (--online) builds indexes CONCURRENTLY and validates constraints outside the transaction") {
  Fixture f;
  auto a = f.database("CREATE TABLE t (id int PRIMARY KEY, n int); INSERT INTO t VALUES (1, 1);");
  auto b = f.database("CREATE TABLE t (id int PRIMARY KEY, n int NOT NULL CHECK (n > 0)); CREATE INDEX t_n ON t (n);");
  auto run = f.diff({"--from", a, "--to", b, "--online"});
  CHECK_THAT(run.out, Catch::Contains("CREATE INDEX CONCURRENTLY t_n") && Catch::Contains("NOT VALID") &&
                          Catch::Contains("-- ==== outside the transaction"));
  run = f.diff({"--from", a, "--to", b, "--online", "--apply"});
  INFO(run.err);
  CHECK(run.code == 0);
  CHECK(f.diff({"--from", a, "--to", b}).code == 0);
}

TEST_CASE("the JSON output (--output-json) lists statements with hazards and each side's fingerprint, files private") {
  Fixture f;
  auto a = f.database("CREATE TABLE t (id int, gone text);");
  auto b = f.database("CREATE TABLE t (id bigint);");
  auto json_path = f.sandbox.path() / "diff.json";
  auto script_path = f.sandbox.path() / "diff.sql";
  auto run = f.diff({"--from", a, "--to", b, "--output-json", json_path.string(), "--output", script_path.string()});
  CHECK(run.code == 1);
  CHECK(run.out.empty());
  CHECK_THAT(run.err, Catch::Contains("~2 column") && Catch::Contains("hazard"));
  auto json = nlohmann::json::parse(fs::read_file(json_path));
  CHECK(json["from"]["fingerprint"] != json["to"]["fingerprint"]);
  bool drop_seen = false;
  for (const auto& s : json["statements"])
    if (s["sql"].get<std::string>().find("DROP COLUMN gone") != std::string::npos)
      drop_seen = s["destructive"].get<bool>() && s["transactional"].get<bool>() && !s["hazards"].empty();
  CHECK(drop_seen);
  CHECK((stdfs::status(json_path).permissions() & stdfs::perms::all) == (stdfs::perms::owner_read | stdfs::perms::owner_write));
  CHECK((stdfs::status(script_path).permissions() & stdfs::perms::all) == (stdfs::perms::owner_read | stdfs::perms::owner_write));
}

TEST_CASE("the printed script runs as it is with psql -1") {
  Fixture f;
  auto a = f.database("CREATE TABLE t (id int); CREATE VIEW v AS SELECT id FROM t;");
  auto b = f.database("CREATE TABLE t (id bigint, n text DEFAULT 'x'); CREATE VIEW v AS SELECT id, n FROM t; "
                      "CREATE FUNCTION f() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM v';");
  auto script = f.sandbox.path() / "s.sql";
  REQUIRE(f.diff({"--from", a, "--to", b, "--output", script.string()}).code == 1);
  auto psql = f.sandbox.run_program(pgbin::program("psql"), {"-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-f",
                                                             script.string(), "-d", a});
  INFO(psql.err);
  CHECK(psql.code == 0);
  CHECK(f.diff({"--from", a, "--to", b}).code == 0);
}

TEST_CASE("an unsupported object kind is an error naming it, never no differences") {
  Fixture f;
  auto a = f.database("CREATE TEXT SEARCH CONFIGURATION my_search (COPY = simple);");
  auto b = f.database();
  auto run = f.diff({"--from", a, "--to", b});
  CHECK(run.code == 1);
  CHECK_THAT(run.err, Catch::Contains("text search configuration public.my_search"));
  CHECK(run.out.empty());
  const std::pair<const char*, const char*> kinds[] = {
      {"CREATE TYPE flag AS ENUM ('on');\nCREATE CAST (flag AS text) WITH INOUT;", "cast public.flag AS text"},
      {"CREATE TEXT SEARCH DICTIONARY my_dict (TEMPLATE = simple);", "text search dictionary public.my_dict"},
      {"CREATE OPERATOR FAMILY my_ops USING btree;", "operator family public.my_ops"},
      {"CREATE TYPE later_type;", "shell type public.later_type"}};
  for (const auto& [sql, named] : kinds) {
    auto other = f.database(sql);
    run = f.diff({"--from", other, "--to", b});
    INFO(sql);
    CHECK(run.code == 1);
    CHECK_THAT(run.err, Catch::Contains(named));
  }
}

TEST_CASE("bad sources are exit 3 naming them, the password never prints") {
  Fixture f;
  auto run = f.diff({"--from", "/nonexistent/schema.sql", "--to", "/nonexistent/schema.sql"});
  CHECK(run.code == 3);
  CHECK_THAT(run.err, Catch::Contains("/nonexistent/schema.sql"));
  run = f.diff({"--from", f.database(), "--to", (f.sandbox.path() / "nothing.sql").string(), "--apply"});
  CHECK(run.code == 3);
  run = f.diff({"--to", "x"});
  CHECK(run.code != 0);
  f.sandbox.psql(f.cluster_url, "CREATE ROLE differ LOGIN PASSWORD 'sekrit-pw'");
  auto keywords = pq::parse_conninfo(f.database("CREATE TABLE t (id int)"));
  keywords["user"] = "differ";
  keywords["password"] = "sekrit-pw";
  auto url = pq::build_conninfo(keywords);
  run = f.diff({"--from", url, "--to", f.database()});
  CHECK(run.code == 1);
  CHECK(run.out.find("sekrit-pw") == std::string::npos);
  CHECK(run.err.find("sekrit-pw") == std::string::npos);
}

TEST_CASE("rename hints (--rename) turn a drop and a create into a rename and keeps the rows") {
  Fixture f;
  auto a = f.database("CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TABLE users (id int CONSTRAINT users_pkey "
                      "PRIMARY KEY, mail text, m mood); CREATE INDEX users_mail ON users (mail); "
                      "INSERT INTO users VALUES (1, 'a@b', 'sad');");
  auto b = f.database("CREATE TYPE mood AS ENUM ('blue', 'ok'); CREATE TABLE people (id int CONSTRAINT people_pkey "
                      "PRIMARY KEY, email text, m mood); CREATE INDEX people_email ON people (email);");
  std::vector<std::string> hints{"--rename", "table:users=people", "--rename", "column:public.people.mail=email",
                                 "--rename", "index:users_mail=people_email", "--rename",
                                 "constraint:people.users_pkey=people_pkey", "--rename", "enum-value:mood.sad=blue"};
  std::vector<std::string> args{"--from", a, "--to", b};
  args.insert(args.end(), hints.begin(), hints.end());
  auto run = f.diff(args);
  CHECK(run.code == 1);
  CHECK_THAT(run.out, Catch::Contains("ALTER TABLE public.users RENAME TO people;") &&
                          Catch::Contains("RENAME COLUMN mail TO email") && !Catch::Contains("DROP TABLE"));
  args.push_back("--apply");
  run = f.diff(args);
  INFO(run.out << run.err);
  REQUIRE(run.code == 0);
  CHECK(f.sandbox.psql(a, "SELECT email || ' ' || m FROM people") == "a@b blue");
  CHECK(f.diff({"--from", a, "--to", "x", "--rename", "nonsense"}).code == 9);
}

TEST_CASE("schema filters (--schema, --exclude-schema) work, the hectic schema is left out unless named") {
  Fixture f;
  auto a = f.database("CREATE SCHEMA hectic; CREATE SCHEMA one; CREATE SCHEMA two;");
  auto b = f.database("CREATE SCHEMA hectic; CREATE TABLE hectic.internal (x int); CREATE SCHEMA one; "
                      "CREATE TABLE one.t (x int); CREATE SCHEMA two; CREATE TABLE two.t (x int);");
  auto run = f.diff({"--from", a, "--to", b, "--schema", "one"});
  CHECK_THAT(run.out, Catch::Contains("CREATE TABLE one.t") && !Catch::Contains("two.t") && !Catch::Contains("hectic."));
  run = f.diff({"--from", a, "--to", b, "--exclude-schema", "one"});
  CHECK_THAT(run.out, Catch::Contains("CREATE TABLE two.t") && !Catch::Contains("one.t") && !Catch::Contains("hectic."));
  run = f.diff({"--from", a, "--to", b, "--schema", "hectic"});
  CHECK_THAT(run.out, Catch::Contains("CREATE TABLE hectic.internal"));
}

TEST_CASE("an extension the local server lacks is an error naming it and its package") {
  Fixture f;
  auto file = f.sandbox.write("needs.sql", "CREATE EXTENSION no_such_ext;\n");
  auto run = f.diff({"--from", f.database(), "--to", file.string()});
  CHECK(run.code == 1);
  CHECK_THAT(run.err, Catch::Contains("extension no_such_ext is not installed") &&
                          Catch::Contains("postgresql-15-no_such_ext"));
}

TEST_CASE("rename hints written as @renamed comments in a SQL source turn drop + create into renames, once") {
  Fixture f;
  auto db = f.database("CREATE TYPE mood AS ENUM ('sad', 'happy');\n"
                       "CREATE TABLE users (id int PRIMARY KEY, mail text, feeling mood, CONSTRAINT users_mail_key UNIQUE (mail));\n"
                       "CREATE INDEX users_mail_idx ON users (lower(mail));\n"
                       "INSERT INTO users VALUES (1, 'a@example.com', 'sad');\n");
  f.sandbox.write("schema/entrypoint.sql", "\\ir tables.sql\n");
  f.sandbox.write("schema/tables.sql",
                  "CREATE TYPE mood AS ENUM (\n  -- @renamed from=sad\n  'blue', 'happy');\n"
                  "-- @renamed from=users\nCREATE TABLE people (\n  id int PRIMARY KEY,\n"
                  "  -- @renamed from=mail\n  email text,\n  feeling mood,\n"
                  "  -- @renamed from=users_mail_key\n  CONSTRAINT people_email_key UNIQUE (email)\n);\n"
                  "-- @renamed from=users_mail_idx\nCREATE INDEX people_email_idx ON people (lower(email));\n");
  auto source = (f.sandbox.path() / "schema").string();
  auto run = f.diff({"--from", db, "--to", source});
  INFO(run.out << run.err);
  CHECK(run.code == 1);
  for (const char* rename : {"ALTER TABLE public.users RENAME TO people;", "RENAME COLUMN mail TO email;",
                             "RENAME CONSTRAINT users_mail_key TO people_email_key;",
                             "ALTER INDEX public.users_mail_idx RENAME TO people_email_idx;",
                             "RENAME VALUE 'sad' TO 'blue';"})
    CHECK_THAT(run.out, Catch::Contains(rename));
  CHECK_THAT(run.out, !Catch::Contains("DROP TABLE") && !Catch::Contains("DROP COLUMN"));
  run = f.diff({"--from", db, "--to", source, "--apply"});
  INFO(run.err);
  CHECK(run.code == 0);
  CHECK(f.sandbox.psql(db, "SELECT email, feeling FROM people") == "a@example.com|blue");
  CHECK(f.diff({"--from", db, "--to", source}).code == 0); // applied: the comments no longer hold
}

TEST_CASE("ownership is compared with --owner (off by default) and converges with ALTER ... OWNER TO") {
  Fixture f;
  f.sandbox.psql(f.cluster_url, "CREATE ROLE owner_a NOLOGIN; CREATE ROLE owner_b NOLOGIN");
  const char* schema = "CREATE TABLE item (id int); CREATE VIEW item_ids AS SELECT id FROM item;"
                       "CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1';";
  auto a = f.database(std::string(schema) + "ALTER TABLE item OWNER TO owner_a; ALTER FUNCTION one() OWNER TO owner_a;");
  auto b = f.database(std::string(schema) + "ALTER TABLE item OWNER TO owner_b; ALTER VIEW item_ids OWNER TO owner_b;"
                      "ALTER FUNCTION one() OWNER TO owner_b; CREATE TABLE extra (id int); ALTER TABLE extra OWNER TO owner_b;");
  auto without = f.diff({"--from", a, "--to", b});
  CHECK_THAT(without.out, !Catch::Contains("OWNER TO"));
  auto run = f.diff({"--from", a, "--to", b, "--owner"});
  INFO(run.out << run.err);
  CHECK(run.code == 1);
  for (const char* sql : {"ALTER TABLE public.item OWNER TO owner_b;", "ALTER VIEW public.item_ids OWNER TO owner_b;",
                          "ALTER FUNCTION public.one() OWNER TO owner_b;", "ALTER TABLE public.extra OWNER TO owner_b;"})
    CHECK_THAT(run.out, Catch::Contains(sql));
  run = f.diff({"--from", a, "--to", b, "--owner", "--apply"});
  INFO(run.err);
  CHECK(run.code == 0);
  CHECK(f.diff({"--from", a, "--to", b, "--owner"}).code == 0);
}

TEST_CASE("rows stay: a default that calls a rebuilt function, a generated column made plain") {
  Fixture f;
  auto a = f.database("CREATE FUNCTION next_code() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
                      "CREATE TABLE coded (id int PRIMARY KEY, code bigint DEFAULT next_code());\n"
                      "INSERT INTO coded VALUES (1, 10), (2, 20);\n"
                      "CREATE TABLE g (a int, b int GENERATED ALWAYS AS (a * 2) STORED);\nINSERT INTO g (a) VALUES (1);\n");
  auto b = f.database("CREATE FUNCTION next_code() RETURNS bigint LANGUAGE sql AS 'SELECT 2::bigint';\n"
                      "CREATE TABLE coded (id int PRIMARY KEY, code bigint DEFAULT next_code());\n"
                      "CREATE TABLE g (a int, b int);\n");
  auto run = f.diff({"--from", a, "--to", b});
  INFO(run.out << run.err);
  CHECK_THAT(run.out, !Catch::Contains("DROP TABLE") && !Catch::Contains("DROP COLUMN"));
  CHECK_THAT(run.out, Catch::Contains("ALTER COLUMN code DROP DEFAULT") && Catch::Contains("DROP EXPRESSION"));
  run = f.diff({"--from", a, "--to", b, "--apply"}); // nothing destructive: no --allow-drop needed
  INFO(run.err);
  CHECK(run.code == 0);
  CHECK(f.sandbox.psql(a, "SELECT string_agg(code::text, ',' ORDER BY id) FROM coded") == "10,20");
  CHECK(f.sandbox.psql(a, "SELECT b FROM g") == "2");
  CHECK(f.sandbox.psql(a, "INSERT INTO coded (id) VALUES (3) RETURNING code") == "2");
}

TEST_CASE("a table rebuilt for what it depends on is a data-loss hazard, refused without --allow-drop") {
  Fixture f;
  auto a = f.database("CREATE FUNCTION twice(v int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT v * 2';\n"
                      "CREATE TABLE g (a int, b int GENERATED ALWAYS AS (twice(a)) STORED);\nINSERT INTO g (a) VALUES (1);\n");
  auto b = f.database("CREATE FUNCTION twice(v int) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT v * 2';\n"
                      "CREATE TABLE g (a int, b bigint GENERATED ALWAYS AS (twice(a)) STORED);\n");
  auto run = f.diff({"--from", a, "--to", b, "--apply"});
  INFO(run.out << run.err);
  CHECK(run.code == 2);
  CHECK(f.sandbox.psql(a, "SELECT count(*) FROM g") == "1");
}

TEST_CASE("with --online, the comment of a new index runs after its CONCURRENTLY build") {
  Fixture f;
  auto a = f.database("CREATE TABLE t (a int);");
  auto b = f.database("CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nCOMMENT ON INDEX t_a IS 'by a';");
  auto run = f.diff({"--from", a, "--to", b, "--online", "--apply"});
  INFO(run.out << run.err);
  CHECK(run.code == 0);
  CHECK(f.sandbox.psql(a, "SELECT obj_description('t_a'::regclass, 'pg_class')") == "by a");
}

TEST_CASE("a serial column made identity (and back) keeps counting from its sequence's last value") {
  Fixture f;
  auto serial = "CREATE TABLE t (id serial PRIMARY KEY, v text);\n";
  auto identity = "CREATE TABLE t (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v text);\n";
  auto rows = "INSERT INTO t (v) SELECT 'row' FROM generate_series(1, 50);\nDELETE FROM t WHERE id > 40;\n";
  for (auto [from_sql, to_sql] : {std::pair{serial, identity}, std::pair{identity, serial}}) {
    auto a = f.database(std::string(from_sql) + rows);
    auto b = f.database(to_sql);
    auto run = f.diff({"--from", a, "--to", b, "--apply"});
    INFO(run.out << run.err);
    CHECK(run.code == 0);
    CHECK(f.sandbox.psql(a, "SELECT count(*) FROM t") == "40");
    CHECK(f.sandbox.psql(a, "INSERT INTO t (v) VALUES ('next') RETURNING id") == "51"); // not 1, not 41
  }
}

TEST_CASE("a table that starts inheriting keeps its rows, and the columns it only inherits end up inherited") {
  Fixture f;
  auto a = f.database("CREATE TABLE stamped (created_at timestamptz NOT NULL DEFAULT now());\n"
                      "CREATE TABLE item (id int PRIMARY KEY, name text);\nINSERT INTO item VALUES (1, 'kept');\n");
  auto b = f.database("CREATE TABLE stamped (created_at timestamptz NOT NULL DEFAULT now());\n"
                      "CREATE TABLE item (id int PRIMARY KEY, name text) INHERITS (stamped);\n");
  auto run = f.diff({"--from", a, "--to", b, "--apply"});
  INFO(run.out << run.err);
  CHECK(run.code == 0);
  CHECK(f.sandbox.psql(a, "SELECT name FROM item") == "kept");
  CHECK(f.sandbox.psql(a, "SELECT attislocal FROM pg_attribute WHERE attrelid = 'item'::regclass AND attname = "
                          "'created_at'") == "f");
  CHECK(f.sandbox.psql(a, "SELECT count(*) FROM stamped") == "1");
}

TEST_CASE("a table attached as a partition, or detached, keeps its rows (no --allow-drop needed)") {
  Fixture f;
  auto parent = "CREATE TABLE m (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);\n";
  auto standalone = std::string(parent) + "CREATE TABLE m_2027 (id int NOT NULL, at date NOT NULL, PRIMARY KEY (id, at));\n"
                                          "INSERT INTO m_2027 VALUES (1, '2027-05-01');\n";
  auto partition = std::string(parent) + "CREATE TABLE m_2027 PARTITION OF m FOR VALUES FROM ('2027-01-01') TO "
                                         "('2028-01-01');\nINSERT INTO m_2027 VALUES (1, '2027-05-01');\n";
  for (auto [from_sql, to_sql] : {std::pair{standalone, partition}, std::pair{partition, standalone}}) {
    auto a = f.database(from_sql);
    auto b = f.database(to_sql);
    auto run = f.diff({"--from", a, "--to", b, "--apply"});
    INFO(run.out << run.err);
    CHECK(run.code == 0);
    CHECK(f.sandbox.psql(a, "SELECT count(*) FROM m_2027") == "1");
  }
}
