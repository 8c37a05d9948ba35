// migrate::fleet without a server: the targets file, shards, the runner's threads and
// prefixes, the table and the exit code of `migrator --targets`.
#include <catch2/catch.hpp>

#include <atomic>
#include <set>
#include <thread>

#include "common/base/output.hpp"
#include "common/migrate/fleet.hpp"

using namespace hectic;
namespace fleet = hectic::migrate::fleet;

TEST_CASE("fleet: a targets file is NAME URL or URL per line, with comments") {
  auto targets = fleet::parse_targets("# fleet\n\neu-1 postgresql://u@h1/app  # first\r\n"
                                      "\tpostgres://u:secret@h2:6432/app\n"
                                      "us#1\tpostgresql://u@h3/app?sslmode=require\n",
                                      "t.txt");
  REQUIRE(targets.size() == 3);
  CHECK(targets[0].name == "eu-1");
  CHECK(targets[0].url == "postgresql://u@h1/app");
  CHECK(targets[0].line == 3);
  CHECK(targets[1].name == "u@h2:6432/app"); // no password in a name
  CHECK(targets[1].line == 4);
  CHECK(targets[2].name == "us#1"); // '#' after a blank starts a comment, not inside a word
  CHECK(targets[2].url == "postgresql://u@h3/app?sslmode=require");
  CHECK(fleet::describe_url("postgresql://alice@/db?host=/tmp/s&port=5433") == "alice@/tmp/s:5433/db");
}

TEST_CASE("fleet: a malformed targets file names file:line and the value, never a password") {
  auto message = [](const std::string& text) {
    try {
      fleet::parse_targets(text, "t.txt");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::generic);
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message("a postgresql://u@h/d\nb postgresql://u:pw@h/d x\n") ==
        "t.txt:2: expected NAME URL or URL, got 3 fields: 'b postgresql://u:***@h/d x'");
  CHECK(message("a mysql://u:pw@h/d\n") == "t.txt:1: 'mysql://u:***@h/d' is not a postgresql:// URL");
  CHECK(message("a postgresql://h/d\na postgresql://h/e\n") ==
        "t.txt:2: duplicate target name 'a' (also on line 1)");
  CHECK(message("# only comments\n\n") == "targets file t.txt lists no targets");
  CHECK(message("postgresql://h/d postgresql://h/e\n").find("t.txt:1: two URLs on one line") == 0);
}

TEST_CASE("fleet: --shard I/N is 1-based and the shards partition the targets") {
  std::vector<fleet::Target> targets;
  for (std::size_t i = 0; i < 10; ++i) targets.push_back({"t" + std::to_string(i), "postgresql://h/d", i + 1});
  std::multiset<std::string> all;
  for (std::size_t i = 1; i <= 3; ++i)
    for (const auto& t : fleet::select_shard(targets, fleet::parse_shard(std::to_string(i) + "/3"))) all.insert(t.name);
  CHECK(all.size() == 10);
  CHECK(std::set<std::string>(all.begin(), all.end()).size() == 10);
  CHECK(fleet::select_shard(targets, fleet::parse_shard("2/3")).front().name == "t1");
  CHECK(fleet::select_shard(targets, fleet::parse_shard("1/1")).size() == 10);
  CHECK(fleet::select_shard(targets, fleet::parse_shard("12/12")).empty());
  for (const char* bad : {"0/3", "4/3", "1/0", "3", "a/b", "/3", "1/3/4", " 1/3"}) {
    INFO(bad);
    CHECK_THROWS_AS(fleet::parse_shard(bad), Error);
  }
}

TEST_CASE("fleet: run bounds the threads, prefixes lines, stops on --fail-fast, exit code") {
  std::vector<fleet::Target> targets;
  for (std::size_t i = 0; i < 12; ++i) targets.push_back({"t" + std::to_string(i), "postgresql://h/d", i + 1});
  std::atomic<int> running{0}, peak{0};
  auto results = fleet::run(targets, {3, false, false}, [&](const fleet::Target& target) {
    int now = ++running;
    for (int p = peak; now > p && !peak.compare_exchange_weak(p, now);) {
    }
    CHECK(output::line_prefix() == "[" + target.name + "] ");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    --running;
    if (target.name == "t4") throw Error(ExitCode::migration_failed, "migration x failed\ndetail", {"a hint"});
    fleet::Outcome outcome;
    outcome.migrations = {"m1", "m2"};
    if (target.name == "t6") outcome.applied = 7; // apply --file: statements, not migrations
    return outcome;
  });
  CHECK(peak <= 3);
  CHECK(peak >= 2);
  REQUIRE(results.size() == 12);
  CHECK(results[4].state == "failed");
  CHECK(results[4].error == "migration x failed");
  CHECK(results[5].state == "ok");
  CHECK(results[5].migrations.size() == 2);
  CHECK(fleet::exit_code(results) == 4);
  auto table = fleet::to_table(results);
  CHECK(table.find("12 targets: 11 ok, 1 failed, 0 skipped") != std::string::npos);
  auto json = fleet::to_json(results, "migrate up all");
  CHECK(json["targets"][4]["exit_code"] == 4);
  CHECK(json["summary"]["failed"] == 1);
  CHECK(json["targets"][5]["applied"] == 2);
  CHECK(json["targets"][6]["applied"] == 7);
  CHECK(json["targets"][6]["migrations_count"] == 2);

  // --fail-fast, one job: nothing after the first failure starts.
  auto fast = fleet::run(targets, {1, true, false}, [&](const fleet::Target& target) {
    if (target.name == "t1") return fleet::failed(Error(ExitCode::ambiguous, "mismatch"));
    return fleet::Outcome{};
  });
  CHECK(fast[0].state == "ok");
  CHECK(fast[1].state == "failed");
  CHECK(fast[2].state == "skipped");
  CHECK(fleet::exit_code(fast) == 2);

  // Failures of different kinds: 1.
  auto mixed = fleet::run(targets, {4, false, false}, [&](const fleet::Target& target) {
    if (target.name == "t1") throw Error(ExitCode::ambiguous, "mismatch");
    if (target.name == "t2") throw Error(ExitCode::migration_failed, "failed");
    return fleet::Outcome{};
  });
  CHECK(fleet::exit_code(mixed) == 1);
}
