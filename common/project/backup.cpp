#include "common/project/backup.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "common/cluster/detail.hpp"
#include "common/cluster/internal.hpp"
#include "common/project/layout.hpp"
#include "common/base/env.hpp"
#include "common/base/error.hpp"
#include "common/base/fs.hpp"
#include "common/base/log.hpp"
#include "common/base/progress.hpp"
#include "common/pg/pgbin.hpp"
#include "common/pg/pq.hpp"
#include "common/pg/quote.hpp"
#include "common/base/process.hpp"

namespace hectic::backup {
namespace stdfs = std::filesystem;
namespace {

const log::Logger k_log{"db backup"};
const log::Logger k_restore_log{"db restore"};
const log::Logger k_normalize_log{"db normalize-backup"};

bool is_file(const stdfs::path& path) {
  std::error_code ec;
  return stdfs::is_regular_file(path, ec);
}

// base.tar.gz, else base.tar.
std::optional<stdfs::path> member(const stdfs::path& dir, const std::string& stem) {
  for (const auto& name : {stem + ".tar.gz", stem + ".tar"})
    if (is_file(dir / name)) return dir / name;
  return std::nullopt;
}

void extract(const stdfs::path& archive, const stdfs::path& into) {
  // GNU tar detects gzip by itself when reading.
  process::Options options;
  options.timeout = std::nullopt; // moves the whole backup: no bound, Ctrl-C still stops it
  process::run_checked("tar", {"-xf", archive.string(), "-C", into.string()}, options);
}

// Moves every entry of from into to (same file system).
void move_entries(const stdfs::path& from, const stdfs::path& to) {
  for (const auto& entry : fs::list_directory(from)) fs::rename(entry, to / entry.filename());
}

// What was unpacked must be a PostgreSQL data dir: a start on anything else would create a
// fresh, empty cluster and report success.
void require_data_dir(const stdfs::path& backup, const stdfs::path& data_dir) {
  if (!is_file(data_dir / "PG_VERSION"))
    throw Error(ExitCode::generic,
                fmt::format("backup {} holds no PostgreSQL data directory (no PG_VERSION in its base archive)",
                            backup.string()),
                {"a backup directory holds base.tar.gz and pg_wal.tar.gz (database backup makes one)"});
}

void remove_leftovers(const stdfs::path& data_dir) {
  // A tar's "." entry may carry any mode; the server insists on 0700 (or 0750).
  fs::set_permissions(data_dir, stdfs::perms::owner_all);
  for (const char* name : {"standby.signal", "recovery.signal", "recovery.conf", "postmaster.pid", "postmaster.opts"}) {
    std::error_code ec;
    stdfs::remove(data_dir / name, ec);
  }
}

// The server account's ownership for a data dir we filled as root.
void hand_over(const cluster::Config& config) {
  if (!config.run_as || !process::running_as_root()) return;
  cluster::detail::chown_tree(config.working_dir, {config.run_as->uid, config.run_as->gid});
}

// Private whatever the umask: these files sit in backups and data dirs of production data.
void write_text(const stdfs::path& path, const std::string& text) {
  fs::write_file_atomic(path, text, {.mode = 0600, .new_file_mode = 0600, .owner = std::nullopt, .follow_symlink = false});
}

stdfs::path absolute_clean(const stdfs::path& path) { return stdfs::weakly_canonical(stdfs::absolute(path)); }

// a is b or an ancestor of b.
bool contains(const stdfs::path& a, const stdfs::path& b) {
  auto ai = a.begin(), bi = b.begin();
  for (; ai != a.end(); ++ai, ++bi) {
    if (ai->empty()) continue; // trailing separator
    if (bi == b.end() || *ai != *bi) return false;
  }
  return true;
}

// An output dir is replaced as a whole, so it must be new, empty, or an earlier backup: a
// mistyped -o naming a directory of the user's never gets emptied.
void check_replaceable(const stdfs::path& dir) {
  std::error_code ec;
  if (!stdfs::exists(stdfs::symlink_status(dir, ec))) return;
  if (!stdfs::is_directory(stdfs::symlink_status(dir, ec)))
    throw Error(ExitCode::generic, fmt::format("output {} exists and is not a directory", dir.string()),
                {"choose a new directory with -o PATH"});
  if (stdfs::is_empty(dir, ec) || member(dir, "base")) return;
  throw Error(ExitCode::generic,
              fmt::format("output {} exists and holds no backup (no base.tar.gz): refusing to replace it",
                          dir.string()),
              {"choose a new or empty directory with -o PATH, or remove this one yourself"});
}

// An empty private (0700) sibling of dir with an unpredictable name (mkdtemp), removed unless
// kept: nobody can plant a link or a file where the new backup is assembled.
fs::TempDir staging_beside(const stdfs::path& dir) {
  const auto target = absolute_clean(dir);
  return fs::TempDir(target.filename().string() + ".tmp", target.parent_path());
}

// A backup holds the cluster's data: its files 0600 in a 0700 directory, whatever the umask
// tar and pg_basebackup created them with.
void make_private(const stdfs::path& dir) {
  fs::set_permissions(dir, stdfs::perms::owner_all);
  for (const auto& entry : fs::list_directory(dir))
    if (std::error_code ec; stdfs::is_regular_file(entry, ec))
      fs::set_permissions(entry, stdfs::perms::owner_read | stdfs::perms::owner_write);
}

// Replaces dir by staged (a sibling) in one rename, after removing the old dir.
void replace_dir(const stdfs::path& staged, const stdfs::path& dir) {
  std::error_code ec;
  stdfs::remove_all(dir, ec);
  fs::rename(staged, dir);
}

// pg_basebackup needs a `replication` hba entry. postgres-init writes one; a cluster whose hba
// file predates that (kept by the shell tools) gets the same trust for replication on the local
// socket (no wider access than `local all all trust`) and a reload.
// Only a server on this machine's socket: a remote server's hba path names a file over there.
void allow_local_replication(const std::string& url) {
  auto keywords = pq::parse_conninfo(url);
  auto host = keywords.count("host") ? keywords["host"] : std::string();
  if (!host.empty() && host.front() != '/' && host.front() != '@') return; // TCP: not ours to edit
  pq::Connection connection(url, "database backup");
  auto rules = connection.exec(
      "SELECT count(*) FROM pg_hba_file_rules WHERE type = 'local' AND 'replication' = ANY(database)");
  if (rules.scalar() != "0") return;
  auto hba = stdfs::path(connection.exec("SHOW hba_file").scalar());
  if (::access(hba.c_str(), W_OK) != 0) {
    k_log.warn("the server allows no replication on the local socket and {} is not writable here", hba.string());
    return;
  }
  auto text = fs::read_file(hba);
  if (!text.empty() && text.back() != '\n') text += '\n';
  text += "# added by database backup: pg_basebackup over the local socket\n"
          "local   replication  all   trust\n";
  std::ofstream out(hba, std::ios::trunc);
  out << text;
  if (!out) fail(ExitCode::generic, "cannot add a replication line to {}", hba.string());
  out.close();
  connection.exec("SELECT pg_reload_conf()");
  k_log.info("allowed replication on the local socket in {}", hba.string());
}

} // namespace

ScratchDir::ScratchDir(stdfs::path dir, const std::string& what)
    : m_dir(std::move(dir)), m_lock(m_dir, what), m_guard([d = m_dir] { remove(d); }) {
  std::error_code ec;
  if (stdfs::exists(m_dir, ec)) remove(m_dir);
  fs::create_directories(m_dir);
}

ScratchDir::~ScratchDir() { m_guard.run(); }

void ScratchDir::remove(const stdfs::path& dir) noexcept {
  try {
    cluster::stop(dir);
  } catch (const std::exception& e) {
    k_log.warn("cannot stop the server of {}: {}", dir.string(), e.what());
  }
  std::error_code ec;
  stdfs::remove_all(dir, ec);
}


void create(const std::string& url, const stdfs::path& dir) {
  check_replaceable(dir);
  auto keywords = pq::parse_conninfo(url);
  if (dir.has_parent_path()) fs::create_directories(dir.parent_path());
  auto staging = staging_beside(dir); // pg_basebackup fills an existing empty directory
  const auto& staged = staging.path();
  k_log.info("pg_basebackup of {} into {}", pq::redact(url), dir.string());
  allow_local_replication(url);
  process::Options options;
  options.timeout = std::nullopt; // copies the whole cluster: no bound, Ctrl-C still stops it
  std::vector<std::string> args{"--pgdata=" + staged.string(), "--format=tar", "--gzip", "--wal-method=stream",
                                "--checkpoint=fast", "--no-password",
                                "--dbname=" + pq::conninfo_for_child(url, options.env_set)};
  if (progress::shown()) {
    // On a terminal pg_basebackup's own byte count is the progress (it writes to stderr).
    args.push_back("--progress");
    options.output = process::Output::inherit;
  }
  progress::Phase phase("pg_basebackup");
  process::run_checked(pgbin::program("pg_basebackup"), args, options);
  if (keywords.count("dbname") && !keywords["dbname"].empty())
    write_text(staged / "database_name", keywords["dbname"] + "\n");
  make_private(staged);
  replace_dir(staged, dir);
  staging.keep(); // it is dir now; on a failure staging removes the partial backup
}

void unpack(const stdfs::path& backup, const stdfs::path& data_dir, bool archive) {
  std::error_code ec;
  if (!stdfs::exists(backup, ec))
    throw Error(ExitCode::generic, fmt::format("backup {} does not exist", backup.string()),
                {"create one with: database backup"});
  fs::create_directories(data_dir);
  fs::set_permissions(data_dir, stdfs::perms::owner_all);
  stdfs::path source = backup;
  std::optional<fs::TempDir> unpacked;
  if (archive || is_file(backup)) {
    unpacked.emplace("backup-archive", data_dir.parent_path());
    extract(backup, unpacked->path());
    source = unpacked->path();
    // An archive of a backup directory may hold it as its one top-level entry.
    auto entries = fs::list_directory(source);
    if (entries.size() == 1 && stdfs::is_directory(entries.front(), ec)) source = entries.front();
    if (is_file(source / "PG_VERSION")) {
      move_entries(source, data_dir);
      remove_leftovers(data_dir);
      return;
    }
  }
  auto base = member(source, "base");
  if (!base)
    throw Error(ExitCode::generic, fmt::format("backup {} has no base.tar.gz", backup.string()),
                {"a backup directory holds base.tar.gz and pg_wal.tar.gz (database backup makes one)"});
  extract(*base, data_dir);
  if (auto wal = member(source, "pg_wal")) {
    fs::create_directories(data_dir / "pg_wal");
    extract(*wal, data_dir / "pg_wal");
  }
  remove_leftovers(data_dir);
  require_data_dir(backup, data_dir);
}

std::optional<std::string> database_name(const stdfs::path& backup) {
  auto file = backup / "database_name";
  if (!is_file(file)) return std::nullopt;
  auto text = fs::read_file(file);
  auto end = text.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) return std::nullopt;
  return text.substr(0, end + 1);
}

