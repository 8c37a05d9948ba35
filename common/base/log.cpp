#include "common/base/log.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "common/base/error.hpp"
#include "common/base/output.hpp"
#include "common/base/text.hpp"

namespace hectic::log {
namespace {

struct State {
  std::mutex mutex;
  std::string program = "hectic";
  LevelSpec spec;
  bool colour = false;
};

State& state() {
  static State s;
  return s;
}

// "db" covers "db deploy" and "db" itself, not "dbx".
bool covers(std::string_view prefix, std::string_view ns) {
  if (ns.substr(0, prefix.size()) != prefix) return false;
  return ns.size() == prefix.size() || ns[prefix.size()] == ' ' || ns[prefix.size()] == ':';
}

const char* colour_of(Level level) {
  switch (level) {
  case Level::trace: return "\x1b[2m";
  case Level::debug: return "\x1b[36m";
  case Level::info: return "";
  case Level::notice: return "\x1b[1m";
  case Level::warn: return "\x1b[33m";
  case Level::error: return "\x1b[31m";
  }
  return "";
}

} // namespace

std::optional<Level> parse_level(std::string_view word) {
  static constexpr std::pair<std::string_view, Level> k_levels[] = {
      {"trace", Level::trace}, {"debug", Level::debug}, {"info", Level::info},
      {"notice", Level::notice}, {"warn", Level::warn},   {"warning", Level::warn},
      {"error", Level::error}};
  for (auto [name, level] : k_levels)
    if (name == word) return level;
  return std::nullopt;
}

std::string_view level_name(Level level) {
  switch (level) {
  case Level::trace: return "trace";
  case Level::debug: return "debug";
  case Level::info: return "info";
  case Level::notice: return "notice";
  case Level::warn: return "warn";
  case Level::error: return "error";
  }
  return "?";
}

LevelSpec LevelSpec::parse(std::string_view text) {
  LevelSpec spec;
  bool have_default = false;
  while (!text.empty()) {
    auto end = text.find_first_of(";,");
    std::string_view token = text::trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (token.empty()) continue;
    auto eq = token.find('=');
    if (eq == std::string_view::npos) {
      auto level = parse_level(token);
      if (!level || have_default)
        throw Error(ExitCode::missing_argument,
                    fmt::format("invalid HECTIC_LOG token '{}'", token),
                    {"use a level (trace, debug, info, notice, warn, error) or NAMESPACE=LEVEL, "
                     "separated by ';', e.g. HECTIC_LOG='notice;db deploy=debug'"});
      spec.default_level = *level;
      have_default = true;
      continue;
    }
    std::string_view ns = text::trim(token.substr(0, eq));
    auto level = parse_level(text::trim(token.substr(eq + 1)));
    if (ns.empty() || !level)
      throw Error(ExitCode::missing_argument,
                  fmt::format("invalid HECTIC_LOG token '{}'", token),
                  {"use NAMESPACE=LEVEL with a level among trace, debug, info, notice, warn, error"});
    spec.namespaces.emplace_back(std::string(ns), *level);
  }
  return spec;
}

Level LevelSpec::level_for(std::string_view ns) const {
  Level best = default_level;
  size_t best_len = 0;
  for (const auto& [prefix, level] : namespaces) {
    if (prefix.size() >= best_len && covers(prefix, ns)) {
      best = level;
      best_len = prefix.size();
    }
  }
  return best;
}

void init(std::string program, bool lenient) {
  auto& s = state();
  {
    std::lock_guard lock(s.mutex);
    s.program = std::move(program);
    const char* no_colour = std::getenv("NO_COLOR");
    s.colour = isatty(STDERR_FILENO) == 1 && (no_colour == nullptr || *no_colour == '\0');
  }
  const char* spec = std::getenv("HECTIC_LOG");
  if (spec == nullptr || *spec == '\0') return;
  try {
    set_spec(LevelSpec::parse(spec));
  } catch (const Error& e) {
    if (!lenient) throw;
    write(state().program, Level::warn, fmt::format("{}; using the default level info", e.what()));
  }
}

void set_spec(LevelSpec spec) {
  std::lock_guard lock(state().mutex);
  state().spec = std::move(spec);
}

const std::string& program() { return state().program; }

bool enabled(std::string_view ns, Level level) {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  return level >= s.spec.level_for(ns);
}

void write(std::string_view ns, Level level, std::string_view message) {
  auto& s = state();
  std::string line;
  bool colour;
  {
    std::lock_guard lock(s.mutex);
    colour = s.colour;
  }
  // "db deploy> warn: text"; info lines carry no level word, like the shell tools'.
  std::string_view word = level == Level::info ? std::string_view{} : level_name(level);
  if (colour && *colour_of(level) != '\0')
    line = fmt::format("{}{}>{}{}{} {}\x1b[0m\n", colour_of(level), ns, word.empty() ? "" : " ",
                       word, word.empty() ? "" : ":", message);
  else
    line = fmt::format("{}>{}{}{} {}\n", ns, word.empty() ? "" : " ", word, word.empty() ? "" : ":",
                       message);
  // One write per message so concurrent threads and processes do not interleave mid-line; a
  // thread of `migrator --targets` prefixes each line with its target's name.
  output::write_lines(stderr, line);
}

void report_error(std::string_view message, const std::vector<std::string>& hints) {
  auto& s = state();
  bool colour;
  std::string program;
  {
    std::lock_guard lock(s.mutex);
    colour = s.colour;
    program = s.program;
  }
  std::string text = colour ? fmt::format("{}: \x1b[31merror:\x1b[0m {}\n", program, message)
                            : fmt::format("{}: error: {}\n", program, message);
  for (const auto& hint : hints) text += fmt::format("hint: {}\n", hint);
  output::write_lines(stderr, text);
}

} // namespace hectic::log
