#include "common/project/deploy.hpp"

#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>

#include "common/migrate/bundle.hpp"
#include "common/project/dotenv.hpp"
#include "common/project/layout.hpp"
#include "common/project/owner_lock.hpp"
#include "common/project/target.hpp"
#include "common/base/env.hpp"
#include "common/base/error.hpp"
#include "common/base/fs.hpp"
#include "common/base/log.hpp"
#include "common/base/process.hpp"
#include "common/base/user_program.hpp"
#include "common/script/script.hpp"
#include "common/script/tap.hpp"

namespace hectic::deploy {
namespace {

const log::Logger k_log{"db deploy"};
const log::Logger k_hydrate_log{"db hydrate"};
const log::Logger k_patch_log{"db patch"};
const log::Logger k_test_log{"db test"};
const log::Logger k_check_log{"db check"};
const log::Logger k_cleanup_log{"db cleanup"};
const log::Logger k_secrets_log{"db secrets"};

// HYDRATE_LOG / PATCH_LOG, defaulting to $PG_LOG_PATH/<name>.stdout.log when PG_LOG_PATH is set.
std::optional<std::filesystem::path> output_log(const char* variable, const char* name) {
  if (auto value = env::get(variable); value && !value->empty()) return std::filesystem::path(*value);
  if (auto dir = env::get("PG_LOG_PATH"); dir && !dir->empty())
    return std::filesystem::path(*dir) / fmt::format("{}.stdout.log", name);
  return std::nullopt;
}

// Script output either to our stdout/stderr or appended to one log file.
class ScriptOutput {
public:
  explicit ScriptOutput(const std::optional<std::filesystem::path>& log_file) {
    if (!log_file) return;
    std::error_code ec;
    if (log_file->has_parent_path()) std::filesystem::create_directories(log_file->parent_path(), ec);
    m_file = std::make_unique<std::ofstream>(*log_file, std::ios::app);
    if (!*m_file) fail(ExitCode::generic, "cannot open log file {}", log_file->string());
    k_log.info("script output goes to {}", log_file->string());
  }
  void apply(script::Options& options) {
    if (m_file) options.out = options.err = m_file.get();
  }

private:
  std::unique_ptr<std::ofstream> m_file;
};

void require_file(const std::filesystem::path& path, const char* what, const char* hint) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw Error(ExitCode::generic, fmt::format("{} {} does not exist", what, path.string()), {hint});
}

} // namespace

void check_inherits(pq::Connection& connection, const std::vector<std::string>& tables) {
  for (const auto& table : tables) {
    if (!pq::relation_exists(connection, table))
      throw Error(ExitCode::no_such_table,
                  fmt::format("table '{}' given with --inherits does not exist", table),
                  {"create it first, or drop the -i/--inherits option"});
  }
}

void hydrate(const std::string& url, const HydrateOptions& options) {
  auto entrypoint = env::hydrate_entrypoint();
  require_file(entrypoint, "hydrate entrypoint",
               "set DATABASE_SOURCE / HYDRATE_ENTRYPOINT, or create db/src/entrypoint.sql");
  // The dotenv source is checked before anything touches the database.
  auto source = dotenv::resolve(std::nullopt, dotenv::Mode::hydrate);
  pq::Connection connection(url, "database hydrate");
  check_inherits(connection, options.inherits);
  if (options.hook) {
    k_hydrate_log.info("applying the hectic bundle {}", bundle::version());
    bundle::apply(connection);
  }
  if (source) {
    if (!options.hook) {
      auto has = connection.exec("SELECT to_regprocedure('hectic.load_secrets_from_env(text)') IS NOT NULL").scalar();
      if (has != "t")
        fail(ExitCode::generic, "cannot load secrets from {}: hectic.load_secrets_from_env does not exist (hydrate ran with --no-hook)",
             source->description);
    }
    bundle::load_secrets(connection, source->content);
    k_hydrate_log.info("loaded {} secret(s) from {}", dotenv::parse(source->content).size(), source->description);
  }
  script::Options script_options;
  if (options.mock) script_options.variables["USE_MOCK"] = "1";
  ScriptOutput output(options.log_file ? options.log_file : output_log("HYDRATE_LOG", "hydrate"));
  output.apply(script_options);
  k_hydrate_log.info("hydrating from {}{}", entrypoint.string(), options.mock ? " (USE_MOCK=1)" : "");
  auto runner = script::make_runner(connection, url);
  runner->run_file(entrypoint, script_options);
}

std::filesystem::path ensure_patch_file() {
  auto path = env::patch_sql();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    // Private from the start: pull_staging keeps the mode of the file it fills with staging rows.
    fs::write_file_atomic(path, "", {.mode = std::nullopt, .new_file_mode = 0600, .owner = std::nullopt, .follow_symlink = true});
    k_patch_log.info("created empty patch file {}", path.string());
  }
  return path;
}

