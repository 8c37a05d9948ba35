// The compiled-in hectic bundle: order, version templating, the names the README and the shell
// tools' databases rely on.
#include <catch2/catch.hpp>

#include "common/migrate/bundle.hpp"
#include "common/base/fs.hpp"
#include "sql_bundle.hpp"

using namespace hectic;

TEST_CASE("the bundle has its four parts in apply order and the version of sql/HECTIC_VERSION") {
  const auto& parts = sql_bundle::parts();
  REQUIRE(parts.size() == 4);
  CHECK(parts[0].name == "version");
  CHECK(parts[1].name == "secret");
  CHECK(parts[2].name == "migration");
  CHECK(parts[3].name == "inheritance");
  auto file = fs::read_file(std::filesystem::path(HECTIC_SOURCE_DIR) / "sql" / "HECTIC_VERSION");
  while (!file.empty() && (file.back() == '\n' || file.back() == ' ')) file.pop_back();
  CHECK(bundle::version() == file);
  CHECK(bundle::version() == "0.1.0");
  // Templated at build time: no placeholder left, the version is in the SQL.
  CHECK(std::string(parts[0].sql).find('@') == std::string::npos);
  CHECK_THAT(std::string(parts[0].sql), Catch::Contains("'0.1.0'"));
}

TEST_CASE("the bundle creates the objects named by SPEC and the shell bundle 0.1.0") {
  auto sql = bundle::full_sql();
  for (const char* name :
       {"CREATE SCHEMA IF NOT EXISTS hectic", "hectic.version", "hectic.secret",
        "hectic.load_secrets_from_env(env_content text)", "hectic.get_secret(k text)",
        "hectic.migration_name", "hectic.sha256", "hectic_t_sha256_lower", "hectic.migration (",
        "hectic.migration_run", "hectic.created_at", "hectic.updated_at", "hectic.immutable",
        "hectic.set_updated_at()", "hectic.block_immutable_dml()",
        "hectic._is_excluded_schema(p_schema text)", "hectic._table_inherits(p_oid oid, p_parent regclass)",
        "hectic_enforce_created_at_inheritance", "hectic_attach_updated_at_trigger",
        "hectic_attach_immutable_triggers", "hectic_set_updated_at", "hectic_block_immutable_dml",
        "hectic_block_immutable_truncate", "hectic.inheritance_extra_excluded_schemas",
        "hectic.migration_mode"})
    CHECK_THAT(sql, Catch::Contains(name));
  // Parts appear in order in the dry-run text.
  auto at = [&](const char* s) { return sql.find(s); };
  CHECK(at("-- ==== part: version") < at("-- ==== part: secret"));
  CHECK(at("-- ==== part: secret") < at("-- ==== part: migration"));
  CHECK(at("-- ==== part: migration") < at("-- ==== part: inheritance"));
  // Every part is re-runnable: no bare CREATE TABLE / CREATE DOMAIN / CREATE FUNCTION.
  for (const char* bare : {"CREATE TABLE hectic", "CREATE FUNCTION", "CREATE EVENT TRIGGER hectic"})
    CHECK(sql.find(bare) == std::string::npos);
}
