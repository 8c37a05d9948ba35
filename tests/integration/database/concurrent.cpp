// Throw-away clusters and concurrent runs (issue 17 point 4): a second `database check` in the
// same LOCAL_DIR is refused while the first lives (exit 2 naming its pid) and never touches its
// cluster; what a dead check left behind is removed.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/base/fd.hpp"
#include "common/base/fs.hpp"
#include "tests/support/harness.hpp"

using namespace hectic::test;
namespace stdfs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The example project with a test-data.sql that keeps the check busy for seconds.
void slow_project(const Sandbox& sandbox, int seconds) {
  stdfs::copy(source_dir() / "examples" / "project", sandbox.path(),
              stdfs::copy_options::recursive | stdfs::copy_options::overwrite_existing);
  sandbox.write("test-data.sql", "SELECT pg_sleep(" + std::to_string(seconds) + ");\n");
}

} // namespace

TEST_CASE("check: a second check while the first runs is exit 2 naming its pid, and the first succeeds") {
  Sandbox sandbox;
  slow_project(sandbox, 8);
  auto check_dir = sandbox.path() / "focus" / "postgresql-check-tmp";
  // The first check in the background; the second once the first holds the directory.
  const std::string script =
      "\"$0\" check 2>first.err & first=$!\n"
      "for i in $(seq 600); do [ -d \"$1\" ] && break; sleep 0.05; done\n"
      "\"$0\" check; second=$?\n"
      "wait $first; echo \"first=$? second=$second pid=$first\"\n";
  auto run = sandbox.run_program("bash", {"-c", script, tool("database").string(), check_dir.string()});
  INFO(run.out << run.err << hectic::fs::read_file(sandbox.path() / "first.err"));
  CHECK(contains(run.out, "first=0 second=2"));
  auto pid = run.out.substr(run.out.find("pid=") + 4);
  pid = pid.substr(0, pid.find('\n'));
  CHECK(contains(run.err, "another check is running (pid " + pid + ") in " + check_dir.string()));
  CHECK_FALSE(stdfs::exists(check_dir));
}

TEST_CASE("check: a leftover of a dead check is removed, a live one is not touched") {
  Sandbox sandbox;
  slow_project(sandbox, 0);
  auto check_dir = sandbox.path() / "focus" / "postgresql-check-tmp";
  auto lock_path = check_dir.string() + ".lock";

  // A live owner (this test process) holds the lock: its directory stays as it is.
  sandbox.write(check_dir / "marker", "live\n");
  {
    hectic::UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    REQUIRE(lock);
    REQUIRE(::flock(lock.get(), LOCK_EX | LOCK_NB) == 0);
    std::string pid = std::to_string(::getpid()) + "\n";
    REQUIRE(::pwrite(lock.get(), pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size()));
    auto refused = sandbox.run("database", {"check"});
    CHECK(refused.code == 2);
    CHECK(contains(refused.err, "another check is running (pid " + std::to_string(::getpid()) + ")"));
    CHECK(hectic::fs::read_file(check_dir / "marker") == "live\n");
  }

  // The owner is gone (lock released, its pid still in the file): the leftover goes.
  auto ok = sandbox.run("database", {"check"});
  INFO(ok.err);
  CHECK(ok.code == 0);
  CHECK(contains(ok.err, "removing a leftover check cluster"));
  CHECK_FALSE(stdfs::exists(check_dir));
}
