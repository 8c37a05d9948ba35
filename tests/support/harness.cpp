#include "tests/support/harness.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <thread>
#include <iostream>

#include "common/base/env.hpp"
#include "common/base/fs.hpp"
#include "common/pg/conninfo.hpp"
#include "common/pg/pgbin.hpp"
#include "common/base/process.hpp"

namespace hectic::test {

namespace stdfs = std::filesystem;

namespace {

// Variables a developer's shell may carry that would change what a tool under test does.
const std::vector<std::string> k_scrubbed = {
    "PGURL", "DB_URL", "PG_REUSE", "PG_CONF_FILE", "PG_LOG_PATH", "PG_DATABASE", "PG_PORT",
    "PG_URL_VAR", "PG_DISABLE_LOGGING", "PG_RUN_AS", "PG_INIT_CACHE", "PG_INIT_SPARES", "DATABASE_DIR",
    "MIGRATION_DIR", "DATABASE_SOURCE", "HYDRATE_ENTRYPOINT", "PROFILE_DIR", "PATCH_SQL",
    "PATCH_LOG", "HYDRATE_LOG", "HECTIC_DOTENV_FILE", "HECTIC_DOTENV_CONTENT", "ENVIRONMENT",
    "STAGING_SSH_HOST", "STAGING_DB_URL", "STAGING_DUMP_TABLES", "STAGING_DUMP_FLAGS",
    "HECTIC_LOG", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD", "SQL_RUNNER",
    "CODEBUILD_BUILD_NUMBER", "BUILD_NUMBER", "BUILD_ID", "CI_JOB_ID", "GITHUB_RUN_ID", "PAGER",
    "EDITOR", "S3_BUCKET", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_DEFAULT_REGION", "AWS_REGION", "DB_HOST", "DB_PORT", "DB_USER", "DB_PASSWORD", "DB_NAME"};

stdfs::path test_root() {
  auto dir = env::get("HECTIC_TEST_TMPDIR");
  return dir && !dir->empty() ? stdfs::path(*dir) : stdfs::temp_directory_path();
}

// One template cache per account for the whole suite: the first test pays for initdb.
stdfs::path shared_cache_dir() {
  auto dir = env::get("HECTIC_TEST_CACHE_DIR");
  if (dir && !dir->empty()) return *dir;
  return test_root() / fmt::format("hectic-test-cache-{}", ::geteuid());
}

std::optional<std::string> unquote_shell(std::string_view text) {
  if (text.size() < 2 || text.front() != '\'') return std::nullopt;
  std::string value;
  size_t i = 1;
  while (i < text.size()) {
    if (text[i] == '\'') {
      if (text.substr(i, 4) == "'\\''") {
        value += '\'';
        i += 4;
        continue;
      }
      return value;
    }
    value += text[i++];
  }
  return std::nullopt;
}

} // namespace

stdfs::path tool(const std::string& name) {
  if (auto dir = env::get("HECTIC_TEST_BIN_DIR"); dir && !dir->empty()) return stdfs::path(*dir) / name;
  if (name == "postgres-init") {
#ifdef HECTIC_TOOL_POSTGRES_INIT
    return HECTIC_TOOL_POSTGRES_INIT;
#endif
  } else if (name == "postgres-cleanup") {
#ifdef HECTIC_TOOL_POSTGRES_CLEANUP
    return HECTIC_TOOL_POSTGRES_CLEANUP;
#endif
  } else if (name == "database") {
#ifdef HECTIC_TOOL_DATABASE
    return HECTIC_TOOL_DATABASE;
#endif
  } else if (name == "migrator") {
#ifdef HECTIC_TOOL_MIGRATOR
    return HECTIC_TOOL_MIGRATOR;
#endif
  }
  return stdfs::path(HECTIC_BINARY_DIR) / "tools" / name;
}

stdfs::path source_dir() {
  // The unprivileged pass stages the sources its account can read.
  if (auto dir = env::get("HECTIC_TEST_SOURCE_DIR"); dir && !dir->empty()) return *dir;
  return HECTIC_SOURCE_DIR;
}

Sandbox::Sandbox() {
  fs::TempDir dir("hectic-test", test_root());
  dir.keep();
  m_path = dir.path();
  // The server account (postgres, when we are root) must traverse it.
  ::chmod(m_path.c_str(), 0755);
  m_env["LOCAL_DIR"] = m_path.string();
  m_env["PG_WORKING_DIR"] = working_dir().string();
  m_env["HECTIC_CACHE_DIR"] = shared_cache_dir().string();
  // pg_cron costs a background worker per cluster; the tests that need it set it back.
  m_env["PG_SHARED_PRELOAD_LIBRARIES"] = "";
  m_env["NO_COLOR"] = "1";
}

Sandbox::~Sandbox() {
  // Stop every cluster under the sandbox: a test must never leave a server behind. The default
  // working dir first, then any other data dir found. postgres-init deletes old data dirs in
  // the background, so entries may vanish while we look: an error skips that entry, never the
  // rest of the scan.
  std::vector<stdfs::path> working_dirs = {working_dir()};
  std::error_code ec;
  for (auto it = stdfs::recursive_directory_iterator(m_path, stdfs::directory_options::skip_permission_denied, ec);
       !ec && it != stdfs::recursive_directory_iterator();) {
    if (it.depth() > 6) it.disable_recursion_pending();
    else if (it->path().filename() == "postmaster.pid") working_dirs.push_back(it->path().parent_path().parent_path());
    it.increment(ec);
    if (ec) {
      ec.clear();
      if (it == stdfs::recursive_directory_iterator()) break;
      it.pop(ec);
    }
  }
  std::sort(working_dirs.begin(), working_dirs.end());
  working_dirs.erase(std::unique(working_dirs.begin(), working_dirs.end()), working_dirs.end());
  for (const auto& dir : working_dirs) {
    if (!stdfs::exists(dir / "data" / "postmaster.pid", ec)) continue;
    try {
      process::Options options;
      options.timeout = std::chrono::seconds(30);
      // pg_ctl must run as the server's account; postgres-cleanup knows how.
      options.env_set = m_env;
      options.env_set["PG_WORKING_DIR"] = dir.string();
      process::run(tool("postgres-cleanup"), {}, options);
    } catch (const std::exception& e) {
      std::cerr << "sandbox cleanup: " << e.what() << "\n";
    }
  }
  if (env::flag("HECTIC_KEEP_TEST_DIRS")) {
    std::cerr << "kept test dir: " << m_path.string() << "\n";
    return;
  }
  // A background deletion may still be emptying a trash dir: retry until the tree is gone.
  for (int attempt = 0; attempt < 50; ++attempt) {
    fs::remove_tree(m_path, ec);
    if (!stdfs::exists(m_path, ec)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Run Sandbox::run_program(const stdfs::path& program, const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& extra,
                         std::optional<std::string> stdin_data, int timeout_seconds) const {
  process::Options options;
  options.timeout = std::chrono::seconds(timeout_seconds);
  options.stdin_data = std::move(stdin_data);
  options.env_unset = k_scrubbed;
  options.env_set = m_env;
  options.cwd = m_path;
  for (const auto& [name, value] : extra) {
    if (!name.empty() && name.front() == '-') {
      options.env_set.erase(name.substr(1));
      options.env_unset.push_back(name.substr(1));
    } else {
      options.env_set[name] = value;
    }
  }
  auto result = process::run(program, args, options);
  if (result.timed_out) FAIL(fmt::format("{} timed out after {} s", program.string(), timeout_seconds));
  return Run{result.signal != 0 ? 128 + result.signal : result.exit_code, result.out, result.err};
}

Run Sandbox::run(const std::string& tool_name, const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& extra,
                 std::optional<std::string> stdin_data, int timeout_seconds) const {
  return run_program(tool(tool_name), args, extra, std::move(stdin_data), timeout_seconds);
}

stdfs::path Sandbox::write(const stdfs::path& relative, const std::string& content) const {
  stdfs::path target = m_path / relative;
  stdfs::create_directories(target.parent_path());
  fs::write_file_atomic(target, content);
  return target;
}

std::string Sandbox::start_cluster(const std::map<std::string, std::string>& extra) {
  auto result = run("postgres-init", {}, extra);
  INFO("postgres-init stderr: " << result.err);
  REQUIRE(result.code == 0);
  auto url = exported(result.out, "PGURL");
  REQUIRE(url);
  return *url;
}

std::string database_url(const std::string& url, const std::string& dbname) {
  auto keywords = pq::parse_conninfo(url);
  keywords["dbname"] = dbname;
  return pq::build_conninfo(keywords);
}

std::string create_database(const Sandbox& sandbox, const std::string& cluster_url, const std::string& name,
                            const std::string& sql) {
  sandbox.psql(cluster_url, "CREATE DATABASE " + name + " TEMPLATE template0");
  auto url = database_url(cluster_url, name);
  if (!sql.empty()) sandbox.psql(url, sql);
  return url;
}

std::string Sandbox::psql(const std::string& url, const std::string& sql) const {
  auto result = run_program(pgbin::program("psql"),
                            {"-XAtq", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql});
  INFO("psql stderr: " << result.err);
  REQUIRE(result.code == 0);
  std::string out = result.out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::optional<std::string> exported(const std::string& exports, const std::string& name) {
  std::string prefix = "export " + name + "=";
  size_t pos = 0;
  while (pos < exports.size()) {
    size_t end = exports.find('\n', pos);
    std::string_view line(exports.data() + pos, (end == std::string::npos ? exports.size() : end) - pos);
    if (line.substr(0, prefix.size()) == prefix) return unquote_shell(line.substr(prefix.size()));
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  return std::nullopt;
}

} // namespace hectic::test
