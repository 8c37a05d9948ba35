// The script runners: the native engine (psql's semantics over one libpq connection) and the
// psql backend. Issue 3; SPEC "SQL scripts".
//
// Native execution model, as psql -X -v ON_ERROR_STOP=1 -f FILE:
// - every statement is sent on its own; outside a transaction each commits by itself;
// - the first error stops the script; a transaction the script opened and did not finish is
//   rolled back at the end (psql's session would end);
// - long runs of simple statements (INSERT/UPDATE/DELETE/DDL) go through libpq pipeline mode
//   (https://www.postgresql.org/docs/15/libpq-pipeline-mode.html), one round trip per batch.
//   Statements between two syncs form one implicit transaction, so a batch outside a
//   transaction is sent as BEGIN; stmt; ...; COMMIT; Sync. When statement k fails, the server
//   skips the rest up to the Sync and the batch rolls back; we then replay statements 0..k-1
//   (they succeeded once: their notices are not shown twice) and run k alone, which fails
//   again, now in psql's state: 0..k-1 committed, k failed, nothing after it ran. (What a
//   replay cannot undo: nextval() calls of the rolled-back first pass; sequences may end
//   higher than under psql after a failed script.) A SAVEPOINT around every statement would
//   make even that exact but costs a third of the gain (bench/README.md).
//   Inside a transaction (the script's or the caller's) the statements are sent as they are;
//   a failure there leaves the transaction failed, as psql does.
#include "common/script/script.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <regex>
#include <sstream>

#include "common/base/env.hpp"
#include "common/base/fs.hpp"
#include "common/base/log.hpp"
#include "common/pg/pgbin.hpp"
#include "common/base/process.hpp"
#include "common/script/lexer.hpp"
#include "common/base/text.hpp"

namespace hectic::script {

ScriptError::ScriptError(std::string message, std::filesystem::path file, int line, int column,
                         std::string sqlstate, std::string statement)
    : Error(ExitCode::generic, std::move(message)), m_file(std::move(file)), m_line(line),
      m_column(column), m_sqlstate(std::move(sqlstate)), m_statement(std::move(statement)) {}

namespace {

const log::Logger k_log{"script"};

const char* const k_fallback_hint = "the psql backend runs it: set SQL_RUNNER=psql";
constexpr std::size_t k_max_batch = 1000;
constexpr std::size_t k_max_batch_ddl = 50;
constexpr int k_statement_lines_shown = 12;

// psql's ParseVariableBool: unique prefixes of true/false/yes/no, on/off (2+ chars), 1/0.
std::optional<bool> parse_bool(std::string_view value) {
  auto prefix_of = [&](std::string_view word, std::size_t min_len) {
    if (value.size() < min_len || value.size() > word.size()) return false;
    for (std::size_t i = 0; i < value.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(value[i])) != word[i]) return false;
    return true;
  };
  if (prefix_of("true", 1)) return true;
  if (prefix_of("false", 1)) return false;
  if (prefix_of("yes", 1)) return true;
  if (prefix_of("no", 1)) return false;
  if (prefix_of("on", 2)) return true;
  if (prefix_of("off", 2)) return false;
  if (value == "1") return true;
  if (value == "0") return false;
  return std::nullopt;
}

bool valid_variable_name(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return std::isalnum(u) || c == '_' || u >= 0x80;
  });
}

