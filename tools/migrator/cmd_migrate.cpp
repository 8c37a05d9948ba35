// `migrator migrate up [N|all|latest|head] | down [N|all] | to NAME|latest|head|last`.
#include <algorithm>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "tools/migrator/commands.hpp"

namespace hectic::tools::migrator {

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

namespace {

struct MigrateOptions {
  std::optional<migrate::Verb> verb;
  std::optional<std::string> argument;
};

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
  if (!globals.targets.empty())
    return run_targets(globals, command, [&](const Globals& target) {
      const auto one = target.to_options(command);
      try {
        migrate::fleet::Outcome outcome;
        outcome.migrations = migrate::migrate(one, *options.verb, options.argument).applied;
        return outcome;
      } catch (const Error& e) {
        return migrate::fleet::failed(e, migrate::fleet::last_failed_run_migrations(one));
      }
    });
  migrate::migrate(globals.to_options(command), *options.verb, options.argument);
  return 0;
}

// The up/down/to positionals; shared so the storage CLI11 binds outlives register_migrate.
struct MigrateArgs {
  std::string up, down, to;
};

// up/down's N: a whole number or one of words; else exit 9 naming the value.
CLI::Validator steps(std::vector<std::string> words) {
  return CLI::Validator(
      [words](std::string& value) -> std::string {
        bool number = !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
        if (number || std::find(words.begin(), words.end(), value) != words.end()) return {};
        return fmt::format("expected a number or {}, got '{}'", fmt::join(words, ", "), value);
      },
      "N");
}

} // namespace

void register_migrate(CLI::App& app, const Globals& globals, Action& action) {
  auto args = std::make_shared<MigrateArgs>();
  auto* sub = app.add_subcommand("migrate", "apply or revert migrations");
  sub->footer("Examples: migrator migrate up all | migrate down 2 | migrate to NAME");
  auto* up = sub->add_subcommand("up", "apply N pending migrations (default 1)");
  up->add_option("N", args->up, "a number, all, latest or head")->check(steps({"all", "latest", "head"}));
  auto* down = sub->add_subcommand("down", "revert N applied migrations (default 1)");
  down->add_option("N", args->down, "a number or all")->check(steps({"all"}));
  auto* to = sub->add_subcommand("to", "go to a migration, forward or backward");
  to->add_option("NAME", args->to, "a migration name, latest, head or last")->required();
  sub->callback([&globals, &action, args, sub, up, down] {
    action = [&globals, args, sub, up, down] {
      MigrateOptions options;
      auto directions = sub->get_subcommands();
      if (directions.size() > 1)
        throw Error(ExitCode::ambiguous,
                    fmt::format("ambiguous migrate subcommand: decide {} or {}",
                                directions[0]->get_name(), directions[1]->get_name()));
      if (!directions.empty()) {
        auto* d = directions[0];
        options.verb = d == up ? migrate::Verb::up
                       : d == down ? migrate::Verb::down
                                   : migrate::Verb::to;
        const std::string& arg = d == up ? args->up : d == down ? args->down : args->to;
        if (d->count_all() > 0 && !arg.empty()) options.argument = arg;
      }
      return run_migrate(globals, options);
    };
  });
}

} // namespace hectic::tools::migrator
