#pragma once
// `database diff`: does "backup + all migrations" (DB1) equal "sources hydrated + migrator
// init" (DB2)? Both are throw-away clusters provisioned in parallel and removed afterwards.
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hectic::dbdiff {

struct Options {
  std::optional<std::filesystem::path> backup; // default: $LOCAL_DIR/focus/postgresql-backup
  std::vector<std::string> tables;             // --tables: those tables' schema and data
  bool ignore_migration_fail = false;
  bool mock = false;
  bool archive = false;
  bool sql = false;                   // --sql: Report::sql, the engine's script DB1 -> DB2
  std::optional<std::string> generate; // --generate NAME: write and prove the migration
  bool allow_drop = false;            // --allow-drop: it may hold destructive statements
};

struct Report {
  bool schema_equal = true;
  bool data_equal = true;
  std::vector<std::string> column_order_only; // tables whose columns differ only in order
  std::string text;                           // the human report (unified diffs)
  // The schema engine's view (README "database diff"), without --tables:
  std::vector<std::string> changes;           // one line per change DB1 -> DB2
  std::string engine_note;                    // why the engine could not compare (no lines then)
  std::string sql;                            // with Options::sql
  std::string generated;                      // with Options::generate: the migration written
  std::exception_ptr failure;                 // --generate refused or its proof failed
  bool equal() const { return schema_equal && data_equal; }
};

// Provisions both sides, compares, removes both clusters (also on error and SIGINT).
Report run(const Options& options);

// Drops \restrict / \unrestrict lines, "Dumped from/by" version comments and blank-line runs.
std::string normalize_dump(std::string_view dump);

// When a and b differ only in the order of columns inside CREATE TABLE blocks, the names of
// those tables; nullopt when they differ in anything else (or are equal: empty vector).
std::optional<std::vector<std::string>> column_order_only(std::string_view a, std::string_view b);

// Unified diff of two texts (diff -u), labelled; empty when equal.
std::string unified_diff(std::string_view a, std::string_view b, const std::string& label_a,
                         const std::string& label_b);

} // namespace hectic::dbdiff
