#include "common/cluster/cluster.hpp"

#include <signal.h>
#include <unistd.h>

#include <libpq-fe.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/cluster/conf.hpp"
#include "common/cluster/damage.hpp"
#include "common/cluster/datadir.hpp"
#include "common/cluster/internal.hpp"
#include "common/cluster/pidfile.hpp"
#include "common/cluster/server.hpp"
#include "common/pg/pgbin.hpp"
#include "common/pg/pq.hpp"
#include "common/pg/quote.hpp"

namespace hectic::cluster {
namespace stdfs = std::filesystem;
using Clock = std::chrono::steady_clock;
using detail::conninfo_for;
using detail::logger;

namespace detail {

std::string conninfo_for(const Endpoint& endpoint, const std::string& database) {
  return pq::build_conninfo({{"host", endpoint.socket_dir},
                             {"port", std::to_string(endpoint.port)},
                             {"user", endpoint.user},
                             {"dbname", database},
                             {"connect_timeout", "10"}});
}

// Stops a server by its postmaster pid: SIGINT is pg_ctl's "-m fast"; SIGQUIT ("-m immediate")
// when fast does not finish in time. Waits by polling the pid (pg_ctl would poll every 100 ms).
// immediate: SIGQUIT right away, for data that is about to be wiped (no checkpoint to wait for).
void stop_server(const stdfs::path& data_dir, pid_t pid, bool immediate) {
  logger().debug("stopping the server of {} (pid {}{})", data_dir.string(), pid, immediate ? ", immediate" : "");
  if (::kill(pid, immediate ? SIGQUIT : SIGINT) != 0) {
    if (errno == ESRCH) return;
    throw Error(ExitCode::generic,
                fmt::format("could not stop the server of {} (pid {}): {}", data_dir.string(), pid, std::strerror(errno)),
                {"it runs as another user: stop it as that user (or as root)"});
  }
  auto wait_for = [&](auto timeout) {
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (!process_alive(pid)) return true;
      std::this_thread::sleep_for(k_poll);
    }
    return !process_alive(pid);
  };
  if (wait_for(immediate ? k_immediate_stop_timeout : k_fast_stop_timeout)) return;
  logger().warn("the server of {} (pid {}) did not stop within {} s: sending an immediate shutdown",
                data_dir.string(), pid, k_fast_stop_timeout.count());
  ::kill(pid, SIGQUIT);
  if (wait_for(k_immediate_stop_timeout)) return;
  throw Error(ExitCode::generic, fmt::format("the server of {} (pid {}) does not stop", data_dir.string(), pid),
              {fmt::format("kill it by hand: kill -9 {}", pid)});
}

} // namespace detail

