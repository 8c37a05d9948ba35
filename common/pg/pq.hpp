#pragma once
// libpq RAII (after libpqxx): a connection opens in its constructor and closes in its
// destructor; values travel as parameters; errors keep their SQLSTATE. Also conninfo/URL
// parsing and building, and password redaction for anything printed.
#include <libpq-fe.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/error.hpp"

namespace hectic::pq {

// ---- connection strings -------------------------------------------------------------------

// Parsed keywords of a URL ("postgresql://...") or key=value conninfo (via PQconninfoParse).
// Throws Error(generic) with libpq's message (redacted) when it does not parse.
std::map<std::string, std::string> parse_conninfo(std::string_view conninfo);

// Builds "postgresql://USER@/DB?host=SOCKDIR&port=PORT" (percent-escaped as needed).
std::string socket_url(std::string_view user, std::string_view database,
                       std::string_view socket_dir, int port);

// Builds a key=value conninfo from keywords, quoting values as libpq requires.
std::string build_conninfo(const std::map<std::string, std::string>& keywords);

// The same connection string with any password replaced by "***" (URL userinfo, ?password=,
// password=...). Never throws; unparseable input is returned with anything after ':' in the
// userinfo masked.
std::string redact(std::string_view conninfo);

// Percent-encoding for URL components.
std::string url_escape(std::string_view text);

// ---- errors -------------------------------------------------------------------------------

// An error reported by the server (or by libpq), with the fields of PQresultErrorField.
class SqlError : public Error {
public:
  SqlError(std::string message, std::string sqlstate, std::string detail = {},
           std::string hint = {}, int position = 0, std::string context = {});
  const std::string& sqlstate() const { return m_sqlstate; }
  const std::string& server_message() const { return m_server_message; }
  const std::string& detail() const { return m_detail; }
  const std::string& hint() const { return m_hint; }
  int position() const { return m_position; } // 1-based character offset in the statement, 0 if none
  const std::string& context() const { return m_context; }

private:
  std::string m_sqlstate, m_server_message, m_detail, m_hint, m_context;
  int m_position;
};

// Builds a SqlError from a failed PGresult (or the connection's message when res is null).
SqlError make_sql_error(PGconn* conn, const PGresult* res);

// ---- results ------------------------------------------------------------------------------

// Owns a PGresult.
class Result {
public:
  Result() = default;
  explicit Result(PGresult* res) : m_res(res, &PQclear) {}
  PGresult* native() const { return m_res.get(); }
  explicit operator bool() const { return m_res != nullptr; }
  ExecStatusType status() const { return PQresultStatus(m_res.get()); }
  int rows() const { return PQntuples(m_res.get()); }
  int columns() const { return PQnfields(m_res.get()); }
  bool is_null(int row, int col) const { return PQgetisnull(m_res.get(), row, col) != 0; }
  std::string get(int row, int col) const { return PQgetvalue(m_res.get(), row, col); }
  std::optional<std::string> get_optional(int row, int col) const;
  std::string column_name(int col) const { return PQfname(m_res.get(), col); }
  // First column of the first row; throws Error(internal) when there is none.
  std::string scalar() const;

private:
  std::shared_ptr<PGresult> m_res;
};

using Params = std::vector<std::optional<std::string>>;

// ---- connection ---------------------------------------------------------------------------

// One libpq connection. Throws SqlError (code generic) when it cannot connect; the message is
// redacted.
class Connection {
public:
  explicit Connection(const std::string& conninfo, const std::string& application_name = "hectic");
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  PGconn* native() const { return m_conn; }

  // Simple-query protocol (may hold several statements; the last result is returned).
  // Throws SqlError on failure.
  Result exec(const std::string& sql);
  // Extended protocol with text parameters ($1, $2 ...). Throws SqlError on failure.
  Result exec_params(const std::string& sql, const Params& params);

  // Receives server notices (NOTICE, WARNING, ...) as (severity, message, full PGresult).
  using NoticeHandler = std::function<void(const PGresult*)>;
  void set_notice_handler(NoticeHandler handler);

  // Server version as an integer (150020).
  int server_version() const { return PQserverVersion(m_conn); }
  // "user@db on host:port" (never the password).
  std::string describe() const;

  // Quotes for splicing where parameters cannot go (identifiers in DDL).
  std::string quote_identifier(std::string_view name) const;
  std::string quote_literal(std::string_view text) const;

private:
  static void notice_trampoline(void* self, const PGresult* res);
  PGconn* m_conn = nullptr;
  NoticeHandler m_notice_handler;
};

// True when name (a table or other relation, schema-qualified or on the search_path) exists.
bool relation_exists(Connection& connection, const std::string& name);

} // namespace hectic::pq
