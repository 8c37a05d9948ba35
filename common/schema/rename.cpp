// Rename hints: each kind renames its object in the old model and rewrites what refers to it
// (keys, owning-table names, dependencies, column types).
#include "common/schema/rename.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/pg/quote.hpp"
#include "common/schema/ddl.hpp"
#include "common/schema/names.hpp"

namespace hectic::schema {
namespace {

const std::vector<std::string> k_kinds{"table", "column", "index", "constraint", "type", "enum-value"};

std::string qualified(const std::string& name) { return split_qualified(name).first.empty() ? "public." + name : name; }

Error bad_hint(const Rename& r, const std::string& why) {
  return Error(ExitCode::generic, fmt::format("--rename {}:{}={}: {}", r.kind, r.table.empty() ? r.from : r.table + "." + r.from,
                                              r.to, why));
}

// Moves object `from_key` to `to_key` and rewrites every reference to it.
void rekey(Model& model, const std::string& from_key, const std::string& to_key) {
  auto node = model.objects.extract(from_key);
  node.key() = to_key;
  node.mapped().key = to_key;
  model.objects.insert(std::move(node));
  for (auto& [key, object] : model.objects)
    if (object.depends_on.erase(from_key)) object.depends_on.insert(to_key);
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) text.replace(at, from.size(), to);
  return text;
}

// The drop statement of an object whose name or table was renamed in the model.
void refresh_drop_sql(Object& o) {
  if (o.kind == Kind::type)
    o.drop_sql = fmt::format("{} {};", o.drop_sql.rfind("DROP DOMAIN", 0) == 0 ? "DROP DOMAIN" : "DROP TYPE", o.name);
  else o.drop_sql = drop_statement(o);
}

void rename_table(Model& model, const std::string& old_name, const std::string& new_name) {
  rekey(model, "table:" + old_name, "table:" + new_name);
  model.objects.at("table:" + new_name).name = new_name;
  std::vector<std::pair<std::string, std::string>> moves;
  for (auto& [key, object] : model.objects) {
    std::set<std::string> columns;
    for (const auto& c : object.depends_on_columns)
      columns.insert(c.rfind("table:" + old_name + "\n", 0) == 0 ? "table:" + new_name + c.substr(6 + old_name.size()) : c);
    object.depends_on_columns = columns;
    // PostgreSQL follows the rename in indexes and foreign keys; so does their compared text.
    object.definition = replace_all(replace_all(object.definition, " ON " + old_name + " ", " ON " + new_name + " "),
                                    "REFERENCES " + old_name + "(", "REFERENCES " + new_name + "(");
    if (object.table != old_name) continue;
    object.table = new_name;
    auto kind = key.substr(0, key.find(':'));
    if (kind == "constraint" || kind == "trigger" || kind == "policy")
      moves.emplace_back(key, fmt::format("{}:{}.{}", kind, new_name, object.name));
  }
  for (const auto& [from, to] : moves) rekey(model, from, to);
}

void rename_column(Model& model, const std::string& table, const std::string& old_name, const std::string& new_name) {
  auto& shape = *model.objects.at("table:" + table).shape;
  for (auto& column : shape.columns)
    if (column.name == old_name) column.name = new_name;
  for (auto& [key, object] : model.objects)
    if (object.depends_on_columns.erase("table:" + table + "\n" + old_name))
      object.depends_on_columns.insert("table:" + table + "\n" + new_name);
}

void rename_type(Model& model, const std::string& old_name, const std::string& new_name) {
  rekey(model, "type:" + old_name, "type:" + new_name);
  model.objects.at("type:" + new_name).name = new_name;
  for (auto& [key, object] : model.objects)
    if (object.shape)
      for (auto& column : object.shape->columns)
        if (column.type == old_name || column.type == old_name + "[]") column.type = new_name + column.type.substr(old_name.size());
}

void rename_enum_value(Object& type, const std::string& old_label, const std::string& new_label) {
  std::replace(type.enum_labels.begin(), type.enum_labels.end(), old_label, new_label);
  std::vector<std::string> quoted;
  for (const auto& label : type.enum_labels) quoted.push_back(pq::quote_literal(label));
  type.definition = fmt::format("AS ENUM ({})", fmt::join(quoted, ", "));
}

Statement rename_statement(Kind kind, const std::string& key, std::string sql) {
  Statement s;
  s.kind = kind;
  s.object = key;
  s.sql = std::move(sql);
  return s;
}

void require(bool ok, const Rename& r, const std::string& why) {
  if (!ok) throw bad_hint(r, why);
}

Statement apply_one(Model& from, const Model& to, const Rename& r) {
  auto base = split_qualified(r.to).second;
  if (r.kind == "table" || r.kind == "index" || r.kind == "type") {
    auto old_name = qualified(r.from);
    auto new_name = split_qualified(old_name).first + "." + base;
    auto prefix = r.kind + ":";
    require(from.objects.count(prefix + old_name) > 0, r, fmt::format("{} {} is not on the old side", r.kind, old_name));
    require(to.objects.count(prefix + new_name) > 0 && !from.objects.count(prefix + new_name), r,
            fmt::format("{} {} must be on the new side only", r.kind, new_name));
    auto kind = from.objects.at(prefix + old_name).kind;
    if (r.kind == "table") rename_table(from, old_name, new_name);
    else if (r.kind == "type") rename_type(from, old_name, new_name);
    else {
      rekey(from, prefix + old_name, prefix + new_name);
      from.objects.at(prefix + new_name).name = new_name;
    }
    auto word = r.kind == "table" ? "TABLE" : r.kind == "index" ? "INDEX" : "TYPE";
    return rename_statement(kind, prefix + new_name, fmt::format("ALTER {} {} RENAME TO {};", word, old_name, base));
  }
  auto table = qualified(r.table);
  if (r.kind == "column") {
    require(from.objects.count("table:" + table) > 0, r, "table " + table + " is not on the old side");
    rename_column(from, table, r.from, base);
    return rename_statement(Kind::table, "column:" + table + "." + base,
                            fmt::format("ALTER TABLE {} RENAME COLUMN {} TO {};", table, r.from, base));
  }
  if (r.kind == "constraint") {
    auto old_key = fmt::format("constraint:{}.{}", table, r.from);
    require(from.objects.count(old_key) > 0, r, "constraint " + r.from + " is not on the old side");
    auto new_key = fmt::format("constraint:{}.{}", table, base);
    rekey(from, old_key, new_key);
    from.objects.at(new_key).name = base;
    return rename_statement(Kind::constraint, new_key,
                            fmt::format("ALTER TABLE {} RENAME CONSTRAINT {} TO {};", table, r.from, base));
  }
  auto type_key = "type:" + table; // enum-value: the "table" part is the type
  require(from.objects.count(type_key) > 0, r, "type " + table + " is not on the old side");
  rename_enum_value(from.objects.at(type_key), r.from, r.to);
  return rename_statement(Kind::type, type_key, fmt::format("ALTER TYPE {} RENAME VALUE {} TO {};", table,
                                                            pq::quote_literal(r.from), pq::quote_literal(r.to)));
}

bool has_column(const Model& model, const std::string& table, const std::string& column) {
  auto it = model.objects.find("table:" + table);
  if (it == model.objects.end() || !it->second.shape) return false;
  const auto& columns = it->second.shape->columns;
  return std::any_of(columns.begin(), columns.end(), [&](const Column& c) { return c.name == column; });
}

bool has_label(const Model& model, const std::string& type, const std::string& label) {
  auto it = model.objects.find("type:" + type);
  if (it == model.objects.end()) return false;
  const auto& labels = it->second.enum_labels;
  return std::find(labels.begin(), labels.end(), label) != labels.end();
}

// A source comment's hint applies while OLD is only on the old side and NEW only on the new
// one; once applied, the comment stays in the file and the hint no longer holds.
bool holds(const Model& from, const Model& to, const Rename& r) {
  auto base = split_qualified(r.to).second;
  if (r.kind == "table" || r.kind == "index" || r.kind == "type") {
    auto old_key = r.kind + ":" + qualified(r.from);
    auto new_key = r.kind + ":" + split_qualified(qualified(r.from)).first + "." + base;
    return from.objects.count(old_key) && !to.objects.count(old_key) && to.objects.count(new_key) &&
           !from.objects.count(new_key);
  }
  auto table = qualified(r.table);
  if (r.kind == "column")
    return has_column(from, table, r.from) && !has_column(from, table, base) && has_column(to, table, base) &&
           !has_column(to, table, r.from);
  if (r.kind == "constraint") {
    auto key = [&](const std::string& name) { return fmt::format("constraint:{}.{}", table, name); };
    return from.objects.count(key(r.from)) && !from.objects.count(key(base)) && to.objects.count(key(base)) &&
           !to.objects.count(key(r.from));
  }
  return has_label(from, table, r.from) && !has_label(from, table, r.to) && has_label(to, table, r.to) &&
         !has_label(to, table, r.from);
}

} // namespace

