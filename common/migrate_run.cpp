// The migrator against a database: the advisory lock on a dedicated connection, the run log,
// executing migrations (one transaction each, the whole batch, or statement by statement for
// no-transaction files), status, plan/apply, mark-applied.
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "common/bundle.hpp"
#include "common/error.hpp"
#include "common/fs.hpp"
#include "common/interrupt.hpp"
#include "common/log.hpp"
#include "common/migrate.hpp"

namespace hectic::migrate {
namespace stdfs = std::filesystem;
using nlohmann::json;

namespace {

const log::Logger k_log{"migrator"};
const log::Logger k_lock_log{"migrator lock"};

// Session-level advisory lock key of the migrator ("hectic" + 'm'), taken on a dedicated
// connection that never holds a transaction open (so CREATE INDEX CONCURRENTLY in the work
// session does not wait for it).
constexpr long long k_lock_key = 0x686563746963006DLL;
// A lock timeout (55P03) is retried this many times, backing off from k_retry_backoff.
constexpr int k_lock_retries = 3;
constexpr std::chrono::milliseconds k_retry_backoff{500};

void require_url(const Options& options) {
  if (options.url.empty())
    throw Error(ExitCode::missing_argument, "no database url: DB_URL is not set",
                {"pass -u/--db-url URL or set DB_URL"});
}

// Interval text -> seconds, as the server parses it.
double interval_seconds(pq::Connection& connection, const std::string& text, const char* option) {
  try {
    return std::stod(connection.exec_params("SELECT extract(epoch FROM $1::interval)::float8", {text})
                         .scalar());
  } catch (const pq::SqlError&) {
    throw Error(ExitCode::generic, fmt::format("invalid {} value '{}'", option, text),
                {"use PostgreSQL interval text: 30s, 500ms, 2min"});
  }
}

std::unique_ptr<pq::Connection> connect(const Options& options) {
  require_url(options);
  auto connection = std::make_unique<pq::Connection>(options.url, "migrator");
  auto set = [&](const char* setting, const std::optional<std::string>& value, const char* option) {
    if (!value) return;
    try {
      connection->exec_params("SELECT set_config($1, $2, false)", {std::string(setting), *value});
    } catch (const pq::SqlError& e) {
      throw Error(ExitCode::generic, fmt::format("invalid {} value '{}': {}", option, *value,
                                                 e.server_message()),
                  {"use PostgreSQL interval text: 1s, 500ms, 2min"});
    }
    k_log.debug("session {} = {}", setting, *value);
  };
  // A migrator killed mid-statement (kill -9, CI timeout) must not leave its backend running
  // the rest of a long statement with locks held: the server checks the client every second
  // (PostgreSQL 14+; older servers ignore it).
  try {
    connection->exec("SET client_connection_check_interval = '1s'");
  } catch (const pq::SqlError&) {
  }
  set("lock_timeout", options.lock_timeout, "--lock-timeout");
  set("statement_timeout", options.statement_timeout, "--statement-timeout");
  return connection;
}

// The migration lock: pg_try_advisory_lock polled on its own autocommit connection, bounded
// by --lock-wait. Released when the connection closes (also when the process dies).
class MigrationLock {
public:
  explicit MigrationLock(const Options& options)
      : m_connection(std::make_unique<pq::Connection>(options.url, "migrator")) {
    const double wait = interval_seconds(*m_connection, options.lock_wait, "--lock-wait");
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(static_cast<long long>(wait * 1000));
    const pq::Params key{std::to_string(k_lock_key)};
    bool announced = false;
    auto delay = std::chrono::milliseconds(20);
    for (;;) {
      if (m_connection->exec_params("SELECT pg_try_advisory_lock($1::bigint)", key).scalar() == "t")
        break;
      if (std::chrono::steady_clock::now() >= deadline)
        throw Error(ExitCode::generic,
                    fmt::format("timed out after {} waiting for the migration lock{}",
                                options.lock_wait, holder()),
                    {"another migrator runs against this database; retry later or raise "
                     "--lock-wait"});
      if (!announced) {
        k_lock_log.info("waiting up to {} for the migration lock{}", options.lock_wait, holder());
        announced = true;
      }
      std::this_thread::sleep_for(delay);
      delay = std::min(delay * 2, std::chrono::milliseconds(200));
    }
    k_lock_log.debug("migration lock taken");
  }

