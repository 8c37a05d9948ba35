// postgres-cleanup: register the options, then cli::run_main (README "postgres-init / postgres-cleanup").
#include <CLI/CLI.hpp>

#include "common/base/cli.hpp"
#include "tools/postgres-cleanup/cmd_cleanup.hpp"

int main(int argc, char** argv) {
  using namespace hectic;
  CLI::App app{"postgres-cleanup: stop the PostgreSQL server of PG_WORKING_DIR (started by "
               "postgres-init) and wait for it"};
  cli::add_standard_flags(app, "postgres-cleanup", false);
  app.footer(tools::postgres_cleanup::k_help_footer);
  tools::postgres_cleanup::Options options;
  tools::postgres_cleanup::register_options(app, options);
  // Lenient: an invalid HECTIC_LOG is a warning here (README: cleanup never fails for it).
  return cli::run_main(app, argc, argv, {"postgres-cleanup", cli::LogCheck::lenient},
                       [&] { return tools::postgres_cleanup::run(options); });
}