Rename parse_rename(const std::string& hint) {
  auto colon = hint.find(':');
  auto equals = hint.find('=', colon == std::string::npos ? 0 : colon);
  if (colon == std::string::npos || equals == std::string::npos || equals == colon + 1 || equals + 1 == hint.size())
    throw Error(ExitCode::unknown_argument, fmt::format("--rename {}: expected KIND:OLD=NEW", hint),
                {"e.g. --rename table:public.users=people --rename column:public.people.email=mail"});
  Rename r;
  r.kind = hint.substr(0, colon);
  if (std::find(k_kinds.begin(), k_kinds.end(), r.kind) == k_kinds.end())
    throw Error(ExitCode::unknown_argument, fmt::format("--rename {}: unknown kind {} (one of {})", hint, r.kind,
                                                        fmt::join(k_kinds, ", ")));
  auto old_name = hint.substr(colon + 1, equals - colon - 1);
  r.to = hint.substr(equals + 1);
  if (r.kind == "column" || r.kind == "constraint" || r.kind == "enum-value") {
    // "public.users.email": the last part is the column, the rest the table (or type).
    auto last_dot = old_name.rfind('.');
    if (last_dot == std::string::npos)
      throw Error(ExitCode::unknown_argument, fmt::format("--rename {}: name the table (or type) too", hint));
    r.table = old_name.substr(0, last_dot);
    r.from = old_name.substr(last_dot + 1);
  } else {
    r.from = old_name;
  }
  return r;
}

std::vector<Statement> apply_renames(Model& from, const Model& to, const std::vector<Rename>& renames) {
  std::vector<Statement> statements;
  for (const auto& r : renames)
    if (!r.from_source || holds(from, to, r)) statements.push_back(apply_one(from, to, r));
  for (auto& [key, object] : from.objects) refresh_drop_sql(object);
  return statements;
}

} // namespace hectic::schema
