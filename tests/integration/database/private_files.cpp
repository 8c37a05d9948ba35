// Files that hold production data are private whatever the umask (issue 16 point 8): backup,
// normalize-backup's output, pull_staging's PATCH_SQL and migrator plan files are created
// 0700 (directories) / 0600 (files). Every tool here runs under `umask 000`.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "common/pg/pgbin.hpp"
#include "tests/support/harness.hpp"
#include "tests/support/sshd.hpp"

using namespace hectic::test;
namespace stdfs = std::filesystem;

namespace {

// The permission bits of path, as an octal string ("600").
std::string mode_of(const stdfs::path& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  char text[8];
  std::snprintf(text, sizeof text, "%o", st.st_mode & 07777);
  return text;
}

// Runs a tool under umask 000.
Run run_umask_000(const Sandbox& sandbox, const std::string& name, const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& extra = {}) {
  std::vector<std::string> argv{"-c", "umask 000; exec \"$0\" \"$@\"", tool(name).string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return sandbox.run_program("/bin/sh", argv, extra);
}

// Every entry of a backup directory is 0600, the directory 0700.
void check_private_backup(const stdfs::path& dir) {
  INFO(dir.string());
  CHECK(mode_of(dir) == "700");
  for (const auto& entry : stdfs::directory_iterator(dir)) {
    INFO(entry.path().string());
    CHECK(mode_of(entry.path()) == "600");
  }
}

} // namespace

TEST_CASE("backup and normalize-backup output are private under umask 000") {
  Sandbox sandbox;
  auto url = sandbox.start_cluster();
  auto backup = run_umask_000(sandbox, "database", {"backup"}, {{"DB_URL", url}});
  INFO(backup.err);
  REQUIRE(backup.code == 0);
  check_private_backup(sandbox.path() / "focus" / "postgresql-backup");
  auto normalize = run_umask_000(sandbox, "database", {"normalize-backup"});
  INFO(normalize.err);
  REQUIRE(normalize.code == 0);
  check_private_backup(sandbox.path() / "focus" / "postgresql-backup-normalized");
}

TEST_CASE("migrator plan files are private under umask 000") {
  Sandbox sandbox;
  auto url = sandbox.start_cluster();
  auto json = sandbox.path() / "plan.json", human = sandbox.path() / "plan.txt";
  auto plan = run_umask_000(sandbox, "migrator",
                            {"plan", "--output-json", json.string(), "--output-human", human.string()},
                            {{"DB_URL", url}, {"MIGRATION_DIR", (source_dir() / "examples/project/db/migration").string()}});
  INFO(plan.err);
  REQUIRE(plan.code == 0);
  CHECK(mode_of(json) == "600");
  CHECK(mode_of(human) == "600");
}

TEST_CASE("pull_staging's new PATCH_SQL is private under umask 000") {
  Sandbox sandbox;
  auto url = sandbox.start_cluster();
  sandbox.psql(url, "CREATE TABLE public.customer (id serial PRIMARY KEY, email text); "
                    "INSERT INTO public.customer (email) VALUES ('ada@example.com')");
  sandbox.run_program("chmod", {"0755", (sandbox.working_dir() / "sock").string()});
  auto ssh_dir = sandbox.path() / "ssh";
  stdfs::create_directories(ssh_dir);
  Sshd sshd(ssh_dir);
  auto patch_sql = sandbox.path() / "profile" / "test-data.sql";
  auto pulled = run_umask_000(sandbox, "database", {"pull_staging"},
                              {{"STAGING_SSH_HOST", sshd.destination()},
                               {"STAGING_SSH_OPTS", sshd.ssh_options_text()},
                               {"STAGING_DB_URL", url},
                               {"STAGING_DUMP_TABLES", "customer"},
                               {"STAGING_DUMP_FLAGS", "--data-only"},
                               {"STAGING_PG_DUMP", hectic::pgbin::program("pg_dump").string()},
                               {"STAGING_PSQL", hectic::pgbin::program("psql").string()},
                               {"PATCH_SQL", patch_sql.string()}});
  INFO(pulled.out << pulled.err);
  REQUIRE(pulled.code == 0);
  CHECK(mode_of(patch_sql) == "600");
  // `database patch` creating an empty PATCH_SQL makes it private too: a pull keeps its mode.
  auto empty = sandbox.path() / "profile" / "other.sql";
  auto patch = run_umask_000(sandbox, "database", {"patch"}, {{"DB_URL", url}, {"PATCH_SQL", empty.string()}});
  INFO(patch.err);
  REQUIRE(patch.code == 0);
  CHECK(mode_of(empty) == "600");
}
