// Rows of a pipelined batch that fails and is replayed are printed once, as psql prints them.
#include <catch2/catch.hpp>

#include <sstream>

#include "common/pg/pq.hpp"
#include "common/script/script.hpp"
#include "tests/support/harness.hpp"

using namespace hectic;

namespace {

std::string db_url(const std::string& url, const std::string& db) {
  auto keywords = pq::parse_conninfo(url);
  keywords["dbname"] = db;
  return pq::build_conninfo(keywords);
}

// stdout of the script through runner; the script is expected to fail.
std::string output_of(script::Runner& runner, const std::filesystem::path& file) {
  std::ostringstream out, err;
  script::Options options;
  options.out = &out;
  options.err = &err;
  CHECK_THROWS_AS(runner.run_file(file, options), script::ScriptError);
  return out.str();
}

} // namespace

TEST_CASE("a replayed batch prints the rows of RETURNING statements once") {
  test::Sandbox sandbox;
  const std::string url = sandbox.start_cluster();
  sandbox.psql(url, "CREATE DATABASE native");
  sandbox.psql(url, "CREATE DATABASE oracle");
  // RETURNING past the lexer's first 24 words, so the statement rides in a batch.
  std::string filler;
  for (int i = 0; i < 30; ++i) filler += " AND true";
  std::string sql = "CREATE TABLE t (id int PRIMARY KEY);\n";
  for (int i = 1; i <= 20; ++i) sql += "INSERT INTO t VALUES (" + std::to_string(i) + ");\n";
  sql += "INSERT INTO t SELECT 100 WHERE true" + filler + " RETURNING id;\n";
  sql += "INSERT INTO t SELECT 101 WHERE true" + filler + " RETURNING id, 'x';\n";
  sql += "INSERT INTO t VALUES (21);\nINSERT INTO t VALUES (5);\nINSERT INTO t VALUES (22);\n";
  const auto file = sandbox.write("returning.sql", sql);

  pq::Connection connection(db_url(url, "native"));
  const auto native = output_of(*script::native_runner(connection), file);
  const auto psql = output_of(*script::psql_runner(db_url(url, "oracle")), file);
  CHECK(psql == "100\n101|x\n");
  CHECK(native == psql);
}
