// One statement in the native runner (psql's src/bin/psql/common.c): sent over the
// simple-query protocol, its rows printed as psql -At does, COPY data fed from the script,
// notices shown with the statement's place, and a failure worded as psql reports it.
#include <iostream>
#include <regex>

#include "common/base/log.hpp"
#include "common/base/text.hpp"
#include "common/script/runner_detail.hpp"

namespace hectic::script::detail {

namespace {

const log::Logger k_log{"script"};

const char* const k_fallback_hint = "the psql backend runs it: set SQL_RUNNER=psql";
constexpr int k_statement_lines_shown = 12;

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

// Where in the file a server error points: the character position it reports, else the
// statement's start (or, for bad COPY data, the data line).
struct ErrorPlace {
  std::size_t src = 0;
  int line = 0;
  int column = 0; // 0: the server gave no position
};

ErrorPlace error_place(const Lexer& lexer, const LexItem& item, const pq::SqlError& sql, bool copy_failed) {
  ErrorPlace place{item.offset, 0, 0};
  if (sql.position() > 0) {
    std::size_t byte = Lexer::byte_of_char_position(item.text, sql.position());
    place.src = Lexer::source_offset(item, byte);
    place.column = lexer.column_of(place.src);
  }
  place.line = lexer.line_of(place.src);
  if (copy_failed && place.column == 0) {
    // Bad COPY data: the server's "COPY t, line N" counts data lines; name the file line.
    static const std::regex k_copy_line(R"(^COPY [^\n]*?, line (\d+))");
    std::smatch m;
    if (std::regex_search(sql.context(), m, k_copy_line)) {
      place.src = lexer.copy_data_offset();
      place.line = lexer.line_of(place.src) + std::stoi(m[1]) - 1;
    }
  }
  return place;
}

// psql's "LINE n:" excerpt, from the file itself, with a caret under the column.
std::string line_excerpt(const std::string& text, const ErrorPlace& place) {
  std::size_t src = place.src;
  std::size_t bol = text.rfind('\n', src == 0 ? 0 : src - 1);
  bol = (bol == std::string::npos || src == 0) ? 0 : bol + 1;
  if (src > 0 && text[src - 1] == '\n') bol = src;
  std::size_t eol = text.find('\n', src);
  std::string source_line = text.substr(bol, eol == std::string::npos ? std::string::npos : eol - bol);
  if (!source_line.empty() && source_line.back() == '\r') source_line.pop_back();
  std::string prefix = fmt::format("LINE {}: ", place.line);
  return "\n" + prefix + source_line + "\n" +
         std::string(prefix.size() + static_cast<std::size_t>(place.column - 1), ' ') + "^";
}

} // namespace

std::string result_field(const PGresult* res, int code) {
  const char* v = PQresultErrorField(res, code);
  return v ? v : "";
}

std::string Execution::where(const Source& source, std::size_t offset, bool column) const {
  std::string text = fmt::format("{}:{}", source.display.string(), source.lexer.line_of(offset));
  if (column) text += fmt::format(":{}", source.lexer.column_of(offset));
  return text;
}

std::string Execution::included_from(const Source& source) {
  std::string text;
  for (const Source* s = &source; s->parent; s = s->parent)
    text += fmt::format("\nincluded from {}:{}", s->parent->display.string(), s->parent_line);
  return text;
}

void Execution::meta_error(const Source& source, std::size_t offset, const std::string& what,
                           std::string statement, bool fallback_hint) {
  ScriptError error(fmt::format("{}: {}{}", where(source, offset), what, included_from(source)),
                    source.display, source.lexer.line_of(offset), 0, "", std::move(statement));
  if (fallback_hint) error.with_hint(k_fallback_hint);
  throw error;
}

void Execution::statement_error(const Source& source, const LexItem& item, const PGresult* res) {
  pq::SqlError sql = pq::make_sql_error(m_pg, res);
  std::string severity = res ? result_field(res, PG_DIAG_SEVERITY) : "";
  if (severity.empty()) severity = "ERROR";
  ErrorPlace place = error_place(source.lexer, item, sql, m_copy_failed);
  bool have_column = place.column > 0;
  std::string message =
      fmt::format("{}:{}{}: {}:  {}", source.display.string(), place.line,
                  have_column ? fmt::format(":{}", place.column) : "", severity, sql.server_message());
  if (!sql.sqlstate().empty()) message += fmt::format(" (SQLSTATE {})", sql.sqlstate());
  if (!sql.detail().empty()) message += "\nDETAIL:  " + sql.detail();
  if (!sql.hint().empty()) message += "\nHINT:  " + sql.hint();
  if (!sql.context().empty()) message += "\nCONTEXT:  " + sql.context();
  if (have_column) message += line_excerpt(source.lexer.text(), place);
  message += "\nSTATEMENT:  " + first_lines(text::trim(item.text), k_statement_lines_shown);
  message += included_from(source);
  throw ScriptError(message, source.display, place.line, place.column, sql.sqlstate(), item.text);
}

void Execution::notice(const PGresult* res) {
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

void Execution::show_buffered(long limit, bool all) {
  auto shown = [&](int index) { return all || (index >= 0 && index < limit); };
  for (const auto& [index, rows] : m_buffered_rows)
    if (shown(index)) m_out << rows;
  m_out.flush();
  for (const auto& [index, line] : m_buffered)
    if (shown(index)) m_err << line;
  m_err.flush();
  m_buffered.clear();
  m_buffered_rows.clear();
}

void Execution::set_location(const Source& source, std::size_t offset) { m_location = where(source, offset); }

void Execution::print_tuples(const PGresult* res) {
  int rows = PQntuples(res), cols = PQnfields(res);
  if (cols == 0 || rows == 0 || m_quiet) return; // psql -At prints nothing for rows without columns
  std::string text;
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      if (c > 0) text += '|';
      if (!PQgetisnull(res, r, c)) text.append(PQgetvalue(res, r, c), static_cast<std::size_t>(PQgetlength(res, r, c)));
    }
    text += '\n';
  }
  if (m_buffering) {
    m_buffered_rows.emplace_back(m_statement_index, std::move(text));
    return;
  }
  m_out << text;
  m_out.flush();
}

