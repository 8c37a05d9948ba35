#pragma once
// The diff as a reviewer reads it (a psql script) and as a program reads it (JSON).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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
};

// The script: header (both sides, UTC time, server versions), the transactional part (runs
// as is with psql -X -v ON_ERROR_STOP=1 -1 -f), the statements that must run outside a
// transaction, and the commented cleanup block of --rename-before-drop.
std::string render_script(const std::vector<Statement>& statements, const DiffSides& sides);
// {"from": {...}, "to": {...}, "statements": [{sql, kind, object, action, hazards, transactional}]}
nlohmann::json render_json(const std::vector<Statement>& statements, const DiffSides& sides);

} // namespace hectic::schema
