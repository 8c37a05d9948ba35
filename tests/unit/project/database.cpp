// database tool units that need no server: log selection, dump normalisation and the
// column-order rule, remote command quoting, backup path rules.
#include <catch2/catch.hpp>

#include <fstream>

#include "common/project/backup.hpp"
#include "common/project/dbdiff.hpp"
#include "common/base/error.hpp"
#include "common/base/fs.hpp"
#include "common/base/process.hpp"
#include "common/project/serverlog.hpp"
#include "common/project/staging.hpp"
#include "common/script/tap.hpp"

using namespace hectic;

TEST_CASE("serverlog: list, index, exact name, unique substring, errors") {
  fs::TempDir dir("serverlog-test");
  for (const char* name : {"postgresql-2026-11-21_100000.log", "postgresql-2026-11-21_110000.log",
                           "postgresql-2026-11-22_090000.log"})
    std::ofstream(dir.path() / name) << name << "\n";
  auto files = serverlog::list(dir.path());
  REQUIRE(files.size() == 3);
  CHECK(serverlog::format_list(files).find("  2  postgresql-2026-11-21_110000.log") != std::string::npos);
  CHECK(serverlog::select(files, "3").filename() == "postgresql-2026-11-22_090000.log");
  CHECK(serverlog::select(files, "postgresql-2026-11-21_100000.log").filename() == "postgresql-2026-11-21_100000.log");
  CHECK(serverlog::select(files, "11-22").filename() == "postgresql-2026-11-22_090000.log");
  auto error_of = [&](const std::string& selector) {
    try {
      serverlog::select(files, selector);
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::generic);
      CHECK_FALSE(e.hints().empty());
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of("11-21") == "log selector '11-21' is ambiguous: it matches postgresql-2026-11-21_100000.log, postgresql-2026-11-21_110000.log");
  CHECK(error_of("nothing") == "no log file matches 'nothing'");
  CHECK(error_of("7") == "log index 7 is out of range (1..3) and no log file name contains it");
  // A number that is no index is part of a name (the help's `database log 1121`).
  CHECK(serverlog::select(files, "090000").filename() == "postgresql-2026-11-22_090000.log");
  CHECK(serverlog::select(files, "21_11").filename() == "postgresql-2026-11-21_110000.log");
  CHECK(error_of("1121") == "log index 1121 is out of range (1..3) and no log file name contains it");
  CHECK(serverlog::concatenate(files).find("==> postgresql-2026-11-21_110000.log <==") != std::string::npos);
  try {
    serverlog::list(dir.path() / "missing");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("does not exist") != std::string::npos);
  }
}

TEST_CASE("dbdiff: normalize_dump drops restrict lines and version comments") {
  std::string dump =
      "--\n-- PostgreSQL database dump\n--\n\n\\restrict AbC123\n\n-- Dumped from database version 15.14\n"
      "-- Dumped by pg_dump version 15.14\n\n\nSET x = 1;\n\\unrestrict AbC123\n";
  CHECK(dbdiff::normalize_dump(dump) == "--\n-- PostgreSQL database dump\n--\n\nSET x = 1;\n");
}

TEST_CASE("dbdiff: a column-order-only difference is recognised, anything else is not") {
  std::string a = "SET x = 1;\n\nCREATE TABLE public.t (\n    id integer NOT NULL,\n    name text,\n    note text\n)\nINHERITS (hectic.created_at);\n\nCREATE TABLE public.u (\n    id integer\n);\n";
  std::string b = "SET x = 1;\n\nCREATE TABLE public.t (\n    id integer NOT NULL,\n    note text,\n    name text\n)\nINHERITS (hectic.created_at);\n\nCREATE TABLE public.u (\n    id integer\n);\n";
  auto reordered = dbdiff::column_order_only(a, b);
  REQUIRE(reordered);
  CHECK(*reordered == std::vector<std::string>{"public.t"});
  CHECK(dbdiff::column_order_only(a, a)->empty());
  std::string c = b;
  c.replace(c.find("note text"), 9, "note varchar");
  CHECK_FALSE(dbdiff::column_order_only(a, c));
}

TEST_CASE("dbdiff: unified_diff labels both sides and is empty when equal") {
  CHECK(dbdiff::unified_diff("a\nb\n", "a\nb\n", "L", "R").empty());
  auto d = dbdiff::unified_diff("a\nb\n", "a\nc\n", "DB1 t", "DB2 t");
  CHECK(d.find("--- DB1 t") != std::string::npos);
  CHECK(d.find("+++ DB2 t") != std::string::npos);
  CHECK(d.find("-b\n+c\n") != std::string::npos);
}

