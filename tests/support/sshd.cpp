#include "tests/support/sshd.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "common/base/fs.hpp"
#include "common/base/process.hpp"

namespace hectic::test {
namespace stdfs = std::filesystem;
namespace {

constexpr const char* k_throwaway_user = "hectic-ssh";

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("sshd fixture: cannot pick a free port");
  ::close(fd);
  return ntohs(addr.sin_port);
}

void must(const process::Result& result, const std::string& what) {
  if (!result.ok()) throw std::runtime_error(fmt::format("sshd fixture: {} {}: {}", what, result.describe(), result.err));
}

} // namespace

Sshd::Sshd(const stdfs::path& dir) : m_dir(dir) {
  if (process::running_as_root()) {
    m_user = k_throwaway_user;
    // useradd fails while another one holds the /etc/passwd lock (tests run in parallel): retry.
    for (int attempt = 0; attempt < 10 && !process::lookup_account(m_user); ++attempt) {
      if (attempt) std::this_thread::sleep_for(std::chrono::milliseconds(300));
      process::run("useradd", {"--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/bin/sh", m_user});
    }
    if (!process::lookup_account(m_user)) throw std::runtime_error("sshd fixture: cannot create user hectic-ssh");
    // A locked account ('!' password) is refused when UsePAM is off.
    for (int attempt = 0;; ++attempt) {
      auto result = process::run("usermod", {"-p", "*", m_user});
      if (result.ok()) break;
      if (attempt == 9) must(result, "usermod");
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    ::mkdir("/run/sshd", 0755);
  } else {
    m_user = process::current_account().name;
  }
  ::chmod(m_dir.c_str(), 0755);
  for (const char* key : {"hostkey", "clientkey"}) {
    stdfs::remove(m_dir / key);
    stdfs::remove(m_dir / (std::string(key) + ".pub"));
    must(process::run("ssh-keygen", {"-q", "-t", "ed25519", "-N", "", "-f", (m_dir / key).string()}), "ssh-keygen");
  }
  auto authorized = m_dir / "authorized_keys";
  fs::write_file_atomic(authorized, fs::read_file(m_dir / "clientkey.pub"));
  ::chmod(authorized.c_str(), 0644);
  m_port = free_port();
  auto config = m_dir / "sshd_config";
  fs::write_file_atomic(config, fmt::format(
      "Port {}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}\nAuthorizedKeysFile {}\n"
      "PubkeyAuthentication yes\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
      "UsePAM no\nAllowUsers {}\nStrictModes no\nPermitRootLogin no\nLogLevel ERROR\n",
      m_port, (m_dir / "hostkey").string(), (m_dir / "sshd.pid").string(), authorized.string(), m_user));
  must(process::run("/usr/sbin/sshd", {"-f", config.string(), "-E", (m_dir / "sshd.log").string()}), "/usr/sbin/sshd");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (true) {
    std::error_code ec;
    if (m_pid == 0 && stdfs::exists(m_dir / "sshd.pid", ec)) {
      try {
        m_pid = std::stoi(fs::read_file(m_dir / "sshd.pid"));
      } catch (...) {
      }
    }
    if (m_pid != 0) {
      std::vector<std::string> args = ssh_options();
      args.insert(args.end(), {destination(), "true"});
      process::Options options;
      options.timeout = std::chrono::seconds(10);
      if (process::run("ssh", args, options).ok()) return;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      std::string log;
      try {
        log = fs::read_file(m_dir / "sshd.log");
      } catch (...) {
      }
      if (m_pid) ::kill(m_pid, SIGTERM);
      throw std::runtime_error("sshd fixture: no ssh login within 15 s; sshd log: " + log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Sshd::~Sshd() {
  if (m_pid > 0) ::kill(m_pid, SIGTERM);
}

std::vector<std::string> Sshd::ssh_options() const {
  return {"-p", std::to_string(m_port), "-i", (m_dir / "clientkey").string(),
          "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no",
          "-o", "UserKnownHostsFile=" + (m_dir / "known_hosts").string(), "-o", "BatchMode=yes",
          "-o", "LogLevel=ERROR", "-F", "/dev/null"};
}

std::string Sshd::ssh_options_text() const {
  std::string text;
  for (const auto& word : ssh_options()) text += (text.empty() ? "" : " ") + word;
  return text;
}

} // namespace hectic::test
