// The project's own cluster as the default target (README "database"): commands on a
// database without -u/DB_URL/PGURL, backup ignoring a leftover DB_URL, and `database status`.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "tests/support/harness.hpp"

using namespace hectic::test;
namespace stdfs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void copy_example(const Sandbox& sandbox) {
  stdfs::copy(source_dir() / "examples" / "project", sandbox.path(),
              stdfs::copy_options::recursive | stdfs::copy_options::overwrite_existing);
}

nlohmann::json status_json(const Sandbox& sandbox) {
  auto status = sandbox.run("database", {"status", "--format", "json"});
  INFO(status.err);
  REQUIRE(status.code == 0);
  return nlohmann::json::parse(status.out);
}

} // namespace

TEST_CASE("status of a project without a cluster: not running, exit 0, nothing created") {
  Sandbox sandbox;
  auto json = status_json(sandbox);
  CHECK(json["running"] == false);
  CHECK(json["pid"].is_null());
  CHECK(json["server_version"].is_null());
  CHECK(json["size_bytes"] == 0);
  CHECK(json["data_dir"] == (sandbox.working_dir() / "data").string());
  CHECK(contains(json["url"].get<std::string>(), "postgresql://"));
  CHECK_FALSE(stdfs::exists(sandbox.working_dir()));
  auto text = sandbox.run("database", {"status"});
  CHECK(text.code == 0);
  CHECK(contains(text.out, "not running"));
  auto bad = sandbox.run("database", {"status", "--format", "yaml"});
  CHECK(bad.code == 9);
  CHECK(contains(bad.err, "yaml"));

  // No URL anywhere and no cluster: exit 3 naming every source.
  auto test = sandbox.run("database", {"test"});
  CHECK(test.code == 3);
  CHECK(contains(test.err, "pass -u/--url, or set DB_URL or PGURL"));
  CHECK(contains(test.err, "not running"));
}

TEST_CASE("deploy then test, hydrate, migrator and backup with no URL use the project's cluster") {
  Sandbox sandbox;
  copy_example(sandbox);
  auto deploy = sandbox.run("database", {"deploy", "--format", "json"});
  INFO(deploy.err);
  REQUIRE(deploy.code == 0);
  // Issue 16 point 4: the object is the last line (the scripts' own output comes before it).
  auto last_line = deploy.out.substr(deploy.out.rfind('\n', deploy.out.size() - 2) + 1);
  auto deployed = nlohmann::json::parse(last_line);
  CHECK(contains(deployed["PGURL"].get<std::string>(), "postgresql://"));
  auto init = sandbox.run("database", {"init", "--reuse", "--format", "json"});
  REQUIRE(init.code == 0);
  CHECK(nlohmann::json::parse(init.out)["PGURL"] == deployed["PGURL"]);

  auto test = sandbox.run("database", {"test"});
  INFO(test.out << test.err);
  CHECK(test.code == 0);
  CHECK(contains(test.err, "using the project's cluster"));
  auto migrator = sandbox.run("database", {"migrator", "status"});
  INFO(migrator.out << migrator.err);
  CHECK(migrator.code == 0);

  auto json = status_json(sandbox);
  CHECK(json["running"] == true);
  CHECK(json["pid"].is_number());
  CHECK(json["size_bytes"].get<std::uintmax_t>() > 1000000);
  CHECK(json["server_version"].get<std::string>().rfind("15", 0) == 0);
  auto url = json["url"].get<std::string>();
  CHECK(sandbox.psql(url, "SELECT count(*) FROM public.customer") == "2");

  // A DB_URL left from another project names a server that is not there: backup ignores it.
  auto backup = sandbox.run("database", {"backup"}, {{"DB_URL", "postgresql:///other?host=/nonexistent"}});
  INFO(backup.err);
  CHECK(backup.code == 0);
  CHECK(contains(backup.err, "DB_URL is set but ignored"));
  CHECK(stdfs::exists(sandbox.path() / "focus" / "postgresql-backup" / "base.tar.gz"));
  // -u given explicitly wins.
  auto explicit_url = sandbox.run("database", {"-u", "postgresql:///other?host=/nonexistent", "backup", "-o",
                                               (sandbox.path() / "other-backup").string()});
  CHECK(explicit_url.code != 0);
  CHECK(contains(explicit_url.err, "/nonexistent"));

  auto cleanup = sandbox.run("database", {"cleanup"});
  CHECK(cleanup.code == 0);
  CHECK(status_json(sandbox)["running"] == false);
}
