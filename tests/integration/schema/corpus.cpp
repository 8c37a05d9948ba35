// The convergence corpus (tests/corpus/schema/<kind>/<case>/{old,new}.sql): for each case, old
// is loaded into A and new into B, `migrator diff --apply` makes A equal to B, then (i) their
// pg_dump outputs match (column order aside), (ii) a second diff is empty, (iii) the reverse
// direction converges too. One cluster per kind (a TEST_CASE each, so kinds run in parallel).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <regex>

#include <fmt/format.h>

#include "common/base/fs.hpp"
#include "common/base/text.hpp"
#include "common/pg/conninfo.hpp"
#include "common/pg/pgbin.hpp"
#include "tests/support/harness.hpp"

using namespace hectic;
namespace stdfs = std::filesystem;

namespace {

struct Corpus {
  test::Sandbox sandbox;
  std::string cluster_url;
  int databases = 0;
  Corpus() : cluster_url(sandbox.start_cluster()) {
    sandbox.psql(cluster_url, "DO $$ BEGIN CREATE ROLE corpus_reader NOLOGIN; CREATE ROLE corpus_writer NOLOGIN; "
                              "EXCEPTION WHEN duplicate_object THEN NULL; END $$");
  }

  // A new database loaded with sql by psql (the oracle, not our engine); "" when it fails.
  std::string database_with(const stdfs::path& sql) {
    auto name = fmt::format("corpus_{}", ++databases);
    sandbox.psql(cluster_url, "CREATE DATABASE " + name + " TEMPLATE template0");
    auto keywords = pq::parse_conninfo(cluster_url);
    keywords["dbname"] = name;
    auto url = pq::build_conninfo(keywords);
    auto run = sandbox.run_program(pgbin::program("psql"), {"-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", sql.string()});
    INFO(sql.string() << ": " << run.err);
    CHECK(run.code == 0);
    return run.code == 0 ? url : "";
  }

  test::Run diff(const std::string& from, const std::string& to, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"diff", "--from", from, "--to", to};
    args.insert(args.end(), extra.begin(), extra.end());
    return sandbox.run("migrator", args);
  }

  // pg_dump --schema-only with comments and SETs dropped and the column lines of each
  // CREATE TABLE sorted: column order is the one thing a diff does not change.
  std::string normalized_dump(const std::string& url) {
    auto run = sandbox.run_program(pgbin::program("pg_dump"), {"--schema-only", "--no-owner", "-d", url});
    CHECK(run.code == 0);
    std::vector<std::string> out, block;
    bool in_table = false;
    for (auto line_view : text::split_lines(run.out)) {
      std::string line(line_view);
      if (line.rfind("--", 0) == 0 || line.rfind("SET ", 0) == 0 || line.find("set_config") != std::string::npos || line.empty() ||
          line.rfind("\\restrict", 0) == 0 || line.rfind("\\unrestrict", 0) == 0)
        continue;
      if (in_table && line.rfind(")", 0) == 0) {
        std::sort(block.begin(), block.end());
        out.insert(out.end(), block.begin(), block.end());
        block.clear();
        in_table = false;
      }
      if (in_table) {
        if (!line.empty() && line.back() == ',') line.pop_back();
        block.push_back(line);
        continue;
      }
      out.push_back(line);
      if (line.rfind("CREATE TABLE", 0) == 0 && line.back() == '(') in_table = true;
    }
    return fmt::format("{}", fmt::join(out, "\n"));
  }

  void converge(const stdfs::path& old_sql, const stdfs::path& new_sql, const std::string& label) {
    auto a = database_with(old_sql);
    auto b = database_with(new_sql);
    if (a.empty() || b.empty()) return;
    auto applied = diff(a, b, {"--apply", "--allow-drop"});
    INFO(label << "\nstdout:\n" << applied.out << "\nstderr:\n" << applied.err);
    CHECK(applied.code == 0);
    if (applied.code != 0) return;
    auto again = diff(a, b);
    INFO("second diff:\n" << again.out);
    CHECK(again.code == 0);
    CHECK(normalized_dump(a) == normalized_dump(b));
  }

  void run_kind(const std::string& kind) {
    auto dir = test::source_dir() / "tests" / "corpus" / "schema" / kind;
    std::vector<stdfs::path> cases;
    // HECTIC_CORPUS_ONLY=columns/storage runs the cases whose "kind/case" holds that text.
    const char* only = std::getenv("HECTIC_CORPUS_ONLY");
    for (const auto& entry : stdfs::directory_iterator(dir))
      if (!only || (kind + "/" + entry.path().filename().string()).find(only) != std::string::npos)
        cases.push_back(entry.path());
    std::sort(cases.begin(), cases.end());
    if (only && cases.empty()) return;
    REQUIRE(!cases.empty());
    for (const auto& c : cases) {
      auto label = kind + "/" + c.filename().string();
      converge(c / "old.sql", c / "new.sql", label + " old -> new");
      converge(c / "new.sql", c / "old.sql", label + " new -> old");
    }
  }
};

} // namespace

TEST_CASE("corpus converges: tables") { Corpus().run_kind("tables"); }
TEST_CASE("corpus converges: columns") { Corpus().run_kind("columns"); }
TEST_CASE("corpus converges: constraints") { Corpus().run_kind("constraints"); }
TEST_CASE("corpus converges: indexes") { Corpus().run_kind("indexes"); }
TEST_CASE("corpus converges: views") { Corpus().run_kind("views"); }
TEST_CASE("corpus converges: functions") { Corpus().run_kind("functions"); }
TEST_CASE("corpus converges: types") { Corpus().run_kind("types"); }
TEST_CASE("corpus converges: sequences") { Corpus().run_kind("sequences"); }
TEST_CASE("corpus converges: triggers") { Corpus().run_kind("triggers"); }
TEST_CASE("corpus converges: security") { Corpus().run_kind("security"); }
TEST_CASE("corpus converges: partitions") { Corpus().run_kind("partitions"); }
TEST_CASE("corpus converges: dependencies") { Corpus().run_kind("dependencies"); }
TEST_CASE("corpus converges: schemas") { Corpus().run_kind("schemas"); }
