// `database` argument handling and the error paths that need no running server: exit codes and
// messages (README "database", exit-code table).
#include <catch2/catch.hpp>

#include "common/base/fs.hpp"
#include "tests/support/harness.hpp"

using namespace hectic::test;

namespace {
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
} // namespace

TEST_CASE("help, no subcommand, unknown subcommand and option") {
  Sandbox sandbox;
  auto none = sandbox.run("database", {});
  CHECK(none.code == 1);
  CHECK(none.out.empty());
  CHECK(contains(none.err, "deploy"));
  CHECK(contains(none.err, "pull_staging"));

  auto help = sandbox.run("database", {"--help"});
  CHECK(help.code == 0);
  CHECK(contains(help.out, "Examples:"));
  for (const char* sub : {"deploy", "init", "hydrate", "patch", "test", "check", "cleanup", "log", "pull_staging",
                          "backup", "restore", "normalize-backup", "diff"}) {
    INFO(sub);
    auto r = sandbox.run("database", {sub, "--help"});
    CHECK(r.code == 0);
    CHECK(contains(r.out, "Examples:"));
    CHECK(contains(r.out, std::string("database ") + sub));
  }
  auto secrets = sandbox.run("database", {"secrets", "load", "--help"});
  CHECK(secrets.code == 0);
  CHECK(contains(secrets.out, "database secrets load"));

  auto unknown = sandbox.run("database", {"frobnicate"});
  CHECK(unknown.code == 9);
  CHECK(contains(unknown.err, "database: error:"));
  CHECK(contains(unknown.err, "frobnicate"));
  auto option = sandbox.run("database", {"deploy", "--frobnicate"});
  CHECK(option.code == 9);
  CHECK(contains(option.err, "--frobnicate"));

  auto version = sandbox.run("database", {"--version"});
  CHECK(version.code == 0);
  CHECK(contains(version.out, "database version"));
}

TEST_CASE("missing url, dotenv sources and staging variables are exit 3 naming them") {
  Sandbox sandbox;
  for (const char* sub : {"hydrate", "patch", "test"}) {
    INFO(sub);
    auto r = sandbox.run("database", {sub});
    CHECK(r.code == 3);
    CHECK(contains(r.err, "database: error: no database URL: pass -u/--url, or set DB_URL or PGURL"));
  }
  auto no_url = sandbox.run("database", {"secrets", "load"}, {{"HECTIC_DOTENV_CONTENT", "A=1"}});
  CHECK(no_url.code == 3);
  CHECK(contains(no_url.err, "DB_URL"));
  auto no_source = sandbox.run("database", {"-u", "postgresql:///nowhere", "secrets", "load"});
  CHECK(no_source.code == 3);
  CHECK(contains(no_source.err, "no dotenv source"));
  auto unreadable = sandbox.run("database", {"-u", "postgresql:///nowhere", "secrets", "load", "-f",
                                             (sandbox.path() / "missing.env").string()});
  CHECK(unreadable.code == 3);
  CHECK(contains(unreadable.err, "missing.env"));
  CHECK(contains(unreadable.err, "not readable"));

  std::map<std::string, std::string> staging{{"STAGING_SSH_HOST", "h"}, {"STAGING_DB_URL", "postgresql:///x"},
                                             {"STAGING_DUMP_TABLES", "t"}, {"STAGING_DUMP_FLAGS", "--data-only"}};
  for (const char* name : {"STAGING_SSH_HOST", "STAGING_DB_URL", "STAGING_DUMP_TABLES", "STAGING_DUMP_FLAGS"}) {
    INFO(name);
    auto env = staging;
    env.erase(name);
    auto r = sandbox.run("database", {"pull_staging"}, env);
    CHECK(r.code == 3);
    CHECK(contains(r.err, name));
  }
  // No ssh: exit 127 naming it.
  auto no_ssh = staging;
  no_ssh["PATH"] = (sandbox.path() / "empty-bin").string();
  auto missing_ssh = sandbox.run("database", {"pull_staging"}, no_ssh);
  CHECK(missing_ssh.code == 127);
  CHECK(contains(missing_ssh.err, "ssh"));
}

