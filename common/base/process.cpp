#include "common/base/process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "common/base/error.hpp"
#include "common/base/fd.hpp"
#include "common/base/interrupt.hpp"
#include "common/base/log.hpp"

namespace hectic::process {

namespace bp = boost::process;
namespace stdfs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

const log::Logger k_log{"process"};

// Both ends close-on-exec: only the dup2'ed copy on 0/1/2 reaches the child.
std::pair<UniqueFd, UniqueFd> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw Error(ExitCode::internal, fmt::format("pipe2 failed: {}", std::strerror(errno)));
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// FILE* wrappers for Boost.Process redirections; the FILE* owns a dup of the fd.
struct FileCloser {
  void operator()(FILE* f) const {
    if (f != nullptr) std::fclose(f);
  }
};
using FilePtr = std::unique_ptr<FILE, FileCloser>;

FilePtr file_from(const UniqueFd& fd, const char* mode) {
  int copy = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3);
  if (copy < 0) throw Error(ExitCode::internal, fmt::format("dup failed: {}", std::strerror(errno)));
  FILE* f = ::fdopen(copy, mode);
  if (f == nullptr) {
    ::close(copy);
    throw Error(ExitCode::internal, fmt::format("fdopen failed: {}", std::strerror(errno)));
  }
  return FilePtr(f);
}

// A child's output file: appended to (a log) or replaced (stdout to a file).
UniqueFd open_output(const stdfs::path& path, int mode_flag, const char* what) {
  // O_NOFOLLOW: a log under a directory another account can write is never a link we follow.
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | mode_flag, 0644));
  if (!fd) throw Error(ExitCode::generic, fmt::format("cannot open {}{}: {}", what, path.string(), std::strerror(errno)));
  return fd;
}

// In the child, between fork and exec: fds >= 3 close on exec (Boost.Process 1.74: bp::limit_handles is
// broken in 1.74), signals unblocked and SIGPIPE default (both survive exec), privileges dropped.
struct ChildSetup : bp::extend::handler {
  const Account* account = nullptr;
  pid_t die_with = 0; // Options::dies_with_parent: our pid, taken before the fork

  template <typename Executor> void on_exec_setup(Executor& exec) const {
#ifdef SYS_close_range
    if (::syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */) != 0)
#endif
    {
      long max_fd = ::sysconf(_SC_OPEN_MAX);
      if (max_fd < 0 || max_fd > 65536) max_fd = 65536;
      for (int fd = 3; fd < max_fd; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    sigset_t all;
    sigemptyset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    if (account != nullptr && ::geteuid() != account->uid) {
      if (::setgroups(account->groups.size(), account->groups.data()) != 0 ||
          ::setgid(account->gid) != 0 || ::setuid(account->uid) != 0) {
        exec.set_error(std::error_code(errno, std::system_category()),
                       "cannot switch to account " + account->name);
        return;
      }
    }
    // After the switch, which clears the setting (prctl(2)); a parent that died before it is
    // seen in getppid().
    if (die_with != 0 && (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != die_with)) ::_exit(127);
  }
};

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

std::string tail(const std::string& text, size_t max_lines) {
  size_t pos = text.size();
  while (pos > 0 && (text[pos - 1] == '\n')) --pos;
  size_t end = pos;
  for (size_t lines = 0; pos > 0; --pos) {
    if (text[pos - 1] == '\n' && ++lines == max_lines) break;
  }
  return text.substr(pos, end - pos);
}

// Waits for pid until deadline; returns the status or nullopt on timeout. A status lost to
// someone else's reaping (ECHILD: SIGCHLD ignored, a stray waitpid) is an error, never success.
std::optional<int> wait_until(const stdfs::path& program, pid_t pid, Clock::time_point deadline) {
  auto pause = std::chrono::microseconds(200);
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno != EINTR)
      throw Error(ExitCode::generic, fmt::format("lost the exit status of {} (pid {}): {}",
                                                 program.filename().string(), pid, std::strerror(errno)));
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(20000));
  }
}

} // namespace

