// postgres-cleanup: parse, dispatch, turn errors into exit codes (SPEC "postgres-cleanup").
#include <exception>

#include <CLI/CLI.hpp>

#include "common/base/cli.hpp"
#include "common/base/error.hpp"
#include "common/base/log.hpp"
#include "tools/postgres-cleanup/cmd_cleanup.hpp"

int main(int argc, char** argv) {
  using namespace hectic;
  CLI::App app{"postgres-cleanup: stop the PostgreSQL server of PG_WORKING_DIR (started by "
               "postgres-init) and wait for it"};
  app.set_version_flag("--version", std::string("postgres-cleanup ") + HECTIC_VERSION);
  app.footer(tools::postgres_cleanup::k_help_footer);
  tools::postgres_cleanup::Options options;
  tools::postgres_cleanup::register_options(app, options);
  // Lenient: an invalid HECTIC_LOG is a warning here (SPEC: cleanup never fails for it).
  log::init("postgres-cleanup", true);
  if (auto code = cli::parse(app, argc, argv)) return *code;
  try {
    return tools::postgres_cleanup::run(options);
  } catch (const Error& error) {
    log::report_error(error.what(), error.hints());
    return exit_status(ExitCode::generic);
  } catch (const std::exception& error) {
    log::report_error(error.what());
    return exit_status(ExitCode::generic);
  }
}
