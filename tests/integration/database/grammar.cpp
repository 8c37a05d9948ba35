// One CLI grammar across postgres-init, postgres-cleanup, database, migrator and db-ops
// (README "Exit codes", each binary's --help): help and version spellings, unknown words even
// beside --help, subcommand groups, value validation and the URL sources named. No server.
#include <catch2/catch.hpp>

#include "tests/support/harness.hpp"

using namespace hectic::test;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const std::vector<std::string> k_binaries = {"postgres-init", "postgres-cleanup", "database", "migrator", "db-ops"};

} // namespace

TEST_CASE("grammar: help, -h, --help and -V, --version in every binary") {
  Sandbox sandbox;
  for (const auto& binary : k_binaries) {
    for (const char* spelling : {"help", "-h", "--help"}) {
      INFO(binary << " " << spelling);
      auto run = sandbox.run(binary, {spelling});
      CHECK(run.code == 0);
      CHECK(run.out.size() > 200);
    }
    for (const char* spelling : {"-V", "--version"}) {
      INFO(binary << " " << spelling);
      auto run = sandbox.run(binary, {spelling});
      CHECK(run.code == 0);
      CHECK(run.out.rfind(binary + " version ", 0) == 0);
    }
  }
  auto database = sandbox.run("database", {"--help"});
  CHECK(contains(database.out, "Exit codes:"));
  CHECK(contains(database.out, "9 unknown argument"));
}

TEST_CASE("grammar: an unknown subcommand or option is exit 9 even with --help, the hint its own help") {
  Sandbox sandbox;
  for (const auto& binary : k_binaries) {
    INFO(binary);
    auto option = sandbox.run(binary, {"--nosuch", "--help"});
    CHECK(option.code == 9);
    CHECK(contains(option.err, "unknown option: --nosuch"));
    CHECK(contains(option.err, "see " + binary + " --help"));
  }
  for (const char* binary : {"database", "migrator", "db-ops"}) {
    INFO(binary);
    auto sub = sandbox.run(binary, {"nosuch", "--help"});
    CHECK(sub.code == 9);
    CHECK(contains(sub.err, "unknown subcommand: nosuch"));
  }
  auto deploy = sandbox.run("database", {"deploy", "--frobnicate", "--help"});
  CHECK(deploy.code == 9);
  CHECK(contains(deploy.err, "deploy argument --frobnicate does not exists"));
  CHECK(contains(deploy.err, "see database deploy --help"));
  auto migrate = sandbox.run("migrator", {"migrate", "up", "--wat"});
  CHECK(migrate.code == 9);
  CHECK(contains(migrate.err, "see migrator migrate up --help"));
}

TEST_CASE("grammar: subcommand groups behave like the top level") {
  Sandbox sandbox;
  auto alone = sandbox.run("database", {"secrets"});
  CHECK(alone.code == 1);
  CHECK(alone.out.empty());
  CHECK(contains(alone.err, "load"));
  auto nosuch = sandbox.run("database", {"secrets", "nosuch"});
  CHECK(nosuch.code == 9);
  CHECK(contains(nosuch.err, "secrets argument nosuch does not exists"));
  auto help = sandbox.run("database", {"secrets", "--help"});
  CHECK(help.code == 0);
  CHECK(contains(help.out, "Examples:"));
  CHECK(contains(help.out, "database secrets load"));

  // `database diff log list` works like `database log list`.
  sandbox.write("focus/postgresql-diff-logs/db1/postgresql-a.log", "one\n");
  sandbox.write("focus/postgresql-diff-logs/db2/postgresql-b.log", "two\n");
  auto list = sandbox.run("database", {"diff", "log", "list"});
  INFO(list.err);
  CHECK(list.code == 0);
  CHECK(contains(list.out, "1  postgresql-a.log"));
  CHECK(contains(list.out, "2  postgresql-b.log"));
  auto second = sandbox.run("database", {"diff", "log", "2"});
  CHECK(second.code == 0);
  CHECK(second.out == "two\n");
}

TEST_CASE("grammar: values are validated with exit 9 naming them, a missing NAME is exit 3") {
  Sandbox sandbox;
  const std::map<std::string, std::string> url{{"DB_URL", "postgresql:///nowhere?host=/nonexistent"}};
  for (const char* value : {"-1", "abc", "0"}) {
    INFO(value);
    auto run = sandbox.run("migrator", {"log", "-n", value}, url);
    CHECK(run.code == 9);
    CHECK(contains(run.err, std::string("'") + value + "'"));
  }
  auto up = sandbox.run("migrator", {"migrate", "up", "abc"}, url);
  CHECK(up.code == 9);
  CHECK(contains(up.err, "'abc'"));
  auto down = sandbox.run("migrator", {"migrate", "down", "latest"}, url);
  CHECK(down.code == 9);
  auto wait = sandbox.run("migrator", {"--lock-wait", "bogus", "status"}, url);
  CHECK(wait.code == 9);
  CHECK(contains(wait.err, "'bogus'"));
  auto to = sandbox.run("migrator", {"migrate", "to"}, url);
  CHECK(to.code == 3);
  CHECK(contains(to.err, "NAME"));
  auto to_help = sandbox.run("migrator", {"migrate", "to", "--help"});
  CHECK(to_help.code == 0);
  CHECK_FALSE(contains(to_help.out, "[NAME]"));
}

TEST_CASE("grammar: a missing URL names every source, spelled as the binary spells the flag") {
  Sandbox sandbox;
  auto migrator = sandbox.run("migrator", {"status"});
  CHECK(migrator.code == 3);
  CHECK(contains(migrator.err, "no database URL: pass -u/--db-url, or set DB_URL"));
  auto db_ops = sandbox.run("db-ops", {"secrets", "load"}, {{"HECTIC_DOTENV_CONTENT", "A=1"}});
  CHECK(db_ops.code == 3);
  CHECK(contains(db_ops.err, "no database URL: pass -u/--url, or set PGURL or DB_URL"));
  auto database = sandbox.run("database", {"patch"});
  CHECK(database.code == 3);
  CHECK(contains(database.err, "no database URL: pass -u/--url, or set DB_URL or PGURL"));
}
