// The host is not ours to damage: as root, a link the server account planted is never
// followed; a pidfile that names another server's process gets no signal; a path never
// reaches a shell. Root-only parts are skipped for other users.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

#include "common/base/process.hpp"
#include "common/base/text.hpp"
#include "tests/integration/postgres-init/cluster_util.hpp"

using namespace hectic::test;
using namespace hectic::test::cluster_util;

namespace {

// Stops the sandbox's postmaster (smart shutdown) and waits until it has gone and removed its
// pidfile, leaving the data dir as a stopped cluster.
void stop_postmaster(const stdfs::path& working_dir) {
  pid_t pid = postmaster_pid(working_dir);
  REQUIRE(pid > 0);
  REQUIRE(::kill(pid, SIGINT) == 0);
  for (int i = 0; i < 300 && hectic::cluster::detail::process_alive(pid); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE_FALSE(hectic::cluster::detail::process_alive(pid));
}

// A postmaster.pid for data_dir that names pid (the rest as the other server wrote it).
void plant_pidfile(const stdfs::path& data_dir, pid_t pid, const std::string& template_text) {
  auto lines = hectic::text::split_lines(template_text);
  std::string text = fmt::format("{}\n{}\n", pid, data_dir.string());
  for (std::size_t i = 2; i < lines.size(); ++i) text += std::string(lines[i]) + "\n";
  spit(data_dir / "postmaster.pid", text);
}

} // namespace

TEST_CASE("security: a server.log link planted by the server account is refused, its target untouched") {
  if (!hectic::process::running_as_root()) {
    WARN("not root: nothing to take over");
    return;
  }
  Sandbox sb;
  sb.start_cluster();
  stop_postmaster(sb.working_dir());
  auto victim = sb.write("root-owned.conf", "precious\n");
  ::chmod(victim.c_str(), 0600);
  auto log = sb.working_dir() / "server.log";
  stdfs::remove(log);
  stdfs::create_symlink(victim, log);

  auto run = sb.run("postgres-init", {}, {{"PG_REUSE", "1"}});
  INFO(run.err);
  CHECK(run.code == 1);
  CHECK_THAT(run.err, Catch::Contains(log.string()) && Catch::Contains("symbolic link"));
  struct stat st {};
  REQUIRE(::stat(victim.c_str(), &st) == 0);
  CHECK(st.st_uid == 0);
  CHECK((st.st_mode & 07777) == 0600);
  CHECK(slurp(victim) == "precious\n");
}

TEST_CASE("security: a pidfile naming another cluster's postmaster or backend signals nothing") {
  Sandbox other;
  auto other_url = other.start_cluster();
  pid_t other_postmaster = postmaster_pid(other.working_dir());
  auto checkpointer = std::stoi(other.psql(other_url, "select pid from pg_stat_activity where backend_type = 'checkpointer'"));
  const auto other_pidfile = slurp(other.working_dir() / "data" / "postmaster.pid");

  for (pid_t victim : {other_postmaster, static_cast<pid_t>(checkpointer)}) {
    INFO("pidfile names " << victim);
    Sandbox sb;
    sb.start_cluster();
    stop_postmaster(sb.working_dir());
    plant_pidfile(sb.working_dir() / "data", victim, other_pidfile);

    auto cleanup = sb.run("postgres-cleanup", {});
    INFO(cleanup.err);
    CHECK(cleanup.code == 0);
    CHECK_THAT(cleanup.err, Catch::Contains("stale"));
    CHECK(hectic::cluster::detail::process_alive(victim));

    plant_pidfile(sb.working_dir() / "data", victim, other_pidfile);
    if (!stdfs::exists(sb.working_dir() / "data" / "PG_VERSION")) {
      // cleanup removed the stopped cluster: make a stopped one again for postgres-init.
      sb.start_cluster();
      stop_postmaster(sb.working_dir());
      plant_pidfile(sb.working_dir() / "data", victim, other_pidfile);
    }
    auto init = sb.run("postgres-init", {}, {{"PG_REUSE", "1"}});
    INFO(init.err);
    CHECK(init.code == 0);
    CHECK_THAT(init.err, Catch::Contains("stale"));
    CHECK(hectic::cluster::detail::process_alive(victim));
    CHECK(other.psql(other_url, "select 1") == "1");
  }
  CHECK(postmaster_pid(other.working_dir()) == other_postmaster);
}

TEST_CASE("security: shell metacharacters in a path are refused, naming the variable and the character") {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"$(touch PWNED)", "$"}, {"`touch PWNED`", "`"}, {"quo\"te", "\""}, {"back\\slash", "\\"},
      {"new\nline", "newline"}};
  for (const auto& variable : {"PG_WORKING_DIR", "LOCAL_DIR", "PG_LOG_PATH", "PG_CONF_FILE"}) {
    for (const auto& [fragment, named] : bad) {
      Sandbox sb;
      auto value = (sb.path() / ("x" + fragment)).string();
      std::map<std::string, std::string> env = {{variable, value}};
      if (std::string(variable) == "LOCAL_DIR") env["-PG_WORKING_DIR"] = "";
      auto run = sb.run("postgres-init", {}, env);
      INFO(variable << "=" << value << "\n" << run.err);
      CHECK(run.code == 3);
      CHECK_THAT(run.err, Catch::Contains(variable) && Catch::Contains(named));
      CHECK_FALSE(stdfs::exists(sb.path() / "PWNED"));
      CHECK_FALSE(stdfs::exists(stdfs::current_path() / "PWNED"));
    }
  }
}

