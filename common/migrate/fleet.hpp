#pragma once
// Many targets at once (`migrator --targets FILE`, README "Many databases"): the targets file,
// the --shard selection, and the runner that runs one command per target on --jobs threads,
// each target with its own lock, run log and prefixed output lines, then a table or JSON.
// The command is a function that runs one target; nothing here knows the subcommands.
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/base/error.hpp"
#include "common/migrate/migrate.hpp"

namespace hectic::migrate::fleet {

// One line of a targets file: `NAME URL`, or a bare URL named after its password-free
// user@host:port/db.
struct Target {
  std::string name;
  std::string url;  // never printed unredacted
  std::size_t line; // 1-based line in the file
};

// The targets of a file's text: one per line, `#` comments and blank lines skipped. Throws
// Error(generic) naming `file:line` and the (redacted) value for a line that is not `NAME URL`
// or `URL`, a value that is not a postgres:// or postgresql:// URL, a duplicate name, or a file
// without targets.
std::vector<Target> parse_targets(std::string_view text, const std::string& file);
// The same, read from a file (Error(generic) when it cannot be read).
std::vector<Target> load_targets(const std::filesystem::path& file);

// The password-free name of a bare URL: user@host:port/db (the parts it has).
std::string describe_url(const std::string& url);

// --shard I/N: 1-based I of N (GitLab's CI_NODE_INDEX/CI_NODE_TOTAL, a GitHub matrix of 1..N).
struct Shard {
  std::size_t index = 1;
  std::size_t count = 1;
};
// Throws Error(unknown_argument) naming the value unless it is I/N with 1 <= I <= N.
Shard parse_shard(std::string_view text);
// Targets at 1-based positions I, I+N, I+2N ... of the file: the N shards partition the file.
std::vector<Target> select_shard(const std::vector<Target>& targets, Shard shard);

// What running the command on one target returned.
struct Outcome {
  std::string state = "ok";            // the table's status word when it succeeded
  bool success = true;                 // false: the target counts as failed
  ExitCode code = ExitCode::ok;        // when !success
  std::vector<std::string> migrations; // applied (or reverted) by this run; status: applied in the database
  std::optional<std::size_t> applied;  // the APPLIED count when it is not migrations (apply --file: statements)
  std::string error;                   // when !success: the message, then hints
  std::vector<std::string> hints;
  nlohmann::json detail;               // the command's own JSON for --json (status), or null
};

// The outcome of an Error: failed with its code, message and hints; migrations done before it.
Outcome failed(const Error& error, std::vector<std::string> migrations = {});

// The migrations recorded by the latest run-log row of the target when it failed (what a failed
// `migrate` applied before the failing migration, kept); empty when unknown.
std::vector<std::string> last_failed_run_migrations(const Options& options);

// Runs one target: its output on this thread goes to output::out()/err() and the logger, both
// prefixed "[NAME] ". It may throw: an Error is that target's failure.
using RunTarget = std::function<Outcome(const Target& target)>;

struct RunOptions {
  std::size_t jobs = 4;   // at most this many targets at once
  bool fail_fast = false; // start no target after the first failure
  bool quiet_stdout = false; // the targets' stdout lines go to stderr (stdout holds the JSON)
};

// A target in the final table.
struct Result {
  std::string name;
  std::string state; // Outcome::state, "failed", or "skipped" (never started)
  bool success = false;
  ExitCode code = ExitCode::ok;
  std::vector<std::string> migrations;
  std::size_t applied = 0; // Outcome::applied, else migrations.size()
  double seconds = 0;
  std::string error; // first line of the failure
  nlohmann::json detail;
};

// Runs run on every target, in file order, on up to jobs threads. A failure is logged (as
// "<tool>: error: ..." with hints, prefixed) and the others go on unless fail_fast. After
// SIGINT/SIGTERM no target starts (the running ones are cancelled by the interrupt handler).
std::vector<Result> run(const std::vector<Target>& targets, const RunOptions& options, const RunTarget& run);

// The summary table (TARGET STATUS APPLIED SECONDS ERROR, then a count line).
std::string to_table(const std::vector<Result>& results);
// {"command", "targets": [{name, status, success, exit_code, migrations, migrations_count,
// applied, seconds, error, detail}], "summary": {"total","ok","failed","skipped"}, "exit_code"}.
nlohmann::json to_json(const std::vector<Result>& results, const std::string& command);

// 0 when every target succeeded; else the code shared by every failed target, or 1 (generic)
// when they failed differently (the table says how each did).
int exit_code(const std::vector<Result>& results);

} // namespace hectic::migrate::fleet
