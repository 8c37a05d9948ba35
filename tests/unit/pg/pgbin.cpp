// PostgreSQL binary discovery without a server: PG_BIN_DIR, PATH (and the real dir behind a
// symlinked initdb), a missing program's error, version parsing, the pkglibdir fallback.
// Fake programs are shell scripts in per-test dirs (pgbin caches per directory and binary).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "common/base/error.hpp"
#include "common/base/fs.hpp"
#include "common/pg/pgbin.hpp"

namespace stdfs = std::filesystem;
using namespace hectic;

namespace {

// Sets (or unsets, for nullopt) one environment variable for one scope.
class ScopedVar {
public:
  ScopedVar(const char* name, std::optional<std::string> value) : m_name(name) {
    if (const char* old = std::getenv(name)) m_old = old;
    if (value) ::setenv(name, value->c_str(), 1);
    else ::unsetenv(name);
  }
  ~ScopedVar() {
    if (m_old) ::setenv(m_name.c_str(), m_old->c_str(), 1);
    else ::unsetenv(m_name.c_str());
  }
  ScopedVar(const ScopedVar&) = delete;
  ScopedVar& operator=(const ScopedVar&) = delete;

private:
  std::string m_name;
  std::optional<std::string> m_old;
};

// An executable shell script at dir/name that prints `output`.
stdfs::path fake_program(const stdfs::path& dir, const std::string& name, const std::string& output = "") {
  stdfs::create_directories(dir);
  auto path = dir / name;
  std::ofstream(path) << "#!/bin/sh\nprintf '%s\\n' '" << output << "'\n";
  ::chmod(path.c_str(), 0755);
  return path;
}

// bin_dir() caches its answer until PG_BIN_DIR changes: one lookup with another PG_BIN_DIR
// makes the next lookup without it search PATH again.
void forget_cached_bin_dir(const stdfs::path& any_dir) {
  ScopedVar dir("PG_BIN_DIR", any_dir.string());
  pgbin::bin_dir();
}

ExitCode code_of(const std::function<void()>& action, std::string* message = nullptr,
                 std::vector<std::string>* hints = nullptr) {
  try {
    action();
  } catch (const Error& error) {
    if (message) *message = error.what();
    if (hints) *hints = error.hints();
    return error.code();
  }
  return ExitCode::ok;
}

} // namespace

TEST_CASE("PG_BIN_DIR is authoritative and names the programs in it") {
  fs::TempDir temp("pgbin-test");
  auto bin = temp.path() / "bin";
  fake_program(bin, "initdb");
  fake_program(bin, "pg_ctl");
  ScopedVar dir("PG_BIN_DIR", bin.string());
  CHECK(pgbin::bin_dir() == bin);
  CHECK(pgbin::program("initdb") == bin / "initdb");
  CHECK(pgbin::program("pg_ctl") == bin / "pg_ctl");
}

TEST_CASE("a program missing from PG_BIN_DIR is Error(missing_program) naming it and the dir") {
  fs::TempDir temp("pgbin-test");
  auto bin = temp.path() / "bin";
  fake_program(bin, "initdb");
  ScopedVar dir("PG_BIN_DIR", bin.string());
  std::string message;
  std::vector<std::string> hints;
  CHECK(code_of([] { pgbin::program("pg_dump"); }, &message, &hints) == ExitCode::missing_program);
  CHECK(message == "required program 'pg_dump' not found in " + bin.string());
  REQUIRE(hints.size() == 1);
  CHECK(hints[0] == "PG_BIN_DIR is set: it must hold every PostgreSQL program");
}

TEST_CASE("a file that is not executable does not count as the program") {
  fs::TempDir temp("pgbin-test");
  auto bin = temp.path() / "bin";
  fake_program(bin, "initdb");
  std::ofstream(bin / "psql") << "not a program\n";
  ::chmod((bin / "psql").c_str(), 0644);
  ScopedVar dir("PG_BIN_DIR", bin.string());
  CHECK(code_of([] { pgbin::program("psql"); }) == ExitCode::missing_program);
}

TEST_CASE("without PG_BIN_DIR the first PATH dir holding initdb wins, and an empty one is unset") {
  fs::TempDir temp("pgbin-test");
  auto first = temp.path() / "first";
  auto second = temp.path() / "second";
  stdfs::create_directories(first);
  fake_program(first, "pg_ctl"); // no initdb here: not the bin dir
  fake_program(second, "initdb");
  fake_program(second, "postgres");
  ScopedVar path("PATH", (temp.path() / "absent").string() + ":" + first.string() + ":" + second.string());
  forget_cached_bin_dir(temp.path());
  ScopedVar dir("PG_BIN_DIR", std::nullopt);
  CHECK(pgbin::bin_dir() == second);
  CHECK(pgbin::program("postgres") == second / "postgres");
  ScopedVar empty("PG_BIN_DIR", "");
  CHECK(pgbin::bin_dir() == second);
}

