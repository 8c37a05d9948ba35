#pragma once
// psql-compatible SQL scripts (README.md, "SQL scripts"), run natively over one libpq
// connection, or through psql when SQL_RUNNER=psql. Native is every caller's default.
#include <filesystem>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/base/error.hpp"
#include "common/pg/pq.hpp"

namespace hectic::script {

// psql variables (-v NAME=VALUE, \set).
using Variables = std::map<std::string, std::string>;

struct Options {
  Variables variables;
  // Query results (unaligned, tuples-only, '|' between columns), \echo, \qecho.
  std::ostream* out = nullptr;  // nullptr: output::out() (std::cout, or the thread's lines)
  // Server notices ("psql:FILE:LINE: NOTICE:  ..."), \warn.
  std::ostream* err = nullptr;  // nullptr: output::err() (std::cerr, or the thread's lines)
  // The caller has opened a transaction and will commit/rollback it (migrator: file +
  // bookkeeping row in one transaction). The script runs inside it.
  bool in_caller_transaction = false;
};

// A failing statement: where it is and what the server said.
class ScriptError : public Error {
public:
  ScriptError(std::string message, std::filesystem::path file, int line, int column,
              std::string sqlstate, std::string statement);
  const std::filesystem::path& file() const { return m_file; }
  int line() const { return m_line; }
  int column() const { return m_column; }
  const std::string& sqlstate() const { return m_sqlstate; }
  const std::string& statement() const { return m_statement; }

private:
  std::filesystem::path m_file;
  int m_line, m_column;
  std::string m_sqlstate, m_statement;
};

// Runs scripts. Throws ScriptError (exit code generic) at the first failing statement.
class Runner {
public:
  virtual ~Runner() = default;
  virtual void run_file(const std::filesystem::path& file, const Options& options) = 0;
  // SQL text with a display name for error reports ("<bundle:version>").
  virtual void run_text(std::string_view sql, std::string_view name, const Options& options) = 0;
};

// The native engine on an open connection (not owned).
std::unique_ptr<Runner> native_runner(pq::Connection& connection);
// psql -X -q -v ON_ERROR_STOP=1 against conninfo (the oracle and the fallback).
std::unique_ptr<Runner> psql_runner(std::string conninfo);
// SQL_RUNNER=psql -> psql_runner, else native_runner.
std::unique_ptr<Runner> make_runner(pq::Connection& connection, const std::string& conninfo);

} // namespace hectic::script
