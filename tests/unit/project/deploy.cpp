// What common/project/deploy.hpp decides without a server: the URL, PATCH_SQL, the editor
// command line, and the errors raised before any connection (missing files, no dotenv source,
// a PG_WORKING_DIR that is not a cluster).
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <utility>

#include "common/base/error.hpp"
#include "common/base/fs.hpp"
#include "common/project/deploy.hpp"
#include "common/project/target.hpp"
#include "tests/unit/project/env_guard.hpp"

using namespace hectic;
using test::EnvGuard;
using Env = std::map<std::string, std::optional<std::string>>;

namespace {

// The exit code and message of what body throws; {ok, ""} when it throws nothing.
std::pair<ExitCode, std::string> error_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& e) {
    return {e.code(), e.what()};
  }
  return {ExitCode::ok, ""};
}

} // namespace

TEST_CASE("resolve_url: -u, then DB_URL, then PGURL, then the variable PG_URL_VAR names") {
  EnvGuard env({{"DB_URL", "postgresql:///db"}, {"PGURL", "postgresql:///pg"}, {"PG_URL_VAR", "MY_URL"},
                {"MY_URL", "postgresql:///mine"}});
  CHECK(target::resolve_url(std::string("postgresql:///explicit")) == "postgresql:///explicit");
  CHECK(target::resolve_url(std::string()) == "postgresql:///db"); // an empty -u is no -u
  CHECK(target::resolve_url(std::nullopt) == "postgresql:///db");
  {
    EnvGuard no_db(Env{{"DB_URL", ""}});
    CHECK(target::resolve_url(std::nullopt) == "postgresql:///pg");
    EnvGuard no_pg(Env{{"PGURL", std::nullopt}});
    CHECK(target::resolve_url(std::nullopt) == "postgresql:///mine");
    EnvGuard bad_var(Env{{"PG_URL_VAR", "not an identifier"}});
    auto [code, message] = error_of([] { target::resolve_url(std::nullopt); });
    CHECK(code == ExitCode::missing_argument);
    CHECK_THAT(message, Catch::Contains("DB_URL"));
  }
}

TEST_CASE("ensure_patch_file creates PATCH_SQL empty with its directory, and keeps an existing one") {
  fs::TempDir dir("deploy-test");
  auto path = dir.path() / "profile" / "test-data.sql";
  EnvGuard env(Env{{"PATCH_SQL", path.string()}});
  CHECK(deploy::ensure_patch_file() == path);
  CHECK(fs::read_file(path).empty());
  std::ofstream(path) << "INSERT INTO t VALUES (1);\n";
  deploy::ensure_patch_file();
  CHECK(fs::read_file(path) == "INSERT INTO t VALUES (1);\n");
}

TEST_CASE("edit_patch without a terminal refuses before starting the editor") {
  // The editor itself, through the shell, is tested on a pty: integration/database/conventions.
  fs::TempDir dir("deploy-test");
  auto editor = dir.path() / "editor.sh";
  auto seen = dir.path() / "seen";
  std::ofstream(editor) << "#!/bin/sh\necho \"$@\" > '" << seen.string() << "'\n";
  ::chmod(editor.c_str(), 0755);
  auto patch = dir.path() / "test-data.sql";
  EnvGuard env({{"PATCH_SQL", patch.string()}, {"EDITOR", editor.string()}});
  if (::isatty(STDIN_FILENO) == 1 && ::isatty(STDOUT_FILENO) == 1) return; // nothing to refuse on a terminal
  auto [code, message] = error_of([] { deploy::edit_patch(); });
  CHECK(code == ExitCode::generic);
  CHECK_THAT(message, Catch::Contains("needs a terminal") && Catch::Contains(patch.string()));
  CHECK_FALSE(std::filesystem::exists(seen));
  CHECK(std::filesystem::exists(patch)); // PATCH_SQL is still created, for the user's own editor
}

TEST_CASE("hydrate and test name the missing file before connecting") {
  fs::TempDir dir("deploy-test");
  EnvGuard env({{"LOCAL_DIR", dir.path().string()}, {"DATABASE_DIR", std::nullopt}, {"DATABASE_SOURCE", std::nullopt},
                {"HYDRATE_ENTRYPOINT", std::nullopt}});
  auto [hydrate_code, hydrate_message] = error_of([] { deploy::hydrate("postgresql:///nowhere", {}); });
  CHECK(hydrate_code == ExitCode::generic);
  CHECK_THAT(hydrate_message, Catch::Contains((dir.path() / "db" / "src" / "entrypoint.sql").string()));
  auto [test_code, test_message] = error_of([] { deploy::run_tests("postgresql:///nowhere"); });
  CHECK(test_code == ExitCode::generic);
  CHECK_THAT(test_message, Catch::Contains((dir.path() / "db" / "test" / "test.sql").string()));
}

TEST_CASE("load_secrets needs a readable dotenv source (exit 3) before connecting") {
  fs::TempDir dir("deploy-test");
  EnvGuard env({{"HECTIC_DOTENV_CONTENT", std::nullopt}, {"HECTIC_DOTENV_FILE", std::nullopt},
                {"ENVIRONMENT", std::nullopt}, {"LOCAL_DIR", dir.path().string()}});
  auto [none_code, none_message] = error_of([] { deploy::load_secrets("postgresql:///nowhere", std::nullopt); });
  CHECK(none_code == ExitCode::missing_argument);
  CHECK_THAT(none_message, Catch::Contains("no dotenv source"));
  auto absent = dir.path() / "absent.env";
  auto [file_code, file_message] = error_of([&] { deploy::load_secrets("postgresql:///nowhere", absent); });
  CHECK(file_code == ExitCode::missing_argument);
  CHECK_THAT(file_message, Catch::Contains(absent.string()));
}

TEST_CASE("cleanup refuses a PG_WORKING_DIR that is a file (13) or holds no cluster (1)") {
  fs::TempDir dir("deploy-test");
  auto file = dir.path() / "file";
  std::ofstream(file) << "x";
  {
    EnvGuard env(Env{{"PG_WORKING_DIR", file.string()}});
    CHECK(error_of([] { deploy::cleanup(); }).first == ExitCode::internal);
    CHECK(std::filesystem::exists(file));
  }
  auto project = dir.path() / "project";
  std::filesystem::create_directories(project / "src");
  EnvGuard env(Env{{"PG_WORKING_DIR", project.string()}});
  auto [code, message] = error_of([] { deploy::cleanup(); });
  CHECK(code == ExitCode::generic);
  CHECK_THAT(message, Catch::Contains("holds no cluster"));
  CHECK(std::filesystem::exists(project / "src"));
}
