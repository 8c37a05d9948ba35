#include "common/project/sync_env.hpp"

#include <map>

#include <fmt/format.h>

#include "common/base/env.hpp"
#include "common/base/error.hpp"
#include "common/base/fs.hpp"
#include "common/pg/conninfo.hpp"
#include "common/project/dotenv.hpp"

namespace hectic::project {
namespace {

using Variables = std::map<std::string, std::string>;

std::string lookup(const Variables& file, const std::string& name) {
  if (auto it = file.find(name); it != file.end() && !it->second.empty()) return it->second;
  return env::get(name.c_str()).value_or("");
}

SyncSide read_side(const Variables& file, const std::filesystem::path& path, const char* prefix, const char* side) {
  std::map<std::string, std::string> keywords;
  const std::pair<const char*, const char*> fields[] = {
      {"HOST", "host"}, {"PORT", "port"}, {"NAME", "dbname"}, {"USER", "user"}, {"PASSWORD", "password"}};
  for (const auto& [suffix, keyword] : fields) {
    auto name = fmt::format("{}_DB_{}", prefix, suffix);
    auto value = lookup(file, name);
    bool required = std::string_view(suffix) == "HOST" || std::string_view(suffix) == "NAME" ||
                    std::string_view(suffix) == "USER";
    if (value.empty() && required)
      throw Error(ExitCode::missing_argument, fmt::format("{} database: {} is not set in {}", side, name, path.string()),
                  {fmt::format("set {}_DB_HOST, {}_DB_NAME and {}_DB_USER (and _PORT, _PASSWORD, _SCHEMA as needed)",
                               prefix, prefix, prefix)});
    if (!value.empty()) keywords[keyword] = value;
  }
  if (!keywords.count("port")) keywords["port"] = "5432";
  return {pq::build_conninfo(keywords), lookup(file, fmt::format("{}_DB_SCHEMA", prefix))};
}

} // namespace

SyncSides read_sync_env(const std::filesystem::path& file) {
  std::string content;
  try {
    content = fs::read_file(file);
  } catch (const std::exception& e) {
    throw Error(ExitCode::missing_argument, fmt::format("--env {}: cannot read it: {}", file.string(), e.what()));
  }
  Variables variables;
  for (auto& [key, value] : dotenv::parse(content)) variables[key] = value;
  return {read_side(variables, file, "SOURCE", "source"), read_side(variables, file, "TARGET", "target")};
}

} // namespace hectic::project
