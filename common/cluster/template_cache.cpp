#include "common/cluster/template_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
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
  std::error_code ec;
  if (!stdfs::exists(source / "PG_VERSION", ec)) return false;
  try {
    copy_tree(source, data_dir, owner_of(config));
    logger().debug("copied the cluster template {}", source.string());
    return true;
  } catch (const Error& error) {
    logger().warn("could not use the cluster template {}: {}; running initdb", source.string(), error.what());
    stdfs::remove_all(data_dir, ec);
    return false;
  }
}

// Stores a pristine data dir as the template: copy into a private temp dir in the cache, sync,
// rename(2) into place. A racing process that renamed first wins; the loser drops its copy.
void store_template(const Config& config, const stdfs::path& data_dir, const std::string& key) {
  auto root = template_root(config);
  auto final_dir = root / key;
  std::error_code ec;
  if (stdfs::exists(final_dir, ec)) return;
  std::random_device random;
  auto temp = root / fmt::format(".tmp-{}-{}-{:08x}", key, ::getpid(), random());
  try {
    stdfs::create_directories(root, ec);
    if (ec) throw Error(ExitCode::generic, fmt::format("could not create {}: {}", root.string(), ec.message()));
    make_dir(temp, std::nullopt);
    copy_tree(data_dir, temp / "data");
    if (UniqueFd dir(::open(temp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)); dir) ::syncfs(dir.get());
    if (::rename(temp.c_str(), final_dir.c_str()) != 0) {
      // EEXIST/ENOTEMPTY: another init stored the same template first.
      logger().debug("template {} already stored by another process", final_dir.string());
      stdfs::remove_all(temp, ec);
      return;
    }
    logger().debug("stored the cluster template {}", final_dir.string());
    remove_outdated_templates(root);
  } catch (const Error& error) {
    logger().warn("could not store the cluster template in {}: {}", root.string(), error.what());
    stdfs::remove_all(temp, ec);
  }
}

} // namespace hectic::cluster::detail
