#pragma once
// postgres-init: provision (or reuse) the cluster of PG_WORKING_DIR and print its exports.
#include <string>

#include <CLI/CLI.hpp>

namespace hectic::tools::postgres_init {

// Command-line options (everything else comes from the environment, see k_help_footer).
struct Options {
  std::string format = "shell"; // shell: `export NAME='value'` lines; json: one object
};

// The environment and examples shown by --help.
extern const char* const k_help_footer;

void register_options(CLI::App& app, Options& options);
int run(const Options& options);

} // namespace hectic::tools::postgres_init
