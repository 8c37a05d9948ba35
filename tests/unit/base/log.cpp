#include <catch2/catch.hpp>

#include "common/base/error.hpp"
#include "common/base/log.hpp"

using hectic::log::Level;
using hectic::log::LevelSpec;

TEST_CASE("a bare level sets the default") {
  auto spec = LevelSpec::parse("debug");
  CHECK(spec.default_level == Level::debug);
  CHECK(spec.level_for("anything") == Level::debug);
}

TEST_CASE("namespaces override the default and cover their sub-namespaces") {
  auto spec = LevelSpec::parse("notice;db deploy=debug;migrator=trace; db = warn");
  CHECK(spec.default_level == Level::notice);
  CHECK(spec.level_for("db deploy") == Level::debug);
  CHECK(spec.level_for("db deploy sub") == Level::debug);
  CHECK(spec.level_for("db hydrate") == Level::warn);
  CHECK(spec.level_for("dbx") == Level::notice);
  CHECK(spec.level_for("migrator") == Level::trace);
  CHECK(spec.level_for("postgres-init") == Level::notice);
}

TEST_CASE("an empty spec keeps info") {
  CHECK(LevelSpec::parse("").default_level == Level::info);
  CHECK(LevelSpec::parse(" ; ").default_level == Level::info);
}

TEST_CASE("an invalid spec names the bad token and is exit 3") {
  for (const char* bad : {"loud", "info;db=", "=debug", "info;warn", "db deploy=verbose"}) {
    INFO(bad);
    try {
      LevelSpec::parse(bad);
      FAIL("accepted " << bad);
    } catch (const hectic::Error& e) {
      CHECK(e.code() == hectic::ExitCode::missing_argument);
      CHECK_THAT(e.what(), Catch::Contains("invalid HECTIC_LOG token"));
    }
  }
  try {
    LevelSpec::parse("info;db deploy=verbose");
  } catch (const hectic::Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("'db deploy=verbose'"));
  }
}
