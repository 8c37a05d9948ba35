// postgres-init: register the options, then cli::run_main (README "postgres-init / postgres-cleanup").
#include <CLI/CLI.hpp>

#include "common/base/cli.hpp"
#include "common/base/interrupt.hpp"
#include "common/cluster/spares.hpp"
#include "tools/postgres-init/cmd_init.hpp"

int main(int argc, char** argv) {
  // The background spare filler is this binary exec'd again (common/cluster/spares.hpp).
  if (auto code = hectic::cluster::spares::filler_entry(argc, argv)) return *code;
  using namespace hectic;
  interrupt::install();
  CLI::App app{"postgres-init: create (or reuse) and start the throw-away PostgreSQL cluster of "
               "PG_WORKING_DIR, then print its connection variables for eval"};
  cli::add_standard_flags(app, "postgres-init", false);
  app.footer(tools::postgres_init::k_help_footer);
  tools::postgres_init::Options options;
  tools::postgres_init::register_options(app, options);
  return cli::run_main(app, argc, argv, {"postgres-init", cli::LogCheck::after_parse},
                       [&] { return tools::postgres_init::run(options); });
}
