// `migrator --targets FILE` (issue 15 point 2) against one real cluster holding 20 databases:
// one failing target among 20 with --jobs 4, --shard partitions, --fail-fast, --json, the
// prefixed output lines, and the targets file's errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/pg/conninfo.hpp"
#include "tests/support/harness.hpp"

using namespace hectic;
namespace stdfs = std::filesystem;

namespace {

constexpr int k_targets = 20;
constexpr int k_failing = 7; // its database already has the table of the second migration

struct Fleet {
  test::Sandbox sandbox;
  std::string cluster_url = sandbox.start_cluster();

  std::string url_of(const std::string& database) {
    auto k = pq::parse_conninfo(cluster_url);
    return pq::socket_url(k["user"], database, k["host"], std::stoi(k["port"]));
  }
  static std::string name(int i) { return fmt::format("t{:02}", i); }

  void migration(const std::string& name, const std::string& table) {
    sandbox.write(stdfs::path("migration") / name / "up.sql",
                  fmt::format("\\echo creating {}\nCREATE TABLE {} (id int) INHERITS (hectic.created_at);\n", table, table));
    sandbox.write(stdfs::path("migration") / name / "down.sql", fmt::format("DROP TABLE {};\n", table));
  }

  // Targets named t01..t20 (t20 as a bare URL), in the given order.
  stdfs::path targets_file(const std::string& file, const std::vector<int>& order) {
    std::string text = "# the fleet\n\n";
    for (int i : order)
      text += i == k_targets ? url_of("db_" + name(i)) + "\n"
                             : fmt::format("{}  {}   # tenant {}\n", name(i), url_of("db_" + name(i)), i);
    return sandbox.write(file, text);
  }

  test::Run migrator(std::vector<std::string> args) {
    args.insert(args.begin(), {"-d", (sandbox.path() / "migration").string()});
    return sandbox.run("migrator", args);
  }

  int applied_count(int i) {
    return std::stoi(sandbox.psql(url_of("db_" + name(i)), "SELECT count(*) FROM hectic.migration"));
  }
};

std::vector<int> all_targets() {
  std::vector<int> order;
  for (int i = 1; i <= k_targets; ++i) order.push_back(i);
  return order;
}

// The table row of a target: its whitespace-separated fields.
std::vector<std::string> row_of(const std::string& table, const std::string& name) {
  std::istringstream lines(table);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::vector<std::string> fields;
    for (std::string w; words >> w;) fields.push_back(w);
    if (!fields.empty() && fields[0] == name) return fields;
  }
  return {};
}

} // namespace

