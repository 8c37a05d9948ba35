#include "common/pg/pq.hpp"

#include <cctype>
#include <regex>

#include "common/base/log.hpp"

namespace hectic::pq {

namespace {
const log::Logger k_log{"pq"};

std::string field(const PGresult* res, int code) {
  if (res == nullptr) return {};
  const char* value = PQresultErrorField(res, code);
  return value != nullptr ? value : "";
}

std::string trim_newline(std::string text);

// The result when the command succeeded; else its SqlError.
Result checked(PGconn* conn, Result result) {
  auto status = result ? result.status() : PGRES_FATAL_ERROR;
  if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE || status == PGRES_NONFATAL_ERROR)
    throw make_sql_error(conn, result.native());
  return result;
}

std::string trim_newline(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}
} // namespace

// ---- connection strings -------------------------------------------------------------------

std::map<std::string, std::string> parse_conninfo(std::string_view conninfo) {
  char* error = nullptr;
  std::string text(conninfo);
  PQconninfoOption* options = PQconninfoParse(text.c_str(), &error);
  if (options == nullptr) {
    std::string message = error != nullptr ? trim_newline(error) : "out of memory";
    if (error != nullptr) PQfreemem(error);
    throw Error(ExitCode::generic,
                fmt::format("invalid connection string '{}': {}", redact(conninfo), message));
  }
  std::map<std::string, std::string> keywords;
  for (PQconninfoOption* option = options; option->keyword != nullptr; ++option)
    if (option->val != nullptr) keywords[option->keyword] = option->val;
  PQconninfoFree(options);
  return keywords;
}

std::string url_escape(std::string_view text) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string escaped;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      escaped += static_cast<char>(c);
    } else {
      escaped += '%';
      escaped += k_hex[c >> 4];
      escaped += k_hex[c & 15];
    }
  }
  return escaped;
}

std::string socket_url(std::string_view user, std::string_view database, std::string_view socket_dir,
                       int port) {
  // '/' is legal in a query value but not in userinfo or the path segment.
  auto strict = [](std::string_view s) {
    std::string e = url_escape(s);
    std::string out;
    for (char c : e) out += c == '/' ? std::string("%2F") : std::string(1, c);
    return out;
  };
  return fmt::format("postgresql://{}@/{}?host={}&port={}", strict(user), strict(database),
                     url_escape(socket_dir), port);
}

std::string build_conninfo(const std::map<std::string, std::string>& keywords) {
  std::string text;
  for (const auto& [key, value] : keywords) {
    if (!text.empty()) text += ' ';
    text += key;
    text += "='";
    for (char c : value) {
      if (c == '\'' || c == '\\') text += '\\';
      text += c;
    }
    text += '\'';
  }
  return text;
}

std::string redact(std::string_view conninfo) {
  std::string text(conninfo);
  // URL userinfo: scheme://user:secret@host -> scheme://user:***@host
  static const std::regex k_userinfo(R"(^(postgres(?:ql)?://[^:@/?#]*):[^@/?#]*@)");
  text = std::regex_replace(text, k_userinfo, "$1:***@");
  // URL query parameter: ?password=secret or &password=secret
  static const std::regex k_query(R"(([?&]password=)[^&#]*)", std::regex::icase);
  text = std::regex_replace(text, k_query, "$1***");
  // key=value form: password=secret / password = 'se cret'
  static const std::regex k_keyword(R"((^|\s)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+))",
                                    std::regex::icase);
  text = std::regex_replace(text, k_keyword, "$1$2***");
  return text;
}

// ---- errors -------------------------------------------------------------------------------

SqlError::SqlError(std::string message, std::string sqlstate, std::string detail, std::string hint,
                   int position, std::string context)
    : Error(ExitCode::generic, message), m_sqlstate(std::move(sqlstate)),
      m_server_message(std::move(message)), m_detail(std::move(detail)), m_hint(std::move(hint)),
      m_context(std::move(context)), m_position(position) {}