// psql meta-commands we do not run natively: named in the error with the fallback.
bool is_psql_command(std::string_view name) {
  static const char* const k_names[] = {
      "a", "bind", "c", "connect", "C", "cd", "conninfo", "copy", "copyright", "crosstabview",
      "d", "da", "dA", "db", "dc", "dC", "dd", "dD", "ddp", "dE", "des", "det", "deu", "dew",
      "df", "dF", "dg", "di", "dl", "dL", "dm", "dn", "do", "dO", "dp", "dP", "drds", "dRp",
      "dRs", "ds", "dS", "dt", "dT", "du", "dv", "dx", "dX", "dy", "e", "edit", "ef", "encoding",
      "errverbose", "ev", "f", "g", "gdesc", "getenv", "gexec", "gset", "gx", "h", "help", "H",
      "html", "ir", "l", "list", "lo_export", "lo_import", "lo_list", "lo_unlink", "o", "out",
      "p", "print", "password", "prompt", "pset", "q", "quit", "r", "reset", "s", "setenv", "sf",
      "sv", "t", "T", "timing", "w", "write", "watch", "x", "z", "!", "?"};
  for (const char* n : k_names)
    if (name == n) return true;
  return false;
}

std::string first_lines(std::string_view text, int max_lines) {
  std::string out;
  int lines = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t eol = text.find('\n', pos);
    std::string_view line = text.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    if (lines == max_lines) {
      out += "\n...";
      break;
    }
    if (lines > 0) out += '\n';
    out += line;
    ++lines;
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  return out;
}

std::string result_field(const PGresult* res, int code) {
  const char* v = PQresultErrorField(res, code);
  return v ? v : "";
}

// One script file (or text) being run.
struct Source {
  std::filesystem::path display;   // as shown in messages
  std::filesystem::path canonical; // for include cycles (empty for text)
  std::filesystem::path base_dir;  // \ir resolves against it
  Lexer lexer;
  const Source* parent = nullptr;
  int parent_line = 0;

  Source(std::filesystem::path d, std::filesystem::path c, std::filesystem::path b, std::string text)
      : display(std::move(d)), canonical(std::move(c)), base_dir(std::move(b)), lexer(std::move(text)) {}
};

// A statement waiting in a pipeline batch.
struct Pending {
  LexItem item;
};

// psql's \if stack states.
enum class Cond { if_true, if_false, ignored, else_true, else_false };
struct CondEntry {
  Cond state;
  std::size_t offset;
};

class Execution {
public:
  Execution(pq::Connection& connection, const Options& options)
      : m_conn(connection), m_pg(connection.native()),
        m_out(options.out ? *options.out : std::cout), m_err(options.err ? *options.err : std::cerr) {
    predefine();
    for (const auto& [k, v] : options.variables) m_vars[k] = v;
    m_conn.set_notice_handler([this](const PGresult* res) { notice(res); });
    // A transaction open before the script is the caller's, flagged or not: never end it.
    m_caller_transaction = options.in_caller_transaction || PQtransactionStatus(m_pg) != PQTRANS_IDLE;
  }
  ~Execution() { m_conn.set_notice_handler({}); }

  void run(Source& source) {
    try {
      execute(source);
    } catch (...) {
      abandon();
      throw;
    }
    finish();
  }

private:
  void predefine() {
    auto put = [&](const char* name, const char* value) {
      if (value) m_vars[name] = value;
    };
    put("DBNAME", PQdb(m_pg));
    put("USER", PQuser(m_pg));
    put("HOST", PQhost(m_pg));
    put("PORT", PQport(m_pg));
    put("ENCODING", PQparameterStatus(m_pg, "client_encoding"));
    put("SERVER_VERSION_NAME", PQparameterStatus(m_pg, "server_version"));
    m_vars["SERVER_VERSION_NUM"] = std::to_string(PQserverVersion(m_pg));
    m_vars["ON_ERROR_STOP"] = "1"; // as the psql backend passes it
  }

  // ---- locations and errors -------------------------------------------------------------

  std::string where(const Source& source, std::size_t offset, bool column = false) const {
    std::string text = fmt::format("{}:{}", source.display.string(), source.lexer.line_of(offset));
    if (column) text += fmt::format(":{}", source.lexer.column_of(offset));
    return text;
  }

  static std::string included_from(const Source& source) {
    std::string text;
    for (const Source* s = &source; s->parent; s = s->parent)
      text += fmt::format("\nincluded from {}:{}", s->parent->display.string(), s->parent_line);
    return text;
  }