namespace {

// Where a cluster lives: the working dir, normalized, and its data/ and sock/.
struct Layout {
  stdfs::path working_dir;
  stdfs::path data_dir;
  stdfs::path socket_dir;
};

// The layout of config.working_dir, refused when the working dir is a file or the socket path
// is too long for a unix socket.
Layout checked_layout(const Config& config) {
  Layout layout;
  layout.working_dir = stdfs::absolute(config.working_dir).lexically_normal();
  layout.data_dir = layout.working_dir / "data";
  layout.socket_dir = layout.working_dir / "sock";
  std::error_code ec;
  auto status = stdfs::status(layout.working_dir, ec);
  if (stdfs::exists(status) && !stdfs::is_directory(status))
    throw Error(ExitCode::internal, fmt::format("PG_WORKING_DIR is not a directory: {}", layout.working_dir.string()),
                {"remove that file, or point PG_WORKING_DIR (or LOCAL_DIR) elsewhere"});
  auto socket = detail::socket_file(layout.socket_dir, config.port);
  if (socket.native().size() > detail::k_max_socket_path)
    throw Error(ExitCode::missing_argument,
                fmt::format("socket path {} is {} bytes long; unix sockets allow at most {}", socket.string(),
                            socket.native().size(), detail::k_max_socket_path),
                {"use a shorter PG_WORKING_DIR (the socket lives in $PG_WORKING_DIR/sock)"});
  return layout;
}

// How the cluster will be reached; a kept cluster keeps the role it was made with.
Endpoint endpoint_for(const Config& config, const Layout& layout) {
  Endpoint endpoint;
  endpoint.socket_dir = layout.socket_dir.string();
  endpoint.port = config.port;
  endpoint.user = detail::superuser_of(config);
  if (config.reuse) endpoint.user = detail::kept_superuser(layout.data_dir).value_or(endpoint.user);
  endpoint.database = config.database;
  endpoint.url = pq::socket_url(endpoint.user, endpoint.database, endpoint.socket_dir, endpoint.port);
  endpoint.url_var = config.url_var;
  return endpoint;
}

// The request that shapes the runtime settings; equal signatures let a running server be kept.
std::string signature_of(const Config& config, const stdfs::path& socket_dir) {
  return fmt::format("v1 port={} sock={} logging={} preload={} explicit={} db={} user={}", config.port,
                     socket_dir.string(), config.logging ? 1 : 0, config.preload_libraries,
                     config.preload_explicit ? 1 : 0, config.database, detail::superuser_of(config));
}

// README.md ("postgres-init"): pg_cron (the default) may be missing: warn and go on; an
// explicit library must exist.
std::vector<std::string> resolve_preload(const Config& config) {
  if (detail::split_libraries(config.preload_libraries).empty()) return {};
  auto decision = detail::decide_preload(config.preload_libraries, config.preload_explicit, pgbin::pkglib_dir());
  for (const auto& [library, file] : decision.missing)
    logger().warn("preload library '{}' is not installed ({} does not exist): starting without it", library,
                  file.string());
  return decision.kept;
}

// Under root the server account must reach the working dir and the log dir.
void check_traversable(const Config& config, const Layout& layout) {
  if (!config.run_as) return;
  for (const auto& path : {layout.working_dir, config.log_path.value_or(layout.working_dir)}) {
    if (auto blocked = detail::untraversable_parent(path / "x", config.run_as->uid, config.run_as->gid,
                                                    config.run_as->groups))
      throw Error(ExitCode::generic,
                  fmt::format("directory {} is not traversable by the server account '{}'", blocked->string(),
                              config.run_as->name),
                  {fmt::format("PostgreSQL runs as '{}' (we are root): every parent of {} must be searchable "
                               "by it: chmod o+x {}",
                               config.run_as->name, path.string(), blocked->string()),
                   "or set PG_WORKING_DIR to a directory under /tmp"});
  }
}

// Everything that can be refused, checked before anything is touched; returns the preload
// libraries to start with.
std::vector<std::string> check_requirements(const Config& config, const Layout& layout) {
  pgbin::program("pg_ctl");
  pgbin::program("postgres");
  if (!config.template_cache) pgbin::program("initdb");
  std::error_code ec;
  if (config.conf_file && !stdfs::is_regular_file(*config.conf_file, ec))
    throw Error(ExitCode::missing_argument,
                fmt::format("PG_CONF_FILE is not a readable file: {}", config.conf_file->string()));
  auto preload = resolve_preload(config);
  check_traversable(config, layout);
  return preload;
}

// Nothing may delete a live socket of someone else (postgres itself unlinks a socket file it
// finds). A socket file nobody listens on is a leftover: remove it and its lock file.
void check_socket(const stdfs::path& socket_dir, int port) {
  auto socket = detail::socket_file(socket_dir, port);
  auto lock = socket;
  lock += ".lock";
  std::error_code ec;
  bool socket_present = stdfs::is_socket(stdfs::symlink_status(socket, ec));
  if (socket_present && detail::socket_listening(socket))
    throw Error(ExitCode::ambiguous,
                fmt::format("socket {} is in use by another process", socket.string()),
                {"another server (or program) listens on it; postgres-init leaves it alone",
                 "stop that process, or use another PG_PORT or PG_WORKING_DIR"});
  if (stdfs::exists(stdfs::symlink_status(socket, ec))) stdfs::remove(socket, ec);
  if (stdfs::exists(lock, ec)) stdfs::remove(lock, ec);
}

// A server still running on the data dir is stopped, a stale pidfile removed, a leftover
// socket file cleared.
void clear_previous_server(const Config& config, const Layout& layout) {
  std::error_code ec;
  std::optional<detail::PidFile> pidfile;
  switch (detail::server_state(layout.data_dir, &pidfile)) {
  case detail::ServerState::running:
    logger().info("stopping the server running on {} (pid {})", layout.data_dir.string(), pidfile->pid);
    // A fresh init wipes the data: no need for the checkpoint of a fast shutdown.
    detail::stop_server(layout.data_dir, pidfile->pid,
                        !(config.reuse && stdfs::exists(layout.data_dir / "PG_VERSION", ec)));
    break;
  case detail::ServerState::stale:
    logger().info("removing the stale {} ({}; nothing was signalled)", (layout.data_dir / "postmaster.pid").string(),
                  pidfile ? fmt::format("pid {} is no server of this data directory", pidfile->pid) : "unreadable");
    stdfs::remove(layout.data_dir / "postmaster.pid", ec);
    break;
  case detail::ServerState::none:
    break;
  }
  if (stdfs::exists(layout.socket_dir, ec)) check_socket(layout.socket_dir, config.port);
}

// A new socket dir and a fresh data dir (the old data is already in the trash or aside).
detail::CacheUpdate recreate_fresh(const Config& config, const Layout& layout) {
  detail::remove_tree(layout.socket_dir);
  detail::make_dir(layout.socket_dir, detail::owner_of(config));
  return detail::create_fresh(config, layout.working_dir, layout.data_dir);
}

// Stops the server running on data_dir, if any; a failure to stop only warns (the caller is
// already reporting a failure).
void stop_if_running(const stdfs::path& data_dir, bool immediate) {
  std::optional<detail::PidFile> pidfile;
  if (detail::server_state(data_dir, &pidfile) != detail::ServerState::running) return;
  try {
    detail::stop_server(data_dir, pidfile->pid, immediate);
  } catch (const Error& error) {
    logger().warn("{}", error.what());
  }
}

// The server a start() launched: stopped again unless start() hands it over (README.md,
// "postgres-init": a start that fails never leaves a server behind).
class LaunchedServer {
public:
  explicit LaunchedServer(stdfs::path data_dir) : m_data_dir(std::move(data_dir)) {}
  ~LaunchedServer() {
    if (m_armed) stop_if_running(m_data_dir, false);
  }
  LaunchedServer(const LaunchedServer&) = delete;
  LaunchedServer& operator=(const LaunchedServer&) = delete;
  void hand_over() { m_armed = false; }

private:
  stdfs::path m_data_dir;
  bool m_armed = true;
};

// README.md ("postgres-init"): a kept cluster whose data is damaged is moved aside (its server
// stopped first) and recreated fresh; said holds what showed the damage.
void heal(const Config& config, const Layout& layout, const std::vector<std::string>& preload,
          const std::string& signature, const std::string& said, detail::StartResult& result, Endpoint& endpoint,
          detail::CacheUpdate& cache_update) {
  stop_if_running(layout.data_dir, true);
  auto broken = detail::move_damaged_aside(layout.working_dir, layout.data_dir);
  logger().warn("the kept cluster could not start because its data is damaged; moved it to {} and creating a "
                "fresh cluster",
                broken.string());
  for (const auto& line : detail::tail_lines(said, 4)) logger().warn("server log: {}", line);
  cache_update = recreate_fresh(config, layout);
  endpoint.fresh = true;
  endpoint.user = detail::superuser_of(config);
  endpoint.url = pq::socket_url(endpoint.user, endpoint.database, endpoint.socket_dir, endpoint.port);
  detail::write_runtime_settings(config, layout.data_dir, layout.socket_dir, preload, signature);
  result = detail::start_server(config, layout.working_dir, layout.data_dir, endpoint);
  auto server_log = config.log_path.value_or(layout.working_dir) / detail::k_server_log;
  if (!result.ok) throw detail::start_error(result, layout.data_dir, server_log);
}

void ensure_database(const Endpoint& endpoint) {
  std::unique_ptr<pq::Connection> admin;
  try {
    admin = std::make_unique<pq::Connection>(conninfo_for(endpoint, "postgres"), "postgres-init");
  } catch (const pq::SqlError&) {
    // The postgres database may have been dropped: template1 always exists.
    admin = std::make_unique<pq::Connection>(conninfo_for(endpoint, "template1"), "postgres-init");
  }
  auto found = admin->exec_params("SELECT 1 FROM pg_database WHERE datname = $1", {endpoint.database});
  if (found.rows() == 0) {
    try {
      admin->exec("CREATE DATABASE " + pq::quote_identifier(endpoint.database));
      logger().info("created database {}", endpoint.database);
    } catch (const pq::SqlError& error) {
      if (!error.is(pq::sqlstate::duplicate_database)) throw; // a racing init created it
    }
  }
  admin.reset();
  pq::Connection check(conninfo_for(endpoint, endpoint.database), "postgres-init");
  check.exec("SELECT 1");
}

// Healing asked for a kept cluster: damaged data is moved aside rather than reported.
bool may_heal(const Config& config, bool reused, const Endpoint& endpoint) {
  return reused && config.heal_damage && !endpoint.fresh;
}

// The first connections to a kept cluster that came up: a failure that shows damaged data (a
// half-made data dir, missing base/ or global/ files) heals like a failed start.
void ensure_database_or_heal(const Config& config, const Layout& layout, bool reused,
                             const std::vector<std::string>& preload, const std::string& signature,
                             detail::StartResult& result, Endpoint& endpoint, detail::CacheUpdate& cache_update) {
  try {
    ensure_database(endpoint);
    return;
  } catch (const Error& error) {
    if (!may_heal(config, reused, endpoint)) throw;
    auto said = std::string(error.what()) + "\n" + (result.log_since_start ? result.log_since_start() : "");
    if (!detail::log_shows_damage(said)) throw;
    heal(config, layout, preload, signature, said, result, endpoint, cache_update);
  }
  ensure_database(endpoint);
}

// The fast path: the server of this data dir runs, is ready, on the same socket and port, with
// the same runtime settings. Then nothing is restarted.
bool running_as_requested(const stdfs::path& data_dir, const stdfs::path& socket_dir, int port,
                          const std::string& signature, const Endpoint& endpoint) {
  auto pidfile = detail::read_pidfile(data_dir);
  if (!pidfile || pidfile->status != "ready" || pidfile->port != port ||
      stdfs::path(pidfile->socket_dir) != socket_dir)
    return false;
  if (!detail::is_postmaster_of(pidfile->pid, data_dir)) return false;
  if (detail::runtime_signature(detail::read_file_or_empty(data_dir / detail::k_runtime_conf)) != signature) return false;
  return PQping(conninfo_for(endpoint, "postgres").c_str()) == PQPING_OK;
}

} // namespace

