// The process traps we keep closed: `out=$(postgres-init)` returns while the server keeps
// running (it holds none of our descriptors), and a spawned child inherits no fd >= 3.
#include <fcntl.h>

#include <catch2/catch.hpp>

#include "common/base/process.hpp"
#include "tests/integration/postgres-init/cluster_util.hpp"

using namespace hectic::test;
using namespace hectic::test::cluster_util;

namespace {

std::string link_of(const std::string& path) {
  std::error_code ec;
  auto target = std::filesystem::read_symlink(path, ec);
  return ec ? std::string() : target.string();
}

} // namespace

TEST_CASE("out=$(postgres-init) returns at once and the server keeps running, holding none of our fds") {
  Sandbox sb;
  sb.start_cluster(); // warm the template cache: the timing below is about descriptors

  // fd 37 is open (not close-on-exec) in the shell; $(...) reads a pipe until every writer closed it.
  const std::string script =
      "exec 37>\"$SANDBOX/fd37\"\n"
      "start=$(date +%s%N)\n"
      "out=$(\"$TOOL\")\n"
      "rc=$?\n"
      "end=$(date +%s%N)\n"
      "echo \"rc=$rc ms=$(( (end - start) / 1000000 ))\"\n"
      "printf '%s\\n' \"$out\"\n";
  // Without the logging collector the postmaster's stdout/stderr stay what pg_ctl gave it (with
  // it, they become the collector's internal pipe), so the descriptors below are ours to judge.
  auto run = sb.run_program("/bin/bash", {"-c", script},
                            {{"TOOL", tool("postgres-init").string()}, {"SANDBOX", sb.path().string()},
                             {"PG_DISABLE_LOGGING", "1"}, {"NO_TTY", "1"}},
                            {}, 60);
  INFO(run.out << run.err);
  REQUIRE(run.code == 0);
  CHECK_THAT(run.out, Catch::StartsWith("rc=0 ms="));
  auto ms = std::stol(run.out.substr(run.out.find("ms=") + 3));
  CHECK(ms < 20000); // about 0.5 s, seconds on a loaded 2-core machine; forever when the trap is open
  REQUIRE(exported(run.out, "PGURL"));

  // Still running after the shell returned.
  REQUIRE(server_running(sb.working_dir()));
  auto url = *exported(run.out, "PGURL");
  CHECK(sb.psql(url, "select 1") == "1");

  // The postmaster's descriptors: stdin /dev/null, stdout/stderr the server log, no fd 37, no pipe.
  pid_t pid = postmaster_pid(sb.working_dir());
  auto fd_dir = fmt::format("/proc/{}/fd", pid);
  CHECK(link_of(fd_dir + "/0") == "/dev/null");
  CHECK(link_of(fd_dir + "/1") == (sb.working_dir() / "server.log").string());
  CHECK(link_of(fd_dir + "/2") == (sb.working_dir() / "server.log").string());
  CHECK_FALSE(std::filesystem::exists(fd_dir + "/37"));
  // (Its other pipes are its own: the postmaster-death pipe and the latch self-pipe.)
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(fd_dir, ec)) {
    auto target = link_of(entry.path().string());
    INFO("fd " << entry.path().filename().string() << " -> " << target);
    CHECK(target.find("fd37") == std::string::npos);
  }
}

TEST_CASE("a spawned child sees no inherited fd >= 3") {
  Sandbox sb;
  // Open a descriptor without O_CLOEXEC and move it to 37.
  int fd = ::open((sb.path() / "leak").c_str(), O_WRONLY | O_CREAT, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(::dup2(fd, 37) == 37);
  ::close(fd);
  REQUIRE(std::filesystem::exists("/proc/self/fd/37"));

  // `test -e` stats /proc/self/fd/37 without opening a descriptor itself.
  const std::vector<std::string> probe = {"-c", "test -e /proc/self/fd/37 && echo inherited || echo clean"};
  auto captured = hectic::process::run("/bin/bash", probe);
  CHECK(captured.out == "clean\n");

  hectic::process::Options logged;
  logged.output = hectic::process::Output::log_file;
  logged.log_file = sb.path() / "child.log";
  auto to_log = hectic::process::run("/bin/bash", probe, logged);
  CHECK(to_log.ok());
  CHECK(slurp(sb.path() / "child.log") == "clean\n");
  ::close(37);
}
