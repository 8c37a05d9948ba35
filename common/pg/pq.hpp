#pragma once
// libpq RAII (after libpqxx): a connection opens in its constructor and closes in its
// destructor; values travel as parameters; errors keep their SQLSTATE; a transaction block
// rolls back unless committed. Connection strings are in conninfo.hpp (included here).
#include <libpq-fe.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/error.hpp"
#include "common/pg/conninfo.hpp"

namespace hectic::pq {

// ---- errors -------------------------------------------------------------------------------

// The SQLSTATE codes the library acts on, named after their conditions (PostgreSQL manual,
// Appendix A "PostgreSQL Error Codes"). Callers compare SqlError::sqlstate() with these.
namespace sqlstate {
// sqlclient_unable_to_establish_sqlconnection: what a failed Connection constructor reports.
inline constexpr std::string_view unable_to_connect = "08001";
// duplicate_database: CREATE DATABASE of a name that exists.
inline constexpr std::string_view duplicate_database = "42P04";
// lock_not_available: lock_timeout expired (or NOWAIT failed).
inline constexpr std::string_view lock_not_available = "55P03";
} // namespace sqlstate

// An error reported by the server (or by libpq), with the fields of PQresultErrorField.
class SqlError : public Error {
public:
  SqlError(std::string message, std::string sqlstate, std::string detail = {},
           std::string hint = {}, int position = 0, std::string context = {});
  const std::string& sqlstate() const { return m_sqlstate; }
  // True when the SQLSTATE is code (one of pq::sqlstate).
  bool is(std::string_view code) const { return m_sqlstate == code; }
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

private:
  static void notice_trampoline(void* self, const PGresult* res);
  PGconn* m_conn = nullptr;
  NoticeHandler m_notice_handler;
};

// A transaction block: BEGIN in the constructor, ROLLBACK in the destructor unless commit()
// succeeded. The destructor never throws: when the connection is gone the server rolls back.
class Transaction {
public:
  // Runs BEGIN. Throws SqlError when it fails.
  explicit Transaction(Connection& connection);
  ~Transaction() { rollback(); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // COMMIT. Throws SqlError on failure (the destructor then rolls back what is left open).
  void commit();
  // ROLLBACK now when the connection is in a transaction block; errors are swallowed.
  void rollback() noexcept;
  // True while the connection is inside a transaction block (SQL run on the connection, such as
  // a COMMIT in a migration file, may have ended it).
  bool is_open() const;
  // BEGIN again after SQL run on the connection ended the block. Throws SqlError.
  void begin();

private:
  Connection& m_connection;
  bool m_finished = false; // committed or rolled back by this object
};

// True when name (a table or other relation, schema-qualified or on the search_path) exists.
bool relation_exists(Connection& connection, const std::string& name);

} // namespace hectic::pq
