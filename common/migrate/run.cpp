// The migrator's commands that change a database outside a plan: init, migrate, mark-applied.
// Plan/apply are in plan.cpp, the execution of migrations in execute.cpp, the history checks
// in history.cpp, the session and the lock in session.cpp, the run log in run_log.cpp, what
// is only reported in report.cpp.
#include <algorithm>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/log.hpp"
#include "common/migrate/bundle.hpp"
#include "common/migrate/execute.hpp"
#include "common/migrate/history.hpp"
#include "common/migrate/migrate.hpp"
#include "common/migrate/run_log.hpp"
#include "common/migrate/session.hpp"

namespace hectic::migrate {
namespace {

const log::Logger k_log{"migrator"};

std::vector<std::string> names_of(const std::vector<Migration>& files) {
  std::vector<std::string> names;
  for (const auto& m : files) names.push_back(m.name);
  return names;
}

} // namespace

void init(const Options& options) {
  require_url(options);
  MigrationLock lock(options);
  auto connection = connect(options);
  bundle::apply(*connection);
  k_log.notice("hectic bundle {} applied to {}", bundle::version(), connection->describe());
}

RunResult migrate(const Options& options, Verb verb, const std::optional<std::string>& argument) {
  require_url(options);
  const auto files = load_directory(options.migration_dir);
  MigrationLock lock(options);
  auto connection = connect(options);
  bundle::ensure(*connection);
  RunLog log(*connection, options.command);
  try {
    const auto applied = read_history(*connection);
    const auto check = check_history(files, applied);
    enforce_history(files, applied, check, options.force);
    const std::size_t current = current_position(files, applied, check);
    if (options.force) warn_left_behind(files, applied, current);
    const std::size_t target = resolve_target(verb, argument, current, names_of(files));
    const auto steps = plan_steps(files, applied, current, target);
    return run_steps(*connection, options, files, current, landing_position(files, applied, current, target),
                     steps, log);
  } catch (const Error& e) {
    log.finish("failed", {}, describe_failure(e));
    throw;
  }
}

bool mark_applied(const Options& options, const std::string& name) {
  require_url(options);
  const auto files = load_directory(options.migration_dir);
  auto it = std::find_if(files.begin(), files.end(), [&](const Migration& m) { return m.name == name; });
  if (it == files.end())
    throw Error(ExitCode::generic, fmt::format("unknown migration '{}' in mark-applied", name),
                {"run `migrator list` to see the migration names"});
  if (!it->up) throw Error(ExitCode::generic, fmt::format("migration {} has no up.sql", name));
  MigrationLock lock(options);
  auto connection = connect(options);
  bundle::ensure(*connection);
  const auto applied = read_history(*connection);
  for (const auto& a : applied)
    if (a.name == name) {
      k_log.notice("migration {} is already applied", name);
      return false;
    }
  const auto check = check_history(files, applied);
  enforce_history(files, applied, check, options.force);
  const std::size_t next = current_position(files, applied, check);
  if (!options.force && (next >= files.size() || files[next].name != name))
    throw Error(ExitCode::generic,
                fmt::format("migration {} is not the next pending migration (that is {})", name,
                            next < files.size() ? files[next].name : std::string("none")),
                {"mark the pending migrations in order, or pass --force"});
  connection->exec_params("INSERT INTO hectic.migration (name, hash) VALUES ($1, $2)",
                          {name, hash_file(*it->up)});
  k_log.warn("MARKED {} AS APPLIED WITHOUT RUNNING IT (its up file was not executed)", name);
  return true;
}

} // namespace hectic::migrate
