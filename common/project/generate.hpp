#pragma once
// Migrations written from a diff (README "database diff --generate", "migrator create
// --from-diff"): up.sql is the schema engine's script from the old schema to the new one,
// down.sql the way back, each headed by its hazards. The proof runs them on the old side as
// the migrator does (up, compare with the new schema; down, compare with the old one).
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "common/schema/diff.hpp"
#include "common/schema/model.hpp"

namespace hectic::generate {

struct Request {
  std::filesystem::path migration_dir;
  std::string name;        // the description part of <UTC stamp>-NAME
  bool allow_drop = false; // up.sql may hold destructive statements
  std::string from_label;  // "DB1 (backup + migrations)"
  std::string to_label;    // "DB2 (sources)"
  std::string command;     // "database diff --generate", for the file header
};

struct Generated {
  std::filesystem::path dir; // MIGRATION_DIR/<stamp>-NAME once written
  std::vector<schema::Statement> up;
  std::vector<schema::Statement> down;
  std::vector<std::string> changes; // schema::describe_changes(from, to)
};

// The two scripts between the models. Throws Error(ambiguous) naming every destructive
// statement of up (down undoes what up adds: its drops are expected) unless allow_drop.
Generated plan(const schema::Model& from, const schema::Model& to, const Request& request);

// The text of up.sql (up) or down.sql: `-- migrator: no-transaction` first when a statement
// cannot run in a transaction, then the header (name, sides, summary, hazards), the statements.
std::string migration_text(const std::vector<schema::Statement>& statements, const std::string& migration,
                           bool up, const Request& request);

// Creates MIGRATION_DIR/<UTC stamp>-NAME with both files; sets generated.dir.
void write(Generated& generated, const Request& request);

// On url (a database at `from`, migrator-initialised, its history the migrations before the
// new one): migrate up all, compare with `to`, call after_up (more checks of the caller),
// migrate down 1, compare with `from`. Throws Error(generic) naming what is left.
void prove(const std::string& url, const Generated& generated, const Request& request, const schema::Model& from,
           const schema::Model& to, const schema::Filter& filter, const std::function<void()>& after_up = {});

// The model of the database at url.
schema::Model read_model(const std::string& url, const schema::Filter& filter);

// `migrator create --from-diff --to SOURCE`: DB1 = an empty database + the migrations of
// request.migration_dir, DB2 = SOURCE (URL, .sql file, entrypoint directory), both with the
// hectic bundle. Writes and proves the migration; generated.dir stays empty when the sides
// are equal (nothing written). show_changes gets the engine's lines first (also when plan
// refuses).
Generated from_diff(const Request& request, const std::string& source,
                    const std::function<void(const std::vector<std::string>&)>& show_changes = {});

} // namespace hectic::generate
