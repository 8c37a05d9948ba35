// migrator plan --file / apply --plan / apply --file: the desired-state flow (README "migrator
// plan --file"), against real databases with data.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "common/base/fs.hpp"
#include "tests/support/harness.hpp"

using namespace hectic;

namespace {

const char* k_old = "CREATE TABLE account (id int PRIMARY KEY, name text NOT NULL, note text);\n"
                    "INSERT INTO account SELECT g, 'n' || g, 'x' FROM generate_series(1, 500) g;\n";
const char* k_desired = "CREATE TABLE account (id int PRIMARY KEY, name text NOT NULL, note text, email text);\n"
                        "CREATE INDEX account_name ON account (name);\n"
                        "CREATE TABLE invoice (id int PRIMARY KEY, account_id int REFERENCES account (id));\n";

// A database the migrator manages (the hectic bundle, its run log): its tables follow the
// bundle's rules (INHERITS hectic.created_at), and so does the file, loaded with --hook.
const char* k_managed_old = "CREATE TABLE account (id int PRIMARY KEY, name text NOT NULL, note text) "
                            "INHERITS (hectic.created_at);\n"
                            "INSERT INTO account (id, name, note) SELECT g, 'n' || g, 'x' FROM generate_series(1, 500) g;\n";
const char* k_managed_desired =
    "CREATE TABLE account (id int PRIMARY KEY, name text NOT NULL, note text, email text) INHERITS (hectic.created_at);\n"
    "CREATE INDEX account_name ON account (name);\n"
    "CREATE TABLE invoice (id int PRIMARY KEY, account_id int REFERENCES account (id)) INHERITS (hectic.created_at);\n";

struct Fixture {
  test::Sandbox sandbox;
  std::string cluster_url = sandbox.start_cluster();
  std::string url;
  std::string file;

  explicit Fixture(const std::string& desired = k_desired, bool managed = false)
      : url(test::create_database(sandbox, cluster_url, "app", managed ? "" : k_old)),
        file(sandbox.write("schema.sql", desired).string()) {
    if (!managed) return;
    REQUIRE(migrator({"init"}).code == 0);
    sandbox.psql(url, k_managed_old);
  }

  test::Run migrator(std::vector<std::string> args) const {
    args.insert(args.begin(), {"-u", url});
    return sandbox.run("migrator", args, {}, {}, 300);
  }
  nlohmann::json plan_json() const { return nlohmann::json::parse(fs::read_file(sandbox.path() / "plan.json")); }
  std::string plan_path() const { return (sandbox.path() / "plan.json").string(); }
};

} // namespace

