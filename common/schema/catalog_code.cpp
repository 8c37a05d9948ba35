// The catalog reader's views, materialized views, routines and event triggers.
#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/schema/catalog_reader.hpp"
#include "common/schema/catalog_sql.hpp"

namespace hectic::schema::detail {
namespace {

std::string without_final_semicolon(std::string text) {
  while (!text.empty() && (text.back() == ';' || text.back() == ' ' || text.back() == '\n')) text.pop_back();
  return text;
}

void read_view_rows(Reader& reader) {
  auto r = reader.query(sql::views);
  for (int i = 0; i < r.rows(); ++i) {
    Object o;
    o.kind = Kind::view;
    o.name = r.get(i, 1);
    o.key = "view:" + o.name;
    o.materialized = r.get(i, 2) == "m";
    const char* word = o.materialized ? "MATERIALIZED VIEW" : "VIEW";
    auto options = r.get(i, 4);
    o.definition = without_final_semicolon(r.get(i, 3));
    o.create_sql = fmt::format("CREATE {} {}{} AS\n{};", word, o.name, options.empty() ? "" : " WITH (" + options + ")",
                               o.definition);
    o.definition = o.create_sql;
    o.drop_sql = fmt::format("DROP {} {};", word, o.name);
    o.comment_target = fmt::format("{} {}", word, o.name);
    o.comment = r.get_optional(i, 5);
    o.grant_target = "TABLE " + o.name;
    auto key = o.key;
    reader.set_grants(reader.add(std::move(o), "pg_class", r.get(i, 0)), r, i, 6);
    if (!r.is_null(i, 7)) reader.keys[{"pg_rewrite", r.get(i, 7)}] = key;
    reader.keys[{"pg_type", r.get(i, 8)}] = key;
    reader.by_plain_name[r.get(i, 9)].insert(key);
  }
}

const char* routine_word(char prokind) {
  switch (prokind) {
  case 'p': return "PROCEDURE";
  case 'a': return "AGGREGATE";
  default: return "FUNCTION";
  }
}

Object routine_object(const pq::Result& r, int i) {
  Object o;
  o.kind = Kind::function;
  o.routine_kind = r.get(i, 3)[0];
  o.name = fmt::format("{}({})", r.get(i, 1), r.get(i, 2));
  o.key = "function:" + o.name;
  const char* word = routine_word(o.routine_kind);
  if (o.routine_kind == 'a') {
    if (r.is_null(i, 10))
      throw Error(ExitCode::generic,
                  fmt::format("aggregate {} is an ordered-set or hypothetical-set aggregate, which migrator diff does "
                              "not handle yet", o.name));
    o.create_sql = fmt::format("CREATE AGGREGATE {}({}) ({});", r.get(i, 1),
                               r.get(i, 2).empty() ? "*" : r.get(i, 2), r.get(i, 10));
  } else {
    o.create_sql = without_final_semicolon(r.get(i, 4)) + ";";
  }
  o.definition = o.create_sql;
  o.result_type = r.get(i, 5);
  o.arguments = r.get(i, 6);
  o.drop_sql = fmt::format("DROP {} {};", word, o.name);
  o.comment_target = fmt::format("{} {}", word, o.name);
  o.comment = r.get_optional(i, 7);
  o.grant_target = fmt::format("{} {}", o.routine_kind == 'p' ? "PROCEDURE" : "FUNCTION", o.name);
  return o;
}

void read_functions(Reader& reader) {
  auto r = reader.query(sql::functions);
  for (int i = 0; i < r.rows(); ++i) {
    auto object = routine_object(r, i);
    if (r.get(i, 9) == "plpgsql") reader.plpgsql_bodies[object.key] = object.create_sql;
    reader.by_plain_name[r.get(i, 11)].insert(object.key);
    reader.set_grants(reader.add(std::move(object), "pg_proc", r.get(i, 0)), r, i, 8);
  }
}

void read_event_triggers(Reader& reader) {
  auto r = reader.query(sql::event_triggers);
  for (int i = 0; i < r.rows(); ++i) {
    Object o;
    o.kind = Kind::event_trigger;
    o.name = r.get(i, 1);
    o.key = "event_trigger:" + o.name;
    o.create_sql = fmt::format("CREATE EVENT TRIGGER {} ON {}{} EXECUTE FUNCTION {}();", o.name, r.get(i, 2),
                               r.is_null(i, 4) ? "" : " WHEN TAG IN (" + r.get(i, 4) + ")", r.get(i, 3));
    if (r.get(i, 5) == "D") o.create_sql += fmt::format("\nALTER EVENT TRIGGER {} DISABLE;", o.name);
    o.definition = o.create_sql;
    o.drop_sql = fmt::format("DROP EVENT TRIGGER {};", o.name);
    o.comment_target = "EVENT TRIGGER " + o.name;
    o.comment = r.get_optional(i, 6);
    reader.add(std::move(o), "pg_event_trigger", r.get(i, 0));
  }
}

} // namespace

void read_views(Reader& reader) { read_view_rows(reader); }

void read_routines(Reader& reader) {
  read_functions(reader);
  read_event_triggers(reader);
}

} // namespace hectic::schema::detail
