#pragma once
// The diff as a reviewer reads it (a psql script) and as a program reads it (JSON).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/base/error.hpp"
#include "common/schema/diff.hpp"

namespace hectic::schema {

// Who was compared, for the script header and the JSON.
struct DiffSides {
  std::string from;         // "app@db on host:5432", or the file it came from
  std::string to;
  std::string from_version; // server_version
  std::string to_version;
  std::string from_fingerprint;
  std::string to_fingerprint;
  std::vector<std::string> notes; // what differs but is not changed (column order)
};

// The script: header (both sides, UTC time, server versions), the transactional part (runs
// as is with psql -X -v ON_ERROR_STOP=1 -1 -f), the statements that must run outside a
// transaction, and the commented cleanup block of --rename-before-drop.
enum class Layout {
  kinds, // one section per object kind (migrator diff)
  sync,  // the `ddp sync` layout: banner header, TABLE / COLUMN / FUNCTION / CONSTRAINT / INDEX /
         // TRIGGER OPERATIONS sections (in dependency order, so one may recur), footer
};
std::string render_script(const std::vector<Statement>& statements, const DiffSides& sides,
                          Layout layout = Layout::kinds);
// {"from": {...}, "to": {...}, "statements": [{sql, kind, object, action, hazards, transactional}]}
nlohmann::json render_json(const std::vector<Statement>& statements, const DiffSides& sides);
// The statements of a JSON "statements" list (render_json's, in a plan file). Throws
// Error(generic) "not a schema plan: statements[3].sql" for a missing or mistyped field.
std::vector<Statement> statements_from_json(const nlohmann::json& list);
// Error(generic) "not a schema plan: FIELD", for a plan file's field missing or mistyped.
Error not_a_plan(const std::string& field);

} // namespace hectic::schema