std::optional<Account> lookup_account(const std::string& name) {
  struct passwd pwd{};
  struct passwd* found = nullptr;
  std::array<char, 16384> buffer{};
  if (::getpwnam_r(name.c_str(), &pwd, buffer.data(), buffer.size(), &found) != 0 || found == nullptr)
    return std::nullopt;
  Account account;
  account.name = pwd.pw_name;
  account.uid = pwd.pw_uid;
  account.gid = pwd.pw_gid;
  account.home = pwd.pw_dir != nullptr ? pwd.pw_dir : "/";
  int count = 64;
  std::vector<gid_t> groups(count);
  if (::getgrouplist(pwd.pw_name, pwd.pw_gid, groups.data(), &count) < 0) {
    groups.resize(count);
    ::getgrouplist(pwd.pw_name, pwd.pw_gid, groups.data(), &count);
  }
  groups.resize(count);
  account.groups = std::move(groups);
  return account;
}

Account current_account() {
  struct passwd pwd{};
  struct passwd* found = nullptr;
  std::array<char, 16384> buffer{};
  Account account;
  account.uid = ::geteuid();
  account.gid = ::getegid();
  if (::getpwuid_r(account.uid, &pwd, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
    account.name = pwd.pw_name;
    account.home = pwd.pw_dir != nullptr ? pwd.pw_dir : "/";
  } else {
    account.name = std::to_string(account.uid);
  }
  return account;
}

bool running_as_root() { return ::geteuid() == 0; }

std::chrono::milliseconds default_timeout() {
  const char* text = std::getenv("HECTIC_COMMAND_TIMEOUT");
  if (text == nullptr || *text == '\0') return std::chrono::minutes(10);
  char* end = nullptr;
  errno = 0;
  const long long seconds = std::strtoll(text, &end, 10);
  if (errno != 0 || *end != '\0' || seconds <= 0)
    throw Error(ExitCode::missing_argument,
                fmt::format("HECTIC_COMMAND_TIMEOUT={} is not a positive number of seconds", text));
  return std::chrono::seconds(seconds);
}

std::string Result::describe() const {
  if (timed_out) return "timed out";
  if (signal != 0) return fmt::format("was killed by signal {} ({})", signal, ::strsignal(signal));
  return fmt::format("exited with status {}", exit_code);
}

stdfs::path find_program(const std::string& name) {
  auto found = bp::search_path(name);
  if (found.empty())
    throw Error(ExitCode::missing_program, fmt::format("required program '{}' not found on PATH", name),
                {fmt::format("install {} or put it on PATH", name)});
  return found.string();
}

std::string shell_quote(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') quoted += "'\\''";
    else quoted += c;
  }
  quoted += '\'';
  return quoted;
}

std::string format_argv(const stdfs::path& program, const std::vector<std::string>& args) {
  auto plain = [](std::string_view s) {
    return !s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                             "0123456789-_./=:,+@%") == std::string_view::npos;
  };
  std::string text = plain(program.string()) ? program.string() : shell_quote(program.string());
  for (const auto& arg : args) {
    text += ' ';
    text += plain(arg) ? arg : shell_quote(arg);
  }
  return text;
}

namespace {

// The program to start: program as given when it has a directory, else found on PATH. Throws
// Error(missing_program) when it cannot be executed.
stdfs::path resolve_program(const stdfs::path& program_in) {
  stdfs::path program = program_in;
  if (!program.has_parent_path()) program = find_program(program.string());
  if (::access(program.c_str(), X_OK) != 0)
    throw Error(ExitCode::missing_program,
                fmt::format("required program '{}' not found or not executable", program.string()));
  return program;
}

bool switches_account(const Options& options) {
  return options.run_as && ::geteuid() != options.run_as->uid;
}

// Our environment with env_unset removed, the account's HOME/USER/LOGNAME when switching to
// it, and env_set on top.
bp::environment child_environment(const Options& options) {
  bp::environment env = boost::this_process::environment();
  for (const auto& name : options.env_unset) env.erase(name);
  if (switches_account(options)) {
    env["HOME"] = options.run_as->home.string();
    env["USER"] = options.run_as->name;
    env["LOGNAME"] = options.run_as->name;
  }
  for (const auto& [name, value] : options.env_set) env[name] = value;
  return env;
}

// cwd, else "/" for a child switched to another account (our directory may be closed to it),
// else our own directory.
stdfs::path child_start_dir(const Options& options) {
  if (options.cwd) return *options.cwd;
  return switches_account(options) ? stdfs::path("/") : stdfs::current_path();
}

// The pipes and files behind a child's stdin, stdout and stderr. The child's ends reach it at
// spawn; ours feed stdin and read the output.
struct ChildIo {
  UniqueFd stdin_read, stdin_write;
  UniqueFd out_read, out_write, err_read, err_write, log_fd, stdout_file_fd;