Endpoint endpoint_of(const Config& config) {
  Config kept = config;
  kept.reuse = true; // the role recorded in data/, as a reuse start would use it
  return endpoint_for(kept, checked_layout(kept));
}

// ---- start ----------------------------------------------------------------------------------

Endpoint start(const Config& config) {
  const auto layout = checked_layout(config);
  auto endpoint = endpoint_for(config, layout);
  const auto signature = signature_of(config, layout.socket_dir);
  if (config.reuse && running_as_requested(layout.data_dir, layout.socket_dir, config.port, signature, endpoint)) {
    logger().info("reusing the running server of {}", layout.data_dir.string());
    ensure_database(endpoint);
    return endpoint;
  }
  const auto preload = check_requirements(config, layout);
  const auto owner = detail::owner_of(config);
  detail::make_dir(layout.working_dir, owner, 0755);
  clear_previous_server(config, layout);

  std::error_code ec;
  bool reuse = config.reuse && stdfs::exists(layout.data_dir / "PG_VERSION", ec);
  endpoint.fresh = !reuse;
  if (config.reuse && !reuse)
    logger().info("PG_REUSE is set but {} holds no cluster: creating one", layout.data_dir.string());
  detail::Trash trash(layout.working_dir); // deletes the old data once the new cluster is up
  detail::CacheUpdate cache_update;        // what the cache gets once the cluster answers
  if (!reuse) {
    trash.discard(layout.data_dir);
    cache_update = recreate_fresh(config, layout);
  } else {
    detail::make_dir(layout.socket_dir, owner);
    detail::adopt_kept_data(config, layout.data_dir, endpoint.user);
  }
  detail::write_runtime_settings(config, layout.data_dir, layout.socket_dir, preload, signature);
  auto result = detail::start_server(config, layout.working_dir, layout.data_dir, endpoint);
  LaunchedServer launched(layout.data_dir);
  if (!result.ok) {
    if (!may_heal(config, reuse, endpoint) || !detail::log_shows_damage(result.log))
      throw detail::start_error(result, layout.data_dir,
                                config.log_path.value_or(layout.working_dir) / detail::k_server_log);
    heal(config, layout, preload, signature, result.log, result, endpoint, cache_update);
  }
  ensure_database_or_heal(config, layout, reuse, preload, signature, result, endpoint, cache_update);
  cache_update.commit();
  launched.hand_over();
  logger().debug("server of {} ready on {}", layout.data_dir.string(),
                 detail::socket_file(layout.socket_dir, config.port).string());
  return endpoint;
}

