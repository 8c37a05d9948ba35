#pragma once
// A real S3-compatible server on 127.0.0.1 for `migrator watch` tests: s3rver
// (https://github.com/jamhall/s3rver, installed by scripts/setup.sh into build/node; or
// HECTIC_S3RVER, the path of its bin/s3rver.js), on a free port, with its own data directory
// and one bucket. Its access key pair is S3RVER/S3RVER. Stopped, by pid, in the destructor.
#include <filesystem>
#include <map>
#include <string>

namespace hectic::test {

class S3rver {
public:
  // dir: an existing directory (inside a Sandbox) for the data, pid file and log.
  S3rver(const std::filesystem::path& dir, std::string bucket);
  ~S3rver();
  S3rver(const S3rver&) = delete;
  S3rver& operator=(const S3rver&) = delete;

  int port() const { return m_port; }
  const std::string& bucket() const { return m_bucket; }
  // http://127.0.0.1:PORT
  std::string endpoint() const;
  // Writes an object straight into s3rver's file store (KEY._S3rver_object, its .md5 and
  // _metadata.json; read per request), for seeding thousands of objects: one PUT costs
  // ~100 ms on a loaded machine.
  void write_object(const std::string& key, const std::string& content) const;
  // AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION for a client.
  std::map<std::string, std::string> client_env() const;

private:
  std::filesystem::path m_dir;
  std::string m_bucket;
  int m_port = 0;
  int m_pid = 0;
};

// A TCP port on 127.0.0.1 that nothing listens on (just now).
int free_tcp_port();

} // namespace hectic::test
