#include "common/cluster/template_cache.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <functional>
#include <random>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/fd.hpp"
#include "common/base/fs.hpp"
#include "common/cluster/datadir.hpp"
#include "common/cluster/internal.hpp"
#include "common/cluster/tree.hpp"
#include "common/pg/pgbin.hpp"

namespace hectic::cluster::detail {
namespace stdfs = std::filesystem;

namespace {

stdfs::path template_root(const Config& config) { return config.cache_dir / "templates"; }

// Templates of the first layout (key ending in -v1, no database inside) are never read again:
// 28 MB each.
void remove_outdated_templates(const stdfs::path& root) {
  std::error_code ec;
  std::vector<stdfs::path> outdated;
  for (auto it = stdfs::directory_iterator(root, ec); !ec && it != stdfs::directory_iterator(); it.increment(ec)) {
    auto name = it->path().filename().string();
    if (name.size() > 3 && name.compare(name.size() - 3, 3, "-v1") == 0) outdated.push_back(it->path());
  }
  for (const auto& path : outdated) {
    fs::remove_tree(path, ec);
    logger().debug("removed the outdated cluster template {}", path.string());
  }
}

constexpr std::string_view k_staged_prefix = ".tmp-";
constexpr std::string_view k_trash_prefix = ".trash-";

// The entries of dir whose names start with prefix ("" and not hidden: every key).
std::vector<std::string> names_in(const stdfs::path& dir, std::string_view prefix) {
  std::vector<std::string> names;
  std::error_code ec;
  for (auto it = stdfs::directory_iterator(dir, ec); !ec && it != stdfs::directory_iterator(); it.increment(ec)) {
    auto name = it->path().filename().string();
    if (prefix.empty() ? name[0] != '.' : name.rfind(prefix, 0) == 0) names.push_back(std::move(name));
  }
  return names;
}

// The mtime of a key's dir orders the keys for pruning: set it when the key is used.
void mark_used(const stdfs::path& key_dir) {
  if (UniqueFd dir(::open(key_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)); dir)
    (void)::futimens(dir.get(), nullptr);
}

// The keys under root, most recently used first.
std::vector<std::string> keys_by_recency(const stdfs::path& root) {
  std::vector<std::pair<struct timespec, std::string>> keys;
  for (auto& name : names_in(root, "")) {
    struct stat st {};
    if (::lstat((root / name).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) keys.emplace_back(st.st_mtim, std::move(name));
  }
  std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
    return a.first.tv_sec != b.first.tv_sec ? a.first.tv_sec > b.first.tv_sec : a.first.tv_nsec > b.first.tv_nsec;
  });
  std::vector<std::string> names;
  for (auto& key : keys) names.push_back(std::move(key.second));
  return names;
}

// The pid in a staged template's name (.tmp-<key>-<pid>-<random>), or 0.
pid_t staging_pid(const std::string& name) {
  auto random_at = name.rfind('-');
  auto pid_at = random_at == std::string::npos || random_at == 0 ? std::string::npos : name.rfind('-', random_at - 1);
  if (pid_at == std::string::npos) return 0;
  try {
    return static_cast<pid_t>(std::stol(name.substr(pid_at + 1, random_at - pid_at - 1)));
  } catch (const std::exception&) {
    return 0;
  }
}

// Under the cache lock: what a killed pruner left in the trash, and the staged templates of
// inits that died (a live one's pid still answers kill(pid, 0)).
void remove_leftovers(const stdfs::path& dir) {
  std::error_code ec;
  for (const auto& name : names_in(dir, k_trash_prefix)) fs::remove_tree(dir / name, ec);
  for (const auto& name : names_in(dir, k_staged_prefix)) {
    pid_t pid = staging_pid(name);
    if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) fs::remove_tree(dir / name, ec);
  }
}

// Renames path to a trash name in its parent (atomic: a spare taken or a template copied sees
// the whole tree or none), then deletes it.
void discard_tree(const stdfs::path& path) {
  std::random_device random;
  auto trash = path.parent_path() / fmt::format("{}{}-{:08x}", k_trash_prefix, path.filename().string(), random());
  std::error_code ec;
  if (::rename(path.c_str(), trash.c_str()) == 0) fs::remove_tree(trash, ec);
}