// ---- stop -----------------------------------------------------------------------------------

bool looks_like_working_dir(const stdfs::path& dir) {
  std::error_code ec;
  for (const char* name : {"data/PG_VERSION", "PG_VERSION", detail::k_server_log})
    if (stdfs::is_regular_file(dir / name, ec)) return true;
  if (stdfs::is_directory(dir / "sock", ec)) return true;
  bool empty = true;
  for (auto it = stdfs::directory_iterator(dir, ec); !ec && it != stdfs::directory_iterator(); it.increment(ec)) {
    auto name = it->path().filename().string();
    for (const char* ours : {".trash-", "data.broken-", ".restore-"})
      if (name.rfind(ours, 0) == 0) return true;
    empty = false;
  }
  return empty;
}

StopOutcome stop(const stdfs::path& working_dir) {
  const auto data_dir = working_dir / "data";
  std::error_code ec;
  if (!stdfs::is_directory(working_dir, ec) || !stdfs::is_directory(data_dir, ec)) return StopOutcome::no_cluster;
  std::optional<detail::PidFile> pidfile;
  switch (detail::server_state(data_dir, &pidfile)) {
  case detail::ServerState::none:
    return StopOutcome::not_running;
  case detail::ServerState::stale:
    stdfs::remove(data_dir / "postmaster.pid", ec);
    return StopOutcome::stale_pidfile;
  case detail::ServerState::running:
    break;
  }
  detail::stop_server(data_dir, pidfile->pid);
  return StopOutcome::stopped;
}

} // namespace hectic::cluster
