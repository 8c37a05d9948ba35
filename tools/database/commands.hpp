#pragma once
// The `database` subcommands: each cmd_<name>.cpp registers one subcommand on the CLI11 app;
// when it is selected, its callback stores the action main() runs.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace hectic::database {

// Global options (-u/--url, -i/--inherits) shared by every subcommand.
struct Globals {
  std::optional<std::string> url;
  std::vector<std::string> inherits;
};

// What main() runs after parsing: returns the exit status.
using Action = std::function<int()>;

void register_deploy(CLI::App& app, Globals& globals, Action& action);
void register_init(CLI::App& app, Globals& globals, Action& action);
void register_hydrate(CLI::App& app, Globals& globals, Action& action);
void register_patch(CLI::App& app, Globals& globals, Action& action);
void register_test(CLI::App& app, Globals& globals, Action& action);
void register_check(CLI::App& app, Globals& globals, Action& action);
void register_cleanup(CLI::App& app, Globals& globals, Action& action);
void register_log(CLI::App& app, Globals& globals, Action& action);
void register_pull_staging(CLI::App& app, Globals& globals, Action& action);
void register_migrator(CLI::App& app, Globals& globals, Action& action);
// `database migrator ARGS...` (split off by main before parsing): returns migrator's status.
int run_migrator_command(const Globals& globals, const std::vector<std::string>& args);
void register_backup(CLI::App& app, Globals& globals, Action& action);
void register_restore(CLI::App& app, Globals& globals, Action& action);
void register_normalize_backup(CLI::App& app, Globals& globals, Action& action);
void register_diff(CLI::App& app, Globals& globals, Action& action);
void register_secrets(CLI::App& app, Globals& globals, Action& action);

} // namespace hectic::database
