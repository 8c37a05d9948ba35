#include "tools/postgres-init/cmd_init.hpp"

#include <iostream>

#include "common/base/error.hpp"
#include "common/base/interrupt.hpp"
#include "common/cluster/cluster.hpp"

namespace hectic::tools::postgres_init {

const char* const k_help_footer = R"HELP(Environment (default in brackets):
  PG_WORKING_DIR    the cluster's directory: data/ (PGDATA) and sock/ (the unix socket)
                    [$LOCAL_DIR/focus/postgresql]; one of the two is required (exit 3)
  LOCAL_DIR         project root, used when PG_WORKING_DIR is unset
  PG_DATABASE       database created when missing [testdb]
  PG_PORT           port number of the unix socket (no TCP is ever opened) [5432]
  PG_URL_VAR        extra variable exported with the URL (a shell identifier) [PGURL]
  PG_REUSE          keep existing data when set to anything but '', 0, false, no [unset];
                    a kept cluster whose data is damaged is moved to data.broken-<UTC time>
                    and replaced by a fresh one; a running healthy one is left running
  PG_CONF_FILE      postgresql.conf to use instead of the generated one, on a fresh init
                    only [unset]; the runtime settings below are still forced
  PG_SHARED_PRELOAD_LIBRARIES
                    shared_preload_libraries, comma-separated; empty disables [pg_cron];
                    the default is dropped with a warning when the server lacks it, an
                    explicit library that is missing is exit 127
  PG_DISABLE_LOGGING
                    1 turns the logging collector (data/log/) off [0]
  PG_LOG_PATH       directory of the server's own log, server.log [$PG_WORKING_DIR]
  PG_BIN_DIR        where initdb/pg_ctl/postgres live [PATH, pg_config --bindir,
                    newest /usr/lib/postgresql/*/bin]
  PG_RUN_AS         account that runs the server when postgres-init runs as root
                    [postgres]; it gets the working dir, and is the exported user
  HECTIC_CACHE_DIR  holds the pristine template cluster copied by fresh inits, and its
                    spares [$XDG_CACHE_HOME/hectic, else ~/.cache/hectic]
  PG_INIT_CACHE     0 disables the template cache (initdb every time) [1]
  PG_INIT_SPARES    template copies made ahead by a background process, so that a
                    fresh init is a rename; 0 to 8, 0 disables [2]
  NO_TTY            accepted for compatibility; the server never holds our output [0]
  HECTIC_LOG        log levels on stderr, e.g. 'info' or 'warn;cluster=debug' [info]

Forced on every start (data/hectic.runtime.conf, included last by postgresql.conf):
  listen_addresses = '', port, unix_socket_directories, hba_file, ident_file,
  logging_collector, and with preload libraries shared_preload_libraries,
  cron.database_name, cron.host (the socket dir).

Output: `export NAME='value'` lines for POSTGRESQL_HOST, POSTGRESQL_PORT, POSTGRESQL_USER,
POSTGRESQL_DATABASE, PGURL and $PG_URL_VAR; with --format json one JSON object.
When run as root the server runs as PG_RUN_AS, and POSTGRESQL_USER names that role.

Exit codes: 0 ok, 2 server could not start / socket held by another process,
3 missing or invalid variable, 13 PG_WORKING_DIR is a regular file, 127 missing program
or explicitly requested preload library.

Examples:
  eval "$(postgres-init)"                        # fresh cluster, exports PGURL
  eval "$(PG_REUSE=1 postgres-init)"             # keep the data of the last run
  PG_WORKING_DIR=/tmp/pg PG_DATABASE=app postgres-init --format json
  PG_SHARED_PRELOAD_LIBRARIES= PG_DISABLE_LOGGING=1 postgres-init
  postgres-cleanup                               # stop it again
)HELP";

void register_options(CLI::App& app, Options& options) {
  app.add_option("--format", options.format, "output format: shell (export lines) or json")
      ->check(CLI::IsMember({"shell", "json"}))
      ->capture_default_str();
}

int run(const Options& options) {
  auto config = cluster::Config::from_env();
  // SIGINT/SIGTERM waits for the start to end (never a server coming up behind our back), then
  // the server is stopped again: an interrupted postgres-init leaves no server running.
  interrupt::Critical starting;
  auto endpoint = cluster::start(config);
  if (interrupt::requested()) {
    cluster::stop(config.working_dir);
    throw Error(ExitCode::interrupted, "interrupted: the server of " + config.working_dir.string() + " was stopped");
  }
  if (options.format == "json") std::cout << endpoint.json() << "\n";
  else std::cout << endpoint.shell_exports();
  std::cout.flush();
  return 0;
}

} // namespace hectic::tools::postgres_init
