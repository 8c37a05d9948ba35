// migrator: versioned SQL migrations for PostgreSQL (SPEC "migrator"). Registers the
// subcommands, parses, dispatches, and turns errors into exit codes.
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "common/cli.hpp"
#include "common/error.hpp"
#include "common/interrupt.hpp"
#include "common/log.hpp"
#include "tools/migrator/commands.hpp"

namespace {

using namespace hectic;
using namespace hectic::migrator;

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
  create [-n|--name NAME]     new MIGRATION_DIR/<UTC timestamp>-<name>/{up,down}.sql
                                migrator create --name 'add users'
  list [--raw]                migration names in order (notes for incomplete ones)
                                migrator list --raw
  status [--json]             applied, pending and drifted migrations (alias: fetch)
                                migrator status --json
  plan [--output-json FILE] [--output-human FILE]
                              pending migrations + a fingerprint of the database schema
                                migrator plan --output-json plan.json --output-human plan.txt
  apply --plan FILE [--auto-approve]
                              apply a reviewed plan; refuses if the database or files changed
                                migrator apply --plan plan.json --auto-approve
  mark-applied NAME           record NAME as applied without running it (loudly)
                                migrator mark-applied 20260101120000-add-users
  log [-n N] [--json]         the latest migrate/apply runs (CI build id, status, timing)
                                migrator log -n 5
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
  -V, --version               print the version
  -h, --help                  this text (COMMAND --help: that command)

Migrations: MIGRATION_DIR/YYYYMMDDHHMMSS-description/ with up.sql and down.sql (or
up/entrypoint.sql and down/entrypoint.sql). Each runs in one transaction with its
hectic.migration row; a file whose first line is `-- migrator: no-transaction` runs statement
by statement in autocommit (CREATE INDEX CONCURRENTLY).

Exit codes: 0 ok, 1 error, 2 history/fingerprint mismatch or ambiguous arguments, 3 missing
argument or DB_URL, 4 migration failed (rolled back), 9 unknown argument, 13 bundle version
mismatch, 130 interrupted.
)";

// "The following argument was not expected: frob" -> "frob".
std::string after_colon(const std::string& text) {
  auto colon = text.find(": ");
  return colon == std::string::npos ? text : text.substr(colon + 2);
}

int fail_with(ExitCode code, const std::string& message, std::vector<std::string> hints = {}) {
  log::report_error(message, hints);
  return exit_status(code);
}

} // namespace

