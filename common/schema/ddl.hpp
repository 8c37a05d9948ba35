#pragma once
// DDL text shared by the catalog reader and the diff: column definitions, CREATE TABLE, the
// comment and privilege statements of an object.
#include <string>
#include <vector>

#include "common/schema/model.hpp"

namespace hectic::schema {

// "name type [COLLATE c] [GENERATED ALWAYS AS (e) STORED] [DEFAULT e] [NOT NULL] [identity]"
// " GENERATED ALWAYS AS IDENTITY (START WITH ...)" of an identity column.
std::string identity_clause(const Column& column);
std::string column_definition(const Column& column);
// CREATE TABLE of a table object (columns, INHERITS, PARTITION OF/BY, WITH, row security,
// column settings, replica identity); model holds its parents, whose column storage and
// compression a new child starts with.
std::string create_table_sql(const Object& table, const Model& model);
// "ALTER TABLE ONLY t ALTER COLUMN c SET STORAGE ...;" statements that turn column from's
// settings (storage, statistics, compression, attribute options) into to's.
std::vector<std::string> column_setting_changes(const std::string& table, const Column& from, const Column& to);
// The names of a reloptions-style list: "fillfactor=70, toast.x=y" -> "fillfactor, toast.x".
std::string option_names(const std::string& options);
// A sequence's definition is "[UNLOGGED ]AS integer INCREMENT BY ...": its persistence, its options.
inline constexpr const char* k_unlogged_sequence = "UNLOGGED ";
bool sequence_unlogged(const Object& sequence);
std::string sequence_options(const Object& sequence);
// pg_get_indexdef text with the index's own name cut out, so a renamed index compares equal.
std::string index_definition_without_name(const std::string& indexdef);
// The DROP of a table, index, constraint, trigger or policy (by name, and table for the parts);
// the catalog reader and the rename hints (which change names) share it.
std::string drop_statement(const Object& object);
// COMMENT ON target IS ...; (NULL when comment is empty).
std::string comment_sql(const std::string& target, const std::optional<std::string>& comment);
// REVOKE/GRANT statements that turn grants `from` into `to` on target (one grantee at a time).
std::vector<std::string> grant_changes(const std::string& target, const std::map<std::string, std::string>& from,
                                       const std::map<std::string, std::string>& to);
// The same for one column's privileges ("SELECT (col) ON TABLE t").
std::vector<std::string> column_grant_changes(const std::string& table, const std::string& column,
                                              const std::map<std::string, std::string>& from,
                                              const std::map<std::string, std::string>& to);

// Both sets of grants together (a privilege held with and without grant option: with it).
std::map<std::string, std::string> merged_grants(std::map<std::string, std::string> grants,
                                                 const std::map<std::string, std::string>& more);
// A column's privileges once the table's change from `table_from` to `table_to` ran: a REVOKE
// on a table takes the same privilege off its columns too (PostgreSQL manual, REVOKE).
std::map<std::string, std::string> column_grants_after_table_revokes(const std::map<std::string, std::string>& column,
                                                                      const std::map<std::string, std::string>& table_from,
                                                                      const std::map<std::string, std::string>& table_to);

} // namespace hectic::schema
