#pragma once
// The migrator (README "migrator"): the migration directory model, hashing, history checks,
// the advisory lock, the runner, plan/apply fingerprints and the run log.
// Nothing here parses argv or decides an exit code by itself: errors are typed (hectic::Error).
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/pg/pq.hpp"
#include "common/script/script.hpp"

namespace hectic::migrate {

// ---- the migration directory --------------------------------------------------------------

// One directory MIGRATION_DIR/YYYYMMDDHHMMSS-description.
struct Migration {
  std::string name;
  std::filesystem::path dir;
  std::optional<std::filesystem::path> up;   // up.sql, else up/entrypoint.sql
  std::optional<std::filesystem::path> down; // down.sql, else down/entrypoint.sql
};

// ^[0-9]{14}- (the shape of hectic.migration_name).
bool is_migration_name(std::string_view name);

// The migrations of dir, sorted by name (byte order). A missing dir is an empty list; a dir
// that is a regular file throws Error(generic) naming it.
std::vector<Migration> load_directory(const std::filesystem::path& dir);

// "missing up.sql down.sql" style note for an incomplete migration; empty when complete.
std::string missing_note(const Migration& migration);

// sha256 (lowercase hex) of bytes / of a file's bytes (OpenSSL EVP), as the shell migrator
// records them.
std::string sha256_hex(std::string_view data);
std::string hash_file(const std::filesystem::path& file);

// True when the file's first line is `-- migrator: no-transaction`.
bool is_no_transaction(const std::filesystem::path& file);

// Creates MIGRATION_DIR/<UTC YYYYMMDDHHMMSS>-<name>/{up,down}.sql; the templates carry the
// migration's name so no two fresh migrations hash alike. Empty name: a random pronounceable
// word. Returns the new directory. Throws Error(generic) for a name with '/' or an existing dir.
std::filesystem::path create(const std::filesystem::path& dir, std::string name);
std::string random_word();

// ---- history ------------------------------------------------------------------------------

// A row of hectic.migration.
struct Applied {
  std::string name;
  std::string hash;
  std::string applied_at;
};

// The result of comparing the recorded history with the directory.
struct HistoryCheck {
  bool prefix_ok = true;
  std::size_t first_difference = 0; // 0-based position, meaningful when !prefix_ok
  std::vector<std::string> tampered; // applied, up file hashes differently now
  std::vector<std::string> unreadable; // applied, up file missing
  bool ok() const { return prefix_ok && tampered.empty() && unreadable.empty(); }
};
HistoryCheck check_history(const std::vector<Migration>& files, const std::vector<Applied>& applied);

// The "Migration history mismatch" report: both lists and the first differing position, then
// the shell migrator's numbered "Full filesystem/database migrations (in order):" lists.
std::string describe_mismatch(const std::vector<Migration>& files,
                              const std::vector<Applied>& applied, std::size_t position);

// ---- targets ------------------------------------------------------------------------------

enum class Verb { up, down, to };

// The number of directory migrations that must be applied once the run is done, from the
// current number `current` (the applied prefix) and the argument of `migrate up|down|to`.
// Throws Error(generic) when there are not enough migrations, the count is not a number, or
// `to` names no migration.
std::size_t resolve_target(Verb verb, const std::optional<std::string>& argument,
                           std::size_t current, const std::vector<std::string>& names);

// The CI build id of this run: CODEBUILD_BUILD_NUMBER, BUILD_NUMBER, BUILD_ID, CI_JOB_ID,
// GITHUB_RUN_ID, else "local_run".
std::string ci_build_id();

// ---- running against a database -----------------------------------------------------------

// Options shared by the commands that talk to a database.
struct Options {
  std::string url;                      // conninfo or URL (never printed unredacted)
  std::filesystem::path migration_dir = "migration";
  script::Variables variables;          // -v NAME=VALUE
  bool force = false;                   // past history mismatch / tampering, loudly
  bool single_transaction = false;      // the whole batch atomically
  std::optional<std::string> lock_timeout;      // PostgreSQL interval text
  std::optional<std::string> statement_timeout; // PostgreSQL interval text
  std::string lock_wait = "60s";        // bounded wait for the migration lock
  std::string command = "migrate";      // recorded in the run log
};

// Outcome of a migrate/apply run.
struct RunResult {
  std::vector<std::string> applied;  // migrations applied (up) or reverted (down), in order
  bool already_at_target = false;
  std::string message;               // "already at ..." / "migrated to ..."
};

// A session to the target (application_name migrator, the --lock-timeout/--statement-timeout
// settings). Throws Error(missing_argument) without a URL, Error(generic) for a bad setting.
void require_url(const Options& options);
std::unique_ptr<pq::Connection> connect(const Options& options);

// The rows of hectic.migration in name order; none when the table does not exist.
std::vector<Applied> read_history(pq::Connection& connection);

// `migrator init`: takes the lock, applies the bundle.
void init(const Options& options);

// `migrator migrate up|down|to [ARG]`. Throws Error(migration_failed) when a migration fails
// (rolled back; earlier ones stay), Error(ambiguous) on a history mismatch or tampering
// without --force, Error(generic) for bad targets.
RunResult migrate(const Options& options, Verb verb, const std::optional<std::string>& argument);

// A pending or applied migration as reported by status and plan.
struct Entry {
  std::string name;
  std::string hash;        // of the current up file ("" when it has none)
  std::string recorded;    // applied: the recorded hash
  std::string applied_at;  // applied: when
  bool drifted = false;    // applied and the up file hashes differently now
  bool missing = false;    // applied but no longer in the directory
};

// `migrator status`: applied, pending and drifted migrations (read-only; a database without
// the hectic schema has nothing applied).
struct Status {
  bool initialised = false;       // hectic.migration exists
  std::optional<std::string> bundle_version;
  std::vector<Entry> applied;
  std::vector<Entry> pending;
  HistoryCheck history;
};
Status status(const Options& options);
nlohmann::json to_json(const Status& status);
std::string to_text(const Status& status);

// `migrator plan`: pending migrations with hashes plus the fingerprint of the target's schema.
nlohmann::json plan(const Options& options);
std::string plan_to_text(const nlohmann::json& plan);

// `migrator apply --plan`: Error(generic) "not a migrator plan: FIELD" for a field missing or
// of the wrong JSON type; Error(ambiguous) for an unknown format or bundle_version, "schema
// fingerprint mismatch" when the database or the files changed since the plan, or a pending
// list (names, order, hashes) that is not what would run; otherwise applies it. confirm is
// asked with the list that will run (after the checks, under the lock) unless it is empty.
RunResult apply(const Options& options, const nlohmann::json& plan,
                const std::function<bool(const nlohmann::json&)>& confirm);

// `migrator mark-applied NAME`: records NAME (the next pending migration) without running it.
// Returns false when it was already applied.
bool mark_applied(const Options& options, const std::string& name);

// `migrator log`: the latest runs (newest first), at most limit.
nlohmann::json run_log(const Options& options, int limit);
std::string run_log_to_text(const nlohmann::json& runs);

// The schema fingerprint of a database: sha256 of a canonical description of its user objects.
std::string schema_fingerprint(pq::Connection& connection);

} // namespace hectic::migrate