  [[noreturn]] void meta_error(const Source& source, std::size_t offset, const std::string& what,
                               std::string statement, bool fallback_hint) {
    ScriptError error(fmt::format("{}: {}{}", where(source, offset), what, included_from(source)),
                      source.display, source.lexer.line_of(offset), 0, "", std::move(statement));
    if (fallback_hint) error.with_hint(k_fallback_hint);
    throw error;
  }

  [[noreturn]] void statement_error(const Source& source, const LexItem& item, const PGresult* res) {
    pq::SqlError sql = pq::make_sql_error(m_pg, res);
    std::string severity = res ? result_field(res, PG_DIAG_SEVERITY) : "";
    if (severity.empty()) severity = "ERROR";
    std::size_t src = item.offset;
    bool have_column = false;
    if (sql.position() > 0) {
      std::size_t byte = Lexer::byte_of_char_position(item.text, sql.position());
      src = Lexer::source_offset(item, byte);
      have_column = true;
    }
    int line = source.lexer.line_of(src);
    int column = have_column ? source.lexer.column_of(src) : 0;
    if (m_copy_failed && !have_column) {
      // Bad COPY data: the server's "COPY t, line N" counts data lines; name the file line.
      static const std::regex k_copy_line(R"(^COPY [^\n]*?, line (\d+))");
      std::smatch m;
      if (std::regex_search(sql.context(), m, k_copy_line)) {
        src = source.lexer.copy_data_offset();
        line = source.lexer.line_of(src) + std::stoi(m[1]) - 1;
      }
    }
    std::string message =
        fmt::format("{}:{}{}: {}:  {}", source.display.string(), line,
                    have_column ? fmt::format(":{}", column) : "", severity, sql.server_message());
    if (!sql.sqlstate().empty()) message += fmt::format(" (SQLSTATE {})", sql.sqlstate());
    if (!sql.detail().empty()) message += "\nDETAIL:  " + sql.detail();
    if (!sql.hint().empty()) message += "\nHINT:  " + sql.hint();
    if (!sql.context().empty()) message += "\nCONTEXT:  " + sql.context();
    if (have_column) {
      // psql's "LINE n:" excerpt, from the file itself, with a caret under the column.
      const std::string& text = source.lexer.text();
      std::size_t bol = text.rfind('\n', src == 0 ? 0 : src - 1);
      bol = (bol == std::string::npos || src == 0) ? 0 : bol + 1;
      if (src > 0 && text[src - 1] == '\n') bol = src;
      std::size_t eol = text.find('\n', src);
      std::string source_line = text.substr(bol, eol == std::string::npos ? std::string::npos : eol - bol);
      if (!source_line.empty() && source_line.back() == '\r') source_line.pop_back();
      std::string prefix = fmt::format("LINE {}: ", line);
      message += "\n" + prefix + source_line + "\n" +
                 std::string(prefix.size() + static_cast<std::size_t>(column - 1), ' ') + "^";
    }
    message += "\nSTATEMENT:  " + first_lines(text::trim(item.text), k_statement_lines_shown);
    message += included_from(source);
    ScriptError error(message, source.display, line, column, sql.sqlstate(), item.text);
    throw error;
  }

  // Drops notices while alive (a replay shows nothing twice).
  struct QuietNotices {
    bool& flag;
    bool previous;
    explicit QuietNotices(bool& f) : flag(f), previous(f) { flag = true; }
    ~QuietNotices() { flag = previous; }
  };

  void notice(const PGresult* res) {
    if (m_quiet) return;
    const char* text = PQresultErrorMessage(res);
    std::string line = (m_location.empty() ? "" : m_location + ": ") + (text ? text : "");
    if (m_buffering) {
      m_buffered.emplace_back(m_statement_index, std::move(line));
      return;
    }
    m_err << line;
    m_err.flush();
  }