TEST_CASE("staging: every word of the remote command is quoted") {
  staging::Config config;
  config.ssh_host = "deploy@staging";
  config.db_url = "postgresql://app@db/app?sslmode=require&application_name=$(id)";
  config.tables = {"users", "evil;touch /tmp/pwned", "$(reboot)", "it's", "two words"};
  config.dump_flags = {"--data-only", "--column-inserts"};
  auto command = staging::remote_dump_command(config);
  CHECK(command ==
        "'pg_dump' '--data-only' '--column-inserts' '--table=users' '--table=evil;touch /tmp/pwned' "
        "'--table=$(reboot)' '--table=it'\\''s' '--table=two words' "
        "'--dbname=postgresql://app@db/app?sslmode=require&application_name=$(id)'");
  auto query = staging::sequence_query(config.tables);
  CHECK(query.find("'it''s'") != std::string::npos);
  auto seq = staging::remote_sequence_command(config);
  CHECK(seq.rfind("'psql' '-X'", 0) == 0);
  CHECK(seq.find(R"(it'\'''\''s)") != std::string::npos); // SQL quote doubling inside shell quoting
}

TEST_CASE("staging: a password never reaches a command line, it travels on stdin") {
  staging::Config config;
  config.ssh_host = "deploy@staging";
  config.db_url = "postgresql://app:s3cret@db/app";
  config.tables = {"users"};
  for (const auto& command : {staging::remote_dump_command(config), staging::remote_sequence_command(config)}) {
    INFO(command);
    CHECK(command.find("s3cret") == std::string::npos);
    CHECK(command.rfind("IFS= read -r PGPASSWORD && export PGPASSWORD && exec ", 0) == 0);
  }
  CHECK(staging::remote_stdin(config) == "s3cret\n");
  config.db_url = "postgresql://app@db/app";
  CHECK(staging::remote_stdin(config).empty());
  CHECK(staging::remote_dump_command(config).rfind("'pg_dump'", 0) == 0);
}

TEST_CASE("backup: output equal to, inside or containing the input is refused") {
  fs::TempDir dir("backup-paths");
  auto in = dir.path() / "in";
  std::filesystem::create_directories(in);
  auto code_and_message = [&](const std::filesystem::path& out) -> std::pair<int, std::string> {
    try {
      backup::check_distinct(in, out);
      return {0, ""};
    } catch (const Error& e) {
      return {exit_status(e.code()), e.what()};
    }
  };
  auto same = code_and_message(dir.path() / "in" / ".");
  CHECK(same.first == 1);
  CHECK(same.second.find("is the input backup") != std::string::npos);
  auto inside = code_and_message(in / "out");
  CHECK(inside.first == 1);
  CHECK(inside.second.find("is inside the input backup") != std::string::npos);
  auto containing = code_and_message(dir.path());
  CHECK(containing.first == 1);
  CHECK(containing.second.find("contains the input backup") != std::string::npos);
  CHECK(code_and_message(dir.path() / "in-normalized").first == 0);
  CHECK(code_and_message(dir.path() / "other" / "in").first == 0);
}

TEST_CASE("tap: failures, TODO directives, plans, bail-outs and subtests") {
  auto passing = tap::read("1..2\nok 1 - a\nok 2 - b\n");
  CHECK(passing.ok());
  CHECK(passing.total == 2);
  auto failing = tap::read("1..2\nok 1 - a\nnot ok 2 - b\n# Failed test 2: \"b\"\n# Looks like you failed 1 test of 2\n");
  CHECK_FALSE(failing.ok());
  CHECK(failing.failed == 1);
  // pgTAP's todo(): a failing TODO test is expected to fail.
  auto todo = tap::read("1..2\nok 1 - a\nnot ok 2 - b # TODO not yet\n");
  CHECK(todo.ok());
  CHECK(todo.total == 2);
  // An escaped '#' in a description starts no directive.
  CHECK_FALSE(tap::read("not ok 1 - parse \\# todo list\n").ok());
  CHECK(tap::read("not ok 1 - parse \\# list # todo: later\n").ok());
  auto short_plan = tap::read("1..3\nok 1 - a\nok 2 - b\n# Looks like you planned 3 tests but ran 2\n");
  CHECK_FALSE(short_plan.ok());
  CHECK(*short_plan.planned == 3);
  CHECK_FALSE(tap::read("1..1\nBail out! no database\n").ok());
  // runtests(): indented subtests are summed up by their parent line.
  auto nested = tap::read("    1..2\n    ok 1 - x\n    not ok 2 - y\nnot ok 1 - test_thing\n1..1\n");
  CHECK(nested.total == 1);
  CHECK(nested.failed == 1);
  CHECK(tap::read("plain output, no TAP\n").ok());
}