  ~MigrationLock() {
    try {
      m_connection->exec_params("SELECT pg_advisory_unlock($1::bigint)",
                                {std::to_string(k_lock_key)});
    } catch (...) {
      // Closing the connection releases it anyway.
    }
  }

private:
  std::string holder() {
    try {
      auto r = m_connection->exec_params(
          "SELECT a.pid, coalesce(a.application_name, ''), "
          "       to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
          "FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid "
          "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
          "  AND l.classid = ($1::bigint >> 32)::oid AND l.objid = ($1::bigint & 4294967295)::oid "
          "  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
          {std::to_string(k_lock_key)});
      if (r.rows() == 0) return {};
      return fmt::format(" (held by pid {}, {}, connected since {} UTC)", r.get(0, 0),
                         r.get(0, 1).empty() ? "no application_name" : r.get(0, 1), r.get(0, 2));
    } catch (...) {
      return {};
    }
  }

  std::unique_ptr<pq::Connection> m_connection;
};

bool table_exists(pq::Connection& connection, const char* name) {
  return connection.exec_params("SELECT to_regclass($1) IS NOT NULL", {std::string(name)}).scalar() ==
         "t";
}

std::vector<Applied> read_history(pq::Connection& connection) {
  std::vector<Applied> out;
  if (!table_exists(connection, "hectic.migration")) return out;
  auto r = connection.exec(
      "SELECT name, hash, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
      "FROM hectic.migration ORDER BY name");
  for (int i = 0; i < r.rows(); ++i) out.push_back(Applied{r.get(i, 0), r.get(i, 1), r.get(i, 2)});
  return out;
}

std::vector<std::string> names_of(const std::vector<Migration>& files) {
  std::vector<std::string> names;
  for (const auto& m : files) names.push_back(m.name);
  return names;
}

// The run log row of this run (hectic.migration_run), written outside the migrations'
// transactions. Rows left 'running' by a run that died are marked 'aborted' (we hold the lock,
// so no other run can be in progress).
class RunLog {
public:
  RunLog(pq::Connection& connection, const std::string& command) : m_connection(connection) {
    m_connection.exec("UPDATE hectic.migration_run SET status = 'aborted', "
                      "error = coalesce(error, 'the run ended without recording its outcome') "
                      "WHERE status = 'running'");
    m_id = m_connection
               .exec_params("INSERT INTO hectic.migration_run (build_id, command) VALUES ($1, $2) "
                            "RETURNING id",
                            {ci_build_id(), command})
               .scalar();
    k_log.debug("run log row {} (build {})", m_id, ci_build_id());
  }

  const std::string& id() const { return m_id; }

  // Records the outcome; only the first call counts.
  void finish(const char* status, const std::vector<std::string>& migrations,
              const std::string& error = {}) {
    // After SIGINT/SIGTERM the interrupt cleanup records 'interrupted' itself.
    if (m_finished || interrupt::requested()) return;
    m_finished = true;
    try {
      m_connection.exec_params(
          "UPDATE hectic.migration_run SET status = $2, finished_at = clock_timestamp(), "
          "migrations = $3::text[], error = $4 WHERE id = $1",
          {m_id, std::string(status), pg_array(migrations),
           error.empty() ? std::optional<std::string>() : error});
    } catch (const std::exception& e) {
      k_log.warn("could not record the outcome in hectic.migration_run: {}", e.what());
    }
  }

  static std::string pg_array(const std::vector<std::string>& items) {
    std::string out = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i) out += ',';
      out += '"';
      for (char c : items[i]) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      out += '"';
    }
    return out + "}";
  }

private:
  pq::Connection& m_connection;
  std::string m_id;
  bool m_finished = false;
};

// Cancels the running statement and records the interruption when SIGINT/SIGTERM arrives (the
// interrupt unit then exits 130; the server rolls back the open transaction).
class InterruptHook {
public:
  InterruptHook(pq::Connection& connection, std::string url, std::string run_id)
      : m_cancel(PQgetCancel(connection.native())),
        m_guard([cancel = m_cancel, url = std::move(url), run_id = std::move(run_id)] {
          if (cancel) {
            char buffer[256];
            PQcancel(cancel, buffer, sizeof buffer);
          }
          try {
            pq::Connection side(url, "migrator");
            side.exec_params("UPDATE hectic.migration_run SET status = 'interrupted', "
                             "finished_at = clock_timestamp(), error = 'interrupted by a signal' "
                             "WHERE id = $1 AND status = 'running'",
                             {run_id});
          } catch (...) {
            // Best effort: the next run marks the row aborted.
          }
          k_log.error("interrupted: the migration in progress was rolled back");
        }) {}
  ~InterruptHook() {
    if (m_cancel) PQfreeCancel(m_cancel);
  }

private:
  PGcancel* m_cancel;
  interrupt::CleanupGuard m_guard;
};

