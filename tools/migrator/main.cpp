// migrator: versioned SQL migrations for PostgreSQL (README "migrator"). Registers the global
// options and the subcommands (each cmd_<name>.cpp registers one), then cli::run_main.
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "common/base/cli.hpp"
#include "common/base/error.hpp"
#include "common/base/interrupt.hpp"
#include "common/base/log.hpp"
#include "tools/migrator/commands.hpp"

namespace hectic::tools::migrator {
namespace {

constexpr const char* k_help = R"(migrator — versioned SQL migrations for PostgreSQL

Usage: migrator [OPTIONS] COMMAND [ARGS]   (options may also follow the command)

Commands:
  init [--dry-run]            apply the hectic bundle (schema hectic, hectic.migration, run log)
                                migrator -u "$DB_URL" init
                                migrator init --dry-run > hectic.sql      # no database needed
  migrate up [N|all|latest|head]
                              apply the next N pending migrations (default 1)
                                migrator migrate up all
  migrate down [N|all]        revert the last N applied migrations (default 1)
                                migrator migrate down 2
  migrate to NAME|latest|head|last
                              go forward or backward to a migration
                                migrator migrate to 20260101120000-add-users
  create [-n|--name NAME] [--from-diff --to SOURCES [--allow-drop]]
                              new MIGRATION_DIR/<UTC timestamp>-<name>/{up,down}.sql;
                              --from-diff: written by the schema engine (empty database +
                              migrations -> SOURCES) and proved by migrate up and down
                                migrator create --name 'add users'
                                migrator create --name add-due --from-diff --to db/src
  list [--raw]                migration names in order (notes for incomplete ones)
                                migrator list --raw
  status [--json] [--exit-code]
                              applied, pending and drifted migrations (alias: fetch);
                              --exit-code: exit 1 when any is pending or drifted (CI gate)
                                migrator status --json
  plan [--output-json FILE] [--output-human FILE]
                              pending migrations + a fingerprint of the database schema
                                migrator plan --output-json plan.json --output-human plan.txt
  plan --file SCHEMA [--output-json FILE] [--output-human FILE] [--output-sql FILE] [--allow-drop]
                              the diff from the database to a desired-state schema file
                                migrator plan --file schema.sql --output-json plan.json
  apply --plan FILE [--auto-approve]
                              apply a reviewed plan; refuses if the database or files changed
                                migrator apply --plan plan.json --auto-approve
  apply --file SCHEMA [--auto-approve] [--allow-drop]
                              plan, confirm and apply a desired-state schema file
                                migrator apply --file schema.sql
  mark-applied NAME           record NAME as applied without running it (loudly)
                                migrator mark-applied 20260101120000-add-users
  log [-n N] [--json]         the latest migrate/apply runs (CI build id, status, timing)
                                migrator log -n 5
  diff --from A --to B [--apply] [--allow-drop] [--online] [--rename-before-drop]
                              the ALTER script that makes A (a URL) equal to B (URL, .sql,
                              directory with entrypoint.sql, or migration directory)
                                migrator diff --from "$DB_URL" --to schema.sql --output sync.sql
  diff --env FILE [--source-schema S --target-schema T] [--apply]
                              sync TARGET_DB_* to SOURCE_DB_* (dotenv), renaming aside
                                migrator diff --env sync.env --dry-run
  watch --store DIR|s3://BUCKET/PREFIX [--interval 1m] [--once] [--allow-drop] [--on-... CMD]
                              apply the newest <prefix>/<version>/schema.sql from a store
                              (declaratively, as diff --apply), then mark it completed
                                migrator watch --store s3://schemas/app --interval 30s
                                migrator watch --store /srv/schemas --once      # cron, CI
  help                        this text

Options:
  -u, --db-url URL            database (else DB_URL)
  -d, --migration-dir DIR     migrations (else MIGRATION_DIR, else ./migration)
  -v, --set NAME=VALUE        psql variable for the migration scripts (repeatable)
  -f, --force                 proceed past a history mismatch or a changed applied file
  --single-transaction        apply the whole batch in one transaction
  --lock-timeout INTERVAL     session lock_timeout (e.g. 5s); lock timeouts are retried
  --statement-timeout INTERVAL
                              session statement_timeout (e.g. 10min)
  --lock-wait INTERVAL        how long to wait for another migrator's lock (default 60s)
  --inherits TABLE            deprecated, ignored
  --targets FILE              run init, migrate, status, plan [--file] or apply --file on
                              every database of FILE (`NAME URL` or a URL per line,
                              # comments), then a table
                                migrator --targets targets.txt --jobs 8 migrate up all
                                migrator --targets targets.txt apply --file schema.sql --auto-approve
  --jobs N                    with --targets: at most N databases at once (default 4)
  --fail-fast                 with --targets: start no database after the first failure
  --shard I/N                 with --targets: only targets I, I+N, ... (1-based; CI matrix)
                                migrator --targets targets.txt --shard 2/4 migrate up all
  --json                      with --targets: the summary as JSON instead of the table
  -V, --version               print the version
  -h, --help                  this text (COMMAND --help: that command)

Migrations: MIGRATION_DIR/YYYYMMDDHHMMSS-description/ with up.sql and down.sql (or
up/entrypoint.sql and down/entrypoint.sql). Each runs in one transaction with its
hectic.migration row; a file whose first line is `-- migrator: no-transaction` runs statement
by statement in autocommit (CREATE INDEX CONCURRENTLY).

Exit codes: 0 ok, 1 error, 2 history/fingerprint mismatch or ambiguous arguments, 3 missing
argument or DB_URL, 4 migration failed (rolled back), 9 unknown argument, 13 bundle version
mismatch, 130 interrupted. With --targets: 0 when every target succeeded, else the code all
failed targets share, or 1.
)";

void register_globals(CLI::App& app, Globals& globals) {
  app.fallthrough(); // options may follow the subcommand
  app.add_option("-u,--db-url", globals.url)->envname("DB_URL");
  app.add_option("-d,--migration-dir", globals.migration_dir)->envname("MIGRATION_DIR");
  app.add_option("--inherits", globals.inherits)->allow_extra_args(false);
  app.add_option("-v,--set", globals.sets)->allow_extra_args(false);
  app.add_flag("-f,--force", globals.force);
  app.add_flag("--single-transaction", globals.single_transaction);
  app.add_option("--lock-timeout", globals.lock_timeout);
  app.add_option("--statement-timeout", globals.statement_timeout);
  app.add_option("--lock-wait", globals.lock_wait);
  app.add_option("--targets", globals.targets);
  app.add_option("--jobs", globals.jobs);
  app.add_flag("--fail-fast", globals.fail_fast);
  app.add_option("--shard", globals.shard);
  app.add_flag("--json", globals.json);
  cli::add_standard_flags(app, "migrator");
}

void register_subcommands(CLI::App& app, const Globals& globals, Action& action) {
  register_init(app, globals, action);
  register_migrate(app, globals, action);
  register_create(app, globals, action);
  register_list(app, globals, action);
  register_status(app, globals, action);
  register_plan(app, globals, action);
  register_apply(app, globals, action);
  register_mark_applied(app, globals, action);
  register_log(app, globals, action);
  register_diff(app, globals, action);
  register_watch(app, globals, action);
}

// Unknown arguments are collected (not a CLI11 error) so that cli::run_main names them as the
// shell migrator does; subcommands fall through to the app, so the app's list has them all.
void collect_unknown_arguments(CLI::App& app) { app.allow_extras(); }

// `migrator --help` is k_help; a subcommand keeps CLI11's help (it was created with the default
// formatter before this one replaces the app's).
void use_top_level_help(CLI::App& app) {
  app.formatter_fn([](const CLI::App*, std::string, CLI::AppFormatMode) { return std::string(k_help); });
}

// The interval options, checked here: CLI11 2.1 does not run the validators of an app's own
// options once a subcommand took over (the values reached the server unchecked).
void check_intervals(const Globals& globals) {
  const std::pair<const char*, const std::string*> options[] = {{"--lock-timeout", &globals.lock_timeout},
                                                                  {"--statement-timeout", &globals.statement_timeout},
                                                                  {"--lock-wait", &globals.lock_wait}};
  for (const auto& [name, value] : options) {
    std::string text = *value;
    if (text.empty()) continue;
    if (auto problem = cli::duration()(text); !problem.empty())
      throw Error(ExitCode::unknown_argument, fmt::format("{}: {}", name, problem), {"see migrator --help"});
  }
}

// The options of many targets: --jobs, --fail-fast, --shard and a global --json mean nothing
// without --targets; --targets only applies to the subcommands that run per database.
void check_targets(const Globals& globals, const std::vector<CLI::App*>& selected) {
  if (globals.targets.empty()) {
    const std::pair<const char*, bool> options[] = {{"--jobs", !globals.jobs.empty()},
                                                    {"--fail-fast", globals.fail_fast},
                                                    {"--shard", !globals.shard.empty()},
                                                    {"--json", globals.json}};
    for (const auto& [name, given] : options)
      if (given)
        throw Error(ExitCode::missing_argument, fmt::format("{} needs --targets FILE", name),
                    {std::string(name) == "--json"
                         ? "without --targets, give --json after the subcommand: migrator status --json"
                         : "migrator --targets targets.txt --jobs 8 migrate up all"});
    return;
  }
  // Checked here, before any work: exit 9 naming the value (see check_intervals).
  if (!globals.shard.empty()) migrate::fleet::parse_shard(globals.shard);
  if (!globals.jobs.empty()) jobs_of(globals);
  if (selected.size() == 1 && !takes_targets(selected[0]->get_name()))
    throw Error(ExitCode::unknown_argument,
                fmt::format("--targets does not apply to {}", selected[0]->get_name()),
                {"--targets runs init, migrate, status, plan and apply --file on each database of the file"});
}

// After parsing: no subcommand at all is the help, else the selected subcommand's action.
int dispatch(const CLI::App& app, const Globals& globals, const Action& action) {
  check_intervals(globals);
  auto selected = app.get_subcommands();
  check_targets(globals, selected);
  // Not require_subcommand(0, 1): that would make `migrate up down` read `down` as up's N.
  if (selected.size() > 1)
    throw Error(ExitCode::ambiguous, fmt::format("ambiguous subcommand: decide {} or {}", selected[0]->get_name(),
                                                 selected[1]->get_name()));
  if (selected.empty()) {
    std::cout << k_help;
    return 0;
  }
  if (!globals.inherits.empty())
    log::Logger("migrator").warn("--inherits is deprecated and ignored ({})",
                                 fmt::join(globals.inherits, ", "));
  if (!action) throw Error(ExitCode::internal, "no handler for the selected subcommand");
  return action();
}

} // namespace
} // namespace hectic::tools::migrator

int main(int argc, char** argv) {
  using namespace hectic;
  using namespace hectic::tools::migrator;
  interrupt::install();
  CLI::App app{"migrator"};
  Globals globals;
  Action action;
  register_globals(app, globals);
  register_subcommands(app, globals, action);
  collect_unknown_arguments(app);
  use_top_level_help(app);
  return cli::run_main(app, argc, argv, {"migrator"}, [&] { return dispatch(app, globals, action); });
}
