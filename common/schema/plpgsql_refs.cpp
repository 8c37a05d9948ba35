// libpg_query gives a PL/pgSQL function as JSON whose expressions are SQL text ("query"); each
// is parsed again and its RangeVar and FuncCall nodes collected.
#include "common/schema/plpgsql_refs.hpp"

#include <memory>

#include <nlohmann/json.hpp>

#include "common/schema/pg_query_parse.hpp"

namespace hectic::schema {
namespace {

using json = nlohmann::json;

using detail::PlpgsqlParse;
using detail::SqlParse;

void collect_queries(const json& node, std::vector<std::string>& queries) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "query" && value.is_string()) queries.push_back(value.get<std::string>());
      else collect_queries(value, queries);
    }
  } else if (node.is_array()) {
    for (const auto& item : node) collect_queries(item, queries);
  }
}

std::string dotted(const json& names) {
  std::string out;
  for (const auto& part : names) {
    if (!part.contains("String")) continue;
    out += (out.empty() ? "" : ".") + part["String"]["sval"].get<std::string>();
  }
  return out;
}

void collect_names(const json& node, std::vector<std::string>& names) {
  if (node.is_object()) {
    if (node.contains("RangeVar")) {
      const auto& rv = node["RangeVar"];
      names.push_back((rv.contains("schemaname") ? rv["schemaname"].get<std::string>() + "." : "") +
                      rv.value("relname", ""));
    }
    if (node.contains("FuncCall")) names.push_back(dotted(node["FuncCall"]["funcname"]));
    for (const auto& [_, value] : node.items()) collect_names(value, names);
  } else if (node.is_array()) {
    for (const auto& item : node) collect_names(item, names);
  }
}

// An expression ("a + 1", "(SELECT ...)") parses as a SELECT of it; an assignment "x := e" as e.
void names_of_query(std::string query, std::vector<std::string>& names) {
  auto assign = query.find(":=");
  if (assign != std::string::npos) query = query.substr(assign + 2);
  for (const auto& candidate : {query, "SELECT " + query}) {
    SqlParse parse(candidate);
    if (parse.result.error) continue;
    collect_names(json::parse(parse.result.parse_tree), names);
    return;
  }
}

} // namespace

std::vector<std::string> plpgsql_references(const std::string& create_function) {
  PlpgsqlParse parse(create_function);
  if (parse.result.error || !parse.result.plpgsql_funcs) return {};
  std::vector<std::string> queries;
  collect_queries(json::parse(parse.result.plpgsql_funcs), queries);
  std::vector<std::string> names;
  for (const auto& query : queries) names_of_query(query, names);
  return names;
}

} // namespace hectic::schema
