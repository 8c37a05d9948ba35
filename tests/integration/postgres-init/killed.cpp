// `kill -9` of postgres-init while initdb or the single-user `postgres --single` runs leaves no
// process of that data directory behind (its children die with it).
#include <signal.h>
#include <unistd.h>

#include <thread>

#include <catch2/catch.hpp>

#include "tests/integration/postgres-init/cluster_util.hpp"

using namespace hectic::test;
using namespace hectic::test::cluster_util;

namespace {

// The live (not zombie) processes whose command line names data_dir or whose cwd is it.
std::vector<pid_t> processes_of(const stdfs::path& data_dir) {
  std::vector<pid_t> found;
  std::error_code ec;
  for (auto it = stdfs::directory_iterator("/proc", ec); !ec && it != stdfs::directory_iterator(); it.increment(ec)) {
    auto name = it->path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    auto proc = it->path();
    auto stat = slurp(proc / "stat");
    auto state_at = stat.rfind(") ");
    if (stat.empty() || (state_at != std::string::npos && stat[state_at + 2] == 'Z')) continue;
    std::error_code link_ec;
    bool in_it = slurp(proc / "cmdline").find(data_dir.string()) != std::string::npos ||
                 stdfs::read_symlink(proc / "cwd", link_ec) == data_dir;
    if (in_it) found.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return found;
}

// The pid of a live process whose comm is `comm` and whose command line holds every word.
std::optional<pid_t> find_process(const std::string& comm, const std::vector<std::string>& words) {
  std::error_code ec;
  for (auto it = stdfs::directory_iterator("/proc", ec); !ec && it != stdfs::directory_iterator(); it.increment(ec)) {
    auto name = it->path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (slurp(it->path() / "comm") != comm + "\n") continue;
    auto cmdline = slurp(it->path() / "cmdline");
    bool all = true;
    for (const auto& word : words) all = all && cmdline.find(word) != std::string::npos;
    if (all) return static_cast<pid_t>(std::stol(name));
  }
  return std::nullopt;
}

pid_t parent_of(pid_t pid) {
  auto status = slurp(fmt::format("/proc/{}/status", pid));
  auto at = status.find("PPid:");
  return at == std::string::npos ? 0 : static_cast<pid_t>(std::stol(status.substr(at + 5)));
}

template <typename F> bool eventually(F&& done, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// Starts postgres-init on a fresh cache, kills it (SIGKILL) as soon as its child `comm` runs
// with `words` in its command line, and checks that nothing of the data dir keeps running.
void kill_init_during(const std::string& comm, const std::vector<std::string>& words) {
  Sandbox sb;
  // The working dir: a fresh data/ is built beside it under .trash-init-PID and renamed.
  auto data_dir = sb.working_dir();
  Run run;
  std::string thread_error; // an exception leaving a std::thread aborts the whole test binary
  std::jthread init([&] {
    try {
      run = sb.run("postgres-init", {}, {{"HECTIC_CACHE_DIR", (sb.path() / "private-cache").string()}});
    } catch (const std::exception& e) {
      thread_error = e.what();
    }
  });
  std::optional<pid_t> child;
  std::vector<std::string> wanted = words;
  wanted.push_back(data_dir.string());
  // The child of postgres-init itself (its parent read while it runs); no REQUIRE before the
  // join, or the thread's destructor would abort the test binary.
  pid_t init_pid = 0;
  bool seen = eventually([&] {
    child = find_process(comm, wanted);
    init_pid = child ? parent_of(*child) : 0;
    return init_pid > 0 && slurp(fmt::format("/proc/{}/comm", init_pid)) == "postgres-init\n";
  }, std::chrono::seconds(60));
  const bool killed = seen && ::kill(init_pid, SIGKILL) == 0;
  init.join();
  INFO("postgres-init thread: " << thread_error);
  REQUIRE(thread_error.empty());
  REQUIRE(seen);
  REQUIRE(killed);
  CHECK(run.code == 128 + SIGKILL);
  // The child itself at once; what it started (initdb's bootstrap backend) once its pipe closes.
  CHECK(eventually([&] { return !find_process(comm, wanted); }, std::chrono::milliseconds(500)));
  CHECK(eventually([&] { return processes_of(data_dir).empty(); }, std::chrono::seconds(15)));
  INFO("left running: " << processes_of(data_dir).size());
  CHECK(processes_of(data_dir).empty());
}

} // namespace

TEST_CASE("killed init: kill -9 during initdb leaves no initdb or postgres of the data dir") {
  kill_init_during("initdb", {"-D"});
}

TEST_CASE("killed init: kill -9 during the single-user CREATE DATABASE leaves no postgres of the data dir") {
  kill_init_during("postgres", {"--single"});
}
