#pragma once
// The native runner's insides, shared by its units the way psql splits its own: the main loop
// and \i includes (script.cpp, psql's mainloop.c), meta-commands and the \if stack
// (command.cpp, command.c and conditional.c), variables (variables.cpp, variables.c), one
// statement and its error report (query.cpp, common.c), pipelined batches (pipeline.cpp).
// Not for callers outside common/script: they use script.hpp.
#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/pg/pq.hpp"
#include "common/script/lexer.hpp"
#include "common/script/script.hpp"

namespace hectic::script::detail {

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

// psql's \if stack states (conditional.h).
enum class Cond { if_true, if_false, ignored, else_true, else_false };
// One open \if: its state and where it began (for "\if without a matching \endif").
struct CondEntry {
  Cond state;
  std::size_t offset;
};

// psql's ParseVariableBool: unique prefixes of true/false/yes/no, on/off (2+ chars), 1/0.
std::optional<bool> parse_bool(std::string_view value);
// psql's valid variable names: letters, digits, '_' and non-ASCII bytes.
bool valid_variable_name(std::string_view name);
// A field of a result's error (PG_DIAG_*), "" when absent.
std::string result_field(const PGresult* res, int code);

// What a pipelined batch's results said, read in send order.
struct BatchOutcome {
  int failed_index = -1;       // the first failing statement of the batch, or -1
  bool commit_failed = false;  // our own COMMIT failed (a deferred constraint)
  bool incomplete = false;     // the results stopped early (connection trouble)
  pq::Result failure;          // the first failing result
};

// One run of a script (and the files it includes) on one connection.
class Execution {
public:
  Execution(pq::Connection& connection, const Options& options);
  ~Execution();
  Execution(const Execution&) = delete;
  Execution& operator=(const Execution&) = delete;

  // Runs the script; throws ScriptError at the first failure, after cleaning up.
  void run(Source& source);

private:
  // Drops notices and rows while alive (a replay shows nothing twice).
  struct QuietNotices {
    bool& flag;
    bool previous;
    explicit QuietNotices(bool& f) : flag(f), previous(f) { flag = true; }
    ~QuietNotices() { flag = previous; }
  };

  // ---- variables (variables.cpp)
  // psql's predefined variables from the connection (DBNAME, USER, ...).
  void predefine();
  // \set of a variable psql gives a meaning: AUTOCOMMIT off refused, ON_ERROR_STOP off warned.
  void check_special(const Source& source, const LexItem& item, const std::string& name,
                     const std::string& value, const std::string& shown);

  // ---- locations and errors (query.cpp)
  // "FILE:LINE" (and ":COLUMN") of a source offset.
  std::string where(const Source& source, std::size_t offset, bool column = false) const;
  // The "included from FILE:LINE" lines of a nested source.
  static std::string included_from(const Source& source);
  // Throws a ScriptError about a meta-command (or an \if left open).
  [[noreturn]] void meta_error(const Source& source, std::size_t offset, const std::string& what,
                               std::string statement, bool fallback_hint);
  // Throws a ScriptError for a failed statement, worded as psql reports it.
  [[noreturn]] void statement_error(const Source& source, const LexItem& item, const PGresult* res);
  // The notice handler: shown at once, or kept while a batch runs.
  void notice(const PGresult* res);
  // Shows the notices and rows a batch collected for its statements before `limit` (and its
  // own BEGIN/COMMIT notices when everything is shown), then forgets all it collected.
  void show_buffered(long limit, bool all);
  // Notices name this statement from now on.
  void set_location(const Source& source, std::size_t offset);

  // ---- one statement (query.cpp)
  // Prints rows as psql -At does: '|' between columns (kept like notices while a batch runs).
  void print_tuples(const PGresult* res);
  // One statement over the simple-query protocol, like psql.
  void execute_one(Source& source, const LexItem& item);
  // The COPY FROM STDIN data of the statement, sent from the script's following lines.
  void send_copy_data(Source& source, const LexItem& item);
  // COPY TO STDOUT rows, written to the output as they come.
  void receive_copy_data();

  // ---- the main loop (script.cpp)
  // Whether statements run at this point of the \if stack.
  bool active(const std::vector<CondEntry>& cond) const;
  // Lexes and runs one source to its end.
  void execute(Source& source);
  // Throws a ScriptError at the first NUL byte of source's text, if any.
  void refuse_nul(const Source& source);
  // \i and \ir: runs another file as part of this one.
  void include(Source& source, const LexItem& item, const std::string& arg, bool relative);
  // A transaction the script left open is rolled back, as psql's session end would.
  void finish();
  // After a failure: the pipeline drained, the script's transaction rolled back.
  void abandon();

  // ---- meta-commands (command.cpp)
  // Runs the meta-command just lexed (or skips its arguments in an inactive branch).
  void meta(Source& source, const LexItem& item, std::vector<CondEntry>& cond);
  // \set NAME VALUE..., or the list of variables without arguments.
  void set_command(const Source& source, const LexItem& item, const std::vector<std::string>& args,
                   const std::string& shown);
  // \unset NAME.
  void unset_command(const Source& source, const LexItem& item, const std::vector<std::string>& args,
                     const std::string& shown);
  // \echo, \qecho and \warn (with -n: no newline).
  void echo_command(const std::string& name, const std::vector<std::string>& args);
  // psql's "extra argument ignored" warning for each argument past `used`.
  void warn_extra(const Source& source, const LexItem& item, const std::vector<std::string>& args,
                  std::size_t used);
  // \if, \elif, \else, \endif on the \if stack.
  void conditional(Source& source, const LexItem& item, std::vector<CondEntry>& cond);
  // The Boolean value of an \if or \elif expression.
  bool evaluate_condition(Source& source, const LexItem& item);

  // ---- pipelined batches (pipeline.cpp)
  // A statement: queued in the batch when it may share one, else run alone.
  void statement(Source& source, LexItem item);
  // Runs the batch (in pipeline mode when it holds more than one statement); throws at the
  // first failing statement, after restoring psql's state.
  void flush(Source& source);
  // Sends the batch, wrapped in BEGIN/COMMIT when wrap; returns each query's owner (an index
  // into batch, -1 for BEGIN, -2 for COMMIT).
  std::vector<int> send_batch(const std::vector<Pending>& batch, bool wrap);
  // Reads every result of a sent batch and leaves pipeline mode.
  BatchOutcome read_batch(Source& source, const std::vector<Pending>& batch, const std::vector<int>& owner);
  // After a failed batch: brings the session to the state psql would leave, then throws the
  // failing statement's error (or returns when running one by one succeeds).
  void recover_batch(Source& source, const std::vector<Pending>& batch, bool wrap,
                     const BatchOutcome& outcome);
  // The batch rolled back at statement k: replays 0..k-1, runs k alone, then the rest.
  void replay_before(Source& source, const std::vector<Pending>& batch, std::size_t k);
  // Runs every statement of a rolled-back batch alone, as psql would have.
  void run_one_by_one(Source& source, const std::vector<Pending>& batch);

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
  // While a batch runs, notices and rows wait here with the index of their statement.
  bool m_buffering = false;
  int m_statement_index = -1;
  std::vector<std::pair<int, std::string>> m_buffered;
  std::vector<std::pair<int, std::string>> m_buffered_rows;
};

} // namespace hectic::script::detail
