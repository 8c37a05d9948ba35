#pragma once
// The subcommands of `migrator`: one options struct and one run() per subcommand
// (cmd_<name>.cpp); main.cpp registers them on the CLI11 app and dispatches.
#include <optional>
#include <string>
#include <vector>

#include "common/migrate.hpp"

namespace hectic::migrator {

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

  // The library options; throws Error(generic) for a -v without NAME=.
  migrate::Options to_options(const std::string& command) const;
};

struct InitOptions {
  bool dry_run = false;
};
int run_init(const Globals& globals, const InitOptions& options);

struct MigrateOptions {
  std::optional<migrate::Verb> verb;
  std::optional<std::string> argument;
};
int run_migrate(const Globals& globals, const MigrateOptions& options);

struct CreateOptions {
  std::string name;
};
int run_create(const Globals& globals, const CreateOptions& options);

struct ListOptions {
  bool raw = false;
};
int run_list(const Globals& globals, const ListOptions& options);

struct StatusOptions {
  bool json = false;
};
int run_status(const Globals& globals, const StatusOptions& options);

struct PlanOptions {
  std::string output_json;
  std::string output_human;
};
int run_plan(const Globals& globals, const PlanOptions& options);

struct ApplyOptions {
  std::string plan;
  bool auto_approve = false;
};
int run_apply(const Globals& globals, const ApplyOptions& options);

struct MarkAppliedOptions {
  std::string name;
};
int run_mark_applied(const Globals& globals, const MarkAppliedOptions& options);

struct LogOptions {
  int limit = 20;
  bool json = false;
};
int run_log(const Globals& globals, const LogOptions& options);

} // namespace hectic::migrator
