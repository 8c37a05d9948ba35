#pragma once
// EnvGuard: sets and unsets environment variables for one test, restoring them afterwards.
#include <cstdlib>
#include <map>
#include <optional>
#include <string>

namespace hectic::test {

// Each name gets its value (nullopt: unset) until the guard ends; then the old values return.
struct EnvGuard {
  explicit EnvGuard(std::map<std::string, std::optional<std::string>> values) {
    for (auto& [k, v] : values) {
      const char* old = std::getenv(k.c_str());
      m_old[k] = old ? std::optional<std::string>(old) : std::nullopt;
      if (v) ::setenv(k.c_str(), v->c_str(), 1);
      else ::unsetenv(k.c_str());
    }
  }
  ~EnvGuard() {
    for (auto& [k, v] : m_old) {
      if (v) ::setenv(k.c_str(), v->c_str(), 1);
      else ::unsetenv(k.c_str());
    }
  }
  EnvGuard(const EnvGuard&) = delete;
  EnvGuard& operator=(const EnvGuard&) = delete;
  std::map<std::string, std::optional<std::string>> m_old;
};

} // namespace hectic::test