// One migration file to run in a direction.
struct Step {
  const Migration* migration;
  bool up;
  stdfs::path file;
  std::string hash; // up: recorded in hectic.migration
  bool no_transaction;
};

void rollback_quietly(pq::Connection& connection) {
  if (PQtransactionStatus(connection.native()) == PQTRANS_IDLE) return;
  try {
    connection.exec("ROLLBACK");
  } catch (...) {
  }
}

void bookkeeping(pq::Connection& connection, const Step& step) {
  if (step.up)
    connection.exec_params("INSERT INTO hectic.migration (name, hash) VALUES ($1, $2)",
                           {step.migration->name, step.hash});
  else
    connection.exec_params("DELETE FROM hectic.migration WHERE name = $1", {step.migration->name});
}

std::string sqlstate_of(const std::exception& e) {
  if (auto* s = dynamic_cast<const script::ScriptError*>(&e)) return s->sqlstate();
  if (auto* s = dynamic_cast<const pq::SqlError*>(&e)) return s->sqlstate();
  return {};
}

std::string describe_failure(const std::exception& e) {
  std::string text = e.what();
  if (auto* err = dynamic_cast<const Error*>(&e))
    for (const auto& hint : err->hints()) text += "\nhint: " + hint;
  return text;
}

// Runs one file inside the caller's transaction; detects a file that ended the transaction
// itself (a COMMIT in the file: the shell migrator tolerated it, so do we, loudly).
void run_in_transaction(pq::Connection& connection, script::Runner& runner, const Step& step,
                        const Options& options) {
  script::Options script_options;
  script_options.variables = options.variables;
  script_options.in_caller_transaction = true;
  runner.run_file(step.file, script_options);
  if (PQtransactionStatus(connection.native()) == PQTRANS_IDLE) {
    k_log.warn("{} ended the migration transaction itself (COMMIT/ROLLBACK in the file): its "
               "hectic.migration row is written separately",
               step.file.string());
    if (options.single_transaction)
      throw Error(ExitCode::generic,
                  fmt::format("{} ended the transaction of --single-transaction",
                              step.file.string()));
    connection.exec("BEGIN");
  }
}

