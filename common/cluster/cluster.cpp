#include "common/cluster/cluster.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpq-fe.h>

#include <chrono>
#include <cerrno>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/cluster/detail.hpp"
#include "common/cluster/spares.hpp"
#include "common/base/env.hpp"
#include "common/base/error.hpp"
#include "common/base/fs.hpp"
#include "common/base/interrupt.hpp"
#include "common/base/log.hpp"
#include "common/base/text.hpp"
#include "common/pg/pgbin.hpp"
#include "common/pg/pq.hpp"
#include "common/pg/quote.hpp"

namespace hectic::cluster {
namespace stdfs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const log::Logger& logger() {
  static const log::Logger instance{"cluster"};
  return instance;
}

// Bounds of the waits below (SPEC: every wait bounded).
constexpr auto k_start_timeout = 60s;
constexpr auto k_fast_stop_timeout = 30s;
constexpr auto k_immediate_stop_timeout = 5s;
constexpr auto k_poll = 3ms;
// The superuser (role) of the cluster, recorded in its data dir (see kept_superuser).
constexpr const char* k_superuser_file = "hectic.superuser";

std::optional<detail::Owner> owner_of(const Config& config) {
  if (!config.run_as) return std::nullopt;
  return detail::Owner{config.run_as->uid, config.run_as->gid};
}

std::string superuser_of(const Config& config) {
  // initdb makes the OS account that runs it the superuser (no -U): the role that exists is
  // the server account's name, which is also libpq's default user for that account.
  return config.run_as ? config.run_as->name : process::current_account().name;
}

void chown_path(const stdfs::path& path, const std::optional<detail::Owner>& owner) {
  if (owner && ::chown(path.c_str(), owner->uid, owner->gid) != 0)
    throw Error(ExitCode::generic, fmt::format("could not chown {}: {}", path.string(), std::strerror(errno)));
}

void make_dir(const stdfs::path& path, const std::optional<detail::Owner>& owner, mode_t mode = 0700) {
  std::error_code ec;
  stdfs::create_directories(path, ec);
  if (ec)
    throw Error(ExitCode::generic, fmt::format("could not create directory {}: {}", path.string(), ec.message()));
  ::chmod(path.c_str(), mode);
  chown_path(path, owner);
}

void remove_tree(const stdfs::path& path) {
  std::error_code ec;
  fs::remove_tree(path, ec);
  if (ec)
    throw Error(ExitCode::generic, fmt::format("could not remove {}: {}", path.string(), ec.message()),
                {"remove it by hand, or point PG_WORKING_DIR elsewhere"});
}

// Writes a file owned by the server account (mode 0600), replacing it atomically. The
// directory is the server account's: a link planted there is refused, never followed.
void write_owned(const stdfs::path& path, std::string_view content, const std::optional<detail::Owner>& owner) {
  fs::write_file_atomic(path, content, {.mode = 0600, .owner = owner, .follow_symlink = false});
}

std::string read_text(const stdfs::path& path, std::uintmax_t from = 0) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string text;
  if (::lseek(fd, static_cast<off_t>(from), SEEK_SET) >= 0) {
    char buffer[8192];
    for (;;) {
      ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      text.append(buffer, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return text;
}

std::uintmax_t size_of(const stdfs::path& path) {
  std::error_code ec;
  auto size = stdfs::file_size(path, ec);
  return ec ? 0 : size;
}

std::string conninfo_for(const Endpoint& endpoint, const std::string& database) {
  return pq::build_conninfo({{"host", endpoint.socket_dir},
                             {"port", std::to_string(endpoint.port)},
                             {"user", endpoint.user},
                             {"dbname", database},
                             {"connect_timeout", "10"}});
}

// The request that shapes the runtime settings; equal signatures let a running server be kept.
std::string signature_of(const Config& config, const stdfs::path& socket_dir) {
  return fmt::format("v1 port={} sock={} logging={} preload={} explicit={} db={} user={}", config.port,
                     socket_dir.string(), config.logging ? 1 : 0, config.preload_libraries,
                     config.preload_explicit ? 1 : 0, config.database, superuser_of(config));
}

// SPEC: pg_cron (the default) may be missing: warn and go on; an explicit library must exist.
std::vector<std::string> resolve_preload(const Config& config) {
  if (detail::split_libraries(config.preload_libraries).empty()) return {};
  auto decision = detail::decide_preload(config.preload_libraries, config.preload_explicit, pgbin::pkglib_dir());
  for (const auto& [library, file] : decision.missing)
    logger().warn("preload library '{}' is not installed ({} does not exist): starting without it", library,
                  file.string());
  return decision.kept;
}

// Stops a server by its postmaster pid: SIGINT is pg_ctl's "-m fast"; SIGQUIT ("-m immediate")
// when fast does not finish in time. Waits by polling the pid (pg_ctl would poll every 100 ms).
// immediate: SIGQUIT right away, for data that is about to be wiped (no checkpoint to wait for).
void stop_server(const stdfs::path& data_dir, pid_t pid, bool immediate = false) {
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
      if (!detail::process_alive(pid)) return true;
      std::this_thread::sleep_for(k_poll);
    }
    return !detail::process_alive(pid);
  };
  if (wait_for(immediate ? k_immediate_stop_timeout : k_fast_stop_timeout)) return;
  logger().warn("the server of {} (pid {}) did not stop within {} s: sending an immediate shutdown",
                data_dir.string(), pid, k_fast_stop_timeout.count());
  ::kill(pid, SIGQUIT);
  if (wait_for(k_immediate_stop_timeout)) return;
  throw Error(ExitCode::generic, fmt::format("the server of {} (pid {}) does not stop", data_dir.string(), pid),
              {fmt::format("kill it by hand: kill -9 {}", pid)});
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

// initdb into data_dir, as the server account.
void run_initdb(const Config& config, const stdfs::path& working_dir, const stdfs::path& data_dir) {
  auto initdb = pgbin::program("initdb");
  process::Options options;
  options.run_as = config.run_as;
  options.cwd = working_dir;
  options.timeout = std::chrono::minutes(5);
  // Throw-away clusters: no fsync of the new files (the cached template is synced).
  process::run_checked(initdb,
                       {"-D", data_dir.string(), "-E", "UTF8", "--no-locale", "-A", "trust", "--no-sync"},
                       options);
}

// Creates config.database in a stopped, fresh data dir with a single-user backend, so that the
// template (and every cluster copied from it) already holds it: no CREATE DATABASE on each
// start (it copies a whole database through the WAL). False when it could not: the caller
// starts over and ensure_database() creates the database online.
bool create_database_offline(const Config& config, const stdfs::path& working_dir, const stdfs::path& data_dir) {
  if (config.database == "postgres" || config.database == "template1" || config.database == "template0") return true;
  // Single-user mode ends a command at a newline.
  if (config.database.find_first_of("\r\n") != std::string::npos) return false;
  process::Options options;
  options.run_as = config.run_as;
  options.cwd = working_dir;
  options.timeout = std::chrono::minutes(2);
  options.stdin_data = fmt::format("CREATE DATABASE {};\n", pq::quote_identifier(config.database));
  auto result = process::run(pgbin::program("postgres"),
                             {"--single", "-D", data_dir.string(), "-c", "fsync=off", "-c", "log_checkpoints=off",
                              "postgres"},
                             options);
  if (result.ok() && result.err.find("ERROR:") == std::string::npos) {
    logger().debug("created database {} in the new cluster (single-user mode)", config.database);
    return true;
  }
  logger().warn("could not create database {} in single-user mode ({}); creating it once the server runs",
                config.database, result.describe());
  for (const auto& line : detail::tail_lines(result.err, 3)) logger().warn("postgres: {}", line);
  return false;
}

stdfs::path template_root(const Config& config) { return config.cache_dir / "templates"; }

spares::Pool spare_pool(const Config& config, const std::string& key) {
  return spares::Pool{config.cache_dir / "spares" / key, template_root(config) / key / "data", owner_of(config),
                      config.spares};
}

// The server version for the template key without running `postgres --version` each time:
// cached under HECTIC_CACHE_DIR/versions, keyed by the real binary's path, size and mtime.
std::string cached_server_version(const Config& config) {
  std::error_code ec;
  auto postgres = stdfs::canonical(pgbin::program("postgres"), ec);
  struct stat st {};
  if (ec || ::stat(postgres.c_str(), &st) != 0) return pgbin::server_version();
  auto identity = fmt::format("{}:{}:{}.{}", postgres.string(), st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  auto file = config.cache_dir / "versions" / fmt::format("{:016x}", std::hash<std::string>{}(identity));
  auto cached = read_text(file);
  auto newline = cached.find('\n');
  if (newline != std::string::npos && cached.substr(newline + 1) == identity + "\n") return cached.substr(0, newline);
  auto version = pgbin::server_version();
  try {
    stdfs::create_directories(file.parent_path(), ec);
    if (!ec) fs::write_file_atomic(file, version + "\n" + identity + "\n");
  } catch (const Error&) {
    // a read-only cache only costs the exec next time
  }
  return version;
}

// Copies the cached template into data_dir; false (and no data_dir) when there is none.
bool copy_template(const Config& config, const stdfs::path& data_dir, const std::string& key) {
  auto source = template_root(config) / key / "data";
  std::error_code ec;
  if (!stdfs::exists(source / "PG_VERSION", ec)) return false;
  try {
    detail::copy_tree(source, data_dir, owner_of(config));
    logger().debug("copied the cluster template {}", source.string());
    return true;
  } catch (const Error& error) {
    logger().warn("could not use the cluster template {}: {}; running initdb", source.string(), error.what());
    stdfs::remove_all(data_dir, ec);
    return false;
  }
}

// Stores a pristine data dir as the template: copy into a private temp dir in the cache, sync,
// rename(2) into place. A racing process that renamed first wins; the loser drops its copy.
void store_template(const Config& config, const stdfs::path& data_dir, const std::string& key) {
  auto root = template_root(config);
  auto final_dir = root / key;
  std::error_code ec;
  if (stdfs::exists(final_dir, ec)) return;
  std::random_device random;
  auto temp = root / fmt::format(".tmp-{}-{}-{:08x}", key, ::getpid(), random());
  try {
    stdfs::create_directories(root, ec);
    if (ec) throw Error(ExitCode::generic, fmt::format("could not create {}: {}", root.string(), ec.message()));
    make_dir(temp, std::nullopt);
    detail::copy_tree(data_dir, temp / "data");
    int fd = ::open(temp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      ::syncfs(fd);
      ::close(fd);
    }
    if (::rename(temp.c_str(), final_dir.c_str()) != 0) {
      // EEXIST/ENOTEMPTY: another init stored the same template first.
      logger().debug("template {} already stored by another process", final_dir.string());
      stdfs::remove_all(temp, ec);
      return;
    }
    logger().debug("stored the cluster template {}", final_dir.string());
    // Templates of the first layout (key ending in -v1, no database inside) are never read
    // again: 28 MB each.
    std::vector<stdfs::path> outdated;
    for (auto it = stdfs::directory_iterator(root, ec); !ec && it != stdfs::directory_iterator(); it.increment(ec)) {
      auto name = it->path().filename().string();
      if (name.size() > 3 && name.compare(name.size() - 3, 3, "-v1") == 0) outdated.push_back(it->path());
    }
    for (const auto& path : outdated) {
      fs::remove_tree(path, ec);
      logger().debug("removed the outdated cluster template {}", path.string());
    }
  } catch (const Error& error) {
    logger().warn("could not store the cluster template in {}: {}", root.string(), error.what());
    stdfs::remove_all(temp, ec);
  }
}

// Old data is moved aside at once (a rename) and deleted when the new cluster is up, by a
// detached `setsid -f rm -rf` so postgres-init does not wait for it: deleting a data dir that
// was written back to disk takes seconds on a disk mounted with `discard` (measured here), and
// deleting it concurrently with the copy only slows the copy down. Without setsid the deletion
// is done in-process. Leftovers of an interrupted run are picked up too.
class Trash {
public:
  explicit Trash(stdfs::path working_dir) : m_working_dir(std::move(working_dir)) {}
  ~Trash() {
    std::vector<std::string> entries;
    std::error_code ec;
    for (auto it = stdfs::directory_iterator(m_working_dir, ec); !ec && it != stdfs::directory_iterator();
         it.increment(ec))
      if (it->path().filename().string().rfind(".trash-", 0) == 0) entries.push_back(it->path().string());
    if (entries.empty()) return;
    try {
      process::Options options;
      options.output = process::Output::log_file; // no pipe: run() waits for setsid's parent only
      options.log_file = "/dev/null";
      options.timeout = 10s;
      std::vector<std::string> args = {"-f", process::find_program("rm").string(), "-rf", "--"};
      args.insert(args.end(), entries.begin(), entries.end());
      if (process::run(process::find_program("setsid"), args, options).ok()) return;
    } catch (const Error&) {
      // no setsid/rm: delete here
    }
    for (const auto& entry : entries) stdfs::remove_all(entry, ec);
  }
  Trash(const Trash&) = delete;
  Trash& operator=(const Trash&) = delete;

  // Moves path into the trash, or removes it when it cannot be moved.
  void discard(const stdfs::path& path) {
    std::error_code ec;
    if (!stdfs::exists(stdfs::symlink_status(path, ec))) return;
    auto trash = m_working_dir / fmt::format(".trash-{}-{}-{}", path.filename().string(), ::getpid(), m_count++);
    if (::rename(path.c_str(), trash.c_str()) != 0) remove_tree(path);
  }

private:
  stdfs::path m_working_dir;
  int m_count = 0;
};

// A new data dir: template copy (or initdb, then stored as the template), then the config.
void create_fresh(const Config& config, const stdfs::path& working_dir, const stdfs::path& data_dir) {
  remove_tree(data_dir);
  const auto owner = owner_of(config);
  bool from_template = false;
  std::string key;
  if (config.template_cache) {
    key = detail::template_key(cached_server_version(config), superuser_of(config), config.database);
    from_template = spares::take(spare_pool(config, key), data_dir) || copy_template(config, data_dir, key);
  }
  if (!from_template) {
    logger().debug("running initdb for {}", data_dir.string());
    run_initdb(config, working_dir, data_dir);
    if (!create_database_offline(config, working_dir, data_dir)) {
      remove_tree(data_dir);
      run_initdb(config, working_dir, data_dir);
    }
    if (config.template_cache) store_template(config, data_dir, key);
  }
  // The next fresh init takes a spare instead of copying: make it now, off the critical path.
  if (config.template_cache) spares::refill_in_background(spare_pool(config, key), working_dir);
  std::string base;
  if (config.conf_file) {
    base = fs::read_file(*config.conf_file);
  } else {
    base = read_text(data_dir / "postgresql.conf") + detail::render_base_conf();
  }
  write_owned(data_dir / "postgresql.conf", detail::with_include_last(base), owner);
  write_owned(data_dir / "pg_hba.conf", detail::render_hba_conf(), owner);
  write_owned(data_dir / k_superuser_file, superuser_of(config) + "\n", owner);
}

// The settings forced on every start, and the include line that applies them last.
void write_runtime_settings(const Config& config, const stdfs::path& data_dir, const stdfs::path& socket_dir,
                            const std::vector<std::string>& preload, const std::string& signature) {
  const auto owner = owner_of(config);
  detail::RuntimeSettings settings;
  settings.data_dir = data_dir;
  settings.socket_dir = socket_dir;
  settings.port = config.port;
  settings.logging = config.logging;
  settings.preload = preload;
  settings.cron_database = config.database;
  settings.signature = signature;
  write_owned(data_dir / detail::k_runtime_conf, detail::render_runtime_conf(settings), owner);
  auto conf_path = data_dir / "postgresql.conf";
  auto conf = read_text(conf_path);
  auto wanted = detail::with_include_last(conf);
  if (wanted != conf) write_owned(conf_path, wanted, owner);
}

struct StartResult {
  bool ok = false;
  std::string log;           // what the server logged during this start
  std::string reason;        // why we think it failed
};

// Everything the server logged since `before` (the pg_ctl -l file and the collector's files).
struct LogMark {
  stdfs::path server_log;
  std::uintmax_t server_log_size = 0;
  stdfs::path collector_dir;
  std::map<stdfs::path, std::uintmax_t> collector_sizes;

  static LogMark take(const stdfs::path& server_log, const stdfs::path& data_dir) {
    LogMark mark;
    mark.server_log = server_log;
    mark.server_log_size = size_of(server_log);
    mark.collector_dir = data_dir / "log";
    std::error_code ec;
    for (auto it = stdfs::directory_iterator(mark.collector_dir, ec); !ec && it != stdfs::directory_iterator();
         it.increment(ec))
      mark.collector_sizes[it->path()] = size_of(it->path());
    return mark;
  }
  std::string since() const {
    std::string text = read_text(server_log, server_log_size);
    std::error_code ec;
    for (auto it = stdfs::directory_iterator(collector_dir, ec); !ec && it != stdfs::directory_iterator();
         it.increment(ec)) {
      auto found = collector_sizes.find(it->path());
      text += read_text(it->path(), found == collector_sizes.end() ? 0 : found->second);
    }
    return text;
  }
};

// pg_ctl start without -w (it polls every 100 ms), with -l so the postmaster never holds our
// stdout/stderr; then readiness by PQping on the socket every few ms, failure by the postmaster
// pid vanishing.
StartResult start_server(const Config& config, const stdfs::path& working_dir, const stdfs::path& data_dir,
                         const Endpoint& endpoint) {
  const auto owner = owner_of(config);
  auto log_dir = config.log_path ? *config.log_path : working_dir;
  {
    std::error_code ec;
    if (!stdfs::exists(log_dir, ec)) make_dir(log_dir, owner, 0755);
  }
  auto server_log = log_dir / detail::k_server_log;
  {
    int fd = ::open(server_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0)
      throw Error(ExitCode::generic,
                  fmt::format("could not open the server log {}: {}", server_log.string(), std::strerror(errno)),
                  {"check PG_LOG_PATH"});
    if (owner) (void)::fchown(fd, owner->uid, owner->gid);
    ::close(fd);
  }
  auto mark = LogMark::take(server_log, data_dir);

  process::Options options;
  options.run_as = config.run_as;
  options.cwd = working_dir;
  options.timeout = 30s;
  auto pg_ctl = pgbin::program("pg_ctl");
  auto result = process::run(pg_ctl, {"start", "-D", data_dir.string(), "-l", server_log.string(), "-W", "-s"},
                             options);
  StartResult outcome;
  if (!result.ok()) {
    outcome.log = mark.since() + result.err;
    outcome.reason = fmt::format("pg_ctl start {}", result.describe());
    return outcome;
  }

  const auto conninfo = conninfo_for(endpoint, "postgres");
  const auto started = Clock::now();
  const auto deadline = started + k_start_timeout;
  pid_t seen_pid = 0;
  std::optional<Clock::time_point> log_grew_at;
  while (Clock::now() < deadline) {
    auto ping = PQping(conninfo.c_str());
    if (ping == PQPING_OK) {
      outcome.ok = true;
      logger().debug("server ready after {} ms",
                     std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count());
      return outcome;
    }
    auto pidfile = detail::read_pidfile(data_dir);
    if (pidfile) {
      seen_pid = pidfile->pid;
      if (!detail::process_alive(pidfile->pid)) {
        outcome.reason = "the server exited during startup";
        break;
      }
    } else if (seen_pid != 0) {
      if (!detail::process_alive(seen_pid)) {
        outcome.reason = "the server exited during startup";
        break;
      }
    } else if (size_of(server_log) > mark.server_log_size) {
      // The postmaster writes its pidfile early; log lines without one mean it gave up before
      // (bad data dir permissions, unreadable config ...) or only warned (then the pidfile
      // follows: give it time).
      if (!log_grew_at) log_grew_at = Clock::now();
      auto said = read_text(server_log, mark.server_log_size);
      bool fatal = said.find("FATAL:") != std::string::npos || said.find("PANIC:") != std::string::npos;
      if ((fatal || Clock::now() - *log_grew_at > 500ms) && !detail::read_pidfile(data_dir)) {
        std::this_thread::sleep_for(20ms);
        if (!detail::read_pidfile(data_dir) && PQping(conninfo.c_str()) != PQPING_OK) {
          outcome.reason = "the server exited during startup";
          break;
        }
      }
    } else if (Clock::now() - started > 10s) {
      outcome.reason = "the server did not create postmaster.pid within 10 s";
      break;
    }
    std::this_thread::sleep_for(k_poll);
  }
  if (outcome.reason.empty()) {
    outcome.reason = fmt::format("the server was not ready within {} s", k_start_timeout.count());
    if (seen_pid != 0 && detail::process_alive(seen_pid)) {
      // Do not leave a half-started server behind.
      try {
        stop_server(data_dir, seen_pid);
      } catch (const Error&) {
      }
    }
  }
  // Give the collector a moment to flush what the failing server said.
  std::this_thread::sleep_for(20ms);
  outcome.log = mark.since();
  return outcome;
}

Error start_error(const StartResult& result, const stdfs::path& data_dir, const stdfs::path& server_log) {
  std::string first;
  for (const auto& line : detail::tail_lines(result.log, 200)) {
    if (line.find("FATAL:") != std::string::npos || line.find("PANIC:") != std::string::npos) {
      auto at = line.find("FATAL:") != std::string::npos ? line.find("FATAL:") : line.find("PANIC:");
      first = line.substr(at);
      break;
    }
  }
  std::vector<std::string> hints;
  for (const auto& line : detail::tail_lines(result.log, 6)) hints.push_back("server log: " + line);
  hints.push_back(fmt::format("full server log: {} (and {}/log)", server_log.string(), data_dir.string()));
  hints.push_back("the data directory was left untouched");
  return Error(ExitCode::ambiguous,
               fmt::format("the server of {} could not start: {}", data_dir.string(),
                           first.empty() ? result.reason : first),
               std::move(hints));
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

// The fast path: the server of this data dir runs, is ready, on the same socket and port, with
// the same runtime settings. Then nothing is restarted.
bool running_as_requested(const stdfs::path& data_dir, const stdfs::path& socket_dir, int port,
                          const std::string& signature, const Endpoint& endpoint) {
  auto pidfile = detail::read_pidfile(data_dir);
  if (!pidfile || pidfile->status != "ready" || pidfile->port != port ||
      stdfs::path(pidfile->socket_dir) != socket_dir)
    return false;
  if (!detail::process_alive(pidfile->pid) || !detail::is_postgres_process(pidfile->pid)) return false;
  if (detail::runtime_signature(read_text(data_dir / detail::k_runtime_conf)) != signature) return false;
  return PQping(conninfo_for(endpoint, "postgres").c_str()) == PQPING_OK;
}

// initdb makes the account that ran it the superuser. A kept cluster's role is recorded in
// data/hectic.superuser (written when we create or first reuse it); a cluster made elsewhere
// (the shell tools, another PG_RUN_AS) is owned by the account that ran initdb.

std::optional<std::string> kept_superuser(const stdfs::path& data_dir) {
  auto recorded = read_text(data_dir / k_superuser_file);
  while (!recorded.empty() && (recorded.back() == '\n' || recorded.back() == ' ')) recorded.pop_back();
  if (!recorded.empty()) return recorded;
  struct stat st {};
  if (::stat((data_dir / "PG_VERSION").c_str(), &st) != 0 || st.st_uid == 0) return std::nullopt;
  if (const passwd* owner = ::getpwuid(st.st_uid)) return std::string(owner->pw_name);
  return std::nullopt;
}

// A whole number in [min, max] read from the variable `name`; else Error(missing_argument).
int parse_number(const char* name, const std::string& text, int min, int max, std::string hint) {
  long value = 0;
  bool ok = !text.empty() && text.size() <= 9;
  for (char c : text) {
    if (c < '0' || c > '9') ok = false;
    else value = value * 10 + (c - '0');
  }
  if (!ok || value < min || value > max)
    throw Error(ExitCode::missing_argument, fmt::format("invalid {}: '{}'", name, text), {std::move(hint)});
  return static_cast<int>(value);
}

} // namespace

// ---- Config ---------------------------------------------------------------------------------

Config Config::for_working_dir(const stdfs::path& working_dir) {
  Config config;
  config.working_dir = working_dir;
  config.database = env::get_or("PG_DATABASE", "testdb");
  config.port = parse_number("PG_PORT", env::get_or("PG_PORT", "5432"), 1, 65535,
                             "PG_PORT is a port number between 1 and 65535 (default 5432)");
  config.url_var = env::get_or("PG_URL_VAR", "PGURL");
  if (!env::is_identifier(config.url_var))
    throw Error(ExitCode::missing_argument,
                fmt::format("invalid PG_URL_VAR: '{}' is not a shell variable name", config.url_var),
                {"use letters, digits and '_', not starting with a digit (default PGURL)"});
  if (auto value = env::get("PG_LOG_PATH"); value && !value->empty()) config.log_path = stdfs::absolute(*value);
  if (auto value = env::get("PG_CONF_FILE"); value && !value->empty()) config.conf_file = stdfs::absolute(*value);
  if (auto value = env::get("PG_SHARED_PRELOAD_LIBRARIES")) {
    config.preload_libraries = *value;
    config.preload_explicit = true;
  }
  config.logging = !env::flag("PG_DISABLE_LOGGING");
  config.reuse = env::flag("PG_REUSE");
  auto cache = env::get("PG_INIT_CACHE");
  config.template_cache = !cache || cache->empty() || env::truthy(cache);
  if (auto spares = env::get("PG_INIT_SPARES"); spares && !spares->empty())
    config.spares = parse_number("PG_INIT_SPARES", *spares, 0, 8,
                                 "PG_INIT_SPARES is the number of template copies kept ready, 0 to 8 (default 2)");
  try {
    config.cache_dir = env::cache_dir();
  } catch (const Error&) {
    config.template_cache = false;
  }
  if (process::running_as_root()) {
    auto requested = env::get("PG_RUN_AS");
    bool explicit_account = requested && !requested->empty();
    std::string name = explicit_account ? *requested : "postgres";
    if (name == "root")
      throw Error(ExitCode::missing_argument, "PG_RUN_AS names root: PostgreSQL refuses to run as root",
                  {"set PG_RUN_AS to an unprivileged account, e.g. PG_RUN_AS=postgres"});
    auto account = process::lookup_account(name);
    if (!account || account->uid == 0) {
      throw Error(ExitCode::missing_argument,
                  explicit_account
                      ? fmt::format("PG_RUN_AS names an unknown account: '{}'", name)
                      : std::string("running as root and there is no 'postgres' account to run the server"),
                  {"PostgreSQL refuses to run as root: set PG_RUN_AS to an unprivileged account "
                   "(e.g. PG_RUN_AS=nobody), or create one: useradd --system postgres",
                   "or run postgres-init as an unprivileged user"});
    }
    config.run_as = *account;
  }
  return config;
}

Config Config::from_env() {
  auto working_dir = env::pg_working_dir();
  return for_working_dir(stdfs::absolute(working_dir));
}

// ---- Endpoint -------------------------------------------------------------------------------

std::string Endpoint::shell_exports() const {
  std::string text;
  auto add = [&](std::string_view name, std::string_view value) {
    text += fmt::format("export {}={}\n", name, process::shell_quote(value));
  };
  add("POSTGRESQL_HOST", socket_dir);
  add("POSTGRESQL_PORT", std::to_string(port));
  add("POSTGRESQL_USER", user);
  add("POSTGRESQL_DATABASE", database);
  add("PGURL", url);
  if (url_var != "PGURL") add(url_var, url);
  return text;
}

std::string Endpoint::json() const {
  nlohmann::json object = {{"POSTGRESQL_HOST", socket_dir},
                           {"POSTGRESQL_PORT", std::to_string(port)},
                           {"POSTGRESQL_USER", user},
                           {"POSTGRESQL_DATABASE", database},
                           {"PGURL", url}};
  object[url_var] = url;
  return object.dump();
}

std::string Endpoint::url_for(const std::string& other) const {
  return pq::socket_url(user, other, socket_dir, port);
}

// ---- start ----------------------------------------------------------------------------------

Endpoint start(const Config& config) {
  const auto working_dir = stdfs::absolute(config.working_dir).lexically_normal();
  const auto data_dir = working_dir / "data";
  const auto socket_dir = working_dir / "sock";
  std::error_code ec;
  auto status = stdfs::status(working_dir, ec);
  if (stdfs::exists(status) && !stdfs::is_directory(status))
    throw Error(ExitCode::internal, fmt::format("PG_WORKING_DIR is not a directory: {}", working_dir.string()),
                {"remove that file, or point PG_WORKING_DIR (or LOCAL_DIR) elsewhere"});
  auto socket = detail::socket_file(socket_dir, config.port);
  if (socket.native().size() > detail::k_max_socket_path)
    throw Error(ExitCode::missing_argument,
                fmt::format("socket path {} is {} bytes long; unix sockets allow at most {}", socket.string(),
                            socket.native().size(), detail::k_max_socket_path),
                {"use a shorter PG_WORKING_DIR (the socket lives in $PG_WORKING_DIR/sock)"});

  Endpoint endpoint;
  endpoint.socket_dir = socket_dir.string();
  endpoint.port = config.port;
  endpoint.user = superuser_of(config);
  if (config.reuse) endpoint.user = kept_superuser(data_dir).value_or(endpoint.user);
  endpoint.database = config.database;
  endpoint.url = pq::socket_url(endpoint.user, endpoint.database, endpoint.socket_dir, endpoint.port);
  endpoint.url_var = config.url_var;

  const auto signature = signature_of(config, socket_dir);
  if (config.reuse && running_as_requested(data_dir, socket_dir, config.port, signature, endpoint)) {
    logger().info("reusing the running server of {}", data_dir.string());
    ensure_database(endpoint);
    return endpoint;
  }

  // Everything that can be refused is checked before anything is touched.
  pgbin::program("pg_ctl");
  pgbin::program("postgres");
  if (!config.template_cache) pgbin::program("initdb");
  if (config.conf_file && !stdfs::is_regular_file(*config.conf_file, ec))
    throw Error(ExitCode::missing_argument,
                fmt::format("PG_CONF_FILE is not a readable file: {}", config.conf_file->string()));
  const auto preload = resolve_preload(config);
  const auto owner = owner_of(config);
  if (config.run_as) {
    for (const auto& path : {working_dir, config.log_path.value_or(working_dir)}) {
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

  make_dir(working_dir, owner, 0755);
  std::optional<detail::PidFile> pidfile;
  switch (detail::server_state(data_dir, &pidfile)) {
  case detail::ServerState::running:
    logger().info("stopping the server running on {} (pid {})", data_dir.string(), pidfile->pid);
    // A fresh init wipes the data: no need for the checkpoint of a fast shutdown.
    stop_server(data_dir, pidfile->pid, !(config.reuse && stdfs::exists(data_dir / "PG_VERSION", ec)));
    break;
  case detail::ServerState::stale:
    logger().info("removing the stale {} (no live server)", (data_dir / "postmaster.pid").string());
    stdfs::remove(data_dir / "postmaster.pid", ec);
    break;
  case detail::ServerState::none:
    break;
  }
  if (stdfs::exists(socket_dir, ec)) check_socket(socket_dir, config.port);

  bool reuse = config.reuse && stdfs::exists(data_dir / "PG_VERSION", ec);
  endpoint.fresh = !reuse;
  if (config.reuse && !reuse) logger().info("PG_REUSE is set but {} holds no cluster: creating one", data_dir.string());
  Trash trash(working_dir);
  if (!reuse) {
    trash.discard(data_dir);
    remove_tree(socket_dir);
    make_dir(socket_dir, owner);
    create_fresh(config, working_dir, data_dir);
  } else {
    make_dir(socket_dir, owner);
    if (!stdfs::exists(data_dir / k_superuser_file, ec)) write_owned(data_dir / k_superuser_file, endpoint.user + "\n", owner);
    if (owner) {
      struct stat st {};
      if (::stat(data_dir.c_str(), &st) == 0 && (st.st_uid != owner->uid || st.st_gid != owner->gid))
        detail::chown_tree(data_dir, *owner);
    }
  }
  write_runtime_settings(config, data_dir, socket_dir, preload, signature);
  auto server_log = config.log_path.value_or(working_dir) / detail::k_server_log;
  auto result = start_server(config, working_dir, data_dir, endpoint);
  if (!result.ok) {
    if (!reuse || !config.heal_damage || !detail::log_shows_damage(result.log))
      throw start_error(result, data_dir, server_log);
    auto broken = working_dir / ("data.broken-" + text::utc_stamp_for_filename());
    if (::rename(data_dir.c_str(), broken.c_str()) != 0)
      throw Error(ExitCode::generic, fmt::format("could not move the damaged {} aside: {}", data_dir.string(),
                                                 std::strerror(errno)));
    logger().warn("the kept cluster could not start because its data is damaged; moved it to {} and creating a "
                  "fresh cluster",
                  broken.string());
    for (const auto& line : detail::tail_lines(result.log, 4)) logger().warn("server log: {}", line);
    remove_tree(socket_dir);
    make_dir(socket_dir, owner);
    create_fresh(config, working_dir, data_dir);
    endpoint.fresh = true;
    write_runtime_settings(config, data_dir, socket_dir, preload, signature);
    result = start_server(config, working_dir, data_dir, endpoint);
    if (!result.ok) throw start_error(result, data_dir, server_log);
  }
  ensure_database(endpoint);
  logger().debug("server of {} ready on {}", data_dir.string(), socket.string());
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
  stop_server(data_dir, pidfile->pid);
  return StopOutcome::stopped;
}

// ---- TempCluster ----------------------------------------------------------------------------

struct TempCluster::Impl {
  Endpoint endpoint;
  std::unique_ptr<interrupt::CleanupGuard> guard; // stops and removes, once
};

TempCluster::TempCluster(Config config) : m_config(std::move(config)), m_impl(std::make_unique<Impl>()) {
  m_config.reuse = false;
  m_impl->guard = std::make_unique<interrupt::CleanupGuard>([working_dir = m_config.working_dir] {
    try {
      stop(working_dir);
    } catch (const std::exception& error) {
      logger().warn("could not stop the temporary cluster in {}: {}", working_dir.string(), error.what());
    }
    std::error_code ec;
    fs::remove_tree(working_dir, ec);
  });
  try {
    m_impl->endpoint = start(m_config);
  } catch (...) {
    m_impl->guard->run();
    throw;
  }
}

TempCluster::~TempCluster() {
  if (m_impl) m_impl->guard->run();
}

const Endpoint& TempCluster::endpoint() const { return m_impl->endpoint; }

} // namespace hectic::cluster
