// The catalog reader's tables (columns, inheritance, partitions) and what hangs off a table:
// constraints, indexes, triggers, policies.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/schema/catalog_reader.hpp"
#include "common/schema/catalog_sql.hpp"
#include "common/schema/ddl.hpp"

namespace hectic::schema::detail {
namespace {

std::string replace_first(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

Object table_object(const pq::Result& r, int i) {
  Object o;
  o.kind = Kind::table;
  o.name = r.get(i, 1);
  o.key = "table:" + o.name;
  TableShape shape;
  char relkind = r.get(i, 2)[0];
  shape.unlogged = r.get(i, 3) == "u";
  shape.partition_key = r.get_optional(i, 4);
  shape.partition_bound = r.get_optional(i, 5);
  shape.partition_of = r.get_optional(i, 6);
  for (const auto& parent : nlohmann::json::parse(r.get(i, 7))) shape.parents.push_back(parent.get<std::string>());
  shape.row_security = r.get(i, 8) == "t";
  shape.force_row_security = r.get(i, 9) == "t";
  shape.options = r.get(i, 14);
  if (auto toast = r.get_optional(i, 17)) shape.options += (shape.options.empty() ? "" : ", ") + *toast;
  shape.replica_identity = r.get(i, 16);
  shape.estimated_rows = std::stod(r.get(i, 10));
  o.comment = r.get_optional(i, 11);
  o.comment_target = "TABLE " + o.name;
  o.grant_target = "TABLE " + o.name;
  o.definition = fmt::format("{} {} of={} bound={} by={} with={} replica={}", relkind,
                             shape.unlogged ? "unlogged" : "logged", shape.partition_of.value_or(""),
                             shape.partition_bound.value_or(""), shape.partition_key.value_or(""), shape.options,
                             shape.replica_identity);
  for (const auto& parent : shape.parents) o.depends_on.insert("table:" + parent);
  if (shape.partition_of) o.depends_on.insert("table:" + *shape.partition_of);
  o.drop_sql = drop_statement(o);
  o.shape = std::move(shape);
  return o;
}

Column column_from(const pq::Result& r, int i) {
  Column c;
  c.name = r.get(i, 2);
  c.type = r.get(i, 3);
  c.collation = r.get_optional(i, 4);
  c.default_expr = r.get_optional(i, 5);
  c.not_null = r.get(i, 6) == "t";
  c.identity = r.get(i, 7).empty() ? 0 : r.get(i, 7)[0];
  c.generated = r.get_optional(i, 8);
  c.local = r.get(i, 9) == "t";
  c.comment = r.get_optional(i, 10);
  c.identity_options = r.get_optional(i, 13).value_or("");
  c.storage = r.get_optional(i, 16).value_or("");
  c.default_storage = r.get(i, 17);
  c.statistics = std::stoi(r.get(i, 18));
  c.compression = r.get_optional(i, 19).value_or("");
  c.options = r.get(i, 20);
  return c;
}

} // namespace

void read_columns(Reader& reader) {
  auto r = reader.query(sql::columns);
  for (int i = 0; i < r.rows(); ++i) {
    std::string table_oid = r.get(i, 0);
    reader.column_names[{table_oid, r.get(i, 1)}] = r.get(i, 2);
    auto key = reader.keys.find({"pg_class", table_oid});
    if (key == reader.keys.end()) continue;
    auto& object = reader.model.objects.at(key->second);
    if (!r.is_null(i, 12)) reader.keys[{"pg_attrdef", r.get(i, 12)}] = object.key;
    if (object.kind != Kind::view && !object.shape) continue;
    auto column = column_from(r, i);
    column.identity_sequence = r.get_optional(i, 14).value_or("");
    if (reader.privileges) column.grants = grants_from_json(r.get(i, 11));
    if (reader.privileges && !r.is_null(i, 15)) column.identity_sequence_grants = grants_from_json(r.get(i, 15));
    if (object.kind == Kind::view) object.view_columns.push_back(std::move(column));
    else object.shape->columns.push_back(std::move(column));
  }
  for (auto& [key, object] : reader.model.objects)
    if (object.shape) object.create_sql = create_table_sql(object, reader.model);
}

namespace {

// A constraint, trigger or policy: named within its table, dropped and commented "NAME ON TABLE".
Object table_part(Kind kind, const std::string& table, const std::string& name) {
  Object o;
  o.kind = kind;
  o.table = table;
  o.name = name;
  o.key = fmt::format("{}:{}.{}", kind_name(kind), table, name);
  o.drop_sql = drop_statement(o);
  o.depends_on.insert("table:" + table);
  return o;
}

void read_constraints(Reader& reader) {
  auto r = reader.query(sql::constraints);
  for (int i = 0; i < r.rows(); ++i) {
    auto o = table_part(Kind::constraint, r.get(i, 1), r.get(i, 2));
    o.definition = r.get(i, 4);
    o.create_sql = fmt::format("ALTER TABLE {} ADD CONSTRAINT {} {};", o.table, o.name, o.definition);
    o.comment_target = fmt::format("CONSTRAINT {} ON {}", o.name, o.table);
    o.comment = r.get_optional(i, 5);
    auto key = o.key;
    char contype = r.get(i, 3)[0];
    reader.add(std::move(o), "pg_constraint", r.get(i, 0));
    if (!r.is_null(i, 6) && contype != 'f') reader.keys[{"pg_class", r.get(i, 6)}] = key; // its index
  }
}

void read_indexes(Reader& reader) {
  auto r = reader.query(sql::indexes);
  for (int i = 0; i < r.rows(); ++i) {
    Object o;
    o.kind = Kind::index;
    o.name = r.get(i, 1);
    o.table = r.get(i, 2);
    o.key = "index:" + o.name;
    o.on_partitioned_table = r.get(i, 5) == "t";
    // ON ONLY would leave the partitions without their index (CREATE INDEX, "ONLY").
    auto indexdef = o.on_partitioned_table ? replace_first(r.get(i, 3), " ON ONLY ", " ON ") : r.get(i, 3);
    o.create_sql = indexdef + ";";
    o.definition = index_definition_without_name(indexdef);
    o.drop_sql = drop_statement(o);
    o.comment_target = "INDEX " + o.name;
    o.comment = r.get_optional(i, 4);
    o.depends_on.insert("table:" + o.table);
    reader.add(std::move(o), "pg_class", r.get(i, 0));
  }
}

void read_triggers(Reader& reader) {
  auto r = reader.query(sql::triggers);
  for (int i = 0; i < r.rows(); ++i) {
    auto o = table_part(Kind::trigger, r.get(i, 1), r.get(i, 2));
    o.create_sql = r.get(i, 3) + ";";
    if (r.get(i, 5) == "D") o.create_sql += fmt::format("\nALTER TABLE {} DISABLE TRIGGER {};", o.table, o.name);
    o.definition = o.create_sql;
    o.comment_target = fmt::format("TRIGGER {} ON {}", o.name, o.table);
    o.comment = r.get_optional(i, 4);
    reader.add(std::move(o), "pg_trigger", r.get(i, 0));
  }
}

void read_policies(Reader& reader) {
  auto r = reader.query(sql::policies);
  for (int i = 0; i < r.rows(); ++i) {
    auto o = table_part(Kind::policy, r.get(i, 1), r.get(i, 2));
    o.definition = r.get(i, 3);
    o.create_sql = fmt::format("CREATE POLICY {} ON {} {};", o.name, o.table, o.definition);
    o.comment_target = fmt::format("POLICY {} ON {}", o.name, o.table);
    o.comment = r.get_optional(i, 4);
    reader.add(std::move(o), "pg_policy", r.get(i, 0));
  }
}

} // namespace

void read_tables(Reader& reader) {
  auto r = reader.query(sql::tables);
  for (int i = 0; i < r.rows(); ++i) {
    auto object = table_object(r, i);
    reader.by_plain_name[r.get(i, 15)].insert(object.key);
    reader.set_grants(reader.add(std::move(object), "pg_class", r.get(i, 0)), r, i, 12);
    reader.keys[{"pg_type", r.get(i, 13)}] = "table:" + r.get(i, 1); // its row type
  }
}

void read_table_parts(Reader& reader) {
  read_constraints(reader);
  read_indexes(reader);
  read_triggers(reader);
  read_policies(reader);
}

} // namespace hectic::schema::detail
