#include "common/cluster/datadir.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/fd.hpp"
#include "common/base/fs.hpp"
#include "common/base/process.hpp"
#include "common/cluster/conf.hpp"
#include "common/cluster/damage.hpp"
#include "common/cluster/internal.hpp"
#include "common/cluster/spares.hpp"
#include "common/cluster/template_cache.hpp"
#include "common/pg/pgbin.hpp"
#include "common/pg/quote.hpp"

namespace hectic::cluster::detail {
namespace stdfs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// initdb into data_dir, as the server account.
void run_initdb(const Config& config, const stdfs::path& working_dir, const stdfs::path& data_dir) {
  auto initdb = pgbin::program("initdb");
  process::Options options;
  options.run_as = config.run_as;
  options.cwd = working_dir;
  options.timeout = std::chrono::minutes(5);
  options.dies_with_parent = true; // a killed init leaves no initdb behind
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
  options.dies_with_parent = true;
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
  for (const auto& line : tail_lines(result.err, 3)) logger().warn("postgres: {}", line);
  return false;
}

// initdb into data_dir, then the database created offline; when that fails, initdb once more
// (ensure_database() then creates the database online) and false: the data dir is no template
// for the key, which promises the database inside.
bool run_initdb_with_database(const Config& config, const stdfs::path& working_dir, const stdfs::path& data_dir) {
  logger().debug("running initdb for {}", data_dir.string());
  run_initdb(config, working_dir, data_dir);
  if (create_database_offline(config, working_dir, data_dir)) return true;
  remove_tree(data_dir);
  run_initdb(config, working_dir, data_dir);
  return false;
}

// postgresql.conf (PG_CONF_FILE, else initdb's plus ours), pg_hba.conf and the superuser record
// of a new data dir.
void write_fresh_settings(const Config& config, const stdfs::path& data_dir, const std::optional<Owner>& owner) {
  std::string base;
  if (config.conf_file) {
    base = fs::read_file(*config.conf_file);
  } else {
    base = read_file_or_empty(data_dir / "postgresql.conf") + render_base_conf();
  }
  write_owned(data_dir / "postgresql.conf", with_include_last(base), owner);
  write_owned(data_dir / "pg_hba.conf", render_hba_conf(), owner);
  write_owned(data_dir / k_superuser_file, superuser_of(config) + "\n", owner);
}

} // namespace

// The last component may sit in a directory the server account writes (the socket dir in the
// working dir): it is opened as open_own_dir says and changed only through its fd.
void make_dir(const stdfs::path& path, const std::optional<Owner>& owner, mode_t mode) {
  std::error_code ec;
  if (path.has_parent_path()) stdfs::create_directories(path.parent_path(), ec);
  if (!ec && ::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) ec.assign(errno, std::generic_category());
  if (ec)
    throw Error(ExitCode::generic, fmt::format("could not create directory {}: {}", path.string(), ec.message()));
  UniqueFd dir = open_own_dir(path);
  if (!dir || ::fchmod(dir.get(), mode) != 0 || (owner && ::fchown(dir.get(), owner->uid, owner->gid) != 0))
    throw Error(ExitCode::generic, fmt::format("could not create directory {}: {}", path.string(), std::strerror(errno)));
}

void remove_tree(const stdfs::path& path) {
  std::error_code ec;
  fs::remove_tree(path, ec);
  if (ec)
    throw Error(ExitCode::generic, fmt::format("could not remove {}: {}", path.string(), ec.message()),
                {"remove it by hand, or point PG_WORKING_DIR elsewhere"});
}

// The directory is the server account's: a link planted there is refused, never followed.
void write_owned(const stdfs::path& path, std::string_view content, const std::optional<Owner>& owner) {
  fs::write_file_atomic(path, content, {.mode = 0600, .owner = owner, .follow_symlink = false});
}

namespace {

// A complete fresh data dir at data_dir (which does not exist); the template it makes, if any,
// is published by the CacheUpdate once the server answers.
CacheUpdate build_fresh(const Config& config, const stdfs::path& working_dir, const stdfs::path& data_dir) {
  const auto owner = owner_of(config);
  bool from_template = false;
  std::string key;
  if (config.template_cache) {
    key = template_key(cached_server_version(config), superuser_of(config), config.database);
    from_template = spares::take(spare_pool(config, key), data_dir) || copy_template(config, data_dir, key);
  }
  StagedTemplate staged;
  if (!from_template && run_initdb_with_database(config, working_dir, data_dir) && config.template_cache)
    staged = stage_template(config, data_dir, key);
  write_fresh_settings(config, data_dir, owner);
  if (!config.template_cache) return {};
  return CacheUpdate(config, key, working_dir, std::move(staged));
}

} // namespace

