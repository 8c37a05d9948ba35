#pragma once
// A real sshd on 127.0.0.1 for `database pull_staging` tests (sshd(8), sshd_config(5)): host
// and client keys in a test dir, a free port, public-key login only. As root it logs in a
// throw-away account (hectic-ssh, created when missing); otherwise the current user (a
// non-root sshd can only log in its own account). Stopped, by pid, in the destructor.
#include <filesystem>
#include <string>
#include <vector>

namespace hectic::test {

class Sshd {
public:
  // dir: an existing directory (inside a Sandbox) for keys, config, pid and log.
  explicit Sshd(const std::filesystem::path& dir);
  ~Sshd();
  Sshd(const Sshd&) = delete;
  Sshd& operator=(const Sshd&) = delete;

  const std::string& user() const { return m_user; }
  int port() const { return m_port; }
  // user@127.0.0.1
  std::string destination() const { return m_user + "@127.0.0.1"; }
  // ssh options reaching this server: -p, -i, known-hosts and batch settings.
  std::vector<std::string> ssh_options() const;
  // The same joined with blanks (STAGING_SSH_OPTS); no path here holds a blank.
  std::string ssh_options_text() const;

private:
  std::filesystem::path m_dir;
  std::string m_user;
  int m_port = 0;
  int m_pid = 0;
};

} // namespace hectic::test
