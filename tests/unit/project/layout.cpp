// The developer-project paths of common/project/layout.hpp (no server).
#include <catch2/catch.hpp>

#include "common/base/error.hpp"
#include "common/project/layout.hpp"
#include "tests/unit/project/env_guard.hpp"

using namespace hectic;
using test::EnvGuard;
using Env = std::map<std::string, std::optional<std::string>>;

TEST_CASE("layout: the focus/ dirs derive from LOCAL_DIR") {
  EnvGuard env(Env{{"LOCAL_DIR", "/p"}});
  CHECK(layout::focus_dir() == "/p/focus");
  CHECK(layout::backup_dir() == "/p/focus/postgresql-backup");
  CHECK(layout::normalized_backup_dir() == "/p/focus/postgresql-backup-normalized");
  CHECK(layout::diff_logs_dir() == "/p/focus/postgresql-diff-logs");
}

TEST_CASE("layout: no LOCAL_DIR is exit 3 naming it") {
  EnvGuard env(Env{{"LOCAL_DIR", std::nullopt}});
  try {
    layout::focus_dir();
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::missing_argument);
    CHECK_THAT(std::string(e.what()), Catch::Contains("LOCAL_DIR"));
  }
}
