// database migrator ARGS...: migrator with this context's MIGRATION_DIR and URL.
#include "common/project/deploy.hpp"
#include "tools/database/commands.hpp"

namespace hectic::database {

void register_migrator(CLI::App& app, Globals& globals, Action& action) {
  auto* sub = app.add_subcommand("migrator", "run migrator with MIGRATION_DIR and the URL of this context");
  sub->prefix_command();
  sub->set_help_flag(); // --help goes to migrator
  sub->footer(R"EX(Examples:
  database migrator migrate up all
  database migrator status
  database migrator create --name 'add users')EX");
  sub->callback([sub, &globals, &action] {
    action = [sub, &globals] { return run_migrator_command(globals, sub->remaining()); };
  });
}

int run_migrator_command(const Globals& globals, const std::vector<std::string>& args) {
  if (!globals.inherits.empty()) {
    pq::Connection connection(deploy::resolve_url(globals.url), "database migrator");
    deploy::check_inherits(connection, globals.inherits);
  }
  return deploy::run_migrator(globals.url, args);
}

} // namespace hectic::database
