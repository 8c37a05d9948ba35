// database: the developer's day-to-day tool over one PostgreSQL cluster (SPEC "database").
#include <algorithm>
#include <chrono>
#include <thread>
#include <iostream>

#include "common/base/cli.hpp"
#include "common/base/error.hpp"
#include "common/base/interrupt.hpp"
#include "common/base/log.hpp"
#include "common/pg/pq.hpp"
#include "common/script/script.hpp"
#include "tools/database/commands.hpp"

namespace {

std::string lowercase_first(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// After SIGINT/SIGTERM the watcher thread runs the cleanups and exits 130; an error that the
// interruption caused (a killed connection) must not win the race and exit 1 first.
int finish(int code) {
  if (hectic::interrupt::requested()) {
    for (int i = 0; i < 1200; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return hectic::exit_status(hectic::ExitCode::interrupted);
  }
  return code;
}

} // namespace

int main(int argc, char** argv) {
  using namespace hectic;
  try {
    log::init("database");
  } catch (const Error& e) {
    log::report_error(e.what(), e.hints());
    return exit_status(e.code());
  }
  interrupt::install();

  CLI::App app{"database: build, fill, check and compare the development PostgreSQL database", "database"};
  app.set_version_flag("--version", std::string("database version ") + HECTIC_VERSION);
  app.footer(R"EX(Examples:
  database deploy                 # fresh cluster, hydrate from db/src, load test-data.sql
  database deploy --reuse         # restart the cluster keeping its data
  database check                  # the same in a throw-away cluster, removed afterwards
  database test                   # run db/test/test.sql (pgTAP)
  database log list               # server logs
  database diff                   # production backup + migrations vs current sources
  database -u "$DB_URL" migrator migrate up all

Environment: LOCAL_DIR, DATABASE_DIR, DATABASE_SOURCE, HYDRATE_ENTRYPOINT, MIGRATION_DIR,
PATCH_SQL, PG_WORKING_DIR, PG_DATABASE, DB_URL/PGURL, HECTIC_DOTENV_FILE/CONTENT, ENVIRONMENT,
STAGING_*, HYDRATE_LOG, PATCH_LOG, PG_LOG_PATH, PAGER, EDITOR, HECTIC_LOG (see README).)EX");
  app.require_subcommand(0, 1); // a second one is an extra: cli::parse calls it ambiguous (exit 2)
  app.fallthrough();

  database::Globals globals;
  app.add_option("-u,--url", globals.url, "connection URL (default: DB_URL, then PGURL)");
  app.add_option("-i,--inherits", globals.inherits,
                 "a table that must exist in the target database (repeatable; else exit 5)");

  database::Action action;
  database::register_deploy(app, globals, action);
  database::register_init(app, globals, action);
  database::register_hydrate(app, globals, action);
  database::register_patch(app, globals, action);
  database::register_test(app, globals, action);
  database::register_check(app, globals, action);
  database::register_cleanup(app, globals, action);
  database::register_log(app, globals, action);
  database::register_pull_staging(app, globals, action);
  database::register_migrator(app, globals, action);
  database::register_backup(app, globals, action);
  database::register_restore(app, globals, action);
  database::register_normalize_backup(app, globals, action);
  database::register_diff(app, globals, action);
  database::register_secrets(app, globals, action);

  if (argc <= 1) {
    std::cerr << app.help();
    return exit_status(ExitCode::generic);
  }
  // `database [-u URL] [-i TABLE] migrator ARGS...`: everything after `migrator` is migrator's,
  // options included, so it is split off before CLI11 sees it.
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if ((word == "-u" || word == "--url" || word == "-i" || word == "--inherits") && i + 1 < argc) {
      ++i;
      continue;
    }
    if (word.rfind("--url=", 0) == 0 || word.rfind("--inherits=", 0) == 0) continue;
    if (word != "migrator") break;
    std::vector<std::string> global_args(argv + 1, argv + i);
    std::vector<std::string> migrator_args(argv + i + 1, argv + argc);
    try {
      std::reverse(global_args.begin(), global_args.end()); // CLI11 parses a reversed vector
      app.parse(global_args);
      // An interrupted migrator (its status 130, or killed by the passed-on signal) is 130 too,
      // once the watcher has run the cleanups.
      return finish(database::run_migrator_command(globals, migrator_args));
    } catch (const CLI::ParseError& e) {
      log::report_error(lowercase_first(e.what()), {"database --help"});
      return exit_status(ExitCode::unknown_argument);
    } catch (const Error& e) {
      int code = finish(exit_status(e.code()));
      log::report_error(e.what(), e.hints());
      return code;
    }
  }
  if (auto code = cli::parse(app, argc, argv)) return *code;
  if (!action) {
    std::cerr << app.help();
    return exit_status(ExitCode::generic);
  }
  try {
    return finish(action());
  } catch (const script::ScriptError& e) {
    int code = finish(exit_status(e.code()));
    log::report_error(e.what(), e.hints());
    return code;
  } catch (const Error& e) {
    int code = finish(exit_status(e.code()));
    log::report_error(e.what(), e.hints());
    return code;
  } catch (const std::exception& e) {
    int code = finish(exit_status(ExitCode::internal));
    log::report_error(e.what());
    return code;
  }
}