// Executes the steps, appending the names done (committed) to done. Throws
// Error(migration_failed) on a failure.
void execute(pq::Connection& connection, const std::string& conninfo,
             const std::vector<Step>& steps, const Options& options,
             std::vector<std::string>& done) {
  auto runner = script::make_runner(connection, conninfo);
  auto verb = [](const Step& s) { return s.up ? "applying" : "reverting"; };

  if (options.single_transaction) {
    for (int attempt = 0;; ++attempt) {
      connection.exec("BEGIN");
      try {
        for (const auto& step : steps) {
          k_log.info("{} {} ({})", verb(step), step.migration->name, step.up ? "up" : "down");
          run_in_transaction(connection, *runner, step, options);
          bookkeeping(connection, step);
        }
        connection.exec("COMMIT");
        for (const auto& step : steps) done.push_back(step.migration->name);
        return;
      } catch (const std::exception& e) {
        rollback_quietly(connection);
        if (sqlstate_of(e) == "55P03" && attempt < k_lock_retries) {
          auto wait = k_retry_backoff * (1 << attempt);
          k_log.warn("lock timeout (55P03); retrying the whole batch in {} ms", wait.count());
          std::this_thread::sleep_for(wait);
          continue;
        }
        throw Error(ExitCode::migration_failed,
                    fmt::format("migration failed; --single-transaction rolled back the whole "
                                "batch ({} migration{}): {}",
                                steps.size(), steps.size() == 1 ? "" : "s", describe_failure(e)),
                    {"nothing of this run was applied"});
      }
    }
  }

  for (const auto& step : steps) {
    const auto& name = step.migration->name;
    k_log.info("{} {} ({}{})", verb(step), name, step.up ? "up" : "down",
               step.no_transaction ? ", no-transaction" : "");
    if (step.no_transaction) {
      try {
        script::Options script_options;
        script_options.variables = options.variables;
        runner->run_file(step.file, script_options);
      } catch (const std::exception& e) {
        std::vector<std::string> hints;
        std::string where;
        if (auto* s = dynamic_cast<const script::ScriptError*>(&e)) {
          where = fmt::format("{}:{}", s->file().string(), s->line());
          hints.push_back(fmt::format(
              "statements of {} before line {} ran in autocommit and stay committed; the failing "
              "statement and everything after it did not run",
              s->file().string(), s->line()));
        } else {
          hints.push_back("statements of the file that ran before the failure stay committed");
        }
        hints.push_back(fmt::format(
            "hectic.migration was not changed for {}: make the file safe to re-run "
            "(IF NOT EXISTS) and migrate again, or finish it by hand and run `migrator "
            "mark-applied {}`",
            name, name));
        if (!done.empty())
          hints.push_back(fmt::format("applied before it in this run: {}", fmt::join(done, ", ")));
        throw Error(ExitCode::migration_failed,
                    fmt::format("no-transaction migration {} failed{}{}: {}", name,
                                where.empty() ? "" : " at ", where, describe_failure(e)),
                    hints);
      }
      bookkeeping(connection, step);
      done.push_back(name);
      continue;
    }
    for (int attempt = 0;; ++attempt) {
      try {
        connection.exec("BEGIN");
        run_in_transaction(connection, *runner, step, options);
        bookkeeping(connection, step);
        connection.exec("COMMIT");
        break;
      } catch (const std::exception& e) {
        rollback_quietly(connection);
        if (sqlstate_of(e) == "55P03" && attempt < k_lock_retries) {
          auto wait = k_retry_backoff * (1 << attempt);
          k_log.warn("lock timeout (55P03) in {}; retry {} of {} in {} ms", name, attempt + 1,
                     k_lock_retries, wait.count());
          std::this_thread::sleep_for(wait);
          continue;
        }
        throw Error(ExitCode::migration_failed,
                    fmt::format("migration {} ({}) failed and was rolled back: {}", name,
                                step.up ? "up" : "down", describe_failure(e)),
                    {done.empty() ? std::string("nothing else was applied in this run")
                                  : fmt::format("applied before it in this run (kept): {}",
                                                fmt::join(done, ", "))});
      }
    }
    done.push_back(name);
  }
}

// History checks before anything runs; --force proceeds loudly.
void enforce_history(const std::vector<Migration>& files, const std::vector<Applied>& applied,
                     const HistoryCheck& check, bool force) {
  if (!check.prefix_ok) {
    auto report = describe_mismatch(files, applied, check.first_difference);
    if (!force) {
      if (!report.empty() && report.back() == '\n') report.pop_back();
      throw Error(ExitCode::ambiguous, report,
                  {"the applied migrations must be, in order, the first migrations of the "
                   "directory; pass --force to proceed anyway"});
    }
    k_log.warn("--force: proceeding past a migration history mismatch\n{}", report);
  }
  for (const auto& name : check.unreadable) {
    if (!force)
      throw Error(ExitCode::ambiguous,
                  fmt::format("applied migration {} has no up file any more", name),
                  {"restore its up.sql, or pass --force to proceed anyway"});
    k_log.warn("--force: applied migration {} has no up file any more", name);
  }
  for (const auto& name : check.tampered) {
    auto it = std::find_if(applied.begin(), applied.end(), [&](const Applied& a) { return a.name == name; });
    auto file = std::find_if(files.begin(), files.end(), [&](const Migration& m) { return m.name == name; });
    std::string detail = fmt::format("applied migration {} changed since it was applied: {} "
                                     "hashes to {}, recorded {}",
                                     name, file->up->string(), hash_file(*file->up), it->hash);
    if (!force)
      throw Error(ExitCode::ambiguous, detail,
                  {"restore the applied file (write a new migration for new changes), or pass "
                   "--force to proceed anyway"});
    k_log.warn("--force: {}", detail);
  }
}

