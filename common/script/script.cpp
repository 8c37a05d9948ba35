// The native runner's main loop (psql's src/bin/psql/mainloop.c): lex the script, run its
// statements and meta-commands in order, \i/\ir into included files, and the runner entry
// points (README.md, "SQL scripts"). The other units are listed in runner_detail.hpp.
//
// Native execution model, as psql -X -v ON_ERROR_STOP=1 -f FILE:
// - every statement is sent on its own; outside a transaction each commits by itself;
// - the first error stops the script; a transaction the script opened and did not finish is
//   rolled back at the end (psql's session would end);
// - long runs of simple statements go through libpq pipeline mode, one round trip per batch
//   (pipeline.cpp says how a failure inside a batch is brought back to psql's state).
#include "common/script/script.hpp"

#include <algorithm>
#include <iostream>

#include "common/base/env.hpp"
#include "common/base/output.hpp"
#include "common/base/fs.hpp"
#include "common/base/log.hpp"
#include "common/script/runner_detail.hpp"

namespace hectic::script {

ScriptError::ScriptError(std::string message, std::filesystem::path file, int line, int column,
                         std::string sqlstate, std::string statement)
    : Error(ExitCode::generic, std::move(message)), m_file(std::move(file)), m_line(line),
      m_column(column), m_sqlstate(std::move(sqlstate)), m_statement(std::move(statement)) {}

namespace detail {

namespace {

const log::Logger k_log{"script"};

} // namespace

Execution::Execution(pq::Connection& connection, const Options& options)
    : m_conn(connection), m_pg(connection.native()),
      m_out(options.out ? *options.out : output::out()), m_err(options.err ? *options.err : output::err()) {
  predefine();
  for (const auto& [k, v] : options.variables) m_vars[k] = v;
  m_conn.set_notice_handler([this](const PGresult* res) { notice(res); });
  // A transaction open before the script is the caller's, flagged or not: never end it.
  m_caller_transaction = options.in_caller_transaction || PQtransactionStatus(m_pg) != PQTRANS_IDLE;
}

Execution::~Execution() { m_conn.set_notice_handler({}); }

void Execution::run(Source& source) {
  try {
    execute(source);
  } catch (...) {
    abandon();
    throw;
  }
  finish();
}

bool Execution::active(const std::vector<CondEntry>& cond) const {
  return cond.empty() || cond.back().state == Cond::if_true || cond.back().state == Cond::else_true;
}

void Execution::execute(Source& source) {
  refuse_nul(source);
  std::vector<CondEntry> cond;
  for (;;) {
    bool is_active = active(cond);
    LexItem item = source.lexer.next(is_active ? &m_vars : nullptr);
    if (item.kind == LexItem::Kind::end) {
      flush(source);
      if (!cond.empty())
        meta_error(source, cond.back().offset, "\\if without a matching \\endif at the end of the file",
                   "\\if", false);
      return;
    }
    if (item.kind == LexItem::Kind::statement) {
      if (!is_active) continue;
      statement(source, std::move(item));
      continue;
    }
    meta(source, item, cond);
  }
}

// libpq sends a statement as a C string: a NUL byte would silently cut it, so a file holding
// one is refused before any of it runs (psql refuses such a file too).
void Execution::refuse_nul(const Source& source) {
  auto nul = source.lexer.text().find('\0');
  if (nul == std::string::npos) return;
  meta_error(source, nul, "NUL byte in the script: nothing of this file was run", "", false);
}

void Execution::include(Source& source, const LexItem& item, const std::string& arg, bool relative) {
  std::filesystem::path path(arg);
  if (relative && path.is_relative()) path = (source.base_dir / path).lexically_normal();
  std::error_code ec;
  std::filesystem::path canonical = std::filesystem::weakly_canonical(path, ec);
  if (ec) canonical = std::filesystem::absolute(path, ec);
  std::vector<std::string> chain;
  bool cycle = false;
  for (const Source* s = &source; s; s = s->parent) {
    chain.push_back(s->display.string());
    if (!s->canonical.empty() && s->canonical == canonical) cycle = true;
  }
  std::string shown = "\\" + item.text + " " + arg;
  if (cycle) {
    std::reverse(chain.begin(), chain.end());
    std::string text;
    for (const auto& c : chain) text += c + " -> ";
    meta_error(source, item.offset, fmt::format("include cycle: {}{}", text, path.string()), shown, false);
  }
  // A directory opens as a stream but reads as nothing: refuse it first. Both failures get
  // psql-like wording, not fs::read_file's.
  std::optional<std::string> text;
  if (!std::filesystem::is_directory(path, ec)) {
    try {
      text = fs::read_file(path);
    } catch (const Error&) {
      // reported below
    }
  }
  if (!text)
    meta_error(source, item.offset,
               fmt::format("cannot read included file {}: {}", path.string(),
                           std::filesystem::exists(path, ec) ? "not a readable file" : "no such file"),
               shown, false);
  Source child(path, canonical, path.parent_path(), std::move(*text));
  child.parent = &source;
  child.parent_line = source.lexer.line_of(item.offset);
  k_log.debug("including {}", path.string());
  execute(child);
}

void Execution::finish() {
  if (!m_caller_transaction && PQtransactionStatus(m_pg) != PQTRANS_IDLE) {
    // psql's session would end here, and the server would roll the transaction back.
    k_log.warn("the script left a transaction open: rolled back");
    PQclear(PQexec(m_pg, "ROLLBACK"));
  }
}

void Execution::abandon() {
  m_batch.clear();
  m_buffering = false;
  if (PQpipelineStatus(m_pg) != PQ_PIPELINE_OFF) {
    while (true) {
      PGresult* r = PQgetResult(m_pg);
      if (!r) {
        if (PQexitPipelineMode(m_pg)) break;
        continue;
      }
      PQclear(r);
    }
  }
  if (!m_caller_transaction && PQtransactionStatus(m_pg) != PQTRANS_IDLE &&
      PQstatus(m_pg) == CONNECTION_OK)
    PQclear(PQexec(m_pg, "ROLLBACK"));
}

} // namespace detail

namespace {

// The script file's text. fs::read_file words the failure "cannot read PATH: REASON"; the
// runner has always said "cannot read script PATH: REASON", so the reason is carried over.
std::string read_script(const std::filesystem::path& file) {
  try {
    return fs::read_file(file);
  } catch (const Error& e) {
    std::string_view reason = e.what();
    std::string prefix = fmt::format("cannot read {}: ", file.string());
    if (reason.substr(0, prefix.size()) == prefix) reason.remove_prefix(prefix.size());
    throw ScriptError(fmt::format("cannot read script {}: {}", file.string(), reason), file, 0, 0, "", "");
  }
}

class NativeRunner : public Runner {
public:
  explicit NativeRunner(pq::Connection& connection) : m_conn(connection) {}

