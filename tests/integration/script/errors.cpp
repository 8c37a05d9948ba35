// Error reports, notices and transaction semantics of the native engine, against a real
// server. Reports are compared with tests/golden/script/*.txt (regenerate with
// HECTIC_UPDATE_GOLDEN=1 and review the diff).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/pg/pgbin.hpp"
#include "common/pg/pq.hpp"
#include "common/script/script.hpp"
#include "tests/support/harness.hpp"

using namespace hectic;

namespace {

std::string db_url(const std::string& url, const std::string& db) {
  auto keywords = pq::parse_conninfo(url);
  keywords["dbname"] = db;
  return pq::build_conninfo(keywords);
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size())
    text.replace(pos, from.size(), to);
  return text;
}

// The full report as a binary prints it: message, then "hint:" lines.
std::string report(const Error& error, const std::filesystem::path& dir) {
  std::string text = error.what();
  for (const auto& hint : error.hints()) text += "\nhint: " + hint;
  return replace_all(text, dir.string(), "<dir>") + "\n";
}

void check_golden(const std::string& name, const std::string& actual) {
  auto path = test::source_dir() / "tests" / "golden" / "script" / (name + ".txt");
  if (const char* update = std::getenv("HECTIC_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << actual;
  }
  std::ifstream in(path, std::ios::binary);
  INFO("golden file " << path.string() << " (HECTIC_UPDATE_GOLDEN=1 regenerates it)");
  REQUIRE(in);
  std::stringstream expected;
  expected << in.rdbuf();
  CHECK(actual == expected.str());
}

struct Failure {
  std::string report;
  int line = 0, column = 0;
  std::string sqlstate;
  std::string out, err;
};

// Runs file natively and expects a ScriptError.
Failure expect_failure(pq::Connection& connection, const std::filesystem::path& file,
                       const std::filesystem::path& dir, script::Options options = {}) {
  std::ostringstream out, err;
  options.out = &out;
  options.err = &err;
  Failure failure;
  try {
    script::native_runner(connection)->run_file(file, options);
    FAIL("no error from " << file.string());
  } catch (const script::ScriptError& e) {
    CHECK(e.code() == ExitCode::generic);
    failure.report = report(e, dir);
    failure.line = e.line();
    failure.column = e.column();
    failure.sqlstate = e.sqlstate();
  }
  failure.out = out.str();
  failure.err = replace_all(err.str(), dir.string(), "<dir>");
  return failure;
}

std::string count(const test::Sandbox& sandbox, const std::string& url, const std::string& table) {
  return sandbox.psql(url, "SELECT count(*) FROM " + table);
}

} // namespace

TEST_CASE("error reports name file, line, column, SQLSTATE, detail, hint and the statement") {
  test::Sandbox sandbox;
  std::string url = sandbox.start_cluster();
  const auto& dir = sandbox.path();
  pq::Connection connection(url);

  // A failing statement in an included file: position mapped to line 4, column 8.
  auto main = sandbox.write("main.sql", "CREATE TABLE t (id int PRIMARY KEY);\n"
                                        "\\ir sub/broken.sql\n"
                                        "SELECT 'never';\n");
  sandbox.write("sub/broken.sql", "INSERT INTO t VALUES (1);\n"
                                  "-- the next statement fails on line 4, column 8\n"
                                  "SELECT 1,\n"
                                  "       nope\n"
                                  "  FROM t;\n");
  Failure f = expect_failure(connection, main, dir);
  check_golden("included_position", f.report);
  CHECK(f.line == 4);
  CHECK(f.column == 8);
  CHECK(f.sqlstate == "42703");
  CHECK(f.out.find("never") == std::string::npos);
  CHECK(count(sandbox, url, "t") == "1");

  // DETAIL, HINT, CONTEXT from the server; no position: the statement's first line.
  auto raise = sandbox.write("raise.sql", "SELECT 'before';\n"
                                          "DO $$\nBEGIN\n  RAISE EXCEPTION 'custom failure'\n"
                                          "    USING DETAIL = 'some detail', HINT = 'some hint', ERRCODE = 'P0001';\n"
                                          "END $$;\n");
  f = expect_failure(connection, raise, dir);
  check_golden("detail_hint_context", f.report);
  CHECK(f.out == "before\n");
  CHECK(f.line == 2);
  CHECK(f.sqlstate == "P0001");

  // Bad COPY data: the line of the bad row in the file.
  auto copy_bad = sandbox.write("copy_bad.sql", "CREATE TABLE nums (n int);\nCOPY nums FROM stdin;\n1\n2\nthree\n\\.\n");
  f = expect_failure(connection, copy_bad, dir);
  CHECK(f.line == 5);
  CHECK(f.report.rfind("<dir>/copy_bad.sql:5: ERROR:  invalid input syntax for type integer: \"three\" (SQLSTATE 22P02)\n"
                       "CONTEXT:  COPY nums, line 3, column n: \"three\"\n", 0) == 0);

  // Interpolated values: the column points at the :reference in the file.
  auto interpolated = sandbox.write("interpolated.sql", "\\set col nope\nSELECT id, :col FROM t;\n");
  f = expect_failure(connection, interpolated, dir);
  check_golden("interpolated_position", f.report);
  CHECK(f.column == 12);
}