TEST_CASE("a PATH dir of symlinks finds the other programs beside the real initdb") {
  fs::TempDir temp("pgbin-test");
  auto real = temp.path() / "lib" / "postgresql" / "bin";
  auto links = temp.path() / "links";
  fake_program(real, "initdb");
  fake_program(real, "pg_ctl");
  stdfs::create_directories(links);
  stdfs::create_symlink(real / "initdb", links / "initdb");
  ScopedVar path("PATH", links.string() + ":/usr/bin:/bin");
  forget_cached_bin_dir(temp.path());
  ScopedVar dir("PG_BIN_DIR", std::nullopt);
  CHECK(pgbin::bin_dir() == links);
  CHECK(pgbin::program("pg_ctl") == real / "pg_ctl");
  CHECK(code_of([] { pgbin::program("pg_dump"); }) == ExitCode::missing_program);
}

TEST_CASE("server_version is the major.minor of `postgres --version`") {
  fs::TempDir temp("pgbin-test");
  auto release = temp.path() / "release";
  fake_program(release, "initdb");
  fake_program(release, "postgres", "postgres (PostgreSQL) 15.20 (Debian 15.20-1.pgdg120+1)");
  {
    ScopedVar dir("PG_BIN_DIR", release.string());
    CHECK(pgbin::server_version() == "15.20");
  }
  auto devel = temp.path() / "devel";
  fake_program(devel, "initdb");
  fake_program(devel, "postgres", "postgres (PostgreSQL) 17devel");
  {
    ScopedVar dir("PG_BIN_DIR", devel.string());
    CHECK(pgbin::server_version() == "17");
  }
  auto odd = temp.path() / "odd";
  fake_program(odd, "initdb");
  fake_program(odd, "postgres", "no version here");
  {
    ScopedVar dir("PG_BIN_DIR", odd.string());
    CHECK(pgbin::server_version() == "unknown");
  }
}

TEST_CASE("server_version of a failing postgres is an Error") {
  fs::TempDir temp("pgbin-test");
  auto bin = temp.path() / "bin";
  fake_program(bin, "initdb");
  std::ofstream(bin / "postgres") << "#!/bin/sh\nexit 3\n";
  ::chmod((bin / "postgres").c_str(), 0755);
  ScopedVar dir("PG_BIN_DIR", bin.string());
  CHECK(code_of([] { pgbin::server_version(); }) != ExitCode::ok);
}

TEST_CASE("pkglib_dir asks the pg_config beside postgres, else takes <bindir>/../lib") {
  fs::TempDir temp("pgbin-test");
  auto plain = temp.path() / "plain" / "bin";
  fake_program(plain, "initdb");
  fake_program(plain, "postgres");
  {
    ScopedVar dir("PG_BIN_DIR", plain.string());
    CHECK(pgbin::pkglib_dir() == temp.path() / "plain" / "lib");
  }
  auto configured = temp.path() / "configured" / "bin";
  fake_program(configured, "initdb");
  fake_program(configured, "postgres");
  fake_program(configured, "pg_config", "/opt/pg/lib/postgresql");
  {
    ScopedVar dir("PG_BIN_DIR", configured.string());
    CHECK(pgbin::pkglib_dir() == "/opt/pg/lib/postgresql");
  }
}

TEST_CASE("with nothing on PATH the newest /usr/lib/postgresql/<major>/bin is taken, or initdb is missing") {
  fs::TempDir temp("pgbin-test");
  ScopedVar path("PATH", (temp.path() / "empty").string());
  forget_cached_bin_dir(temp.path());
  ScopedVar dir("PG_BIN_DIR", std::nullopt);
  std::optional<std::pair<int, stdfs::path>> newest;
  std::error_code ec;
  for (const auto& entry : stdfs::directory_iterator("/usr/lib/postgresql", ec)) {
    auto name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (::access((entry.path() / "bin" / "initdb").c_str(), X_OK) != 0) continue;
    if (!newest || std::stoi(name) > newest->first) newest.emplace(std::stoi(name), entry.path() / "bin");
  }
  if (newest) {
    CHECK(pgbin::bin_dir() == newest->second);
  } else {
    std::string message;
    CHECK(code_of([] { pgbin::bin_dir(); }, &message) == ExitCode::missing_program);
    CHECK(message == "required program 'initdb' not found");
  }
}
