// The differential suite: every corpus entry runs through the native engine and
// through psql, each into a fresh database of one sandbox cluster; the pg_dump outputs
// (schema and data) and the query output must be byte for byte equal.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <sstream>

#include "common/pg/pgbin.hpp"
#include "common/pg/pq.hpp"
#include "common/script/script.hpp"
#include "tests/support/harness.hpp"

using namespace hectic;

namespace {

// This machine has /usr/local/bin/initdb as a lone symlink; pgbin then picks /usr/local/bin
std::filesystem::path pg_dump() { return pgbin::program("pg_dump"); }

std::filesystem::path corpus() { return test::source_dir() / "tests" / "corpus" / "script"; }

std::string db_url(const std::string& url, const std::string& db) {
  auto keywords = pq::parse_conninfo(url);
  keywords["dbname"] = db;
  return pq::build_conninfo(keywords);
}

// pg_dump plain output without the random \restrict keys.
std::string dump(const test::Sandbox& sandbox, const std::string& url,
                 const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"-d", url};
  args.insert(args.end(), extra.begin(), extra.end());
  auto result = sandbox.run_program(pg_dump(), args);
  INFO("pg_dump stderr: " << result.err);
  REQUIRE(result.code == 0);
  std::istringstream in(result.out);
  std::string line, out;
  while (std::getline(in, line))
    if (line.rfind("\\restrict ", 0) != 0 && line.rfind("\\unrestrict ", 0) != 0) out += line + "\n";
  return out;
}

// "" when equal, else the first differing line of each.
std::string first_difference(const std::string& a, const std::string& b) {
  if (a == b) return "";
  std::istringstream ia(a), ib(b);
  std::string la, lb;
  for (int n = 1;; ++n) {
    bool ga = static_cast<bool>(std::getline(ia, la)), gb = static_cast<bool>(std::getline(ib, lb));
    if (!ga && !gb) return "differ in line endings";
    if (!ga || !gb || la != lb)
      return "line " + std::to_string(n) + ":\n  native: " + (ga ? la : "<end>") + "\n  psql:   " + (gb ? lb : "<end>");
  }
}

struct Outcome {
  std::string out, err;
  std::string database; // the native one
};

Outcome run(script::Runner& runner, const std::filesystem::path& file, const script::Variables& vars,
            bool fails) {
  std::ostringstream out, err;
  script::Options options;
  options.variables = vars;
  options.out = &out;
  options.err = &err;
  if (fails)
    CHECK_THROWS_AS(runner.run_file(file, options), script::ScriptError);
  else
    runner.run_file(file, options);
  return {out.str(), err.str(), {}};
}

// Runs file through both backends into two new databases; returns the native outcome.
Outcome differential(test::Sandbox& sandbox, const std::string& url, const std::filesystem::path& file,
                     const script::Variables& vars = {}, bool fails = false) {
  static int counter = 0;
  ++counter;
  std::string native_db = "native_" + std::to_string(counter), psql_db = "psql_" + std::to_string(counter);
  sandbox.psql(url, "CREATE DATABASE " + native_db);
  sandbox.psql(url, "CREATE DATABASE " + psql_db);
  Outcome native, oracle;
  {
    pq::Connection connection(db_url(url, native_db));
    auto runner = script::native_runner(connection);
    native = run(*runner, file, vars, fails);
  }
  {
    auto runner = script::psql_runner(db_url(url, psql_db));
    oracle = run(*runner, file, vars, fails);
  }
  INFO("corpus entry " << file.string());
  INFO("native stderr:\n" << native.err << "psql stderr:\n" << oracle.err);
  CHECK(first_difference(native.out, oracle.out) == "");
  std::string a = dump(sandbox, db_url(url, native_db)), b = dump(sandbox, db_url(url, psql_db));
  CHECK(first_difference(a, b) == "");
  CHECK(a.size() > 500);
  native.database = native_db;
  return native;
}

} // namespace

