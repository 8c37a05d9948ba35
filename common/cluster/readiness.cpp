#include "common/cluster/server.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <libpq-fe.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "common/base/fd.hpp"
#include "common/base/process.hpp"
#include "common/cluster/damage.hpp"
#include "common/cluster/datadir.hpp"
#include "common/cluster/internal.hpp"
#include "common/cluster/pidfile.hpp"
#include "common/pg/pgbin.hpp"

namespace hectic::cluster::detail {
namespace stdfs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* k_exited = "the server exited during startup";

std::uintmax_t size_of(const stdfs::path& path) {
  std::error_code ec;
  auto size = stdfs::file_size(path, ec);
  return ec ? 0 : size;
}

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
    std::string text = read_file_or_empty(server_log, server_log_size);
    std::error_code ec;
    for (auto it = stdfs::directory_iterator(collector_dir, ec); !ec && it != stdfs::directory_iterator();
         it.increment(ec)) {
      auto found = collector_sizes.find(it->path());
      text += read_file_or_empty(it->path(), found == collector_sizes.end() ? 0 : found->second);
    }
    return text;
  }
};

// The server log under PG_LOG_PATH or the working dir, created (owned by the server account)
// so that the server can append to it.
stdfs::path open_server_log(const Config& config, const stdfs::path& working_dir) {
  const auto owner = owner_of(config);
  auto log_dir = config.log_path ? *config.log_path : working_dir;
  {
    std::error_code ec;
    if (!stdfs::exists(log_dir, ec)) make_dir(log_dir, owner, 0755);
  }
  auto server_log = log_dir / k_server_log;
  // O_NOFOLLOW: as root, a link the server account planted here must not hand it our fchown.
  UniqueFd fd(::open(server_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640));
  if (!fd && errno == ELOOP)
    throw Error(ExitCode::generic,
                fmt::format("refusing to open the server log {}: it is a symbolic link", server_log.string()),
                {"remove the link; the log is created as a plain file"});
  if (!fd)
    throw Error(ExitCode::generic,
                fmt::format("could not open the server log {}: {}", server_log.string(), std::strerror(errno)),
                {"check PG_LOG_PATH"});
  if (owner) (void)::fchown(fd.get(), owner->uid, owner->gid);
  return server_log;
}

// pg_ctl start without -w (it polls every 100 ms), with -l so the postmaster never holds our
// stdout/stderr.
process::Result run_pg_ctl_start(const Config& config, const stdfs::path& working_dir, const stdfs::path& data_dir,
                                 const stdfs::path& server_log) {
  process::Options options;
  options.run_as = config.run_as;
  options.cwd = working_dir;
  options.timeout = 30s;
  auto pg_ctl = pgbin::program("pg_ctl");
  return process::run(pg_ctl, {"start", "-D", data_dir.string(), "-l", server_log.string(), "-W", "-s"}, options);
}

// Watches a starting server between pings: failure is the postmaster pid vanishing, or the
// server giving up before it wrote its pidfile.
class StartupWatch {
public:
  StartupWatch(stdfs::path data_dir, std::string conninfo, const LogMark& mark)
      : m_data_dir(std::move(data_dir)), m_conninfo(std::move(conninfo)), m_mark(mark) {}

  // Why the server is not coming up, or nullopt while it may still come up.
  std::optional<std::string> failure() {
    if (auto pidfile = read_pidfile(m_data_dir)) {
      m_seen_pid = pidfile->pid;
      if (!process_alive(pidfile->pid)) return k_exited;
    } else if (m_seen_pid != 0) {
      if (!process_alive(m_seen_pid)) return k_exited;
    } else if (size_of(m_mark.server_log) > m_mark.server_log_size) {
      if (gave_up_before_pidfile()) return k_exited;
    } else if (Clock::now() - m_started > 10s) {
      return "the server did not create postmaster.pid within 10 s";
    }
    return std::nullopt;
  }

  // The postmaster's pid, once its pidfile was seen (0 before).
  pid_t seen_pid() const { return m_seen_pid; }
  Clock::time_point started() const { return m_started; }

private:
  // The postmaster writes its pidfile early; log lines without one mean it gave up before
  // (bad data dir permissions, unreadable config ...) or only warned (then the pidfile
  // follows: give it time).
  bool gave_up_before_pidfile() {
    if (!m_log_grew_at) m_log_grew_at = Clock::now();
    auto said = read_file_or_empty(m_mark.server_log, m_mark.server_log_size);
    bool fatal = said.find("FATAL:") != std::string::npos || said.find("PANIC:") != std::string::npos;
    if (!(fatal || Clock::now() - *m_log_grew_at > 500ms) || read_pidfile(m_data_dir)) return false;
    std::this_thread::sleep_for(20ms);
    return !read_pidfile(m_data_dir) && PQping(m_conninfo.c_str()) != PQPING_OK;
  }

