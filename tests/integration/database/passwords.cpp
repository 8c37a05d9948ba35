// A password in a URL never reaches a child's command line (visible in ps to every local user).
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "common/base/fs.hpp"
#include "common/pg/pgbin.hpp"
#include "tests/support/harness.hpp"

using namespace hectic::test;
namespace stdfs = std::filesystem;

namespace {

// A PG_BIN_DIR whose `wrapped` programs record their argv and PGPASSWORD in log before running
// the real one; every other program is the real one.
stdfs::path recording_bin_dir(const stdfs::path& dir, const stdfs::path& log,
                              const std::vector<std::string>& wrapped) {
  const auto real_dir = hectic::pgbin::program("pg_basebackup").parent_path();
  stdfs::create_directories(dir);
  for (const auto& entry : stdfs::directory_iterator(real_dir))
    stdfs::create_symlink(entry.path(), dir / entry.path().filename());
  for (const auto& name : wrapped) {
    stdfs::remove(dir / name);
    hectic::fs::write_file_atomic(
        dir / name,
        "#!/bin/sh\nprintf 'argv: %s\\nenv: PGPASSWORD=%s\\n' \"$*\" \"$PGPASSWORD\" >> '" + log.string() +
            "'\nexec '" + (real_dir / name).string() + "' \"$@\"\n",
        {.mode = 0755, .owner = std::nullopt, .follow_symlink = false});
  }
  hectic::fs::write_file_atomic(log, "", {.mode = 0666, .owner = std::nullopt, .follow_symlink = false});
  ::chmod(log.c_str(), 0666); // the children may run as the server account
  return dir;
}

} // namespace

TEST_CASE("backup -u URL-with-password: pg_basebackup gets the password in its environment only") {
  Sandbox sandbox;
  auto url = sandbox.start_cluster();
  REQUIRE(url.find('?') != std::string::npos);
  const std::string with_password = url + "&password=s3cret-word";
  const auto log = sandbox.path() / "argv.log";
  const auto bin = recording_bin_dir(sandbox.path() / "bin", log, {"pg_basebackup"});

  auto backup = sandbox.run("database", {"backup", "-u", with_password},
                            {{"PG_BIN_DIR", bin.string()}});
  INFO(backup.out << backup.err);
  REQUIRE(backup.code == 0);
  const auto recorded = hectic::fs::read_file(log);
  INFO(recorded);
  CHECK(recorded.find("argv: ") != std::string::npos);
  CHECK(recorded.find("env: PGPASSWORD=s3cret-word") != std::string::npos);
  const auto argv_line = recorded.substr(0, recorded.find("\nenv:"));
  CHECK(argv_line.find("s3cret-word") == std::string::npos);
  CHECK(backup.err.find("s3cret-word") == std::string::npos);
}