TEST_CASE("log: missing dir, empty dir, list, index, substring, ambiguous") {
  Sandbox sandbox;
  auto missing = sandbox.run("database", {"log"});
  CHECK(missing.code == 1);
  CHECK(contains(missing.err, "log directory"));
  CHECK(contains(missing.err, "does not exist"));

  auto dir = sandbox.working_dir() / "data" / "log";
  std::filesystem::create_directories(dir);
  auto empty = sandbox.run("database", {"log"});
  CHECK(empty.code == 0);
  CHECK(contains(empty.err, "no log files"));

  sandbox.write("focus/postgresql/data/log/postgresql-2026-11-21_100000.log", "first line\n");
  sandbox.write("focus/postgresql/data/log/postgresql-2026-11-21_110000.log", "second line\n");
  auto list = sandbox.run("database", {"log", "list"});
  CHECK(list.code == 0);
  CHECK(contains(list.out, "1  postgresql-2026-11-21_100000.log"));
  CHECK(contains(list.out, "2  postgresql-2026-11-21_110000.log"));
  auto all = sandbox.run("database", {"log"});
  CHECK(all.code == 0);
  CHECK(contains(all.out, "first line"));
  CHECK(contains(all.out, "second line"));
  CHECK(sandbox.run("database", {"log", "2"}).out == "second line\n");
  CHECK(sandbox.run("database", {"log", "_1000"}).out == "first line\n");
  auto ambiguous = sandbox.run("database", {"log", "11-21"});
  CHECK(ambiguous.code == 1);
  CHECK(contains(ambiguous.err, "ambiguous"));
  CHECK(contains(ambiguous.err, "hint:"));
  // On a terminal the text goes through $PAGER (`script` gives the tool a pty).
  auto pager = sandbox.write("pager.sh", "#!/bin/sh\necho PAGED-BY-PAGER\ncat\n");
  std::filesystem::permissions(pager, std::filesystem::perms::owner_all, std::filesystem::perm_options::add);
  auto paged = sandbox.run_program("script", {"-qec", tool("database").string() + " log 2", "/dev/null"},
                                   {{"PAGER", pager.string()}});
  CHECK(paged.code == 0);
  CHECK(contains(paged.out, "PAGED-BY-PAGER"));
  CHECK(contains(paged.out, "second line"));

  // Ctrl-C while the pager runs is the pager's (less cancels a search with it): database waits
  // for the pager and ends as it ends, not with 130.
  auto marker = sandbox.path() / "pager-started";
  auto slow_pager = sandbox.write("slow-pager.sh", "#!/bin/sh\ntouch \"$MARKER\"\ncat\nsleep 2\necho PAGER-DONE\n");
  std::filesystem::permissions(slow_pager, std::filesystem::perms::owner_all, std::filesystem::perm_options::add);
  auto ctrl_c = sandbox.run_program(
      "script",
      {"-qec",
       "set -m; " + tool("database").string() +
           " log 2 & pid=$!; until [ -e \"$MARKER\" ]; do sleep 0.05; done; kill -INT $pid; wait $pid; echo rc=$?",
       "/dev/null"},
      {{"PAGER", slow_pager.string()}, {"MARKER", marker.string()}});
  INFO(ctrl_c.out << ctrl_c.err);
  CHECK(contains(ctrl_c.out, "PAGER-DONE"));
  CHECK(contains(ctrl_c.out, "rc=0"));

  auto unknown = sandbox.run("database", {"log", "nope"});
  CHECK(unknown.code == 1);
  CHECK(contains(unknown.err, "no log file matches 'nope'"));
}

TEST_CASE("log piped with no selector: the files back to back, nothing added") {
  // The shell tool's `cat "$dir"/*`: exactly the bytes of each file in `list` order, no
  // "==> name <==" headers and no newline added to a file that does not end in one.
  Sandbox sandbox;
  const std::string first = "2026-11-21 10:00:00 LOG:  first\n";
  const std::string second = "second without newline";
  const std::string third = std::string("third\0binary\n", 13) + "\n";
  sandbox.write("focus/postgresql/data/log/postgresql-2026-11-21_100000.log", first);
  sandbox.write("focus/postgresql/data/log/postgresql-2026-11-21_110000.log", second);
  sandbox.write("focus/postgresql/data/log/postgresql-2026-11-21_120000.log", third);
  auto all = sandbox.run("database", {"log"});
  CHECK(all.code == 0);
  CHECK(all.out == first + second + third);
  CHECK(sandbox.run("database", {"log", "2"}).out == second);

  // On a terminal the pager still gets the files with their headers.
  auto pager = sandbox.write("pager.sh", "#!/bin/sh\necho PAGED-BY-PAGER\ncat\n");
  std::filesystem::permissions(pager, std::filesystem::perms::owner_all, std::filesystem::perm_options::add);
  auto paged = sandbox.run_program("script", {"-qec", tool("database").string() + " log", "/dev/null"},
                                   {{"PAGER", pager.string()}});
  CHECK(paged.code == 0);
  CHECK(contains(paged.out, "PAGED-BY-PAGER"));
  CHECK(contains(paged.out, "==> postgresql-2026-11-21_110000.log <=="));
}