TEST_CASE("a failure inside a pipelined run is reported at its statement with psql's committed state") {
  test::Sandbox sandbox;
  std::string url = sandbox.start_cluster();
  const auto& dir = sandbox.path();
  sandbox.psql(url, "CREATE DATABASE native");
  sandbox.psql(url, "CREATE DATABASE oracle");
  std::string sql = "CREATE TABLE t (id int PRIMARY KEY);\n";
  for (int i = 1; i <= 1200; ++i) sql += "INSERT INTO t VALUES (" + std::to_string(i == 1100 ? 5 : i) + ");\n";
  auto file = sandbox.write("many.sql", sql);
  {
    pq::Connection connection(db_url(url, "native"));
    Failure f = expect_failure(connection, file, dir);
    check_golden("pipelined_unique_violation", f.report);
    CHECK(f.line == 1101);
  }
  // psql leaves the rows before the failing one committed; so do we.
  std::ostringstream sink;
  script::Options options;
  options.out = &sink;
  options.err = &sink;
  CHECK_THROWS_AS(script::psql_runner(db_url(url, "oracle"))->run_file(file, options), script::ScriptError);
  CHECK(count(sandbox, db_url(url, "native"), "t") == "1099");
  CHECK(count(sandbox, db_url(url, "oracle"), "t") == "1099");

  // A deferred constraint fails at the end of its own statement's transaction in psql; the
  // batch replays one by one and blames the same statement.
  auto deferred = sandbox.write("deferred.sql",
                                "CREATE TABLE p (id int PRIMARY KEY);\n"
                                "CREATE TABLE c (id int, p int REFERENCES p DEFERRABLE INITIALLY DEFERRED);\n"
                                "INSERT INTO p VALUES (1);\n"
                                "INSERT INTO c VALUES (1, 1);\n"
                                "INSERT INTO c VALUES (2, 99);\n"
                                "INSERT INTO c VALUES (3, 1);\n");
  {
    pq::Connection connection(db_url(url, "native"));
    Failure f = expect_failure(connection, deferred, dir);
    CHECK(f.line == 5);
    CHECK(f.sqlstate == "23503");
    CHECK(f.report.find("<dir>/deferred.sql:5: ERROR:  insert or update on table \"c\" violates foreign key constraint") == 0);
  }
  CHECK(sandbox.psql(db_url(url, "native"), "SELECT string_agg(id::text, ',' ORDER BY id) FROM c") == "1");

  // A batch failing with a transaction-state error (as a statement refusing a transaction
  // block would) runs again one statement at a time: same rows, same blamed statement.
  auto refusing = sandbox.write("refusing.sql",
                                "CREATE TABLE r (id int);\n"
                                "CREATE FUNCTION refuse() RETURNS int LANGUAGE plpgsql AS $$ BEGIN "
                                "RAISE EXCEPTION 'refused' USING ERRCODE = '25001'; END $$;\n"
                                "INSERT INTO r VALUES (1);\nINSERT INTO r VALUES (2);\n"
                                "INSERT INTO r SELECT refuse();\nINSERT INTO r VALUES (4);\n");
  {
    pq::Connection connection(db_url(url, "native"));
    Failure f = expect_failure(connection, refusing, dir);
    CHECK(f.line == 5);
    CHECK(f.sqlstate == "25001");
  }
  CHECK(sandbox.psql(db_url(url, "native"), "SELECT string_agg(id::text, ',' ORDER BY id) FROM r") == "1,2");

  // Notices of a batch that fails and replays come out once each, as with psql.
  std::string noisy = "CREATE TABLE n (id int PRIMARY KEY);\n"
                      "CREATE FUNCTION say() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                      "RAISE NOTICE 'row %', NEW.id; RETURN NEW; END $$;\n"
                      "CREATE TRIGGER say BEFORE INSERT ON n FOR EACH ROW EXECUTE FUNCTION say();\n"
                      "INSERT INTO n VALUES (1);\nINSERT INTO n VALUES (2);\nINSERT INTO n VALUES (1);\n"
                      "INSERT INTO n VALUES (4);\n";
  auto noisy_file = sandbox.write("noisy.sql", noisy);
  {
    pq::Connection connection(db_url(url, "native"));
    Failure f = expect_failure(connection, noisy_file, dir);
    CHECK(f.line == 6);
    CHECK(f.err == "<dir>/noisy.sql:4: NOTICE:  row 1\n<dir>/noisy.sql:5: NOTICE:  row 2\n"
                   "<dir>/noisy.sql:6: NOTICE:  row 1\n");
  }
  CHECK(sandbox.psql(db_url(url, "native"), "SELECT string_agg(id::text, ',' ORDER BY id) FROM n") == "1,2");
}

