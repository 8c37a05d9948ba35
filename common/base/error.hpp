#pragma once
// Exit codes (README "Exit codes") and the one error type that carries its code.
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace hectic {

// The exit-code table shared by every binary.
enum class ExitCode : int {
  ok = 0,
  generic = 1,          // a SQL file failed, a server refused, a dump failed
  ambiguous = 2,        // ambiguous arguments or state; server could not start
  missing_argument = 3, // missing argument or environment variable (the message names it)
  migration_failed = 4, // a migration failed and was rolled back
  no_such_table = 5,    // a table given with --inherits or --tables does not exist
  unknown_argument = 9, // unknown argument or subcommand
  internal = 13,        // program bug or unexpected system state
  missing_program = 127,
  interrupted = 130,    // SIGINT/SIGTERM, after cleanup
};

// Base error: a lowercase message naming the offending value, optional hints, an exit code.
class Error : public std::runtime_error {
public:
  Error(ExitCode code, std::string message, std::vector<std::string> hints = {})
      : std::runtime_error(std::move(message)), m_code(code), m_hints(std::move(hints)) {}

  ExitCode code() const noexcept { return m_code; }
  const std::vector<std::string>& hints() const noexcept { return m_hints; }
  Error& with_hint(std::string hint) {
    m_hints.push_back(std::move(hint));
    return *this;
  }

private:
  ExitCode m_code;
  std::vector<std::string> m_hints;
};

// Throws Error(code, fmt::format(...)).
template <typename... Args>
[[noreturn]] void fail(ExitCode code, fmt::format_string<Args...> format, Args&&... args) {
  throw Error(code, fmt::format(format, std::forward<Args>(args)...));
}

// The integer a process exits with.
inline int exit_status(ExitCode code) { return static_cast<int>(code); }

} // namespace hectic