  void run_file(const std::filesystem::path& file, const Options& options) override {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec))
      throw ScriptError(fmt::format("cannot run {}: is a directory", file.string()), file, 0, 0, "", "");
    std::string text = read_script(file);
    std::filesystem::path canonical = std::filesystem::weakly_canonical(file, ec);
    detail::Source source(file, canonical, file.parent_path(), std::move(text));
    detail::Execution(m_conn, options).run(source);
  }

  void run_text(std::string_view sql, std::string_view name, const Options& options) override {
    std::error_code ec;
    detail::Source source(std::string(name), {}, std::filesystem::current_path(ec), std::string(sql));
    detail::Execution(m_conn, options).run(source);
  }

private:
  pq::Connection& m_conn;
};

} // namespace

std::unique_ptr<Runner> native_runner(pq::Connection& connection) {
  return std::make_unique<NativeRunner>(connection);
}

std::unique_ptr<Runner> make_runner(pq::Connection& connection, const std::string& conninfo) {
  std::string which = env::get_or("SQL_RUNNER", "native");
  if (which == "native") return native_runner(connection);
  if (which == "psql") return psql_runner(conninfo);
  throw Error(ExitCode::missing_argument, fmt::format("invalid SQL_RUNNER value '{}'", which),
              {"SQL_RUNNER is 'native' (the default) or 'psql'"});
}

} // namespace hectic::script
