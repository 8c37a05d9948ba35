#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>

#include "common/base/error.hpp"
#include "common/base/fs.hpp"
#include "common/base/process.hpp"

using namespace hectic;

TEST_CASE("capture reads stdout and stderr to EOF and reports the exit code") {
  auto result = process::run("sh", {"-c", "echo out; echo err >&2; exit 3"});
  CHECK(result.exit_code == 3);
  CHECK(result.out == "out\n");
  CHECK(result.err == "err\n");
  CHECK_FALSE(result.ok());
  CHECK(result.describe() == "exited with status 3");
}

TEST_CASE("large output on both pipes does not deadlock") {
  auto result = process::run("sh", {"-c", "head -c 1000000 /dev/zero; head -c 1000000 /dev/zero >&2"});
  CHECK(result.ok());
  CHECK(result.out.size() == 1000000);
  CHECK(result.err.size() == 1000000);
}

TEST_CASE("stdin is /dev/null unless data is given") {
  CHECK(process::run("cat", {}).out.empty());
  process::Options options;
  options.stdin_data = std::string(300000, 'x');
  CHECK(process::run("wc", {"-c"}, options).out.find("300000") != std::string::npos);
}

TEST_CASE("a missing program is exit 127 naming it") {
  try {
    process::run("definitely-not-a-program-xyz", {});
    FAIL("ran");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::missing_program);
    CHECK_THAT(e.what(), Catch::Contains("definitely-not-a-program-xyz"));
  }
  try {
    process::run("/nonexistent/bin/initdb", {});
    FAIL("ran");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::missing_program);
    CHECK_THAT(e.what(), Catch::Contains("/nonexistent/bin/initdb"));
  }
}

TEST_CASE("a spawned child sees no inherited descriptor >= 3") {
  // An fd opened without O_CLOEXEC, as a careless library would, at a recognisable number.
  int opened = ::open("/dev/null", O_RDONLY);
  REQUIRE(opened >= 3);
  REQUIRE(::dup2(opened, 100) == 100);
  ::close(opened);
  auto result = process::run("sh", {"-c", "ls /proc/self/fd"});
  ::close(100);
  REQUIRE(result.ok());
  std::vector<int> fds;
  for (size_t pos = 0; pos < result.out.size();) {
    size_t end = result.out.find('\n', pos);
    fds.push_back(std::stoi(result.out.substr(pos, end - pos)));
    pos = end + 1;
  }
  INFO(result.out);
  CHECK(std::find(fds.begin(), fds.end(), 100) == fds.end());
  // 0-2 plus the one ls opens to read the directory.
  CHECK(std::count_if(fds.begin(), fds.end(), [](int fd) { return fd >= 3; }) <= 1);
}

TEST_CASE("log file output appends and the child keeps nothing else open") {
  fs::TempDir dir("process-test");
  auto log = dir.path() / "out.log";
  process::Options options;
  options.output = process::Output::log_file;
  options.log_file = log;
  process::run("sh", {"-c", "echo one; echo two >&2"}, options);
  process::run("sh", {"-c", "echo three"}, options);
  CHECK(fs::read_file(log) == "one\ntwo\nthree\n");
}

TEST_CASE("a wait is bounded: the child is killed at the timeout") {
  process::Options options;
  options.timeout = std::chrono::milliseconds(300);
  auto started = std::chrono::steady_clock::now();
  auto result = process::run("sleep", {"30"}, options);
  CHECK(result.timed_out);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
}

TEST_CASE("a background grandchild holding our pipe does not matter with a log file") {
  // The pg_ctl trap: with output to a log file the caller returns while the daemon lives on.
  fs::TempDir dir("process-test");
  process::Options options;
  options.output = process::Output::log_file;
  options.log_file = dir.path() / "bg.log";
  options.timeout = std::chrono::seconds(5);
  auto started = std::chrono::steady_clock::now();
  auto result = process::run("sh", {"-c", "(sleep 3 &) ; echo started"}, options);
  CHECK(result.ok());
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
}

TEST_CASE("environment: set and unset") {
  ::setenv("HECTIC_PROCESS_TEST_GONE", "1", 1);
  process::Options options;
  options.env_set["HECTIC_PROCESS_TEST"] = "it's here";
  options.env_unset = {"HECTIC_PROCESS_TEST_GONE"};
  auto result = process::run("sh", {"-c", "echo \"$HECTIC_PROCESS_TEST|${HECTIC_PROCESS_TEST_GONE-unset}\""}, options);
  CHECK(result.out == "it's here|unset\n");
}

TEST_CASE("privileges are dropped when running as root") {
  if (!process::running_as_root()) {
    SUCCEED("not root: nothing to drop");
    return;
  }
  auto account = process::lookup_account("postgres");
  REQUIRE(account);
  process::Options options;
  options.run_as = account;
  auto result = process::run("id", {"-un"}, options);
  CHECK(result.out == "postgres\n");
  CHECK(process::run("sh", {"-c", "echo $HOME"}, options).out == account->home.string() + "\n");
}

TEST_CASE("shell quoting survives a round trip through sh") {
  for (std::string text : {"plain", "it's", "a b", "$(touch /tmp/pwned)", "`x`", "a;b", "\"q\"", ""}) {
    auto result = process::run("sh", {"-c", "printf %s " + process::shell_quote(text)});
    CHECK(result.out == text);
  }
}

TEST_CASE("a lost child status is an error naming the program, never success") {
  // With SIGCHLD ignored the kernel reaps children itself and waitpid answers ECHILD.
  struct IgnoreChildren {
    struct sigaction old{};
    IgnoreChildren() {
      struct sigaction ignore{};
      ignore.sa_handler = SIG_IGN;
      ::sigaction(SIGCHLD, &ignore, &old);
    }
    ~IgnoreChildren() { ::sigaction(SIGCHLD, &old, nullptr); }
  } ignore_children;
  try {
    auto result = process::run("sh", {"-c", "exit 7"});
    FAIL("reported " << result.describe());
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("sh") && Catch::Contains("exit status"));
  }
}

TEST_CASE("a data-moving child has no bound, the default bound comes from HECTIC_COMMAND_TIMEOUT") {
  ::setenv("HECTIC_COMMAND_TIMEOUT", "1", 1);
  process::Options bounded;
  process::Options unbounded;
  unbounded.timeout = std::nullopt;
  ::unsetenv("HECTIC_COMMAND_TIMEOUT");
  REQUIRE(bounded.timeout == std::chrono::seconds(1));
  CHECK(process::run("sleep", {"3"}, bounded).timed_out);
  CHECK(process::run("sleep", {"2"}, unbounded).ok());
  CHECK(process::Options{}.timeout == std::chrono::minutes(10));
}

TEST_CASE("a bad HECTIC_COMMAND_TIMEOUT is exit 3 naming it") {
  for (const char* bad : {"0", "-4", "abc", "10x"}) {
    ::setenv("HECTIC_COMMAND_TIMEOUT", bad, 1);
    try {
      process::Options options;
      FAIL("accepted " << bad);
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::missing_argument);
      CHECK_THAT(e.what(), Catch::Contains("HECTIC_COMMAND_TIMEOUT") && Catch::Contains(bad));
    }
  }
  ::unsetenv("HECTIC_COMMAND_TIMEOUT");
}
