// NUL bytes are errors, never truncation (issue 17 point 5): a script or an included script
// with a NUL byte is refused at file:line before any of it runs, and a dotenv source with one
// is refused naming the key before any secret is loaded.
#include <catch2/catch.hpp>

#include "tests/support/harness.hpp"

using namespace hectic::test;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const std::string k_nul(1, '\0');

// hectic.secret is absent or empty.
bool no_secrets(const Sandbox& sandbox, const std::string& url) {
  if (sandbox.psql(url, "SELECT to_regclass('hectic.secret') IS NULL") == "t") return true;
  return sandbox.psql(url, "SELECT count(*) FROM hectic.secret") == "0";
}

} // namespace

TEST_CASE("a NUL byte in a script or an included script is exit 1 at file:line and nothing of it runs") {
  Sandbox sandbox;
  auto url = sandbox.start_cluster();
  std::map<std::string, std::string> env{{"DB_URL", url}};

  auto patch = sandbox.write("patch.sql", "CREATE TABLE public.before_nul (id int);\nSELECT 'a" + k_nul +
                                              "b';\nCREATE TABLE public.after_nul (id int);\n");
  env["PATCH_SQL"] = patch.string();
  auto patched = sandbox.run("database", {"patch"}, env);
  INFO(patched.err);
  CHECK(patched.code == 1);
  CHECK(contains(patched.err, "patch.sql:2"));
  CHECK(contains(patched.err, "NUL byte"));
  CHECK(sandbox.psql(url, "SELECT to_regclass('public.before_nul') IS NULL") == "t");
  CHECK(sandbox.psql(url, "SELECT to_regclass('public.after_nul') IS NULL") == "t");

  for (const std::string command : {"\\ir", "\\i"}) {
    env.erase("PATCH_SQL");
    std::string target = command == "\\i" ? (sandbox.path() / "db/src/part.sql").string() : "part.sql";
    sandbox.write("db/src/entrypoint.sql", command + " " + target + "\n");
    sandbox.write("db/src/part.sql", "CREATE TABLE public.included_before (id int);\n\n\nSELECT 1" + k_nul + ";\n");
    auto hydrated = sandbox.run("database", {"hydrate", "--no-hook"}, env);
    INFO(command << ": " << hydrated.err);
    CHECK(hydrated.code == 1);
    CHECK(contains(hydrated.err, "part.sql:4"));
    CHECK(contains(hydrated.err, "NUL byte"));
    CHECK(contains(hydrated.err, "included from"));
    CHECK(sandbox.psql(url, "SELECT to_regclass('public.included_before') IS NULL") == "t");
  }
}

TEST_CASE("a NUL byte in a dotenv file is exit 1 naming the key and no secret is loaded") {
  Sandbox sandbox;
  auto url = sandbox.start_cluster();
  auto file = sandbox.write("secrets.env", "FIRST=one\nTOKEN=abc" + k_nul + "def\nLAST=three\n");
  auto load = sandbox.run("database", {"-u", url, "secrets", "load", "-f", file.string()});
  INFO(load.err);
  CHECK(load.code == 1);
  CHECK(contains(load.err, "TOKEN"));
  CHECK(contains(load.err, "NUL byte"));
  CHECK_FALSE(contains(load.err, "secret(s)"));
  CHECK(no_secrets(sandbox, url));

  // The same file through hydrate (HECTIC_DOTENV_FILE): refused before the entrypoint runs.
  sandbox.write("db/src/entrypoint.sql", "CREATE TABLE public.hydrated (id int);\n");
  auto hydrated = sandbox.run("database", {"hydrate"}, {{"DB_URL", url}, {"HECTIC_DOTENV_FILE", file.string()}});
  INFO(hydrated.err);
  CHECK(hydrated.code == 1);
  CHECK(contains(hydrated.err, "TOKEN"));
  CHECK(sandbox.psql(url, "SELECT to_regclass('public.hydrated') IS NULL") == "t");
  CHECK(no_secrets(sandbox, url));

  // A NUL in a key or on a line without '=' still names the line.
  auto keyless = sandbox.write("keyless.env", "GOOD=1\nBAD" + k_nul + "KEY=2\n");
  auto refused = sandbox.run("database", {"-u", url, "secrets", "load", "-f", keyless.string()});
  CHECK(refused.code == 1);
  CHECK(contains(refused.err, "line 2"));
}
