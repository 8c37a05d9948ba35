// The parts of the migrator that need no server: directory model, hashing, target
// resolution, `create`. Comparing the directory with the recorded history is in history.cpp.
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <fstream>
#include <random>

#include <fmt/format.h>

#include "common/base/env.hpp"
#include "common/base/error.hpp"
#include "common/base/fs.hpp"
#include "common/base/log.hpp"
#include "common/migrate/migrate.hpp"
#include "common/base/text.hpp"

namespace hectic::migrate {
namespace stdfs = std::filesystem;

namespace {

std::optional<stdfs::path> resolve_part(const stdfs::path& dir, const char* part) {
  std::error_code ec;
  auto single = dir / (std::string(part) + ".sql");
  if (stdfs::is_regular_file(single, ec)) return single;
  auto multi = dir / part / "entrypoint.sql";
  if (stdfs::is_regular_file(multi, ec)) return multi;
  return std::nullopt;
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isdigit(c) != 0;
  });
}

// A directory named like a migration but not quite (20260101000000 with no description,
// 13 digits, '_' for '-') would be skipped without a word: say so. Other directories (lib/,
// .git) are none of ours and stay quiet.
void warn_almost_migration(const stdfs::path& dir) {
  auto name = dir.filename().string();
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front())) == 0) return;
  log::Logger("migrator").warn("ignoring {}: not a migration name (14 digits, '-', a description: "
                               "20260101000000-add-users)", dir.string());
}

} // namespace

bool is_migration_name(std::string_view name) {
  return name.size() > 15 && all_digits(name.substr(0, 14)) && name[14] == '-';
}

std::vector<Migration> load_directory(const stdfs::path& dir) {
  std::vector<Migration> out;
  std::error_code ec;
  if (!stdfs::exists(dir, ec)) {
    log::Logger("migrator").warn("migration dir {} does not exist: no migrations", dir.string());
    return out;
  }
  if (!stdfs::is_directory(dir, ec))
    throw Error(ExitCode::generic, fmt::format("migration dir {} is not a directory", dir.string()),
                {"set -d/--migration-dir (or MIGRATION_DIR) to the directory of the migrations"});
  for (const auto& entry : stdfs::directory_iterator(dir)) {
    auto name = entry.path().filename().string();
    if (!entry.is_directory()) continue;
    if (!is_migration_name(name)) {
      warn_almost_migration(entry.path());
      continue;
    }
    out.push_back(Migration{name, entry.path(), resolve_part(entry.path(), "up"),
                            resolve_part(entry.path(), "down")});
  }
  std::sort(out.begin(), out.end(),
            [](const Migration& a, const Migration& b) { return a.name < b.name; });
  return out;
}

std::string missing_note(const Migration& migration) {
  std::vector<std::string> missing;
  if (!migration.up) missing.emplace_back("up.sql");
  if (!migration.down) missing.emplace_back("down.sql");
  if (missing.empty()) return {};
  return fmt::format("missing {}", fmt::join(missing, " "));
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw Error(ExitCode::internal, "sha256 failed (OpenSSL EVP_Digest)");
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out += k_hex[digest[i] >> 4];
    out += k_hex[digest[i] & 0xf];
  }
  return out;
}

std::string hash_file(const stdfs::path& file) { return sha256_hex(fs::read_file(file)); }

bool is_no_transaction(const stdfs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string line;
  if (!std::getline(in, line)) return false;
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3); // UTF-8 BOM
  line = text::trim(line);
  if (line.rfind("--", 0) != 0) return false;
  // "-- migrator: no-transaction", tolerant of spacing.
  std::string rest(text::trim(std::string_view(line).substr(2)));
  if (rest.rfind("migrator:", 0) != 0) return false;
  return text::trim(std::string_view(rest).substr(9)) == "no-transaction";
}

std::string random_word() {
  static constexpr std::string_view k_consonants = "bcdfghjklmnprstvz";
  static constexpr std::string_view k_vowels = "aeiou";
  std::random_device device;
  std::mt19937 engine(device());
  std::string word;
  for (int i = 0; i < 3; ++i) {
    word += k_consonants[std::uniform_int_distribution<std::size_t>(0, k_consonants.size() - 1)(engine)];
    word += k_vowels[std::uniform_int_distribution<std::size_t>(0, k_vowels.size() - 1)(engine)];
  }
  return word;
}