  // Closes our copies of the child's ends once it runs: otherwise we never see EOF.
  void close_child_ends() {
    stdin_read.reset();
    out_write.reset();
    err_write.reset();
    log_fd.reset();
    stdout_file_fd.reset();
  }
};

ChildIo open_io(const Options& options) {
  ChildIo io;
  // A reader that exits early must give us EPIPE, not kill us with SIGPIPE.
  if (options.stdin_data) {
    static const bool sigpipe_ignored = (::signal(SIGPIPE, SIG_IGN), true);
    (void)sigpipe_ignored;
    std::tie(io.stdin_read, io.stdin_write) = make_pipe();
  }
  if (options.output == Output::capture) {
    if (options.stdout_file) io.stdout_file_fd = open_output(*options.stdout_file, O_TRUNC, "");
    else std::tie(io.out_read, io.out_write) = make_pipe();
    std::tie(io.err_read, io.err_write) = make_pipe();
  } else if (options.output == Output::log_file) {
    io.log_fd = open_output(options.log_file, O_APPEND, "log file ");
  }
  return io;
}

// Starts the child with its redirections and returns its pid (detached: we reap it ourselves,
// with a bounded wait). Throws Error(missing_program) when the program cannot be executed.
pid_t spawn(const stdfs::path& program, const std::vector<std::string>& args,
            const Options& options, const ChildIo& io) {
  const bp::environment env = child_environment(options);
  const stdfs::path start_dir = child_start_dir(options);
  ChildSetup setup;
  if (options.run_as) setup.account = &*options.run_as;
  if (options.dies_with_parent) setup.die_with = ::getpid();
  bp::child child;
  try {
    FilePtr in_file, out_file, err_file, log_file;
    auto launch = [&](auto&&... redirections) {
      child = bp::child(bp::exe = program.string(), bp::args = args, bp::env = env,
                        bp::start_dir = start_dir.string(), setup, redirections...);
    };
    auto with_stdin = [&](auto&&... redirections) {
      if (options.stdin_data) {
        in_file = file_from(io.stdin_read, "r");
        launch(bp::std_in < in_file.get(), redirections...);
      } else if (options.inherit_stdin) {
        launch(redirections...);
      } else {
        launch(bp::std_in < bp::null, redirections...);
      }
    };
    switch (options.output) {
    case Output::capture:
      out_file = file_from(options.stdout_file ? io.stdout_file_fd : io.out_write, "w");
      err_file = file_from(io.err_write, "w");
      with_stdin(bp::std_out > out_file.get(), bp::std_err > err_file.get());
      break;
    case Output::log_file:
      log_file = file_from(io.log_fd, "a");
      with_stdin((bp::std_out & bp::std_err) > log_file.get());
      break;
    case Output::inherit:
      with_stdin();
      break;
    }
  } catch (const std::system_error& e) {
    int code = e.code().value();
    if (code == ENOENT || code == EACCES || code == ENOEXEC)
      throw Error(ExitCode::missing_program,
                  fmt::format("cannot run '{}': {}", program.string(), e.code().message()));
    throw Error(ExitCode::internal, fmt::format("cannot start '{}': {}", program.string(), e.what()));
  }
  pid_t pid = child.id();
  child.detach();
  return pid;
}

// Reads what is ready on fd into into; closes fd at EOF or on an error.
void drain(UniqueFd& fd, std::string& into) {
  char buffer[65536];
  ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
  if (n > 0) into.append(buffer, static_cast<size_t>(n));
  else if (n == 0 || (errno != EINTR && errno != EAGAIN)) fd.reset();
}

// Writes what the pipe takes of pending; closes it when all is written or the reader is gone.
void feed(UniqueFd& fd, std::string_view& pending) {
  ssize_t n = ::write(fd.get(), pending.data(), pending.size());
  if (n > 0) pending.remove_prefix(static_cast<size_t>(n));
  if ((n < 0 && errno != EAGAIN && errno != EINTR) || pending.empty()) fd.reset();
}

// Feeds stdin and drains stdout/stderr together, so no pipe fills up and blocks the child,
// until all pipes are closed or the deadline passes. Returns false on the deadline.
bool exchange_io(ChildIo& io, std::string_view pending_in, Clock::time_point deadline,
                 Result& result) {
  if (io.stdin_write) {
    set_nonblocking(io.stdin_write.get());
    if (pending_in.empty()) io.stdin_write.reset();
  }
  while (io.out_read || io.err_read || io.stdin_write) {
    std::array<pollfd, 3> fds{};
    nfds_t count = 0;
    int out_index = -1, err_index = -1, in_index = -1;
    if (io.out_read) { out_index = count; fds[count++] = {io.out_read.get(), POLLIN, 0}; }
    if (io.err_read) { err_index = count; fds[count++] = {io.err_read.get(), POLLIN, 0}; }
    if (io.stdin_write) { in_index = count; fds[count++] = {io.stdin_write.get(), POLLOUT, 0}; }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    int ready = ::poll(fds.data(), count, static_cast<int>(std::min<long long>(left, 1000)));
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (out_index >= 0 && fds[out_index].revents != 0) drain(io.out_read, result.out);
    if (err_index >= 0 && fds[err_index].revents != 0) drain(io.err_read, result.err);
    if (in_index >= 0 && fds[in_index].revents != 0) feed(io.stdin_write, pending_in);
  }
  return true;
}

// The wait status of pid, waiting until deadline unless the output exchange already timed
// out; on a timeout the child is killed and reaped, and the result is nullopt.
std::optional<int> reap(const stdfs::path& program, pid_t pid, bool timed_out,
                        Clock::time_point deadline) {
  std::optional<int> status;
  if (!timed_out) status = wait_until(program, pid, deadline);
  if (!status) {
    ::kill(pid, SIGKILL);
    int ignored = 0;
    ::waitpid(pid, &ignored, 0);
  }
  return status;
}

// Fills result from the wait status (nullopt: timed out) and logs the outcome.
void report(const stdfs::path& program, const Options& options, std::optional<int> status,
            Result& result) {
  if (!status) {
    result.timed_out = true;
    result.exit_code = -1;
    k_log.warn("{} timed out after {} ms and was killed", program.filename().string(),
               options.timeout.value_or(std::chrono::milliseconds(0)).count());
    return;
  }
  if (WIFEXITED(*status)) {
    result.exit_code = WEXITSTATUS(*status);
  } else if (WIFSIGNALED(*status)) {
    result.exit_code = -1;
    result.signal = WTERMSIG(*status);
  }
  k_log.debug("{} {}", program.filename().string(), result.describe());
}

} // namespace

