// DDL text builders (PostgreSQL manual: CREATE TABLE, COMMENT, GRANT, REVOKE).
#include "common/schema/ddl.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "common/pg/quote.hpp"

namespace hectic::schema {
namespace {

// "INSERT,SELECT*" -> ({INSERT}, {SELECT}): plain privileges, and those WITH GRANT OPTION.
std::pair<std::vector<std::string>, std::vector<std::string>> split_privileges(const std::string& list) {
  std::pair<std::vector<std::string>, std::vector<std::string>> out;
  for (size_t start = 0; start < list.size();) {
    auto end = std::min(list.find(',', start), list.size());
    auto item = list.substr(start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    if (item.back() == '*') out.second.push_back(item.substr(0, item.size() - 1));
    else out.first.push_back(item);
  }
  return out;
}

// "SELECT, UPDATE" or, for a column, "SELECT (c), UPDATE (c)".
std::string privilege_list(const std::vector<std::string>& items, const std::string& column) {
  std::vector<std::string> named;
  for (const auto& item : items) named.push_back(column.empty() ? item : item + " (" + column + ")");
  return fmt::format("{}", fmt::join(named, ", "));
}

// The REVOKE and GRANT statements that turn grantee's privileges `from` into `to` on target.
// Only what goes is revoked: a REVOKE ALL on a table would take the column privileges along.
std::vector<std::string> grantee_changes(const std::string& target, const std::string& column, const std::string& grantee,
                                         const std::string& from, const std::string& to) {
  auto [old_plain, old_option] = split_privileges(from);
  auto [new_plain, new_option] = split_privileges(to);
  auto has = [](const std::vector<std::string>& items, const std::string& item) {
    return std::find(items.begin(), items.end(), item) != items.end();
  };
  std::vector<std::string> revoke, revoke_option, grant, grant_option;
  for (const auto& item : old_plain)
    if (!has(new_plain, item) && !has(new_option, item)) revoke.push_back(item);
  for (const auto& item : old_option) {
    if (has(new_plain, item)) revoke_option.push_back(item);
    else if (!has(new_option, item)) revoke.push_back(item);
  }
  for (const auto& item : new_plain)
    if (!has(old_plain, item) && !has(old_option, item)) grant.push_back(item);
  for (const auto& item : new_option)
    if (!has(old_option, item)) grant_option.push_back(item);
  std::vector<std::string> out;
  if (!revoke.empty())
    out.push_back(fmt::format("REVOKE {} ON {} FROM {};", privilege_list(revoke, column), target, grantee));
  if (!revoke_option.empty())
    out.push_back(fmt::format("REVOKE GRANT OPTION FOR {} ON {} FROM {};", privilege_list(revoke_option, column), target,
                              grantee));
  if (!grant.empty()) out.push_back(fmt::format("GRANT {} ON {} TO {};", privilege_list(grant, column), target, grantee));
  if (!grant_option.empty())
    out.push_back(fmt::format("GRANT {} ON {} TO {} WITH GRANT OPTION;", privilege_list(grant_option, column), target,
                              grantee));
  return out;
}

std::vector<std::string> changes(const std::string& target, const std::string& column,
                                 const std::map<std::string, std::string>& from,
                                 const std::map<std::string, std::string>& to) {
  std::vector<std::string> out;
  std::set<std::string> grantees;
  for (const auto& [grantee, _] : from) grantees.insert(grantee);
  for (const auto& [grantee, _] : to) grantees.insert(grantee);
  for (const auto& grantee : grantees) {
    auto old_it = from.find(grantee);
    auto new_it = to.find(grantee);
    std::string old_privileges = old_it == from.end() ? "" : old_it->second;
    std::string new_privileges = new_it == to.end() ? "" : new_it->second;
    if (old_privileges == new_privileges) continue;
    for (auto& statement : grantee_changes(target, column, grantee, old_privileges, new_privileges))
      out.push_back(std::move(statement));
  }
  return out;
}

} // namespace

std::map<std::string, std::string> column_grants_after_table_revokes(const std::map<std::string, std::string>& column,
                                                                      const std::map<std::string, std::string>& table_from,
                                                                      const std::map<std::string, std::string>& table_to) {
  auto privileges_of = [](const std::map<std::string, std::string>& grants, const std::string& grantee) {
    auto it = grants.find(grantee);
    return split_privileges(it == grants.end() ? "" : it->second);
  };
  auto has = [](const std::vector<std::string>& items, const std::string& item) {
    return std::find(items.begin(), items.end(), item) != items.end();
  };
  std::map<std::string, std::string> out;
  for (const auto& [grantee, list] : column) {
    auto [old_plain, old_option] = privileges_of(table_from, grantee);
    auto [new_plain, new_option] = privileges_of(table_to, grantee);
    auto [plain, with_option] = split_privileges(list);
    std::set<std::string> kept;
    for (const auto& item : plain)
      if (!(has(old_plain, item) || has(old_option, item)) || has(new_plain, item) || has(new_option, item))
        kept.insert(item);
    for (const auto& item : with_option) {
      if (!has(old_option, item) || has(new_option, item)) kept.insert(item + "*");
      else if (has(new_plain, item)) kept.insert(item); // REVOKE GRANT OPTION FOR on the table
    }
    if (!kept.empty()) out[grantee] = fmt::format("{}", fmt::join(kept, ","));
  }
  return out;
}

std::map<std::string, std::string> merged_grants(std::map<std::string, std::string> grants,
                                                 const std::map<std::string, std::string>& more) {
  for (const auto& [grantee, privileges] : more) {
    auto [plain, with_option] = split_privileges(grants[grantee] + "," + privileges);
    std::set<std::string> items;
    for (const auto& item : with_option) items.insert(item + "*");
    for (const auto& item : plain)
      if (!items.count(item + "*")) items.insert(item);
    grants[grantee] = fmt::format("{}", fmt::join(items, ","));
  }
  return grants;
}

std::string identity_clause(const Column& column) {
  return fmt::format(" GENERATED {} AS IDENTITY{}", column.identity == 'a' ? "ALWAYS" : "BY DEFAULT",
                     column.identity_options.empty() ? "" : " (" + column.identity_options + ")");
}

std::string column_definition(const Column& column) {
  std::string out = column.name + " " + column.type;
  if (column.collation) out += " COLLATE " + *column.collation;
  if (column.generated) out += " GENERATED ALWAYS AS (" + *column.generated + ") STORED";
  if (column.default_expr) out += " DEFAULT " + *column.default_expr;
  if (column.not_null) out += " NOT NULL";
  if (column.identity) out += identity_clause(column);
  return out;
}

namespace {

// The settings a new column of table starts with: those of the first parent that has it
// (PostgreSQL copies storage and compression to a child, CREATE TABLE "INHERITS"), else none.
Column starting_settings(const Object& table, const Model& model, const Column& column) {
  Column start;
  start.name = column.name;
  std::vector<std::string> parents = table.shape->parents;
  if (table.shape->partition_of) parents.insert(parents.begin(), *table.shape->partition_of);
  for (const auto& parent : parents) {
    auto it = model.objects.find("table:" + parent);
    if (it == model.objects.end() || !it->second.shape) continue;
    for (const auto& c : it->second.shape->columns)
      if (c.name == column.name) {
        start.storage = c.storage;
        start.compression = c.compression;
        return start;
      }
  }
  return start;
}

} // namespace

std::string option_names(const std::string& options) {
  std::string out;
  bool in_value = false;
  for (char c : options) {
    if (c == '=') in_value = true;
    else if (c == ',') in_value = false;
    if (!in_value) out += c;
  }
  return out;
}

std::vector<std::string> column_setting_changes(const std::string& table, const Column& from, const Column& to) {
  std::vector<std::string> clauses;
  if (from.storage != to.storage) clauses.push_back("SET STORAGE " + (to.storage.empty() ? to.default_storage : to.storage));
  if (from.compression != to.compression)
    clauses.push_back("SET COMPRESSION " + (to.compression.empty() ? "default" : to.compression));
  if (from.statistics != to.statistics) clauses.push_back(fmt::format("SET STATISTICS {}", to.statistics));
  if (from.options != to.options) {
    if (!from.options.empty()) clauses.push_back("RESET (" + option_names(from.options) + ")");
    if (!to.options.empty()) clauses.push_back("SET (" + to.options + ")");
  }
  std::vector<std::string> out;
  // ONLY: each child table (partition) is compared and altered on its own.
  for (const auto& clause : clauses)
    out.push_back(fmt::format("ALTER TABLE ONLY {} ALTER COLUMN {} {};", table, to.name, clause));
  return out;
}

std::string create_table_sql(const Object& table, const Model& model) {
  const auto& shape = *table.shape;
  std::string out;
  if (shape.partition_of) {
    out = fmt::format("CREATE TABLE {} PARTITION OF {} {}", table.name, *shape.partition_of,
                      shape.partition_bound.value_or("DEFAULT"));
  } else {
    std::vector<std::string> columns;
    for (const auto& column : shape.columns)
      if (column.local) columns.push_back("    " + column_definition(column));
    out = fmt::format("CREATE {}TABLE {} (\n{}\n)", shape.unlogged ? "UNLOGGED " : "", table.name,
                      fmt::join(columns, ",\n"));
    if (!shape.parents.empty()) out += fmt::format(" INHERITS ({})", fmt::join(shape.parents, ", "));
  }
  if (shape.partition_key) out += " PARTITION BY " + *shape.partition_key;
  if (!shape.options.empty()) out += " WITH (" + shape.options + ")";
  out += ";";
  for (const auto& column : shape.columns)
    for (const auto& s : column_setting_changes(table.name, starting_settings(table, model, column), column))
      out += "\n" + s;
  // USING INDEX waits for its index, which creates it (diff_create_drop.cpp).
  if (!shape.replica_identity.empty() && shape.replica_identity.rfind("USING INDEX", 0) != 0)
    out += fmt::format("\nALTER TABLE {} REPLICA IDENTITY {};", table.name, shape.replica_identity);
  if (shape.row_security) out += fmt::format("\nALTER TABLE {} ENABLE ROW LEVEL SECURITY;", table.name);
  if (shape.force_row_security) out += fmt::format("\nALTER TABLE {} FORCE ROW LEVEL SECURITY;", table.name);
  return out;
}

bool sequence_unlogged(const Object& sequence) { return sequence.definition.rfind(k_unlogged_sequence, 0) == 0; }

std::string sequence_options(const Object& sequence) {
  return sequence.definition.substr(sequence_unlogged(sequence) ? std::string_view(k_unlogged_sequence).size() : 0);
}

std::string index_definition_without_name(const std::string& indexdef) {
  auto at = indexdef.find(" INDEX ");
  auto on = indexdef.find(" ON ", at == std::string::npos ? 0 : at);
  if (at == std::string::npos || on == std::string::npos) return indexdef;
  return indexdef.substr(0, at + 7) + indexdef.substr(on + 1);
}

std::string drop_statement(const Object& o) {
  switch (o.kind) {
  case Kind::table: return fmt::format("DROP TABLE {};", o.name);
  case Kind::index: return fmt::format("DROP INDEX {};", o.name);
  case Kind::constraint: return fmt::format("ALTER TABLE {} DROP CONSTRAINT {};", o.table, o.name);
  case Kind::trigger: return fmt::format("DROP TRIGGER {} ON {};", o.name, o.table);
  case Kind::policy: return fmt::format("DROP POLICY {} ON {};", o.name, o.table);
  default: return o.drop_sql;
  }
}

std::string comment_sql(const std::string& target, const std::optional<std::string>& comment) {
  return fmt::format("COMMENT ON {} IS {};", target, comment ? pq::quote_literal(*comment) : "NULL");
}

std::vector<std::string> grant_changes(const std::string& target, const std::map<std::string, std::string>& from,
                                       const std::map<std::string, std::string>& to) {
  return changes(target, "", from, to);
}

std::vector<std::string> column_grant_changes(const std::string& table, const std::string& column,
                                              const std::map<std::string, std::string>& from,
                                              const std::map<std::string, std::string>& to) {
  return changes("TABLE " + table, column, from, to);
}

} // namespace hectic::schema
