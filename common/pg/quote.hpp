#pragma once
// SQL quoting that needs no connection (the server runs with standard_conforming_strings on):
// what psql applies to :'var' and :"var", and what we use to spell names in generated SQL.
#include <string>
#include <string_view>

namespace hectic::pq {

// psql's quoting of a variable value as a literal (PQescapeLiteral with
// standard_conforming_strings on: 'it''s', and " E'a\\b'" when there is a backslash).
std::string quote_literal(std::string_view value);
// psql's quoting as an identifier (PQescapeIdentifier: "a""b").
std::string quote_identifier(std::string_view value);

} // namespace hectic::pq
