// postgres-init: parse, dispatch, turn errors into exit codes (SPEC "postgres-init").
#include <CLI/CLI.hpp>

#include "common/base/cli.hpp"
#include "common/base/error.hpp"
#include "common/base/log.hpp"
#include "tools/postgres-init/cmd_init.hpp"

int main(int argc, char** argv) {
  using namespace hectic;
  CLI::App app{"postgres-init: create (or reuse) and start the throw-away PostgreSQL cluster of "
               "PG_WORKING_DIR, then print its connection variables for eval"};
  app.set_version_flag("--version", std::string("postgres-init ") + HECTIC_VERSION);
  app.footer(tools::postgres_init::k_help_footer);
  tools::postgres_init::Options options;
  tools::postgres_init::register_options(app, options);
  log::init("postgres-init", true); // parse errors are reported before HECTIC_LOG is judged
  if (auto code = cli::parse(app, argc, argv)) return *code;
  return cli::guarded([&] {
    log::init("postgres-init");
    return tools::postgres_init::run(options);
  });
}
