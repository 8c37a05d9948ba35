// database pull_staging: staging rows into PATCH_SQL over ssh.
#include "common/base/env.hpp"
#include "common/base/log.hpp"
#include "common/project/staging.hpp"
#include "tools/database/commands.hpp"

namespace hectic::tools::database {

void register_pull_staging(CLI::App& app, Globals&, Action& action) {
  auto* sub = app.add_subcommand("pull_staging", "dump STAGING_DUMP_TABLES from staging (ssh + pg_dump) into PATCH_SQL");
  sub->footer(R"EX(Needs STAGING_SSH_HOST, STAGING_DB_URL, STAGING_DUMP_TABLES, STAGING_DUMP_FLAGS (exit 3 otherwise).
Optional: STAGING_SSH_OPTS (extra ssh arguments), STAGING_PG_DUMP / STAGING_PSQL (remote programs).
Examples:
  STAGING_SSH_HOST=deploy@staging.example.com \
  STAGING_DB_URL=postgresql://app@/app?host=/run/postgresql \
  STAGING_DUMP_TABLES='users orders' STAGING_DUMP_FLAGS='--data-only --column-inserts' \
    database pull_staging
  STAGING_SSH_OPTS='-p 2222 -i ~/.ssh/staging' database pull_staging)EX");
  sub->callback([&action] {
    action = [] {
      auto config = staging::Config::from_env();
      auto target = env::patch_sql();
      auto size = staging::pull(config, target);
      log::Logger("db pull_staging").info("wrote {} ({} bytes)", target.string(), size);
      return 0;
    };
  });
}

} // namespace hectic::tools::database