void patch(const std::string& url, const std::vector<std::string>& inherits) {
  auto path = ensure_patch_file();
  pq::Connection connection(url, "database patch");
  check_inherits(connection, inherits);
  script::Options script_options;
  ScriptOutput output(output_log("PATCH_LOG", "patch"));
  output.apply(script_options);
  k_patch_log.info("patching from {}", path.string());
  auto runner = script::make_runner(connection, url);
  runner->run_file(path, script_options);
}

int edit_patch() {
  auto path = ensure_patch_file();
  // vi on a pipe waits for keys that never come (or garbles a CI log): refuse before starting it.
  if (::isatty(STDIN_FILENO) != 1 || ::isatty(STDOUT_FILENO) != 1)
    throw Error(ExitCode::generic,
                fmt::format("patch --edit needs a terminal (stdin and stdout): no editor started for {}", path.string()),
                {"run it from an interactive shell, or edit the file with any tool and run `database patch`"});
  auto editor = user_program::from_env("EDITOR", "vi");
  editor.args.push_back(path.string());
  process::Options options;
  options.output = process::Output::inherit;
  options.inherit_stdin = true;
  options.timeout = std::nullopt; // interactive or data-moving: no bound
  return process::run(editor.program, editor.args, options).exit_code;
}

int run_tests(const std::string& url, const std::vector<std::string>& inherits) {
  auto file = env::database_dir() / "test" / "test.sql";
  require_file(file, "test file", "write pgTAP tests in $DATABASE_DIR/test/test.sql");
  pq::Connection connection(url, "database test");
  check_inherits(connection, inherits);
  std::ostringstream out;
  script::Options script_options;
  script_options.out = &out;
  auto runner = script::make_runner(connection, url);
  try {
    runner->run_file(file, script_options);
  } catch (...) {
    std::cout << out.str() << std::flush;
    throw;
  }
  std::cout << out.str() << std::flush;
  auto tally = tap::read(out.str());
  if (tally.failed) k_test_log.error("{} of {} test(s) failed in {}", tally.failed, tally.total, file.string());
  if (tally.planned && *tally.planned != tally.total)
    k_test_log.error("planned {} test(s) but ran {} in {}", *tally.planned, tally.total, file.string());
  if (tally.ok()) k_test_log.info("{} test(s) passed", tally.total);
  return tally.ok() ? 0 : 1;
}

namespace {

dotenv::Source required_source(const std::optional<std::filesystem::path>& file) {
  auto source = dotenv::resolve(file, dotenv::Mode::strict);
  if (!source)
    throw Error(ExitCode::missing_argument,
                "no dotenv source: HECTIC_DOTENV_CONTENT, HECTIC_DOTENV_FILE and $LOCAL_DIR/.env.$ENVIRONMENT are all unset or unreadable",
                {"pass -f FILE, or set HECTIC_DOTENV_CONTENT / HECTIC_DOTENV_FILE / ENVIRONMENT"});
  return *source;
}

// The keys in hectic.secret now (none when the bundle was never applied), sorted.
std::set<std::string> stored_secret_keys(pq::Connection& connection) {
  std::set<std::string> keys;
  if (connection.exec("SELECT to_regclass('hectic.secret') IS NOT NULL").scalar() != "t") return keys;
  auto rows = connection.exec("SELECT key FROM hectic.secret");
  for (int row = 0; row < rows.rows(); ++row) keys.insert(rows.get(row, 0));
  return keys;
}

// --dry-run: "+ KEY" for each key the load adds, "- KEY" for each it removes (the load
// truncates the table first, sql/secret.sql); values are never printed. Nothing is written.
int preview_secrets(pq::Connection& connection, const dotenv::Source& source) {
  std::set<std::string> incoming;
  for (const auto& [key, value] : dotenv::parse(source.content)) incoming.insert(key);
  auto stored = stored_secret_keys(connection);
  int added = 0, removed = 0;
  for (const auto& key : incoming) {
    if (stored.count(key)) continue;
    std::cout << "+ " << key << "\n";
    ++added;
  }
  for (const auto& key : stored) {
    if (incoming.count(key)) continue;
    std::cout << "- " << key << "\n";
    ++removed;
  }
  std::cout << std::flush;
  k_secrets_log.info("dry run: {} key(s) to add, {} to remove, {} kept with the value from {}; nothing written",
                     added, removed, incoming.size() - static_cast<size_t>(added), source.description);
  return static_cast<int>(incoming.size());
}

} // namespace

int load_secrets(const std::string& url, const std::optional<std::filesystem::path>& file, bool dry_run) {
  auto source = required_source(file);
  pq::Connection connection(url, "database secrets");
  if (dry_run) return preview_secrets(connection, source);
  bundle::apply(connection);
  bundle::load_secrets(connection, source.content);
  auto count = static_cast<int>(dotenv::parse(source.content).size());
  k_secrets_log.info("loaded {} secret(s) from {} into {} (the table now holds exactly these)", count,
                     source.description, connection.describe());
  return count;
}

