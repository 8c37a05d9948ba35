// Pipelined batches in the native runner. Long runs of simple statements (INSERT/UPDATE/
// DELETE/DDL) go through libpq pipeline mode
// (https://www.postgresql.org/docs/15/libpq-pipeline-mode.html), one round trip per batch.
//
// Statements between two syncs form one implicit transaction, so a batch outside a
// transaction is sent as BEGIN; stmt; ...; COMMIT; Sync. When statement k fails, the server
// skips the rest up to the Sync and the batch rolls back; we then replay statements 0..k-1
// (they succeeded once: their notices and rows are not shown twice) and run k alone, which fails
// again, now in psql's state: 0..k-1 committed, k failed, nothing after it ran. (What a
// replay cannot undo: nextval() calls of the rolled-back first pass; sequences may end
// higher than under psql after a failed script.) A SAVEPOINT around every statement would
// make even that exact but costs a third of the gain (bench/README.md).
// Inside a transaction (the script's or the caller's) the statements are sent as they are;
// a failure there leaves the transaction failed, as psql does.
#include <algorithm>
#include <cctype>

#include "common/base/log.hpp"
#include "common/script/runner_detail.hpp"

namespace hectic::script::detail {

namespace {

const log::Logger k_log{"script"};

constexpr std::size_t k_max_batch = 1000;
constexpr std::size_t k_max_batch_ddl = 50;

bool blank(const LexItem& item) {
  // Only ';' and whitespace: psql would send an empty query.
  return std::all_of(item.text.begin(), item.text.end(),
                     [](char c) { return c == ';' || std::isspace(static_cast<unsigned char>(c)); });
}

// Statements that may share a pipeline batch: no result rows, allowed in a transaction
// block, nothing that must see its own commit first.
bool pipelinable(const LexItem& item) {
  const auto& w = item.words;
  // The extended protocol takes one command per query.
  if (w.empty() || item.compound || !item.terminated) return false;
  static const char* const k_first[] = {"insert", "update", "delete", "create", "alter",
                                        "drop",   "comment", "grant", "revoke", "truncate"};
  if (std::none_of(std::begin(k_first), std::end(k_first), [&](const char* f) { return w[0] == f; }))
    return false;
  static const char* const k_never[] = {"concurrently", "database", "tablespace", "system",
                                        "subscription", "returning", "vacuum", "index"};
  for (const auto& word : w)
    for (const char* n : k_never)
      if (word == n && !(word == "index" && w[0] == "create")) return false;
  // ALTER TYPE ... ADD VALUE: the new value is unusable until committed.
  if (w[0] == "alter" && w.size() > 1 && w[1] == "type") return false;
  return true;
}

// Out of resources, a deadlock/serialization failure, or a statement that refuses to run in
// a transaction block: possibly caused by batching itself.
bool batching_may_cause(const std::string& sqlstate) {
  return sqlstate.rfind("53", 0) == 0 || sqlstate.rfind("40", 0) == 0 || sqlstate.rfind("25", 0) == 0;
}

} // namespace

void Execution::statement(Source& source, LexItem item) {
  if (blank(item)) return;
  if (pipelinable(item) && PQtransactionStatus(m_pg) != PQTRANS_INERROR) {
    // DDL takes locks on whole relations, held until the batch commits: keep such batches
    // short so a large schema never needs more lock slots than psql would.
    bool ddl = item.words[0] != "insert" && item.words[0] != "update" && item.words[0] != "delete";
    m_batch.push_back(Pending{std::move(item)});
    if (ddl) ++m_batch_ddl;
    if (m_batch.size() >= k_max_batch || m_batch_ddl >= k_max_batch_ddl) flush(source);
    return;
  }
  flush(source);
  execute_one(source, item);
}

void Execution::flush(Source& source) {
  if (m_batch.empty()) return;
  std::vector<Pending> batch;
  batch.swap(m_batch);
  m_batch_ddl = 0;
  if (batch.size() == 1) {
    execute_one(source, batch[0].item);
    return;
  }
  bool wrap = PQtransactionStatus(m_pg) == PQTRANS_IDLE;
  std::vector<int> owner = send_batch(batch, wrap);
  BatchOutcome outcome = read_batch(source, batch, owner);
  if (!outcome.failure) {
    show_buffered(0, true);
    if (outcome.incomplete || PQstatus(m_pg) == CONNECTION_BAD)
      statement_error(source, batch[static_cast<std::size_t>(std::max(m_statement_index, 0))].item, nullptr);
    return;
  }
  recover_batch(source, batch, wrap, outcome);
}

std::vector<int> Execution::send_batch(const std::vector<Pending>& batch, bool wrap) {
  if (!PQenterPipelineMode(m_pg)) throw pq::make_sql_error(m_pg, nullptr);
  std::vector<int> owner;
  auto send = [&](const std::string& sql, int index) {
    if (!PQsendQueryParams(m_pg, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0)) {
      PQexitPipelineMode(m_pg);
      throw pq::make_sql_error(m_pg, nullptr);
    }
    owner.push_back(index);
  };
  static const std::string k_begin = "BEGIN", k_commit = "COMMIT";
  if (wrap) send(k_begin, -1);
  for (std::size_t i = 0; i < batch.size(); ++i) send(batch[i].item.text, static_cast<int>(i));
  if (wrap) send(k_commit, -2);
  if (!PQpipelineSync(m_pg)) {
    PQexitPipelineMode(m_pg);
    throw pq::make_sql_error(m_pg, nullptr);
  }
  return owner;
}

BatchOutcome Execution::read_batch(Source& source, const std::vector<Pending>& batch,
                                   const std::vector<int>& owner) {
  BatchOutcome outcome;
  m_buffering = true;
  m_statement_index = -1;
  m_buffered.clear();
  m_buffered_rows.clear();
  for (int index : owner) {
    if (index >= 0) {
      set_location(source, batch[static_cast<std::size_t>(index)].item.offset);
      m_statement_index = index;
    }
    pq::Result res(PQgetResult(m_pg));
    if (!res) {
      outcome.incomplete = true; // connection trouble: reported by flush
      break;
    }
    ExecStatusType status = res.status();
    if (status == PGRES_TUPLES_OK) {
      print_tuples(res.native());
    } else if (status == PGRES_FATAL_ERROR && !outcome.failure) {
      outcome.failure = res;
      if (index >= 0)
        outcome.failed_index = index;
      else if (index == -2)
        outcome.commit_failed = true;
    }
    while (pq::Result extra{PQgetResult(m_pg)}) {
      // A query gives one result then null; anything else here is unexpected.
      if (extra.status() == PGRES_PIPELINE_SYNC) break;
    }
  }
  for (;;) {
    pq::Result res(PQgetResult(m_pg));
    if (!res || res.status() == PGRES_PIPELINE_SYNC) break;
  }
  PQexitPipelineMode(m_pg);
  m_buffering = false;
  return outcome;
}

void Execution::recover_batch(Source& source, const std::vector<Pending>& batch, bool wrap,
                              const BatchOutcome& outcome) {
  std::string sqlstate = result_field(outcome.failure.native(), PG_DIAG_SQLSTATE);
  if (wrap && batching_may_cause(sqlstate)) {
    // The batch rolled back; run it the way psql does, one statement at a time.
    k_log.debug("batch failed with SQLSTATE {}: running its {} statements one by one", sqlstate, batch.size());
    if (PQtransactionStatus(m_pg) != PQTRANS_IDLE) PQclear(PQexec(m_pg, "ROLLBACK"));
    run_one_by_one(source, batch);
    return;
  }
  if (outcome.failed_index >= 0) {
    auto k = static_cast<std::size_t>(outcome.failed_index);
    if (!wrap) {
      show_buffered(outcome.failed_index + 1, false);
      statement_error(source, batch[k].item, outcome.failure.native());
    }
    // Notices and rows of the statements psql would have run before the failing one; the
    // failing one shows its own when it runs again.
    show_buffered(outcome.failed_index, false);
    PQclear(PQexec(m_pg, "ROLLBACK"));
    k_log.debug("statement {} of a batch of {} failed: replaying the {} before it", k + 1, batch.size(), k);
    replay_before(source, batch, k);
    return;
  }
  if (outcome.commit_failed) {
    // A deferred constraint fired at COMMIT: nothing of the batch stayed. Run it again one
    // statement at a time so the error comes from the statement psql would blame.
    k_log.debug("batch commit failed ({}); replaying {} statements one by one",
                result_field(outcome.failure.native(), PG_DIAG_MESSAGE_PRIMARY), batch.size());
    run_one_by_one(source, batch);
    return;
  }
  throw pq::make_sql_error(m_pg, outcome.failure.native());
}

void Execution::replay_before(Source& source, const std::vector<Pending>& batch, std::size_t k) {
  // Redo what psql would have committed, then the failing statement alone (it throws with
  // the server's error, in psql's state).
  auto failing = batch.begin() + static_cast<std::ptrdiff_t>(k);
  m_batch.assign(batch.begin(), failing);
  {
    QuietNotices quiet(m_quiet);
    flush(source);
  }
  execute_one(source, failing->item);
  m_batch.assign(failing + 1, batch.end());
  flush(source);
}

void Execution::run_one_by_one(Source& source, const std::vector<Pending>& batch) {
  m_buffered.clear();
  m_buffered_rows.clear();
  for (const auto& pending : batch) execute_one(source, pending.item);
}

} // namespace hectic::script::detail