cluster::Endpoint restore_into(cluster::Config config, const stdfs::path& backup, bool archive) {
  std::error_code ec;
  if (!stdfs::exists(backup, ec))
    throw Error(ExitCode::generic, fmt::format("backup {} does not exist", backup.string()),
                {"create one with: database backup"});
  // Whatever can fail on the backup alone (its database_name, its archives, its contents)
  // fails before anything is stopped: the cluster stays as it was, running, its data intact.
  auto restored = config;
  if (auto name = database_name(backup)) restored.database = *name;
  restored.reuse = true;
  restored.heal_damage = false; // a backup that cannot start is an error, never a fresh cluster
  config.reuse = true;          // what put_back restarts is the previous data, as it was
  config.heal_damage = false;
  // A signal's cleanups wait until this returns: data/ is never swapped back by the watcher
  // while the restored server starts (issue 11). A signal that came meanwhile is handled here:
  // the previous data is put back and the staging dir removed before the watcher exits 130.
  interrupt::Critical restoring;
  fs::create_directories(config.working_dir);
  fs::TempDir staging(".restore", config.working_dir);
  auto staged = staging.path() / "data";
  {
    progress::Phase phase("unpacking " + backup.string());
    unpack(backup, staged, archive);
  }
  if (interrupt::requested()) throw Error(ExitCode::interrupted, "restore interrupted by a signal");

  k_restore_log.info("stopping the cluster of {}", config.working_dir.string());
  const bool was_running = cluster::stop(config.working_dir) == cluster::StopOutcome::stopped;
  auto data = config.data_dir();
  auto previous = staging.path() / "previous-data";
  const bool had_data = stdfs::exists(data, ec);
  if (had_data && ::rename(data.c_str(), previous.c_str()) != 0) {
    Error error(ExitCode::generic, fmt::format("cannot move {} aside for the restore: {}", data.string(),
                                               std::strerror(errno)));
    if (was_running) cluster::start(config);
    throw error;
  }

  // From here until the restored server is up, data/ is not the user's: a failure or a signal
  // puts the previous data back (and restarts its server after a failure, if it ran). The
  // staging dir's removal then takes the failed restore with it. Returns what to tell the user.
  auto put_back = [&, had_data, was_running](bool restart) -> std::string {
    try {
      cluster::stop(config.working_dir);
      if (stdfs::exists(data, ec)) fs::rename(data, staging.path() / "failed-data");
      if (!had_data) return fmt::format("{} held no data before the restore", config.working_dir.string());
      fs::rename(previous, data);
      if (!was_running || !restart) return fmt::format("the previous {} is back in place", data.string());
      try {
        cluster::start(config);
        return fmt::format("the previous {} is back in place and its server running again", data.string());
      } catch (const std::exception& failed) {
        return fmt::format("the previous {} is back in place; its server did not restart: {}", data.string(),
                           failed.what());
      }
    } catch (const std::exception& e) {
      staging.keep();
      return fmt::format("could not put the previous data back ({}): it is kept in {}", e.what(), previous.string());
    }
  };
  try {
    fs::rename(staged, data);
    hand_over(config);
    k_restore_log.info("starting the restored cluster (database {})", restored.database);
    progress::Phase phase("starting the restored cluster");
    auto endpoint = cluster::start(restored);
    if (interrupt::requested()) throw Error(ExitCode::interrupted, "restore interrupted by a signal");
    return endpoint;
  } catch (Error& error) {
    error.with_hint(put_back(!interrupt::requested()));
    throw;
  } catch (...) {
    k_restore_log.warn("{}", put_back(!interrupt::requested()));
    throw;
  }
}

