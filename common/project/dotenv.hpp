#pragma once
// Dotenv sources for `database hydrate` / `database secrets load` (README "database"): which
// source applies (HECTIC_DOTENV_CONTENT, else a file, else $LOCAL_DIR/.env.$ENVIRONMENT), and
// the parsing rules of hectic.load_secrets_from_env (for reports and tests; the SQL function
// is what loads the secrets, with the content as a bound parameter).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hectic::dotenv {

// Where the content came from, for log lines ("HECTIC_DOTENV_CONTENT", "/path/.env.dev").
struct Source {
  std::string description;
  std::string content;
};

// How strictly an explicit file is treated.
enum class Mode {
  hydrate, // an unreadable HECTIC_DOTENV_FILE is skipped with a warning (shell tool behaviour)
  strict,  // `secrets load`: an unreadable -f/HECTIC_DOTENV_FILE is Error(missing_argument)
};

// Resolves the source: HECTIC_DOTENV_CONTENT (set and non-empty), else explicit_file (-f) or
// HECTIC_DOTENV_FILE when readable, else $LOCAL_DIR/.env.$ENVIRONMENT when ENVIRONMENT is set
// and the file is readable. nullopt when there is none.
std::optional<Source> resolve(const std::optional<std::filesystem::path>& explicit_file, Mode mode);

// The line without a leading `export ` (shell syntax: `export KEY=VALUE` is KEY=VALUE); other
// lines, and `export=x` (a key named export), as they are.
std::string_view without_export(std::string_view line);
// content with without_export applied to each line, what reaches hectic.load_secrets_from_env.
std::string strip_export(std::string_view content);

// KEY=VALUE pairs with the rules of hectic.load_secrets_from_env: lines trimmed, blank and
// '#' lines skipped, split at the first '=', key and value trimmed, one pair of matching outer
// quotes (' or ") stripped from the value. Lines without '=' are skipped; `export ` is dropped.
std::vector<std::pair<std::string, std::string>> parse(std::string_view content);

} // namespace hectic::dotenv
