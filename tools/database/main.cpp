// database: the developer's day-to-day tool over one PostgreSQL cluster (README "database").
// Describes the app, registers the global options and the subcommands (each cmd_<name>.cpp
// registers one), then cli::run_main.
#include <iostream>

#include "common/base/cli.hpp"
#include "common/base/error.hpp"
#include "common/base/interrupt.hpp"
#include "common/cluster/spares.hpp"
#include "tools/database/commands.hpp"

namespace hectic::tools::database {
namespace {

void describe(CLI::App& app) {
  cli::add_standard_flags(app, "database");
  app.footer(R"EX(Examples:
  database deploy                 # fresh cluster, hydrate from db/src, load test-data.sql
  database deploy --reuse         # restart the cluster keeping its data
  database check                  # the same in a throw-away cluster, removed afterwards
  database test                   # run db/test/test.sql (pgTAP)
  database log list               # server logs
  database diff                   # production backup + migrations vs current sources
  database diff --generate add-x  # write that drift as the next migration, proved
  database status                 # the project's cluster: running?, URL, size, version
  database -u "$DB_URL" migrator migrate up all

Environment: LOCAL_DIR, DATABASE_DIR, DATABASE_SOURCE, HYDRATE_ENTRYPOINT, MIGRATION_DIR,
PATCH_SQL, PG_WORKING_DIR, PG_DATABASE, DB_URL/PGURL, HECTIC_DOTENV_FILE/CONTENT, ENVIRONMENT,
STAGING_*, HYDRATE_LOG, PATCH_LOG, PG_LOG_PATH, PAGER, EDITOR, HECTIC_LOG (see README).

Exit codes: 0 ok, 1 error (also no subcommand: this help on stderr), 2 ambiguous arguments,
busy socket or server could not start, 3 missing argument, variable or database URL, 4 a
migration failed, 5 an --inherits table is missing, 9 unknown argument, 13 unexpected state,
127 missing program, 130 interrupted.)EX");
  app.require_subcommand(0, 1); // a second one is an extra: cli::run_main calls it ambiguous (exit 2)
  app.fallthrough();
}

void register_globals(CLI::App& app, Globals& globals) {
  app.add_option("-u,--url", globals.url, "connection URL (default: DB_URL, then PGURL, then the project's cluster)");
  app.add_option("-i,--inherits", globals.inherits,
                 "a table that must exist in the target database (repeatable; else exit 5)");
}

void register_subcommands(CLI::App& app, Globals& globals, const MigratorArgs& migrator_args, Action& action) {
  register_deploy(app, globals, action);
  register_init(app, globals, action);
  register_hydrate(app, globals, action);
  register_patch(app, globals, action);
  register_test(app, globals, action);
  register_check(app, globals, action);
  register_cleanup(app, globals, action);
  register_log(app, globals, action);
  register_pull_staging(app, globals, action);
  register_migrator(app, globals, migrator_args, action);
  register_backup(app, globals, action);
  register_restore(app, globals, action);
  register_normalize_backup(app, globals, action);
  register_diff(app, globals, action);
  register_secrets(app, globals, action);
  register_status(app, globals, action);
}

// argv for CLI11, and the words it must not see.
struct CommandLine {
  std::vector<char*> argv;
  MigratorArgs migrator_args;
};

// `database [-u URL] [-i TABLE] migrator ARGS...`: everything after `migrator` is migrator's,
// options included, so it is split off before CLI11 sees it.
CommandLine split_migrator_call(int argc, char** argv) {
  CommandLine line{{argv, argv + argc}, std::nullopt};
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if ((word == "-u" || word == "--url" || word == "-i" || word == "--inherits") && i + 1 < argc) {
      ++i;
      continue;
    }
    if (word.rfind("--url=", 0) == 0 || word.rfind("--inherits=", 0) == 0) continue;
    if (word != "migrator") break;
    line.migrator_args = std::vector<std::string>(argv + i + 1, argv + argc);
    line.argv.resize(static_cast<std::size_t>(i) + 1);
    break;
  }
  return line;
}

// The selected subcommand's action; none selected: the help of the innermost selected group
// (`database`, `database secrets`) on stderr, exit 1 (README "database").
int dispatch(const CLI::App& app, const Action& action) {
  if (!action) {
    const CLI::App* group = &app;
    while (!group->get_subcommands().empty()) group = group->get_subcommands().front();
    std::cerr << group->help();
    return exit_status(ExitCode::generic);
  }
  return action();
}

} // namespace
} // namespace hectic::tools::database

int main(int argc, char** argv) {
  // The background spare filler is this binary exec'd again (common/cluster/spares.hpp).
  if (auto code = hectic::cluster::spares::filler_entry(argc, argv)) return *code;
  using namespace hectic;
  using namespace hectic::tools::database;
  interrupt::install();
  CLI::App app{"database: build, fill, check and compare the development PostgreSQL database", "database"};
  describe(app);
  Globals globals;
  register_globals(app, globals);
  auto line = split_migrator_call(argc, argv);
  Action action;
  register_subcommands(app, globals, line.migrator_args, action);
  return cli::run_main(app, static_cast<int>(line.argv.size()), line.argv.data(), {"database"},
                       [&] { return dispatch(app, action); });
}
