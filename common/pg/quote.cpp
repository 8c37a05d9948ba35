#include "common/pg/quote.hpp"

namespace hectic::pq {

std::string quote_literal(std::string_view value) {
  // PQescapeLiteral: a leading " E" when the value holds a backslash, quotes and backslashes
  // doubled.
  bool backslash = value.find('\\') != std::string_view::npos;
  std::string out;
  out.reserve(value.size() + 4);
  if (backslash) out += " E";
  out += '\'';
  for (char c : value) {
    if (c == '\'' || c == '\\') out += c;
    out += c;
  }
  out += '\'';
  return out;
}

std::string quote_identifier(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += c;
    out += c;
  }
  out += '"';
  return out;
}

} // namespace hectic::pq