  stdfs::path m_data_dir;
  std::string m_conninfo;
  const LogMark& m_mark;
  Clock::time_point m_started = Clock::now();
  pid_t m_seen_pid = 0;
  std::optional<Clock::time_point> m_log_grew_at;
};

// The postmaster says it accepts connections: line 8 of postmaster.pid is "ready" (or
// "standby"), as pg_ctl's wait_for_postmaster_start reads it (src/bin/pg_ctl/pg_ctl.c). A
// connection before that is refused with a FATAL "the database system is starting up" line
// in the server log on every start. A pidfile that never gets a status line (a server older
// than 10) is pinged after a while.
bool pidfile_says_ready(const stdfs::path& data_dir, Clock::time_point started) {
  auto pidfile = read_pidfile(data_dir);
  if (!pidfile) return false;
  if (pidfile->status == "ready" || pidfile->status == "standby") return true;
  return pidfile->status.empty() && Clock::now() - started > 2s;
}

// Readiness by the pidfile's status line, then PQping on the socket, every few ms, until
// k_start_timeout. On a timeout a half-started server is stopped.
void wait_until_ready(const stdfs::path& data_dir, const std::string& conninfo, const LogMark& mark,
                      StartResult& outcome) {
  StartupWatch watch(data_dir, conninfo, mark);
  const auto deadline = watch.started() + k_start_timeout;
  while (Clock::now() < deadline) {
    if (pidfile_says_ready(data_dir, watch.started()) && PQping(conninfo.c_str()) == PQPING_OK) {
      outcome.ok = true;
      logger().debug("server ready after {} ms",
                     std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - watch.started()).count());
      return;
    }
    if (auto failure = watch.failure()) {
      outcome.reason = *failure;
      return;
    }
    std::this_thread::sleep_for(k_poll);
  }
  outcome.reason = fmt::format("the server was not ready within {} s", k_start_timeout.count());
  if (watch.seen_pid() != 0 && process_alive(watch.seen_pid())) {
    // Do not leave a half-started server behind.
    try {
      stop_server(data_dir, watch.seen_pid());
    } catch (const Error&) {
    }
  }
}

} // namespace

StartResult start_server(const Config& config, const stdfs::path& working_dir, const stdfs::path& data_dir,
                         const Endpoint& endpoint) {
  auto server_log = open_server_log(config, working_dir);
  auto mark = LogMark::take(server_log, data_dir);
  StartResult outcome;
  outcome.log_since_start = [mark] { return mark.since(); };
  auto pg_ctl = run_pg_ctl_start(config, working_dir, data_dir, server_log);
  if (!pg_ctl.ok()) {
    outcome.log = mark.since() + pg_ctl.err;
    outcome.reason = fmt::format("pg_ctl start {}", pg_ctl.describe());
    return outcome;
  }
  wait_until_ready(data_dir, conninfo_for(endpoint, "postgres"), mark, outcome);
  if (outcome.ok) return outcome;
  // Give the collector a moment to flush what the failing server said.
  std::this_thread::sleep_for(20ms);
  outcome.log = mark.since();
  return outcome;
}

Error start_error(const StartResult& result, const stdfs::path& data_dir, const stdfs::path& server_log) {
  std::string first;
  for (const auto& line : tail_lines(result.log, 200)) {
    if (line.find("FATAL:") != std::string::npos || line.find("PANIC:") != std::string::npos) {
      auto at = line.find("FATAL:") != std::string::npos ? line.find("FATAL:") : line.find("PANIC:");
      first = line.substr(at);
      break;
    }
  }
  std::vector<std::string> hints;
  for (const auto& line : tail_lines(result.log, 6)) hints.push_back("server log: " + line);
  hints.push_back(fmt::format("full server log: {} (and {}/log)", server_log.string(), data_dir.string()));
  hints.push_back("the data directory was left untouched");
  return Error(ExitCode::ambiguous,
               fmt::format("the server of {} could not start: {}", data_dir.string(),
                           first.empty() ? result.reason : first),
               std::move(hints));
}

} // namespace hectic::cluster::detail
