// Script and JSON text of a diff.
#include "common/schema/render.hpp"

#include <fmt/format.h>

#include "common/base/text.hpp"

namespace hectic::schema {
namespace {

void append_statement(std::string& out, const Statement& s, Kind& section) {
  if (s.kind != section) {
    section = s.kind;
    out += fmt::format("\n-- ==== {} ====\n", kind_name(section));
  }
  for (const auto& hazard : s.hazards) out += "-- hazard: " + hazard + "\n";
  out += s.sql + "\n";
}

std::string commented(const std::string& sql) {
  std::string out;
  for (auto line : text::split_lines(sql)) out += "-- " + std::string(line) + "\n";
  return out;
}

} // namespace

std::string render_script(const std::vector<Statement>& statements, const DiffSides& sides) {
  std::string out = fmt::format("-- migrator diff\n-- from: {} (PostgreSQL {})\n-- to:   {} (PostgreSQL {})\n"
                                "-- generated {}\n-- {}\n",
                                sides.from, sides.from_version, sides.to, sides.to_version, text::utc_now_text(),
                                summary(statements));
  if (statements.empty()) return out;
  // Bodies may name objects created later in the script (PostgreSQL manual, check_function_bodies).
  bool before = false;
  for (const auto& s : statements) {
    if (!s.before_transaction) continue;
    if (!before) out += "\n-- ==== before the transaction (each commits on its own) ====\n";
    before = true;
    out += s.sql + "\n";
  }
  out += "SET check_function_bodies = off;\n";
  auto section = static_cast<Kind>(-1); // no section yet
  for (const auto& s : statements)
    if (s.transactional && !s.cleanup) append_statement(out, s, section);
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
  return out;
}

nlohmann::json render_json(const std::vector<Statement>& statements, const DiffSides& sides) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& s : statements)
    list.push_back({{"sql", s.sql}, {"kind", kind_name(s.kind)}, {"object", s.object},
                    {"action", std::string(1, s.action)}, {"hazards", s.hazards}, {"destructive", s.destructive},
                    {"transactional", s.transactional}, {"cleanup", s.cleanup}});
  return {{"format", "hectic-schema-diff"}, {"version", 1},
          {"from", {{"source", sides.from}, {"server_version", sides.from_version}, {"fingerprint", sides.from_fingerprint}}},
          {"to", {{"source", sides.to}, {"server_version", sides.to_version}, {"fingerprint", sides.to_fingerprint}}},
          {"summary", summary(statements)}, {"statements", list}};
}

} // namespace hectic::schema