TEST_CASE("meta-command errors: unsupported, include cycles, unbalanced if blocks, bad values, missing files") {
  test::Sandbox sandbox;
  std::string url = sandbox.start_cluster();
  const auto& dir = sandbox.path();
  pq::Connection connection(url);

  auto gset = sandbox.write("gset.sql", "SELECT 1 AS one\n\\gset p_\n");
  Failure f = expect_failure(connection, gset, dir);
  check_golden("unsupported_meta", f.report);

  sandbox.write("cycle/a.sql", "SELECT 1;\n\\ir b.sql\n");
  sandbox.write("cycle/b.sql", "\n\\ir a.sql\n");
  f = expect_failure(connection, dir / "cycle" / "a.sql", dir);
  check_golden("include_cycle", f.report);
  CHECK(f.out == "1\n");

  f = expect_failure(connection, sandbox.write("endif.sql", "SELECT 1;\n\\endif\n"), dir);
  CHECK(f.report == "<dir>/endif.sql:2: \\endif: no matching \\if\n");
  f = expect_failure(connection, sandbox.write("open_if.sql", "\\if true\nSELECT 1;\n"), dir);
  CHECK(f.report == "<dir>/open_if.sql:1: \\if without a matching \\endif at the end of the file\n");
  f = expect_failure(connection, sandbox.write("else_else.sql", "\\if true\n\\else\n\\else\n\\endif\n"), dir);
  CHECK(f.report == "<dir>/else_else.sql:3: \\else: cannot occur after \\else\n");
  f = expect_failure(connection, sandbox.write("bad_if.sql", "\\set v maybe\n\\if :v\n\\endif\n"), dir);
  CHECK(f.report ==
        "<dir>/bad_if.sql:2: \\if: unrecognized value \"maybe\" for \"\\if expression\": Boolean expected\n");
  f = expect_failure(connection, sandbox.write("missing.sql", "\\i nowhere/x.sql\n"), dir);
  CHECK(f.report == "<dir>/missing.sql:1: cannot read included file nowhere/x.sql: no such file\n");
  f = expect_failure(connection, sandbox.write("backquote.sql", "\\set d `date`\n"), dir);
  CHECK(f.report == "<dir>/backquote.sql:1: backquote (shell command) substitution in \\set is not supported by "
                    "the native runner\nhint: the psql backend runs it: set SQL_RUNNER=psql\n");
  f = expect_failure(connection, sandbox.write("invalid.sql", "\\frobnicate now\n"), dir);
  CHECK(f.report == "<dir>/invalid.sql:1: invalid meta-command \\frobnicate\n"
                    "hint: psql has no \\frobnicate either: a typo? `psql -c '\\?'` lists its meta-commands\n");

  // The server ends the session mid-script: an error at that statement, nothing after it.
  {
    pq::Connection doomed(url);
    auto killer = sandbox.write("terminate.sql", "SELECT 'a';\nSELECT pg_terminate_backend(pg_backend_pid());\nSELECT 'b';\n");
    Failure t = expect_failure(doomed, killer, dir);
    CHECK(t.line == 2);
    CHECK(t.report.find("terminating connection due to administrator command") != std::string::npos);
    CHECK(t.out == "a\n");
  }

  // Nothing of a skipped branch runs or is interpolated; \restrict is accepted.
  std::ostringstream out, err;
  script::Options options;
  options.out = &out;
  options.err = &err;
  script::native_runner(connection)
      ->run_text("\\restrict abc\n\\if false\n\\gset x\nSELECT :nope;\n\\endif\nSELECT 'ok';\n\\unrestrict abc\n",
                 "<text>", options);
  CHECK(out.str() == "ok\n");

  // A script error from run_text names the given name.
  try {
    script::native_runner(connection)->run_text("SELECT 1/0;", "<bundle:0.1.0>", options);
    FAIL("no error");
  } catch (const script::ScriptError& e) {
    CHECK(std::string(e.what()).rfind("<bundle:0.1.0>:1: ERROR:  division by zero (SQLSTATE 22012)", 0) == 0);
  }
}

