// Executing migrations: one transaction per file, the whole batch in one transaction
// (--single-transaction), or statement by statement in autocommit for a file marked
// `-- migrator: no-transaction`; a lock timeout is retried; hectic.migration is written with
// each migration.
#include "common/migrate/execute.hpp"

#include <chrono>
#include <optional>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/interrupt.hpp"
#include "common/base/log.hpp"
#include "common/script/script.hpp"

namespace hectic::migrate {
namespace {

const log::Logger k_log{"migrator"};

// A lock timeout (lock_not_available) is retried this many times, backing off from
// k_retry_backoff.
constexpr int k_lock_retries = 3;
constexpr std::chrono::milliseconds k_retry_backoff{500};

const char* direction(const Step& step) { return step.up ? "up" : "down"; }
const char* verb(const Step& step) { return step.up ? "applying" : "reverting"; }

// Records (up) or removes (down) the migration's row of hectic.migration.
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

// The wait before retry number attempt + 1 when e is a lock timeout and retries are left.
std::optional<std::chrono::milliseconds> lock_retry_wait(const std::exception& e, int attempt) {
  if (sqlstate_of(e) != pq::sqlstate::lock_not_available || attempt >= k_lock_retries)
    return std::nullopt;
  return k_retry_backoff * (1 << attempt);
}

// Runs one file inside the open transaction; detects a file that ended the transaction
// itself (a COMMIT in the file: the shell migrator tolerated it, so do we, loudly).
void run_in_transaction(pq::Transaction& transaction, script::Runner& runner, const Step& step,
                        const Options& options) {
  script::Options script_options;
  script_options.variables = options.variables;
  script_options.in_caller_transaction = true;
  runner.run_file(step.file, script_options);
  if (!transaction.is_open()) {
    k_log.warn("{} ended the migration transaction itself (COMMIT/ROLLBACK in the file): its "
               "hectic.migration row is written separately",
               step.file.string());
    if (options.single_transaction)
      throw Error(ExitCode::generic,
                  fmt::format("{} ended the transaction of --single-transaction",
                              step.file.string()));
    transaction.begin();
  }
}

// --single-transaction: every step and its bookkeeping in one transaction; after a lock
// timeout the whole batch is retried.
void execute_as_one_transaction(pq::Connection& connection, script::Runner& runner,
                                const std::vector<Step>& steps, const Options& options,
                                std::vector<std::string>& done) {
  for (int attempt = 0;; ++attempt) {
    pq::Transaction transaction(connection);
    try {
      for (const auto& step : steps) {
        k_log.info("{} {} ({})", verb(step), step.migration->name, direction(step));
        run_in_transaction(transaction, runner, step, options);
        bookkeeping(connection, step);
      }
      transaction.commit();
      for (const auto& step : steps) done.push_back(step.migration->name);
      return;
    } catch (const std::exception& e) {
      transaction.rollback(); // before the back-off: no locks held while waiting
      if (auto wait = lock_retry_wait(e, attempt)) {
        k_log.warn("lock timeout ({}); retrying the whole batch in {} ms",
                   pq::sqlstate::lock_not_available, wait->count());
        std::this_thread::sleep_for(*wait);
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

// The error of a failed no-transaction migration: what stays committed and how to go on.
Error no_transaction_failure(const std::exception& e, const std::string& name,
                             const std::vector<std::string>& done) {
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
  return Error(ExitCode::migration_failed,
               fmt::format("no-transaction migration {} failed{}{}: {}", name,
                           where.empty() ? "" : " at ", where, describe_failure(e)),
               hints);
}

// A `-- migrator: no-transaction` file: its statements in autocommit, then its bookkeeping.
void execute_without_transaction(pq::Connection& connection, script::Runner& runner,
                                 const Step& step, const Options& options,
                                 const std::vector<std::string>& done) {
  try {
    script::Options script_options;
    script_options.variables = options.variables;
    runner.run_file(step.file, script_options);
  } catch (const std::exception& e) {
    throw no_transaction_failure(e, step.migration->name, done);
  }
  bookkeeping(connection, step);
}

// One file and its bookkeeping in a transaction of their own, retried after a lock timeout.
void execute_in_own_transaction(pq::Connection& connection, script::Runner& runner,
                                const Step& step, const Options& options,
                                const std::vector<std::string>& done) {
  const auto& name = step.migration->name;
  for (int attempt = 0;; ++attempt) {
    try {
      pq::Transaction transaction(connection);
      run_in_transaction(transaction, runner, step, options);
      bookkeeping(connection, step);
      transaction.commit();
      return;
    } catch (const std::exception& e) {
      // The transaction rolled back when its scope ended, before this handler.
      if (auto wait = lock_retry_wait(e, attempt)) {
        k_log.warn("lock timeout ({}) in {}; retry {} of {} in {} ms",
                   pq::sqlstate::lock_not_available, name, attempt + 1, k_lock_retries,
                   wait->count());
        std::this_thread::sleep_for(*wait);
        continue;
      }
      throw Error(ExitCode::migration_failed,
                  fmt::format("migration {} ({}) failed and was rolled back: {}", name,
                              direction(step), describe_failure(e)),
                  {done.empty() ? std::string("nothing else was applied in this run")
                                : fmt::format("applied before it in this run (kept): {}",
                                              fmt::join(done, ", "))});
    }
  }
}

// Executes the steps, appending the names done (committed) to done. Throws
// Error(migration_failed) on a failure.
void execute(pq::Connection& connection, const std::string& conninfo,
             const std::vector<Step>& steps, const Options& options,
             std::vector<std::string>& done) {
  auto runner = script::make_runner(connection, conninfo);
  if (options.single_transaction) {
    execute_as_one_transaction(connection, *runner, steps, options, done);
    return;
  }
  for (const auto& step : steps) {
    k_log.info("{} {} ({}{})", verb(step), step.migration->name, direction(step),
               step.no_transaction ? ", no-transaction" : "");
    if (step.no_transaction)
      execute_without_transaction(connection, *runner, step, options, done);
    else
      execute_in_own_transaction(connection, *runner, step, options, done);
    done.push_back(step.migration->name);
  }
}

// Refuses a no-transaction file in a --single-transaction run before anything runs.
void refuse_no_transaction_in_batch(const std::vector<Step>& steps) {
  for (const auto& step : steps)
    if (step.no_transaction)
      throw Error(ExitCode::ambiguous,
                  fmt::format("migration {} is marked `-- migrator: no-transaction` and cannot "
                              "run inside --single-transaction",
                              step.migration->name),
                  {"run it on its own without --single-transaction"});
}

std::string position_text(const std::vector<Migration>& files, std::size_t position) {
  return position == 0 ? std::string("no migrations applied") : files[position - 1].name;
}

// The result of a run without steps (recorded as a success in the run log).
RunResult nothing_to_do(const std::vector<Migration>& files, std::size_t current, RunLog& log) {
  RunResult result;
  result.already_at_target = true;
  result.message = current == 0 ? std::string("database has no migrations applied; nothing to do")
                                : fmt::format("database already at {}; nothing to do",
                                              files[current - 1].name);
  k_log.notice("{}", result.message);
  log.finish("success", {});
  return result;
}

} // namespace

std::string describe_failure(const std::exception& e) {
  std::string text = e.what();
  if (auto* err = dynamic_cast<const Error*>(&e))
    for (const auto& hint : err->hints()) text += "\nhint: " + hint;
  return text;
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

RunResult run_steps(pq::Connection& connection, const Options& options,
                    const std::vector<Migration>& files, std::size_t current, std::size_t target,
                    const std::vector<Step>& steps, RunLog& log) {
  if (steps.empty()) return nothing_to_do(files, current, log);
  if (options.single_transaction) refuse_no_transaction_in_batch(steps);
  RunResult result;
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

} // namespace hectic::migrate
