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
