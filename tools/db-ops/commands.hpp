#pragma once
// The `db-ops` subcommands: each cmd_<name>.cpp registers one subcommand on the CLI11 app;
// when it is selected, its callback stores the action main() runs.
#include <functional>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace hectic::tools::db_ops {

// Options accepted before or after the subcommand.
struct Globals {
  std::optional<std::string> url; // -u/--url; else PGURL, else DB_URL
};

// What main() runs after parsing: returns the exit status.
using Action = std::function<int()>;

// `secrets load [-f FILE]`.
void register_secrets(CLI::App& app, Globals& globals, Action& action);

} // namespace hectic::tools::db_ops
