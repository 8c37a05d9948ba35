#include "common/project/dotenv.hpp"

#include <unistd.h>

#include <algorithm>

#include "common/base/env.hpp"
#include "common/base/error.hpp"
#include "common/base/fs.hpp"
#include "common/base/log.hpp"
#include "common/base/text.hpp"

namespace hectic::dotenv {
namespace {

const log::Logger k_log{"db secrets"};

bool readable(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) && ::access(path.c_str(), R_OK) == 0;
}

// The source's content travels as one bound parameter, a C string: a NUL byte would cut it
// and the secrets after it would be lost without a word. Refused, naming the key.
void refuse_nul(const Source& source) {
  auto nul = source.content.find('\0');
  if (nul == std::string::npos) return;
  auto line_start = source.content.rfind('\n', nul);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  auto line_number = 1 + std::count(source.content.begin(), source.content.begin() + static_cast<long>(line_start), '\n');
  std::string_view line = std::string_view(source.content).substr(line_start, nul - line_start);
  auto eq = line.find('=');
  std::string where = fmt::format("line {}", line_number);
  if (eq != std::string_view::npos && !text::trim(line.substr(0, eq)).empty())
    where = fmt::format("the value of {} (line {})", text::trim(line.substr(0, eq)), line_number);
  throw Error(ExitCode::generic,
              fmt::format("dotenv source {}: NUL byte in {}: no secret was loaded", source.description, where),
              {"remove the NUL byte; a secret cannot hold one (PostgreSQL text cannot)"});
}

// The source found, checked, with `export ` prefixes already gone: the bundle's
// hectic.load_secrets_from_env (0.1.0 included) would store the key "export KEY".
std::optional<Source> checked(Source source) {
  refuse_nul(source);
  source.content = strip_export(source.content);
  return source;
}

} // namespace

std::optional<Source> resolve(const std::optional<std::filesystem::path>& explicit_file, Mode mode) {
  if (auto content = env::get("HECTIC_DOTENV_CONTENT"); content && !content->empty())
    return checked(Source{"HECTIC_DOTENV_CONTENT", *content});

  std::optional<std::filesystem::path> file = explicit_file;
  std::string origin = "-f";
  if (!file) {
    if (auto from_env = env::get("HECTIC_DOTENV_FILE"); from_env && !from_env->empty()) {
      file = *from_env;
      origin = "HECTIC_DOTENV_FILE";
    }
  }
  if (file) {
    if (readable(*file)) return checked(Source{file->string(), fs::read_file(*file)});
    if (mode == Mode::strict)
      throw Error(ExitCode::missing_argument,
                  fmt::format("dotenv file {} ({}) is not readable", file->string(), origin),
                  {"pass a readable file with -f FILE, or set HECTIC_DOTENV_CONTENT"});
    k_log.warn("dotenv file {} ({}) is not readable; trying $LOCAL_DIR/.env.$ENVIRONMENT",
               file->string(), origin);
  }

  auto environment = env::get("ENVIRONMENT");
  auto local = env::get("LOCAL_DIR");
  if (environment && !environment->empty() && local && !local->empty()) {
    std::filesystem::path path = std::filesystem::path(*local) / (".env." + *environment);
    if (readable(path)) return checked(Source{path.string(), fs::read_file(path)});
  }
  return std::nullopt;
}

std::string_view without_export(std::string_view line) {
  std::string_view rest = text::trim(line);
  if (!rest.starts_with("export") || rest.size() <= 6 || (rest[6] != ' ' && rest[6] != '\t')) return line;
  rest = text::trim(rest.substr(6));
  return rest.find('=') == std::string_view::npos ? line : rest;
}

std::string strip_export(std::string_view content) {
  std::string out;
  out.reserve(content.size());
  for (bool first = true; ; first = false) {
    auto newline = content.find('\n');
    if (!first) out += '\n';
    out += without_export(content.substr(0, newline));
    if (newline == std::string_view::npos) break;
    content = content.substr(newline + 1);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse(std::string_view content) {
  std::vector<std::pair<std::string, std::string>> pairs;
  while (!content.empty()) {
    auto newline = content.find('\n');
    std::string_view line = content.substr(0, newline);
    content = newline == std::string_view::npos ? std::string_view{} : content.substr(newline + 1);
    line = text::trim(without_export(line));
    if (line.empty() || line.front() == '#') continue;
    auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = text::trim(line.substr(0, eq));
    std::string_view value = text::trim(line.substr(eq + 1));
    if (key.empty()) continue;
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    pairs.emplace_back(std::string(key), std::string(value));
  }
  return pairs;
}

} // namespace hectic::dotenv