  // Shows the notices a batch collected for its statements before `limit` (and its own
  // BEGIN/COMMIT ones when everything is shown).
  void show_buffered(long limit, bool all) {
    for (const auto& [index, line] : m_buffered)
      if (all || (index >= 0 && index < limit)) m_err << line;
    m_err.flush();
    m_buffered.clear();
  }

  void set_location(const Source& source, std::size_t offset) { m_location = where(source, offset); }

  // ---- the main loop --------------------------------------------------------------------

  bool active(const std::vector<CondEntry>& cond) const {
    return cond.empty() || cond.back().state == Cond::if_true || cond.back().state == Cond::else_true;
  }

  void execute(Source& source) {
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

  // ---- meta-commands --------------------------------------------------------------------

  void meta(Source& source, const LexItem& item, std::vector<CondEntry>& cond) {
    const std::string& name = item.text;
    Lexer& lexer = source.lexer;
    bool is_active = active(cond);
    if (name == "if" || name == "elif" || name == "else" || name == "endif") {
      conditional(source, item, cond);
      return;
    }
    if (!is_active) {
      lexer.meta_args(nullptr);
      return;
    }
    // Output must follow the statements before it.
    flush(source);
    std::vector<std::string> args = lexer.meta_args(&m_vars);
    std::string shown = "\\" + name + std::string(lexer.meta_rest());
    if (lexer.meta_had_backquote())
      meta_error(source, item.offset,
                 fmt::format("backquote (shell command) substitution in \\{} is not supported by the native runner", name),
                 shown, true);
    if (name == "i" || name == "include" || name == "ir" || name == "include_relative") {
      if (args.empty()) meta_error(source, item.offset, fmt::format("\\{}: missing required argument", name), shown, false);
      warn_extra(source, item, args, 1);
      include(source, item, args[0], name == "ir" || name == "include_relative");
    } else if (name == "set") {
      if (args.empty()) {
        for (const auto& [k, v] : m_vars) m_out << k << " = '" << v << "'\n";
        return;
      }
      if (!valid_variable_name(args[0]))
        meta_error(source, item.offset, fmt::format("\\set: invalid variable name \"{}\"", args[0]), shown, false);
      std::string value;
      for (std::size_t i = 1; i < args.size(); ++i) value += args[i];
      check_special(source, item, args[0], value, shown);
      m_vars[args[0]] = value;
    } else if (name == "unset") {
      if (args.empty()) meta_error(source, item.offset, "\\unset: missing required argument", shown, false);
      warn_extra(source, item, args, 1);
      if (args[0] == "ON_ERROR_STOP") return;
      m_vars.erase(args[0]);
    } else if (name == "echo" || name == "qecho" || name == "warn") {
      bool newline = true;
      std::size_t first = 0;
      if (!args.empty() && args[0] == "-n") {
        newline = false;
        first = 1;
      }
      std::ostream& stream = name == "warn" ? m_err : m_out;
      for (std::size_t i = first; i < args.size(); ++i) {
        if (i > first) stream << ' ';
        stream << args[i];
      }
      if (newline) stream << '\n';
      stream.flush();
    } else if (name == "restrict" || name == "unrestrict") {
      // pg_dump's guard against a malicious server: psql would refuse meta-commands between
      // the two; we run none that could harm anyway.
      if (args.empty()) meta_error(source, item.offset, fmt::format("\\{}: missing required argument", name), shown, false);
    } else if (is_psql_command(name)) {
      meta_error(source, item.offset, fmt::format("unsupported meta-command \\{} in the native runner", name), shown, true);
    } else {
      meta_error(source, item.offset, fmt::format("invalid meta-command \\{}", name), shown, true);
    }
  }

  void warn_extra(const Source& source, const LexItem& item, const std::vector<std::string>& args, std::size_t used) {
    for (std::size_t i = used; i < args.size(); ++i)
      m_err << where(source, item.offset) << ": \\" << item.text << ": extra argument \"" << args[i] << "\" ignored\n";
  }

  void check_special(const Source& source, const LexItem& item, const std::string& name, const std::string& value,
                     const std::string& shown) {
    if (name == "AUTOCOMMIT") {
      auto on = parse_bool(value);
      if (!on || !*on)
        meta_error(source, item.offset, "\\set AUTOCOMMIT off is not supported by the native runner", shown, true);
    } else if (name == "ON_ERROR_STOP") {
      auto on = parse_bool(value.empty() ? "on" : value);
      if (on && !*on)
        k_log.warn("{}: \\set ON_ERROR_STOP {}: the native runner always stops at the first error",
                   where(source, item.offset), value);
    }
  }

  void conditional(Source& source, const LexItem& item, std::vector<CondEntry>& cond) {
    const std::string& name = item.text;
    Lexer& lexer = source.lexer;
    auto evaluate = [&]() {
      std::vector<std::string> args = lexer.meta_args(&m_vars);
      std::string expr;
      for (const auto& a : args) expr += (expr.empty() ? "" : " ") + a;
      auto value = parse_bool(expr);
      if (!value)
        meta_error(source, item.offset,
                   fmt::format("\\{}: unrecognized value \"{}\" for \"\\{} expression\": Boolean expected", name, expr, name),
                   "\\" + name + std::string(lexer.meta_rest()), false);
      return *value;
    };
    if (name == "if") {
      if (active(cond)) {
        flush(source);
        cond.push_back({evaluate() ? Cond::if_true : Cond::if_false, item.offset});
      } else {
        lexer.meta_args(nullptr);
        cond.push_back({Cond::ignored, item.offset});
      }
      return;
    }
    if (cond.empty())
      meta_error(source, item.offset, fmt::format("\\{}: no matching \\if", name), "\\" + name, false);
    CondEntry& top = cond.back();
    if (name == "elif") {
      switch (top.state) {
      case Cond::if_true: top.state = Cond::ignored; lexer.meta_args(nullptr); break;
      case Cond::if_false: flush(source); top.state = evaluate() ? Cond::if_true : Cond::if_false; break;
      case Cond::ignored: lexer.meta_args(nullptr); break;
      default: meta_error(source, item.offset, "\\elif: cannot occur after \\else", "\\elif", false);
      }
      return;
    }
    lexer.meta_args(nullptr);
    if (name == "else") {
      switch (top.state) {
      case Cond::if_true: top.state = Cond::else_false; break;
      case Cond::if_false: top.state = Cond::else_true; break;
      case Cond::ignored: top.state = Cond::else_false; break;
      default: meta_error(source, item.offset, "\\else: cannot occur after \\else", "\\else", false);
      }
      return;
    }
    cond.pop_back(); // endif
  }

  void include(Source& source, const LexItem& item, const std::string& arg, bool relative) {
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
    std::ifstream in(path, std::ios::binary);
    if (!in || std::filesystem::is_directory(path, ec))
      meta_error(source, item.offset,
                 fmt::format("cannot read included file {}: {}", path.string(),
                             std::filesystem::exists(path, ec) ? "not a readable file" : "no such file"),
                 shown, false);
    std::stringstream buffer;
    buffer << in.rdbuf();
    Source child(path, canonical, path.parent_path(), buffer.str());
    child.parent = &source;
    child.parent_line = source.lexer.line_of(item.offset);
    k_log.debug("including {}", path.string());
    execute(child);
  }

  // ---- statements -----------------------------------------------------------------------

  static bool blank(const LexItem& item) {
    // Only ';' and whitespace: psql would send an empty query.
    return std::all_of(item.text.begin(), item.text.end(),
                       [](char c) { return c == ';' || std::isspace(static_cast<unsigned char>(c)); });
  }

  // Statements that may share a pipeline batch: no result rows, allowed in a transaction
  // block, nothing that must see its own commit first.
  static bool pipelinable(const LexItem& item) {
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

  void statement(Source& source, LexItem item) {
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

  void print_tuples(const PGresult* res) {
    int rows = PQntuples(res), cols = PQnfields(res);
    if (cols == 0) return; // psql -At prints nothing for rows without columns
    std::string line;
    for (int r = 0; r < rows; ++r) {
      line.clear();
      for (int c = 0; c < cols; ++c) {
        if (c > 0) line += '|';
        if (!PQgetisnull(res, r, c)) line.append(PQgetvalue(res, r, c), static_cast<std::size_t>(PQgetlength(res, r, c)));
      }
      line += '\n';
      m_out << line;
    }
    if (rows > 0) m_out.flush();
  }

  // One statement over the simple-query protocol, like psql.
  void execute_one(Source& source, const LexItem& item) {
    set_location(source, item.offset);
    m_copy_failed = false;
    k_log.trace("{}: {}", m_location, item.text);
    if (!PQsendQuery(m_pg, item.text.c_str())) statement_error(source, item, nullptr);
    pq::Result failed;
    for (;;) {
      pq::Result res(PQgetResult(m_pg));
      if (!res) break;
      switch (res.status()) {
      case PGRES_TUPLES_OK:
        print_tuples(res.native());
        break;
      case PGRES_COPY_IN: {
        std::string data = source.lexer.copy_data();
        m_copy_failed = true; // until the COPY's own result says otherwise
        if (PQputCopyData(m_pg, data.data(), static_cast<int>(data.size())) != 1 ||
            PQputCopyEnd(m_pg, nullptr) != 1)
          statement_error(source, item, nullptr);
        break;
      }
      case PGRES_COPY_OUT: {
        char* buffer = nullptr;
        int n;
        while ((n = PQgetCopyData(m_pg, &buffer, 0)) > 0) {
          m_out.write(buffer, n);
          PQfreemem(buffer);
        }
        m_out.flush();
        break;
      }
      case PGRES_FATAL_ERROR:
      case PGRES_BAD_RESPONSE:
      case PGRES_NONFATAL_ERROR:
        if (!failed) failed = res;
        break;
      default:
        break;
      }
    }
    if (failed) statement_error(source, item, failed.native());
    m_copy_failed = false;
    if (PQstatus(m_pg) == CONNECTION_BAD) statement_error(source, item, nullptr);
  }

  // Sends the batch in pipeline mode and reads every result; throws at the first failing
  // statement (after restoring psql's state: the statements before it committed).
  void flush(Source& source) {
    if (m_batch.empty()) return;
    std::vector<Pending> batch;
    batch.swap(m_batch);
    m_batch_ddl = 0;
    if (batch.size() == 1) {
      execute_one(source, batch[0].item);
      return;
    }
    bool wrap = PQtransactionStatus(m_pg) == PQTRANS_IDLE;
    if (!PQenterPipelineMode(m_pg)) throw pq::make_sql_error(m_pg, nullptr);
    // Queries in send order; index into batch or -1 for our own BEGIN/SAVEPOINT/...
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
    int failed_index = -1;
    bool commit_failed = false, incomplete = false;
    pq::Result failure;
    m_buffering = true;
    m_statement_index = -1;
    m_buffered.clear();
    for (std::size_t q = 0; q < owner.size(); ++q) {
      int index = owner[q];
      if (index >= 0) {
        set_location(source, batch[static_cast<std::size_t>(index)].item.offset);
        m_statement_index = index;
      }
      pq::Result res(PQgetResult(m_pg));
      if (!res) {
        incomplete = true; // connection trouble: reported below
        break;
      }
      ExecStatusType status = res.status();
      if (status == PGRES_TUPLES_OK) {
        print_tuples(res.native());
      } else if (status == PGRES_FATAL_ERROR && !failure) {
        failure = res;
        if (index >= 0)
          failed_index = index;
        else if (index == -2)
          commit_failed = true;
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
    if (!failure && (incomplete || PQstatus(m_pg) == CONNECTION_BAD)) {
      show_buffered(0, true);
      statement_error(source, batch[static_cast<std::size_t>(std::max(m_statement_index, 0))].item, nullptr);
    }
    if (!failure) {
      show_buffered(0, true);
      return;
    }
    std::string sqlstate = result_field(failure.native(), PG_DIAG_SQLSTATE);
    if (wrap && (sqlstate.rfind("53", 0) == 0 || sqlstate.rfind("40", 0) == 0 || sqlstate.rfind("25", 0) == 0)) {
      // Out of resources, a deadlock/serialization failure, or a statement that refuses to
      // run in a transaction block: possibly caused by batching itself. The batch rolled back;
      // run it the way psql does, one statement at a time.
      k_log.debug("batch failed with SQLSTATE {}: running its {} statements one by one", sqlstate, batch.size());
      if (PQtransactionStatus(m_pg) != PQTRANS_IDLE) PQclear(PQexec(m_pg, "ROLLBACK"));
      m_buffered.clear();
      for (const auto& pending : batch) execute_one(source, pending.item);
      return;
    }
    if (failed_index >= 0) {
      if (!wrap) {
        show_buffered(failed_index + 1, false);
        statement_error(source, batch[static_cast<std::size_t>(failed_index)].item, failure.native());
      }
      // Notices of the statements psql would have run before the failing one; the failing
      // one shows its own when it runs again below.
      show_buffered(failed_index, false);
      // The batch rolled back: redo what psql would have committed, then the failing statement
      // alone (it throws with the server's error, in psql's state).
      PQclear(PQexec(m_pg, "ROLLBACK"));
      auto k = static_cast<std::ptrdiff_t>(failed_index);
      k_log.debug("statement {} of a batch of {} failed: replaying the {} before it", k + 1, batch.size(), k);
      m_batch.assign(batch.begin(), batch.begin() + k);
      {
        QuietNotices quiet(m_quiet);
        flush(source);
      }
      execute_one(source, batch[static_cast<std::size_t>(k)].item);
      m_batch.assign(batch.begin() + k + 1, batch.end());
      flush(source);
      return;
    }
    if (commit_failed) {
      // A deferred constraint fired at COMMIT: nothing of the batch stayed. Run it again one
      // statement at a time so the error comes from the statement psql would blame.
      k_log.debug("batch commit failed ({}); replaying {} statements one by one",
                  result_field(failure.native(), PG_DIAG_MESSAGE_PRIMARY), batch.size());
      m_buffered.clear();
      for (const auto& pending : batch) execute_one(source, pending.item);
      return;
    }
    throw pq::make_sql_error(m_pg, failure.native());
  }

  // ---- end of run -----------------------------------------------------------------------

  void finish() {
    if (!m_caller_transaction && PQtransactionStatus(m_pg) != PQTRANS_IDLE) {
      // psql's session would end here, and the server would roll the transaction back.
      k_log.warn("the script left a transaction open: rolled back");
      PQclear(PQexec(m_pg, "ROLLBACK"));
    }
  }

  void abandon() {
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

  pq::Connection& m_conn;
  PGconn* m_pg;
  std::ostream& m_out;
  std::ostream& m_err;
  Variables m_vars;
  std::vector<Pending> m_batch;
  std::size_t m_batch_ddl = 0;
  bool m_caller_transaction = false;
  std::string m_location;
  bool m_quiet = false;
  bool m_copy_failed = false; // the statement being reported sent COPY data
  // While a batch runs, notices wait here with the index of their statement.
  bool m_buffering = false;
  int m_statement_index = -1;
  std::vector<std::pair<int, std::string>> m_buffered;
};

class NativeRunner : public Runner {
public:
  explicit NativeRunner(pq::Connection& connection) : m_conn(connection) {}

  void run_file(const std::filesystem::path& file, const Options& options) override {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec))
      throw ScriptError(fmt::format("cannot run {}: is a directory", file.string()), file, 0, 0, "", "");
    std::ifstream in(file, std::ios::binary);
    if (!in)
      throw ScriptError(fmt::format("cannot read script {}: {}", file.string(), std::strerror(errno)), file, 0, 0, "", "");
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::filesystem::path canonical = std::filesystem::weakly_canonical(file, ec);
    Source source(file, canonical, file.parent_path(), buffer.str());
    Execution(m_conn, options).run(source);
  }

  void run_text(std::string_view sql, std::string_view name, const Options& options) override {
    std::error_code ec;
    Source source(std::string(name), {}, std::filesystem::current_path(ec), std::string(sql));
    Execution(m_conn, options).run(source);
  }

private:
  pq::Connection& m_conn;
};

class PsqlRunner : public Runner {
public:
  explicit PsqlRunner(std::string conninfo) : m_conninfo(std::move(conninfo)) {}

  void run_file(const std::filesystem::path& file, const Options& options) override {
    run({"-f", file.string()}, {}, file, options);
  }

  void run_text(std::string_view sql, std::string_view name, const Options& options) override {
    run({"-f", "-"}, std::string(sql), std::string(name), options);
  }

private:
  void run(std::vector<std::string> input, std::optional<std::string> stdin_data,
           const std::filesystem::path& shown, const Options& options) {
    if (options.in_caller_transaction)
      k_log.warn("SQL_RUNNER=psql: {} runs in its own session, outside the caller's transaction",
                 shown.string());
    // The command line shows in ps and in debug logs: the password travels as PGPASSWORD.
    process::Options po;
    auto keywords = pq::parse_conninfo(m_conninfo);
    std::string conninfo = m_conninfo;
    if (auto it = keywords.find("password"); it != keywords.end()) {
      po.env_set["PGPASSWORD"] = it->second;
      keywords.erase(it);
      conninfo = pq::build_conninfo(keywords);
    }
    std::vector<std::string> args = {"-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=default",
                                     "-At", "-d", conninfo};
    if (options.in_caller_transaction) args.push_back("--single-transaction");
    for (const auto& [k, v] : options.variables) {
      args.push_back("-v");
      args.push_back(k + "=" + v);
    }
    args.insert(args.end(), input.begin(), input.end());
    po.stdin_data = std::move(stdin_data);
    po.timeout = std::chrono::hours(12);
    process::Result result = process::run(pgbin::program("psql"), args, po);
    std::ostream& out = options.out ? *options.out : std::cout;
    std::ostream& err = options.err ? *options.err : std::cerr;
    out << result.out;
    out.flush();
    if (result.ok()) {
      err << result.err;
      err.flush();
      return;
    }
    // psql:FILE:LINE: ERROR:  message
    static const std::regex k_where(R"(psql:(.*?):(\d+): (ERROR|FATAL|PANIC):)");
    std::smatch m;
    int line = 0;
    std::string text(text::trim(result.err));
    if (std::regex_search(text, m, k_where)) line = std::stoi(m[2]);
    if (text.empty()) text = fmt::format("psql {}", result.describe());
    throw ScriptError(fmt::format("{} failed (psql {}):\n{}", shown.string(), result.describe(), pq::redact(text)),
                      shown, line, 0, "", "");
  }

  std::string m_conninfo;
};

} // namespace

std::unique_ptr<Runner> native_runner(pq::Connection& connection) {
  return std::make_unique<NativeRunner>(connection);
}

std::unique_ptr<Runner> psql_runner(std::string conninfo) {
  return std::make_unique<PsqlRunner>(std::move(conninfo));
}

std::unique_ptr<Runner> make_runner(pq::Connection& connection, const std::string& conninfo) {
  std::string which = env::get_or("SQL_RUNNER", "native");
  if (which == "native") return native_runner(connection);
  if (which == "psql") return psql_runner(conninfo);
  throw Error(ExitCode::missing_argument, fmt::format("invalid SQL_RUNNER value '{}'", which),
              {"SQL_RUNNER is 'native' (the default) or 'psql'"});
}

} // namespace hectic::script
