// `migrator migrate up [N|all|latest|head] | down [N|all] | to NAME|latest|head|last`.
#include <fmt/format.h>

#include "common/error.hpp"
#include "tools/migrator/commands.hpp"

namespace hectic::migrator {

migrate::Options Globals::to_options(const std::string& command) const {
  migrate::Options out;
  out.url = url;
  out.migration_dir = migration_dir;
  for (const auto& set : sets) {
    auto eq = set.find('=');
    if (eq == std::string::npos || eq == 0)
      throw Error(ExitCode::generic, fmt::format("invalid -v/--set value '{}': expected NAME=VALUE", set));
    out.variables[set.substr(0, eq)] = set.substr(eq + 1);
  }
  out.force = force;
  out.single_transaction = single_transaction;
  if (!lock_timeout.empty()) out.lock_timeout = lock_timeout;
  if (!statement_timeout.empty()) out.statement_timeout = statement_timeout;
  if (!lock_wait.empty()) out.lock_wait = lock_wait;
  out.command = command;
  return out;
}

int run_migrate(const Globals& globals, const MigrateOptions& options) {
  if (!options.verb)
    throw Error(ExitCode::missing_argument, "migrate needs a direction: up, down or to",
                {"migrator migrate up [N|all]  |  migrate down [N|all]  |  migrate to NAME"});
  const char* verb = *options.verb == migrate::Verb::up     ? "up"
                     : *options.verb == migrate::Verb::down ? "down"
                                                            : "to";
  std::string command = fmt::format("migrate {}", verb);
  if (options.argument) command += " " + *options.argument;
  if (globals.single_transaction) command += " --single-transaction";
  if (globals.force) command += " --force";
  migrate::migrate(globals.to_options(command), *options.verb, options.argument);
  return 0;
}

} // namespace hectic::migrator
