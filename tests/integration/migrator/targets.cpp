// `migrator --targets FILE` (issue 15 point 2) against one real cluster holding 20 databases:
// one failing target among 20 with --jobs 4, --shard partitions, --fail-fast, --json, the
// prefixed output lines, and the targets file's errors; plan --file and apply --file on six.
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

// How often needle occurs in text.
std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
  return count;
}

// The line of the table (or of any text) that starts with name and a blank.
std::string line_of(const std::string& text, const std::string& name) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(name + " ", 0) == 0) return line;
  return {};
}

// The desired state of the six databases of the schema-file case (managed: INHERITS the
// bundle's hectic.created_at, loaded with --hook): a new column, a CHECK and an index.
const char* k_item_old = "CREATE TABLE item (id int PRIMARY KEY, qty int) INHERITS (hectic.created_at);\n"
                         "INSERT INTO item (id, qty) VALUES (1, 5), (2, 7);\n";
const char* k_item_desired =
    "CREATE TABLE item (id int PRIMARY KEY, qty int CHECK (qty > 0), label text) INHERITS (hectic.created_at);\n"
    "CREATE INDEX item_qty ON item (qty);\n";

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
  auto plan_file = migrator({"--targets", file, "apply", "--plan", "p.json"});
  CHECK(plan_file.code == 2);
  CHECK(plan_file.err.find("apply --plan applies the plan of one database") != std::string::npos);
  auto unapproved = migrator({"--targets", file, "apply", "--file", "schema.sql"});
  CHECK(unapproved.code == 3);
  CHECK(unapproved.err.find("apply --file with --targets needs --auto-approve") != std::string::npos);
  auto missing = migrator({"--targets", file, "plan", "--file", (sandbox.path() / "none.sql").string()});
  CHECK(missing.code == 3);
  CHECK(missing.err.find("none.sql is neither a file") != std::string::npos);
  CHECK(migrator({"--targets", file, "--jobs", "x", "status"}).code == 9);
}

