#include "tests/support/s3rver.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "common/base/fs.hpp"
#include "common/base/process.hpp"
#include "common/watch/store.hpp"

namespace hectic::test {
namespace stdfs = std::filesystem;

int free_tcp_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("cannot pick a free port");
  ::close(fd);
  return ntohs(addr.sin_port);
}

namespace {
stdfs::path s3rver_script() {
  if (const char* path = std::getenv("HECTIC_S3RVER"); path && *path) return path;
  auto installed = stdfs::path(HECTIC_BINARY_DIR) / "node" / "node_modules" / "s3rver" / "bin" / "s3rver.js";
  if (!stdfs::exists(installed))
    throw std::runtime_error(fmt::format("s3rver fixture: {} is missing; run scripts/setup.sh (npm install "
                                         "--prefix build/node s3rver) or set HECTIC_S3RVER",
                                         installed.string()));
  return installed;
}
} // namespace

S3rver::S3rver(const stdfs::path& dir, std::string bucket) : m_dir(dir), m_bucket(std::move(bucket)) {
  auto script = s3rver_script();
  auto node = process::find_program("node");
  stdfs::create_directories(m_dir / "data");
  auto pidfile = m_dir / "s3rver.pid";
  m_port = free_tcp_port();
  process::Options options;
  // s3rver 3.7 makes its continuation tokens with DES, which OpenSSL 3 keeps in the legacy
  // provider: without it every truncated ListObjectsV2 page is a 500.
  options.env_set["NODE_OPTIONS"] = "--openssl-legacy-provider";
  options.timeout = std::chrono::seconds(20);
  // start-stop-daemon(8) puts the foreground server in the background with a pid file and a log.
  // By path: the unprivileged pass of scripts/test.sh runs with PATH=/usr/bin:/bin.
  const stdfs::path daemon = stdfs::exists("/usr/sbin/start-stop-daemon") ? "/usr/sbin/start-stop-daemon"
                                                                          : "start-stop-daemon";
  auto started = process::run(daemon,
                              {"--start", "--background", "--make-pidfile", "--pidfile", pidfile.string(), "--output",
                               (m_dir / "s3rver.log").string(), "--exec", node.string(), "--", script.string(), "-d",
                               (m_dir / "data").string(), "-a", "127.0.0.1", "-p", std::to_string(m_port),
                               "--configure-bucket", m_bucket},
                              options);
  if (!started.ok())
    throw std::runtime_error(fmt::format("s3rver fixture: start-stop-daemon {}: {}", started.describe(), started.err));
  auto config = watch::S3Config{};
  config.bucket = m_bucket;
  config.endpoint = endpoint();
  config.access_key_id = config.secret_access_key = "S3RVER";
  config.timeout_seconds = 2;
  watch::S3Store probe(config);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    if (m_pid == 0) {
      try {
        m_pid = std::stoi(fs::read_file(pidfile));
      } catch (...) {
      }
    }
    try {
      probe.list("");
      return;
    } catch (const std::exception& e) {
      if (std::chrono::steady_clock::now() > deadline) {
        std::string log;
        try {
          log = fs::read_file(m_dir / "s3rver.log");
        } catch (...) {
        }
        if (m_pid) ::kill(m_pid, SIGTERM);
        throw std::runtime_error(fmt::format("s3rver fixture: not answering within 30 s ({}); log: {}", e.what(), log));
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

S3rver::~S3rver() {
  if (m_pid <= 0) return;
  ::kill(m_pid, SIGTERM);
  // Not our child (start-stop-daemon forked it): wait until it is gone, bounded.
  for (int i = 0; i < 50 && ::kill(m_pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (::kill(m_pid, 0) == 0) ::kill(m_pid, SIGKILL);
}

void S3rver::write_object(const std::string& key, const std::string& content) const {
  auto base = m_dir / "data" / m_bucket / key;
  stdfs::create_directories(base.parent_path());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(content.data(), content.size(), digest, &length, EVP_md5(), nullptr);
  std::string md5;
  for (unsigned int i = 0; i < length; ++i) md5 += fmt::format("{:02x}", digest[i]);
  // Plain writes, no fsync: thousands of them seed one test.
  std::ofstream(base.string() + "._S3rver_object", std::ios::binary) << content;
  std::ofstream(base.string() + "._S3rver_object.md5") << md5;
  std::ofstream(base.string() + "._S3rver_metadata.json") << "{\n  \"content-type\": \"application/octet-stream\"\n}";
}

std::string S3rver::endpoint() const { return fmt::format("http://127.0.0.1:{}", m_port); }

std::map<std::string, std::string> S3rver::client_env() const {
  return {{"AWS_ENDPOINT_URL", endpoint()},
          {"AWS_ACCESS_KEY_ID", "S3RVER"},
          {"AWS_SECRET_ACCESS_KEY", "S3RVER"},
          {"AWS_DEFAULT_REGION", "us-east-1"},
          {"-AWS_SESSION_TOKEN", ""}};
}

} // namespace hectic::test