SqlError make_sql_error(PGconn* conn, const PGresult* res) {
  std::string message = field(res, PG_DIAG_MESSAGE_PRIMARY);
  if (message.empty()) {
    const char* text = res != nullptr ? PQresultErrorMessage(res) : "";
    message = trim_newline(text != nullptr && *text ? text : (conn ? PQerrorMessage(conn) : ""));
  }
  std::string position = field(res, PG_DIAG_STATEMENT_POSITION);
  return SqlError(message, field(res, PG_DIAG_SQLSTATE), field(res, PG_DIAG_MESSAGE_DETAIL),
                  field(res, PG_DIAG_MESSAGE_HINT), position.empty() ? 0 : std::stoi(position),
                  field(res, PG_DIAG_CONTEXT));
}

// ---- results ------------------------------------------------------------------------------

std::optional<std::string> Result::get_optional(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return get(row, col);
}

std::string Result::scalar() const {
  if (!m_res || rows() < 1 || columns() < 1)
    throw Error(ExitCode::internal, "query returned no value where one was expected");
  return get(0, 0);
}

// ---- connection ---------------------------------------------------------------------------

Connection::Connection(const std::string& conninfo, const std::string& application_name) {
  // fallback_application_name keeps a user's explicit application_name in the URL.
  const char* keywords[] = {"dbname", "fallback_application_name", nullptr};
  const char* values[] = {conninfo.c_str(), application_name.c_str(), nullptr};
  k_log.debug("connecting to {}", redact(conninfo));
  m_conn = PQconnectdbParams(keywords, values, 1);
  if (m_conn == nullptr || PQstatus(m_conn) != CONNECTION_OK) {
    std::string message = m_conn ? trim_newline(PQerrorMessage(m_conn)) : "out of memory";
    if (m_conn) PQfinish(m_conn);
    m_conn = nullptr;
    // libpq messages do not contain passwords, but may echo parts of the URL: redact anyway.
    throw SqlError(fmt::format("cannot connect to {}: {}", redact(conninfo), redact(message)),
                   "08001");
  }
  PQsetNoticeReceiver(m_conn, &Connection::notice_trampoline, this);
}

Connection::~Connection() {
  if (m_conn != nullptr) PQfinish(m_conn);
}

void Connection::notice_trampoline(void* self, const PGresult* res) {
  auto* connection = static_cast<Connection*>(self);
  if (connection->m_notice_handler) {
    connection->m_notice_handler(res);
    return;
  }
  k_log.notice("{}: {}", field(res, PG_DIAG_SEVERITY), field(res, PG_DIAG_MESSAGE_PRIMARY));
}

void Connection::set_notice_handler(NoticeHandler handler) { m_notice_handler = std::move(handler); }

Result Connection::exec(const std::string& sql) {
  k_log.trace("exec: {}", sql);
  return checked(m_conn, Result(PQexec(m_conn, sql.c_str())));
}

Result Connection::exec_params(const std::string& sql, const Params& params) {
  k_log.trace("exec: {}", sql);
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  return checked(m_conn, Result(PQexecParams(m_conn, sql.c_str(), static_cast<int>(values.size()),
                                             nullptr, values.data(), nullptr, nullptr, 0)));
}

std::string Connection::describe() const {
  const char* host = PQhost(m_conn);
  return fmt::format("{}@{} on {}:{}", PQuser(m_conn), PQdb(m_conn), host ? host : "?",
                     PQport(m_conn));
}

std::string Connection::quote_identifier(std::string_view name) const {
  char* quoted = PQescapeIdentifier(m_conn, name.data(), name.size());
  if (quoted == nullptr) throw make_sql_error(m_conn, nullptr);
  std::string text(quoted);
  PQfreemem(quoted);
  return text;
}

std::string Connection::quote_literal(std::string_view text) const {
  char* quoted = PQescapeLiteral(m_conn, text.data(), text.size());
  if (quoted == nullptr) throw make_sql_error(m_conn, nullptr);
  std::string result(quoted);
  PQfreemem(quoted);
  return result;
}

bool relation_exists(Connection& connection, const std::string& name) {
  return connection.exec_params("SELECT to_regclass($1) IS NOT NULL", {name}).scalar() == "t";
}

} // namespace hectic::pq