TEST_CASE("hand-written edge cases and a multi-file project run as psql runs them") {
  test::Sandbox sandbox;
  std::string url = sandbox.start_cluster();

  Outcome edge = differential(sandbox, url, corpus() / "edge_cases.sql");
  CHECK(edge.out.find("echo line x'y 'x''y' \"Quoted Col\" FALSE\n") != std::string::npos);
  CHECK(edge.out.find("if branch\nelif taken\n") != std::string::npos);
  CHECK(edge.out.find("|x|1||a|b\n") != std::string::npos);
  CHECK(edge.out.find("nested in a skipped branch") == std::string::npos);
  CHECK(edge.out.rfind("last\n") == edge.out.size() - 5);
  CHECK(edge.err.find("a warning line\n") != std::string::npos);

  CHECK(edge.out.find("10|compound!\n11|query!\n") != std::string::npos);

  if (sandbox.psql(url, "SELECT count(*) FROM pg_available_extensions WHERE name = 'pgtap'") == "1") {
    Outcome tap = differential(sandbox, url, corpus() / "pgtap.sql");
    CHECK(tap.out == "1..4\nok 1 - Table tapped should exist\nok 2 - two rows\n"
                     "ok 3 - a passing test; with a semicolon\nok 4 - names\n");
  } else {
    WARN("pgtap is not installed: corpus entry pgtap.sql skipped");
  }

  Outcome crlf = differential(sandbox, url, corpus() / "crlf.sql");
  CHECK(crlf.out == "x y\n1|x y\n2|two\n3|three\n");

  Outcome plain = differential(sandbox, url, corpus() / "project" / "main.sql");
  CHECK(plain.out == "no mock data\n0\n");
  Outcome mock = differential(sandbox, url, corpus() / "project" / "main.sql", {{"USE_MOCK", "1"}});
  CHECK(mock.out == "loading mock data\n3\n");

  // Failing scripts leave what psql leaves.
  for (const char* name : {"batch.sql", "in_transaction.sql", "copy.sql"})
    differential(sandbox, url, corpus() / "failing" / name, {}, true);
}

TEST_CASE("pg_dump outputs (COPY, --inserts, --column-inserts) restore as psql restores them") {
  test::Sandbox sandbox;
  std::string url = sandbox.start_cluster();
  sandbox.psql(url, "CREATE DATABASE seed");
  std::string seed = db_url(url, "seed");
  {
    pq::Connection connection(seed);
    std::ostringstream out, err;
    script::Options options;
    options.out = &out;
    options.err = &err;
    script::native_runner(connection)->run_file(corpus() / "edge_cases.sql", options);
    // Enough rows to cross several pipeline batches, with awkward text.
    connection.exec("CREATE TABLE public.bulk AS SELECT g AS id, md5(g::text) || E'\\t;\\n''$$' AS h, "
                    "CASE WHEN g % 7 = 0 THEN NULL ELSE g * 1.5 END AS x FROM generate_series(1, 1234) g");
    connection.exec("ALTER TABLE public.bulk ADD PRIMARY KEY (id)");
  }
  std::string reference = dump(sandbox, seed);
  for (const auto& flags : std::vector<std::vector<std::string>>{{}, {"--inserts"}, {"--column-inserts"}}) {
    std::string name = flags.empty() ? "copy" : flags[0].substr(2);
    auto result = sandbox.run_program(pg_dump(), [&] {
      std::vector<std::string> args = {"-d", seed, "-f", (sandbox.path() / ("dump-" + name + ".sql")).string()};
      args.insert(args.end(), flags.begin(), flags.end());
      return args;
    }());
    REQUIRE(result.code == 0);
    INFO("dump flavour " << name);
    Outcome restored = differential(sandbox, url, sandbox.path() / ("dump-" + name + ".sql"));
    // The restored database equals the seed, too.
    CHECK(first_difference(dump(sandbox, db_url(url, restored.database)), reference) == "");
  }
}