// Built under a .trash- name and renamed into place once complete: a kill -9 during the init
// leaves no half-made data/ (the next start's Trash removes the leftover).
CacheUpdate create_fresh(const Config& config, const stdfs::path& working_dir, const stdfs::path& data_dir) {
  auto staging = working_dir / fmt::format(".trash-init-{}", ::getpid());
  remove_tree(staging);
  CacheUpdate cache_update = build_fresh(config, working_dir, staging);
  remove_tree(data_dir);
  if (::rename(staging.c_str(), data_dir.c_str()) != 0)
    throw Error(ExitCode::generic, fmt::format("could not move the new cluster {} to {}: {}", staging.string(),
                                               data_dir.string(), std::strerror(errno)));
  return cache_update;
}

void write_runtime_settings(const Config& config, const stdfs::path& data_dir, const stdfs::path& socket_dir,
                            const std::vector<std::string>& preload, const std::string& signature) {
  const auto owner = owner_of(config);
  RuntimeSettings settings;
  settings.data_dir = data_dir;
  settings.socket_dir = socket_dir;
  settings.port = config.port;
  settings.logging = config.logging;
  settings.preload = preload;
  settings.cron_database = config.database;
  settings.signature = signature;
  write_owned(data_dir / k_runtime_conf, render_runtime_conf(settings), owner);
  auto conf_path = data_dir / "postgresql.conf";
  auto conf = read_file_or_empty(conf_path);
  auto wanted = with_include_last(conf);
  if (wanted != conf) write_owned(conf_path, wanted, owner);
}

// initdb makes the account that ran it the superuser. A kept cluster's role is recorded in
// data/hectic.superuser (written when we create or first reuse it); a cluster made elsewhere
// (the shell tools, another PG_RUN_AS) is owned by the account that ran initdb.
std::optional<std::string> kept_superuser(const stdfs::path& data_dir) {
  auto recorded = read_file_or_empty(data_dir / k_superuser_file);
  while (!recorded.empty() && (recorded.back() == '\n' || recorded.back() == ' ')) recorded.pop_back();
  if (!recorded.empty()) return recorded;
  struct stat st {};
  if (::stat((data_dir / "PG_VERSION").c_str(), &st) != 0 || st.st_uid == 0) return std::nullopt;
  if (const passwd* owner = ::getpwuid(st.st_uid)) return std::string(owner->pw_name);
  return std::nullopt;
}

void adopt_kept_data(const Config& config, const stdfs::path& data_dir, const std::string& superuser) {
  const auto owner = owner_of(config);
  std::error_code ec;
  // A data dir link the server account planted would take root's writes and chown elsewhere.
  if (UniqueFd checked = open_own_dir(data_dir); !checked)
    throw Error(ExitCode::generic, fmt::format("cannot open {}: {}", data_dir.string(), std::strerror(errno)));
  if (!stdfs::exists(data_dir / k_superuser_file, ec)) write_owned(data_dir / k_superuser_file, superuser + "\n", owner);
  if (!owner) return;
  struct stat st {};
  if (::lstat(data_dir.c_str(), &st) == 0 && (st.st_uid != owner->uid || st.st_gid != owner->gid))
    chown_tree(data_dir, *owner);
}

// Old data is moved aside at once (a rename) and deleted when the new cluster is up, by a
// detached `setsid -f rm -rf` so postgres-init does not wait for it: deleting a data dir that
// was written back to disk takes seconds on a disk mounted with `discard` (measured here), and
// deleting it concurrently with the copy only slows the copy down. Without setsid the deletion
// is done in-process.
Trash::~Trash() {
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

void Trash::discard(const stdfs::path& path) {
  std::error_code ec;
  if (!stdfs::exists(stdfs::symlink_status(path, ec))) return;
  auto trash = m_working_dir / fmt::format(".trash-{}-{}-{}", path.filename().string(), ::getpid(), m_count++);
  if (::rename(path.c_str(), trash.c_str()) != 0) remove_tree(path);
}

} // namespace hectic::cluster::detail