TEST_CASE("security: PG_URL_VAR may not name a variable the shell or libpq relies on") {
  Sandbox sb;
  for (const auto& name : {"PATH", "HOME", "IFS", "LD_PRELOAD", "LD_LIBRARY_PATH", "PGPASSWORD", "PGHOST", "SHELL"}) {
    auto run = sb.run("postgres-init", {}, {{"PG_URL_VAR", name}});
    INFO(name << "\n" << run.err);
    CHECK(run.code == 3);
    CHECK_THAT(run.err, Catch::Contains("PG_URL_VAR") && Catch::Contains(name));
    CHECK_FALSE(stdfs::exists(sb.working_dir() / "data"));
  }
  auto fine = sb.run("postgres-init", {}, {{"PG_URL_VAR", "DATABASE_URL"}});
  INFO(fine.err);
  CHECK(fine.code == 0);
  CHECK(exported(fine.out, "DATABASE_URL") == exported(fine.out, "PGURL"));
}

namespace {

// A root-owned directory holding a root-owned file: what a planted link points root at.
stdfs::path make_victim_dir(const Sandbox& sb) {
  auto file = sb.write("victim/PG_VERSION", "precious\n");
  ::chmod(file.c_str(), 0644);
  ::chmod(file.parent_path().c_str(), 0755);
  return file.parent_path();
}

// The victim keeps owner, mode and content, and gets no new entry.
void check_untouched(const stdfs::path& victim) {
  struct stat st {};
  REQUIRE(::stat(victim.c_str(), &st) == 0);
  CHECK(st.st_uid == 0);
  CHECK((st.st_mode & 07777) == 0755);
  REQUIRE(::stat((victim / "PG_VERSION").c_str(), &st) == 0);
  CHECK(st.st_uid == 0);
  CHECK((st.st_mode & 07777) == 0644);
  CHECK(slurp(victim / "PG_VERSION") == "precious\n");
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : stdfs::directory_iterator(victim)) ++entries;
  CHECK(entries == 1);
}

// Replaces path (a dir the server account owns) with a link to target, owned by that account.
void plant_link(const stdfs::path& path, const stdfs::path& target) {
  struct stat owner {};
  REQUIRE(::stat(path.parent_path().c_str(), &owner) == 0);
  std::error_code ec;
  stdfs::remove_all(path, ec);
  stdfs::create_symlink(target, path);
  REQUIRE(::lchown(path.c_str(), owner.st_uid, owner.st_gid) == 0);
}

} // namespace

TEST_CASE("security: a socket dir link planted by the server account gets no chmod or chown") {
  if (!hectic::process::running_as_root()) {
    WARN("not root: nothing to take over");
    return;
  }
  Sandbox sb;
  sb.start_cluster();
  stop_postmaster(sb.working_dir());
  auto victim = make_victim_dir(sb);
  plant_link(sb.working_dir() / "sock", victim);
  auto run = sb.run("postgres-init", {}, {{"PG_REUSE", "1"}});
  INFO(run.err);
  CHECK(run.code == 1);
  CHECK_THAT(run.err, Catch::Contains((sb.working_dir() / "sock").string()) && Catch::Contains("symbolic link"));
  check_untouched(victim);
}

TEST_CASE("security: a data dir link planted by the server account is refused, its target untouched") {
  if (!hectic::process::running_as_root()) {
    WARN("not root: nothing to take over");
    return;
  }
  Sandbox sb;
  sb.start_cluster();
  stop_postmaster(sb.working_dir());
  auto victim = make_victim_dir(sb);
  auto data = sb.working_dir() / "data";
  auto kept = sb.working_dir() / "kept-data";
  stdfs::rename(data, kept);
  stdfs::create_directories(data);
  plant_link(data, victim);
  auto run = sb.run("postgres-init", {}, {{"PG_REUSE", "1"}});
  INFO(run.err);
  CHECK(run.code == 1);
  CHECK_THAT(run.err, Catch::Contains(data.string()) && Catch::Contains("symbolic link"));
  check_untouched(victim);
}
