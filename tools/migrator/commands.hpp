#pragma once
// The `migrator` subcommands: each cmd_<name>.cpp registers one subcommand on the CLI11 app;
// when it is selected, its callback stores the action main() runs.
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/migrate/fleet.hpp"
#include "common/migrate/migrate.hpp"
#include "common/schema/desired.hpp"

namespace hectic::tools::migrator {

// Options accepted anywhere on the command line (before or after the subcommand).
struct Globals {
  std::string url;                       // -u/--db-url, else DB_URL
  std::string migration_dir = "migration"; // -d/--migration-dir, else MIGRATION_DIR
  std::vector<std::string> inherits;     // deprecated, ignored
  std::vector<std::string> sets;         // -v/--set NAME=VALUE
  bool force = false;
  bool single_transaction = false;
  std::string lock_timeout;
  std::string statement_timeout;
  std::string lock_wait = "60s";
  // Many targets (README "Many databases"): --targets FILE runs the command on each.
  std::string targets;   // --targets FILE
  std::string jobs;      // --jobs N (1 to 256; default 4), checked by main.cpp
  bool fail_fast = false;
  std::string shard;     // --shard I/N
  bool json = false;     // --json: the summary of --targets as JSON

  // The library options; throws Error(generic) for a -v without NAME=.
  migrate::Options to_options(const std::string& command) const;
};

// --schema, --exclude-schema, --no-privileges (diff, plan --file, apply --file).
struct FilterOptions {
  schema::Filter filter;
  bool no_privileges = false;
  schema::Filter resolved() const;
};
void add_filter_options(CLI::App* sub, FilterOptions& options);

// The desired-state options of `plan --file` and `apply --file` (cmd_plan.cpp).
struct SchemaFileOptions {
  std::string file;
  bool allow_drop = false;
  bool rename_before_drop = false;
  bool online = false;
  bool hook = false;
  FilterOptions filter;
  schema::DesiredRequest request(const Globals& globals) const;
};
void add_schema_file_options(CLI::App* sub, SchemaFileOptions& options);

// What main() runs after parsing: returns the exit status.
using Action = std::function<int()>;

// One target of --targets: runs the command with target's Globals (its URL in place of
// -u/DB_URL); an Error thrown is that target's failure.
using TargetAction = std::function<migrate::fleet::Outcome(const Globals& target)>;

// The subcommands that take --targets (main.cpp refuses it for the others).
bool takes_targets(const std::string& subcommand);

// --jobs N: 1 to 256, default 4. Throws Error(unknown_argument) naming another value.
std::size_t jobs_of(const Globals& globals);

// The targets of --targets after --shard. Throws Error(generic) for a bad targets file.
std::vector<migrate::fleet::Target> selected_targets(const Globals& globals);

// Runs action on each target of --targets (after --shard) on --jobs threads, then prints the
// table (or, with --json or json, the JSON) on stdout; returns the exit status (fleet::exit_code).
// A subcommand plugs in with: if (!globals.targets.empty()) return run_targets(globals, "cmd", action);
int run_targets(const Globals& globals, const std::string& command, const TargetAction& action, bool json = false);
// The same on targets selected before (a command that prepares something for all of them first).
int run_targets(const Globals& globals, const std::string& command, const std::vector<migrate::fleet::Target>& targets,
                const TargetAction& action, bool json = false);

// plan --file / apply --file with --targets: the file loaded once for every target, after the
// roles of all of them are created beside it (cmd_plan.cpp).
schema::DesiredState load_desired_for(const Globals& globals, const schema::DesiredRequest& request,
                                      const std::vector<migrate::fleet::Target>& targets);

void register_init(CLI::App& app, const Globals& globals, Action& action);
void register_migrate(CLI::App& app, const Globals& globals, Action& action);
void register_create(CLI::App& app, const Globals& globals, Action& action);
void register_list(CLI::App& app, const Globals& globals, Action& action);
void register_status(CLI::App& app, const Globals& globals, Action& action);
void register_plan(CLI::App& app, const Globals& globals, Action& action);
void register_apply(CLI::App& app, const Globals& globals, Action& action);
void register_mark_applied(CLI::App& app, const Globals& globals, Action& action);
void register_log(CLI::App& app, const Globals& globals, Action& action);
void register_diff(CLI::App& app, const Globals& globals, Action& action);
void register_watch(CLI::App& app, const Globals& globals, Action& action);

} // namespace hectic::tools::migrator