// Where the database stands in the directory: the number of migrations of the applied prefix
// (with --force past a mismatch: up to the last applied one found in the directory).
std::size_t current_position(const std::vector<Migration>& files,
                             const std::vector<Applied>& applied, const HistoryCheck& check) {
  if (check.prefix_ok) return applied.size();
  std::size_t position = 0;
  for (const auto& a : applied)
    for (std::size_t i = 0; i < files.size(); ++i)
      if (files[i].name == a.name) position = std::max(position, i + 1);
  return position;
}

std::vector<Step> plan_steps(const std::vector<Migration>& files,
                             const std::vector<Applied>& applied, std::size_t current,
                             std::size_t target) {
  std::set<std::string> applied_names;
  for (const auto& a : applied) applied_names.insert(a.name);
  std::vector<Step> steps;
  if (target > current) {
    for (std::size_t i = current; i < target; ++i) {
      const auto& m = files[i];
      if (applied_names.count(m.name)) continue;
      if (!m.up)
        throw Error(ExitCode::generic, fmt::format("migration {} has no up.sql", m.name),
                    {fmt::format("create {}/up.sql (or up/entrypoint.sql)", m.dir.string())});
      steps.push_back(Step{&m, true, *m.up, hash_file(*m.up), is_no_transaction(*m.up)});
    }
  } else {
    for (std::size_t i = current; i > target; --i) {
      const auto& m = files[i - 1];
      if (!applied_names.count(m.name)) continue;
      if (!m.down)
        throw Error(ExitCode::generic, fmt::format("migration {} has no down.sql", m.name),
                    {fmt::format("create {}/down.sql (or down/entrypoint.sql)", m.dir.string())});
      steps.push_back(Step{&m, false, *m.down, {}, is_no_transaction(*m.down)});
    }
  }
  return steps;
}

std::string position_text(const std::vector<Migration>& files, std::size_t position) {
  return position == 0 ? std::string("no migrations applied") : files[position - 1].name;
}

// Runs steps with the run log around them; shared by migrate and apply.
RunResult run_steps(pq::Connection& connection, const Options& options,
                    const std::vector<Migration>& files, std::size_t current, std::size_t target,
                    const std::vector<Step>& steps, RunLog& log) {
  RunResult result;
  if (steps.empty()) {
    result.already_at_target = true;
    result.message = current == 0 ? std::string("database has no migrations applied; nothing to do")
                                  : fmt::format("database already at {}; nothing to do",
                                                files[current - 1].name);
    k_log.notice("{}", result.message);
    log.finish("success", {});
    return result;
  }
  if (options.single_transaction)
    for (const auto& step : steps)
      if (step.no_transaction)
        throw Error(ExitCode::ambiguous,
                    fmt::format("migration {} is marked `-- migrator: no-transaction` and cannot "
                                "run inside --single-transaction",
                                step.migration->name),
                    {"run it on its own without --single-transaction"});
  InterruptHook hook(connection, options.url, log.id());
  try {
    execute(connection, options.url, steps, options, result.applied);
  } catch (const Error& e) {
    // Our own cancel (Ctrl-C) surfaces here as a failed statement: it is an interruption.
    // The watcher thread is still recording the interruption and exits 130 when done: let it.
    if (interrupt::requested()) {
      for (int i = 0; i < 100; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      throw Error(ExitCode::interrupted, "interrupted: the migration in progress was rolled back");
    }
    // What was done before the failure stays in hectic.migration; the run log says it too.
    log.finish("failed", result.applied, describe_failure(e));
    throw;
  }
  log.finish("success", result.applied);
  result.message = fmt::format("{} {} migration{}; database at {}",
                               target > current ? "applied" : "reverted", result.applied.size(),
                               result.applied.size() == 1 ? "" : "s",
                               position_text(files, target));
  k_log.notice("{}", result.message);
  return result;
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
    const std::size_t target = resolve_target(verb, argument, current, names_of(files));
    const auto steps = plan_steps(files, applied, current, target);
    return run_steps(*connection, options, files, current, target, steps, log);
  } catch (const Error& e) {
    log.finish("failed", {}, describe_failure(e));
    throw;
  }
}

