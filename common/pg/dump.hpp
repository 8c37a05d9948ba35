#pragma once
// pg_dump of a live database's schema, with the password kept out of the child's argv.
#include <string>
#include <vector>

namespace hectic::pq {

// The output of `pg_dump --schema-only --no-password ARGS --dbname=...` (the password, if
// any, in the child's PGPASSWORD). Throws Error(generic) with pg_dump's message on failure.
std::string dump_schema(const std::string& url, const std::vector<std::string>& args);

} // namespace hectic::pq
