// CleanupGuard's once-only cleanup in-process; what SIGTERM does (cleanups newest first, exit
// 130, the foreground child signalled and waited for, children unblocked) in a forked child
// only, so that this test process keeps its signal mask and dispositions.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "common/base/fd.hpp"
#include "common/base/fs.hpp"
#include "common/base/interrupt.hpp"
#include "common/base/process.hpp"

namespace stdfs = std::filesystem;
using namespace hectic;
using namespace std::chrono_literals;

namespace {

// What a forked child wrote to its pipe and how it ended.
struct ChildOutcome {
  std::string written;
  int status = 0;
};

// Runs body in a forked child that reports through the fd it is given; the child ends by
// _exit(99) when body returns (a signal test ends by the watcher's exit 130 instead).
ChildOutcome in_forked_child(const std::function<void(int)>& body) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    read_end.reset();
    body(write_end.get());
    _exit(99);
  }
  write_end.reset();
  ChildOutcome outcome;
  char buffer[256];
  for (ssize_t n; (n = ::read(read_end.get(), buffer, sizeof buffer)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    outcome.written.append(buffer, static_cast<std::size_t>(n));
  }
  REQUIRE(::waitpid(pid, &outcome.status, 0) == pid);
  return outcome;
}

void say(int fd, const std::string& text) { (void)!::write(fd, text.data(), text.size()); }

bool exited_with(int status, int code) { return WIFEXITED(status) && WEXITSTATUS(status) == code; }

} // namespace

TEST_CASE("run() runs the cleanup once, however often it is called") {
  int runs = 0;
  interrupt::CleanupGuard guard([&] { ++runs; });
  guard.run();
  guard.run();
  CHECK(runs == 1);
  CHECK_FALSE(guard.dismiss()); // it ran already
  CHECK(runs == 1);
}

TEST_CASE("dismiss() before run() means the cleanup never runs") {
  int runs = 0;
  {
    interrupt::CleanupGuard guard([&] { ++runs; });
    CHECK(guard.dismiss());
    guard.run();
  }
  CHECK(runs == 0);
}

TEST_CASE("a guard that goes out of scope dismisses its cleanup") {
  int runs = 0;
  { interrupt::CleanupGuard guard([&] { ++runs; }); }
  CHECK(runs == 0);
  CHECK_FALSE(interrupt::requested());
}

TEST_CASE("whoever calls second waits until the first caller's cleanup has finished") {
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
  std::atomic<int> runs{0};
  interrupt::CleanupGuard guard([&] {
    ++runs;
    started = true;
    std::this_thread::sleep_for(200ms);
    finished = true;
  });
  std::thread first([&] { guard.run(); });
  while (!started) std::this_thread::sleep_for(1ms);
  guard.run(); // the cleanup is running in `first`: this returns only once it is done
  CHECK(finished);
  first.join();
  CHECK(runs == 1);
  CHECK_FALSE(guard.dismiss());
}

TEST_CASE("SIGTERM runs the registered cleanups newest first and exits 130") {
  auto outcome = in_forked_child([](int fd) {
    interrupt::install();
    interrupt::CleanupGuard older([fd] { say(fd, "older\n"); });
    interrupt::CleanupGuard newer([fd] { say(fd, interrupt::requested() ? "newer requested\n" : "newer\n"); });
    interrupt::CleanupGuard dismissed([fd] { say(fd, "dismissed\n"); });
    dismissed.dismiss();
    ::kill(::getpid(), SIGTERM); // process-directed: the watcher thread takes it
    std::this_thread::sleep_for(10s);
  });
  CHECK(exited_with(outcome.status, 130));
  CHECK(outcome.written == "newer requested\nolder\n");
}

TEST_CASE("a cleanup that already ran is not run again by the signal") {
  auto outcome = in_forked_child([](int fd) {
    interrupt::install();
    interrupt::CleanupGuard guard([fd] { say(fd, "cleanup\n"); });
    guard.run();
    ::kill(::getpid(), SIGINT);
    std::this_thread::sleep_for(10s);
  });
  CHECK(exited_with(outcome.status, 130));
  CHECK(outcome.written == "cleanup\n");
}

