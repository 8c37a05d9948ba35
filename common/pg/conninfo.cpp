#include "common/pg/conninfo.hpp"

#include <libpq-fe.h>

#include <cctype>
#include <memory>
#include <regex>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/text.hpp"

namespace hectic::pq {

std::map<std::string, std::string> parse_conninfo(std::string_view conninfo) {
  char* error = nullptr;
  std::string text(conninfo);
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(text.c_str(), &error), &PQconninfoFree);
  if (options == nullptr) {
    std::unique_ptr<char, decltype(&PQfreemem)> owned_error(error, &PQfreemem);
    std::string message = error != nullptr ? std::string(text::trim(error)) : "out of memory";
    throw Error(ExitCode::generic,
                fmt::format("invalid connection string '{}': {}", redact(conninfo), message));
  }
  std::map<std::string, std::string> keywords;
  for (PQconninfoOption* option = options.get(); option->keyword != nullptr; ++option)
    if (option->val != nullptr) keywords[option->keyword] = option->val;
  return keywords;
}

std::string url_escape(std::string_view text) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string escaped;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      escaped += static_cast<char>(c);
    } else {
      escaped += '%';
      escaped += k_hex[c >> 4];
      escaped += k_hex[c & 15];
    }
  }
  return escaped;
}

std::string socket_url(std::string_view user, std::string_view database, std::string_view socket_dir,
                       int port) {
  // '/' is legal in a query value but not in userinfo or the path segment.
  auto strict = [](std::string_view s) {
    std::string e = url_escape(s);
    std::string out;
    for (char c : e) out += c == '/' ? std::string("%2F") : std::string(1, c);
    return out;
  };
  return fmt::format("postgresql://{}@/{}?host={}&port={}", strict(user), strict(database),
                     url_escape(socket_dir), port);
}

std::string build_conninfo(const std::map<std::string, std::string>& keywords) {
  std::string text;
  for (const auto& [key, value] : keywords) {
    if (!text.empty()) text += ' ';
    text += key;
    text += "='";
    for (char c : value) {
      if (c == '\'' || c == '\\') text += '\\';
      text += c;
    }
    text += '\'';
  }
  return text;
}

std::string conninfo_for_child(std::string_view conninfo, std::map<std::string, std::string>& child_env) {
  auto keywords = parse_conninfo(conninfo);
  auto password = keywords.find("password");
  if (password == keywords.end()) return std::string(conninfo);
  child_env["PGPASSWORD"] = password->second;
  keywords.erase(password);
  return build_conninfo(keywords);
}

std::string redact(std::string_view conninfo) {
  std::string text(conninfo);
  // URL userinfo: scheme://user:secret@host -> scheme://user:***@host
  static const std::regex k_userinfo(R"(^(postgres(?:ql)?://[^:@/?#]*):[^@/?#]*@)");
  text = std::regex_replace(text, k_userinfo, "$1:***@");
  // URL query parameter: ?password=secret or &password=secret
  static const std::regex k_query(R"(([?&]password=)[^&#]*)", std::regex::icase);
  text = std::regex_replace(text, k_query, "$1***");
  // key=value form: password=secret / password = 'se cret'
  static const std::regex k_keyword(R"((^|\s)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+))",
                                    std::regex::icase);
  text = std::regex_replace(text, k_keyword, "$1$2***");
  return text;
}

} // namespace hectic::pq
