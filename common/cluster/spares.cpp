#include "common/cluster/spares.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "common/base/error.hpp"
#include "common/base/fd.hpp"
#include "common/base/log.hpp"
#include "common/base/process.hpp"
#include "common/cluster/internal.hpp"

namespace hectic::cluster::spares {
namespace stdfs = std::filesystem;

namespace {

using detail::logger;

constexpr std::string_view k_ready_prefix = "ready-";
constexpr std::string_view k_temp_prefix = ".tmp-";

std::vector<std::string> entries_with_prefix(const stdfs::path& dir, std::string_view prefix) {
  std::vector<std::string> names;
  DIR* handle = ::opendir(dir.c_str());
  if (!handle) return names;
  while (dirent* entry = ::readdir(handle)) {
    std::string_view name = entry->d_name;
    if (name.substr(0, prefix.size()) == prefix) names.emplace_back(name);
  }
  ::closedir(handle);
  return names;
}

int ready_count(const Pool& pool) { return static_cast<int>(entries_with_prefix(pool.dir, k_ready_prefix).size()); }

bool same_filesystem(const stdfs::path& a, const stdfs::path& b) {
  struct stat sa {}, sb {};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev;
}

// The hidden first argument of the filler's command line (see filler_entry).
constexpr std::string_view k_filler_argument = "--hectic-internal-spare-filler";

// The filler yields CPU and disk to whatever the user runs next.
void lower_priority() {
  (void)::setpriority(PRIO_PROCESS, 0, 19);
  constexpr int k_ioprio_who_process = 1, k_ioprio_class_idle = 3, k_ioprio_class_shift = 13;
  (void)::syscall(SYS_ioprio_set, k_ioprio_who_process, 0, k_ioprio_class_idle << k_ioprio_class_shift);
}

// Our own binary, to exec as the filler; nullopt when it was replaced or deleted since we
// started (a rebuild): another binary might not know the filler argument.
std::optional<stdfs::path> own_binary() {
  std::error_code ec;
  auto path = stdfs::read_symlink("/proc/self/exe", ec);
  if (ec || path.string().find(" (deleted)") != std::string::npos) return std::nullopt;
  return path;
}

std::string owner_text(const std::optional<detail::Owner>& owner) {
  return owner ? fmt::format("{}:{}", owner->uid, owner->gid) : "-";
}

std::optional<detail::Owner> parse_owner(const std::string& text) {
  if (text == "-") return std::nullopt;
  auto colon = text.find(':');
  if (colon == std::string::npos) throw std::invalid_argument(text);
  return detail::Owner{static_cast<uid_t>(std::stoul(text.substr(0, colon))),
                       static_cast<gid_t>(std::stoul(text.substr(colon + 1)))};
}

} // namespace

bool take(const Pool& pool, const stdfs::path& data_dir) {
  if (pool.size <= 0) return false;
  for (const auto& name : entries_with_prefix(pool.dir, k_ready_prefix)) {
    auto spare = pool.dir / name;
    if (::rename(spare.c_str(), data_dir.c_str()) != 0) {
      if (errno == ENOENT) continue; // another init took it first
      logger().debug("cannot use the spare {}: {}", spare.string(), std::strerror(errno));
      return false;
    }
    // A cache emptied (rm -rf) while we took the spare leaves a partial tree: not a cluster.
    std::error_code ec;
    if (!stdfs::exists(data_dir / "PG_VERSION", ec) || !stdfs::exists(data_dir / "global" / "pg_control", ec)) {
      logger().warn("the spare {} was incomplete (its cache removed meanwhile?): not used", spare.string());
      stdfs::remove_all(data_dir, ec);
      return false;
    }
    if (pool.owner) {
      struct stat st {};
      if (::stat(data_dir.c_str(), &st) != 0 || st.st_uid != pool.owner->uid || st.st_gid != pool.owner->gid)
        detail::chown_tree(data_dir, *pool.owner);
    }
    logger().debug("moved the spare {} into place", spare.string());
    return true;
  }
  return false;
}

UniqueFd hold_template(const stdfs::path& template_data) {
  UniqueFd dir(::open(template_data.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir || ::flock(dir.get(), LOCK_SH | LOCK_NB) != 0) return UniqueFd();
  // Locked after the pruner removed it: the open dir is empty now.
  struct stat st {};
  if (::fstatat(dir.get(), "data/PG_VERSION", &st, AT_SYMLINK_NOFOLLOW) != 0) return UniqueFd();
  return dir;
}

int fill(const Pool& pool) {
  if (pool.size <= 0) return 0;
  UniqueFd held = hold_template(pool.template_data); // before the pool dir: a pruned key gets none
  if (!held) return 0;
  std::error_code ec;
  stdfs::create_directories(pool.dir, ec);
  if (ec) return 0;
  UniqueFd lock(::open((pool.dir / ".lock").c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!lock) return 0;
  if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) return 0;
  logger().debug("filling the spare pool {}", pool.dir.string());
  // Under the lock, a temp dir is what a killed filler left behind.
  for (const auto& name : entries_with_prefix(pool.dir, k_temp_prefix)) stdfs::remove_all(pool.dir / name, ec);
  int added = 0;
  std::random_device random; // names never meet an earlier filler's spare of a reused pid
  while (ready_count(pool) < pool.size) {
    auto name = fmt::format("{}-{}-{:08x}", ::getpid(), added, random());
    auto temp = pool.dir / fmt::format("{}{}", k_temp_prefix, name);
    auto ready = pool.dir / fmt::format("{}{}", k_ready_prefix, name);
    try {
      detail::copy_tree(pool.template_data, temp, pool.owner);
    } catch (const Error& error) {
      logger().debug("cannot fill the spare pool {}: {}", pool.dir.string(), error.what());
      stdfs::remove_all(temp, ec);
      break;
    }
    if (::rename(temp.c_str(), ready.c_str()) != 0) {
      stdfs::remove_all(temp, ec);
      break;
    }
    ++added;
  }
  return added;
}

// setsid -f runs the filler in its own session and exits at once: run() waits for setsid only,
// and the filler, re-parented to init, never becomes our zombie. run() closes every fd but
// 0/1/2, which go to /dev/null: a `$(database ...)` never waits for the filler.
void refill_in_background(const Pool& pool, const stdfs::path& working_dir) {
  if (pool.size <= 0 || !same_filesystem(pool.template_data, working_dir) || ready_count(pool) >= pool.size)
    return;
  auto self = own_binary();
  if (!self) return; // spares are an optimisation: no filler, no harm
  try {
    process::Options options;
    options.output = process::Output::log_file;
    options.log_file = "/dev/null";
    options.timeout = std::chrono::seconds(10);
    auto result = process::run(process::find_program("setsid"),
                               {"-f", self->string(), std::string(k_filler_argument), pool.dir.string(),
                                pool.template_data.string(), std::to_string(pool.size), owner_text(pool.owner)},
                               options);
    if (!result.ok()) return;
  } catch (const Error& error) {
    logger().debug("no spare filler: {}", error.what());
    return;
  }
  logger().debug("refilling the spare pool {} in the background", pool.dir.string());
}

std::optional<int> filler_entry(int argc, char** argv) {
  if (argc < 2 || argv[1] != k_filler_argument) return std::nullopt;
  if (argc != 6) return 2;
  Pool pool;
  try {
    pool = Pool{argv[2], argv[3], parse_owner(argv[5]), std::stoi(argv[4])};
  } catch (const std::exception&) {
    return 2;
  }
  lower_priority();
  try {
    fill(pool);
  } catch (...) {
    return 1;
  }
  return 0;
}

} // namespace hectic::cluster::spares
