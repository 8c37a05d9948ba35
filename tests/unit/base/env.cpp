#include <catch2/catch.hpp>

#include <cstdlib>

#include "common/base/env.hpp"
#include "common/base/error.hpp"

using namespace hectic;

TEST_CASE("truthy follows the SPEC's words") {
  CHECK_FALSE(env::truthy(std::nullopt));
  for (const char* no : {"", "0", "false", "no", "FALSE", "No"}) CHECK_FALSE(env::truthy(std::string(no)));
  for (const char* yes : {"1", "yes", "true", "on", "anything"}) CHECK(env::truthy(std::string(yes)));
}

TEST_CASE("identifiers") {
  CHECK(env::is_identifier("PGURL"));
  CHECK(env::is_identifier("_x1"));
  CHECK_FALSE(env::is_identifier(""));
  CHECK_FALSE(env::is_identifier("1A"));
  CHECK_FALSE(env::is_identifier("A-B"));
  CHECK_FALSE(env::is_identifier("A B"));
  CHECK_FALSE(env::is_identifier("A;rm"));
}

TEST_CASE("project layout defaults derive from LOCAL_DIR") {
  for (const char* name : {"DATABASE_DIR", "MIGRATION_DIR", "DATABASE_SOURCE", "HYDRATE_ENTRYPOINT",
                           "PROFILE_DIR", "PATCH_SQL", "PG_WORKING_DIR"})
    ::unsetenv(name);
  ::setenv("LOCAL_DIR", "/p", 1);
  CHECK(env::database_dir() == "/p/db");
  CHECK(env::migration_dir() == "/p/db/migration");
  CHECK(env::database_source() == "/p/db/src");
  CHECK(env::hydrate_entrypoint() == "/p/db/src/entrypoint.sql");
  CHECK(env::patch_sql() == "/p/test-data.sql");
  CHECK(env::pg_working_dir() == "/p/focus/postgresql");
  ::setenv("DATABASE_DIR", "/d", 1);
  ::setenv("PROFILE_DIR", "/prof", 1);
  CHECK(env::migration_dir() == "/d/migration");
  CHECK(env::patch_sql() == "/prof/test-data.sql");
  ::unsetenv("LOCAL_DIR");
  ::unsetenv("DATABASE_DIR");
  try {
    env::pg_working_dir();
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::missing_argument);
    CHECK_THAT(e.what(), Catch::Contains("PG_WORKING_DIR") && Catch::Contains("LOCAL_DIR"));
  }
}

TEST_CASE("cache dir: HECTIC_CACHE_DIR, then XDG_CACHE_HOME, then HOME") {
  ::setenv("HECTIC_CACHE_DIR", "/c", 1);
  CHECK(env::cache_dir() == "/c");
  ::unsetenv("HECTIC_CACHE_DIR");
  ::setenv("XDG_CACHE_HOME", "/x", 1);
  CHECK(env::cache_dir() == "/x/hectic");
  ::unsetenv("XDG_CACHE_HOME");
  ::setenv("HOME", "/h", 1);
  CHECK(env::cache_dir() == "/h/.cache/hectic");
}
