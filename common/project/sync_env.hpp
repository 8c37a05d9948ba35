#pragma once
// The dotenv file of `migrator diff --env FILE` (README "migrator diff: sync two databases"):
// the variables of the `ddp sync` tool, SOURCE_DB_* and TARGET_DB_*.
#include <filesystem>
#include <string>

namespace hectic::project {

// One side: a conninfo (password included: for libpq in this process only, never printed or
// passed to a child's argv) and the schema to compare ("" when not set).
struct SyncSide {
  std::string conninfo;
  std::string schema;
};

struct SyncSides {
  SyncSide source; // the desired state (--to)
  SyncSide target; // the database to change (--from)
};

// Reads PREFIX_DB_HOST, _PORT (default 5432), _NAME, _USER, _PASSWORD, _SCHEMA for the prefixes
// SOURCE and TARGET from the file, a variable missing there from the environment. Throws
// Error(missing_argument) for an unreadable file or a missing HOST, NAME or USER, naming the
// side and the variable.
SyncSides read_sync_env(const std::filesystem::path& file);

} // namespace hectic::project
