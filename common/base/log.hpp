#pragma once
// Logging on stderr with HECTIC_LOG level specs ("info", "notice;db deploy=debug;migrator=trace").
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace hectic::log {

enum class Level { trace, debug, info, notice, warn, error };

// Parses "trace".."error"; nullopt for anything else.
std::optional<Level> parse_level(std::string_view word);
std::string_view level_name(Level level);

// A default level plus per-namespace levels; a namespace also covers its sub-namespaces
// ("db" covers "db deploy"); the longest match wins.
struct LevelSpec {
  Level default_level = Level::info;
  std::vector<std::pair<std::string, Level>> namespaces;

  // Throws Error(missing_argument) naming the bad token.
  static LevelSpec parse(std::string_view spec);
  Level level_for(std::string_view ns) const;
};

// Process-wide setup: program name (for "<tool>: error:" lines), level spec, colour decision
// (stderr is a TTY and NO_COLOR unset). Reads HECTIC_LOG; throws on an invalid spec unless
// lenient (postgres-cleanup), where it warns and keeps the default.
void init(std::string program, bool lenient = false);
void set_spec(LevelSpec spec);
const std::string& program();

bool enabled(std::string_view ns, Level level);
void write(std::string_view ns, Level level, std::string_view message);

// Final error report of a binary: "<program>: error: <message>" then "hint: <hint>" lines.
void report_error(std::string_view message, const std::vector<std::string>& hints = {});

// A namespaced logger: Logger log{"db deploy"}; log.info("created {}", name);
class Logger {
public:
  explicit Logger(std::string ns) : m_ns(std::move(ns)) {}
  const std::string& ns() const { return m_ns; }
  bool enabled(Level level) const { return log::enabled(m_ns, level); }

  template <typename... Args> void trace(fmt::format_string<Args...> f, Args&&... a) const { emit(Level::trace, f, std::forward<Args>(a)...); }
  template <typename... Args> void debug(fmt::format_string<Args...> f, Args&&... a) const { emit(Level::debug, f, std::forward<Args>(a)...); }
  template <typename... Args> void info(fmt::format_string<Args...> f, Args&&... a) const { emit(Level::info, f, std::forward<Args>(a)...); }
  template <typename... Args> void notice(fmt::format_string<Args...> f, Args&&... a) const { emit(Level::notice, f, std::forward<Args>(a)...); }
  template <typename... Args> void warn(fmt::format_string<Args...> f, Args&&... a) const { emit(Level::warn, f, std::forward<Args>(a)...); }
  template <typename... Args> void error(fmt::format_string<Args...> f, Args&&... a) const { emit(Level::error, f, std::forward<Args>(a)...); }

private:
  template <typename... Args>
  void emit(Level level, fmt::format_string<Args...> f, Args&&... a) const {
    if (enabled(level)) write(m_ns, level, fmt::format(f, std::forward<Args>(a)...));
  }
  std::string m_ns;
};

} // namespace hectic::log
