#include "common/pg/pgbin.hpp"

#include <unistd.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <regex>

#include "common/base/env.hpp"
#include "common/base/error.hpp"
#include "common/base/log.hpp"
#include "common/base/process.hpp"

namespace hectic::pgbin {

namespace stdfs = std::filesystem;

namespace {
const log::Logger k_log{"pgbin"};

bool executable(const stdfs::path& path) { return ::access(path.c_str(), X_OK) == 0; }

// The first line a pg_config query prints ("--bindir", "--pkglibdir"); empty when it fails.
std::string pg_config_value(const stdfs::path& pg_config, const std::string& query) {
  process::Options options;
  options.timeout = std::chrono::seconds(10);
  auto result = process::run(pg_config, {query}, options);
  if (!result.ok()) return {};
  return result.out.substr(0, result.out.find_first_of("\r\n"));
}

stdfs::path discover() {
  if (auto dir = env::get("PG_BIN_DIR"); dir && !dir->empty()) return *dir; // authoritative
  // PATH: the directory of initdb, if there is one.
  if (const char* path = std::getenv("PATH")) {
    std::string_view rest(path);
    while (!rest.empty()) {
      auto colon = rest.find(':');
      stdfs::path dir(std::string(rest.substr(0, colon)));
      if (!dir.empty() && executable(dir / "initdb")) return dir;
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  }
  // pg_config --bindir (pg_config itself is often on PATH when initdb is not).
  try {
    std::string dir = pg_config_value(process::find_program("pg_config"), "--bindir");
    if (!dir.empty() && executable(stdfs::path(dir) / "initdb")) return dir;
  } catch (const Error&) {
    // no pg_config: try the Debian layout
  }
  // The newest /usr/lib/postgresql/<major>/bin.
  std::vector<std::pair<int, stdfs::path>> found;
  std::error_code ec;
  for (const auto& entry : stdfs::directory_iterator("/usr/lib/postgresql", ec)) {
    const auto name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (executable(entry.path() / "bin" / "initdb")) found.emplace_back(std::stoi(name), entry.path() / "bin");
  }
  if (!found.empty()) return std::max_element(found.begin(), found.end())->second;
  throw Error(ExitCode::missing_program, "required program 'initdb' not found",
              {"set PG_BIN_DIR to the directory holding initdb, pg_ctl and postgres, "
               "or put it on PATH"});
}

std::mutex g_mutex;
} // namespace

stdfs::path bin_dir() {
  std::lock_guard lock(g_mutex);
  static std::optional<std::pair<std::string, stdfs::path>> cached; // keyed by PG_BIN_DIR
  std::string key = env::get_or("PG_BIN_DIR", "");
  if (!cached || cached->first != key) {
    cached.emplace(key, discover());
    k_log.debug("PostgreSQL binaries: {}", cached->second.string());
  }
  return cached->second;
}

stdfs::path program(const std::string& name) {
  stdfs::path dir = bin_dir();
  stdfs::path path = dir / name;
  if (!executable(path) && env::get_or("PG_BIN_DIR", "").empty()) {
    // A PATH dir may hold only symlinks to some programs (e.g. /usr/local/bin/initdb ->
    // /usr/lib/postgresql/15/bin/initdb): look beside the real initdb too.
    std::error_code ec;
    auto real = stdfs::canonical(dir / "initdb", ec).parent_path();
    if (!ec && executable(real / name)) return real / name;
  }
  if (!executable(path))
    throw Error(ExitCode::missing_program,
                fmt::format("required program '{}' not found in {}", name, dir.string()),
                {env::get_or("PG_BIN_DIR", "").empty()
                     ? "set PG_BIN_DIR to a directory that holds it"
                     : "PG_BIN_DIR is set: it must hold every PostgreSQL program"});
  return path;
}

namespace {

// compute(postgres) once per postgres binary (PG_BIN_DIR may point elsewhere between calls).
template <typename Value, typename Compute> Value once_per_postgres(Compute compute) {
  static std::mutex mutex;
  static std::map<std::string, Value> cache;
  stdfs::path postgres = program("postgres");
  std::lock_guard lock(mutex);
  if (auto it = cache.find(postgres.string()); it != cache.end()) return it->second;
  Value value = compute(postgres);
  cache[postgres.string()] = value;
  return value;
}

} // namespace

std::string server_version() {
  return once_per_postgres<std::string>([](const stdfs::path& postgres) {
    process::Options options;
    options.timeout = std::chrono::seconds(20);
    auto result = process::run_checked(postgres, {"--version"}, options);
    static const std::regex k_version(R"((\d+)(\.\d+)?)");
    std::smatch match;
    return std::regex_search(result.out, match, k_version) ? match.str(0) : std::string("unknown");
  });
}

stdfs::path pkglib_dir() {
  // PostgreSQL derives $libdir from its real binary path (symlinks resolved): a bin dir of
  // symlinks (/usr/local/bin/postgres -> /usr/lib/postgresql/15/bin/postgres) must not send us
  // to /usr/local/lib. Ask the pg_config beside the real binary.
  return once_per_postgres<stdfs::path>([](const stdfs::path& postgres) {
    std::error_code ec;
    stdfs::path real_dir = stdfs::canonical(postgres, ec).parent_path();
    if (ec) real_dir = postgres.parent_path();
    stdfs::path found = real_dir.parent_path() / "lib";
    for (const auto& dir : {real_dir, postgres.parent_path()}) {
      if (!executable(dir / "pg_config")) continue;
      if (std::string text = pg_config_value(dir / "pg_config", "--pkglibdir"); !text.empty()) return stdfs::path(text);
    }
    return found;
  });
}

} // namespace hectic::pgbin