namespace {

// The UTC second after a 14-digit stamp ("20261202121559" -> "20261202121600").
std::string next_second(const std::string& stamp) {
  std::tm tm{};
  tm.tm_year = std::stoi(stamp.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(stamp.substr(4, 2)) - 1;
  tm.tm_mday = std::stoi(stamp.substr(6, 2));
  tm.tm_hour = std::stoi(stamp.substr(8, 2));
  tm.tm_min = std::stoi(stamp.substr(10, 2));
  tm.tm_sec = std::stoi(stamp.substr(12, 2)) + 1;
  std::time_t next = timegm(&tm);
  std::tm out{};
  gmtime_r(&next, &out);
  char buffer[16];
  return std::string(buffer, std::strftime(buffer, sizeof buffer, "%Y%m%d%H%M%S", &out));
}

// Now, or — when the directory already holds a migration of this second or later — the second
// after the newest one, so a new migration always sorts (and runs) last.
std::string new_stamp(const stdfs::path& dir) {
  std::string stamp = text::utc_compact_stamp();
  std::error_code ec;
  if (!stdfs::is_directory(dir, ec)) return stamp;
  for (const auto& migration : load_directory(dir)) {
    const std::string existing = migration.name.substr(0, 14);
    if (existing >= stamp) stamp = next_second(existing);
  }
  return stamp;
}

} // namespace

stdfs::path create(const stdfs::path& dir, std::string name) {
  if (name.empty()) name = random_word();
  if (name.find('/') != std::string::npos || name.find('\0') != std::string::npos ||
      text::trim(name).empty())
    throw Error(ExitCode::generic, fmt::format("invalid migration name '{}'", name),
                {"a name may hold spaces but no '/'"});
  const std::string full = new_stamp(dir) + "-" + name;
  const stdfs::path target = dir / full;
  std::error_code ec;
  stdfs::create_directories(dir, ec);
  if (ec)
    throw Error(ExitCode::generic,
                fmt::format("cannot create migration dir {}: {}", dir.string(), ec.message()));
  if (!stdfs::create_directory(target, ec) || ec)
    throw Error(ExitCode::generic,
                fmt::format("cannot create migration {}: {}", target.string(),
                            ec ? ec.message() : "it already exists"),
                {"pick another --name"});
  fs::write_file_atomic(target / "up.sql",
                        fmt::format("-- migration {}: up\n"
                                    "-- Runs in one transaction with its hectic.migration row.\n"
                                    "-- For CREATE INDEX CONCURRENTLY and the like, make the first "
                                    "line: -- migrator: no-transaction\n\n",
                                    full));
  fs::write_file_atomic(target / "down.sql",
                        fmt::format("-- migration {}: down\n"
                                    "-- Undo what up.sql does.\n\n",
                                    full));
  return target;
}

std::size_t resolve_target(Verb verb, const std::optional<std::string>& argument,
                           std::size_t current, const std::vector<std::string>& names) {
  const std::size_t total = names.size();
  auto count = [&](const char* what) -> std::size_t {
    if (!all_digits(*argument) || argument->size() > 9)
      throw Error(ExitCode::generic,
                  fmt::format("invalid migrate {} argument '{}': expected a number{}", what,
                              *argument, verb == Verb::up ? ", all, latest or head" : " or all"));
    return static_cast<std::size_t>(std::stoul(*argument));
  };
  switch (verb) {
  case Verb::up: {
    if (argument && (*argument == "all" || *argument == "latest" || *argument == "head"))
      return total;
    std::size_t n = argument ? count("up") : 1;
    if (current + n > total)
      throw Error(ExitCode::generic,
                  fmt::format("cannot migrate up {}: only {} pending migration{}", n,
                              total - current, total - current == 1 ? "" : "s"),
                  {"run `migrator status` to see the pending migrations"});
    return current + n;
  }
  case Verb::down: {
    if (argument && *argument == "all") return 0;
    std::size_t n = argument ? count("down") : 1;
    if (n > current)
      throw Error(ExitCode::generic,
                  fmt::format("cannot migrate down {}: only {} applied migration{}", n, current,
                              current == 1 ? "" : "s"));
    return current - n;
  }
  case Verb::to: {
    if (!argument)
      throw Error(ExitCode::missing_argument, "migrate to needs a migration name",
                  {"migrator migrate to NAME|latest|head|last"});
    if (*argument == "latest" || *argument == "head" || *argument == "last") return total;
    auto it = std::find(names.begin(), names.end(), *argument);
    if (it == names.end())
      throw Error(ExitCode::generic,
                  fmt::format("unknown migration '{}' in migrate to", *argument),
                  {"run `migrator list` to see the migration names"});
    return static_cast<std::size_t>(it - names.begin()) + 1;
  }
  }
  return current;
}

std::string ci_build_id() {
  for (const char* name :
       {"CODEBUILD_BUILD_NUMBER", "BUILD_NUMBER", "BUILD_ID", "CI_JOB_ID", "GITHUB_RUN_ID"}) {
    auto value = env::get(name);
    if (value && !value->empty()) return *value;
  }
  return "local_run";
}

} // namespace hectic::migrate
