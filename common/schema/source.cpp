// Sources of a diff. File sources share one throw-away cluster made from the template cache
// (cluster::TempCluster), one database per source.
#include "common/schema/source.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <pg_config.h>

#include "common/base/error.hpp"
#include "common/base/fs.hpp"
#include "common/base/log.hpp"
#include "common/cluster/cluster.hpp"
#include "common/migrate/migrate.hpp"
#include "common/pg/quote.hpp"
#include "common/script/script.hpp"

namespace hectic::schema {
namespace stdfs = std::filesystem;
namespace {

const log::Logger k_log("migrator diff");

enum class FileKind { sql, entrypoint_dir, migration_dir };

FileKind file_kind(const std::string& source) {
  std::error_code ec;
  if (stdfs::is_regular_file(source, ec)) return FileKind::sql;
  if (stdfs::is_directory(source, ec)) {
    if (stdfs::exists(stdfs::path(source) / "entrypoint.sql", ec)) return FileKind::entrypoint_dir;
    if (!migrate::load_directory(source).empty()) return FileKind::migration_dir;
    throw Error(ExitCode::missing_argument,
                fmt::format("{} is a directory with neither entrypoint.sql nor migrations", source));
  }
  throw Error(ExitCode::missing_argument, fmt::format("source {} is neither a file, a directory nor a database URL", source),
              {"pass a postgres:// URL, a .sql file, a directory with entrypoint.sql, or a migration directory"});
}

// The server account must reach the cluster under a root-owned private temp dir.
fs::TempDir cluster_parent() {
  fs::TempDir dir("hectic-diff");
  fs::set_permissions(dir.path(), stdfs::perms::owner_all | stdfs::perms::group_exec | stdfs::perms::others_exec);
  return dir;
}

void create_roles(pq::Connection& connection, const std::vector<std::string>& roles) {
  for (const auto& role : roles) {
    auto r = connection.exec_params("SELECT 1 FROM pg_roles WHERE rolname = $1", {role});
    if (r.rows() == 0) connection.exec("CREATE ROLE " + pq::quote_identifier(role) + " NOLOGIN");
  }
}

// "could not open extension control file ".../NAME.control"": the local server lacks it.
void name_missing_extension(const script::ScriptError& e) {
  std::string message = e.what();
  auto end = message.find(".control\"");
  if (end == std::string::npos) return;
  auto start = message.rfind('/', end) + 1;
  auto name = message.substr(start, end - start);
  throw Error(ExitCode::generic,
              fmt::format("{}:{}: extension {} is not installed on the local PostgreSQL {} server", e.file().string(),
                          e.line(), name, PG_MAJORVERSION),
              {fmt::format("install it (on Debian: apt-get install postgresql-{}-{}), or compare with a URL of a "
                           "server that has it", PG_MAJORVERSION, name)});
}

void load_script(const std::string& url, const stdfs::path& file) {
  pq::Connection connection(url, "migrator diff");
  // A throw-away database: no commit waits for the disk (a desired state of thousands of
  // statements would otherwise spend its time in WAL flushes).
  connection.exec("SET check_function_bodies = off; SET synchronous_commit = off");
  script::Options options;
  try {
    script::native_runner(connection)->run_file(file, options);
  } catch (const script::ScriptError& e) {
    name_missing_extension(e);
    throw;
  }
}

} // namespace

struct Sources::Impl {
  std::optional<fs::TempDir> parent;
  std::unique_ptr<cluster::TempCluster> cluster;
  int databases = 0;

  const cluster::Endpoint& endpoint() {
    if (cluster) return cluster->endpoint();
    parent.emplace(cluster_parent());
    auto config = cluster::Config::for_working_dir(parent->path() / "postgresql");
    config.reuse = false;
    config.log_path.reset();
    k_log.info("starting a throw-away cluster for the file sources");
    cluster = std::make_unique<cluster::TempCluster>(config);
    return cluster->endpoint();
  }

  std::string new_database(const std::vector<std::string>& roles) {
    const auto& ep = endpoint();
    pq::Connection admin(ep.url, "migrator diff");
    create_roles(admin, roles);
    auto name = fmt::format("source_{}", ++databases);
    admin.exec("CREATE DATABASE " + name + " TEMPLATE template0");
    return ep.url_for(name);
  }
};

Sources::Sources() : m_impl(std::make_unique<Impl>()) {}
Sources::~Sources() = default;

Side Sources::open(const std::string& source, const std::vector<std::string>& roles, bool hook) {
  if (is_connection_string(source)) return {pq::redact(source), source, true};
  auto kind = file_kind(source);
  auto url = m_impl->new_database(roles);
  migrate::Options options;
  options.url = url;
  options.command = "diff";
  if (hook || kind == FileKind::migration_dir) migrate::init(options);
  if (kind == FileKind::migration_dir) {
    options.migration_dir = source;
    migrate::migrate(options, migrate::Verb::up, "all");
  } else {
    load_script(url, kind == FileKind::sql ? stdfs::path(source) : stdfs::path(source) / "entrypoint.sql");
  }
  return {source, url, false};
}

bool is_connection_string(const std::string& text) {
  return text.rfind("postgres://", 0) == 0 || text.rfind("postgresql://", 0) == 0 ||
         (text.find('=') != std::string::npos && !std::filesystem::exists(text));
}

std::vector<std::string> user_roles(pq::Connection& connection) {
  auto r = connection.exec("SELECT rolname FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY 1");
  std::vector<std::string> roles;
  for (int i = 0; i < r.rows(); ++i) roles.push_back(r.get(i, 0));
  return roles;
}

std::vector<std::string> user_roles(const std::vector<std::string>& urls, std::size_t jobs) {
  std::set<std::string> roles;
  std::mutex roles_mutex;
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i; (i = next++) < urls.size();) {
      try {
        pq::Connection connection(urls[i], "migrator diff");
        auto found = user_roles(connection);
        const std::lock_guard lock(roles_mutex);
        roles.insert(found.begin(), found.end());
      } catch (const std::exception& e) {
        k_log.debug("roles not read from {}: {}", pq::redact(urls[i]), e.what());
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < std::max<std::size_t>(1, std::min(jobs, urls.size())); ++t) pool.emplace_back(worker);
  for (auto& thread : pool) thread.join();
  return {roles.begin(), roles.end()};
}

} // namespace hectic::schema