TEST_CASE("targets: 20 databases with --jobs 4, one failing, shards, fail-fast, json, SIGINT") {
  Fleet f;
  for (int i = 1; i <= k_targets; ++i) f.sandbox.psql(f.cluster_url, "CREATE DATABASE db_" + Fleet::name(i));
  f.migration("20250101000000-one", "t_one");
  f.migration("20250102000000-two", "t_two");
  f.migration("20250103000000-three", "t_three");
  const auto file = f.targets_file("targets.txt", all_targets()).string();
  REQUIRE(f.migrator({"--targets", file, "init"}).code == 0);
  f.sandbox.psql(f.url_of("db_" + Fleet::name(k_failing)), "CREATE TABLE t_two (id int) INHERITS (hectic.created_at)");

  auto run = f.migrator({"--targets", file, "--jobs", "4", "migrate", "up", "all"});
  INFO(run.out << run.err);
  CHECK(run.code == 4); // every failure was a migration that failed: its code

  // The other 19 are migrated; the failing one kept its first migration.
  for (int i = 1; i <= k_targets; ++i) CHECK(f.applied_count(i) == (i == k_failing ? 1 : 3));
  // The table names each target and the failure.
  auto failing = row_of(run.out, "t07");
  REQUIRE(failing.size() > 4);
  CHECK(failing[1] == "failed");
  CHECK(failing[2] == "1");
  CHECK(run.out.find("20250102000000-two") != std::string::npos);
  for (int i = 1; i < k_targets; ++i) {
    if (i == k_failing) continue;
    auto row = row_of(run.out, Fleet::name(i));
    REQUIRE(row.size() >= 4);
    CHECK(row[1] == "ok");
    CHECK(row[2] == "3");
  }
  // The bare URL is named by its password-free user@host:port/db.
  CHECK(run.out.find("/db_t20") != std::string::npos);
  CHECK(run.out.find("20 targets: 19 ok, 1 failed, 0 skipped") != std::string::npos);

  // Every log line carries its target: whole lines, never two targets on one.
  std::istringstream lines(run.err);
  std::size_t prefixed = 0;
  const std::regex k_prefix(R"(^\[(t\d\d|[^\]]*/db_t20)\] )");
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    CHECK(std::regex_search(line, k_prefix));
    CHECK(line.find("migrator>", line.find("migrator>") + 1) == std::string::npos);
    ++prefixed;
  }
  CHECK(prefixed > 20);
  CHECK(run.err.find("[t03] migrator> applying 20250103000000-three (up)") != std::string::npos);
  CHECK(run.out.find("[t03] creating t_three\n") != std::string::npos); // \echo of the script: stdout
  CHECK(run.err.find("[t07] migrator: error: migration 20250102000000-two (up) failed") != std::string::npos);
  // Each target wrote its own run log.
  CHECK(f.sandbox.psql(f.url_of("db_t07"), "SELECT status FROM hectic.migration_run ORDER BY id DESC LIMIT 1") == "failed");
  CHECK(f.sandbox.psql(f.url_of("db_t08"), "SELECT status FROM hectic.migration_run ORDER BY id DESC LIMIT 1") == "success");

  {
    // --shard I/N (1-based): the shards partition the file exactly.
    std::multiset<std::string> seen;
    for (int i = 1; i <= 3; ++i) {
      auto shard = f.migrator({"--targets", file, "--shard", fmt::format("{}/3", i), "status", "--json"});
      INFO(shard.err);
      REQUIRE(shard.code == 0);
      auto json = nlohmann::json::parse(shard.out);
      for (const auto& t : json["targets"]) seen.insert(t["name"].get<std::string>());
      CHECK(json["targets"].size() == (i == 3 ? 6u : 7u));
      CHECK(json["targets"][0]["name"] == Fleet::name(i));
    }
    CHECK(seen.size() == static_cast<std::size_t>(k_targets));
    CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == static_cast<std::size_t>(k_targets));
  }

  {
    // The failing target first, one job: nothing after it starts.
    auto order = all_targets();
    std::rotate(order.begin(), order.begin() + (k_failing - 1), order.end());
    const auto first_failing = f.targets_file("failing-first.txt", order).string();
    auto before = f.sandbox.psql(f.url_of("db_t08"), "SELECT count(*) FROM hectic.migration_run");
    auto ff = f.migrator({"--targets", first_failing, "--jobs", "1", "--fail-fast", "migrate", "up", "all"});
    INFO(ff.out << ff.err);
    CHECK(ff.code == 4);
    CHECK(row_of(ff.out, "t07").at(1) == "failed");
    CHECK(row_of(ff.out, "t08").at(1) == "skipped");
    CHECK(ff.out.find("20 targets: 0 ok, 1 failed, 19 skipped") != std::string::npos);
    CHECK(f.sandbox.psql(f.url_of("db_t08"), "SELECT count(*) FROM hectic.migration_run") == before);
  }

  {
    // Fixed: the next run applies the two missing migrations there and nothing elsewhere.
    f.sandbox.psql(f.url_of("db_t07"), "DROP TABLE t_two");
    auto fixed = f.migrator({"--targets", file, "--json", "migrate", "up", "all"});
    INFO(fixed.err);
    REQUIRE(fixed.code == 0);
    auto json = nlohmann::json::parse(fixed.out);
    CHECK(json["command"] == "migrate up all");
    CHECK(json["exit_code"] == 0);
    CHECK(json["summary"] == nlohmann::json{{"total", 20}, {"ok", 20}, {"failed", 0}, {"skipped", 0}});
    REQUIRE(json["targets"].size() == 20u);
    const auto& t07 = json["targets"][k_failing - 1];
    CHECK(t07["name"] == "t07");
    CHECK(t07["status"] == "ok");
    CHECK(t07["success"] == true);
    CHECK(t07["exit_code"] == 0);
    CHECK(t07["migrations"] == nlohmann::json{"20250102000000-two", "20250103000000-three"});
    CHECK(t07["migrations_count"] == 2);
    CHECK(t07["seconds"].is_number());
    CHECK(t07["error"].is_null());
    CHECK(json["targets"][0]["migrations"].empty());
    for (int i = 1; i <= k_targets; ++i) CHECK(f.applied_count(i) == 3);
    auto status = f.migrator({"--targets", file, "status", "--exit-code"});
    CHECK(status.code == 0);
    CHECK(row_of(status.out, "t07").at(1) == "up");
  }

  {
    // SIGINT stops every running target: each statement cancelled and rolled back, each run
    // log says interrupted, nothing after them starts, exit 130.
    f.sandbox.write("migration/20250104000000-slow/up.sql",
                    "CREATE TABLE t_slow (id int) INHERITS (hectic.created_at);\n\\if :{?slow}\nSELECT pg_sleep(60);\n\\endif\n");
    f.sandbox.write("migration/20250104000000-slow/down.sql", "DROP TABLE t_slow;\n");
    const auto four = f.targets_file("four.txt", {1, 2, 3, 4, 5, 6}).string();
    auto interrupted = f.sandbox.run_program(
        "/usr/bin/timeout", {"--preserve-status", "-s", "INT", "4", test::tool("migrator").string(), "-d",
                             (f.sandbox.path() / "migration").string(), "--targets", four, "--jobs", "4",
                             "migrate", "up", "all", "-v", "slow=1"});
    INFO(interrupted.out << interrupted.err);
    CHECK(interrupted.code == 130);
    for (int i = 1; i <= 6; ++i) {
      const auto url = f.url_of("db_" + Fleet::name(i));
      CHECK(f.applied_count(i) == 3);
      CHECK(f.sandbox.psql(url, "SELECT to_regclass('public.t_slow') IS NULL") == "t");
      CHECK(f.sandbox.psql(url, "SELECT status FROM hectic.migration_run ORDER BY id DESC LIMIT 1") ==
            (i <= 4 ? "interrupted" : "success"));
    }
  }
}

