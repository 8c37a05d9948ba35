// Kind names and the model fingerprint.
#include "common/schema/model.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/migrate/migrate.hpp"

namespace hectic::schema {

const char* kind_name(Kind kind) {
  switch (kind) {
  case Kind::schema: return "schema";
  case Kind::extension: return "extension";
  case Kind::type: return "type";
  case Kind::sequence: return "sequence";
  case Kind::table: return "table";
  case Kind::constraint: return "constraint";
  case Kind::index: return "index";
  case Kind::view: return "view";
  case Kind::function: return "function";
  case Kind::trigger: return "trigger";
  case Kind::event_trigger: return "event trigger";
  case Kind::policy: return "policy";
  case Kind::sequence_owner: return "sequence owner";
  case Kind::default_privilege: return "default privileges";
  }
  return "object";
}

std::optional<Kind> kind_from_name(std::string_view name) {
  for (int k = 0; k <= static_cast<int>(Kind::default_privilege); ++k)
    if (name == kind_name(static_cast<Kind>(k))) return static_cast<Kind>(k);
  return std::nullopt;
}

// What the fingerprint covers: the compared parts of each object, columns sorted by name so
// that column order (which a diff cannot change) does not count.
std::string Model::fingerprint() const {
  nlohmann::json canonical = nlohmann::json::object();
  for (const auto& [key, object] : objects) {
    nlohmann::json entry = {{"definition", object.definition}, {"comment", object.comment.value_or("")},
                            {"grants", object.grants}, {"version", object.version}};
    if (!object.owner.empty()) entry["owner"] = object.owner; // only with --owner
    if (object.shape) {
      std::map<std::string, std::string> columns;
      for (const auto& column : object.shape->columns)
        columns[column.name] = fmt::format("{}|{}|{}|{}{}", column_definition_key(column), column.local,
                                           column.comment.value_or(""), nlohmann::json(column.grants).dump(),
                                           column.identity_sequence_grants.empty()
                                               ? "" : "|" + nlohmann::json(column.identity_sequence_grants).dump());
      entry["columns"] = columns;
      entry["parents"] = object.shape->parents;
      entry["rls"] = {object.shape->row_security, object.shape->force_row_security};
    }
    for (const auto& column : object.view_columns)
      if (column.comment || !column.grants.empty())
        entry["view_columns"][column.name] = fmt::format("{}|{}", column.comment.value_or(""), nlohmann::json(column.grants).dump());
    canonical[key] = entry;
  }
  return migrate::sha256_hex(canonical.dump());
}

std::string default_privilege_name(const std::string& role, const std::string& schema, const std::string& objects) {
  return fmt::format("FOR ROLE {}{} ON {}", role, schema.empty() ? "" : " IN SCHEMA " + schema, objects);
}

std::string column_definition_key(const Column& column) {
  return fmt::format("{} {} gen={} def={} nn={} id={}{} set={}/{}/{}/{}", column.type, column.collation.value_or(""),
                     column.generated.value_or(""), column.default_expr.value_or(""), column.not_null,
                     column.identity ? column.identity : '-', column.identity_options, column.storage,
                     column.statistics, column.compression, column.options);
}

} // namespace hectic::schema
