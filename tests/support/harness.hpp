#pragma once
// Test support: binaries under test, per-test sandboxes with their own cluster dirs, running
// a tool with a given environment. Real servers only; nothing here mocks anything.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hectic::test {

// The built binary of a tool ("postgres-init", "migrator", ...). HECTIC_TEST_BIN_DIR overrides
// (the unprivileged pass runs copies from a directory that account can read).
std::filesystem::path tool(const std::string& name);
// The repository root (for examples/, tests/golden/ ...).
std::filesystem::path source_dir();

// Outcome of a tool run.
struct Run {
  int code = -1;
  std::string out;
  std::string err;
};

// A fresh directory for one test (under $HECTIC_TEST_TMPDIR or /tmp), traversable by the server
// account; at the end any cluster under it is stopped (postgres-cleanup) and it is removed
// (kept, with its path printed, when HECTIC_KEEP_TEST_DIRS=1).
class Sandbox {
public:
  Sandbox();
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  const std::filesystem::path& path() const { return m_path; }
  // LOCAL_DIR=path, PG_WORKING_DIR=path/focus/postgresql, HECTIC_CACHE_DIR (shared test cache),
  // PG_SHARED_PRELOAD_LIBRARIES unset, connection variables unset. Tests add or override.
  std::map<std::string, std::string>& env() { return m_env; }
  std::filesystem::path working_dir() const { return m_path / "focus" / "postgresql"; }

  // Runs a tool with env() plus extra (an empty value in extra unsets the variable when
  // prefixed "-": {"-PG_REUSE", ""}). Bounded by timeout_seconds.
  Run run(const std::string& tool_name, const std::vector<std::string>& args,
          const std::map<std::string, std::string>& extra = {},
          std::optional<std::string> stdin_data = {}, int timeout_seconds = 120) const;
  // The same for any program (psql, pg_dump ...), by absolute path.
  Run run_program(const std::filesystem::path& program, const std::vector<std::string>& args,
                  const std::map<std::string, std::string>& extra = {},
                  std::optional<std::string> stdin_data = {}, int timeout_seconds = 120) const;

  // Writes a file under the sandbox (creating parent dirs); returns its path.
  std::filesystem::path write(const std::filesystem::path& relative, const std::string& content) const;

  // Starts the sandbox cluster with postgres-init and returns the PGURL it exported; REQUIREs
  // success.
  std::string start_cluster(const std::map<std::string, std::string>& extra = {});
  // psql -XAtq -c sql against url; returns stdout, REQUIREs success.
  std::string psql(const std::string& url, const std::string& sql) const;

private:
  std::filesystem::path m_path;
  std::map<std::string, std::string> m_env;
};

// The same connection with another database name.
std::string database_url(const std::string& url, const std::string& dbname);
// CREATE DATABASE name (from template0) in the cluster at cluster_url, then the sql run in it
// when not empty; returns its URL.
std::string create_database(const Sandbox& sandbox, const std::string& cluster_url, const std::string& name,
                            const std::string& sql = "");

// Value of NAME in `export NAME='value'` lines (postgres-init output).
std::optional<std::string> exported(const std::string& exports, const std::string& name);

} // namespace hectic::test
