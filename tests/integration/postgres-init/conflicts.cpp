// Conflicts and leftovers: a foreign process on the socket path, stale pidfiles, stale socket
// files, and postgres-cleanup with nothing to clean.
#include <sys/socket.h>
#include <sys/un.h>

#include <catch2/catch.hpp>

#include "tests/integration/postgres-init/cluster_util.hpp"

using namespace hectic::test;
using namespace hectic::test::cluster_util;

namespace {

// A foreign listener on a unix socket path, for the lifetime of the object (this test process
// is the live squatter).
class Squatter {
public:
  explicit Squatter(const std::filesystem::path& path) {
    std::filesystem::create_directories(path.parent_path());
    m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(m_fd >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, path.c_str());
    REQUIRE(::bind(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(m_fd, 8) == 0);
  }
  ~Squatter() { ::close(m_fd); }

private:
  int m_fd = -1;
};

} // namespace

TEST_CASE("busy socket: a live foreign listener is exit 2 and is left alone") {
  Sandbox sb;
  auto socket = sb.working_dir() / "sock" / ".s.PGSQL.5432";
  Squatter squatter(socket);

  auto fresh = sb.run("postgres-init", {});
  CHECK(fresh.code == 2);
  CHECK_THAT(fresh.err, Catch::Contains("postgres-init: error:") && Catch::Contains(socket.string()) &&
                            Catch::Contains("in use"));
  CHECK(fresh.out.empty());
  CHECK(hectic::cluster::detail::socket_listening(socket)); // still the squatter's
  CHECK_FALSE(server_running(sb.working_dir()));

  // Reusing a stopped cluster: same refusal, data untouched.
  Sandbox other;
  auto url = other.start_cluster();
  other.psql(url, "create table t(v int); insert into t values (7)");
  REQUIRE(other.run("postgres-cleanup", {}).code == 0);
  auto other_socket = other.working_dir() / "sock" / ".s.PGSQL.5432";
  {
    Squatter squat(other_socket);
    auto reuse = other.run("postgres-init", {}, {{"PG_REUSE", "1"}});
    CHECK(reuse.code == 2);
    CHECK_THAT(reuse.err, Catch::Contains(other_socket.string()));
    CHECK(hectic::cluster::detail::socket_listening(other_socket));
  }
  // The squatter is gone; its socket file is a leftover nobody listens on: removed, start works.
  REQUIRE(std::filesystem::exists(other_socket));
  auto after = other.run("postgres-init", {}, {{"PG_REUSE", "1"}});
  INFO(after.err);
  REQUIRE(after.code == 0);
  CHECK(other.psql(url, "select v from t") == "7");
}

TEST_CASE("stale postmaster.pid naming a live non-postgres process: init and cleanup go on") {
  Sandbox sb;
  auto url = sb.start_cluster();
  sb.psql(url, "create table t(v int); insert into t values (1)");
  REQUIRE(sb.run("postgres-cleanup", {}).code == 0);
  auto pidfile = sb.working_dir() / "data" / "postmaster.pid";
  REQUIRE_FALSE(std::filesystem::exists(pidfile));

  // This test process is alive and is not a postgres: a recycled pid. The server itself would
  // refuse such a pidfile (when it runs as another user, kill(pid, 0) says EPERM).
  auto stale = fmt::format("{}\n{}\n1700000000\n5432\n{}\n\n  0  0\nready   \n", ::getpid(),
                           (sb.working_dir() / "data").string(), (sb.working_dir() / "sock").string());
  spit(pidfile, stale);
  auto cleanup = sb.run("postgres-cleanup", {});
  CHECK(cleanup.code == 0);
  CHECK_THAT(cleanup.err, Catch::Contains("stale"));
  CHECK_FALSE(std::filesystem::exists(pidfile));

  spit(pidfile, stale);
  auto init = sb.run("postgres-init", {}, {{"PG_REUSE", "1"}});
  INFO(init.err);
  REQUIRE(init.code == 0);
  CHECK_THAT(init.err, Catch::Contains("stale"));
  CHECK(sb.psql(url, "select v from t") == "1");
  CHECK(postmaster_pid(sb.working_dir()) != ::getpid());
}

TEST_CASE("postgres-cleanup with nothing to clean exits 0") {
  Sandbox sb;
  auto none = sb.run("postgres-cleanup", {}, {{"-PG_WORKING_DIR", ""}, {"-LOCAL_DIR", ""}});
  CHECK(none.code == 0);
  CHECK_THAT(none.err, Catch::Contains("nothing to clean"));

  auto missing = sb.run("postgres-cleanup", {});
  CHECK(missing.code == 0);
  CHECK_THAT(missing.err, Catch::Contains("nothing to clean") && Catch::Contains(sb.working_dir().string()));

  auto file = sb.write("file", "x");
  auto regular = sb.run("postgres-cleanup", {}, {{"PG_WORKING_DIR", file.string()}});
  CHECK(regular.code == 0);

  // An invalid HECTIC_LOG is only a warning here.
  auto bad_log = sb.run("postgres-cleanup", {}, {{"HECTIC_LOG", "loud;x=nonsense"}});
  CHECK(bad_log.code == 0);
  CHECK_THAT(bad_log.err, Catch::Contains("loud") || Catch::Contains("nonsense"));

  // A stopped cluster, twice in a row; then a running one is stopped and waited for.
  sb.start_cluster();
  pid_t pid = postmaster_pid(sb.working_dir());
  auto stop = sb.run("postgres-cleanup", {});
  CHECK(stop.code == 0);
  CHECK_THAT(stop.err, Catch::Contains("stopped"));
  CHECK_FALSE(hectic::cluster::detail::process_alive(pid));
  CHECK_FALSE(std::filesystem::exists(sb.working_dir() / "data" / "postmaster.pid"));
  auto again = sb.run("postgres-cleanup", {});
  CHECK(again.code == 0);
  CHECK_THAT(again.err, Catch::Contains("no server runs"));

  auto unknown = sb.run("postgres-cleanup", {"--bogus"});
  CHECK(unknown.code == 9);
  CHECK_THAT(unknown.err, Catch::Contains("--bogus"));
}
