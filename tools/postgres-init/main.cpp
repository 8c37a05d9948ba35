// postgres-init: parse, dispatch, turn errors into exit codes (SPEC "postgres-init").
#include <exception>

#include <CLI/CLI.hpp>

#include "common/error.hpp"
#include "common/log.hpp"
#include "tools/postgres-init/cmd_init.hpp"

int main(int argc, char** argv) {
  using namespace hectic;
  CLI::App app{"postgres-init: create (or reuse) and start the throw-away PostgreSQL cluster of "
               "PG_WORKING_DIR, then print its connection variables for eval"};
  app.set_version_flag("--version", std::string("postgres-init ") + HECTIC_VERSION);
  app.footer(tools::postgres_init::k_help_footer);
  tools::postgres_init::Options options;
  tools::postgres_init::register_options(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& success) {
    return app.exit(success);
  } catch (const CLI::ParseError& error) {
    log::init("postgres-init", true);
    log::report_error(error.what(), {"see postgres-init --help"});
    return exit_status(ExitCode::unknown_argument);
  }
  try {
    log::init("postgres-init");
    return tools::postgres_init::run(options);
  } catch (const Error& error) {
    log::report_error(error.what(), error.hints());
    return exit_status(error.code());
  } catch (const std::exception& error) {
    log::report_error(error.what());
    return exit_status(ExitCode::internal);
  }
}
