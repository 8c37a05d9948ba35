// db-ops: the operations production pipelines run against a database they do not own
// (README "db-ops"): `db-ops [-u URL] secrets load [-f FILE]`. Registers the global option and
// the subcommands (each cmd_<name>.cpp registers one), then cli::run_main.
#include "common/base/cli.hpp"
#include "common/base/error.hpp"
#include "common/base/interrupt.hpp"
#include "tools/db-ops/commands.hpp"

namespace hectic::tools::db_ops {
namespace {

void describe(CLI::App& app, Globals& globals) {
  cli::add_standard_flags(app, "db-ops");
  app.add_option("-u,--url", globals.url, "connection URL (default: PGURL, then DB_URL)");
  app.footer(R"EX(Examples:
  db-ops -u "$PROD_URL" secrets load -f .env.production
  PGURL=postgresql://app@db/app db-ops secrets load    # dotenv source as for database secrets load

Exit codes: 0 ok, 1 error, 3 missing URL, dotenv source or unreadable -f file, 9 unknown argument.)EX");
  // At most one; none is checked after parsing (run), so that an unknown argument is exit 9.
  app.require_subcommand(0, 1);
  app.fallthrough();
}

// The selected action; `db-ops` or `db-ops secrets` alone is a missing argument (exit 3).
int run(const Action& action) {
  if (!action)
    throw Error(ExitCode::missing_argument, "db-ops needs a command: secrets load", {"see db-ops --help"});
  return action();
}

} // namespace
} // namespace hectic::tools::db_ops

int main(int argc, char** argv) {
  using namespace hectic;
  using namespace hectic::tools::db_ops;
  interrupt::install();
  CLI::App app{"db-ops: database operations for deployment pipelines"};
  Globals globals;
  Action action;
  describe(app, globals);
  register_secrets(app, globals, action);
  return cli::run_main(app, argc, argv, {"db-ops"}, [&] { return run(action); });
}
