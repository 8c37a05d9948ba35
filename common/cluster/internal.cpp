#include "common/cluster/internal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "common/base/fd.hpp"
#include "common/base/process.hpp"

namespace hectic::cluster::detail {

const log::Logger& logger() {
  static const log::Logger instance{"cluster"};
  return instance;
}

std::optional<fs::Owner> owner_of(const Config& config) {
  if (!config.run_as) return std::nullopt;
  return fs::Owner{config.run_as->uid, config.run_as->gid};
}

std::string superuser_of(const Config& config) {
  // initdb makes the OS account that runs it the superuser (no -U): the role that exists is
  // the server account's name, which is also libpq's default user for that account.
  return config.run_as ? config.run_as->name : process::current_account().name;
}

std::string read_file_or_empty(const std::filesystem::path& path, std::uintmax_t offset) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return {};
  std::string text;
  if (::lseek(fd.get(), static_cast<off_t>(offset), SEEK_SET) < 0) return text;
  std::array<char, 8192> buffer;
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer.data(), static_cast<std::size_t>(n));
  }
  return text;
}

} // namespace hectic::cluster::detail