Status status(const Options& options) {
  const auto files = load_directory(options.migration_dir);
  auto connection = connect(options);
  Status out;
  out.initialised = table_exists(*connection, "hectic.migration");
  out.bundle_version = bundle::installed_version(*connection);
  const auto applied = read_history(*connection);
  out.history = check_history(files, applied);
  std::set<std::string> applied_names;
  for (const auto& a : applied) {
    applied_names.insert(a.name);
    Entry entry{a.name, {}, a.hash, a.applied_at};
    auto it = std::find_if(files.begin(), files.end(), [&](const Migration& m) { return m.name == a.name; });
    if (it == files.end()) {
      entry.missing = true;
    } else if (it->up) {
      entry.hash = hash_file(*it->up);
      entry.drifted = entry.hash != a.hash;
    } else {
      entry.drifted = true;
    }
    out.applied.push_back(entry);
  }
  for (const auto& m : files) {
    if (applied_names.count(m.name)) continue;
    out.pending.push_back(Entry{m.name, m.up ? hash_file(*m.up) : std::string(), {}, {}});
  }
  return out;
}

json to_json(const Status& status) {
  json applied = json::array(), pending = json::array(), drifted = json::array(),
       missing = json::array();
  for (const auto& e : status.applied) {
    applied.push_back({{"name", e.name}, {"hash", e.recorded}, {"applied_at", e.applied_at},
                       {"current_hash", e.hash.empty() ? json(nullptr) : json(e.hash)},
                       {"drifted", e.drifted}, {"missing", e.missing}});
    if (e.drifted) drifted.push_back(e.name);
    if (e.missing) missing.push_back(e.name);
  }
  for (const auto& e : status.pending)
    pending.push_back({{"name", e.name}, {"hash", e.hash.empty() ? json(nullptr) : json(e.hash)}});
  return json{{"initialised", status.initialised},
              {"bundle_version", status.bundle_version ? json(*status.bundle_version) : json(nullptr)},
              {"history_ok", status.history.prefix_ok},
              {"applied", applied},
              {"pending", pending},
              {"drifted", drifted},
              {"missing", missing}};
}

std::string to_text(const Status& status) {
  std::string out;
  if (!status.initialised) out += "hectic schema not initialised (run `migrator init`)\n";
  for (const auto& e : status.applied) {
    const char* state = e.missing ? "missing" : e.drifted ? "drifted" : "applied";
    out += fmt::format("{:<8} {}  {}  {}\n", state, e.name, e.recorded.substr(0, 12), e.applied_at);
  }
  for (const auto& e : status.pending)
    out += fmt::format("{:<8} {}  {}\n", "pending", e.name,
                       e.hash.empty() ? std::string("(no up.sql)") : e.hash.substr(0, 12));
  std::size_t drifted = 0;
  for (const auto& e : status.applied) drifted += e.drifted ? 1 : 0;
  out += fmt::format("{} applied, {} pending, {} drifted{}\n", status.applied.size(),
                     status.pending.size(), drifted,
                     status.history.prefix_ok ? "" : "; history does not match the directory");
  return out;
}