void check_distinct(const stdfs::path& input, const stdfs::path& output) {
  auto in = absolute_clean(input), out = absolute_clean(output);
  if (in == out)
    throw Error(ExitCode::generic, fmt::format("output {} is the input backup", out.string()),
                {"choose another directory with -o PATH"});
  if (contains(in, out))
    throw Error(ExitCode::generic, fmt::format("output {} is inside the input backup {}", out.string(), in.string()),
                {"choose a directory outside the input with -o PATH"});
  if (contains(out, in))
    throw Error(ExitCode::generic, fmt::format("output {} contains the input backup {}", out.string(), in.string()),
                {"choose a directory that does not contain the input with -o PATH"});
}

namespace {

// A LOGIN SUPERUSER role named role, created when the backup has none.
void ensure_superuser_role(pq::Connection& connection, const std::string& role) {
  if (connection.exec_params("SELECT count(*) FROM pg_roles WHERE rolname = $1", {role}).scalar() != "0") return;
  connection.exec("CREATE ROLE " + pq::quote_identifier(role) + " LOGIN SUPERUSER");
  k_normalize_log.info("created role {}", role);
}

// The database, owned by owner when it is new or still owned by the admin role it was created
// as (cluster::start creates it as the role it connects as).
void ensure_owned_database(pq::Connection& connection, const std::string& database, const std::string& owner,
                           const std::string& admin) {
  auto found = connection.exec_params(
      "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", {database});
  if (found.rows() == 0) {
    connection.exec("CREATE DATABASE " + pq::quote_identifier(database) + " OWNER " + pq::quote_identifier(owner));
    k_normalize_log.info("created database {}", database);
  } else if (found.get(0, 0) == admin && admin != owner) {
    connection.exec("ALTER DATABASE " + pq::quote_identifier(database) + " OWNER TO " + pq::quote_identifier(owner));
  }
}

// The throw-away cluster of normalize: the unpacked backup with local access and config. The
// admin role (--admin-role) is recorded as the cluster's superuser so that starting it
// connects as a role the backup has (a production backup has none named after our account).
cluster::Config prepare_normalize_cluster(const NormalizeOptions& options, const stdfs::path& work,
                                          const std::string& database) {
  auto config = cluster::Config::for_working_dir(work);
  config.log_path.reset();
  config.preload_libraries.clear();
  config.preload_explicit = false;
  config.reuse = true;
  config.heal_damage = false;
  config.database = database;
  auto data = config.data_dir();
  unpack(options.input, data, options.archive);
  // Local access and config: trust on the socket only; the cluster unit forces the runtime
  // settings (socket, port, logging) when it starts.
  write_text(data / "pg_hba.conf", cluster::detail::render_hba_conf());
  write_text(data / "pg_ident.conf", "");
  write_text(data / "postgresql.conf", "# replaced by database normalize-backup\n" + cluster::detail::render_base_conf());
  write_text(data / "postgresql.auto.conf", "# replaced by database normalize-backup\n");
  write_text(data / cluster::detail::k_superuser_file,
             options.admin_role.value_or(cluster::detail::superuser_of(config)) + "\n");
  hand_over(config);
  return config;
}

// The local account's role and --role, superusers; the database owned by --role.
void normalize_roles(const cluster::Config& config, const cluster::Endpoint& endpoint,
                     const NormalizeOptions& options, const std::string& database) {
  const auto local = cluster::detail::superuser_of(config);
  const auto role = options.role.value_or(local);
  pq::Connection connection(pq::socket_url(endpoint.user, "postgres", endpoint.socket_dir, endpoint.port),
                            "database normalize-backup");
  ensure_superuser_role(connection, local);
  ensure_superuser_role(connection, role);
  ensure_owned_database(connection, database, role, endpoint.user);
  connection.exec("CHECKPOINT");
}

// Packs the stopped data dir as output/base.tar.gz + database_name, replacing output at once.
void pack_normalized(const stdfs::path& data, const stdfs::path& output, const std::string& database) {
  std::error_code ec;
  // The restore connects as its own server account (kept_superuser falls back to the owner).
  for (const char* leftover : {"log", "postmaster.opts", cluster::detail::k_superuser_file})
    stdfs::remove_all(data / leftover, ec);
  auto staging = staging_beside(output);
  const auto& staged = staging.path();
  process::Options pack;
  pack.timeout = std::nullopt; // packs the whole cluster: no bound, Ctrl-C still stops it
  process::run_checked("tar", {"-czf", (staged / "base.tar.gz").string(), "-C", data.string(), "."}, pack);
  make_private(staged);
  write_text(staged / "database_name", database + "\n");
  replace_dir(staged, output);
  staging.keep(); // it is output now; on a failure staging removes the partial archive
}

} // namespace