TEST_CASE("notices, caller transactions, open transactions, SQL_RUNNER") {
  test::Sandbox sandbox;
  std::string url = sandbox.start_cluster();
  const auto& dir = sandbox.path();
  pq::Connection connection(url);
  std::ostringstream out, err;
  script::Options options;
  options.out = &out;
  options.err = &err;
  auto runner = script::native_runner(connection);

  // Notices, prefixed with file:line like psql's "psql:FILE:LINE: NOTICE:  ...".
  auto notices = sandbox.write("notice.sql", "SELECT 1;\nDO $$ BEGIN RAISE NOTICE 'hello %', 'there'; END $$;\n\\warn to stderr\n");
  runner->run_file(notices, options);
  CHECK(err.str() == dir.string() + "/notice.sql:2: NOTICE:  hello there\nto stderr\n");

  // The caller's transaction: the script runs inside it (pipelined), the caller decides.
  connection.exec("CREATE TABLE t (id int)");
  std::string inserts;
  for (int i = 0; i < 50; ++i) inserts += "INSERT INTO t VALUES (" + std::to_string(i) + ");\n";
  auto file = sandbox.write("inserts.sql", inserts);
  script::Options in_tx = options;
  in_tx.in_caller_transaction = true;
  connection.exec("BEGIN");
  runner->run_file(file, in_tx);
  CHECK(PQtransactionStatus(connection.native()) == PQTRANS_INTRANS);
  connection.exec("ROLLBACK");
  CHECK(count(sandbox, url, "t") == "0");
  // A failing script leaves the caller's transaction failed, for the caller to roll back.
  connection.exec("BEGIN");
  CHECK_THROWS_AS(runner->run_text(inserts + "INSERT INTO t VALUES ('x');\n", "<tx>", in_tx), script::ScriptError);
  CHECK(PQtransactionStatus(connection.native()) == PQTRANS_INERROR);
  connection.exec("ROLLBACK");
  // A BEGIN inside the caller's transaction: the server's warning, as psql shows it.
  err.str("");
  connection.exec("BEGIN");
  runner->run_text("BEGIN;\nINSERT INTO t VALUES (1);\n", "<nested>", in_tx);
  CHECK(err.str() == "<nested>:1: WARNING:  there is already a transaction in progress\n");
  connection.exec("ROLLBACK");

  // A transaction open before the run is the caller's even when not flagged: left open.
  connection.exec("BEGIN");
  runner->run_text("INSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);\n", "<unflagged>", options);
  CHECK(PQtransactionStatus(connection.native()) == PQTRANS_INTRANS);
  connection.exec("ROLLBACK");

  // A transaction the script opens and never ends is rolled back, as when psql exits.
  runner->run_text("BEGIN;\n" + inserts, "<open>", options);
  CHECK(PQtransactionStatus(connection.native()) == PQTRANS_IDLE);
  CHECK(count(sandbox, url, "t") == "0");
  // Without a transaction, every statement commits by itself.
  runner->run_file(file, options);
  CHECK(count(sandbox, url, "t") == "50");

  // SQL_RUNNER picks the backend; a bad value names it (exit 3).
  ::setenv("SQL_RUNNER", "psql", 1);
  auto psql = script::make_runner(connection, url);
  try {
    psql->run_text("SELECT 'a';\nSELECT nope;\n", "<psql>", options);
    FAIL("no error");
  } catch (const script::ScriptError& e) {
    CHECK(e.line() == 2);
    CHECK(std::string(e.what()).find("column \"nope\" does not exist") != std::string::npos);
  }
  ::setenv("SQL_RUNNER", "perl", 1);
  try {
    script::make_runner(connection, url);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::missing_argument);
    CHECK(std::string(e.what()) == "invalid SQL_RUNNER value 'perl'");
  }
  ::unsetenv("SQL_RUNNER");
  CHECK(dynamic_cast<script::Runner*>(script::make_runner(connection, url).get()) != nullptr);
}
