#include "tools/postgres-cleanup/cmd_cleanup.hpp"

#include <exception>

#include "common/cluster/cluster.hpp"
#include "common/base/env.hpp"
#include "common/base/error.hpp"
#include "common/base/log.hpp"

namespace hectic::tools::postgres_cleanup {

const char* const k_help_footer = R"HELP(Environment (default in brackets):
  PG_WORKING_DIR    the cluster's directory (data/, sock/) [$LOCAL_DIR/focus/postgresql]
  LOCAL_DIR         project root, used when PG_WORKING_DIR is unset
  HECTIC_LOG        log levels on stderr [info]; an invalid spec is only a warning here

Stops the server quickly (fast shutdown: open sessions are ended) and waits for it.
Exits 0 when there is nothing to stop: no variable set, no cluster, no server running,
or a stale postmaster.pid (removed). It is meant for traps and never masks the real error.
Exit 1 only when a running server cannot be stopped (e.g. it belongs to another user).
The data is kept; `database cleanup` also removes PG_WORKING_DIR.

Examples:
  postgres-cleanup
  trap postgres-cleanup EXIT
  PG_WORKING_DIR=/tmp/pg postgres-cleanup
)HELP";

void register_options(CLI::App&, Options&) {}

namespace {

void stop_server() {
  const log::Logger logger{"cleanup"};
  std::filesystem::path working_dir;
  try {
    working_dir = env::pg_working_dir();
  } catch (const Error& error) {
    logger.info("nothing to clean: {}", error.what());
    return;
  }
  switch (cluster::stop(working_dir)) {
  case cluster::StopOutcome::stopped:
    logger.info("stopped the server of {}", working_dir.string());
    break;
  case cluster::StopOutcome::not_running:
    logger.info("nothing to clean: no server runs in {}", working_dir.string());
    break;
  case cluster::StopOutcome::stale_pidfile:
    logger.info("nothing to clean: removed the stale postmaster.pid of {}", working_dir.string());
    break;
  case cluster::StopOutcome::no_cluster:
    logger.info("nothing to clean: no cluster in {}", working_dir.string());
    break;
  }
}

} // namespace

// Any failure is exit 1, whatever its code: a trap must not turn it into another meaning.
int run(const Options&) {
  try {
    stop_server();
  } catch (const Error& error) {
    throw Error(ExitCode::generic, error.what(), error.hints());
  } catch (const std::exception& error) {
    throw Error(ExitCode::generic, error.what());
  }
  return 0;
}

} // namespace hectic::tools::postgres_cleanup
