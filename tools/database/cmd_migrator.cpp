// database migrator ARGS...: migrator with this context's MIGRATION_DIR and URL.
#include "common/project/deploy.hpp"
#include "common/project/target.hpp"
#include "tools/database/commands.hpp"

namespace hectic::tools::database {
namespace {

// `database migrator ARGS...`: returns migrator's status.
int run_migrator_command(const Globals& globals, const std::vector<std::string>& args) {
  if (!globals.inherits.empty()) {
    pq::Connection connection(target::resolve_url(globals.url), "database migrator");
    deploy::check_inherits(connection, globals.inherits);
  }
  return deploy::run_migrator(globals.url, args);
}

} // namespace

void register_migrator(CLI::App& app, Globals& globals, const MigratorArgs& args, Action& action) {
  auto* sub = app.add_subcommand("migrator", "run migrator with MIGRATION_DIR and the URL of this context");
  sub->prefix_command();
  sub->set_help_flag(); // --help goes to migrator
  sub->footer(R"EX(Examples:
  database migrator migrate up all
  database migrator status
  database migrator create --name 'add users')EX");
  sub->callback([sub, &globals, &args, &action] {
    action = [sub, &globals, &args] { return run_migrator_command(globals, args ? *args : sub->remaining()); };
  });
}

} // namespace hectic::tools::database
