// `db-ops [-u URL] secrets load [-f FILE]` (README "db-ops"): the shell suite's fifth binary,
// over the library code of `database secrets load`, against a real server.
#include <catch2/catch.hpp>

#include "common/pg/pq.hpp"
#include "tests/support/harness.hpp"

using namespace hectic::test;

namespace {
bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
} // namespace

TEST_CASE("help at both levels, and the argument errors are exit 3 or 9 naming the value") {
  Sandbox sandbox;
  for (std::vector<std::string> args : {std::vector<std::string>{"--help"}, {"secrets", "--help"},
                                        {"secrets", "load", "--help"}}) {
    INFO(args.size());
    auto help = sandbox.run("db-ops", args);
    CHECK(help.code == 0);
    CHECK(contains(help.out, "secrets"));
  }
  CHECK(contains(sandbox.run("db-ops", {"secrets", "load", "--help"}).out, "-f,--file"));

  auto no_url = sandbox.run("db-ops", {"secrets", "load"}, {{"HECTIC_DOTENV_CONTENT", "A=1"}});
  CHECK(no_url.code == 3);
  CHECK(contains(no_url.err, "PGURL"));
  CHECK(contains(no_url.err, "DB_URL"));
  auto no_source = sandbox.run("db-ops", {"-u", "postgresql:///nowhere", "secrets", "load"});
  CHECK(no_source.code == 3);
  CHECK(contains(no_source.err, "no dotenv source"));
  auto unreadable = sandbox.run("db-ops", {"-u", "postgresql:///nowhere", "secrets", "load", "-f",
                                           (sandbox.path() / "missing.env").string()});
  CHECK(unreadable.code == 3);
  CHECK(contains(unreadable.err, "missing.env"));

  for (std::vector<std::string> args : {std::vector<std::string>{"secrets", "load", "--wat"}, {"--wat"},
                                        {"secrets", "frobnicate"}, {"frobnicate"}}) {
    auto unknown = sandbox.run("db-ops", args);
    INFO(unknown.err);
    CHECK(unknown.code == 9);
    CHECK(contains(unknown.err, args.back()));
  }
}

TEST_CASE("secrets load: -u, else PGURL, else DB_URL, with -f or the dotenv sources") {
  Sandbox sandbox;
  auto url = sandbox.start_cluster();
  sandbox.psql(url, "CREATE DATABASE by_pgurl");
  sandbox.psql(url, "CREATE DATABASE by_db_url");
  auto in = [&](const std::string& dbname) {
    auto keywords = hectic::pq::parse_conninfo(url);
    keywords["dbname"] = dbname;
    return hectic::pq::build_conninfo(keywords);
  };
  auto secrets = [&](const std::string& target) {
    return sandbox.psql(target, "SELECT string_agg(key || '=' || value, ',' ORDER BY key) FROM hectic.secret");
  };

  auto file = sandbox.write("prod.env", "# production\nAPI_KEY='k=1'\nTOKEN=t\n");
  auto by_flag = sandbox.run("db-ops", {"-u", url, "secrets", "load", "-f", file.string()},
                             {{"PGURL", in("by_pgurl")}, {"DB_URL", in("by_db_url")}});
  INFO(by_flag.err);
  REQUIRE(by_flag.code == 0);
  CHECK(secrets(url) == "API_KEY=k=1,TOKEN=t");

  auto by_pgurl = sandbox.run("db-ops", {"secrets", "load"},
                              {{"PGURL", in("by_pgurl")}, {"DB_URL", in("by_db_url")}, {"HECTIC_DOTENV_CONTENT", "A=pg"}});
  INFO(by_pgurl.err);
  REQUIRE(by_pgurl.code == 0);
  CHECK(secrets(in("by_pgurl")) == "A=pg");

  auto by_db_url = sandbox.run("db-ops", {"secrets", "load", "-f", file.string()}, {{"DB_URL", in("by_db_url")}});
  INFO(by_db_url.err);
  REQUIRE(by_db_url.code == 0);
  CHECK(secrets(in("by_db_url")) == "API_KEY=k=1,TOKEN=t");
  // Options may follow the subcommand, as with database.
  auto after = sandbox.run("db-ops", {"secrets", "load", "-u", in("by_db_url")}, {{"HECTIC_DOTENV_CONTENT", "B=2"}});
  REQUIRE(after.code == 0);
  CHECK(secrets(in("by_db_url")) == "B=2");
}