TEST_CASE("after install() the signals stay blocked here and are unblocked in children") {
  auto outcome = in_forked_child([](int fd) {
    interrupt::install();
    sigset_t mask;
    pthread_sigmask(SIG_BLOCK, nullptr, &mask);
    say(fd, sigismember(&mask, SIGTERM) && sigismember(&mask, SIGINT) ? "blocked\n" : "unblocked\n");
    auto child = process::run("sh", {"-c", "sed -n 's/^SigBlk:[[:space:]]*//p' /proc/self/status"});
    // Bit n-1 of the hex mask is signal n.
    auto mask_bits = std::stoull(child.out, nullptr, 16);
    bool child_blocks = mask_bits & ((1ull << (SIGINT - 1)) | (1ull << (SIGTERM - 1)));
    say(fd, child_blocks ? "child blocked\n" : "child unblocked\n");
  });
  CHECK(exited_with(outcome.status, 99));
  CHECK(outcome.written == "blocked\nchild unblocked\n");
}

TEST_CASE("a foreground child gets the signal and is waited for before the cleanups run") {
  fs::TempDir temp("interrupt-test");
  const auto started = temp.path() / "started";
  const auto got_term = temp.path() / "got-term";
  auto outcome = in_forked_child([&](int fd) {
    interrupt::install();
    interrupt::CleanupGuard guard([&, fd] { say(fd, stdfs::exists(got_term) ? "child ended first\n" : "child alive\n"); });
    std::thread killer([&] {
      for (int i = 0; i < 2000 && !stdfs::exists(started); ++i) std::this_thread::sleep_for(5ms);
      ::kill(::getpid(), SIGTERM);
    });
    killer.detach();
    process::Options options;
    options.output = process::Output::inherit; // a foreground child (interrupt.hpp)
    options.timeout = 20s;
    process::run("sh",
                 {"-c", "trap ': > \"$2\"; exit 7' TERM; : > \"$1\"; while :; do sleep 0.05; done", "sh",
                  started.string(), got_term.string()},
                 options);
    std::this_thread::sleep_for(10s);
  });
  CHECK(exited_with(outcome.status, 130));
  CHECK(outcome.written == "child ended first\n");
}

TEST_CASE("a signal's cleanups wait until the Critical operation has ended") {
  auto outcome = in_forked_child([](int fd) {
    interrupt::install();
    interrupt::CleanupGuard guard([fd] { say(fd, "cleanup\n"); });
    {
      interrupt::Critical starting;
      ::kill(::getpid(), SIGTERM);
      std::this_thread::sleep_for(300ms); // the watcher has the signal by now, and must wait
      say(fd, "operation done\n");
    }
    std::this_thread::sleep_for(10s);
  });
  CHECK(exited_with(outcome.status, 130));
  CHECK(outcome.written == "operation done\ncleanup\n");
}

TEST_CASE("the cancellers run on a signal, before the cleanups, and a destroyed one never does") {
  auto outcome = in_forked_child([](int fd) {
    interrupt::install();
    interrupt::CleanupGuard guard([fd] { say(fd, "cleanup\n"); });
    interrupt::Canceller live([fd] { say(fd, "cancel\n"); });
    { interrupt::Canceller gone([fd] { say(fd, "freed\n"); }); }
    ::kill(::getpid(), SIGINT);
    std::this_thread::sleep_for(10s);
  });
  CHECK(exited_with(outcome.status, 130));
  CHECK(outcome.written == "cancel\ncleanup\n");
}

TEST_CASE("a second signal exits 130 at once while a cleanup hangs") {
  auto started = std::chrono::steady_clock::now();
  auto outcome = in_forked_child([](int fd) {
    interrupt::install();
    interrupt::CleanupGuard guard([fd] {
      say(fd, "cleanup started\n");
      std::this_thread::sleep_for(30s);
      say(fd, "cleanup finished\n");
    });
    ::kill(::getpid(), SIGINT);
    ::kill(::getpid(), SIGINT); // the same interruption twice (timeout does that): still cleaning
    std::this_thread::sleep_for(600ms);
    ::kill(::getpid(), SIGTERM);
    std::this_thread::sleep_for(30s);
  });
  CHECK(exited_with(outcome.status, 130));
  CHECK(outcome.written == "cleanup started\n");
  CHECK(std::chrono::steady_clock::now() - started < 10s);
}
