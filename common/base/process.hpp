#pragma once
// The only place that spawns programs (Boost.Process v1). argv only, never a shell string;
// stdin from /dev/null unless data is given; fds >= 3 never inherited; output read to EOF
// or appended to a log file; privileges dropped when running as root; every control wait bounded.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hectic::process {

// An unprivileged account resolved in the parent (getpwnam/getgrouplist), applied in the child.
struct Account {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  std::filesystem::path home;
};

// nullopt when no such user exists.
std::optional<Account> lookup_account(const std::string& name);
// The account of the current process.
Account current_account();
bool running_as_root();

// Where a child's stdout/stderr go.
enum class Output {
  capture,  // read into Result::out / Result::err (both pipes drained to EOF)
  log_file, // both appended (O_APPEND) to Options::log_file
  inherit,  // our own stdout/stderr (interactive editors, pagers, `database migrator`)
};

// The bound of a child that sets no other: HECTIC_COMMAND_TIMEOUT seconds, default 10 minutes;
// throws Error(missing_argument) naming a value that is not a positive number of seconds.
std::chrono::milliseconds default_timeout();

struct Options {
  Output output = Output::capture;
  std::filesystem::path log_file;                 // for Output::log_file
  std::optional<std::filesystem::path> stdout_file; // capture mode: stdout into this file (truncated) instead of memory
  std::optional<std::string> stdin_data;          // fed to stdin; otherwise stdin is /dev/null
  bool inherit_stdin = false;                     // interactive children (EDITOR)
  bool leaves_sigint = false;                     // Output::inherit: the child takes Ctrl-C itself (a pager)
  std::optional<std::filesystem::path> cwd;
  std::map<std::string, std::string> env_set;     // added/overridden in the child's environment
  std::vector<std::string> env_unset;
  std::optional<Account> run_as;                  // drop to this account (when we are root and it differs)
  // Then the child is killed. nullopt: no bound, for children that move data (tar, pg_dump,
  // pg_basebackup, migrations) and interactive ones; Ctrl-C still stops them (interrupt.hpp).
  std::optional<std::chrono::milliseconds> timeout = default_timeout();
  bool dies_with_parent = false;                  // PR_SET_PDEATHSIG(SIGKILL): killed when we die (initdb, postgres --single)
};

struct Result {
  int exit_code = 0;  // -1 when killed by a signal
  int signal = 0;     // the signal that ended it, or 0
  bool timed_out = false;
  std::string out;
  std::string err;
  bool ok() const { return exit_code == 0 && signal == 0 && !timed_out; }
  // "exited with status 3" / "killed by signal 9" / "timed out"
  std::string describe() const;
};

// Finds a program on PATH; throws Error(missing_program) naming it.
std::filesystem::path find_program(const std::string& name);

// Runs program (an absolute path, or a name looked up on PATH) with args and waits (bounded).
// Throws Error(missing_program) if it cannot be executed; a non-zero exit is a Result, not an error.
Result run(const std::filesystem::path& program, const std::vector<std::string>& args,
           const Options& options = {});

// Like run(), but a failure (non-zero exit, signal, timeout) throws Error(generic) whose message
// names the program and includes the tail of its stderr.
Result run_checked(const std::filesystem::path& program, const std::vector<std::string>& args,
                   const Options& options = {});

// "prog 'arg one' arg2" for debug logs (shell-quoted for readability only, never executed).
std::string format_argv(const std::filesystem::path& program, const std::vector<std::string>& args);

// POSIX shell single-quoting: abc -> 'abc', it's -> 'it'\''s. For text that a remote shell
// (ssh) or an eval'ing caller will parse.
std::string shell_quote(std::string_view text);

} // namespace hectic::process
