// Splitting and building quoted SQL names.
#include "common/schema/names.hpp"

#include "common/pg/quote.hpp"

namespace hectic::schema {

std::pair<std::string, std::string> split_qualified(const std::string& name) {
  bool quoted = false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '"') quoted = !quoted;
    else if (name[i] == '.' && !quoted) return {name.substr(0, i), name.substr(i + 1)};
    else if (name[i] == '(' && !quoted) break;
  }
  return {"", name};
}

std::string unquote(const std::string& identifier) {
  if (identifier.size() < 2 || identifier.front() != '"') return identifier;
  std::string out;
  for (size_t i = 1; i + 1 < identifier.size(); ++i) {
    out += identifier[i];
    if (identifier[i] == '"') ++i; // "" inside quotes is one "
  }
  return out;
}

std::string routine_name(const std::string& signature) {
  bool quoted = false;
  for (size_t i = 0; i < signature.size(); ++i) {
    if (signature[i] == '"') quoted = !quoted;
    else if (signature[i] == '(' && !quoted) return signature.substr(0, i);
  }
  return signature;
}

std::string routine_arguments(const std::string& signature) { return signature.substr(routine_name(signature).size()); }

std::string dropped_name(const std::string& qualified_or_plain, const std::string& stamp) {
  auto plain = unquote(split_qualified(qualified_or_plain).second);
  std::string suffix = "_dropped_" + stamp;
  if (stamp == "rebuild") suffix = "_rebuild";
  if (plain.size() + suffix.size() > 63) plain.resize(63 - suffix.size());
  auto aside = pq::quote_identifier(plain + suffix);
  auto schema = split_qualified(qualified_or_plain).first;
  return schema.empty() ? aside : schema + "." + aside;
}

} // namespace hectic::schema
