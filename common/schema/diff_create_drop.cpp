// The create and drop statements of the diff, with their hazards; --online and
// --rename-before-drop change what is written here.
#include <algorithm>

#include <fmt/format.h>

#include "common/pg/quote.hpp"
#include "common/schema/ddl.hpp"
#include "common/schema/diff_detail.hpp"
#include "common/schema/names.hpp"

namespace hectic::schema::detail {
namespace {

bool existed(const Planner& p, const std::string& table) { return p.from.objects.count("table:" + table) > 0; }

// The ON ... word of ALTER DEFAULT PRIVILEGES that covers new objects of kind; null: none.
const char* default_privilege_objects(Kind kind) {
  switch (kind) {
  case Kind::table:
  case Kind::view: return "TABLES";
  case Kind::sequence: return "SEQUENCES";
  case Kind::function: return "FUNCTIONS";
  case Kind::type: return "TYPES";
  case Kind::schema: return "SCHEMAS";
  default: return nullptr;
  }
}

// An index built CONCURRENTLY exists only after the transaction: what follows it goes there too.
bool built_outside(const Planner& p, const Object& object) {
  return !p.out.empty() && p.out.back().object == object.key && !p.out.back().transactional;
}

// A new index (or primary key, unique constraint) that is its table's REPLICA IDENTITY sets it.
void emit_replica_identity(Planner& p, const Object& index) {
  auto table = p.to.objects.find("table:" + index.table);
  if (table == p.to.objects.end() || !table->second.shape) return;
  auto name = index.kind == Kind::index ? split_qualified(index.name).second : index.name;
  auto identity = "USING INDEX " + name;
  if (table->second.shape->replica_identity != identity) return;
  p.emit(index, '~', fmt::format("ALTER TABLE {} REPLICA IDENTITY {};", index.table, identity), {},
         !built_outside(p, index));
}

} // namespace

std::map<std::string, std::string> implicit_grants(const Planner& p, const Object& object) {
  const char* objects = default_privilege_objects(object.kind);
  if (!p.to.privileges || !objects) return {};
  std::map<std::string, std::string> grants;
  if (object.kind == Kind::function) grants = {{"PUBLIC", "EXECUTE"}};
  if (object.kind == Kind::type) grants = {{"PUBLIC", "USAGE"}};
  if (p.from.role.empty()) return grants;
  auto in_force = [&](const std::string& schema) -> const Object* {
    auto it = p.to.objects.find("default_privilege:" + default_privilege_name(p.from.role, schema, objects));
    return it == p.to.objects.end() ? nullptr : &it->second;
  };
  if (const auto* global = in_force("")) grants = global->grants;
  grants.erase(p.from.role); // the owner's own privileges are not compared
  auto schema = split_qualified(object.kind == Kind::function ? routine_name(object.name) : object.name).first;
  // A schema's default privileges add to those of no schema (ALTER DEFAULT PRIVILEGES).
  if (const auto* in_schema = object.kind == Kind::schema ? nullptr : in_force(schema))
    grants = merged_grants(grants, in_schema->grants);
  return grants;
}

std::map<std::string, std::string> identity_sequence_grants_before(const Planner& p, const Column& old_column,
                                                                        const Column& column) {
  if (old_column.identity) return old_column.identity_sequence_grants;
  Object sequence; // made by the column: it gets the default privileges of sequences
  sequence.kind = Kind::sequence;
  sequence.name = column.identity_sequence;
  return implicit_grants(p, sequence);
}

namespace {

void emit_comment_and_grants(Planner& p, const Object& object) {
  bool outside = built_outside(p, object);
  if (object.comment && !object.comment_target.empty())
    p.emit(object, '~', comment_sql(object.comment_target, object.comment), {}, !outside);
  if (!object.grant_target.empty())
    for (auto& s : grant_changes(object.grant_target, implicit_grants(p, object), object.grants))
      p.emit(object, '~', std::move(s));
  const auto& columns = object.shape ? object.shape->columns : object.view_columns;
  for (const auto& column : columns) {
    if (column.comment) p.emit(object, '~', comment_sql("COLUMN " + object.name + "." + column.name, column.comment));
    for (auto& s : column_grant_changes(object.name, column.name, {}, column.grants)) p.emit(object, '~', std::move(s));
    if (column.identity && !column.identity_sequence.empty())
      for (auto& s : grant_changes("SEQUENCE " + column.identity_sequence,
                                   identity_sequence_grants_before(p, Column{}, column), column.identity_sequence_grants))
        p.emit(object, '~', std::move(s));
  }
}

void emit_index_create(Planner& p, const Object& index) {
  bool on_existing = existed(p, index.table) && !p.recreated.count("table:" + index.table);
  if (p.options.online && on_existing && !index.on_partitioned_table) {
    auto concurrent = index.create_sql;
    auto at = concurrent.find(" INDEX ");
    concurrent.insert(at + 7, "CONCURRENTLY ");
    // A failed CONCURRENTLY build leaves an invalid index of that name behind (PostgreSQL manual,
    // CREATE INDEX "Building Indexes Concurrently"): drop it first.
    p.emit(index, '+', fmt::format("DROP INDEX CONCURRENTLY IF EXISTS {};", index.name), {}, false);
    p.emit(index, '+', concurrent, {}, false);
    return;
  }
  std::vector<std::string> hazards;
  if (on_existing)
    hazards.push_back(fmt::format("index build: blocks writes to {} while it builds ({}); --online builds it "
                                  "CONCURRENTLY", index.table, rows_note(p.from, "table:" + index.table)));
  p.emit(index, '+', index.create_sql, hazards);
}

void emit_constraint_create(Planner& p, const Object& constraint) {
  bool on_existing = existed(p, constraint.table) && !p.recreated.count("table:" + constraint.table);
  bool checkable = constraint.definition.rfind("FOREIGN KEY", 0) == 0 || constraint.definition.rfind("CHECK", 0) == 0;
  bool not_valid = constraint.definition.find(" NOT VALID") != std::string::npos;
  if (p.options.online && on_existing && checkable && !not_valid) {
    p.emit(constraint, '+', constraint.create_sql.substr(0, constraint.create_sql.size() - 1) + " NOT VALID;");
    p.emit(constraint, '~', fmt::format("ALTER TABLE {} VALIDATE CONSTRAINT {};", constraint.table, constraint.name),
           {}, false);
    return;
  }
  std::vector<std::string> hazards;
  if (on_existing && !not_valid)
    hazards.push_back(fmt::format("validation scan: checks every row of {} under lock ({}); --online adds it NOT "
                                  "VALID and validates it after", constraint.table,
                                  rows_note(p.from, "table:" + constraint.table)));
  p.emit(constraint, '+', constraint.create_sql, hazards);
}

std::string type_word(const Object& type) {
  return type.create_sql.rfind("CREATE DOMAIN", 0) == 0 ? "DOMAIN" : "TYPE";
}

std::string aside_name(const Object& type) { return dropped_name(type.name, "rebuild"); }

// Is sequence a serial column's whose table is kept and whose column becomes an identity? Its
// last value is carried over to the identity's sequence (diff_alter.cpp), nothing is lost.
bool value_carried_to_identity(const Planner& p, const Object& sequence) {
  auto owner = p.from.objects.find("sequence_owner:" + sequence.name);
  if (owner == p.from.objects.end() || !p.altered.count("table:" + owner->second.table)) return false;
  const auto& table = p.to.objects.at("table:" + owner->second.table);
  auto column = owner->second.definition.substr(owner->second.table.size() + 1);
  return std::any_of(table.shape->columns.begin(), table.shape->columns.end(),
                     [&](const Column& c) { return c.name == column && c.identity; });
}

std::vector<std::string> drop_hazards(const Planner& p, const Object& object) {
  switch (object.kind) {
  case Kind::table:
    return {fmt::format("data loss: drops table {} ({})", object.name, rows_note(p.from, object.key))};
  case Kind::sequence:
    if (value_carried_to_identity(p, object)) return {};
    return {fmt::format("data loss: drops sequence {} and its current value", object.name)};
  case Kind::type: return {fmt::format("data loss: drops type {}", object.name)};
  case Kind::extension: return {fmt::format("data loss: drops extension {} and its objects", object.name)};
  default: return {};
  }
}

// --rename-before-drop: tables and routines are renamed aside; the final drop is a cleanup.
bool rename_aside(Planner& p, const Object& object) {
  if (!p.options.rename_before_drop || p.recreated.count(object.key)) return false;
  if (object.kind != Kind::table && object.kind != Kind::function) return false;
  auto [schema, name] = split_qualified(object.kind == Kind::function ? routine_name(object.name) : object.name);
  auto aside = dropped_name(name, p.options.stamp);
  if (object.kind == Kind::table) {
    p.emit(object, '-', fmt::format("ALTER TABLE {} RENAME TO {};", object.name, aside));
    p.emit(object, '-', fmt::format("DROP TABLE {}.{};", schema, aside));
  } else {
    auto word = object.routine_kind == 'p' ? "PROCEDURE" : object.routine_kind == 'a' ? "AGGREGATE" : "FUNCTION";
    p.emit(object, '-', fmt::format("ALTER {} {} RENAME TO {};", word, object.name, aside));
    p.emit(object, '-', fmt::format("DROP {} {}.{}{};", word, schema, aside, routine_arguments(object.name)));
  }
  p.out.back().cleanup = true;
  return true;
}

} // namespace

void emit_create(Planner& p, const Object& object) {
  switch (object.kind) {
  case Kind::index:
    emit_index_create(p, object);
    emit_replica_identity(p, object);
    break;
  case Kind::constraint:
    emit_constraint_create(p, object);
    emit_replica_identity(p, object);
    break;
  case Kind::default_privilege: emit_default_privileges(p, object, '+', object.built_in_grants, object.grants); return;
  case Kind::trigger:
    // The hectic bundle's event triggers make hectic_* triggers on CREATE TABLE themselves.
    p.emit(object, '+', object.name.rfind("hectic_", 0) == 0
                            ? fmt::format("DROP TRIGGER IF EXISTS {} ON {}; -- made by the hectic bundle's event "
                                          "trigger\n{}", object.name, object.table, object.create_sql)
                            : object.create_sql);
    break;
  default: p.emit(object, '+', object.create_sql);
  }
  emit_comment_and_grants(p, object);
}

void emit_drop(Planner& p, const Object& object) {
  if (!object.table.empty() && p.options.rename_before_drop && p.removed.count("table:" + object.table) &&
      object.kind != Kind::sequence_owner)
    return; // it stays with its table, renamed aside
  if (object.kind == Kind::type && p.recreated.count(object.key)) {
    // Rebuilt types are renamed aside, the columns converted, then the old one dropped (last).
    // A range's multirange and constructors go aside too: the new range makes them again.
    for (const auto& companion : object.companions) {
      auto space = companion.find(' ');
      auto name = companion.substr(space + 1);
      auto aside = dropped_name(companion[0] == 'F' ? routine_name(name) : name, "rebuild");
      p.emit(object, '~', fmt::format("ALTER {} RENAME TO {};", companion, split_qualified(aside).second));
    }
    p.emit(object, '~', fmt::format("ALTER {} {} RENAME TO {};", type_word(object), object.name,
                                    split_qualified(aside_name(object)).second));
    p.aside_drops.push_back(object.key);
    return;
  }
  if (rename_aside(p, object)) return;
  if (object.kind == Kind::default_privilege) {
    emit_default_privileges(p, object, '-', object.grants, object.built_in_grants);
    return;
  }
  // What hangs off a dropped table goes with it; a foreign key is dropped first all the same, as
  // the table it references may go before its own.
  bool part = object.kind == Kind::constraint || object.kind == Kind::index || object.kind == Kind::trigger ||
              object.kind == Kind::policy;
  if (part && p.removed.count("table:" + object.table) && object.definition.rfind("FOREIGN KEY", 0) != 0) return;
  // A table (or sequence) rebuilt because of what it depends on loses its rows all the same.
  bool holds_data = object.kind == Kind::table || object.kind == Kind::sequence;
  p.emit(object, '-', object.drop_sql,
         p.removed.count(object.key) || holds_data ? drop_hazards(p, object) : std::vector<std::string>{});
}

void emit_default_privileges(Planner& p, const Object& object, char action,
                             const std::map<std::string, std::string>& from, const std::map<std::string, std::string>& to) {
  auto scope = object.name.substr(0, object.name.find(" ON ")); // FOR ROLE r [IN SCHEMA s]
  for (auto& s : grant_changes(object.grant_target, from, to))
    p.emit(object, action, "ALTER DEFAULT PRIVILEGES " + scope + " " + s);
}

void emit_aside_drop(Planner& p, const Object& type) {
  auto [schema, name] = split_qualified(aside_name(type));
  p.emit(type, '-', fmt::format("DROP {} {}.{};", type_word(type), schema, name));
}

std::string rows_note(const Model& model, const std::string& table_key) {
  auto it = model.objects.find(table_key);
  if (it == model.objects.end() || !it->second.shape) return "new table";
  double rows = it->second.shape->estimated_rows;
  if (rows < 0) return "row count unknown, never analyzed";
  return fmt::format("about {} rows", static_cast<long long>(rows));
}

} // namespace hectic::schema::detail
