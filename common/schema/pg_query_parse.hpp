#pragma once
// Internal to the schema engine: libpg_query results (PostgreSQL's parser) owned by RAII.
#include <string>

#include <pg_query.h>

namespace hectic::schema::detail {

// pg_query_parse of SQL text; result.error is set when the parser rejects it.
struct SqlParse {
  PgQueryParseResult result;
  explicit SqlParse(const std::string& text) : result(pg_query_parse(text.c_str())) {}
  ~SqlParse() { pg_query_free_parse_result(result); }
  SqlParse(const SqlParse&) = delete;
  SqlParse& operator=(const SqlParse&) = delete;
};

// pg_query_parse_plpgsql of a CREATE FUNCTION statement.
struct PlpgsqlParse {
  PgQueryPlpgsqlParseResult result;
  explicit PlpgsqlParse(const std::string& text) : result(pg_query_parse_plpgsql(text.c_str())) {}
  ~PlpgsqlParse() { pg_query_free_plpgsql_parse_result(result); }
  PlpgsqlParse(const PlpgsqlParse&) = delete;
  PlpgsqlParse& operator=(const PlpgsqlParse&) = delete;
};

} // namespace hectic::schema::detail
