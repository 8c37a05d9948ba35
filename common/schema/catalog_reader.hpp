#pragma once
// Internal to the catalog reader: the state its per-kind steps share.
#include <map>
#include <string>
#include <utility>

#include "common/pg/pq.hpp"
#include "common/schema/model.hpp"

namespace hectic::schema::detail {

// A catalog read in progress: the model so far and, for reading pg_depend afterwards, which
// catalog object (catalog name, oid) became which model key.
struct Reader {
  pq::Connection& connection;
  pq::Params params; // $1 --schema list, $2 --exclude-schema list
  bool privileges = true;
  Model model;
  std::map<std::pair<std::string, std::string>, std::string> keys; // (catalog, oid) -> key
  std::map<std::pair<std::string, std::string>, std::string> column_names; // (table oid, attnum) -> name
  // Unquoted "schema.name" of relations and routines -> keys, for names found in PL/pgSQL bodies.
  std::map<std::string, std::set<std::string>> by_plain_name;
  // PL/pgSQL routine key -> its CREATE FUNCTION text, parsed once dependencies are read.
  std::map<std::string, std::string> plpgsql_bodies;

  pq::Result query(const char* sql) { return connection.exec_params(sql, params); }
  // A query that covers every schema (event triggers, pg_depend): no $1/$2.
  pq::Result query_all(const char* sql) { return connection.exec(sql); }
  // Adds object, remembered as (catalog, oid). Throws Error(internal) for a duplicate key.
  Object& add(Object object, const std::string& catalog, const std::string& oid);
  // Fills object.grants from a grants column (json) unless privileges are off.
  void set_grants(Object& object, const pq::Result& r, int row, int col) const;
};

// [[grantee, privilege, grantable], ...] -> grantee -> "INSERT,SELECT*" (* = WITH GRANT OPTION).
std::map<std::string, std::string> grants_from_json(const std::string& json_text);

// The steps of read_catalog, one per group of kinds.
void read_schemas_and_extensions(Reader& reader);
void read_types_and_sequences(Reader& reader);
void read_tables(Reader& reader);
void read_columns(Reader& reader);     // of the tables and views read so far
void read_table_parts(Reader& reader); // constraints, indexes, triggers, policies
void read_views(Reader& reader);
void read_routines(Reader& reader);    // functions, procedures, aggregates, event triggers
void read_dependencies(Reader& reader);
void read_default_privileges(Reader& reader);
void read_owners(Reader& reader);     // --owner
void refuse_unsupported(Reader& reader);

} // namespace hectic::schema::detail