TEST_CASE("missing files: test.sql, backups, entrypoint") {
  Sandbox sandbox;
  auto test = sandbox.run("database", {"-u", "postgresql:///nowhere", "test"});
  CHECK(test.code == 1);
  CHECK(contains(test.err, (sandbox.path() / "db" / "test" / "test.sql").string()));
  auto hydrate = sandbox.run("database", {"-u", "postgresql:///nowhere", "hydrate"});
  CHECK(hydrate.code == 1);
  CHECK(contains(hydrate.err, (sandbox.path() / "db" / "src" / "entrypoint.sql").string()));
  auto restore = sandbox.run("database", {"restore"});
  CHECK(restore.code == 1);
  CHECK(contains(restore.err, "focus/postgresql-backup does not exist"));
  auto diff = sandbox.run("database", {"diff"});
  CHECK(diff.code == 1);
  CHECK(contains(diff.err, "focus/postgresql-backup does not exist"));

  auto in = sandbox.path() / "prod";
  std::filesystem::create_directories(in);
  auto same = sandbox.run("database", {"normalize-backup", "-o", in.string(), in.string()});
  CHECK(same.code == 1);
  CHECK(contains(same.err, "is the input backup"));
  auto inside = sandbox.run("database", {"normalize-backup", "-o", (in / "x").string(), in.string()});
  CHECK(inside.code == 1);
  CHECK(contains(inside.err, "is inside the input backup"));
  auto containing = sandbox.run("database", {"normalize-backup", "-o", sandbox.path().string(), in.string()});
  CHECK(containing.code == 1);
  CHECK(contains(containing.err, "contains the input backup"));
  auto absent = sandbox.run("database", {"normalize-backup", (sandbox.path() / "absent").string()});
  CHECK(absent.code == 1);
  CHECK(contains(absent.err, "absent does not exist"));
}

TEST_CASE("two subcommands are ambiguous, and nothing of the user's is removed by a wrong path") {
  Sandbox sandbox;
  auto two = sandbox.run("database", {"deploy", "check"});
  CHECK(two.code == 2);
  CHECK(contains(two.err, "ambiguous subcommand: decide deploy or check"));

  auto migrator_help = sandbox.run("database", {"migrator", "--help"});
  CHECK(migrator_help.code == 0);
  CHECK(contains(migrator_help.out, "migrate up"));

  // cleanup: PG_WORKING_DIR as a regular file is exit 13, a directory without a cluster is
  // exit 1; both are left as they were.
  auto file = sandbox.write("notes.txt", "mine\n");
  auto on_file = sandbox.run("database", {"cleanup"}, {{"PG_WORKING_DIR", file.string()}});
  CHECK(on_file.code == 13);
  CHECK(contains(on_file.err, "is not a directory"));
  CHECK(hectic::fs::read_file(file) == "mine\n");
  auto project = sandbox.write("project/src/main.c", "int main(void) { return 0; }\n");
  auto on_project = sandbox.run("database", {"cleanup"}, {{"PG_WORKING_DIR", (sandbox.path() / "project").string()}});
  CHECK(on_project.code == 1);
  CHECK(contains(on_project.err, "holds no cluster"));
  CHECK(std::filesystem::exists(project));

  // backup / normalize-backup -o: an existing directory that holds no backup is never replaced.
  auto mine = sandbox.write("documents/thesis.tex", "\\documentclass{article}\n");
  auto backup = sandbox.run("database", {"-u", "postgresql:///nowhere", "backup", "-o", mine.parent_path().string()});
  CHECK(backup.code == 1);
  CHECK(contains(backup.err, "holds no backup (no base.tar.gz): refusing to replace it"));
  CHECK(std::filesystem::exists(mine));
  sandbox.write("prod/base.tar.gz", "");
  auto normalize = sandbox.run("database", {"normalize-backup", "-o", mine.parent_path().string(),
                                            (sandbox.path() / "prod").string()});
  CHECK(normalize.code == 1);
  CHECK(contains(normalize.err, "refusing to replace it"));
  CHECK(std::filesystem::exists(mine));
}
