// Machine-friendly migrator outputs (issue 16 point 4): ISO 8601 UTC timestamps in every JSON
// (status, log, plan) and `status --exit-code` as a CI gate.
#include <catch2/catch.hpp>

#include <regex>

#include <nlohmann/json.hpp>

#include "tests/support/harness.hpp"

using namespace hectic;
namespace stdfs = std::filesystem;

namespace {

bool is_iso8601_utc(const nlohmann::json& value) {
  static const std::regex k_iso(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$)");
  return value.is_string() && std::regex_match(value.get<std::string>(), k_iso);
}

struct Project {
  test::Sandbox sandbox;
  std::string url = sandbox.start_cluster();

  test::Run migrator(std::vector<std::string> args) {
    args.insert(args.begin(), {"-u", url, "-d", (sandbox.path() / "migration").string()});
    return sandbox.run("migrator", args);
  }
  void migration(const std::string& name) {
    sandbox.write(stdfs::path("migration") / name / "up.sql", "CREATE TABLE t_" + name.substr(0, 14) + " (id int) INHERITS (hectic.created_at);\n");
    sandbox.write(stdfs::path("migration") / name / "down.sql", "DROP TABLE t_" + name.substr(0, 14) + ";\n");
  }
};

} // namespace

TEST_CASE("outputs: JSON timestamps are ISO 8601 UTC, status --exit-code gates pending and drift") {
  Project p;
  p.migration("20250101000000-one");
  p.migration("20250102000000-two");
  REQUIRE(p.migrator({"init"}).code == 0);
  auto pending = p.migrator({"status", "--exit-code"});
  INFO(pending.out << pending.err);
  CHECK(pending.code == 1);
  CHECK(p.migrator({"status"}).code == 0); // without the flag status is a report
  REQUIRE(p.migrator({"migrate", "up", "all"}).code == 0);
  CHECK(p.migrator({"status", "--exit-code"}).code == 0);

  auto status = nlohmann::json::parse(p.migrator({"status", "--json"}).out);
  REQUIRE(status["applied"].size() == 2);
  CHECK(is_iso8601_utc(status["applied"][0]["applied_at"]));
  auto log = nlohmann::json::parse(p.migrator({"log", "--json", "-n", "1"}).out);
  REQUIRE(log.size() == 1);
  CHECK(is_iso8601_utc(log[0]["started_at"]));
  CHECK(is_iso8601_utc(log[0]["finished_at"]));

  p.migration("20250103000000-three");
  auto plan_file = (p.sandbox.path() / "plan.json").string();
  REQUIRE(p.migrator({"plan", "--output-json", plan_file}).code == 0);
  CHECK(is_iso8601_utc(nlohmann::json::parse(p.sandbox.run_program("/bin/cat", {plan_file}).out)["created_at"]));

  // A changed applied file is drift: the gate fails again.
  p.sandbox.write("migration/20250101000000-one/up.sql", "CREATE TABLE changed (id int) INHERITS (hectic.created_at);\n");
  p.sandbox.write("migration/20250103000000-three/up.sql", "");
  stdfs::remove_all(p.sandbox.path() / "migration" / "20250103000000-three");
  CHECK(p.migrator({"status", "--exit-code"}).code == 1);
}
