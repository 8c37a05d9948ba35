// Script and JSON text of a diff.
#include "common/schema/render.hpp"

#include <type_traits>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/text.hpp"

namespace hectic::schema {
namespace {

// The section a statement prints under in a layout.
std::string section_of(const Statement& s, Layout layout) {
  if (layout == Layout::kinds) return kind_name(s.kind);
  if (s.object.rfind("column:", 0) == 0) return "COLUMN OPERATIONS";
  switch (s.kind) {
  case Kind::function: return "FUNCTION OPERATIONS";
  case Kind::constraint: return "CONSTRAINT OPERATIONS";
  case Kind::index: return "INDEX OPERATIONS";
  case Kind::trigger:
  case Kind::event_trigger: return "TRIGGER OPERATIONS";
  case Kind::schema:
  case Kind::extension:
  case Kind::type: return "SCHEMA OPERATIONS";
  default: return "TABLE OPERATIONS";
  }
}

void append_statement(std::string& out, const Statement& s, Layout layout, std::string& section) {
  if (auto current = section_of(s, layout); current != section) {
    section = current;
    out += fmt::format("\n-- ==== {} ====\n", section);
  }
  for (const auto& hazard : s.hazards) out += "-- hazard: " + hazard + "\n";
  out += s.sql + "\n";
}

std::string header(const std::vector<Statement>& statements, const DiffSides& sides, Layout layout) {
  if (layout == Layout::kinds)
    return fmt::format("-- migrator diff\n-- from: {} (PostgreSQL {})\n-- to:   {} (PostgreSQL {})\n"
                       "-- generated {}\n-- {}\n",
                       sides.from, sides.from_version, sides.to, sides.to_version, text::utc_now_text(),
                       summary(statements));
  const std::string rule(72, '=');
  return fmt::format("-- {}\n-- SCHEMA SYNC SCRIPT\n-- source: {} (PostgreSQL {})\n-- target: {} (PostgreSQL {})\n"
                     "-- generated: {}\n-- {}\n-- {}\n",
                     rule, sides.to, sides.to_version, sides.from, sides.from_version, text::utc_now_text(),
                     summary(statements), rule);
}

std::string footer(const std::vector<Statement>& statements, Layout layout) {
  if (layout == Layout::kinds) return "";
  std::size_t count = 0;
  for (const auto& s : statements) count += !s.cleanup;
  const std::string rule(72, '=');
  return fmt::format("\n-- {}\n-- END OF SYNC SCRIPT: {} statement{}\n-- {}\n", rule, count, count == 1 ? "" : "s", rule);
}

std::string commented(const std::string& sql) {
  std::string out;
  for (auto line : text::split_lines(sql)) out += "-- " + std::string(line) + "\n";
  return out;
}

template <typename T>
T field(const nlohmann::json& entry, const char* key, const std::string& path) {
  auto it = entry.find(key);
  bool typed = it != entry.end() && (std::is_same_v<T, bool> ? it->is_boolean() : it->is_string());
  if (!typed) throw not_a_plan(path + "." + key);
  return it->get<T>();
}

Statement statement_from_json(const nlohmann::json& entry, const std::string& path) {
  if (!entry.is_object()) throw not_a_plan(path);
  Statement s;
  s.sql = field<std::string>(entry, "sql", path);
  auto kind = kind_from_name(field<std::string>(entry, "kind", path));
  if (!kind) throw not_a_plan(path + ".kind");
  s.kind = *kind;
  s.object = field<std::string>(entry, "object", path);
  auto action = field<std::string>(entry, "action", path);
  if (action.size() != 1 || std::string_view("+~-").find(action[0]) == std::string_view::npos)
    throw not_a_plan(path + ".action");
  s.action = action[0];
  if (!entry.contains("hazards") || !entry["hazards"].is_array()) throw not_a_plan(path + ".hazards");
  for (const auto& hazard : entry["hazards"]) {
    if (!hazard.is_string()) throw not_a_plan(path + ".hazards");
    s.hazards.push_back(hazard.get<std::string>());
  }
  s.destructive = field<bool>(entry, "destructive", path);
  s.transactional = field<bool>(entry, "transactional", path);
  s.before_transaction = field<bool>(entry, "before_transaction", path);
  s.cleanup = field<bool>(entry, "cleanup", path);
  return s;
}

} // namespace

Error not_a_plan(const std::string& field) {
  return Error(ExitCode::generic, fmt::format("not a schema plan: {}", field),
               {"create one with `migrator plan --file FILE --output-json plan.json`"});
}

std::vector<Statement> statements_from_json(const nlohmann::json& list) {
  if (!list.is_array()) throw not_a_plan("statements");
  std::vector<Statement> statements;
  for (std::size_t i = 0; i < list.size(); ++i)
    statements.push_back(statement_from_json(list[i], fmt::format("statements[{}]", i)));
  return statements;
}

std::string render_script(const std::vector<Statement>& statements, const DiffSides& sides, Layout layout) {
  std::string out = header(statements, sides, layout);
  for (const auto& note : sides.notes) out += "-- note: " + note + " (not changed)\n";
  if (statements.empty()) return out + footer(statements, layout);
  // Bodies may name objects created later in the script (PostgreSQL manual, check_function_bodies).
  bool before = false;
  for (const auto& s : statements) {
    if (!s.before_transaction) continue;
    if (!before) out += "\n-- ==== before the transaction (each commits on its own) ====\n";
    before = true;
    out += s.sql + "\n";
  }
  out += "SET check_function_bodies = off;\n";
  std::string section; // none yet
  for (const auto& s : statements)
    if (s.transactional && !s.cleanup) append_statement(out, s, layout, section);
  bool outside = false;
  for (const auto& s : statements) {
    if (s.transactional || s.cleanup || s.before_transaction) continue;
    if (!outside) out += "\n-- ==== outside the transaction: run these after it commits, in order ====\n";
    outside = true;
    for (const auto& hazard : s.hazards) out += "-- hazard: " + hazard + "\n";
    out += s.sql + "\n";
  }
  bool cleanup = false;
  for (const auto& s : statements) {
    if (!s.cleanup) continue;
    if (!cleanup) out += "\n-- ==== cleanup (--rename-before-drop): once the renamed data is not needed ====\n";
    cleanup = true;
    out += commented(s.sql);
  }
  return out + footer(statements, layout);
}

nlohmann::json render_json(const std::vector<Statement>& statements, const DiffSides& sides) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& s : statements)
    list.push_back({{"sql", s.sql}, {"kind", kind_name(s.kind)}, {"object", s.object},
                    {"action", std::string(1, s.action)}, {"hazards", s.hazards}, {"destructive", s.destructive},
                    {"transactional", s.transactional}, {"before_transaction", s.before_transaction},
                    {"cleanup", s.cleanup}});
  return {{"format", "hectic-schema-diff"}, {"version", 1},
          {"from", {{"source", sides.from}, {"server_version", sides.from_version}, {"fingerprint", sides.from_fingerprint}}},
          {"to", {{"source", sides.to}, {"server_version", sides.to_version}, {"fingerprint", sides.to_fingerprint}}},
          {"summary", summary(statements)}, {"notes", sides.notes}, {"statements", list}};
}

} // namespace hectic::schema