cluster::Endpoint init(bool reuse) {
  auto config = cluster::Config::from_env();
  config.reuse = config.reuse || reuse;
  return cluster::start(config);
}

namespace {

// hydrate + patch on a started cluster (deploy and check).
void fill(const std::string& url, const DeployOptions& options) {
  if (!options.inherits.empty()) {
    pq::Connection connection(url, "database deploy");
    check_inherits(connection, options.inherits);
  }
  if (options.reuse) {
    k_log.info("--reuse: keeping the existing data (no hydrate, no patch)");
    return;
  }
  if (options.hydrate) hydrate(url, HydrateOptions{true, options.mock, {}, std::nullopt});
  else k_log.info("skipping hydrate (--no-hydrate)");
  if (options.patch) patch(url);
  else k_log.info("skipping patch (--no-patch)");
}

} // namespace

cluster::Endpoint deploy(const DeployOptions& options) {
  auto config = cluster::Config::from_env();
  // PG_REUSE in the environment means what --reuse means; either keeps data only when there
  // is some: a deploy that had nothing to keep hydrates and patches its fresh cluster.
  if (config.reuse && !options.reuse) k_log.info("PG_REUSE is set: deploying as with --reuse");
  config.reuse = config.reuse || options.reuse;
  auto endpoint = cluster::start(config);
  DeployOptions fill_options = options;
  fill_options.reuse = config.reuse && !endpoint.fresh;
  if (config.reuse && endpoint.fresh)
    k_log.info("--reuse: no cluster to keep in {}; hydrating and patching a fresh one", config.working_dir.string());
  std::string url = options.url && !options.url->empty() ? *options.url : endpoint.url;
  k_log.info("deploying into {}", pq::redact(url));
  fill(url, fill_options);
  if (options.cleanup) {
    k_log.info("--cleanup: stopping the cluster");
    cluster::stop(config.working_dir);
  }
  return endpoint;
}

void check(const DeployOptions& options) {
  auto dir = layout::check_working_dir();
  // One check per directory: a second one is refused while the first lives, and what is
  // there once we hold the lock was left by a check that died.
  owner_lock::OwnerLock lock(dir, "check");
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    k_check_log.warn("removing a leftover check cluster in {} (its check is gone)", dir.string());
    cluster::stop(dir);
    fs::remove_tree(dir, ec);
  }
  auto config = cluster::Config::for_working_dir(dir);
  config.reuse = false;
  config.log_path.reset(); // the throw-away server logs stay inside the throw-away dir
  k_check_log.info("starting a throw-away cluster in {}", dir.string());
  cluster::TempCluster temp(config);
  DeployOptions check_options = options;
  check_options.reuse = false;
  fill(temp.endpoint().url, check_options);
  k_check_log.info("check passed; removing {}", dir.string());
}

void cleanup() {
  auto dir = env::pg_working_dir();
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec) && !std::filesystem::is_symlink(dir, ec)) {
    k_cleanup_log.info("nothing to remove: {} does not exist", dir.string());
    return;
  }
  if (!std::filesystem::is_directory(dir, ec))
    throw Error(ExitCode::internal, fmt::format("PG_WORKING_DIR {} is not a directory: not removing it", dir.string()),
                {"point PG_WORKING_DIR at the cluster's directory (default $LOCAL_DIR/focus/postgresql)"});
  if (!cluster::looks_like_working_dir(dir))
    throw Error(ExitCode::generic,
                fmt::format("{} holds no cluster (no data/ or sock/): not removing it", dir.string()),
                {"is PG_WORKING_DIR right? remove the directory yourself if it is yours to delete"});
  auto outcome = cluster::stop(dir);
  k_cleanup_log.info("{}", outcome == cluster::StopOutcome::stopped ? "server stopped" : "no server was running");
  fs::remove_tree(dir, ec);
  if (ec) fail(ExitCode::generic, "cannot remove {}: {}", dir.string(), ec.message());
  k_cleanup_log.info("removed {}", dir.string());
}

int run_migrator(const std::optional<std::string>& url, const std::vector<std::string>& args) {
  auto program = layout::migrator_program();
  process::Options options;
  options.output = process::Output::inherit;
  options.timeout = std::nullopt; // interactive or data-moving: no bound
  options.env_set["MIGRATION_DIR"] = env::migration_dir().string();
  try {
    options.env_set["DB_URL"] = target::resolve_url(url);
  } catch (const Error&) {
    // `migrator create/list` need no database; migrator reports a missing URL itself.
  }
  k_log.debug("running {}", process::format_argv(program, args));
  auto result = process::run(program, args, options);
  return result.signal ? 128 + result.signal : result.exit_code;
}

} // namespace hectic::deploy
