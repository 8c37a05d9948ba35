#include "common/pg/pq.hpp"

#include "common/base/log.hpp"
#include "common/base/text.hpp"

namespace hectic::pq {

namespace {
const log::Logger k_log{"pq"};

std::string field(const PGresult* res, int code) {
  if (res == nullptr) return {};
  const char* value = PQresultErrorField(res, code);
  return value != nullptr ? value : "";
}

// The result when the command succeeded; else its SqlError.
Result checked(PGconn* conn, Result result) {
  auto status = result ? result.status() : PGRES_FATAL_ERROR;
  if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE || status == PGRES_NONFATAL_ERROR)
    throw make_sql_error(conn, result.native());
  return result;
}
} // namespace

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
    message = std::string(text::trim(text != nullptr && *text ? text : (conn ? PQerrorMessage(conn) : "")));
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
    std::string message = m_conn ? std::string(text::trim(PQerrorMessage(m_conn))) : "out of memory";
    if (m_conn) PQfinish(m_conn);
    m_conn = nullptr;
    // libpq messages do not contain passwords, but may echo parts of the URL: redact anyway.
    throw SqlError(fmt::format("cannot connect to {}: {}", redact(conninfo), redact(message)),
                   std::string(sqlstate::unable_to_connect));
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
  for (const auto& p : params) {
    // libpq takes C strings: a NUL byte would silently cut the value (text cannot hold one).
    if (p && p->find('\0') != std::string::npos)
      throw Error(ExitCode::generic, fmt::format("parameter ${} holds a NUL byte (at offset {}): refused, not cut",
                                                 values.size() + 1, p->find('\0')));
    values.push_back(p ? p->c_str() : nullptr);
  }
  return checked(m_conn, Result(PQexecParams(m_conn, sql.c_str(), static_cast<int>(values.size()),
                                             nullptr, values.data(), nullptr, nullptr, 0)));
}

std::string Connection::describe() const {
  const char* host = PQhost(m_conn);
  return fmt::format("{}@{} on {}:{}", PQuser(m_conn), PQdb(m_conn), host ? host : "?",
                     PQport(m_conn));
}

Transaction::Transaction(Connection& connection) : m_connection(connection) { begin(); }

void Transaction::begin() {
  m_connection.exec("BEGIN");
  m_finished = false;
}

void Transaction::commit() {
  m_connection.exec("COMMIT");
  m_finished = true;
}

bool Transaction::is_open() const {
  return PQtransactionStatus(m_connection.native()) != PQTRANS_IDLE;
}

void Transaction::rollback() noexcept {
  if (m_finished) return;
  m_finished = true;
  if (!is_open()) return;
  try {
    m_connection.exec("ROLLBACK");
  } catch (...) {
    // The connection is gone: the server rolls back for us.
  }
}

bool relation_exists(Connection& connection, const std::string& name) {
  return connection.exec_params("SELECT to_regclass($1) IS NOT NULL", {name}).scalar() == "t";
}

} // namespace hectic::pq
