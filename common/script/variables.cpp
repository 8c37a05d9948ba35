// psql variables in the native runner (psql's src/bin/psql/variables.c): the predefined ones,
// Boolean values, valid names, and the special variables whose \set the runner checks.
#include <algorithm>
#include <cctype>

#include "common/base/log.hpp"
#include "common/script/runner_detail.hpp"

namespace hectic::script::detail {

namespace {

const log::Logger k_log{"script"};

} // namespace

std::optional<bool> parse_bool(std::string_view value) {
  auto prefix_of = [&](std::string_view word, std::size_t min_len) {
    if (value.size() < min_len || value.size() > word.size()) return false;
    for (std::size_t i = 0; i < value.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(value[i])) != word[i]) return false;
    return true;
  };
  if (prefix_of("true", 1)) return true;
  if (prefix_of("false", 1)) return false;
  if (prefix_of("yes", 1)) return true;
  if (prefix_of("no", 1)) return false;
  if (prefix_of("on", 2)) return true;
  if (prefix_of("off", 2)) return false;
  if (value == "1") return true;
  if (value == "0") return false;
  return std::nullopt;
}

bool valid_variable_name(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return std::isalnum(u) || c == '_' || u >= 0x80;
  });
}

void Execution::predefine() {
  auto put = [&](const char* name, const char* value) {
    if (value) m_vars[name] = value;
  };
  put("DBNAME", PQdb(m_pg));
  put("USER", PQuser(m_pg));
  put("HOST", PQhost(m_pg));
  put("PORT", PQport(m_pg));
  put("ENCODING", PQparameterStatus(m_pg, "client_encoding"));
  put("SERVER_VERSION_NAME", PQparameterStatus(m_pg, "server_version"));
  m_vars["SERVER_VERSION_NUM"] = std::to_string(PQserverVersion(m_pg));
  m_vars["ON_ERROR_STOP"] = "1"; // as the psql backend passes it
}

void Execution::check_special(const Source& source, const LexItem& item, const std::string& name,
                              const std::string& value, const std::string& shown) {
  if (name == "AUTOCOMMIT") {
    auto on = parse_bool(value);
    if (!on || !*on)
      meta_error(source, item.offset, "\\set AUTOCOMMIT off is not supported by the native runner", shown, true);
  } else if (name == "ON_ERROR_STOP") {
    auto on = parse_bool(value.empty() ? "on" : value);
    if (on && !*on)
      k_log.warn("{}: \\set ON_ERROR_STOP {}: the native runner always stops at the first error",
                 where(source, item.offset), value);
  }
}

} // namespace hectic::script::detail
