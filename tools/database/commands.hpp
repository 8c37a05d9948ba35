#pragma once
// The `database` subcommands: each cmd_<name>.cpp registers one subcommand on the CLI11 app;
// when it is selected, its callback stores the action main() runs.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/base/cli.hpp"

namespace hectic::tools::database {

// Global options (-u/--url, -i/--inherits) shared by every subcommand.
struct Globals {
  std::optional<std::string> url;
  std::vector<std::string> inherits;
};

// What main() runs after parsing: returns the exit status.
using Action = cli::Action;

// The words after `migrator`, split off argv by main before CLI11 sees them (options included);
// nullopt when CLI11 parsed that far itself (then they are the subcommand's remaining()).
using MigratorArgs = std::optional<std::vector<std::string>>;

// `database log` and `database diff log`: `list` numbers the files, an index or a (part of a)
// name picks one, empty shows all (through $PAGER on a terminal, back to back when piped).
int show_server_logs(std::vector<std::filesystem::path> files, const std::string& selector);

void register_deploy(CLI::App& app, Globals& globals, Action& action);
void register_init(CLI::App& app, Globals& globals, Action& action);
void register_hydrate(CLI::App& app, Globals& globals, Action& action);
void register_patch(CLI::App& app, Globals& globals, Action& action);
void register_test(CLI::App& app, Globals& globals, Action& action);
void register_check(CLI::App& app, Globals& globals, Action& action);
void register_cleanup(CLI::App& app, Globals& globals, Action& action);
void register_log(CLI::App& app, Globals& globals, Action& action);
void register_pull_staging(CLI::App& app, Globals& globals, Action& action);
void register_migrator(CLI::App& app, Globals& globals, const MigratorArgs& args, Action& action);
void register_backup(CLI::App& app, Globals& globals, Action& action);
void register_restore(CLI::App& app, Globals& globals, Action& action);
void register_normalize_backup(CLI::App& app, Globals& globals, Action& action);
void register_diff(CLI::App& app, Globals& globals, Action& action);
void register_secrets(CLI::App& app, Globals& globals, Action& action);
void register_status(CLI::App& app, Globals& globals, Action& action);

} // namespace hectic::tools::database
