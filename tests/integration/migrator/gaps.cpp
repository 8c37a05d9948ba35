// --force past a history gap: files A,B,C,D with A and C applied. The shell migrator's
// behaviour (B stays behind) is kept, but said; no count reads past the directory.
#include <catch2/catch.hpp>

#include "common/pg/conninfo.hpp"
#include "tests/support/harness.hpp"

using namespace hectic;
namespace stdfs = std::filesystem;

namespace {

const std::string k_a = "20250101000000-a", k_b = "20250102000000-b", k_c = "20250103000000-c",
                  k_d = "20250104000000-d";

// A database of the shared cluster with A and C applied and B, D in the directory.
struct Gap {
  test::Sandbox& sandbox;
  std::string url;
  std::string dir;

  Gap(test::Sandbox& box, const std::string& cluster_url, const std::string& name)
      : sandbox(box), dir("migration-" + name) {
    sandbox.psql(cluster_url, "CREATE DATABASE " + name);
    auto keywords = pq::parse_conninfo(cluster_url);
    keywords["dbname"] = name;
    url = pq::build_conninfo(keywords);
    add(k_a);
    add(k_c);
    auto first = run({"migrate", "up", "all"});
    INFO(first.out << first.err);
    REQUIRE(first.code == 0);
    add(k_b);
    add(k_d);
  }

  void add(const std::string& name) {
    const auto table = name.substr(name.size() - 1);
    sandbox.write(stdfs::path(dir) / name / "up.sql", "CREATE TABLE " + table + " (id int) INHERITS (hectic.created_at);\n");
    sandbox.write(stdfs::path(dir) / name / "down.sql", "DROP TABLE " + table + ";\n");
  }

  test::Run run(std::vector<std::string> args) {
    args.insert(args.begin(), {"-u", url, "-d", (sandbox.path() / dir).string()});
    return sandbox.run("migrator", args);
  }

  std::string applied() {
    return sandbox.psql(url, "SELECT string_agg(name, ',' ORDER BY name) FROM hectic.migration");
  }
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

TEST_CASE("forcing past a gap names what is left behind, for up all, up N, to and down N") {
  test::Sandbox sandbox;
  const auto cluster_url = sandbox.start_cluster();

  Gap all(sandbox, cluster_url, "gap_all");
  auto up_all = all.run({"migrate", "up", "all", "--force"});
  INFO(up_all.out << up_all.err);
  REQUIRE(up_all.code == 0);
  CHECK(all.applied() == k_a + "," + k_c + "," + k_d);
  CHECK(contains(up_all.err, k_b + " is left behind"));
  CHECK(contains(up_all.err, "mark-applied " + k_b));
  CHECK(contains(up_all.err, "migrate to " + k_a));

  Gap counted(sandbox, cluster_url, "gap_up_n");
  auto up_two = counted.run({"migrate", "up", "2", "--force"});
  INFO(up_two.out << up_two.err);
  CHECK(up_two.code == 1); // only D is after C
  CHECK(contains(up_two.err, "only 1 pending migration"));
  auto up_one = counted.run({"migrate", "up", "1", "--force"});
  CHECK(up_one.code == 0);
  CHECK(counted.applied() == k_a + "," + k_c + "," + k_d);

  Gap to(sandbox, cluster_url, "gap_to");
  auto to_d = to.run({"migrate", "to", k_d, "--force"});
  INFO(to_d.out << to_d.err);
  CHECK(to_d.code == 0);
  CHECK(contains(to_d.err, k_b + " is left behind"));
  CHECK(to.applied() == k_a + "," + k_c + "," + k_d);

  Gap down(sandbox, cluster_url, "gap_down");
  auto down_one = down.run({"migrate", "down", "1", "--force"});
  INFO(down_one.out << down_one.err);
  CHECK(down_one.code == 0);
  CHECK(down.applied() == k_a);
  CHECK(contains(down_one.err + down_one.out, "database at " + k_a)); // not at B, never applied
  auto down_five = down.run({"migrate", "down", "5", "--force"});
  CHECK(down_five.code == 1);
  CHECK(down.applied() == k_a);
}