std::string schema_fingerprint(pq::Connection& connection) {
  // A canonical, ordered description of the user objects; system schemas are left out.
  static const std::string k_query = R"sql(
WITH ns AS (
  SELECT oid, nspname FROM pg_namespace
  WHERE nspname <> 'information_schema' AND nspname NOT LIKE 'pg\_%'
), items AS (
  SELECT 'schema ' || nspname AS item FROM ns
  UNION ALL
  SELECT format('rel %s.%s %s %s', ns.nspname, c.relname, c.relkind, c.relpersistence)
  FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
  UNION ALL
  SELECT format('col %s.%s.%s %s %s %s %s', ns.nspname, c.relname, a.attname,
                format_type(a.atttypid, a.atttypmod), a.attnotnull,
                coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity::text || a.attgenerated::text)
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN ns ON ns.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
  UNION ALL
  SELECT format('con %s %s %s %s', ns.nspname, coalesce(c.relname, t.typname, ''), o.conname,
                pg_get_constraintdef(o.oid))
  FROM pg_constraint o JOIN ns ON ns.oid = o.connamespace
  LEFT JOIN pg_class c ON c.oid = o.conrelid LEFT JOIN pg_type t ON t.oid = o.contypid
  UNION ALL
  SELECT format('idx %s', pg_get_indexdef(i.indexrelid))
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN ns ON ns.oid = c.relnamespace
  UNION ALL
  SELECT format('trg %s %s', pg_get_triggerdef(t.oid), t.tgenabled)
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN ns ON ns.oid = c.relnamespace
  WHERE NOT t.tgisinternal
  UNION ALL
  SELECT format('view %s.%s %s', ns.nspname, c.relname, pg_get_viewdef(c.oid))
  FROM pg_class c JOIN ns ON ns.oid = c.relnamespace WHERE c.relkind IN ('v', 'm')
  UNION ALL
  SELECT format('fn %s.%s(%s) %s %s %s', ns.nspname, p.proname,
                pg_get_function_identity_arguments(p.oid), p.prokind,
                pg_get_function_result(p.oid), md5(coalesce(p.prosrc, '')))
  FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
  UNION ALL
  SELECT format('type %s.%s %s', ns.nspname, t.typname, t.typtype)
  FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
  WHERE t.typtype IN ('d', 'e', 'r', 'm') OR (t.typtype = 'c' AND EXISTS (
    SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c'))
  UNION ALL
  SELECT format('enum %s %s %s', t.typname, e.enumsortorder, e.enumlabel)
  FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid JOIN ns ON ns.oid = t.typnamespace
  UNION ALL
  SELECT format('evt %s %s %s %s %s', evtname, evtevent, evtfoid::regprocedure, evtenabled,
                coalesce(array_to_string(evttags, ','), ''))
  FROM pg_event_trigger
  UNION ALL
  SELECT format('ext %s %s', extname, extversion) FROM pg_extension
  UNION ALL
  SELECT format('policy %s %s %s', pol.polrelid::regclass, pol.polname,
                coalesce(pg_get_expr(pol.polqual, pol.polrelid), ''))
  FROM pg_policy pol
)
SELECT coalesce(string_agg(item, E'\n' ORDER BY item COLLATE "C"), '') FROM items
)sql";
  return sha256_hex(connection.exec(k_query).scalar());
}

namespace {

struct PlanState {
  std::vector<Migration> files;
  std::vector<Applied> applied;
  HistoryCheck check;
  std::string schema;
  json pending = json::array();
  json applied_json = json::array();
  std::string fingerprint;
};

PlanState compute_plan_state(pq::Connection& connection, const Options& options) {
  PlanState s;
  s.files = load_directory(options.migration_dir);
  s.applied = read_history(connection);
  s.check = check_history(s.files, s.applied);
  enforce_history(s.files, s.applied, s.check, options.force);
  s.schema = schema_fingerprint(connection);
  std::set<std::string> applied_names;
  std::string material = "schema " + s.schema + "\n";
  for (const auto& a : s.applied) {
    applied_names.insert(a.name);
    s.applied_json.push_back({{"name", a.name}, {"hash", a.hash}});
    material += fmt::format("applied {} {}\n", a.name, a.hash);
  }
  for (const auto& m : s.files) {
    if (applied_names.count(m.name)) continue;
    if (!m.up)
      throw Error(ExitCode::generic, fmt::format("migration {} has no up.sql", m.name));
    auto hash = hash_file(*m.up);
    s.pending.push_back({{"name", m.name}, {"hash", hash},
                         {"no_transaction", is_no_transaction(*m.up)}});
    material += fmt::format("pending {} {}\n", m.name, hash);
  }
  s.fingerprint = sha256_hex(material);
  return s;
}

} // namespace

json plan(const Options& options) {
  require_url(options);
  auto connection = connect(options);
  auto s = compute_plan_state(*connection, options);
  return json{{"format", "hectic-migrator-plan/1"},
              {"created_at", fs::utc_now_text()},
              {"database", pq::redact(options.url)},
              {"bundle_version", std::string(bundle::version())},
              {"schema_fingerprint", s.schema},
              {"fingerprint", s.fingerprint},
              {"applied", s.applied_json},
              {"pending", s.pending}};
}

std::string plan_to_text(const json& plan) {
  std::string out = fmt::format("Migration plan for {}\n", plan.value("database", std::string("?")));
  out += fmt::format("Created:            {}\n", plan.value("created_at", std::string("?")));
  out += fmt::format("Schema fingerprint: {}\n", plan.value("schema_fingerprint", std::string("?")));
  out += fmt::format("Plan fingerprint:   {}\n", plan.value("fingerprint", std::string("?")));
  out += fmt::format("Applied: {} migration{}\n", plan["applied"].size(),
                     plan["applied"].size() == 1 ? "" : "s");
  const auto& pending = plan["pending"];
  if (pending.empty()) {
    out += "Pending: none (the database is up to date)\n";
  } else {
    out += fmt::format("Pending: {} migration{} to apply, in order:\n", pending.size(),
                       pending.size() == 1 ? "" : "s");
    for (const auto& p : pending)
      out += fmt::format("  + {}  sha256:{}{}\n", p.value("name", std::string()),
                         p.value("hash", std::string()),
                         p.value("no_transaction", false) ? "  (no-transaction)" : "");
  }
  return out;
}

RunResult apply(const Options& options, const json& plan,
                const std::function<bool(const json&)>& confirm) {
  require_url(options);
  if (!plan.is_object() || !plan.contains("fingerprint") || !plan.contains("pending") ||
      !plan["pending"].is_array())
    throw Error(ExitCode::generic, "the plan file is not a migrator plan (no fingerprint/pending)",
                {"create one with `migrator plan --output-json FILE`"});
  MigrationLock lock(options);
  auto connection = connect(options);
  auto s = compute_plan_state(*connection, options);
  const std::string expected = plan["fingerprint"].get<std::string>();
  if (expected != s.fingerprint) {
    std::vector<std::string> hints;
    if (plan.value("schema_fingerprint", std::string()) != s.schema)
      hints.push_back("the database schema changed since the plan was made");
    if (plan.value("applied", json::array()) != s.applied_json)
      hints.push_back("the applied migrations changed since the plan was made");
    if (plan["pending"] != s.pending)
      hints.push_back("the pending migration files changed since the plan was made");
    hints.push_back("make a new plan with `migrator plan` and review it");
    throw Error(ExitCode::ambiguous,
                fmt::format("schema fingerprint mismatch: expected {}, actual {}", expected,
                            s.fingerprint),
                hints);
  }
  if (confirm && !s.pending.empty() && !confirm(plan))
    throw Error(ExitCode::generic, "apply cancelled: the plan was not approved",
                {"answer yes, or pass --auto-approve"});
  bundle::ensure(*connection);
  Options run_options = options;
  run_options.command = "apply";
  RunLog log(*connection, run_options.command);
  try {
    const std::size_t current = current_position(s.files, s.applied, s.check);
    const std::size_t target = current + s.pending.size();
    auto steps = plan_steps(s.files, s.applied, current, std::min(target, s.files.size()));
    return run_steps(*connection, run_options, s.files, current, target, steps, log);
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

json run_log(const Options& options, int limit) {
  auto connection = connect(options);
  json runs = json::array();
  if (!table_exists(*connection, "hectic.migration_run")) return runs;
  auto r = connection->exec_params(
      "SELECT row_to_json(x)::text FROM ("
      "  SELECT id, build_id, command, status,"
      "         to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS started_at,"
      "         to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS finished_at,"
      "         round(extract(epoch FROM finished_at - started_at)::numeric, 3)::float8 AS seconds,"
      "         migrations, error, run_by"
      "  FROM hectic.migration_run ORDER BY id DESC LIMIT $1) AS x",
      {std::to_string(limit)});
  for (int i = 0; i < r.rows(); ++i) runs.push_back(json::parse(r.get(i, 0)));
  return runs;
}

std::string run_log_to_text(const json& runs) {
  if (runs.empty()) return "no migrator runs recorded\n";
  std::string out = fmt::format("{:>5}  {:<19}  {:>8}  {:<11}  {:<14}  {:<24}  {}\n", "ID",
                                "STARTED (UTC)", "SECONDS", "STATUS", "BUILD", "COMMAND",
                                "MIGRATIONS");
  for (const auto& run : runs) {
    auto text = [&](const char* key) {
      return run.contains(key) && run[key].is_string() ? run[key].get<std::string>() : std::string("-");
    };
    std::string seconds = run.contains("seconds") && run["seconds"].is_number()
                              ? fmt::format("{:.3f}", run["seconds"].get<double>())
                              : "-";
    out += fmt::format("{:>5}  {:<19}  {:>8}  {:<11}  {:<14}  {:<24}  {}\n",
                       run.value("id", 0LL), text("started_at"), seconds, text("status"),
                       text("build_id"), text("command"), run["migrations"].size());
    for (const auto& m : run["migrations"]) out += fmt::format("       {}\n", m.get<std::string>());
    if (run.contains("error") && run["error"].is_string())
      out += fmt::format("       error: {}\n", run["error"].get<std::string>());
  }
  return out;
}

} // namespace hectic::migrate
