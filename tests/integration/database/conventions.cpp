// Environment conventions and honest effects (issue 16 points 5 and 6): $EDITOR/$PAGER as
// git runs them, `patch --edit` needs a terminal, dotenv `export` lines, what `secrets load`
// replaces, `cleanup` of nothing, log namespaces.
#include <catch2/catch.hpp>

#include <filesystem>

#include "common/base/fs.hpp"
#include "tests/support/harness.hpp"

using namespace hectic::test;
namespace stdfs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// An executable script under the sandbox.
stdfs::path write_script(const Sandbox& sandbox, const std::string& name, const std::string& body) {
  auto path = sandbox.write(name, "#!/bin/sh\n" + body);
  stdfs::permissions(path, stdfs::perms::owner_all, stdfs::perm_options::add);
  return path;
}

} // namespace

TEST_CASE("patch --edit without a terminal is a clear error and runs no editor") {
  Sandbox sandbox;
  auto marker = sandbox.path() / "editor-ran";
  auto editor = write_script(sandbox, "editor.sh", "touch '" + marker.string() + "'\n");
  auto piped = sandbox.run("database", {"patch", "--edit"}, {{"EDITOR", editor.string()}}, std::string("x\n"));
  INFO(piped.err);
  CHECK(piped.code == 1);
  CHECK(contains(piped.err, "needs a terminal"));
  CHECK_FALSE(stdfs::exists(marker));
}

TEST_CASE("patch --edit on a terminal runs EDITOR through the shell with a quoted argument") {
  Sandbox sandbox;
  auto seen = sandbox.path() / "seen";
  auto editor = write_script(sandbox, "my editor.sh", "printf '%s|' \"$@\" > '" + seen.string() + "'\n");
  auto patch = sandbox.path() / "profile" / "test-data.sql";
  std::string value = "'" + editor.string() + "' --title 'two words'";
  auto run = sandbox.run_program("script", {"-qec", tool("database").string() + " patch --edit", "/dev/null"},
                                 {{"EDITOR", value}, {"PATCH_SQL", patch.string()}});
  INFO(run.out << run.err);
  CHECK(run.code == 0);
  CHECK(hectic::fs::read_file(seen) == "--title|two words|" + patch.string() + "|");
}

TEST_CASE("dotenv export lines load as KEY=VALUE") {
  Sandbox sandbox;
  auto url = sandbox.start_cluster();
  auto file = sandbox.write(".env.dev", "export API_KEY=abc\nexport  QUOTED='x y'\nPLAIN=1\n");
  auto load = sandbox.run("database", {"-u", url, "secrets", "load", "-f", file.string()});
  INFO(load.err);
  REQUIRE(load.code == 0);
  CHECK(sandbox.psql(url, "SELECT string_agg(key || '=' || value, ',' ORDER BY key) FROM hectic.secret") ==
        "API_KEY=abc,PLAIN=1,QUOTED=x y");
}

TEST_CASE("secrets load says it replaces the table, and --dry-run lists what would change") {
  Sandbox sandbox;
  auto help = sandbox.run("database", {"secrets", "load", "--help"});
  CHECK(contains(help.out, "replaces the whole hectic.secret table"));
  CHECK(contains(help.out, "--dry-run"));
  auto url = sandbox.start_cluster();
  auto keys = [&] { return sandbox.psql(url, "SELECT string_agg(key || '=' || value, ',' ORDER BY key) FROM hectic.secret"); };

  // A database without the bundle: every key is new, and nothing is created.
  auto fresh = sandbox.run("database", {"-u", url, "secrets", "load", "--dry-run"}, {{"HECTIC_DOTENV_CONTENT", "A=1\nB=2"}});
  INFO(fresh.err);
  REQUIRE(fresh.code == 0);
  CHECK(fresh.out == "+ A\n+ B\n");
  CHECK(sandbox.psql(url, "SELECT to_regnamespace('hectic') IS NULL") == "t");

  REQUIRE(sandbox.run("database", {"-u", url, "secrets", "load"}, {{"HECTIC_DOTENV_CONTENT", "A=1\nB=2\nOLD=x"}}).code == 0);
  auto dry = sandbox.run("database", {"-u", url, "secrets", "load", "--dry-run"},
                         {{"HECTIC_DOTENV_CONTENT", "B=3\nC=4\nC=5\nexport D=6"}});
  INFO(dry.err);
  REQUIRE(dry.code == 0);
  CHECK(dry.out == "+ C\n+ D\n- A\n- OLD\n");
  CHECK(contains(dry.err, "nothing written"));
  CHECK(keys() == "A=1,B=2,OLD=x"); // untouched

  auto db_ops = sandbox.run("db-ops", {"-u", url, "secrets", "load", "--dry-run"}, {{"HECTIC_DOTENV_CONTENT", "A=9"}});
  INFO(db_ops.err);
  CHECK(db_ops.code == 0);
  CHECK(db_ops.out == "- B\n- OLD\n");
  CHECK(keys() == "A=1,B=2,OLD=x");
}

TEST_CASE("cleanup of nothing says so and removes nothing") {
  Sandbox sandbox;
  auto cleanup = sandbox.run("database", {"cleanup"});
  INFO(cleanup.err);
  CHECK(cleanup.code == 0);
  CHECK(contains(cleanup.err, "nothing to remove"));
  CHECK_FALSE(contains(cleanup.err, "removed"));
}

TEST_CASE("restore and normalize-backup log under their own names") {
  Sandbox sandbox;
  auto url = sandbox.start_cluster();
  REQUIRE(sandbox.run("database", {"backup"}, {{"DB_URL", url}}).code == 0);
  auto restore = sandbox.run("database", {"restore"});
  INFO(restore.err);
  REQUIRE(restore.code == 0);
  CHECK(contains(restore.err, "db restore> stopping the cluster"));
  CHECK_FALSE(contains(restore.err, "db backup>"));
  auto normalize = sandbox.run("database", {"normalize-backup"});
  INFO(normalize.err);
  REQUIRE(normalize.code == 0);
  CHECK(contains(normalize.err, "db normalize-backup> normalized backup written to"));
  CHECK_FALSE(contains(normalize.err, "db backup>"));
}