// Removes a key's template and spare pool, unless a process holds either: a copy or filler
// holds the template dir shared (spares::hold_template), a filler holds the pool's lock.
bool prune_key(const Config& config, const std::string& key) {
  auto key_dir = template_root(config) / key;
  UniqueFd held(::open(key_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!held || ::flock(held.get(), LOCK_EX | LOCK_NB) != 0) return false;
  auto pool_dir = config.cache_dir / "spares" / key;
  UniqueFd pool_lock(::open((pool_dir / ".lock").c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (pool_lock && ::flock(pool_lock.get(), LOCK_EX | LOCK_NB) != 0) return false;
  std::error_code ec;
  if (stdfs::exists(stdfs::symlink_status(pool_dir, ec))) discard_tree(pool_dir);
  discard_tree(key_dir);
  return true;
}

// Spare pools whose template is gone (pruned, or deleted by hand) are pruned too.
void remove_orphan_pools(const Config& config) {
  auto spares_dir = config.cache_dir / "spares";
  std::error_code ec;
  for (const auto& key : names_in(spares_dir, "")) {
    if (stdfs::exists(template_root(config) / key, ec)) continue;
    UniqueFd pool_lock(::open((spares_dir / key / ".lock").c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (pool_lock && ::flock(pool_lock.get(), LOCK_EX | LOCK_NB) != 0) continue;
    discard_tree(spares_dir / key);
  }
}

} // namespace

std::string template_key(std::string_view server_version, std::string_view superuser, std::string_view database) {
  auto clean = [](std::string_view text) {
    std::string out;
    for (char c : text)
      out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '_';
    return out;
  };
  // A database name that had to be cleaned gets a stable hash (FNV-1a) so that "a b" and
  // "a_b" do not share a template.
  auto db = clean(database);
  if (db != database) {
    std::uint32_t hash = 2166136261u;
    for (unsigned char c : database) hash = (hash ^ c) * 16777619u;
    db += fmt::format("-{:08x}", hash);
  }
  // v2: initdb -E UTF8 --no-locale -A trust, then CREATE DATABASE offline; bump when the init
  // options change.
  return fmt::format("pg{}-{}-utf8-nolocale-trust-db_{}-v2", clean(server_version), clean(superuser), db);
}

spares::Pool spare_pool(const Config& config, const std::string& key) {
  return spares::Pool{config.cache_dir / "spares" / key, template_root(config) / key / "data", owner_of(config),
                      config.spares};
}

// The server version for the template key without running `postgres --version` each time:
// cached under HECTIC_CACHE_DIR/versions, keyed by the real binary's path, size and mtime.
std::string cached_server_version(const Config& config) {
  std::error_code ec;
  auto postgres = stdfs::canonical(pgbin::program("postgres"), ec);
  struct stat st {};
  if (ec || ::stat(postgres.c_str(), &st) != 0) return pgbin::server_version();
  auto identity = fmt::format("{}:{}:{}.{}", postgres.string(), st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  auto file = config.cache_dir / "versions" / fmt::format("{:016x}", std::hash<std::string>{}(identity));
  auto cached = read_file_or_empty(file);
  auto newline = cached.find('\n');
  if (newline != std::string::npos && cached.substr(newline + 1) == identity + "\n") return cached.substr(0, newline);
  auto version = pgbin::server_version();
  try {
    stdfs::create_directories(file.parent_path(), ec);
    if (!ec) fs::write_file_atomic(file, version + "\n" + identity + "\n");
  } catch (const Error&) {
    // a read-only cache only costs the exec next time
  }
  return version;
}

bool copy_template(const Config& config, const stdfs::path& data_dir, const std::string& key) {
  auto source = template_root(config) / key / "data";
  // Held while we copy: the pruner never removes a template being copied.
  UniqueFd held = spares::hold_template(source);
  if (!held) return false;
  try {
    copy_tree(source, data_dir, owner_of(config));
    logger().debug("copied the cluster template {}", source.string());
    return true;
  } catch (const Error& error) {
    logger().warn("could not use the cluster template {}: {}; running initdb", source.string(), error.what());
    std::error_code ec;
    stdfs::remove_all(data_dir, ec);
    return false;
  }
}

StagedTemplate::StagedTemplate(stdfs::path staged, stdfs::path final_dir)
    : m_staged(std::move(staged)), m_final(std::move(final_dir)) {}

StagedTemplate::StagedTemplate(StagedTemplate&& other) noexcept
    : m_staged(std::move(other.m_staged)), m_final(std::move(other.m_final)) {
  other.m_staged.clear();
}

StagedTemplate& StagedTemplate::operator=(StagedTemplate&& other) noexcept {
  if (this != &other) {
    drop();
    m_staged = std::move(other.m_staged);
    m_final = std::move(other.m_final);
    other.m_staged.clear();
  }
  return *this;
}

StagedTemplate::~StagedTemplate() { drop(); }

void StagedTemplate::drop() {
  if (m_staged.empty()) return;
  std::error_code ec;
  fs::remove_tree(m_staged, ec);
  m_staged.clear();
}

// rename(2) into place: a racing process that renamed first wins; the loser drops its copy.
void StagedTemplate::publish() {
  if (m_staged.empty()) return;
  if (::rename(m_staged.c_str(), m_final.c_str()) != 0) {
    // EEXIST/ENOTEMPTY: another init stored the same template first.
    logger().debug("template {} already stored by another process", m_final.string());
    drop();
    return;
  }
  m_staged.clear();
  logger().debug("stored the cluster template {}", m_final.string());
  remove_outdated_templates(m_final.parent_path());
}

// The copy goes to a private temp dir in the cache (its name holds our pid, so that the pruner
// can tell a dead init's leftover), synced before it is published.
StagedTemplate stage_template(const Config& config, const stdfs::path& data_dir, const std::string& key) {
  auto root = template_root(config);
  auto final_dir = root / key;
  std::error_code ec;
  if (stdfs::exists(final_dir, ec)) return {};
  std::random_device random;
  auto temp = root / fmt::format("{}{}-{}-{:08x}", k_staged_prefix, key, ::getpid(), random());
  try {
    stdfs::create_directories(root, ec);
    if (ec) throw Error(ExitCode::generic, fmt::format("could not create {}: {}", root.string(), ec.message()));
    StagedTemplate staged(temp, final_dir);
    make_dir(temp, std::nullopt);
    copy_tree(data_dir, temp / "data");
    if (UniqueFd dir(::open(temp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)); dir) ::syncfs(dir.get());
    return staged;
  } catch (const Error& error) {
    logger().warn("could not store the cluster template in {}: {}", root.string(), error.what());
    return {};
  }
}

CacheUpdate::CacheUpdate(const Config& config, std::string key, stdfs::path working_dir, StagedTemplate staged)
    : m_config(config), m_key(std::move(key)), m_working_dir(std::move(working_dir)), m_staged(std::move(staged)) {}

void CacheUpdate::commit() {
  if (!m_config) return;
  m_staged.publish();
  mark_used(template_root(*m_config) / m_key);
  prune_templates(*m_config, m_key);
  // The next fresh init takes a spare instead of copying: make it now, in the background.
  spares::refill_in_background(spare_pool(*m_config, m_key), m_working_dir);
  m_config.reset();
}

void prune_templates(const Config& config, const std::string& keep) {
  auto root = template_root(config);
  UniqueFd lock(::open((root / ".lock").c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  // Another init prunes right now: one pruner is enough.
  if (!lock || ::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) return;
  remove_leftovers(root);
  remove_leftovers(config.cache_dir / "spares");
  int kept = 0;
  for (const auto& key : keys_by_recency(root)) {
    if (key == keep || kept < config.cache_max_keys - 1) {
      if (key != keep) ++kept;
      continue;
    }
    if (prune_key(config, key)) logger().debug("pruned the cluster template {} (HECTIC_CACHE_MAX_KEYS={})", key,
                                               config.cache_max_keys);
  }
  remove_orphan_pools(config);
}

} // namespace hectic::cluster::detail
