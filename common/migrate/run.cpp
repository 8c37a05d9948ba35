// The migrator changing a database: the advisory lock on a dedicated connection, the run log,
// executing migrations (one transaction each, the whole batch, or statement by statement for
// no-transaction files), init, migrate, plan/apply, mark-applied. What it only reports is in
// migrate_report.cpp, the session in migrate_session.cpp.
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "common/migrate/bundle.hpp"
#include "common/base/error.hpp"
#include "common/base/fs.hpp"
#include "common/base/interrupt.hpp"
#include "common/base/log.hpp"
#include "common/base/text.hpp"
#include "common/migrate/migrate.hpp"

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
              {"created_at", text::utc_now_text()},
              {"database", pq::redact(options.url)},
              {"bundle_version", std::string(bundle::version())},
              {"schema_fingerprint", s.schema},
              {"fingerprint", s.fingerprint},
              {"applied", s.applied_json},
              {"pending", s.pending}};
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

} // namespace hectic::migrate