TEST_CASE("plan --file then apply --plan: the database matches the file, rows survive, the run is logged") {
  Fixture f(k_managed_desired, true);
  auto plan = f.migrator({"plan", "--file", f.file, "--hook", "--output-json", f.plan_path(), "--output-human",
                          (f.sandbox.path() / "plan.txt").string(), "--output-sql", (f.sandbox.path() / "plan.sql").string()});
  INFO(plan.err);
  REQUIRE(plan.code == 0);
  CHECK_THAT(plan.out, Catch::Contains("Plan: make") && Catch::Contains("Create:") && Catch::Contains("+ table public.invoice"));
  CHECK_THAT(plan.out, Catch::Contains("Hazards"));
  auto json = f.plan_json();
  CHECK(json["format"] == "hectic-schema-plan/1");
  CHECK(json["fingerprint"].get<std::string>().size() == 64);
  CHECK(json["changes"]["table"]["create"] == 1);
  CHECK(json["statements"].size() >= 3);
  CHECK(fs::read_file(f.sandbox.path() / "plan.txt") == plan.out);
  CHECK_THAT(fs::read_file(f.sandbox.path() / "plan.sql"), Catch::Contains("CREATE TABLE public.invoice"));
  CHECK(f.sandbox.psql(f.url, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'invoice'") == "0");

  auto apply = f.migrator({"apply", "--plan", f.plan_path(), "--auto-approve"});
  INFO(apply.err);
  REQUIRE(apply.code == 0);
  CHECK(f.sandbox.psql(f.url, "SELECT count(*), count(email) FROM account") == "500|0");
  CHECK(f.migrator({"diff", "--from", f.url, "--to", f.file, "--hook"}).code == 0);
  CHECK(f.sandbox.psql(f.url, "SELECT command, status, array_length(migrations, 1) FROM hectic.migration_run "
                              "ORDER BY id DESC LIMIT 1") == "apply --plan|success|1");
  // The existing migrations plan keeps its own format and flow.
  auto migrations = f.migrator({"plan", "--output-json", f.plan_path()});
  INFO(migrations.err);
  CHECK(migrations.code == 0);
  CHECK(f.plan_json()["format"] == "hectic-migrator-plan/1");
}

TEST_CASE("apply --plan refuses a plan whose database changed since: schema fingerprint mismatch") {
  Fixture f;
  REQUIRE(f.migrator({"plan", "--file", f.file, "--output-json", f.plan_path()}).code == 0);
  f.sandbox.psql(f.url, "ALTER TABLE account ADD COLUMN added_meanwhile int");
  auto apply = f.migrator({"apply", "--plan", f.plan_path(), "--auto-approve"});
  CHECK(apply.code == 2);
  CHECK_THAT(apply.err, Catch::Contains("schema fingerprint mismatch: expected " + f.plan_json()["fingerprint"].get<std::string>() +
                                        ", actual "));
  CHECK(f.sandbox.psql(f.url, "SELECT to_regclass('public.invoice') IS NULL") == "t");
  // A changed file is refused too, before anything runs.
  REQUIRE(f.migrator({"plan", "--file", f.file, "--output-json", f.plan_path()}).code == 0);
  f.sandbox.write("schema.sql", std::string(k_desired) + "CREATE TABLE later (id int);\n");
  apply = f.migrator({"apply", "--plan", f.plan_path(), "--auto-approve"});
  CHECK(apply.code == 2);
  CHECK_THAT(apply.err, Catch::Contains("changed since the plan"));
}

TEST_CASE("a destructive plan made without --allow-drop is refused, with it applied") {
  Fixture f("CREATE TABLE account (id int PRIMARY KEY, name text NOT NULL);\n");
  REQUIRE(f.migrator({"plan", "--file", f.file, "--output-json", f.plan_path()}).code == 0);
  CHECK(!f.plan_json()["hazards"].empty());
  auto apply = f.migrator({"apply", "--plan", f.plan_path(), "--auto-approve"});
  CHECK(apply.code == 2);
  CHECK_THAT(apply.err, Catch::Contains("without --allow-drop") && Catch::Contains("DROP COLUMN note"));
  CHECK(f.sandbox.psql(f.url, "SELECT count(note) FROM account") == "500");
  auto plan = f.migrator({"plan", "--file", f.file, "--allow-drop", "--output-json", f.plan_path()});
  CHECK_THAT(plan.out, Catch::Contains("data loss"));
  apply = f.migrator({"apply", "--plan", f.plan_path(), "--auto-approve"});
  INFO(apply.err);
  CHECK(apply.code == 0);
  CHECK(f.sandbox.psql(f.url, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'note'") == "0");
}

TEST_CASE("apply of a plan with CREATE INDEX CONCURRENTLY runs it after the transaction") {
  Fixture f("CREATE TABLE account (id int PRIMARY KEY, name text NOT NULL, note text);\n"
            "CREATE INDEX account_note ON account (note);\n");
  REQUIRE(f.migrator({"plan", "--file", f.file, "--online", "--output-json", f.plan_path()}).code == 0);
  bool outside = false;
  auto plan = f.plan_json();
  for (const auto& s : plan["statements"])
    outside |= !s["transactional"].get<bool>() && s["sql"].get<std::string>().find("CONCURRENTLY") != std::string::npos;
  CHECK(outside);
  auto apply = f.migrator({"apply", "--plan", f.plan_path(), "--auto-approve"});
  INFO(apply.err);
  CHECK(apply.code == 0);
  CHECK_THAT(apply.err, Catch::Contains("outside the transaction: CREATE INDEX CONCURRENTLY"));
  CHECK(f.sandbox.psql(f.url, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'account_note'::regclass") == "t");
}

TEST_CASE("apply --file plans and applies in one step, bad invocations name the problem") {
  Fixture f;
  auto apply = f.migrator({"apply", "--file", f.file, "--auto-approve"});
  INFO(apply.err);
  REQUIRE(apply.code == 0);
  CHECK_THAT(apply.out, Catch::Contains("+ table public.invoice"));
  CHECK(f.migrator({"diff", "--from", f.url, "--to", f.file}).code == 0);
  CHECK(f.migrator({"apply", "--file", f.file, "--auto-approve"}).code == 0); // nothing left to do

  auto neither = f.migrator({"apply", "--auto-approve"});
  CHECK(neither.code == 3);
  CHECK_THAT(neither.err, Catch::Contains("exactly one of --plan FILE and --file SCHEMA"));
  CHECK(f.migrator({"apply", "--plan", "p.json", "--file", f.file}).code == 2);
  auto no_tty = f.migrator({"apply", "--file", f.file});
  CHECK(no_tty.code == 3);
  CHECK_THAT(no_tty.err, Catch::Contains("--auto-approve"));
  f.sandbox.write("bad.json", R"({"format": "hectic-schema-plan/1", "database": "x"})");
  auto bad = f.migrator({"apply", "--plan", (f.sandbox.path() / "bad.json").string(), "--auto-approve"});
  CHECK(bad.code == 1);
  CHECK_THAT(bad.err, Catch::Contains("not a schema plan: file"));
}