void Execution::send_copy_data(Source& source, const LexItem& item) {
  std::string data = source.lexer.copy_data();
  m_copy_failed = true; // until the COPY's own result says otherwise
  if (PQputCopyData(m_pg, data.data(), static_cast<int>(data.size())) != 1 ||
      PQputCopyEnd(m_pg, nullptr) != 1)
    statement_error(source, item, nullptr);
}

void Execution::receive_copy_data() {
  char* buffer = nullptr;
  int n;
  while ((n = PQgetCopyData(m_pg, &buffer, 0)) > 0) {
    m_out.write(buffer, n);
    PQfreemem(buffer);
  }
  m_out.flush();
}

void Execution::execute_one(Source& source, const LexItem& item) {
  set_location(source, item.offset);
  m_copy_failed = false;
  k_log.trace("{}: {}", m_location, item.text);
  if (!PQsendQuery(m_pg, item.text.c_str())) statement_error(source, item, nullptr);
  pq::Result failed;
  for (;;) {
    pq::Result res(PQgetResult(m_pg));
    if (!res) break;
    switch (res.status()) {
    case PGRES_TUPLES_OK: print_tuples(res.native()); break;
    case PGRES_COPY_IN: send_copy_data(source, item); break;
    case PGRES_COPY_OUT: receive_copy_data(); break;
    case PGRES_FATAL_ERROR:
    case PGRES_BAD_RESPONSE:
    case PGRES_NONFATAL_ERROR:
      if (!failed) failed = res;
      break;
    default: break;
    }
  }
  if (failed) statement_error(source, item, failed.native());
  m_copy_failed = false;
  if (PQstatus(m_pg) == CONNECTION_BAD) statement_error(source, item, nullptr);
}

} // namespace hectic::script::detail