int main(int argc, char** argv) {
  try {
    log::init("migrator");
  } catch (const Error& e) {
    return fail_with(e.code(), e.what(), e.hints());
  }
  if (argc <= 1) {
    std::cout << k_help;
    return 0;
  }
  interrupt::install();

  CLI::App app{"migrator"};
  app.fallthrough(); // options may follow the subcommand
  Globals globals;
  bool version = false;
  app.add_option("-u,--db-url", globals.url)->envname("DB_URL");
  app.add_option("-d,--migration-dir", globals.migration_dir)->envname("MIGRATION_DIR");
  app.add_option("--inherits", globals.inherits)->allow_extra_args(false);
  app.add_option("-v,--set", globals.sets)->allow_extra_args(false);
  app.add_flag("-f,--force", globals.force);
  app.add_flag("--single-transaction", globals.single_transaction);
  app.add_option("--lock-timeout", globals.lock_timeout);
  app.add_option("--statement-timeout", globals.statement_timeout);
  app.add_option("--lock-wait", globals.lock_wait);
  app.add_flag("-V,--version", version);

  auto* help = app.add_subcommand("help", "show the help");

  InitOptions init;
  auto* init_cmd = app.add_subcommand("init", "apply the hectic bundle");
  init_cmd->add_flag("--dry-run", init.dry_run, "print the bundle SQL, touch no database");
  init_cmd->footer("Example: migrator -u \"$DB_URL\" init");

  MigrateOptions migrate_options;
  auto* migrate_cmd = app.add_subcommand("migrate", "apply or revert migrations");
  migrate_cmd->footer("Examples: migrator migrate up all | migrate down 2 | migrate to NAME");
  std::string up_arg, down_arg, to_arg;
  auto* up = migrate_cmd->add_subcommand("up", "apply N pending migrations (default 1)");
  up->add_option("N", up_arg, "a number, all, latest or head");
  auto* down = migrate_cmd->add_subcommand("down", "revert N applied migrations (default 1)");
  down->add_option("N", down_arg, "a number or all");
  auto* to = migrate_cmd->add_subcommand("to", "go to a migration, forward or backward");
  to->add_option("NAME", to_arg, "a migration name, latest, head or last");

  CreateOptions create;
  auto* create_cmd = app.add_subcommand("create", "create a migration directory");
  create_cmd->add_option("-n,--name", create.name, "description (default: a random word)");
  create_cmd->footer("Example: migrator create --name 'add users'");

  ListOptions list;
  auto* list_cmd = app.add_subcommand("list", "list the migrations in order");
  list_cmd->add_flag("--raw", list.raw, "names only");
  list_cmd->footer("Example: migrator list --raw");

  StatusOptions status;
  auto* status_cmd = app.add_subcommand("status", "applied, pending and drifted migrations");
  status_cmd->alias("fetch");
  status_cmd->add_flag("--json", status.json, "machine-readable output");
  status_cmd->footer("Example: migrator status --json");

  PlanOptions plan;
  auto* plan_cmd = app.add_subcommand("plan", "write a reviewable plan");
  plan_cmd->add_option("--output-json", plan.output_json, "write the plan as JSON");
  plan_cmd->add_option("--output-human", plan.output_human, "write the plan as text");
  plan_cmd->footer("Example: migrator plan --output-json plan.json --output-human plan.txt");

  ApplyOptions apply;
  auto* apply_cmd = app.add_subcommand("apply", "apply a reviewed plan");
  apply_cmd->add_option("--plan", apply.plan, "the JSON written by plan")->required();
  apply_cmd->add_flag("--auto-approve", apply.auto_approve, "do not ask for confirmation");
  apply_cmd->footer("Example: migrator apply --plan plan.json --auto-approve");

  MarkAppliedOptions mark;
  auto* mark_cmd = app.add_subcommand("mark-applied", "record a migration without running it");
  mark_cmd->add_option("NAME", mark.name, "the migration")->required();
  mark_cmd->footer("Example: migrator mark-applied 20260101120000-add-users");

  LogOptions log_options;
  auto* log_cmd = app.add_subcommand("log", "the latest migrate/apply runs");
  log_cmd->add_option("-n,--limit", log_options.limit, "how many runs (default 20)");
  log_cmd->add_flag("--json", log_options.json, "machine-readable output");
  log_cmd->footer("Example: migrator log -n 5");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    if (app.get_subcommands().empty())
      std::cout << k_help;
    else
      std::cout << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << k_help;
    return 0;
  } catch (const CLI::ExtrasError& e) {
    return fail_with(ExitCode::unknown_argument,
                     fmt::format("unknown argument or subcommand: {}", after_colon(e.what())),
                     {"run `migrator --help` for the commands and options"});
  } catch (const CLI::RequiredError& e) {
    return fail_with(ExitCode::missing_argument, fmt::format("missing argument: {}", e.what()));
  } catch (const CLI::ArgumentMismatch& e) {
    return fail_with(ExitCode::missing_argument, fmt::format("missing value: {}", e.what()));
  } catch (const CLI::ParseError& e) {
    return fail_with(ExitCode::generic, fmt::format("invalid arguments: {}", e.what()),
                     {"run `migrator --help` for the commands and options"});
  }

  if (version) {
    std::cout << "migrator version " << HECTIC_VERSION << '\n';
    return 0;
  }
  auto selected = app.get_subcommands();
  if (selected.size() > 1)
    return fail_with(ExitCode::ambiguous,
                     fmt::format("ambiguous subcommand: decide {} or {}", selected[0]->get_name(),
                                 selected[1]->get_name()));
  if (selected.empty() || selected[0] == help) {
    std::cout << k_help;
    return 0;
  }
  if (!globals.inherits.empty())
    log::Logger("migrator").warn("--inherits is deprecated and ignored ({})",
                                 fmt::join(globals.inherits, ", "));

  return cli::guarded([&] {
    auto* command = selected[0];
    if (command == init_cmd) return run_init(globals, init);
    if (command == migrate_cmd) {
      auto directions = migrate_cmd->get_subcommands();
      if (directions.size() > 1)
        return fail_with(ExitCode::ambiguous,
                         fmt::format("ambiguous migrate subcommand: decide {} or {}",
                                     directions[0]->get_name(), directions[1]->get_name()));
      if (!directions.empty()) {
        auto* d = directions[0];
        migrate_options.verb = d == up ? migrate::Verb::up
                               : d == down ? migrate::Verb::down
                                           : migrate::Verb::to;
        const std::string& arg = d == up ? up_arg : d == down ? down_arg : to_arg;
        if (d->count_all() > 0 && !arg.empty()) migrate_options.argument = arg;
      }
      return run_migrate(globals, migrate_options);
    }
    if (command == create_cmd) return run_create(globals, create);
    if (command == list_cmd) return run_list(globals, list);
    if (command == status_cmd) return run_status(globals, status);
    if (command == plan_cmd) return run_plan(globals, plan);
    if (command == apply_cmd) return run_apply(globals, apply);
    if (command == mark_cmd) return run_mark_applied(globals, mark);
    if (command == log_cmd) return run_log(globals, log_options);
    return fail_with(ExitCode::internal, "no handler for the selected subcommand");
  });
}