TEST_CASE("targets: a malformed targets file or option names the value and hides passwords") {
  test::Sandbox sandbox;
  auto migrator = [&](std::vector<std::string> args) { return sandbox.run("migrator", args); };
  auto expect = [&](const std::string& content, int code, const std::string& message) {
    auto file = sandbox.write("targets.txt", content).string();
    auto run = migrator({"--targets", file, "status"});
    INFO(content << "\n" << run.err);
    CHECK(run.code == code);
    CHECK(run.err.find(message) != std::string::npos);
    CHECK(run.err.find("s3cret") == std::string::npos);
    CHECK(run.out.empty());
  };
  const std::string good = "a postgresql://u@/db_a?host=/nowhere\n";
  expect(good + "b postgresql://u:s3cret@h/db extra\n", 1,
         "targets.txt:2: expected NAME URL or URL, got 3 fields: 'b postgresql://u:***@h/db extra'");
  expect("# c\n\nb password=s3cret\n", 1, "targets.txt:3: 'password=***' is not a postgresql:// URL");
  expect(good + "a postgresql://u:s3cret@h/db2\n", 1, "targets.txt:2: duplicate target name 'a' (also on line 1)");
  expect(good + "postgresql://u:s3cret@h/x postgresql://u@h/y\n", 1, "targets.txt:2: two URLs on one line");
  expect("# nothing\n\n", 1, "lists no targets");
  {
    auto run = migrator({"--targets", (sandbox.path() / "missing.txt").string(), "status"});
    CHECK(run.code == 1);
    CHECK(run.err.find("cannot read targets file") != std::string::npos);
  }
  auto file = sandbox.write("targets.txt", good).string();
  for (const std::string bad : {"0/3", "4/3", "1/0", "x", "1/", "-1/2"}) {
    auto run = migrator({"--targets", file, "--shard", bad, "status"});
    INFO(bad << ": " << run.err);
    CHECK(run.code == 9);
    CHECK(run.err.find(fmt::format("got '{}'", bad)) != std::string::npos);
  }
  CHECK(migrator({"--targets", file, "--jobs", "0", "status"}).code == 9);
  auto lone = migrator({"--shard", "1/2", "status"});
  CHECK(lone.code == 3);
  CHECK(lone.err.find("--shard needs --targets FILE") != std::string::npos);
  CHECK(migrator({"--fail-fast", "migrate", "up"}).code == 3);
  auto other = migrator({"--targets", file, "create", "--name", "x"});
  CHECK(other.code == 9);
  CHECK(other.err.find("--targets does not apply to create") != std::string::npos);
  CHECK(migrator({"--targets", file, "plan", "--output-json", "p.json"}).code == 2);
  CHECK(migrator({"--targets", file, "plan", "--file", "schema.sql"}).code == 9);
  CHECK(migrator({"--targets", file, "apply", "--plan", "p.json"}).code == 9);
  CHECK(migrator({"--targets", file, "--jobs", "x", "status"}).code == 9);
}
