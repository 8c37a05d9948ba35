#pragma once
// The diff (README "migrator diff"): the statements that turn one model into another, in an
// order PostgreSQL accepts (drops of what must go first, then creates and alters in dependency
// order, then the remaining drops in reverse order), each with its hazards.
#include <string>
#include <vector>

#include "common/schema/model.hpp"

namespace hectic::schema {

// A rename hint (--rename KIND:OLD=NEW, or `-- @renamed from=OLD` in a SQL source): model
// names as DDL spells them (public.users, or the column name for kind "column" with the table
// in `table`).
struct Rename {
  std::string kind;   // table, column, index, constraint, type, view, function, enum value
  std::string table;  // columns, constraints, enum values: the owning table / type
  std::string from;
  std::string to;
  bool from_source = false; // a `-- @renamed` comment: skipped once it no longer holds (applied)
};

// How the script is written.
struct DiffOptions {
  bool rename_before_drop = false; // tables, columns, routines renamed aside instead of dropped
  bool online = false;             // CONCURRENTLY indexes, NOT VALID + VALIDATE constraints
  std::vector<Rename> renames;
  std::string stamp;               // UTC stamp for renamed-aside names (20261202T040000Z)
};

// One statement of the script.
struct Statement {
  std::string sql;
  Kind kind = Kind::table;
  std::string object;                // model key of the object it acts on
  char action = '~';                 // '+' create, '~' alter, '-' drop
  std::vector<std::string> hazards;  // "data loss: drops table public.t (about 120 rows)"
  bool destructive = false;          // drops data (needs --allow-drop to apply)
  bool transactional = true;         // false: runs outside the transaction, in order
  bool before_transaction = false;   // with !transactional: before it (an enum value later used)
  bool cleanup = false;              // --rename-before-drop's final drops: printed commented out
};

// The statements that, run against a database whose model is `from`, make it `to`.
std::vector<Statement> diff(const Model& from, const Model& to, const DiffOptions& options);

// Tables of both models whose shared columns come in another order ("column order of public.t
// differs: (a, b) and (b, a)"): a diff cannot reorder columns, so this is reported, not changed.
std::vector<std::string> column_order_differences(const Model& from, const Model& to);

// "+3 tables, ~2 columns, -1 index, 2 hazards" (empty script: "no differences").
std::string summary(const std::vector<Statement>& statements);

} // namespace hectic::schema
