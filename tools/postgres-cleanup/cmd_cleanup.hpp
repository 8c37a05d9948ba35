#pragma once
// postgres-cleanup: stop the server of PG_WORKING_DIR; "nothing to do" is success.
#include <CLI/CLI.hpp>

namespace hectic::tools::postgres_cleanup {

// No options today; kept for the one-struct-per-command shape.
struct Options {};

// The environment and examples shown by --help.
extern const char* const k_help_footer;

void register_options(CLI::App& app, Options& options);
int run(const Options& options);

} // namespace hectic::tools::postgres_cleanup