Result run(const stdfs::path& program_in, const std::vector<std::string>& args, const Options& options) {
  const stdfs::path program = resolve_program(program_in);
  k_log.debug("run: {}", format_argv(program, args));
  ChildIo io = open_io(options);
  // Output::inherit children are in the foreground: signals reach them (interrupt.hpp).
  std::optional<interrupt::ForegroundChild> foreground;
  if (options.output == Output::inherit) foreground.emplace(options.leaves_sigint);
  const pid_t pid = spawn(program, args, options, io);
  if (foreground) foreground->attach(pid);
  io.close_child_ends();

  Result result;
  const auto deadline = options.timeout ? Clock::now() + *options.timeout : Clock::time_point::max();
  const std::string_view stdin_data =
      options.stdin_data ? std::string_view(*options.stdin_data) : std::string_view{};
  const bool timed_out = !exchange_io(io, stdin_data, deadline, result);
  const std::optional<int> status = reap(program, pid, timed_out, deadline);
  foreground.reset(); // reaped: its pid is free for others
  report(program, options, status, result);
  return result;
}

Result run_checked(const stdfs::path& program, const std::vector<std::string>& args,
                   const Options& options) {
  Result result = run(program, args, options);
  if (!result.ok()) {
    std::string detail = tail(result.err.empty() ? result.out : result.err, 15);
    throw Error(ExitCode::generic,
                fmt::format("{} {}{}{}", stdfs::path(program).filename().string(), result.describe(),
                            detail.empty() ? "" : ":\n", detail));
  }
  return result;
}

} // namespace hectic::process