void normalize(const NormalizeOptions& options) {
  check_distinct(options.input, options.output);
  std::error_code ec;
  if (!stdfs::exists(options.input, ec))
    throw Error(ExitCode::generic, fmt::format("backup {} does not exist", options.input.string()),
                {"pass the production backup directory (base.tar.gz, pg_wal.tar.gz) as PATH"});
  check_replaceable(options.output);
  auto parent = absolute_clean(options.output).parent_path();
  fs::create_directories(parent);
  ScratchDir work(layout::scratch_parent() / fmt::format(".normalize-{}", ::getpid()));

  auto database = options.database ? *options.database
                                   : database_name(options.input).value_or(env::get_or("PG_DATABASE", "testdb"));
  auto config = [&] {
    progress::Phase phase("unpacking " + options.input.string());
    return prepare_normalize_cluster(options, work.path(), database);
  }();
  k_normalize_log.info("starting the backup in a throw-away cluster to normalise it");
  {
    progress::Phase phase("normalizing roles and access");
    auto endpoint = cluster::start(config);
    normalize_roles(config, endpoint, options, database);
    // Stop before the guard's removal: the data dir is what we pack.
    cluster::stop(config.working_dir);
  }
  progress::Phase phase("packing " + options.output.string());
  pack_normalized(config.data_dir(), options.output, database);
}

} // namespace hectic::backup
