#include "common/project/target.hpp"

#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/base/env.hpp"
#include "common/base/error.hpp"
#include "common/base/fs.hpp"
#include "common/base/log.hpp"
#include "common/base/text.hpp"
#include "common/cluster/cluster.hpp"
#include "common/cluster/detail.hpp"
#include "common/pg/pq.hpp"

namespace hectic::target {
namespace {

const log::Logger k_log{"database"};

constexpr const char* k_no_url = "no database URL: pass -u/--url, or set DB_URL or PGURL (or the variable PG_URL_VAR names)";

// DB_URL, PGURL and $PG_URL_VAR that are set and not empty: name and value, in that order.
std::vector<std::pair<std::string, std::string>> url_variables() {
  std::vector<std::pair<std::string, std::string>> set;
  for (const char* name : {"DB_URL", "PGURL"})
    if (auto value = env::get(name); value && !value->empty()) set.emplace_back(name, *value);
  if (auto var = env::get("PG_URL_VAR"); var && env::is_identifier(*var) && *var != "DB_URL" && *var != "PGURL")
    if (auto value = env::get(var->c_str()); value && !value->empty()) set.emplace_back(*var, *value);
  return set;
}

// Config::from_env(), its missing-variable error reworded to name every URL source.
cluster::Config project_config() {
  try {
    return cluster::Config::from_env();
  } catch (const Error& error) {
    if (error.code() != ExitCode::missing_argument) throw;
    throw Error(ExitCode::missing_argument, fmt::format("{}; the project's cluster is unknown: {}", k_no_url, error.what()),
                error.hints());
  }
}

// Bytes of the regular files under dir (not following links); unreadable parts are skipped.
std::uintmax_t tree_size(const std::filesystem::path& dir) {
  std::uintmax_t total = 0;
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(dir, std::filesystem::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      auto size = it->file_size(size_ec);
      if (!size_ec) total += size;
    }
  }
  return total;
}

// The running server's version (SHOW server_version); nullopt when it does not answer.
std::optional<std::string> running_version(const std::string& url) {
  try {
    pq::Connection connection(url, "database status");
    return connection.exec("SHOW server_version").scalar();
  } catch (const Error&) {
    return std::nullopt;
  }
}

// data/PG_VERSION (the major version the data was made by); nullopt without one.
std::optional<std::string> data_version(const std::filesystem::path& data_dir) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(data_dir / "PG_VERSION", ec)) return std::nullopt;
  return std::string(text::trim(fs::read_file(data_dir / "PG_VERSION")));
}

} // namespace

std::string project_cluster_url() {
  auto config = project_config();
  auto endpoint = cluster::endpoint_of(config);
  if (cluster::detail::server_state(config.data_dir()) != cluster::detail::ServerState::running)
    throw Error(ExitCode::missing_argument,
                fmt::format("{}; the project's cluster ({}) is not running", k_no_url, config.working_dir.string()),
                {"start it: database deploy (or database init --reuse)"});
  return endpoint.url;
}

std::string resolve_url(const std::optional<std::string>& explicit_url) {
  if (explicit_url && !explicit_url->empty()) return *explicit_url;
  if (auto set = url_variables(); !set.empty()) return set.front().second;
  auto url = project_cluster_url();
  k_log.info("no -u, DB_URL or PGURL: using the project's cluster {}", url);
  return url;
}

void note_ignored_url_variables(const char* command, const std::string& project_url) {
  for (const auto& [name, value] : url_variables())
    if (value != project_url)
      k_log.info("{} is set but ignored: database {} acts on the project's cluster unless -u is given", name, command);
}

std::string project_url_unless_explicit(const std::optional<std::string>& explicit_url, const char* command) {
  if (explicit_url && !explicit_url->empty()) return *explicit_url;
  auto url = project_cluster_url();
  note_ignored_url_variables(command, url);
  return url;
}

ClusterStatus project_cluster_status() {
  auto config = project_config();
  ClusterStatus status;
  status.url = cluster::endpoint_of(config).url;
  status.data_dir = std::filesystem::absolute(config.data_dir()).lexically_normal().string();
  std::optional<cluster::detail::PidFile> pidfile;
  status.running = cluster::detail::server_state(config.data_dir(), &pidfile) == cluster::detail::ServerState::running;
  if (status.running && pidfile) status.pid = pidfile->pid;
  status.size_bytes = tree_size(config.data_dir());
  if (status.running) status.server_version = running_version(status.url);
  if (!status.server_version) status.server_version = data_version(config.data_dir());
  return status;
}

std::string status_json(const ClusterStatus& status) {
  nlohmann::json object = {{"running", status.running},
                           {"pid", nullptr},
                           {"url", status.url},
                           {"data_dir", status.data_dir},
                           {"size_bytes", status.size_bytes},
                           {"server_version", nullptr}};
  if (status.pid) object["pid"] = *status.pid;
  if (status.server_version) object["server_version"] = *status.server_version;
  return object.dump();
}

std::string status_text(const ClusterStatus& status) {
  std::string state = status.running ? fmt::format("running (pid {})", status.pid.value_or(0)) : "not running";
  return fmt::format("state:    {}\nurl:      {}\ndata dir: {}\nsize:     {} bytes\nversion:  {}\n", state, status.url,
                     status.data_dir, status.size_bytes, status.server_version.value_or("-"));
}

} // namespace hectic::target