TEST_CASE("targets: plan --file and apply --file on six databases, the file loaded once") {
  Fleet f;
  auto url = [&](int i) { return f.url_of("db_" + Fleet::name(i)); };
  for (int i = 1; i <= 6; ++i) f.sandbox.psql(f.cluster_url, "CREATE DATABASE db_" + Fleet::name(i));
  const auto file = f.targets_file("targets.txt", {1, 2, 3, 4, 5, 6}).string();
  REQUIRE(f.migrator({"--targets", file, "init"}).code == 0);
  for (int i = 1; i <= 5; ++i) f.sandbox.psql(url(i), k_item_old);
  f.sandbox.psql(url(3), "INSERT INTO item (id, qty) VALUES (3, -1)"); // violates the new CHECK
  f.sandbox.psql(url(5), "ALTER TABLE item ADD COLUMN note text; UPDATE item SET note = 'kept'"); // the file drops it
  f.sandbox.psql(url(6), k_item_desired);                               // matches already
  const auto schema = f.sandbox.write("schema.sql", k_item_desired).string();
  const auto label_columns = [&](int i) {
    return f.sandbox.psql(url(i), "SELECT count(*) FROM information_schema.columns WHERE table_name = 'item' AND column_name = 'label'");
  };

  // The plans: t01, t02, t03, t04 alike, t05 with a hazard, t06 up to date.
  auto plan = f.migrator({"--targets", file, "plan", "--file", schema, "--hook"});
  INFO(plan.out << plan.err);
  REQUIRE(plan.code == 0);
  CHECK(count_of(plan.err, "starting a throw-away cluster") == 1);
  const auto t01 = row_of(plan.out, "t01");
  REQUIRE(t01.size() >= 4);
  CHECK(t01[2].rfind("statements", 0) == 0); // "3 statements, 2 hazards"
  for (int i : {2, 3, 4}) CHECK(row_of(plan.out, Fleet::name(i)).at(1) == t01[1]);
  CHECK(line_of(plan.out, "t05").find("hazard") != std::string::npos);
  CHECK(line_of(plan.out, "t06").find("up to date") != std::string::npos);
  CHECK(plan.out.find("[t05] Hazards (") != std::string::npos);
  CHECK(plan.out.find("[t06] No changes: the database already matches the file.") != std::string::npos);
  CHECK(plan.out.find("6 targets: 6 ok, 0 failed, 0 skipped") != std::string::npos);

  {
    auto json_run = f.migrator({"--targets", file, "--json", "plan", "--file", schema, "--hook"});
    INFO(json_run.err);
    REQUIRE(json_run.code == 0);
    auto json = nlohmann::json::parse(json_run.out);
    CHECK(json["command"] == "plan --file");
    const auto& targets = json["targets"];
    REQUIRE(targets.size() == 6u);
    for (const auto& t : targets) {
      CHECK(t["detail"]["format"] == "hectic-schema-plan/1");
      CHECK(t["detail"]["desired_fingerprint"] == targets[0]["detail"]["desired_fingerprint"]);
    }
    CHECK(targets[1]["detail"]["fingerprint"] == targets[0]["detail"]["fingerprint"]);
    CHECK(targets[4]["detail"]["fingerprint"] != targets[0]["detail"]["fingerprint"]);
    CHECK(!targets[4]["detail"]["hazards"].empty());
    CHECK(targets[5]["detail"]["statements"].empty());
    CHECK(targets[5]["detail"]["fingerprint"] == targets[5]["detail"]["desired_fingerprint"]);
  }

  {
    // --fail-fast, the failing target first, one job: nothing after it starts.
    const auto first_failing = f.targets_file("failing-first.txt", {3, 1, 2, 4, 5, 6}).string();
    auto ff = f.migrator({"--targets", first_failing, "--jobs", "1", "--fail-fast", "apply", "--file", schema,
                          "--hook", "--auto-approve"});
    INFO(ff.out << ff.err);
    CHECK(ff.code == 1);
    CHECK(row_of(ff.out, "t03").at(1) == "failed");
    CHECK(row_of(ff.out, "t01").at(1) == "skipped");
    CHECK(ff.out.find("6 targets: 0 ok, 1 failed, 5 skipped") != std::string::npos);
    CHECK(label_columns(1) == "0");
  }

  // Without --allow-drop: t03 fails (its rows violate the CHECK), t05 is refused (exit 2 for
  // it), the other four are applied; each took its own lock and wrote its own run log.
  auto apply = f.migrator({"--targets", file, "--jobs", "3", "apply", "--file", schema, "--hook", "--auto-approve"});
  INFO(apply.out << apply.err);
  CHECK(apply.code == 1); // the failures differ: 1 and 2
  CHECK(count_of(apply.err, "starting a throw-away cluster") == 1);
  for (int i : {1, 2, 4}) {
    const auto row = row_of(apply.out, Fleet::name(i));
    REQUIRE(row.size() >= 4);
    CHECK(row[1] == "ok");
    CHECK(row[2] == t01[1]); // APPLIED: the statements of its plan
    CHECK(label_columns(i) == "1");
    CHECK(f.sandbox.psql(url(i), "SELECT count(*) FROM pg_constraint WHERE conname = 'item_qty_check'") == "1");
    CHECK(f.sandbox.psql(url(i), "SELECT command || ' ' || status FROM hectic.migration_run ORDER BY id DESC LIMIT 1") ==
          "apply --file success");
  }
  CHECK(line_of(apply.out, "t06").find("up to date") != std::string::npos);
  const auto t03 = line_of(apply.out, "t03");
  CHECK(row_of(apply.out, "t03").at(1) == "failed");
  CHECK(row_of(apply.out, "t03").at(2) == "0");
  CHECK(t03.find("item_qty_check") != std::string::npos);
  CHECK(label_columns(3) == "0"); // rolled back
  CHECK(f.sandbox.psql(url(3), "SELECT count(*) FROM item") == "3");
  CHECK(f.sandbox.psql(url(3), "SELECT status FROM hectic.migration_run ORDER BY id DESC LIMIT 1") == "failed");
  CHECK(row_of(apply.out, "t05").at(1) == "failed");
  CHECK(line_of(apply.out, "t05").find("apply refused") != std::string::npos);
  CHECK(apply.err.find("[t05] migrator: error: apply refused: the plan was made without --allow-drop") != std::string::npos);
  CHECK(f.sandbox.psql(url(5), "SELECT string_agg(note, ',') FROM item") == "kept,kept");
  CHECK(label_columns(5) == "0");
  CHECK(apply.out.find("6 targets: 4 ok, 2 failed, 0 skipped") != std::string::npos);

  {
    // Fixed, with --allow-drop and --json: every target matches the file.
    f.sandbox.psql(url(3), "DELETE FROM item WHERE qty < 0");
    auto fixed = f.migrator({"--targets", file, "--json", "apply", "--file", schema, "--hook", "--auto-approve",
                             "--allow-drop"});
    INFO(fixed.err);
    REQUIRE(fixed.code == 0);
    auto json = nlohmann::json::parse(fixed.out);
    CHECK(json["command"] == "apply --file");
    CHECK(json["exit_code"] == 0);
    CHECK(json["summary"] == nlohmann::json{{"total", 6}, {"ok", 6}, {"failed", 0}, {"skipped", 0}});
    const auto& targets = json["targets"];
    REQUIRE(targets.size() == 6u);
    CHECK(targets[0]["status"] == "up to date");
    CHECK(targets[0]["applied"] == 0);
    CHECK(targets[2]["status"] == "ok");
    CHECK(targets[2]["applied"] == std::stoi(t01[1]));
    CHECK(targets[4]["applied"].get<int>() > std::stoi(t01[1])); // and the drop of note
    CHECK(targets[4]["detail"]["allow_drop"] == true);
    for (int i = 1; i <= 6; ++i) {
      CHECK(label_columns(i) == "1");
      CHECK(f.migrator({"diff", "--from", url(i), "--to", schema, "--hook"}).code == 0);
    }
  }
}
