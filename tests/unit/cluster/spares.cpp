// The spare pool without a server: fill under a lock, take by rename, the background filler,
// other filesystems and other owners.
#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

// Our own main: the background filler execs this binary again (spares::filler_entry).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "common/cluster/spares.hpp"
#include "common/base/fs.hpp"
#include "common/base/log.hpp"
#include "common/base/process.hpp"

namespace stdfs = std::filesystem;
using namespace hectic;
using namespace hectic::cluster;

namespace {

void write(const stdfs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

std::string read(const stdfs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int ready_count(const stdfs::path& dir) {
  int count = 0;
  std::error_code ec;
  for (auto it = stdfs::directory_iterator(dir, ec); !ec && it != stdfs::directory_iterator(); it.increment(ec))
    if (it->path().filename().string().rfind("ready-", 0) == 0) ++count;
  return count;
}

// A small stand-in for a template data dir.
struct PoolFixture {
  fs::TempDir dir{"hectic-unit-spares"};
  spares::Pool pool;
  PoolFixture() {
    auto data = dir.path() / "templates" / "key" / "data";
    stdfs::create_directories(data / "base" / "1");
    stdfs::create_directories(data / "global");
    ::chmod(data.c_str(), 0700);
    write(data / "PG_VERSION", "15\n");
    write(data / "global" / "pg_control", std::string(8192, '\0')); // take() checks both are there
    write(data / "base" / "1" / "1259", std::string(20000, 'x'));
    pool = spares::Pool{dir.path() / "spares" / "key", data, std::nullopt, 2};
  }
};

} // namespace

TEST_CASE("fill makes the pool's spares under its lock and removes a dead filler's leftovers") {
  PoolFixture f;
  stdfs::create_directories(f.pool.dir / ".tmp-999-0" / "base");
  CHECK(spares::fill(f.pool) == 2);
  CHECK(ready_count(f.pool.dir) == 2);
  CHECK_FALSE(stdfs::exists(f.pool.dir / ".tmp-999-0"));
  CHECK(spares::fill(f.pool) == 0); // full

  // Another filler holds the lock: nothing is done.
  auto data = f.dir.path() / "data";
  REQUIRE(spares::take(f.pool, data));
  int lock = ::open((f.pool.dir / ".lock").c_str(), O_RDWR | O_CLOEXEC);
  REQUIRE(lock >= 0);
  REQUIRE(::flock(lock, LOCK_EX) == 0);
  CHECK(spares::fill(f.pool) == 0);
  ::close(lock);
  CHECK(spares::fill(f.pool) == 1);
}

TEST_CASE("take moves a spare into place, each spare once, and nothing from an empty or disabled pool") {
  PoolFixture f;
  REQUIRE(spares::fill(f.pool) == 2);
  auto first = f.dir.path() / "first";
  auto second = f.dir.path() / "second";
  auto third = f.dir.path() / "third";
  REQUIRE(spares::take(f.pool, first));
  REQUIRE(spares::take(f.pool, second));
  CHECK_FALSE(spares::take(f.pool, third));
  CHECK_FALSE(stdfs::exists(third));
  CHECK(read(first / "PG_VERSION") == "15\n");
  CHECK(read(second / "base" / "1" / "1259") == std::string(20000, 'x'));
  struct stat st {};
  REQUIRE(::stat(first.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0700); // postgres refuses a data dir open to others

  spares::Pool disabled = f.pool;
  disabled.size = 0;
  CHECK(spares::fill(disabled) == 0);
  CHECK(ready_count(f.pool.dir) == 0);
  REQUIRE(spares::fill(f.pool) == 2);
  CHECK_FALSE(spares::take(disabled, third));
  CHECK(ready_count(f.pool.dir) == 2);
}

TEST_CASE("the background filler tops the pool up, and stays away from another filesystem") {
  PoolFixture f;
  auto working_dir = f.dir.path() / "work";
  stdfs::create_directories(working_dir);
  spares::refill_in_background(f.pool, working_dir);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (ready_count(f.pool.dir) < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(ready_count(f.pool.dir) == 2);

  // A working dir on another filesystem could only get a spare by copying: no filler, and a
  // take there fails without losing the spare.
  struct stat shm {}, tmp {};
  if (::stat("/dev/shm", &shm) != 0 || ::stat(f.dir.path().c_str(), &tmp) != 0 || shm.st_dev == tmp.st_dev) {
    WARN("no second filesystem at /dev/shm: the cross-filesystem case is not checked");
    return;
  }
  fs::TempDir elsewhere("hectic-unit-spares", "/dev/shm");
  PoolFixture other;
  spares::refill_in_background(other.pool, elsewhere.path());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK_FALSE(stdfs::exists(other.pool.dir));
  CHECK_FALSE(spares::take(f.pool, elsewhere.path() / "data"));
  CHECK_FALSE(stdfs::exists(elsewhere.path() / "data"));
  CHECK(ready_count(f.pool.dir) == 2);
}

TEST_CASE("a filler started while another thread holds the log lock still fills the pool") {
  PoolFixture f;
  auto working_dir = f.dir.path() / "work";
  stdfs::create_directories(working_dir);
  log::set_spec(log::LevelSpec::parse("info;cluster=debug")); // the filler logs as it starts
  // The stdio lock of stderr, which every log line takes: a fork without exec copies it locked.
  std::atomic<bool> locked{false};
  std::thread holder([&] {
    ::flockfile(stderr);
    locked = true;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (ready_count(f.pool.dir) < 2 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ::funlockfile(stderr);
  });
  while (!locked) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  spares::refill_in_background(f.pool, working_dir);
  holder.join();
  CHECK(ready_count(f.pool.dir) == 2);
  log::set_spec({});
}

TEST_CASE("as root, a spare of another owner is handed over to the server account") {
  if (!process::running_as_root()) {
    WARN("not root: ownership hand-over not checked");
    return;
  }
  const passwd* postgres = ::getpwnam("postgres");
  REQUIRE(postgres != nullptr);
  PoolFixture f;
  REQUIRE(spares::fill(f.pool) == 2); // made by root, owned by root
  spares::Pool owned = f.pool;
  owned.owner = detail::Owner{postgres->pw_uid, postgres->pw_gid};
  auto data = f.dir.path() / "data";
  REQUIRE(spares::take(owned, data));
  for (const auto& path : {data, data / "base" / "1" / "1259"}) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK(st.st_uid == postgres->pw_uid);
  }
}

int main(int argc, char** argv) {
  if (auto code = spares::filler_entry(argc, argv)) return *code;
  return Catch::Session().run(argc, argv);
}
