#pragma once
// Internal to the diff: the planner state its steps (diff.cpp, diff_alter.cpp, order.cpp) share.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/schema/diff.hpp"

namespace hectic::schema::detail {

// One diff in progress.
struct Planner {
  const Model& from;
  const Model& to;
  const DiffOptions& options;
  std::set<std::string> added, removed, recreated, altered; // object keys
  std::set<std::string> early_drops;     // removed objects that must go before the alters
  std::set<std::string> retyped_columns; // "table key\ncolumn": type changes (or forced by a rebuilt type)
  std::set<std::string> dropped_columns; // "table key\ncolumn"
  std::set<std::string> renamed_aside;   // tables renamed by --rename-before-drop
  std::set<std::string> early_column_steps; // "table key\ncolumn\nstep" done in phase 1 (default, identity)
  std::vector<std::string> aside_drops;  // DROP of types renamed aside to be rebuilt, run last
  // "table key\ncolumn": a default that calls a rebuilt routine, dropped in phase 1 and set again
  // once the routine is back (the table itself is kept, with its rows).
  std::set<std::string> default_resets;
  std::vector<Statement> out;

  void emit(const Object& object, char action, std::string sql, std::vector<std::string> hazards = {},
            bool transactional = true);
};

// Keys of the given set in dependency order over model (dependencies first).
std::vector<std::string> dependency_order(const Model& model, const std::set<std::string>& keys);

// Phase 1 column steps of a kept table: DROP DEFAULT and DROP IDENTITY that free sequences
// (serial <-> identity) before they are dropped or created.
void emit_early_column_steps(Planner& planner, const Object& from, const Object& to);
// The alter statements for an object present on both sides with a different definition.
void emit_alter(Planner& planner, const Object& from, const Object& to);
// The create statements of an object (its comment, grants and column details included).
void emit_create(Planner& planner, const Object& object);
// The drop of an object in the first or last phase (or its rename aside).
void emit_drop(Planner& planner, const Object& object);
// ALTER DEFAULT PRIVILEGES statements that turn a default privileges object's grants `from` into `to`.
void emit_default_privileges(Planner& planner, const Object& object, char action,
                             const std::map<std::string, std::string>& from, const std::map<std::string, std::string>& to);
// What a new object is granted before any GRANT: the default privileges in force for the role
// that creates it (they change before anything is created), else the built-in ones (acldefault,
// PostgreSQL manual "Privileges"): EXECUTE on routines and USAGE on types to PUBLIC.
std::map<std::string, std::string> implicit_grants(const Planner& planner, const Object& object);
// The grants of column's identity sequence before its GRANTs: old_column's, or for a new
// identity those a new sequence gets.
std::map<std::string, std::string> identity_sequence_grants_before(const Planner& planner, const Column& old_column,
                                                                        const Column& column);
// The final DROP of a type renamed aside by emit_drop.
void emit_aside_drop(Planner& planner, const Object& type);
// True when PostgreSQL can turn `from` into `to` in place (no drop and create).
bool alterable(const Object& from, const Object& to);
// "about 1200 rows" note of a table key (empty when unknown).
std::string rows_note(const Model& model, const std::string& table_key);

} // namespace hectic::schema::detail
