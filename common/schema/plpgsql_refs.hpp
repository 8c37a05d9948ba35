#pragma once
// Names a PL/pgSQL routine's body uses, which pg_depend does not record (PostgreSQL manual,
// "Dependency Tracking": function bodies are not tracked). Parsed with libpg_query, PostgreSQL's
// own parser (https://github.com/pganalyze/libpg_query), never with regexes.
#include <string>
#include <vector>

namespace hectic::schema {

// The relations and functions named in the statements of a PL/pgSQL function, as "schema.name"
// or, when unqualified, "name". create_function is the full CREATE FUNCTION text. A body that
// does not parse gives what could be read (the server accepted it; ordering is a courtesy).
std::vector<std::string> plpgsql_references(const std::string& create_function);

} // namespace hectic::schema
