// The catalog reader: schemas, extensions, types and sequences here; tables and their parts in
// catalog_tables.cpp; views and routines in catalog_code.cpp; pg_depend in catalog_depend.cpp.
#include "common/schema/catalog.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>

#include "common/base/error.hpp"
#include "common/base/log.hpp"
#include "common/schema/catalog_reader.hpp"
#include "common/schema/catalog_sql.hpp"
#include "common/schema/ddl.hpp"

namespace hectic::schema {
namespace detail {
namespace {

// A PostgreSQL array literal of text items ({"a","b"}), for the $1/$2 schema lists.
std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const auto& item : items) {
    out += out.size() > 1 ? ",\"" : "\"";
    for (char c : item) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

// [[grantee, privilege, grantable], ...] -> grantee -> "INSERT,SELECT*" (* = WITH GRANT OPTION)
std::map<std::string, std::string> parse_grants(const std::string& json_text) {
  std::map<std::string, std::set<std::string>> sets;
  for (const auto& item : nlohmann::json::parse(json_text))
    sets[item[0].get<std::string>()].insert(item[1].get<std::string>() + (item[2].get<bool>() ? "*" : ""));
  std::map<std::string, std::string> grants;
  for (const auto& [grantee, privileges] : sets) grants[grantee] = fmt::format("{}", fmt::join(privileges, ","));
  return grants;
}

void read_schemas(Reader& reader) {
  auto r = reader.query(sql::schemas);
  for (int i = 0; i < r.rows(); ++i) {
    Object o;
    o.kind = Kind::schema;
    o.name = r.get(i, 1);
    o.key = "schema:" + o.name;
    o.create_sql = "CREATE SCHEMA " + o.name + ";";
    o.drop_sql = "DROP SCHEMA " + o.name + ";";
    o.definition = o.create_sql;
    o.comment_target = "SCHEMA " + o.name;
    o.comment = r.get_optional(i, 2);
    o.grant_target = "SCHEMA " + o.name;
    reader.set_grants(reader.add(std::move(o), "pg_namespace", r.get(i, 0)), r, i, 3);
  }
}

void read_extensions(Reader& reader) {
  auto r = reader.query(sql::extensions);
  for (int i = 0; i < r.rows(); ++i) {
    Object o;
    o.kind = Kind::extension;
    o.name = r.get(i, 1);
    o.key = "extension:" + o.name;
    o.version = r.get(i, 2);
    o.create_sql = fmt::format("CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {} VERSION '{}';", o.name,
                               r.get(i, 3), o.version);
    o.drop_sql = "DROP EXTENSION " + o.name + ";";
    o.definition = o.name + " in " + r.get(i, 3);
    o.comment_target = "EXTENSION " + o.name;
    o.depends_on.insert("schema:" + r.get(i, 3));
    reader.add(std::move(o), "pg_extension", r.get(i, 0));
  }
}

void read_types(Reader& reader) {
  auto r = reader.query(sql::types);
  for (int i = 0; i < r.rows(); ++i) {
    if (!r.is_null(i, 9) && r.get(i, 9) != "-")
      throw Error(ExitCode::generic, fmt::format("range type {} has a CANONICAL function, which migrator diff does "
                                                 "not handle yet", r.get(i, 1)));
    Object o;
    o.kind = Kind::type;
    o.name = r.get(i, 1);
    o.key = "type:" + o.name;
    char type_kind = r.get(i, 2)[0];
    o.definition = r.get(i, 3); // the body after "CREATE TYPE name" / "CREATE DOMAIN name"
    if (type_kind == 'e')
      for (const auto& label : nlohmann::json::parse(r.get(i, 4))) o.enum_labels.push_back(label.get<std::string>());
    const char* word = type_kind == 'd' ? "DOMAIN" : "TYPE";
    o.create_sql = fmt::format("CREATE {} {} {};", word, o.name, o.definition);
    o.drop_sql = fmt::format("DROP {} {};", word, o.name);
    o.comment_target = fmt::format("{} {}", word, o.name);
    o.comment = r.get_optional(i, 5);
    o.grant_target = fmt::format("{} {}", word, o.name);
    if (!r.is_null(i, 11))
      for (const auto& companion : nlohmann::json::parse(r.get(i, 11))) o.companions.push_back(companion.get<std::string>());
    auto key = o.key;
    reader.set_grants(reader.add(std::move(o), "pg_type", r.get(i, 0)), r, i, 6);
    for (int col : {8, 10}) // its array type, its multirange: the same object to pg_depend
      if (!r.is_null(i, col)) reader.keys[{"pg_type", r.get(i, col)}] = key;
    if (r.get(i, 7) != "0") reader.keys[{"pg_class", r.get(i, 7)}] = key; // a composite's relation
  }
  auto c = reader.query(sql::domain_constraints);
  for (int i = 0; i < c.rows(); ++i) reader.keys[{"pg_constraint", c.get(i, 0)}] = "type:" + c.get(i, 1);
}

Object sequence_owner(const std::string& sequence, const std::string& table, const std::string& column) {
  Object owner; // OWNED BY is a step of its own: it needs the table, whose default needs the sequence
  owner.kind = Kind::sequence_owner;
  owner.name = sequence;
  owner.key = "sequence_owner:" + sequence;
  owner.table = table;
  owner.definition = table + "." + column;
  owner.create_sql = fmt::format("ALTER SEQUENCE {} OWNED BY {};", sequence, owner.definition);
  owner.drop_sql = fmt::format("ALTER SEQUENCE {} OWNED BY NONE;", sequence);
  owner.depends_on = {"sequence:" + sequence, "table:" + table};
  return owner;
}

void read_sequences(Reader& reader) {
  auto r = reader.query(sql::sequences);
  for (int i = 0; i < r.rows(); ++i) {
    Object o;
    o.kind = Kind::sequence;
    o.name = r.get(i, 1);
    o.key = "sequence:" + o.name;
    o.definition = (r.get(i, 8) == "t" ? k_unlogged_sequence : "") + r.get(i, 2);
    o.create_sql = fmt::format("CREATE {}SEQUENCE {} {};", sequence_unlogged(o) ? "UNLOGGED " : "", o.name,
                               sequence_options(o));
    o.drop_sql = fmt::format("DROP SEQUENCE {};", o.name);
    o.comment_target = "SEQUENCE " + o.name;
    o.comment = r.get_optional(i, 3);
    o.grant_target = "SEQUENCE " + o.name;
    o.sequence_value = r.get(i, 7);
    reader.set_grants(reader.add(std::move(o), "pg_class", r.get(i, 0)), r, i, 4);
    if (r.is_null(i, 5)) continue;
    auto owner = sequence_owner(r.get(i, 1), r.get(i, 5), r.get(i, 6));
    reader.model.objects.emplace(owner.key, std::move(owner));
  }
}

} // namespace

Object& Reader::add(Object object, const std::string& catalog, const std::string& oid) {
  auto key = object.key;
  keys[{catalog, oid}] = key;
  auto [it, inserted] = model.objects.emplace(key, std::move(object));
  if (!inserted) throw Error(ExitCode::internal, fmt::format("two catalog objects have the key {}", key));
  return it->second;
}

void Reader::set_grants(Object& object, const pq::Result& r, int row, int col) const {
  if (privileges && !r.is_null(row, col)) object.grants = parse_grants(r.get(row, col));
}

void read_schemas_and_extensions(Reader& reader) {
  read_schemas(reader);
  read_extensions(reader);
}

void read_types_and_sequences(Reader& reader) {
  read_types(reader);
  read_sequences(reader);
}

std::map<std::string, std::string> grants_from_json(const std::string& json_text) { return parse_grants(json_text); }

} // namespace detail

Model read_catalog(pq::Connection& connection, const Filter& filter) {
  connection.exec("SET search_path = pg_catalog");
  detail::Reader reader{connection, {detail::text_array(filter.schemas), detail::text_array(filter.exclude_schemas)},
                        filter.privileges, {}, {}, {}, {}, {}};
  reader.model.server_version = connection.server_version();
  reader.model.privileges = filter.privileges;
  reader.model.server_version_text = connection.exec("SHOW server_version").scalar();
  reader.model.role = connection.exec("SELECT quote_ident(current_user)").scalar();
  // Each step timed at debug level (HECTIC_LOG=debug): the read is the diff's main cost.
  const log::Logger logger("migrator diff");
  auto step = [&, started = std::chrono::steady_clock::now()](const char* name, void (*run)(detail::Reader&)) mutable {
    run(reader);
    auto now = std::chrono::steady_clock::now();
    logger.debug("catalog {}: {} ms", name, std::chrono::duration_cast<std::chrono::milliseconds>(now - started).count());
    started = now;
  };
  step("unsupported kinds", detail::refuse_unsupported);
  step("schemas, extensions", detail::read_schemas_and_extensions);
  step("types, sequences", detail::read_types_and_sequences);
  step("tables", detail::read_tables);
  step("constraints, indexes, triggers, policies", detail::read_table_parts);
  step("views", detail::read_views);
  step("columns", detail::read_columns);
  step("routines", detail::read_routines);
  step("default privileges", detail::read_default_privileges);
  step("dependencies", detail::read_dependencies);
  if (filter.owner) step("owners", detail::read_owners);
  return std::move(reader.model);
}

} // namespace hectic::schema
