#pragma once
// Connection strings: parsing a URL or key=value conninfo (libpq), building socket URLs and
// conninfo text, and redacting passwords from anything printed.
#include <map>
#include <string>
#include <string_view>

namespace hectic::pq {

// Parsed keywords of a URL ("postgresql://...") or key=value conninfo (via PQconninfoParse).
// Throws Error(generic) with libpq's message (redacted) when it does not parse.
std::map<std::string, std::string> parse_conninfo(std::string_view conninfo);

// Builds "postgresql://USER@/DB?host=SOCKDIR&port=PORT" (percent-escaped as needed).
std::string socket_url(std::string_view user, std::string_view database,
                       std::string_view socket_dir, int port);

// Builds a key=value conninfo from keywords, quoting values as libpq requires.
std::string build_conninfo(const std::map<std::string, std::string>& keywords);

// The same connection string with any password replaced by "***" (URL userinfo, ?password=,
// password=...). Never throws; unparseable input is returned with anything after ':' in the
// userinfo masked.
std::string redact(std::string_view conninfo);

// The conninfo to pass a child program (pg_dump, psql, pg_basebackup) on its command line, which
// every local user sees in ps: any password is taken out and set as PGPASSWORD in the child's
// environment instead (child_env). Throws like parse_conninfo.
std::string conninfo_for_child(std::string_view conninfo, std::map<std::string, std::string>& child_env);

// Percent-encoding for URL components.
std::string url_escape(std::string_view text);

} // namespace hectic::pq
